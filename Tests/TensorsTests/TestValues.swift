import Foundation

/// Deterministic pseudo-random test values (SplitMix64), so failures reproduce.
struct TestValues {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    /// A uniform value in [low, high).
    mutating func uniform(_ low: Float = -1, _ high: Float = 1) -> Float {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return low + (high - low) * Float(Double(z >> 40) / Double(1 << 24))
    }

    /// `count` uniform values in [low, high).
    mutating func array(_ count: Int, _ low: Float = -1, _ high: Float = 1) -> [Float] {
        (0..<count).map { _ in uniform(low, high) }
    }
}

/// Largest |a − b| over two equally long arrays.
func maxAbsDifference(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count, "maxAbsDifference: \(a.count) vs \(b.count) values")
    return zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
}

/// Largest |a − b| between float results and a double-precision reference.
func maxAbsDifference(_ a: [Float], _ reference: [Double]) -> Double {
    precondition(a.count == reference.count, "maxAbsDifference: \(a.count) vs \(reference.count) values")
    return zip(a, reference).reduce(0) { max($0, abs(Double($1.0) - $1.1)) }
}
