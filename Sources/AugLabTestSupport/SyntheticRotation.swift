import Foundation
import Tensors

/// Synthetic rotation sweeps: embeddings of N variants at angles 360°·k/N with planted patterns.
///
/// The embedding of the variant at angle θ is built from orthogonal coordinate blocks:
/// - a smooth **rotation path** Σₖ √pₖ (cos kθ·u_k + λ sin kθ·v_k) with a Gaussian spectrum
///   pₖ ∝ exp(−(kσ)²/2): similarity decays smoothly with the angular difference (width σ);
/// - a **cone** coordinate √cone shared by all variants (CLIP's cone effect: a constant offset);
/// - optional **per-angle structure** without four-fold symmetry (`PerAngle`);
/// - planted patterns: a **four-fold difference form** √f·(cos 4θ, sin 4θ) (similarity
///   depends on the angular difference modulo 90°), a **four-fold product form**
///   √c·h(θ), h = standardised |sin 2θ| (the black-corner area, a per-angle lattice), and a
///   **mirror** fraction μ (λ² = (1 − μ)/(1 + μ); μ = 1 makes variants at ±θ identical);
/// - isotropic **noise** of standard deviation `noise` in total (per variant).
///
/// Similarities are plain cosines of these embeddings, so every matrix is a valid Gram matrix.
public struct SyntheticRotation: Sendable {
    /// Per-angle structure without four-fold (or mirror) symmetry.
    public enum PerAngle: Sendable, Equatable {
        /// None.
        case none
        /// A typicality bump √s·g(θ), g = exp((cos(θ − c) − 1)/w²) (w in radians), standardised.
        case typicality(strength: Double, centerDegrees: Double, width: Double)
        /// A constant-norm phase component √s·(cos φ(θ), sin φ(θ)) with
        /// φ(θ) = Σ aₖ sin(kθ + ψₖ), k = 1, 2, 3 (no norm modulation, so no spurious 90° energy).
        case phase(strength: Double, amplitudes: [Double], phases: [Double])
    }

    /// Number of angles N (360°·k/N, k = 0..<N).
    public var count: Int = 100
    /// Width σ of the smooth decay, degrees.
    public var decayWidthDegrees: Double = 30
    /// Squared weight of the shared cone coordinate.
    public var cone: Double = 0.5
    /// Total standard deviation of the per-variant noise.
    public var noise: Double = 0
    /// Per-angle structure (nulls).
    public var perAngle: PerAngle = .none
    /// Squared weight of the four-fold difference form.
    public var fourFoldDifference: Double = 0
    /// Squared weight of the four-fold product form (corners).
    public var fourFoldProduct: Double = 0
    /// Mirror fraction μ in [0, 1].
    public var mirror: Double = 0
    /// Extra pure-noise dimensions.
    public var extraDimensions: Int = 16
    /// Seed of the noise.
    public var seed: UInt64 = 1

    public init() {}

    /// The angles of the sweep in degrees (canonical order).
    public var anglesDegrees: [Double] { (0..<count).map { 360 * Double($0) / Double(count) } }

    /// The embeddings, one row per angle.
    public func embeddingRows() -> [[Double]] {
        var random = SyntheticRandom(seed: seed)
        let harmonics = max(1, count / 2 - 1)
        let sigma = decayWidthDegrees * Double.pi / 180
        var spectrum = (1...harmonics).map { k in exp(-0.5 * pow(Double(k) * sigma, 2)) }
        let total = spectrum.reduce(0, +)
        spectrum = spectrum.map { $0 / total }
        let lambda = mirror >= 1 ? 0 : ((1 - mirror) / (1 + mirror)).squareRoot()
        let theta = (0..<count).map { 2 * Double.pi * Double($0) / Double(count) }
        let corner = standardized(theta.map { abs(sin(2 * $0)) })
        var perAngleColumns: [[Double]] = []
        switch perAngle {
        case .none:
            break
        case let .typicality(strength, centerDegrees, width):
            let c = centerDegrees * Double.pi / 180
            let g = standardized(theta.map { exp((cos($0 - c) - 1) / (width * width)) })
            perAngleColumns.append(g.map { $0 * strength.squareRoot() })
        case let .phase(strength, amplitudes, phases):
            let phi = theta.map { t in
                zip(amplitudes, phases).enumerated().reduce(0.0) { sum, item in
                    sum + item.element.0 * sin(Double(item.offset + 1) * t + item.element.1)
                }
            }
            perAngleColumns.append(phi.map { cos($0) * strength.squareRoot() })
            perAngleColumns.append(phi.map { sin($0) * strength.squareRoot() })
        }
        let dimension = 2 * harmonics + 1 + perAngleColumns.count + 3 + extraDimensions
        var rows: [[Double]] = []
        for index in 0..<count {
            let t = theta[index]
            var row: [Double] = []
            row.reserveCapacity(dimension)
            for k in 1...harmonics {
                let weight = spectrum[k - 1].squareRoot()
                row.append(weight * cos(Double(k) * t))
                row.append(weight * lambda * sin(Double(k) * t))
            }
            row.append(cone.squareRoot())
            for column in perAngleColumns { row.append(column[index]) }
            row.append(fourFoldDifference.squareRoot() * cos(4 * t))
            row.append(fourFoldDifference.squareRoot() * sin(4 * t))
            row.append(fourFoldProduct.squareRoot() * corner[index])
            row += [Double](repeating: 0, count: extraDimensions)
            if noise > 0 {
                let scale = noise / Double(dimension).squareRoot()
                for k in 0..<row.count { row[k] += scale * random.gaussian() }
            }
            rows.append(row)
        }
        return rows
    }

    /// The embeddings as a Float matrix.
    public func embeddings() -> Matrix { SyntheticCosine.embeddings(embeddingRows()) }

    /// The N × N cosine matrix.
    public func similarities() -> Matrix { SyntheticCosine.matrix(embeddingRows()) }

    /// A realistic null sweep (no four-fold pattern, no mirror): a random decay width
    /// (3°–90°), cone (0–2), noise level (0, 0.01, 0.05, 0.2 or 0.5), N in {48, 72, 100}, and a
    /// random per-angle structure: a typicality bump or a smooth phase component (or none).
    public static func randomNull(seed: UInt64) -> SyntheticRotation {
        var random = SyntheticRandom(seed: seed &* 0x2545_F491_4F6C_DD1D &+ 17)
        var sweep = SyntheticRotation()
        sweep.seed = random.nextBits()
        sweep.count = random.pick([48, 72, 100])
        sweep.decayWidthDegrees = random.uniform(3, 90)
        sweep.cone = random.uniform(0, 2)
        sweep.noise = random.pick([0, 0.01, 0.05, 0.2, 0.5])
        let strength = random.uniform(0, 1)
        switch random.index(below: 3) {
        case 0:
            sweep.perAngle = .typicality(strength: strength, centerDegrees: random.uniform(0, 360), width: random.uniform(0.3, 1.5))
        case 1:
            sweep.perAngle = .phase(strength: strength, amplitudes: (0..<3).map { _ in random.uniform(0, 1.5) },
                                    phases: (0..<3).map { _ in random.uniform(0, 2 * Double.pi) })
        default:
            sweep.perAngle = .none
        }
        return sweep
    }

    private func standardized(_ x: [Double]) -> [Double] {
        let mean = x.reduce(0, +) / Double(x.count)
        let variance = x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(x.count)
        let sd = variance.squareRoot()
        return x.map { sd > 0 ? ($0 - mean) / sd : 0 }
    }
}
