import Foundation
import Tensors

/// A seeded generator for synthetic test data (SplitMix64).
///
/// Deliberately independent of the `Analysis` target's own generator, so test data never
/// depends on the code under test.
public struct SyntheticRandom: Sendable {
    private var state: UInt64

    /// A generator whose sequence is fixed by `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func nextBits() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    public mutating func unit() -> Double { Double(nextBits() >> 11) * 0x1.0p-53 }

    /// Uniform in [low, high).
    public mutating func uniform(_ low: Double, _ high: Double) -> Double { low + (high - low) * unit() }

    /// Uniform integer in 0..<bound.
    public mutating func index(below bound: Int) -> Int { Int(nextBits() % UInt64(max(1, bound))) }

    /// One element of `values`.
    public mutating func pick<T>(_ values: [T]) -> T { values[index(below: values.count)] }

    /// A standard normal deviate (Box–Muller).
    public mutating func gaussian() -> Double {
        var u = unit()
        while u <= 0 { u = unit() }
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * unit())
    }

    /// A random unit vector of `dimension` components.
    public mutating func unitVector(_ dimension: Int) -> [Double] {
        var v = (0..<dimension).map { _ in gaussian() }
        let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        v = v.map { $0 / max(norm, 1e-300) }
        return v
    }
}

/// Plain cosine similarity for synthetic data, computed in Double (independent of `Analysis`).
public enum SyntheticCosine {
    /// The n × n cosine matrix of the rows of `rows` (rows must be non-zero): rows normalised in
    /// Double, the product through BLAS (`Tensors`), clamped to [−1, 1], diagonal exactly 1.
    public static func matrix(_ rows: [[Double]]) -> Matrix {
        let unit = rows.map { row -> [Float] in
            let norm = row.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return row.map { Float($0 / max(norm, 1e-300)) }
        }
        let n = unit.count
        let stacked = Matrix(stacking: unit, columns: rows.first?.count ?? 0)
        var result = stacked.multiplied(by: stacked, transposeOther: true)
        for i in 0..<n {
            for j in 0..<n {
                let value = i == j ? 1 : min(1, max(-1, 0.5 * (result[i, j] + result[j, i])))
                result[i, j] = value
            }
        }
        return result
    }

    /// Rows as a Float matrix.
    public static func embeddings(_ rows: [[Double]]) -> Matrix {
        Matrix(stacking: rows.map { $0.map(Float.init) }, columns: rows.first?.count ?? 0)
    }
}
