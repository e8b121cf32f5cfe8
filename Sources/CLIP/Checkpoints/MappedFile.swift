import Foundation
import Imaging
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
    /// - Throws: `CLIPError.io` naming the file if it cannot be opened, inspected or mapped, or is
    ///   not a regular file.
    public init(path: String) throws(CLIPError) {
        self.path = path
        let mapping: (base: UnsafeRawPointer?, count: Int)
        do {
            mapping = try FileBytes.withOpenFile(atPath: path) { descriptor, size throws(ImagingError) in
                guard size > 0 else { return (nil, 0) }
                let pointer = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0)
                guard let pointer, pointer != MAP_FAILED else {
                    throw ImagingError(.io, "cannot map file: \(String(cString: strerror(errno)))", path: path)
                }
                return (UnsafeRawPointer(pointer), size)
            }
        } catch {
            throw CLIPError(error)
        }
        base = mapping.base
        count = mapping.count
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
