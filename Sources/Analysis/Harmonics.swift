import Foundation

/// Circular Fourier analysis of a real profile sampled at N equally spaced angles.
///
/// Convention: `C_k = Σₙ xₙ e^{−2πikn/N}`; the amplitude of harmonic k (1 ≤ k < N/2) is
/// `A_k = 2|C_k| / N`, so `a·cos(kθ + φ)` has amplitude `a`. Harmonic 0 is the mean.
public struct Harmonics: Sendable, Equatable {
    /// Real parts of `2 C_k / N` for k = 0..<count (k = 0 holds 2 × mean).
    public let real: [Double]
    /// Imaginary parts of `2 C_k / N`.
    public let imaginary: [Double]
    /// Number of samples N of the profile.
    public let sampleCount: Int

    /// Harmonics 0 through ⌊(N − 1) / 2⌋ of `profile` (an empty profile gives none).
    public init(_ profile: [Double]) {
        let n = profile.count
        sampleCount = n
        let count = n == 0 ? 0 : (n - 1) / 2 + 1
        var cosTable = [Double](repeating: 0, count: n)
        var sinTable = [Double](repeating: 0, count: n)
        for index in 0..<n {
            let angle = 2 * Double.pi * Double(index) / Double(n)
            cosTable[index] = cos(angle)
            sinTable[index] = sin(angle)
        }
        var re = [Double](repeating: 0, count: count)
        var im = [Double](repeating: 0, count: count)
        for k in 0..<count {
            var sumRe = 0.0, sumIm = 0.0
            var phase = 0
            for index in 0..<n {
                sumRe += profile[index] * cosTable[phase]
                sumIm -= profile[index] * sinTable[phase]
                phase += k
                if phase >= n { phase -= n }
            }
            re[k] = 2 * sumRe / Double(n)
            im[k] = 2 * sumIm / Double(n)
        }
        real = re
        imaginary = im
    }

    /// Number of harmonics held (k = 0..<count).
    public var count: Int { real.count }

    /// Amplitude `A_k` of harmonic k (0 outside the held range).
    public func amplitude(_ k: Int) -> Double {
        guard k >= 0, k < count else { return 0 }
        return (real[k] * real[k] + imaginary[k] * imaginary[k]).squareRoot()
    }

    /// The angle (degrees, in [0, 360/k)) at which harmonic k reaches its maximum.
    public func maximumAngleDegrees(_ k: Int) -> Double {
        guard k > 0, k < count else { return 0 }
        // a cos(kθ + φ) with a e^{iφ} = re + i·im has its maximum at θ = −φ / k.
        let phi = atan2(imaginary[k], real[k])
        let period = 360.0 / Double(k)
        var angle = (-phi * 180 / Double.pi) / Double(k)
        angle = angle.truncatingRemainder(dividingBy: period)
        if angle < 0 { angle += period }
        return angle
    }

    /// The noise standard deviation of one amplitude, estimated from the high harmonics
    /// k ∈ [max(12, N/4), (N − 1)/2], where a smooth response has decayed: the median of the
    /// squared real (and imaginary) parts divided by the median of χ²₁ (0.4549), the larger of
    /// the two. Smooth signal leaking into that band only makes the estimate larger (conservative).
    public func highBandNoiseStandardDeviation() -> Double {
        let low = max(12, sampleCount / 4)
        let high = count - 1
        guard high >= low else { return 0 }
        var squaresRe: [Double] = []
        var squaresIm: [Double] = []
        for k in low...high {
            squaresRe.append(real[k] * real[k])
            squaresIm.append(imaginary[k] * imaginary[k])
        }
        let medianChiSquared1 = 0.454_936_423_119_572_8
        let sRe = (Statistics.median(squaresRe) / medianChiSquared1).squareRoot()
        let sIm = (Statistics.median(squaresIm) / medianChiSquared1).squareRoot()
        return max(sRe, sIm)
    }
}
