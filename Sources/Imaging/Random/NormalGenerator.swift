/// Standard normal and uniform samples as float32, from a seeded `Xoshiro256PlusPlus`.
///
/// Normals come from a vectorised Box–Muller transform evaluated with AugLab's own float32
/// polynomials (no platform `log`/`sin`/`cos`), so the same seed gives the same bits on every
/// machine and in every release. The stream is defined as follows, for each group of 8
/// consecutive 64-bit generator outputs `w[0..<8]` (lane `i` uses `w[i]`):
///
/// - `u1 = ((w >> 40) + 1) · 2⁻²⁴`, in (0, 1] (24 bits), and `t = ((w >> 8) mod 2²⁴) · 2⁻²²`, in [0, 4)
///   (a quarter-turn count with 24 bits);
/// - `r = √(−2 ln u1)` and `θ = t · π/2`;
/// - the group yields 16 normals: `r·cos θ` for lanes 0…7, then `r·sin θ` for lanes 0…7.
///
/// So |z| ≤ √(48 ln 2) ≈ 5.77: the tails beyond 5.77σ (probability 8·10⁻⁹ per sample) are cut,
/// which no image statistic can see. The float32 `ln`, `sin` and `cos` are accurate to a few
/// units in the last place (checked against float64 in the tests).
public struct NormalGenerator: Sendable {
    /// The underlying bit generator (exposed so callers can continue the same stream).
    public var bits: Xoshiro256PlusPlus

    /// Normals are produced in groups of this many samples (8 generator outputs each).
    public static let groupSize = 16

    /// A generator seeded with `seed` (see `Xoshiro256PlusPlus.init(seed:)`).
    public init(seed: UInt64) {
        bits = Xoshiro256PlusPlus(seed: seed)
    }

    /// Fills `buffer` with the next standard normals of the stream.
    ///
    /// Samples are produced in groups of `groupSize`; when `buffer.count` is not a multiple of
    /// it, the rest of the last group is discarded. Filling n then m samples therefore continues
    /// the stream exactly only when n is a multiple of `groupSize`.
    public mutating func fillNormals(_ buffer: UnsafeMutableBufferPointer<Float>) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        let count = buffer.count
        var words = (UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        let constants = BoxMuller.Constants()
        var done = 0
        while done < count {
            withUnsafeMutableBytes(of: &words) { raw in
                bits.fill(raw.bindMemory(to: UInt64.self))
            }
            let pair = withUnsafeBytes(of: &words) { raw in
                BoxMuller.group(raw.loadUnaligned(as: SIMD16<UInt32>.self), constants)
            }
            let remaining = count - done
            if remaining >= 16 {
                UnsafeMutableRawPointer(base + done).storeBytes(of: pair.cos, as: SIMD8<Float>.self)
                UnsafeMutableRawPointer(base + done + 8).storeBytes(of: pair.sin, as: SIMD8<Float>.self)
            } else {
                for i in 0..<remaining { base[done + i] = i < 8 ? pair.cos[i] : pair.sin[i - 8] }
            }
            done += 16
        }
    }

    /// Fills `buffer` with the next uniform samples in [0, 1), two per 64-bit output: first
    /// `(w >> 40) · 2⁻²⁴`, then `((w >> 8) mod 2²⁴) · 2⁻²⁴` (24 bits each, so every value is an
    /// exact multiple of 2⁻²⁴). With an odd count the last output's second half is discarded.
    public mutating func fillUniforms(_ buffer: UnsafeMutableBufferPointer<Float>) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        let count = buffer.count
        let scale = Float(bitPattern: 0x3380_0000)  // 2⁻²⁴
        var i = 0
        while i + 1 < count {
            let w = bits.next()
            base[i] = Float(UInt32(truncatingIfNeeded: w >> 40)) * scale
            base[i + 1] = Float(UInt32(truncatingIfNeeded: w >> 8) & 0x00FF_FFFF) * scale
            i += 2
        }
        if i < count {
            base[i] = Float(UInt32(truncatingIfNeeded: bits.next() >> 40)) * scale
        }
    }
}

/// The float32 Box–Muller kernel, 8 lanes at a time.
@usableFromInline enum BoxMuller {
    /// Polynomial coefficients, computed once as correctly rounded float32 quotients.
    @usableFromInline struct Constants: Sendable {
        // ln(m) = 2s(1 + s²/3 + s⁴/5 + s⁶/7 + s⁸/9), s = (m − 1)/(m + 1), m in [√½, √2)
        let l3 = Float(1) / 3, l5 = Float(1) / 5, l7 = Float(1) / 7, l9 = Float(1) / 9
        // sin φ and cos φ Taylor series on |φ| ≤ π/4
        let s3 = Float(-1) / 6, s5 = Float(1) / 120, s7 = Float(-1) / 5040, s9 = Float(1) / 362_880
        let c2 = Float(-1) / 2, c4 = Float(1) / 24, c6 = Float(-1) / 720, c8 = Float(1) / 40320
        let c10 = Float(-1) / 3_628_800
        let ln2 = Float(bitPattern: 0x3F31_7218)  // 0.693147182…
        let halfPi = Float(bitPattern: 0x3FC9_0FDB)  // 1.57079637…
        let sqrtHalfTimesTwo = Float(bitPattern: 0x3FB5_04F3)  // √2 (rounded to nearest)
        @usableFromInline init() {}
    }

    /// 16 normals from 8 64-bit words given as 16 little-endian 32-bit halves (even = low, odd = high).
    @inline(__always) @usableFromInline
    static func group(_ halves: SIMD16<UInt32>, _ k: Constants) -> (cos: SIMD8<Float>, sin: SIMD8<Float>) {
        let high = halves.oddHalf
        let low = halves.evenHalf
        let twoToMinus24 = Float(bitPattern: 0x3380_0000)
        let twoToMinus22 = Float(bitPattern: 0x3480_0000)
        let u1 = (SIMD8<Float>(SIMD8<Int32>(truncatingIfNeeded: high &>> 8)) + 1) * twoToMinus24
        let t = SIMD8<Float>(SIMD8<Int32>(truncatingIfNeeded: low &>> 8)) * twoToMinus22

        // r = sqrt(-2 ln u1)
        let r = (-2 * logarithm(u1, k)).squareRoot()

        // θ = t·π/2 = q·π/2 + φ with q = round(t), |φ| ≤ π/4
        let q = SIMD8<Int32>(t + 0.5, rounding: .towardZero)
        let phi = (t - SIMD8<Float>(q)) * k.halfPi
        let p2 = phi * phi
        let sinPhi = phi * (1 + p2 * (k.s3 + p2 * (k.s5 + p2 * (k.s7 + p2 * k.s9))))
        let cosPhi = 1 + p2 * (k.c2 + p2 * (k.c4 + p2 * (k.c6 + p2 * (k.c8 + p2 * k.c10))))
        let quadrant = q & 3
        let swap = (quadrant & 1) .== 1
        var c = cosPhi.replacing(with: sinPhi, where: swap)
        var s = sinPhi.replacing(with: cosPhi, where: swap)
        let signBit = SIMD8<UInt32>(repeating: 0x8000_0000)
        let negateCos = SIMD8<UInt32>(truncatingIfNeeded: ((quadrant &+ 1) & 2) &<< 30)
        let negateSin = SIMD8<UInt32>(truncatingIfNeeded: (quadrant & 2) &<< 30)
        c = unsafeBitCast(unsafeBitCast(c, to: SIMD8<UInt32>.self) ^ (negateCos & signBit), to: SIMD8<Float>.self)
        s = unsafeBitCast(unsafeBitCast(s, to: SIMD8<UInt32>.self) ^ (negateSin & signBit), to: SIMD8<Float>.self)
        return (r * c, r * s)
    }

    /// Natural logarithm of positive, normal float32 values (here u1 in [2⁻²⁴, 1]).
    @inline(__always) @usableFromInline
    static func logarithm(_ x: SIMD8<Float>, _ k: Constants) -> SIMD8<Float> {
        let bits = unsafeBitCast(x, to: SIMD8<UInt32>.self)
        var exponent = SIMD8<Int32>(truncatingIfNeeded: bits &>> 23) &- 127
        var m = unsafeBitCast((bits & 0x007F_FFFF) | 0x3F80_0000, to: SIMD8<Float>.self)  // [1, 2)
        let big = m .> k.sqrtHalfTimesTwo
        m = m.replacing(with: m * 0.5, where: big)
        exponent = exponent.replacing(with: exponent &+ 1, where: big)
        let s = (m - 1) / (m + 1)
        let s2 = s * s
        let series = 1 + s2 * (k.l3 + s2 * (k.l5 + s2 * (k.l7 + s2 * k.l9)))
        return SIMD8<Float>(exponent) * k.ln2 + 2 * s * series
    }
}
