import CImageCodecs

/// PNG reading and writing through libpng (8-bit RGB in memory).
public enum PNGCodec {
    /// Row filters of the PNG encoder.
    public enum Filter: Int32, Sendable, CaseIterable {
        /// libpng's per-row choice among all five filters (smallest files; Pillow does the same).
        case adaptive = -1
        /// Filter type 0: bytes as they are.
        case none = 0
        /// Filter type 1: difference to the pixel on the left.
        case sub = 1
        /// Filter type 2: difference to the pixel above.
        case up = 2
        /// Filter type 3: difference to the mean of left and above.
        case average = 3
        /// Filter type 4: difference to the Paeth predictor of left, above and upper left.
        case paeth = 4
    }

    /// zlib level of `encode` unless told otherwise: 6, Pillow's default.
    public static let defaultCompressionLevel = 6

    /// Decodes PNG bytes to 8-bit RGB as Pillow's `convert("RGB")` does.
    ///
    /// Every colour type and bit depth is read: palette expanded, grey replicated, alpha and
    /// tRNS dropped (not composited), 16-bit samples reduced to their high byte, Adam7
    /// de-interlaced, no gamma or colour-profile correction. The chunks after the image data
    /// are read up to IEND, so a CRC error there is an error. libpng warnings are collected in
    /// `DecodedImage.warnings`. Errors carry no path; `ImageDecoder` adds it.
    public static func decode(_ data: [UInt8], options: DecodeOptions = DecodeOptions()) throws(ImagingError) -> DecodedImage {
        try ImageDecoder.validate(options)
        return try data.withUnsafeBufferPointer { decode($0, options: options) }.get()
    }

    static func decode(_ data: UnsafeBufferPointer<UInt8>, options: DecodeOptions) -> Result<DecodedImage, ImagingError> {
        // The size is checked from the raw IHDR bytes before libpng reads anything (libpng
        // would first read every chunk up to the image data), and again from libpng's values.
        if let declared = declaredSize(data) {
            do {
                try ImageDecoder.checkPixelLimit(width: declared.width, height: declared.height, format: .png,
                                                 options: options)
            } catch {
                return .failure(error)
            }
        }
        let decoded = CodecCall.decodeStored(.png, options: options) { reader, info, message, capacity in
            ic_png_open(data.baseAddress, data.count, reader, info, message, capacity)
        }
        return decoded.map { stored in
            let info = stored.info
            let details = SourceDetails(
                storedWidth: stored.image.width, storedHeight: stored.image.height, bitDepth: Int(info.bit_depth),
                colorModel: colorModel(ofColorType: info.color_type), components: Int(info.components),
                interlaced: info.interlaced != 0, arithmeticCoding: false,
                hasTransparencyChunk: info.flag != 0, hasAdobeMarker: false)
            return DecodedImage(image: stored.image, format: .png, exifOrientation: nil, orientationApplied: false,
                                appliedTransform: .identity, details: details, warnings: stored.warnings)
        }
    }

    /// Width and height from the IHDR chunk that must follow the signature, if it is there.
    static func declaredSize(_ data: UnsafeBufferPointer<UInt8>) -> (width: UInt32, height: UInt32)? {
        guard data.count >= 24, Array(data[12..<16]) == Array("IHDR".utf8) else { return nil }
        func bigEndian32(_ offset: Int) -> UInt32 {
            (0..<4).reduce(0) { $0 << 8 | UInt32(data[offset + $1]) }
        }
        return (bigEndian32(16), bigEndian32(20))
    }

    /// The name of a PNG IHDR colour type.
    static func colorModel(ofColorType type: Int32) -> String {
        switch type {
        case 0: return "grey"
        case 2: return "rgb"
        case 3: return "palette"
        case 4: return "grey+alpha"
        case 6: return "rgba"
        default: return "colour type \(type)"
        }
    }

    /// Encodes an image as a non-interlaced 8-bit RGB PNG (lossless).
    ///
    /// - Parameters:
    ///   - compressionLevel: zlib level 0 (none, fastest) ... 9 (smallest); default 6 as Pillow.
    ///   - filter: row filter; default `.adaptive` (libpng picks per row, as Pillow).
    /// - Throws: `.invalidArgument` for a level outside 0...9, `.encode` if libpng fails.
    public static func encode(_ image: RGBImage, compressionLevel: Int = defaultCompressionLevel,
                              filter: Filter = .adaptive) throws(ImagingError) -> [UInt8] {
        guard (0...9).contains(compressionLevel) else {
            throw ImagingError(.invalidArgument, "PNG compression level must be 0...9 (got \(compressionLevel))")
        }
        guard image.width <= Int(Int32.max), image.height <= Int(Int32.max) else {
            throw ImagingError(.invalidArgument, "image \(image.width)×\(image.height) is too large for PNG")
        }
        return try CodecCall.encoded { output, length, message, capacity in
            image.pixels.withUnsafeBufferPointer { pixels in
                ic_png_encode_rgb8(pixels.baseAddress, UInt32(image.width), UInt32(image.height), Int32(compressionLevel),
                                   filter.rawValue, output, length, message, capacity)
            }
        }
    }
}
