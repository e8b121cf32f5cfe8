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

    /// Calls `body(state, item)` once for every `item` in `0 ..< items`, on up to `workers` threads.
    ///
    /// Items are handed out one at a time from a shared counter, so a worker that is slowed down
    /// (a busy core) simply takes fewer items. `setUp(worker)` (worker in `0 ..< workers`) runs once
    /// per thread before its first item, e.g. to take scratch buffers; its result is passed to every
    /// `body` call on that thread and then to `tearDown`, e.g. to give the buffers back. With one
    /// worker or one item everything runs on the calling thread, in order.
    public static func forEach<State>(
        items: Int, workers: Int,
        setUp: @Sendable (_ worker: Int) -> State,
        tearDown: @Sendable (State) -> Void = { _ in },
        _ body: @Sendable (_ state: State, _ item: Int) -> Void
    ) {
        guard items > 0 else { return }
        let threads = max(1, min(workers, items))
        if threads == 1 {
            let state = setUp(0)
            for item in 0..<items { body(state, item) }
            tearDown(state)
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
            tearDown(state)
        }
    }

    private final class Counter: Sendable {
        private let value = Atomic<Int>(0)
        func next() -> Int { value.add(1, ordering: .relaxed).oldValue }
    }
}

/// Keeps per-thread scratch state between calls, so large buffers are allocated (and page-faulted)
/// once instead of on every call.
///
/// `take()` hands out a stored state or a new one from `make`; `give(_:)` returns it. The pool
/// guarantees that a state is held by one taker at a time, which is what makes sharing the
/// non-Sendable states across threads safe. It keeps at most `capacity` states.
public final class ScratchPool<State>: @unchecked Sendable {
    private let lock = Mutex<Void>(())
    private var stored: [State] = []
    private let make: @Sendable () -> State
    /// Most states kept between calls.
    public let capacity: Int

    public init(capacity: Int = Parallel.processorCount, make: @escaping @Sendable () -> State) {
        self.capacity = max(1, capacity)
        self.make = make
    }

    /// A state no other taker holds.
    public func take() -> State {
        let reused: State? = lock.withLock { _ in stored.popLast() }
        return reused ?? make()
    }

    /// Returns a state taken from this pool.
    public func give(_ state: State) {
        lock.withLock { _ in
            if stored.count < capacity { stored.append(state) }
        }
    }
}
