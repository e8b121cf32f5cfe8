import CImageCodecs

/// JPEG reading and writing through libjpeg-turbo (8-bit RGB in memory).
public enum JPEGCodec {
    /// Chroma subsampling of the encoder.
    public enum ChromaSubsampling: Int32, Sendable, CaseIterable {
        /// Chroma at half resolution both ways (libjpeg's and Pillow's default at every quality).
        case chroma420 = 0
        /// Chroma at half horizontal resolution.
        case chroma422 = 1
        /// Full-resolution chroma.
        case chroma444 = 2
    }

    /// Decodes JPEG bytes to 8-bit RGB as Pillow's `convert("RGB")` does.
    ///
    /// Baseline, progressive and arithmetic-coded files; YCbCr, RGB and greyscale through
    /// libjpeg (islow IDCT, fancy upsampling, as Pillow); CMYK and YCCK as Adobe-inverted CMYK
    /// converted with Pillow's `cmyk2rgb` (Pillow assumes Adobe polarity for every CMYK JPEG,
    /// and so does this). With `options.applyEXIFOrientation` the EXIF orientation tag is
    /// applied afterwards (Pillow's `ImageOps.exif_transpose`). 12-bit files are
    /// `.unsupported`; see `DecodeOptions.strict` for damaged data.
    public static func decode(_ data: [UInt8], options: DecodeOptions = DecodeOptions()) throws(ImagingError) -> DecodedImage {
        try ImageDecoder.validate(options)
        return try data.withUnsafeBufferPointer { decode($0, options: options) }.get()
    }

    static func decode(_ data: UnsafeBufferPointer<UInt8>, options: DecodeOptions) -> Result<DecodedImage, ImagingError> {
        var message = CodecCall.messageBuffer()
        var reader: OpaquePointer?
        var info = ic_image_info()
        let openStatus = ic_jpeg_open(data.baseAddress, data.count, options.strict ? 1 : 0, DecodeOptions.maxJPEGScans,
                                      &reader, &info, &message, message.count)
        guard openStatus == CodecCall.ok, let reader else {
            return .failure(CodecCall.error(status: openStatus, message: CodecCall.text(message), format: .jpeg))
        }
        defer { ic_jpeg_close(reader) }
        do {
            try ImageDecoder.checkPixelLimit(width: info.width, height: info.height, format: .jpeg, options: options)
        } catch {
            return .failure(error)
        }
        let width = Int(info.width), height = Int(info.height)
        let count = width * height * 3
        var readStatus = CodecCall.ok
        let pixels = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            readStatus = ic_jpeg_read_rgb8(reader, buffer.baseAddress, count, &message, message.count)
            initialized = readStatus == CodecCall.ok ? count : 0
        }
        guard readStatus == CodecCall.ok else {
            return .failure(CodecCall.error(status: readStatus, message: CodecCall.text(message), format: .jpeg))
        }
        var warning = CodecCall.messageBuffer()
        let warningCount = Int(ic_jpeg_warnings(reader, &warning, warning.count))
        let details = SourceDetails(
            storedWidth: width, storedHeight: height, bitDepth: Int(info.bit_depth),
            colorModel: colorModel(ofColorSpace: info.color_type), components: Int(info.components),
            interlaced: info.interlaced != 0, arithmeticCoding: info.arithmetic != 0,
            hasTransparencyChunk: false, hasAdobeMarker: info.flag != 0)

        let stored = RGBImage(width: width, height: height, pixels: pixels)
        let orientation = EXIFOrientation.read(fromJPEG: data)
        var transform = DihedralTransform.identity
        var applied = false
        if options.applyEXIFOrientation, let orientation, let upright = DihedralTransform(exifOrientation: orientation) {
            transform = upright
            applied = true
        }
        return .success(DecodedImage(
            image: transform.applied(to: stored), format: .jpeg, exifOrientation: orientation,
            orientationApplied: applied, appliedTransform: transform, details: details,
            warnings: .init(first: warningCount > 0 ? CodecCall.text(warning) : nil, count: warningCount)))
    }

    /// The name of a libjpeg J_COLOR_SPACE.
    static func colorModel(ofColorSpace space: Int32) -> String {
        switch space {
        case 1: return "grey"
        case 2: return "rgb"
        case 3: return "ycbcr"
        case 4: return "cmyk"
        case 5: return "ycck"
        default: return "colour space \(space)"
        }
    }

    /// Encodes an image as a baseline JFIF JPEG (YCbCr, islow DCT, standard Huffman tables).
    ///
    /// - Parameters:
    ///   - quality: libjpeg quality 1 (worst) ... 100 (best); the quantisation tables are
    ///     clamped to baseline (≤ 255) as Pillow does, so at equal settings the bytes match
    ///     Pillow's `save(f, "JPEG", quality: q)`.
    ///   - subsampling: chroma subsampling; default 4:2:0 as Pillow and libjpeg at every quality.
    /// - Throws: `.invalidArgument` for quality outside 1...100 or a side over 65500 pixels,
    ///   `.encode` if libjpeg fails.
    public static func encode(_ image: RGBImage, quality: Int,
                              subsampling: ChromaSubsampling = .chroma420) throws(ImagingError) -> [UInt8] {
        guard (1...100).contains(quality) else {
            throw ImagingError(.invalidArgument, "JPEG quality must be 1...100 (got \(quality))")
        }
        guard image.width <= 65500, image.height <= 65500 else {
            throw ImagingError(.invalidArgument,
                               "image \(image.width)×\(image.height) is too large for JPEG (at most 65500 pixels per side)")
        }
        var message = CodecCall.messageBuffer()
        var output: UnsafeMutablePointer<UInt8>?
        var length = 0
        let status = image.pixels.withUnsafeBufferPointer { pixels in
            ic_jpeg_encode_rgb8(pixels.baseAddress, UInt32(image.width), UInt32(image.height), Int32(quality),
                                subsampling.rawValue, &output, &length, &message, message.count)
        }
        defer { ic_free(output) }
        guard status == CodecCall.ok, let output else {
            throw CodecCall.error(status: status, message: CodecCall.text(message), format: nil)
        }
        return Array(UnsafeBufferPointer(start: output, count: length))
    }

    /// Compresses an image as JPEG at `quality` and decodes it again, in memory: the
    /// "jpeg-quality" augmentation.
    ///
    /// Same encoder settings as `encode` (4:2:0 unless told otherwise); the result has the
    /// image's size. - Throws: `.invalidArgument` for quality outside 1...100.
    public static func reencode(_ image: RGBImage, quality: Int,
                                subsampling: ChromaSubsampling = .chroma420) throws(ImagingError) -> RGBImage {
        let bytes = try encode(image, quality: quality, subsampling: subsampling)
        let options = DecodeOptions(maxPixels: max(1, image.width * image.height), applyEXIFOrientation: false)
        return try decode(bytes, options: options).image
    }
}
