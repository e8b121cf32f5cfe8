/// Eight-lane float32 math used by the element-wise kernels: exp, the normal CDF and helpers.
///
/// Written with plain multiplies and adds (no `addingProduct`: at the x86-64 baseline the compiler
/// turns a fused multiply-add into a libm call per lane). Every kernel runs its tail through the
/// same vector code, so an element's result never depends on where it sits in a buffer.
public enum VectorMath {
    /// Eight float lanes, the unit of work of every element-wise kernel.
    public typealias Vector = SIMD8<Float>

    /// `e^x` per lane, within about 2 ulp for x in [-87, 88].
    ///
    /// Inputs are clamped to [-87, 88] first: below, the result stays at e^-87 ≈ 1.6e-38 (the
    /// smallest normal range, so no denormals reach later kernels); above, at e^88 ≈ 1.65e38.
    /// Cody–Waite reduction x = n·ln2 + r with |r| ≤ ln2/2, then a degree-7 Taylor polynomial.
    @inlinable @inline(__always)
    public static func exp(_ x: Vector) -> Vector {
        let clamped = minimum(maximum(x, Vector(repeating: -87)), Vector(repeating: 88))
        // Round x·log2(e) to the nearest integer by adding 1.5·2^23: the integer lands in the low mantissa bits.
        let shifter: Float = 12_582_912
        let shifted = clamped * 1.442_695_04 + shifter
        let n = shifted - shifter
        let r = clamped - n * 0.693_359_375 - n * -2.121_944_4e-4
        var p = r * (1 / 5040) + (1 / 720)
        p = p * r + (1 / 120)
        p = p * r + (1 / 24)
        p = p * r + (1 / 6)
        p = p * r + 0.5
        p = p * r + 1
        p = p * r + 1
        let integer = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- 0x4B40_0000
        let scale = unsafeBitCast((integer &+ 127) &<< 23, to: Vector.self)
        return p * scale
    }

    /// `erfc(z)` for z ≥ 0 per lane, relative error below 1e-7 for z ≤ 10 in exact arithmetic.
    ///
    /// `erfc(z) = t · e^(P(t) − z²)` with `t = 1 / (1 + z/2)` and P of degree 9, fitted by
    /// scripts/reference/fit_erfc.py (relative error 8.3e-8 with these float coefficients). In float32
    /// the rounding of z² adds a relative error of about 6e-8 · z², which for GELU stays far below
    /// 1e-7 in absolute terms. Past z ≈ 9.3 the result is held near 1e-38 by `exp`'s clamp.
    @inlinable @inline(__always)
    public static func erfcNonNegative(_ z: Vector) -> Vector {
        let t = 1 / (z * 0.5 + 1)
        var p = t * 1.449_302_137e-1 - 6.808_272_004e-1
        p = p * t + 1.156_733_751
        p = p * t - 6.962_519_288e-1
        p = p * t - 8.028_043_061e-2
        p = p * t + 1.267_585_438e-3
        p = p * t + 3.460_279_852e-2
        p = p * t + 3.866_403_997e-1
        p = p * t + 9.986_327_887e-1
        p = p * t - 1.265_447_974
        return t * exp(p - z * z)
    }

    /// Exact (erf-based) GELU per lane: `x · Φ(x)` with Φ the standard normal CDF.
    ///
    /// Φ(x) = erfc(−x/√2)/2 is evaluated without cancellation for negative x, so the tiny values
    /// for very negative inputs keep their relative accuracy; the absolute error stays below 1e-7 · |x|.
    @inlinable @inline(__always)
    public static func gelu(_ x: Vector) -> Vector {
        let magnitude = maximum(x, -x)
        let tail = erfcNonNegative(magnitude * 0.707_106_781) * 0.5  // Φ(−|x|)
        let cdf = tail.replacing(with: 1 - tail, where: x .>= 0)
        return x * cdf
    }

    /// QuickGELU per lane: `x · σ(1.702 · x)` = `x / (1 + e^(−1.702 x))`.
    @inlinable @inline(__always)
    public static func quickGELU(_ x: Vector) -> Vector {
        x / (exp(x * -1.702) + 1)
    }

    /// Lane-wise maximum (NaN lanes of `a` are kept). Written out because the standard library's
    /// generic `pointwiseMax` is not inlined and costs a call per vector.
    @inlinable @inline(__always)
    public static func maximum(_ a: Vector, _ b: Vector) -> Vector {
        a.replacing(with: b, where: a .< b)
    }

    /// Lane-wise minimum (NaN lanes of `a` are kept).
    @inlinable @inline(__always)
    public static func minimum(_ a: Vector, _ b: Vector) -> Vector {
        a.replacing(with: b, where: b .< a)
    }

    /// Loads eight floats from `p` (no alignment needed).
    @inlinable @inline(__always)
    public static func load(_ p: UnsafePointer<Float>) -> Vector {
        UnsafeRawPointer(p).loadUnaligned(as: Vector.self)
    }

    /// Stores eight floats at `p` (no alignment needed).
    @inlinable @inline(__always)
    public static func store(_ v: Vector, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: Vector.self)
    }

    /// Loads `count` < 8 floats from `p`; the other lanes hold `fill`.
    @inlinable @inline(__always)
    public static func loadPartial(_ p: UnsafePointer<Float>, count: Int, fill: Float = 0) -> Vector {
        var v = Vector(repeating: fill)
        for i in 0..<count { v[i] = p[i] }
        return v
    }

    /// Stores the first `count` < 8 lanes of `v` at `p`.
    @inlinable @inline(__always)
    public static func storePartial(_ v: Vector, _ p: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { p[i] = v[i] }
    }

    /// Applies `transform` to `count` floats in place, eight at a time (the tail padded with zeros).
    @inlinable @inline(__always)
    public static func map(_ p: UnsafeMutablePointer<Float>, count: Int, _ transform: (Vector) -> Vector) {
        var i = 0
        while i + 8 <= count {
            store(transform(load(p + i)), p + i)
            i += 8
        }
        if i < count {
            storePartial(transform(loadPartial(p + i, count: count - i)), p + i, count: count - i)
        }
    }
}
