#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads whole files into memory with a size cap: the one reader for untrusted files that must be
/// held in memory (images, model configs, the BPE vocabulary).
///
/// The size is taken from the open file itself and checked before anything is allocated, and no
/// more than that size is read, so a file that grows meanwhile cannot make it allocate more.
public enum FileBytes {
    /// The contents of the regular file at `path`, refusing files over `maxBytes` bytes.
    ///
    /// - Parameters:
    ///   - maxBytes: the largest size accepted, in bytes.
    ///   - expected: what the file should be, for the message about a folder given instead
    ///     (e.g. "an image file": "is a directory, not an image file").
    /// - Throws: `ImagingError` naming `path`: `.io` when it cannot be opened or read or is not a
    ///   regular file (a folder, device or socket), `.tooLarge` when it is over `maxBytes`.
    ///   A file that shrinks while it is read gives the bytes that were there.
    public static func contents(atPath path: String, maxBytes: Int,
                                expected: String = "a regular file") throws(ImagingError) -> [UInt8] {
        try withOpenFile(atPath: path, expected: expected) { descriptor, size throws(ImagingError) in
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
    }

    /// Opens the regular file at `path` read-only and calls `body` with its descriptor and its size
    /// in bytes (from the open file); the descriptor is closed when `body` returns.
    ///
    /// - Throws: `ImagingError.io` naming `path` when it cannot be opened or inspected or is not a
    ///   regular file (a folder: "is a directory, not <expected>"), or what `body` throws.
    public static func withOpenFile<Result>(
        atPath path: String, expected: String = "a regular file",
        _ body: (_ descriptor: Int32, _ size: Int) throws(ImagingError) -> Result
    ) throws(ImagingError) -> Result {
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
            throw ImagingError(.io, (status.st_mode & S_IFMT) == S_IFDIR ? "is a directory, not \(expected)"
                                                                           : "is not a regular file", path: path)
        }
        return try body(descriptor, Int(status.st_size))
    }
}

/// The system's text for an `errno` value (`strerror`), for messages.
func systemMessage(_ code: Int32) -> String {
    guard let text = strerror(code) else { return "error \(code)" }
    return String(cString: text)
}
