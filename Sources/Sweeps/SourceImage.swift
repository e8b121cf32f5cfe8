import Foundation
import Imaging

/// A decoded source image with its provenance (file path, hash, size, EXIF orientation).
public struct SourceImage: Sendable, Equatable {
    /// The decoded pixels (upright when the EXIF orientation was applied).
    public var image: RGBImage
    /// Where the pixels came from.
    public var provenance: SourceProvenance

    /// A source from pixels already in memory and their provenance.
    public init(image: RGBImage, provenance: SourceProvenance) {
        self.image = image
        self.provenance = provenance
    }

    /// Reads, hashes and decodes the PNG or JPEG file at `path` (one read of the file).
    ///
    /// - Parameters:
    ///   - path: the file, recorded as given.
    ///   - options: pixel and file size limits, EXIF orientation (see `DecodeOptions`).
    /// - Throws: `SweepError.image` with the codec's message naming the file (missing, empty,
    ///   not PNG/JPEG, corrupt, over the pixel limit, …).
    public static func load(path: String, options: DecodeOptions = DecodeOptions()) throws(SweepError) -> SourceImage {
        let bytes = try SmallFile.read(path: path, shownAs: path, limit: options.maxFileBytes, what: "image", code: .image)
        let decoded: DecodedImage
        do {
            decoded = try ImageDecoder.decode(data: bytes, path: path, options: options)
        } catch {
            throw SweepError(.image, error.message, path: error.path ?? path, location: error.location)
        }
        let provenance = SourceProvenance(
            path: path, sha256: SHA256.hex(of: bytes), format: decoded.format.rawValue,
            width: decoded.image.width, height: decoded.image.height,
            exifOrientation: decoded.exifOrientation, exifOrientationApplied: decoded.orientationApplied)
        return SourceImage(image: decoded.image, provenance: provenance)
    }
}
