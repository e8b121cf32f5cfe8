import Tensors

/// A local maximum of the difference profile near a multiple of 90°.
public struct ProfilePeak: Codable, Sendable, Equatable {
    /// The multiple of 90° searched around (90, 180 or 270).
    public var targetDegrees: Double
    /// Where the maximum within ±N/16 steps of the target lies (degrees).
    public var angleDegrees: Double
    /// D at that angle (raw cosine).
    public var value: Double
    /// D there minus the mean of D 45° to either side (raw cosine; > 0 is a bump).
    public var prominence: Double
    /// Whether the maximum is a strict local maximum of D (higher than both neighbours).
    public var isLocalMaximum: Bool

    enum CodingKeys: String, CodingKey {
        case targetDegrees = "target_degrees"
        case angleDegrees = "angle_degrees"
        case value, prominence
        case isLocalMaximum = "is_local_maximum"
    }
}

/// The four-fold spectral test on one profile, as reported.
public struct FourFoldComponent: Codable, Sendable, Equatable {
    /// Amplitudes of harmonics 0…12 of the profile (profile units).
    public var harmonicAmplitudes: [Double]
    /// The envelope harmonic 4 was compared with (profile units).
    public var envelope: Double
    /// Estimated irregularity of the spectrum (relative); part of the null's spread.
    public var irregularity: Double
    /// Noise σ of one amplitude (profile units).
    public var noise: Double
    /// Degrees of freedom of the t reference.
    public var references: Int
    /// Where the four-fold component peaks, in [0, 90) degrees.
    public var maximaOffsetDegrees: Double

    init(_ test: FourFoldTest) {
        harmonicAmplitudes = test.amplitudes
        envelope = test.envelope
        irregularity = test.irregularity
        noise = test.noise
        references = test.references
        maximaOffsetDegrees = test.maximaOffsetDegrees
    }

    enum CodingKeys: String, CodingKey {
        case harmonicAmplitudes = "harmonic_amplitudes"
        case envelope, irregularity, noise, references
        case maximaOffsetDegrees = "maxima_offset_degrees"
    }
}

/// The result of `PeriodicityDetector.detect`.
public struct PeriodicityResult: DetectorResult, Codable, Equatable {
    /// Headline: four-fold periodicity in either profile (Bonferroni over the two).
    public var finding: Finding
    /// `difference_profile` then `angle_profile`.
    public var components: [Finding]
    /// D(d): mean similarity against angular difference d·360°/N, d = 0..<N (raw cosine).
    public var differenceProfile: [Double]
    /// The per-angle factor profiles tested (the four leading eigenvectors of the residual,
    /// scaled by √|eigenvalue|, canonical angle order).
    public var angleProfiles: [[Double]]
    /// Spectral details of the difference profile's test.
    public var differenceSpectrum: FourFoldComponent
    /// Spectral details of the per-angle profile that gave the smaller p-value.
    public var angleSpectrum: FourFoldComponent
    /// Local maxima of D near 90°, 180° and 270° (descriptive; not part of the verdict).
    public var peaks: [ProfilePeak]

    enum CodingKeys: String, CodingKey {
        case finding, components
        case differenceProfile = "difference_profile"
        case angleProfiles = "angle_profiles"
        case differenceSpectrum = "difference_spectrum"
        case angleSpectrum = "angle_spectrum"
        case peaks
    }
}

/// Detects 90° periodicity (the checkerboard) in a rotation sweep's similarity matrix.
///
/// **Two views of the matrix.** (1) The *difference profile* D(d), the mean similarity of all
/// pairs whose angles differ by d: a model that treats rotations by 90° alike has maxima at
/// 90°, 180°, 270°. (2) The *per-angle profile*: the matrix minus its dependence on the angular
/// difference, R = S − D(j − i), has its per-angle (product-form) structure in its leading
/// eigenvectors; the black corners of a same-canvas rotation (area ∝ |sin 2θ|) and a CNN's
/// lattice of bright cells near 0°, 90°, 180°, 270° appear there with a period of 90° in the
/// absolute angle. Eigenvectors are used rather than row means because row means square the
/// per-angle factor, which turns a 180° pattern into a spurious 90° one. The four leading
/// eigenvectors (by |eigenvalue|) are tested and the smallest p-value is multiplied by four
/// (the cosine normalisation modulates the dominant rotation harmonics per angle, and those
/// modulations can outrank a weaker lattice).
///
/// **Statistic, null and thresholds.** Each profile gets `FourFoldTest`: the excess of
/// harmonic 4 over the envelope of its neighbouring harmonics, judged against the irregularity
/// of the neighbouring harmonics and the high-harmonic noise (a smooth, non-periodic response,
/// with or without 180° symmetry, has no such excess). The effect is the excess amplitude in
/// normalised units: for D, `E / (1 − s_unrelated)`; for the per-angle profile, E times the
/// profile's amplitude √2·rms, i.e. the four-fold modulation it adds to the matrix, divided by
/// `1 − s_unrelated`. A component is detected when p ≤ α/2 (α = 0.01, two components) **and**
/// effect ≥ 0.01: a four-fold swing of ±1% of the distance between an unrelated and an
/// identical image (peak to trough 2%) is at the limit of what a heatmap shows, and a pattern
/// can be exactly periodic yet negligible (a rotation-blind encoder on a circular-mask sweep is
/// 90°-periodic to rounding). The headline p-value is 2 × the smaller component p-value.
public enum PeriodicityDetector {
    /// Thresholds of the verdict.
    public struct Configuration: Sendable, Equatable {
        /// Overall significance level, split over the two components.
        public var alpha: Double = 0.01
        /// Minimum normalised four-fold amplitude.
        public var effectFloor: Double = 0.01
        /// Excess amplitudes at or below this (raw cosine units) are not resolvable (p = 1).
        public var resolution: Double = 1e-5
        /// Number of leading residual eigenvectors tested as per-angle profiles.
        public var angleProfileCount: Int = 4
        /// The defaults documented on each property.
        public init() {}
    }

    static let nullModel = "smooth non-periodic response: harmonic 4 judged against the envelope and irregularity of harmonics 2-11 plus high-harmonic noise (Student t)"

    /// Runs the detector on the N × N cosine matrix of a rotation sweep (variants in the order of
    /// `sweep`'s angles).
    ///
    /// - Throws: `AnalysisError.invalidInput` for a matrix that does not fit the sweep or holds
    ///   non-finite values.
    public static func detect(similarities: Matrix, sweep: RotationSweep, baseline: UnrelatedBaseline,
                              configuration: Configuration = Configuration()) throws(AnalysisError) -> PeriodicityResult {
        let views = try RotationDecomposition(similarities, sweep: sweep)
        let n = views.count, difference = views.difference
        let componentAlpha = configuration.alpha / 2
        let thresholds = Thresholds(alpha: componentAlpha, comparisons: 2, effectFloor: configuration.effectFloor)
        let differenceTest = FourFoldTest(profile: difference, unitScale: 1, resolution: configuration.resolution)
        let differenceEffect = baseline.normalizeDifference(differenceTest.excess)
        let differenceFinding = Finding(
            detector: .periodicity90, component: "difference_profile",
            detected: differenceTest.pValue <= componentAlpha && differenceEffect >= configuration.effectFloor,
            score: differenceTest.excess, effect: differenceEffect, pValue: differenceTest.pValue,
            value: 90, unit: "degrees",
            statistic: "excess amplitude of harmonic 4 of the similarity-vs-angular-difference profile over its neighbour envelope (raw cosine)",
            thresholds: thresholds, nullModel: nullModel, baseline: baseline.reference)

        var residualMatrix = Matrix(rows: n, columns: n)
        for index in 0..<(n * n) { residualMatrix.values[index] = Float(views.residual[index]) }
        let pairs = SymmetricEigen.dominant(residualMatrix, count: max(1, configuration.angleProfileCount))
        var best: (test: FourFoldTest, p: Double)? = nil
        var profiles: [[Double]] = []
        for pair in pairs {
            let scale = abs(pair.value).squareRoot()
            let profile = pair.vector.map { $0 * scale }
            profiles.append(profile)
            let rms = (profile.reduce(0) { $0 + $1 * $1 } / Double(n)).squareRoot()
            let test = FourFoldTest(profile: profile, unitScale: 2.0.squareRoot() * rms, resolution: configuration.resolution)
            let p = min(1, test.pValue * Double(pairs.count))
            if let current = best, p > current.p || (p == current.p && test.excess <= current.test.excess) { continue }
            best = (test, p)
        }
        let angleTest = best?.test ?? FourFoldTest(profile: [Double](repeating: 0, count: n))
        let angleP = best?.p ?? 1
        let angleEffect = baseline.normalizeDifference(angleTest.excess)
        let angleFinding = Finding(
            detector: .periodicity90, component: "angle_profile",
            detected: angleP <= componentAlpha && angleEffect >= configuration.effectFloor,
            score: angleTest.excess, effect: angleEffect, pValue: angleP,
            value: angleTest.maximaOffsetDegrees, unit: "degrees",
            statistic: "excess four-fold modulation of the per-angle (product-form) structure over its neighbour envelope (raw cosine); value = angle of its maxima modulo 90°",
            thresholds: thresholds, nullModel: nullModel, baseline: baseline.reference)

        let components = [differenceFinding, angleFinding]
        let headline = combine(components, detector: .periodicity90, alpha: configuration.alpha,
                               effectFloor: configuration.effectFloor, nullModel: nullModel,
                               statistic: "largest four-fold excess of the two profiles (raw cosine)",
                               baseline: baseline, extraWarnings: [])
        return PeriodicityResult(finding: headline, components: components, differenceProfile: difference,
                                 angleProfiles: profiles, differenceSpectrum: FourFoldComponent(differenceTest),
                                 angleSpectrum: FourFoldComponent(angleTest), peaks: peaks(difference, sweep: sweep))
    }

    /// Local maxima of D near 90°, 180° and 270°.
    static func peaks(_ d: [Double], sweep: RotationSweep) -> [ProfilePeak] {
        let n = d.count
        let window = max(1, n / 16)
        let eighth = max(1, n / 8)
        return [1, 2, 3].map { quarter in
            let target = Int((Double(quarter * n) / 4).rounded())
            var bestIndex = target % n
            for offset in -window...window {
                let index = RotationProfiles.circular(target + offset, n)
                if d[index] > d[bestIndex] { bestIndex = index }
            }
            let left = d[RotationProfiles.circular(bestIndex - eighth, n)], right = d[RotationProfiles.circular(bestIndex + eighth, n)]
            let before = d[RotationProfiles.circular(bestIndex - 1, n)], after = d[RotationProfiles.circular(bestIndex + 1, n)]
            return ProfilePeak(targetDegrees: Double(quarter) * 90, angleDegrees: sweep.angleDegrees(bestIndex),
                               value: d[bestIndex], prominence: d[bestIndex] - 0.5 * (left + right),
                               isLocalMaximum: d[bestIndex] > before && d[bestIndex] > after)
        }
    }
}
