import Foundation

/// The spectral test for a four-fold (90°-periodic) component in one circular profile.
///
/// **Statistic.** The excess of harmonic 4 over the envelope its neighbours predict:
/// `E = A₄ − max(√(A₃A₅), (A₂ + A₆)/2)`. The geometric mean of the odd neighbours is what a
/// smooth, non-periodic response has at k = 4 (exact for exponential spectral decay); the chord
/// through the even neighbours guards against 180° (two-fold) shapes, whose even harmonics are
/// log-concave and lie below that chord.
///
/// **Null model (smooth, non-periodic response).** The interpolation `√(A_{k−1}A_{k+1})` is
/// applied to the neighbouring harmonics k ∈ {2, 3, 5, 6, 7, 9, 10, 11} (with A₄ and A₈ first
/// replaced by their own interpolation, so a real four-fold pattern cannot inflate the
/// reference). Where those references stand above the noise, their relative errors give the
/// spectrum's irregularity c; the noise σ of an amplitude comes from the high harmonics (see
/// `Harmonics.highBandNoiseStandardDeviation`). Under the null, `E / √(c²·√(A₃A₅)² + σ²)`
/// is compared with Student's t with as many degrees of freedom as usable references
/// (at least 1). Surrogates that keep the amplitude spectrum (circular shifts, phase
/// randomisation) would leave A₄ unchanged and are not used.
///
/// **Resolution.** An excess at or below `resolution` (similarity units; float32 cosines carry
/// rounding of order 1e-6) is not resolvable: p = 1.
struct FourFoldTest: Sendable {
    /// Harmonic amplitudes A₀…A₁₂ of the profile (in the profile's units).
    var amplitudes: [Double]
    /// E in similarity units (profile units × `unitScale`).
    var excess: Double
    /// The envelope max(√(A₃A₅), (A₂+A₆)/2) in profile units.
    var envelope: Double
    /// Estimated irregularity c of the smooth spectrum (relative units).
    var irregularity: Double
    /// Noise σ of one amplitude (profile units).
    var noise: Double
    /// Number of usable reference harmonics (the t test's degrees of freedom, at least 1).
    var references: Int
    /// One-sided p-value.
    var pValue: Double
    /// Angle (degrees, in [0, 90)) of the four-fold component's maxima.
    var maximaOffsetDegrees: Double

    static let referenceHarmonics = [2, 3, 5, 6, 7, 9, 10, 11]

    /// Runs the test on `profile` (N ≥ 26 samples). `unitScale` converts the profile's units to
    /// similarity units (1 for a similarity profile).
    init(profile: [Double], unitScale: Double = 1, resolution: Double = 1e-5) {
        let harmonics = Harmonics(profile)
        var a = (0...12).map { harmonics.amplitude($0) }
        amplitudes = a
        let scale = unitScale > 0 && unitScale.isFinite ? unitScale : 1
        let sigma = max(harmonics.highBandNoiseStandardDeviation(), resolution / scale)
        noise = sigma
        func geometric(_ values: [Double], _ k: Int) -> Double { (values[k - 1] * values[k + 1]).squareRoot() }
        let odd = geometric(a, 4)
        let eight = geometric(a, 8)
        a[4] = min(a[4], odd)
        a[8] = min(a[8], eight)
        var relativeSquares: [Double] = []
        for k in Self.referenceHarmonics {
            let level = geometric(a, k)
            guard level > 3 * sigma else { continue }
            let error = a[k] - level
            relativeSquares.append((error * error - sigma * sigma) / (level * level))
        }
        references = max(1, relativeSquares.count)
        let c2 = relativeSquares.isEmpty ? 0 : max(0, Statistics.mean(relativeSquares))
        irregularity = c2.squareRoot()
        let original = amplitudes
        envelope = max(odd, (original[2] + original[6]) / 2)
        let rawExcess = original[4] - envelope
        excess = rawExcess * scale
        let spread = (c2 * odd * odd + sigma * sigma).squareRoot()
        if excess <= resolution || !(spread > 0) {
            pValue = excess > resolution ? 0 : 1
        } else {
            pValue = Statistics.studentTUpperTail(rawExcess / spread, degreesOfFreedom: Double(references))
        }
        maximaOffsetDegrees = harmonics.maximumAngleDegrees(4)
    }
}
