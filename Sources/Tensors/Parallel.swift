import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// A pointer that may cross into concurrently running closures.
///
/// Swift cannot check that workers touch disjoint parts of a buffer; whoever creates this promises
/// it (each parallel task writes only its own rows) and keeps the memory alive until they finish.
public struct SendablePointer<Element>: @unchecked Sendable {
    /// The address.
    public let pointer: UnsafeMutablePointer<Element>

    public init(_ pointer: UnsafeMutablePointer<Element>) {
        self.pointer = pointer
    }
}

/// Runs independent pieces of work on several threads.
public enum Parallel {
    /// Logical processors available to this process.
    public static var processorCount: Int {
        max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    }

    /// Calls `body(worker, item)` once for every `item` in `0 ..< items`, on up to `workers` threads.
    ///
    /// Items are handed out one at a time from a shared counter, so a worker that is slowed down
    /// (a busy core) simply takes fewer items. `worker` (in `0 ..< workers`) identifies the thread,
    /// e.g. to pick its scratch buffers; `setUp(worker)` runs once per thread before its first item
    /// and its result is passed to every `body` call on that thread. With one worker or one item
    /// everything runs on the calling thread, in order.
    public static func forEach<State>(
        items: Int, workers: Int,
        setUp: @Sendable (_ worker: Int) -> State,
        _ body: @Sendable (_ state: State, _ item: Int) -> Void
    ) {
        guard items > 0 else { return }
        let threads = max(1, min(workers, items))
        if threads == 1 {
            let state = setUp(0)
            for item in 0..<items { body(state, item) }
            return
        }
        let counter = Counter()
        DispatchQueue.concurrentPerform(iterations: threads) { worker in
            let state = setUp(worker)
            while true {
                let item = counter.next()
                guard item < items else { break }
                body(state, item)
            }
        }
    }

    private final class Counter: Sendable {
        private let value = Atomic<Int>(0)
        func next() -> Int { value.add(1, ordering: .relaxed).oldValue }
    }
}
