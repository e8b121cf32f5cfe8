/// SplitMix64 (Steele, Lea and Flood, 2014): a tiny 64-bit generator used here to derive seeds.
///
/// Each call adds the golden-ratio increment 0x9E3779B97F4A7C15 to the state and returns a
/// bijective mix of it, so distinct states give distinct outputs. AugLab uses it only to turn
/// one seed into well-spread seeds (per variant, and the four words of a xoshiro256++ state);
/// the bulk random numbers come from `Xoshiro256PlusPlus`.
///
/// The sequence for a given seed is part of AugLab's reproducibility contract: it never changes.
/// Conforms to `RandomNumberGenerator`, so it also works with the standard library's
/// `random(in:using:)` (e.g. for seeded test data).
public struct SplitMix64: RandomNumberGenerator, Sendable, Hashable {
    /// The current state; the next output is `mix(state + 0x9E3779B97F4A7C15)`.
    public var state: UInt64

    /// Starts the generator at `seed` (any value, zero included).
    public init(seed: UInt64) {
        state = seed
    }

    /// The next 64-bit output.
    @inlinable public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SplitMix64.mix(state)
    }

    /// The SplitMix64 output function: a bijection of 64-bit words with good avalanche.
    @inlinable public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Seed derivation for sweeps: one sweep seed gives each variant its own independent seed.
public enum RandomSeed {
    /// The seed of variant `index` in a sweep seeded with `sweepSeed`: the `(index + 1)`-th output
    /// of `SplitMix64(seed: sweepSeed)`, i.e. `SplitMix64.mix(sweepSeed &+ (index + 1) &* 0x9E3779B97F4A7C15)`.
    ///
    /// Stable forever: the same `(sweepSeed, index)` gives the same seed in every release, so a
    /// variant can be regenerated alone from its provenance. Distinct indices of one sweep give
    /// distinct seeds (the mix is a bijection). `index` is taken modulo 2^64 (a negative index
    /// uses its two's-complement bit pattern); sweeps use indices ≥ 0.
    @inlinable public static func variant(sweepSeed: UInt64, index: Int) -> UInt64 {
        let step = UInt64(truncatingIfNeeded: index) &+ 1
        return SplitMix64.mix(sweepSeed &+ step &* 0x9E37_79B9_7F4A_7C15)
    }
}
