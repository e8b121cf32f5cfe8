/// Standard normal and uniform samples as float32, from a seeded `Xoshiro256PlusPlus`.
///
/// Normals come from a vectorised Box–Muller transform evaluated with AugLab's own float32
/// polynomials (no platform `log`/`sin`/`cos`), so the same seed gives the same bits on every
/// machine and in every release. The stream is defined as follows, for each group of 8
/// consecutive 64-bit generator outputs `w[0..<8]` (lane `i` uses `w[i]`):
///
/// - `u1 = 1 − (w >> 41) · 2⁻²³`, in [2⁻²³, 1] (23 bits), and `t = ((w >> 9) mod 2²³) · 2⁻²¹`, in
///   [0, 4) (a quarter-turn count with 23 bits); both are formed exactly from the bits as
///   float32 mantissas;
/// - `r = √(−2 ln u1)` (as x·rsqrt(x), rsqrt by three Newton steps) and `θ = t · π/2`, with t split as q + g, q = t rounded to the nearest
///   integer (ties to even), |g| ≤ ½, so θ = q·π/2 + g·π/2;
/// - the group yields 16 normals: `r·cos θ` for lanes 0…7, then `r·sin θ` for lanes 0…7.
///
/// So |z| ≤ √(46 ln 2) ≈ 5.65: the tails beyond 5.65σ (probability 1.6·10⁻⁸ per sample) are
/// cut, which no image statistic can see. The float32 `ln`, `sin` and `cos` are accurate to a few
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
        let batchWords = BoxMuller.batchWords
        let scratch = UnsafeMutableRawPointer.allocate(byteCount: batchWords * 16, alignment: 64)
        defer { scratch.deallocate() }
        let words = scratch.bindMemory(to: UInt64.self, capacity: batchWords)
        let cosines = (scratch + batchWords * 8).bindMemory(to: Float.self, capacity: batchWords)
        let sines = (scratch + batchWords * 12).bindMemory(to: Float.self, capacity: batchWords)
        let constants = BoxMuller.Constants()
        var done = 0
        while done < count {
            // Whole groups of 8 words (16 normals) only, so the stream does not depend on batching.
            let groups = min(batchWords / 8, (count - done + 15) / 16)
            bits.fill(UnsafeMutableBufferPointer(start: words, count: groups * 8))
            BoxMuller.transform(UnsafeRawPointer(words).assumingMemoryBound(to: UInt32.self), pairs: groups * 8,
                                cosines: cosines, sines: sines, constants)
            for g in 0..<groups {
                let remaining = count - done
                if remaining >= 16 {
                    UnsafeMutableRawPointer(base + done).copyMemory(from: cosines + 8 * g, byteCount: 32)
                    UnsafeMutableRawPointer(base + done + 8).copyMemory(from: sines + 8 * g, byteCount: 32)
                } else {
                    for i in 0..<remaining { base[done + i] = i < 8 ? cosines[8 * g + i] : sines[8 * g + i - 8] }
                }
                done += 16
            }
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
        let sqrtTwo = Float(bitPattern: 0x3FB5_04F3)  // √2 (rounded to nearest)
        let roundingMagic = Float(bitPattern: 0x4B40_0000)  // 1.5·2²³ = 12582912
        let exponentBias = Float(bitPattern: 0x4B40_007F)  // 1.5·2²³ + 127
        @usableFromInline init() {}
    }

    /// Words generated per batch (a multiple of 8).
    static let batchWords = 512

    /// Box–Muller for `pairs` words given as little-endian 32-bit halves (`words[2i]` low,
    /// `words[2i + 1]` high): `cosines[i] = r·cos θ`, `sines[i] = r·sin θ`.
    ///
    /// Written as a plain loop of float and integer operations with selects (no calls, no SIMD
    /// library types) so that LLVM vectorises it; integer ↔ float conversions use exact mantissa
    /// tricks.
    @inline(never)  // inlined into fillNormals, LLVM keeps only the scalar loop
    static func transform(_ words: UnsafePointer<UInt32>, pairs: Int, cosines: UnsafeMutablePointer<Float>,
                          sines: UnsafeMutablePointer<Float>, _ k: Constants) {
        for i in 0..<pairs {
            let low = words[2 &* i], high = words[2 &* i &+ 1]  // wrapping ops: overflow traps would block vectorisation
            let u1 = 2 - Float(bitPattern: (high >> 9) | 0x3F80_0000)  // 1 − k·2⁻²³ in [2⁻²³, 1]
            let t = (Float(bitPattern: (low >> 9) | 0x3F80_0000) - 1) * 4  // k·2⁻²¹ in [0, 4)

            // ln u1 = e·ln 2 + ln m, m in [√½, √2): 2s(1 + s²/3 + s⁴/5 + s⁶/7 + s⁸/9), s = (m − 1)/(m + 1)
            let xBits = u1.bitPattern
            var exponent = Float(bitPattern: (xBits >> 23) | 0x4B40_0000) - k.exponentBias  // exact
            var m = Float(bitPattern: (xBits & 0x007F_FFFF) | 0x3F80_0000)  // [1, 2)
            let big = m > k.sqrtTwo
            m = big ? m * 0.5 : m
            exponent = big ? exponent + 1 : exponent
            let s = (m - 1) / (m + 1)
            let s2 = s * s
            let series = 1 + s2 * (k.l3 + s2 * (k.l5 + s2 * (k.l7 + s2 * k.l9)))
            let logarithm = exponent * k.ln2 + 2 * s * series
            // r = √x by x·rsqrt(x): bit-trick guess and three Newton steps (x = 0 gives 0). A plain
            // `squareRoot()` calls libm's sqrtf on a slow path for errno, which blocks vectorisation.
            let x = -2 * logarithm
            let halfX = 0.5 * x
            var y = Float(bitPattern: 0x5F37_59DF &- (x.bitPattern >> 1))
            y = y * (1.5 - halfX * y * y)
            y = y * (1.5 - halfX * y * y)
            y = y * (1.5 - halfX * y * y)
            let r = x * y

            // θ = t·π/2 = q·π/2 + φ, q = t rounded to nearest even (1.5·2²³ has a unit ulp), |φ| ≤ π/4
            let shifted = t + k.roundingMagic
            let q = shifted - k.roundingMagic
            let quadrant = shifted.bitPattern & 3
            let phi = (t - q) * k.halfPi
            let p2 = phi * phi
            let sinPhi = phi * (1 + p2 * (k.s3 + p2 * (k.s5 + p2 * (k.s7 + p2 * k.s9))))
            let cosPhi = 1 + p2 * (k.c2 + p2 * (k.c4 + p2 * (k.c6 + p2 * (k.c8 + p2 * k.c10))))
            let swap = quadrant & 1 != 0
            let c = swap ? sinPhi : cosPhi
            let sn = swap ? cosPhi : sinPhi
            let negateCos = ((quadrant &+ 1) & 2) << 30  // quadrants 1, 2: sign bit
            let negateSin = (quadrant & 2) << 30  // quadrants 2, 3
            cosines[i] = r * Float(bitPattern: c.bitPattern ^ negateCos)
            sines[i] = r * Float(bitPattern: sn.bitPattern ^ negateSin)
        }
    }
}
