/// A growable, 64-byte aligned float buffer for one thread's temporary data.
///
/// Kernels and model code reuse a few of these per worker instead of allocating per operation:
/// large fresh allocations are page-faulted in on every use, which costs as much as a cheap layer.
/// Not thread-safe: each worker owns its own buffers. Contents are not preserved when it grows.
public final class ScratchBuffer {
    private var storage: UnsafeMutableRawPointer?
    /// Floats available at `pointer` without growing.
    public private(set) var capacity = 0

    /// An empty buffer; memory is reserved on first use.
    public init() {}

    deinit { storage?.deallocate() }

    /// A pointer to at least `count` floats (uninitialised unless written earlier and not grown since).
    public func reserve(_ count: Int) -> UnsafeMutablePointer<Float> {
        if let storage, count <= capacity { return storage.assumingMemoryBound(to: Float.self) }
        storage?.deallocate()
        let newCapacity = max(count, capacity + capacity / 2, 16)
        let grown = UnsafeMutableRawPointer.allocate(byteCount: newCapacity * MemoryLayout<Float>.stride, alignment: 64)
        storage = grown
        capacity = newCapacity
        return grown.assumingMemoryBound(to: Float.self)
    }
}
