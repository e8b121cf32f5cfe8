/// xoshiro256++ (Blackman and Vigna, 2019): the fast, high-quality 64-bit generator behind
/// AugLab's noise.
///
/// Seeded from one 64-bit seed by taking four consecutive `SplitMix64(seed:)` outputs as the
/// state (the authors' recommended seeding; the state can never be all zero). The output for a
/// given seed is part of AugLab's reproducibility contract and never changes. Conforms to
/// `RandomNumberGenerator`, so it also works with the standard library's `random(in:using:)`.
public struct Xoshiro256PlusPlus: RandomNumberGenerator, Sendable, Hashable {
    @usableFromInline var s0: UInt64
    @usableFromInline var s1: UInt64
    @usableFromInline var s2: UInt64
    @usableFromInline var s3: UInt64

    /// A generator whose state is the next four outputs of `SplitMix64(seed: seed)`.
    public init(seed: UInt64) {
        var seeder = SplitMix64(seed: seed)
        s0 = seeder.next()
        s1 = seeder.next()
        s2 = seeder.next()
        s3 = seeder.next()
    }

    /// The next 64 random bits.
    @inlinable public mutating func next() -> UInt64 {
        Self.step(&s0, &s1, &s2, &s3)
    }

    /// Fills `buffer` with consecutive outputs of `next()`.
    @inlinable public mutating func fill(_ buffer: UnsafeMutableBufferPointer<UInt64>) {
        var a = s0, b = s1, c = s2, d = s3  // in locals, so the loop keeps the state in registers
        for i in 0..<buffer.count { buffer[i] = Self.step(&a, &b, &c, &d) }
        s0 = a; s1 = b; s2 = c; s3 = d
    }

    /// One xoshiro256++ step: the output for state (a, b, c, d), which is then advanced in place.
    @inlinable @inline(__always)
    static func step(_ a: inout UInt64, _ b: inout UInt64, _ c: inout UInt64, _ d: inout UInt64) -> UInt64 {
        let result = rotateLeft(a &+ d, by: 23) &+ a
        let t = b << 17
        c ^= a
        d ^= b
        b ^= c
        a ^= d
        c ^= t
        d = rotateLeft(d, by: 45)
        return result
    }
}

@inlinable @inline(__always)
func rotateLeft(_ value: UInt64, by amount: UInt64) -> UInt64 {
    (value << amount) | (value >> (64 &- amount))
}
