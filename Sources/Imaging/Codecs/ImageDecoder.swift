/// How `ImageDecoder` treats a file: size limits, EXIF orientation, corrupt data.
public struct DecodeOptions: Sendable, Equatable, Hashable {
    /// Largest image accepted, in pixels (width × height as the header declares them; 1...Int.max / 4).
    ///
    /// Checked from the header before the pixel buffer is allocated, so a PNG declaring
    /// 100000×100000 is refused at once. Default 100 megapixels.
    public var maxPixels: Int
    /// Largest file `ImageDecoder.decodeFile` reads, in bytes (≥ 1). Default 1 GiB.
    public var maxFileBytes: Int
    /// Rotate/flip JPEGs upright as their EXIF orientation tag says (Pillow's
    /// `ImageOps.exif_transpose`). Off keeps the stored pixels (`--ignore-exif-orientation`).
    /// PNG eXIf chunks are never applied (Pillow's `convert("RGB")` ignores them too).
    public var applyEXIFOrientation: Bool
    /// Refuse JPEGs whose data libjpeg had to repair: truncated files, extraneous bytes,
    /// bad Huffman/arithmetic codes, lost restart markers. libjpeg only warns about these and
    /// pads the image with grey; Pillow refuses truncated files by default. Off returns the
    /// repaired image and reports the warning in `DecodedImage.warnings`.
    public var strict: Bool

    /// The defaults: 100 megapixels, 1 GiB files, EXIF orientation applied, strict.
    public init(maxPixels: Int = 100_000_000, maxFileBytes: Int = 1 << 30,
                applyEXIFOrientation: Bool = true, strict: Bool = true) {
        self.maxPixels = maxPixels
        self.maxFileBytes = maxFileBytes
        self.applyEXIFOrientation = applyEXIFOrientation
        self.strict = strict
    }

    /// Most scans a progressive JPEG may have (a hostile file can make libjpeg re-decode the
    /// whole image once per scan; real files have about 10).
    static let maxJPEGScans: Int32 = 500
}

/// What the file's header said about how it stores the image (for provenance and tests).
public struct SourceDetails: Sendable, Equatable, Hashable {
    /// Stored width in pixels (before the EXIF orientation is applied).
    public var storedWidth: Int
    /// Stored height in pixels (before the EXIF orientation is applied).
    public var storedHeight: Int
    /// Bits per sample: PNG 1, 2, 4, 8 or 16; JPEG 8.
    public var bitDepth: Int
    /// How samples are stored: "grey", "grey+alpha", "rgb", "rgba", "palette" (PNG) or
    /// "grey", "ycbcr", "rgb", "cmyk", "ycck" (JPEG).
    public var colorModel: String
    /// Channels stored per pixel (PNG: 1–4; JPEG: components).
    public var components: Int
    /// PNG: Adam7 interlaced. JPEG: progressive.
    public var interlaced: Bool
    /// JPEG: arithmetic entropy coding. PNG: false.
    public var arithmeticCoding: Bool
    /// PNG: a tRNS chunk is present (ignored for RGB output). JPEG: false.
    public var hasTransparencyChunk: Bool
    /// JPEG: an Adobe APP14 marker is present. PNG: false.
    public var hasAdobeMarker: Bool
}

/// A decoded image with what the decoder did to it.
public struct DecodedImage: Sendable, Equatable {
    /// The pixels, 8-bit RGB, upright if the EXIF orientation was applied.
    public var image: RGBImage
    /// The format recognised from the file's first bytes.
    public var format: ImageFormat
    /// The EXIF orientation value stored in the file (tag 0x0112, normally 1...8), or nil
    /// when there is none (always nil for PNG).
    public var exifOrientation: Int?
    /// True when the stored orientation was honoured: `applyEXIFOrientation` was on and the
    /// value is 1...8 (for 1 the pixels are unchanged). False for invalid values.
    public var orientationApplied: Bool
    /// The transform applied to the stored pixels (identity when none).
    public var appliedTransform: DihedralTransform
    /// How the file stores the image.
    public var details: SourceDetails
    /// Non-fatal messages of libpng/libjpeg (e.g. "iCCP: known incorrect sRGB profile", or
    /// in lenient mode "Premature end of JPEG file"): the first one, and how many there were.
    public var warnings: Warnings

    /// The first library warning and the number of warnings.
    public struct Warnings: Sendable, Equatable {
        /// The first warning, if any.
        public var first: String?
        /// How many warnings the library emitted.
        public var count: Int

        /// No warnings.
        public static let none = Warnings(first: nil, count: 0)
    }
}

/// Decodes PNG and JPEG files to 8-bit RGB exactly as Pillow's `Image.open(f).convert("RGB")`
/// does (plus `ImageOps.exif_transpose` for JPEG when asked), with sizes checked first.
///
/// Exception to the Pillow parity: 16-bit greyscale PNGs keep the high byte of each sample
/// (Pillow clamps them to 255). Every failure is an `ImagingError` naming the file.
public enum ImageDecoder {
    /// Decodes the bytes of a PNG or JPEG file; the format comes from the magic bytes.
    ///
    /// - Parameters:
    ///   - data: the whole file.
    ///   - path: the file's name for error messages (nil: errors carry no path).
    ///   - options: limits, EXIF orientation and strictness.
    /// - Throws: `.unknownFormat` (empty or not PNG/JPEG), `.corrupt`, `.unsupported`,
    ///   `.tooLarge`, `.invalidArgument` (bad options), `.outOfMemory`.
    public static func decode(data: [UInt8], path: String? = nil,
                              options: DecodeOptions = DecodeOptions()) throws(ImagingError) -> DecodedImage {
        do throws(ImagingError) {
            try validate(options)
            guard let format = ImageFormat.detect(data) else {
                throw ImagingError(.unknownFormat,
                                   "not a PNG or JPEG file: \(ImageFormat.unrecognisedReason(data))")
            }
            switch format {
            case .png: return try PNGCodec.decode(data, options: options)
            case .jpeg: return try JPEGCodec.decode(data, options: options)
            }
        } catch {
            throw path.map { error.at(path: $0) } ?? error
        }
    }

    /// Reads and decodes the PNG or JPEG file at `path` (see `decode(data:path:options:)`).
    ///
    /// - Throws: also `.io` when the file cannot be read or is larger than `maxFileBytes`.
    public static func decodeFile(atPath path: String,
                                  options: DecodeOptions = DecodeOptions()) throws(ImagingError) -> DecodedImage {
        do throws(ImagingError) {
            try validate(options)
            let data = try FileBytes.contents(atPath: path, maxBytes: options.maxFileBytes, expected: "an image file")
            return try decode(data: data, path: path, options: options)
        } catch {
            throw error.path == nil ? error.at(path: path) : error
        }
    }

    static func validate(_ options: DecodeOptions) throws(ImagingError) {
        guard options.maxPixels >= 1, options.maxPixels <= Int.max / 4 else {
            throw ImagingError(.invalidArgument, "maxPixels must be 1...\(Int.max / 4) (got \(options.maxPixels))")
        }
        guard options.maxFileBytes >= 1 else {
            throw ImagingError(.invalidArgument, "maxFileBytes must be at least 1 (got \(options.maxFileBytes))")
        }
    }

    /// Refuses a header declaring more than `maxPixels` pixels, before anything is allocated.
    ///
    /// The product is computed in 64-bit unsigned arithmetic: two 32-bit sides near 2³² would
    /// overflow `Int`.
    static func checkPixelLimit(width: UInt32, height: UInt32, format: ImageFormat,
                                options: DecodeOptions) throws(ImagingError) {
        guard width > 0, height > 0 else {
            throw ImagingError(.corrupt, "corrupt \(format.displayName): header declares an empty \(width)×\(height) image")
        }
        let pixels = UInt64(width) * UInt64(height)
        guard pixels <= UInt64(options.maxPixels) else {
            throw ImagingError(.tooLarge,
                               "image is \(width)×\(height) = \(pixelCount(pixels)), over the pixel limit of "
                               + "\(pixelCount(UInt64(options.maxPixels))); refused before decoding (raise the limit to allow it)",
                               location: format == .png ? "IHDR chunk" : "SOF marker")
        }
    }

    /// A pixel count for messages: "10000 megapixels", "0.3 megapixels", or "500 pixels".
    static func pixelCount(_ pixels: UInt64) -> String {
        guard pixels >= 100_000 else { return "\(pixels) pixels" }
        let tenths = pixels / 100_000 + (pixels % 100_000 >= 50_000 ? 1 : 0)
        let number = tenths % 10 == 0 ? "\(tenths / 10)" : "\(tenths / 10).\(tenths % 10)"
        return "\(number) megapixels"
    }
}
