/// Writing images to files: encode, then write atomically (see `AtomicFile`).
public enum ImageFile {
    /// The file format and its settings.
    public enum Format: Sendable, Equatable, Hashable, CustomStringConvertible {
        /// Lossless 8-bit RGB PNG (zlib level 6, adaptive filters, as Pillow).
        case png
        /// Baseline JPEG at a libjpeg quality 1...100 (4:2:0 chroma, as Pillow).
        case jpeg(quality: Int)

        /// "png" or "jpeg (quality q)", for messages and provenance.
        public var description: String {
            switch self {
            case .png: return "png"
            case .jpeg(let quality): return "jpeg (quality \(quality))"
            }
        }

        /// The usual file name extension, without the dot: "png" or "jpg".
        public var fileExtension: String {
            switch self {
            case .png: return "png"
            case .jpeg: return "jpg"
            }
        }
    }

    /// Encodes `image` in `format` and writes it to `path` atomically.
    ///
    /// Either the complete file appears at `path` (replacing any file there) or, on failure,
    /// nothing changes and no temporary file is left behind.
    /// - Throws: `.invalidArgument` (e.g. JPEG quality 0), `.encode`, `.io` naming the path.
    public static func write(_ image: RGBImage, toPath path: String, format: Format,
                             synchronize: Bool = false) throws(ImagingError) {
        do throws(ImagingError) {
            let bytes = try encode(image, format: format)
            try AtomicFile.write(bytes, toPath: path, synchronize: synchronize)
        } catch {
            throw error.path == nil ? error.at(path: path) : error
        }
    }

    /// The bytes of `image` encoded in `format`.
    public static func encode(_ image: RGBImage, format: Format) throws(ImagingError) -> [UInt8] {
        switch format {
        case .png: return try PNGCodec.encode(image)
        case .jpeg(let quality): return try JPEGCodec.encode(image, quality: quality)
        }
    }
}
