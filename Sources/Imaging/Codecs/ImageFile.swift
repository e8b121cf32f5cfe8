#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writing images to files: encode, then write atomically (see `AtomicFile`).
public enum ImageFile {
    /// The file format and its settings.
    public enum Format: Sendable, Equatable, Hashable, CustomStringConvertible {
        /// Lossless 8-bit RGB PNG (zlib level 6, adaptive filters, as Pillow).
        case png
        /// Baseline JPEG at a libjpeg quality 1...100 (4:2:0 chroma, as Pillow).
        case jpeg(quality: Int)

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

/// Reading whole files with a size cap (the decoders need the bytes in memory).
enum FileBytes {
    /// The contents of the regular file at `path`, refusing files over `maxBytes`.
    static func contents(atPath path: String, maxBytes: Int) throws(ImagingError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw ImagingError(.io, "cannot open for reading: \(systemMessage(errno))", path: path)
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw ImagingError(.io, "cannot read file status: \(systemMessage(errno))", path: path)
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw ImagingError(.io, (status.st_mode & S_IFMT) == S_IFDIR ? "is a directory, not an image file"
                                                                           : "is not a regular file", path: path)
        }
        let size = Int(status.st_size)
        guard size <= maxBytes else {
            throw ImagingError(.tooLarge, "file is \(size) bytes, over the limit of \(maxBytes) bytes", path: path)
        }
        var failure: Int32 = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            initialized = 0
            guard let base = buffer.baseAddress else { return }
            while initialized < size {
                let got = read(descriptor, base + initialized, size - initialized)
                if got < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                if got == 0 { return }  // the file shrank while we read it
                initialized += got
            }
        }
        guard failure == 0 else {
            throw ImagingError(.io, "read failed: \(systemMessage(failure))", path: path)
        }
        return bytes
    }

    /// strerror text for an errno value.
    static func systemMessage(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        return String(cString: text)
    }
}
