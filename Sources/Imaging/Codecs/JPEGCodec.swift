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
        let decoded = CodecCall.decodeStored(.jpeg, options: options) { reader, info, message, capacity in
            ic_jpeg_open(data.baseAddress, data.count, options.strict ? 1 : 0, DecodeOptions.maxJPEGScans,
                         reader, info, message, capacity)
        }
        return decoded.map { stored in
            let info = stored.info
            let details = SourceDetails(
                storedWidth: stored.image.width, storedHeight: stored.image.height, bitDepth: Int(info.bit_depth),
                colorModel: colorModel(ofColorSpace: info.color_type), components: Int(info.components),
                interlaced: info.interlaced != 0, arithmeticCoding: info.arithmetic != 0,
                hasTransparencyChunk: false, hasAdobeMarker: info.flag != 0)
            let orientation = EXIFOrientation.read(fromJPEG: data)
            var transform = DihedralTransform.identity
            var applied = false
            if options.applyEXIFOrientation, let orientation, let upright = DihedralTransform(exifOrientation: orientation) {
                transform = upright
                applied = true
            }
            return DecodedImage(image: transform.applied(to: stored.image), format: .jpeg, exifOrientation: orientation,
                                orientationApplied: applied, appliedTransform: transform, details: details,
                                warnings: stored.warnings)
        }
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
        return try CodecCall.encoded { output, length, message, capacity in
            image.pixels.withUnsafeBufferPointer { pixels in
                ic_jpeg_encode_rgb8(pixels.baseAddress, UInt32(image.width), UInt32(image.height), Int32(quality),
                                    subsampling.rawValue, output, length, message, capacity)
            }
        }
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
