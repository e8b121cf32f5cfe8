import Synchronization

/// The fixed-point taps of one resampling axis for a range of outputs (Pillow's
/// `precompute_coeffs` followed by `normalize_coeffs_8bpc`).
struct ResampleCoefficients: Sendable {
    /// Number of outputs described (the range given at creation).
    let count: Int
    /// Stride of `weights` per output (Pillow's `ksize`).
    let taps: Int
    /// First source index each output reads.
    let starts: [Int32]
    /// Number of source indices each output reads.
    let counts: [Int32]
    /// `count × taps` weights in 2^22 fixed point.
    let weights: [Int32]

    /// Precision of the fixed-point weights (Pillow's `PRECISION_BITS`).
    static let precisionBits = 22

    /// Taps for `outputs` of an axis resampling source edges `in0 ..< in1` of `inSize` pixels to `outSize`.
    init(inSize: Int, in0: Float, in1: Float, outSize: Int, outputs: Range<Int>, filter: ResampleFilter) {
        let scale = Double(in1 - in0) / Double(outSize)
        let filterScale = max(scale, 1)
        let support = filter.support * filterScale
        let taps = Int(support.rounded(.up)) * 2 + 1
        let inverseFilterScale = 1 / filterScale
        var starts = [Int32](repeating: 0, count: outputs.count)
        var counts = [Int32](repeating: 0, count: outputs.count)
        var weights = [Int32](repeating: 0, count: outputs.count * taps)
        var kernel = [Double](repeating: 0, count: taps)
        let one = Double(1 << Self.precisionBits)
        for (slot, index) in outputs.enumerated() {
            let center = Double(in0) + (Double(index) + 0.5) * scale
            let first = max(Self.truncate(center - support + 0.5), 0)
            let end = min(Self.truncate(center + support + 0.5), inSize)
            let used = min(max(end - first, 0), taps)
            var sum = 0.0
            for t in 0..<used {
                let w = filter.weight((Double(t + first) - center + 0.5) * inverseFilterScale)
                kernel[t] = w
                sum += w
            }
            for t in 0..<used {
                let w = sum != 0 ? kernel[t] / sum : kernel[t]
                weights[slot * taps + t] = Int32(truncatingIfNeeded: Self.truncate(w < 0 ? -0.5 + w * one : 0.5 + w * one))
            }
            starts[slot] = Int32(truncatingIfNeeded: first)
            counts[slot] = Int32(truncatingIfNeeded: used)
        }
        self.init(count: outputs.count, taps: taps, starts: starts, counts: counts, weights: weights)
    }

    private init(count: Int, taps: Int, starts: [Int32], counts: [Int32], weights: [Int32]) {
        self.count = count
        self.taps = taps
        self.starts = starts
        self.counts = counts
        self.weights = weights
    }

    /// C's `(int)` conversion: truncation toward zero (saturating where C is undefined).
    private static func truncate(_ v: Double) -> Int {
        if v.isNaN { return 0 }
        if v >= 2_147_483_647 { return 2_147_483_647 }
        if v <= -2_147_483_648 { return -2_147_483_648 }
        return Int(v)
    }

    /// The source indices the outputs read, from the first output's first tap to the last
    /// output's last (Pillow's `ybox_first ..< ybox_last`; taps move monotonically).
    var sourceRange: Range<Int> {
        guard count > 0 else { return 0..<0 }
        var lower = Int.max, upper = Int.min
        for i in 0..<count where counts[i] > 0 {
            lower = min(lower, Int(starts[i]))
            upper = max(upper, Int(starts[i]) + Int(counts[i]))
        }
        return lower <= upper ? lower..<upper : 0..<0
    }

    /// The same taps reading source index `start + delta` instead of `start`.
    func shifted(by delta: Int) -> ResampleCoefficients {
        ResampleCoefficients(count: count, taps: taps, starts: starts.map { $0 &+ Int32(truncatingIfNeeded: delta) },
                             counts: counts, weights: weights)
    }

    private struct Key: Hashable {
        var inSize: Int
        var in0: UInt32
        var in1: UInt32
        var outSize: Int
        var outputs: Range<Int>
        var filter: ResampleFilter
    }

    /// Coefficient sets kept for reuse: a sweep resizes hundreds of same-size variants.
    private static let cache = Mutex<[Key: ResampleCoefficients]>([:])
    private static let cacheCapacity = 64

    /// The coefficients, computed once per (sizes, box edges, output range, filter) while cached.
    static func cached(inSize: Int, in0: Float, in1: Float, outSize: Int, outputs: Range<Int>,
                       filter: ResampleFilter) -> ResampleCoefficients {
        let key = Key(inSize: inSize, in0: in0.bitPattern, in1: in1.bitPattern, outSize: outSize, outputs: outputs, filter: filter)
        if let hit = cache.withLock({ $0[key] }) { return hit }
        let computed = ResampleCoefficients(inSize: inSize, in0: in0, in1: in1, outSize: outSize, outputs: outputs, filter: filter)
        cache.withLock { table in
            if table.count >= cacheCapacity { table.removeAll(keepingCapacity: true) }
            table[key] = computed
        }
        return computed
    }
}
