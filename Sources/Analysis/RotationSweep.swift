import Tensors

/// The parameter axis of a full-circle rotation sweep: N angles equally spaced by 360°/N.
///
/// The angles may come in any order and any representation modulo 360° (e.g. −180…180); each
/// must lie within `tolerance` degrees of a multiple of 360°/N, and every multiple must occur once.
/// Index k of the canonical order is the angle 360°·k/N, so with circular indexing the exact ±θ
/// partner of k is (N − k) mod N.
public struct RotationSweep: Sendable, Equatable {
    /// Number of angles N.
    public let count: Int
    /// `canonicalIndex[i]` is the grid index k (angle 360°·k/N) of the i-th given variant.
    public let canonicalIndex: [Int]
    /// The angle step 360°/N in degrees.
    public var stepDegrees: Double { 360 / Double(count) }

    /// The fewest angles the rotation detectors accept (the spectral test needs harmonics up to 12
    /// and a band of higher ones for the noise estimate).
    public static let minimumCount = 32

    /// The most angles the rotation detectors accept (their cost grows as N³ for the eigen-profiles).
    public static let maximumCount = 4096

    /// Validates `anglesDegrees` (one per variant, in the order of the similarity matrix).
    ///
    /// - Throws: `AnalysisError.invalidInput` naming the first angle that is off the grid or
    ///   repeated, or when there are fewer than `minimumCount` or more than `maximumCount` angles.
    public init(anglesDegrees: [Double], tolerance: Double = 1e-3) throws(AnalysisError) {
        let n = anglesDegrees.count
        guard n >= Self.minimumCount else {
            throw AnalysisError(.invalidInput,
                                "a rotation sweep needs at least \(Self.minimumCount) equally spaced angles over 360°, got \(n)",
                                location: "angles")
        }
        guard n <= Self.maximumCount else {
            throw AnalysisError(.invalidInput,
                                "a rotation sweep of \(n) angles is more than the detectors accept (\(Self.maximumCount))",
                                location: "angles")
        }
        let step = 360 / Double(n)
        var seen = [Int?](repeating: nil, count: n)
        var index = [Int](repeating: 0, count: n)
        for (i, angle) in anglesDegrees.enumerated() {
            guard angle.isFinite else {
                throw AnalysisError(.invalidInput, "angle \(i) is not a finite number", location: "angles[\(i)]")
            }
            var wrapped = angle.truncatingRemainder(dividingBy: 360)
            if wrapped < 0 { wrapped += 360 }
            let position = wrapped / step
            let k = Int(position.rounded()) % n
            let offset = abs(position - position.rounded()) * step
            guard offset <= tolerance else {
                throw AnalysisError(.invalidInput,
                                    "angle \(angle)° is not a multiple of 360°/\(n) = \(step)°; the rotation detectors need N equally spaced angles over the full circle",
                                    location: "angles[\(i)]")
            }
            if let previous = seen[k] {
                throw AnalysisError(.invalidInput,
                                    "angles \(previous) and \(i) are the same grid angle \(Double(k) * step)°",
                                    location: "angles[\(i)]")
            }
            seen[k] = i
            index[i] = k
        }
        count = n
        canonicalIndex = index
    }

    /// The angle of grid index k in degrees.
    public func angleDegrees(_ k: Int) -> Double { Double(k) * stepDegrees }

    /// The similarity matrix reordered to canonical angle order and symmetrised, in Double.
    func canonical(_ similarities: Matrix) throws(AnalysisError) -> [Double] {
        try similarities.requireSquare("rotation similarity matrix", size: count)
        try similarities.requireFinite("rotation similarity matrix")
        let symmetric = similarities.symmetrizedDoubles()
        let n = count
        var result = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0..<n {
                result[canonicalIndex[i] * n + canonicalIndex[j]] = symmetric[i * n + j]
            }
        }
        return result
    }
}

/// The two views of a rotation sweep's similarity matrix that the rotation detectors test: the
/// dependence on the angular difference and what remains after removing it.
struct RotationDecomposition {
    /// Number of angles N.
    let count: Int
    /// D(d): mean similarity of all pairs whose angles differ by d steps, d = 0..<N (raw cosine).
    let difference: [Double]
    /// R = S − D(j − i), row-major N × N in canonical angle order (raw cosine).
    let residual: [Double]

    /// Reorders `similarities` to `sweep`'s canonical angle order, symmetrises it and splits it.
    ///
    /// - Throws: `AnalysisError.invalidInput` for a matrix that does not fit the sweep or holds
    ///   non-finite values.
    init(_ similarities: Matrix, sweep: RotationSweep) throws(AnalysisError) {
        let n = sweep.count
        let s = try sweep.canonical(similarities)
        count = n
        difference = RotationProfiles.difference(s, n: n)
        residual = RotationProfiles.residual(s, difference: difference, n: n)
    }
}

/// Profiles of a canonical N × N rotation similarity matrix (row-major Double).
enum RotationProfiles {
    /// `index` wrapped onto a circle of `n` positions: in 0..<n for any integer, negative included.
    static func circular(_ index: Int, _ n: Int) -> Int {
        (index % n + n) % n
    }

    /// D(d): mean similarity of all pairs whose angles differ by d steps, d = 0..<N.
    static func difference(_ s: [Double], n: Int) -> [Double] {
        var profile = [Double](repeating: 0, count: n)
        for d in 0..<n {
            var sum = 0.0
            for i in 0..<n { sum += s[i * n + (i + d) % n] }
            profile[d] = sum / Double(n)
        }
        return profile
    }

    /// R = S − D(j − i): what remains after removing the dependence on the angular difference.
    static func residual(_ s: [Double], difference: [Double], n: Int) -> [Double] {
        var r = s
        for i in 0..<n {
            for j in 0..<n {
                var d = j - i
                if d < 0 { d += n }
                r[i * n + j] -= difference[d]
            }
        }
        return r
    }

    /// The half-width (in steps) of the central peak of D: the first d ≥ 1 where D falls to
    /// halfway between D(0) and the median of D, clamped to [1, N/8].
    static func peakHalfWidth(_ difference: [Double]) -> Int {
        let n = difference.count
        let half = 0.5 * (difference[0] + Statistics.median(difference))
        var width = n / 8
        for d in 1..<max(2, n / 2) where difference[d] <= half {
            width = d
            break
        }
        return min(max(1, width), max(1, n / 8))
    }
}
