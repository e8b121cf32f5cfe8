import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A file mapped read-only into memory: large checkpoints are paged in on demand, not copied.
///
/// Immutable after creation and unmapped in `deinit`, so sharing it across tasks is safe.
public final class MappedFile: @unchecked Sendable {
    /// The path as given.
    public let path: String
    /// Size of the file in bytes.
    public let count: Int
    private let base: UnsafeRawPointer?

    /// Maps the whole file at `path`.
    ///
    /// - Throws: `CLIPError.io` naming the file if it cannot be opened, inspected or mapped.
    public init(path: String) throws(CLIPError) {
        self.path = path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw CLIPError(.io, "cannot open: \(String(cString: strerror(errno)))", path: path)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw CLIPError(.io, "cannot stat: \(String(cString: strerror(errno)))", path: path)
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw CLIPError(.io, "not a regular file", path: path)
        }
        count = Int(info.st_size)
        if count == 0 {
            base = nil
            return
        }
        let pointer = mmap(nil, count, PROT_READ, MAP_PRIVATE, fd, 0)
        guard let pointer, pointer != MAP_FAILED else {
            throw CLIPError(.io, "cannot map file: \(String(cString: strerror(errno)))", path: path)
        }
        base = UnsafeRawPointer(pointer)
    }

    deinit {
        if let base { munmap(UnsafeMutableRawPointer(mutating: base), count) }
    }

    /// Calls `body` with the bytes in `range`, which the caller has checked lies inside the file.
    ///
    /// A range outside the file is a programming error (the readers validate every offset first) and traps.
    public func withBytes<R, E: Error>(in range: Range<Int>, _ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "MappedFile: range outside the file")
        guard let base else { return try body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        return try body(UnsafeRawBufferPointer(start: base + range.lowerBound, count: range.count))
    }
}
