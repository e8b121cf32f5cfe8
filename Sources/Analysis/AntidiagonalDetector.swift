import Tensors

/// The result of `AntidiagonalDetector.detect`.
public struct AntidiagonalResult: DetectorResult, Codable, Equatable {
    /// Headline: a bright mirror axis at θi + θj ≡ 0° or ≡ 180° (Bonferroni over the two).
    public var finding: Finding
    /// `axis_0` then `axis_180`.
    public var components: [Finding]
    /// For each axis s = 0..<N, the angle sum θi + θj ≡ 360°·s/N its pairs share (degrees).
    public var axisSumDegrees: [Double]
    /// Median over each axis's pairs of S − D(angular difference) (raw cosine): the profile over
    /// all axes.
    public var axisProfile: [Double]
    /// `axisProfile` minus its local quadratic trend from the flanks (the tested statistic).
    public var axisExcess: [Double]
    /// Half-width (steps) of the ridge excluded from each axis's flanks.
    public var ridgeHalfWidth: Int

    enum CodingKeys: String, CodingKey {
        case finding, components
        case axisSumDegrees = "axis_sum_degrees"
        case axisProfile = "axis_profile"
        case axisExcess = "axis_excess"
        case ridgeHalfWidth = "ridge_half_width"
    }
}

/// Detects the bright anti-diagonal of a rotation sweep: variants at +θ and −θ looking alike.
///
/// Since rotate(−θ, x) = flip(rotate(θ, flip(x))), the anti-diagonal needs a flip-invariant
/// encoder and an image that looks like its mirror. With circular indexing the exact ±θ partner
/// of index i is (N − i) mod N: the pairs with θi + θj ≡ 0°. Pairs with θi + θj ≡ 180° form the
/// other mirror axis (a vertical mirror). Both are tested; every axis s (θi + θj ≡ 360°·s/N) is
/// profiled.
///
/// **Statistic.** For each axis, the median over its pairs (diagonal excluded) of
/// R = S − D(θj − θi): each pair is compared with what the same angular difference gives on
/// average in the whole matrix. The axis profile is then detrended: its value minus the
/// intercept of a quadratic fitted to the flanks at offsets w+1…w+W on both sides (w = half-width
/// of the diagonal's peak, W = max(3, N/10)), which removes smooth per-angle structure
/// (a product form g(θi)g(θj) varies smoothly across axes).
///
/// **Null model.** Without mirror symmetry, the tested axis is exchangeable with every other
/// axis. A broad ridge is flat-topped, so noise can put its maximum one axis off the mirror axis;
/// the rank statistic is therefore the largest excess within ±1 axis, compared with the same
/// statistic of every axis more than one step away: p = (1 + #{such axes with a statistic ≥
/// the tested one}) / (1 + their number) (a rank test; resolution 1/(N − 2), so with N = 100
/// no p below 0.0102). The two axes split α = 0.05 (0.025 each); a sweep with fewer than
/// 42 angles can never reach it, and the finding says so.
///
/// **Effect and floor.** The excess in normalised units, `excess / (1 − s_unrelated)`; it must
/// be ≥ 0.05: a one-pixel-wide line in a heatmap needs a contrast of at least 5% of the range
/// between unrelated and identical images to stand out (a broad lattice is visible at lower
/// contrast, which is why the periodicity floor is lower).
public enum AntidiagonalDetector {
    /// Thresholds of the verdict.
    public struct Configuration: Sendable, Equatable {
        /// Overall significance level, split over the two axes.
        public var alpha: Double = 0.05
        /// Minimum normalised excess of the axis.
        public var effectFloor: Double = 0.05
        /// The defaults documented on each property.
        public init() {}
    }

    static let nullModel = "no mirror symmetry: the tested axis is exchangeable with the other axes θi+θj ≡ const (rank test over N axes, detrended)"

    /// Runs the detector on the N × N cosine matrix of a rotation sweep.
    ///
    /// - Throws: `AnalysisError.invalidInput` for a matrix that does not fit the sweep or holds
    ///   non-finite values.
    public static func detect(similarities: Matrix, sweep: RotationSweep, baseline: UnrelatedBaseline,
                              configuration: Configuration = Configuration()) throws(AnalysisError) -> AntidiagonalResult {
        let views = try RotationDecomposition(similarities, sweep: sweep)
        let n = views.count
        let profile = axisProfile(views.residual, n: n)
        let halfWidth = RotationProfiles.peakHalfWidth(views.difference)
        let excess = detrended(profile, halfWidth: halfWidth, flank: max(3, n / 10))
        let componentAlpha = configuration.alpha / 2
        let resolution = 1 / Double(n - 2)
        var warnings: [AnalysisWarning] = []
        if resolution > componentAlpha {
            warnings.append(AnalysisWarning(
                code: "coarse-null",
                message: "with \(n) angles the axis rank test cannot go below p = \(resolution) > \(componentAlpha); use a finer sweep"))
        }
        let thresholds = Thresholds(alpha: componentAlpha, comparisons: 2, effectFloor: configuration.effectFloor,
                                    pValueResolution: resolution)
        let peakTolerance = 1
        let windowed = windowMaximum(excess, radius: peakTolerance)
        let components = [(name: "axis_0", axis: 0, angle: 0.0), (name: "axis_180", axis: n / 2, angle: 180.0)].map { item in
            let value = excess[item.axis]
            let peak = windowed[item.axis]
            var atLeast = 0, compared = 0
            for other in 0..<n where circularDistance(other, item.axis, n) > peakTolerance {
                compared += 1
                if windowed[other] >= peak { atLeast += 1 }
            }
            let p = Double(1 + atLeast) / Double(1 + compared)
            let effect = baseline.normalizeDifference(value)
            return Finding(detector: .antidiagonal, component: item.name,
                           detected: p <= componentAlpha && effect >= configuration.effectFloor,
                           score: value, effect: effect, pValue: p,
                           value: item.angle, unit: "degrees",
                           statistic: "median excess of the pairs with θi+θj ≡ \(item.name == "axis_0" ? "0" : "180")° over the same angular differences elsewhere, detrended across axes (raw cosine); value = θi+θj in degrees",
                           thresholds: thresholds, nullModel: nullModel, baseline: baseline.reference, warnings: warnings)
        }
        let headline = combine(components, detector: .antidiagonal, alpha: configuration.alpha,
                               effectFloor: configuration.effectFloor, nullModel: nullModel,
                               statistic: "largest detrended axis excess of the two mirror axes (raw cosine)",
                               baseline: baseline, extraWarnings: warnings)
        return AntidiagonalResult(finding: headline, components: components,
                                  axisSumDegrees: (0..<n).map { Double($0) * 360 / Double(n) },
                                  axisProfile: profile, axisExcess: excess, ridgeHalfWidth: halfWidth)
    }

    /// For each axis s, the median of R over the pairs (i, (s − i) mod N) with i ≠ j.
    static func axisProfile(_ r: [Double], n: Int) -> [Double] {
        var profile = [Double](repeating: 0, count: n)
        var values: [Double] = []
        values.reserveCapacity(n)
        for s in 0..<n {
            values.removeAll(keepingCapacity: true)
            for i in 0..<n {
                let j = RotationProfiles.circular(s - i, n)
                if j != i { values.append(r[i * n + j]) }
            }
            values.sort()
            profile[s] = Statistics.quantile(sorted: values, 0.5)
        }
        return profile
    }

    /// The largest value within `radius` positions (circular) of each position.
    static func windowMaximum(_ values: [Double], radius: Int) -> [Double] {
        let n = values.count
        return (0..<n).map { s in
            (-radius...radius).map { values[RotationProfiles.circular(s + $0, n)] }.max() ?? values[s]
        }
    }

    /// Distance between two positions on a circle of `n`.
    static func circularDistance(_ a: Int, _ b: Int, _ n: Int) -> Int {
        let d = abs(a - b) % n
        return min(d, n - d)
    }

    /// Each value minus the intercept of a least-squares quadratic through its flanks at offsets
    /// ±(halfWidth+1 … halfWidth+flank) (circular).
    static func detrended(_ profile: [Double], halfWidth: Int, flank: Int) -> [Double] {
        let n = profile.count
        let offsets = Array((-(halfWidth + flank))...(-(halfWidth + 1))) + Array((halfWidth + 1)...(halfWidth + flank))
        let weights = interceptWeights(offsets.map(Double.init))
        return (0..<n).map { s in
            var trend = 0.0
            for (offset, weight) in zip(offsets, weights) { trend += weight * profile[RotationProfiles.circular(s + offset, n)] }
            return profile[s] - trend
        }
    }

    /// Weights w such that Σ wₖ yₖ is the value at 0 of the least-squares quadratic through
    /// the points (xₖ, yₖ): the first row of (XᵀX)⁻¹Xᵀ for X = [1, x, x²].
    static func interceptWeights(_ x: [Double]) -> [Double] {
        var m = [[Double]](repeating: [Double](repeating: 0, count: 3), count: 3)
        for value in x {
            let powers = [1, value, value * value]
            for a in 0..<3 { for b in 0..<3 { m[a][b] += powers[a] * powers[b] } }
        }
        // Solve m · c = e₀ for the first row of the inverse (m is symmetric positive definite).
        let inverseRow = solve3(m, [1, 0, 0])
        return x.map { inverseRow[0] + inverseRow[1] * $0 + inverseRow[2] * $0 * $0 }
    }

    /// Solves a 3 × 3 linear system by Gaussian elimination with partial pivoting.
    static func solve3(_ a: [[Double]], _ b: [Double]) -> [Double] {
        var m = a
        var r = b
        for col in 0..<3 {
            var pivot = col
            for row in (col + 1)..<3 where abs(m[row][col]) > abs(m[pivot][col]) { pivot = row }
            m.swapAt(col, pivot)
            r.swapAt(col, pivot)
            let p = m[col][col]
            guard abs(p) > 1e-300 else { return [0, 0, 0] }
            for row in (col + 1)..<3 {
                let factor = m[row][col] / p
                for k in col..<3 { m[row][k] -= factor * m[col][k] }
                r[row] -= factor * r[col]
            }
        }
        var x = [0.0, 0.0, 0.0]
        for row in stride(from: 2, through: 0, by: -1) {
            var sum = r[row]
            for k in (row + 1)..<3 { sum -= m[row][k] * x[k] }
            x[row] = sum / m[row][row]
        }
        return x
    }
}
