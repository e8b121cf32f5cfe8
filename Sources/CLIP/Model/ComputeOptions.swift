import Tensors

/// How a tower spreads a batch over the processor's cores.
///
/// Two ways to use several cores, never both at once (that would oversubscribe them):
/// split the batch into chunks that run concurrently with single-threaded BLAS, or run the chunks
/// one after another with multi-threaded BLAS products. The BLAS thread count is process-wide:
/// each `encode` call sets it for its own duration, so concurrent calls from several threads compute
/// correct results but may share the cores badly.
public struct ComputeOptions: Sendable, Equatable {
    /// The two ways of using several threads.
    public enum Strategy: Sendable, Equatable {
        /// Split the batch when it has at least two items and several threads are allowed, else thread the products.
        case automatic
        /// Chunks of the batch run concurrently, each with single-threaded BLAS.
        case splitBatch
        /// One chunk at a time; BLAS uses all `threads` for each product.
        case threadedProducts
    }

    /// Threads to use (≥ 1); defaults to the number of logical processors.
    public var threads: Int
    /// How to use them.
    public var strategy: Strategy
    /// Items per chunk; nil cuts a split batch into one chunk per thread, up to a per-tower maximum
    /// that bounds memory.
    public var itemsPerChunk: Int?

    public init(threads: Int = Parallel.processorCount, strategy: Strategy = .automatic, itemsPerChunk: Int? = nil) {
        self.threads = max(1, threads)
        self.strategy = strategy
        self.itemsPerChunk = itemsPerChunk.map { max(1, $0) }
    }

    /// All processors, strategy chosen by batch size.
    public static var automatic: ComputeOptions { ComputeOptions() }

    /// One thread: everything on the calling thread with single-threaded BLAS.
    public static var singleThreaded: ComputeOptions { ComputeOptions(threads: 1) }
}

/// Runs a tower over a batch in chunks according to `ComputeOptions`.
enum ChunkedExecution {
    /// Encodes `count` items in chunks and returns the `[count, outputWidth]` result rows.
    ///
    /// `encode(state, items, out)` must write the rows of `items` to `out` (the first row of the
    /// chunk); each thread takes its scratch state from `pool` and gives it back. Without an explicit
    /// `itemsPerChunk`, a split batch is cut into one chunk per thread (the products get as many rows
    /// as possible) of at most `maximumChunk` items (which bounds memory). With a recorder everything
    /// runs as one chunk on the calling thread so the recorded activations cover the whole batch.
    static func run<State>(
        count: Int, outputWidth: Int, options: ComputeOptions, maximumChunk: Int, recording: Bool,
        pool: ScratchPool<State>,
        encode: @Sendable (State, Range<Int>, UnsafeMutablePointer<Float>) -> Void
    ) -> [Float] {
        var result = [Float](repeating: 0, count: count * outputWidth)
        guard count > 0 else { return result }
        result.withUnsafeMutableBufferPointer { buffer in
            let out = SendablePointer(buffer.baseAddress!)
            if recording {
                let state = pool.take()
                encode(state, 0..<count, out.pointer)
                pool.give(state)
                return
            }
            let split: Bool
            switch options.strategy {
            case .automatic: split = options.threads > 1 && count > 1
            case .splitBatch: split = options.threads > 1
            case .threadedProducts: split = false
            }
            let workers = split ? options.threads : 1
            let chunk = options.itemsPerChunk ?? max(1, min(maximumChunk, (count + workers - 1) / workers))
            let chunks = (count + chunk - 1) / chunk
            let previousThreads = BLAS.threadCount
            BLAS.setThreadCount(split ? 1 : options.threads)
            defer { BLAS.setThreadCount(previousThreads) }
            Parallel.forEach(items: chunks, workers: workers, setUp: { _ in pool.take() }, tearDown: { pool.give($0) }) { state, index in
                let items = (index * chunk)..<min(count, (index + 1) * chunk)
                encode(state, items, out.pointer + items.lowerBound * outputWidth)
            }
        }
        return result
    }
}
