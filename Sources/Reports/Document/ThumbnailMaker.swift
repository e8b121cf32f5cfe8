import Foundation
import Imaging

extension ReportThumbnail {
    /// The default longest side of variant thumbnails (pixels): large enough to recognise a
    /// rotation or the noise level, small enough that a default suite stays a few megabytes.
    public static let defaultSide = 64

    /// The default JPEG quality of thumbnails.
    public static let defaultQuality = 75

    /// A thumbnail of `image`: scaled (Pillow-exact bicubic with antialiasing) so its longer
    /// side is at most `maxSide`, keeping the aspect ratio, and encoded as JPEG (default) or PNG.
    ///
    /// Images already small enough are encoded as they are.
    /// - Throws: `ReportError.invalidArgument` for `maxSide` < 1 or a JPEG quality outside
    ///   1...100; `.invalidInput` if resizing or encoding fails.
    public static func make(from image: RGBImage, maxSide: Int = defaultSide,
                            format: ImageFile.Format = .jpeg(quality: defaultQuality)) throws(ReportError) -> ReportThumbnail {
        guard maxSide >= 1 else {
            throw ReportError(.invalidArgument, "thumbnail side must be at least 1 pixel (got \(maxSide))", location: "maxSide")
        }
        let longer = max(image.width, image.height)
        var small = image
        if longer > maxSide {
            let scale = Double(maxSide) / Double(longer)
            let width = max(1, Int((Double(image.width) * scale).rounded()))
            let height = max(1, Int((Double(image.height) * scale).rounded()))
            do {
                small = try image.resized(width: width, height: height, filter: .bicubic)
            } catch {
                throw ReportError(.invalidInput, "cannot scale a \(image.width)×\(image.height) image for a thumbnail: \(error.message)")
            }
        }
        let bytes: [UInt8]
        do {
            bytes = try ImageFile.encode(small, format: format)
        } catch {
            throw ReportError(error.code == .invalidArgument ? .invalidArgument : .invalidInput,
                              "cannot encode a thumbnail: \(error.message)")
        }
        let mime: String
        switch format {
        case .png: mime = "image/png"
        case .jpeg: mime = "image/jpeg"
        }
        return ReportThumbnail(mimeType: mime, data: Data(bytes), width: small.width, height: small.height)
    }
}
