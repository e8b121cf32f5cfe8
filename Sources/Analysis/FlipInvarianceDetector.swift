import Tensors

/// The mirror similarities of one flip axis.
public struct MirrorSimilarities: Codable, Sendable, Equatable {
    /// `horizontal` (left–right mirror) or `vertical` (top–bottom mirror).
    public var axis: String
    /// Cosine of each variant with its mirror (raw).
    public var similarities: [Double]
    /// The same in normalised units.
    public var normalized: [Double]
}

/// The result of `FlipInvarianceDetector.detect`.
public struct FlipInvarianceResult: DetectorResult, Codable, Equatable {
    /// Headline: invariant to at least one flip (Bonferroni over the axes given).
    public var finding: Finding
    /// One finding per axis given (`horizontal`, `vertical`).
    public var components: [Finding]
    /// Per-variant mirror similarities, per axis.
    public var axes: [MirrorSimilarities]
}

/// Measures flip invariance from explicit mirror variants: the similarity of each variant with
/// its horizontal and its vertical mirror.
///
/// **Statistic.** Per axis, the mean cosine between each variant and its mirror (`score`, raw)
/// and the same in normalised units (`effect`): 1 = the mirror is identical to the model,
/// 0 = as similar as an unrelated image.
///
/// **Null model.** "The mirror is like an unrelated image": the mean mirror similarity is
/// compared with the distribution of cosines between different source images (the baseline's
/// mean and standard deviation over its pairs) by a one-sided t prediction test. Without a
/// calibrated baseline (fewer than two unrelated pairs, or zero spread) there is no p-value and
/// no verdict.
///
/// **Floor and verdict.** Invariance is a strong claim, so the effect floor is high: the mean
/// normalised mirror similarity must be ≥ 0.9 (the mirror is at least 90% of the way from an
/// unrelated image to an identical one). Detected (= flip-invariant on that axis) when
/// p ≤ α / axes (α = 0.01) and effect ≥ 0.9. With two or more variants a seeded percentile
/// bootstrap over variants gives a 95% interval for the effect.
public enum FlipInvarianceDetector {
    /// Thresholds of the verdict.
    public struct Configuration: Sendable, Equatable {
        /// Overall significance level, split over the axes given.
        public var alpha: Double = 0.01
        /// Minimum mean normalised mirror similarity to call the encoder invariant.
        public var invarianceFloor: Double = 0.9
        /// Bootstrap resamples for the interval.
        public var bootstrapResamples: Int = 2000
        /// Seed of the bootstrap.
        public var seed: UInt64 = 20_240_601
        /// The defaults documented on each property.
        public init() {}
    }

    static let nullModel = "mirror like an unrelated image: t prediction test against the baseline's cross-image cosines"

    /// Runs the detector. Row i of `horizontal` / `vertical` is the mirror of row i of `originals`;
    /// pass nil for an axis that was not swept.
    ///
    /// - Throws: `AnalysisError.invalidInput` when no axis is given, the shapes differ, or there
    ///   are no variants.
    public static func detect(originals: Matrix, horizontal: Matrix?, vertical: Matrix?, baseline: UnrelatedBaseline,
                              configuration: Configuration = Configuration()) throws(AnalysisError) -> FlipInvarianceResult {
        let given = [("horizontal", horizontal), ("vertical", vertical)].compactMap { item in item.1.map { (item.0, $0) } }
        guard !given.isEmpty else {
            throw AnalysisError(.invalidInput, "no mirror variants: give horizontal and/or vertical mirrors", location: "flip axes")
        }
        guard originals.rows > 0 else {
            throw AnalysisError(.invalidInput, "no variants to compare with their mirrors", location: "originals")
        }
        for (name, mirrors) in given where mirrors.rows != originals.rows || mirrors.columns != originals.columns {
            throw AnalysisError(.invalidInput,
                                "\(name) mirrors are \(mirrors.rows)×\(mirrors.columns) but the variants are \(originals.rows)×\(originals.columns)",
                                location: "\(name) mirrors")
        }
        let unitOriginals = Similarity.unitRows(originals, label: "flip variants")
        let componentAlpha = configuration.alpha / Double(given.count)
        var components: [Finding] = []
        var axes: [MirrorSimilarities] = []
        for (index, (name, mirrors)) in given.enumerated() {
            let unitMirrors = Similarity.unitRows(mirrors, label: "\(name) mirrors")
            let similarities = rowwiseCosine(unitOriginals, unitMirrors)
            let normalized = similarities.map { baseline.normalize($0) }
            axes.append(MirrorSimilarities(axis: name, similarities: similarities, normalized: normalized))
            let score = Statistics.mean(similarities)
            let effect = Statistics.mean(normalized)
            var warnings = unitOriginals.warnings + unitMirrors.warnings
            let p = pValue(score: score, baseline: baseline)
            if p == nil {
                warnings.append(AnalysisWarning(
                    code: "no-baseline-spread",
                    message: "the baseline has \(baseline.pairCount) unrelated pairs and spread \(baseline.standardDeviation): no p-value, no verdict; add unrelated images"))
            }
            var ci: [Double]? = nil
            if normalized.count >= 2 {
                ci = Bootstrap.percentileInterval(normalized, level: 0.95, resamples: configuration.bootstrapResamples,
                                                  seed: configuration.seed &+ UInt64(index)) { Statistics.mean($0) }
            }
            components.append(Finding(
                detector: .flipExplicit, component: name,
                detected: (p ?? 1) <= componentAlpha && p != nil && effect >= configuration.invarianceFloor,
                score: score, effect: effect, pValue: p, ci: ci, ciLevel: ci == nil ? nil : 0.95,
                statistic: "mean cosine of each variant with its \(name) mirror (raw); effect = normalised, 1 = invariant; ci for the effect",
                thresholds: Thresholds(alpha: componentAlpha, comparisons: given.count, effectFloor: configuration.invarianceFloor),
                nullModel: nullModel, baseline: baseline.reference, warnings: warnings))
        }
        let headline = combine(components, detector: .flipExplicit, alpha: configuration.alpha,
                               effectFloor: configuration.invarianceFloor, nullModel: nullModel,
                               statistic: "mean mirror similarity of the most invariant axis (raw cosine)",
                               baseline: baseline, extraWarnings: [])
        return FlipInvarianceResult(finding: headline, components: components, axes: axes)
    }

    /// One-sided p-value of `score` under the unrelated-pairs distribution (nil if uncalibrated).
    static func pValue(score: Double, baseline: UnrelatedBaseline) -> Double? {
        guard baseline.pairCount >= 2, baseline.standardDeviation > 0 else { return nil }
        let pairs = Double(baseline.pairCount)
        let t = (score - baseline.mean) / (baseline.standardDeviation * (1 + 1 / pairs).squareRoot())
        return Statistics.studentTUpperTail(t, degreesOfFreedom: pairs - 1)
    }

    /// Cosine of row i of `a` with row i of `b`, with the degenerate-row rule.
    static func rowwiseCosine(_ a: UnitEmbeddings, _ b: UnitEmbeddings) -> [Double] {
        let d = a.matrix.columns
        return (0..<a.matrix.rows).map { i in
            if a.isDegenerate[i] || b.isDegenerate[i] { return (a.isDegenerate[i] && b.isDegenerate[i]) ? 1 : 0 }
            var dot = 0.0
            for j in 0..<d { dot += Double(a.matrix.values[i * d + j]) * Double(b.matrix.values[i * d + j]) }
            return min(1, max(-1, dot))
        }
    }
}
