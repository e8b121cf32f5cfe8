/// Row-wise normalisations: layer norm and softmax.
public enum Normalization {
    /// Layer norm over each row of `width` values: `(x − mean) / sqrt(var + epsilon) · weight + bias`.
    ///
    /// The variance is the biased one (divided by `width`), as in PyTorch; two passes over the row
    /// with eight float partial sums. `out` may equal `x`. Rows are `stride` floats apart in `x`
    /// and `outStride` apart in `out` (both ≥ `width`).
    public static func layerNorm(
        _ x: UnsafePointer<Float>, rows: Int, width: Int, stride: Int? = nil,
        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, epsilon: Float = 1e-5,
        into out: UnsafeMutablePointer<Float>, outStride: Int? = nil
    ) {
        let inStride = stride ?? width
        let resultStride = outStride ?? width
        for row in 0..<rows {
            let src = x + row * inStride
            let dst = out + row * resultStride
            let mean = sum(src, count: width) / Float(width)
            let variance = sumOfSquaredDeviations(src, count: width, from: mean) / Float(width)
            let inverse = 1 / (variance + epsilon).squareRoot()
            var c = 0
            let meanV = VectorMath.Vector(repeating: mean), inverseV = VectorMath.Vector(repeating: inverse)
            while c + 8 <= width {
                let v = (VectorMath.load(src + c) - meanV) * inverseV
                VectorMath.store(v * VectorMath.load(weight + c) + VectorMath.load(bias + c), dst + c)
                c += 8
            }
            while c < width {
                dst[c] = (src[c] - mean) * inverse * weight[c] + bias[c]
                c += 1
            }
        }
    }

    /// Softmax of each row of `columns` values in place, over the first `valid(row)` entries only.
    ///
    /// Entries at or past `valid` (a causal mask's hidden keys) are set to 0, exactly as a `−inf`
    /// score would give. `valid` must be at least 1. Rows are `stride` floats apart.
    public static func softmaxRows(
        _ x: UnsafeMutablePointer<Float>, rows: Int, columns: Int, stride: Int? = nil,
        valid: (Int) -> Int = { _ in Int.max }
    ) {
        let rowStride = stride ?? columns
        for row in 0..<rows {
            let p = x + row * rowStride
            let n = min(columns, max(1, valid(row)))
            softmax(p, count: n)
            if n < columns { (p + n).update(repeating: 0, count: columns - n) }
        }
    }

    /// Softmax of `count` ≥ 1 floats in place: `e^(x − max) / Σ e^(x − max)`.
    public static func softmax(_ p: UnsafeMutablePointer<Float>, count: Int) {
        var maxV = VectorMath.Vector(repeating: -.infinity)
        var i = 0
        while i + 8 <= count {
            maxV = VectorMath.maximum(maxV, VectorMath.load(p + i))
            i += 8
        }
        var maximum = maxV.max()
        while i < count {
            maximum = max(maximum, p[i])
            i += 1
        }
        let shift = VectorMath.Vector(repeating: maximum)
        var sumV = VectorMath.Vector(repeating: 0)
        i = 0
        while i + 8 <= count {
            let e = VectorMath.exp(VectorMath.load(p + i) - shift)
            VectorMath.store(e, p + i)
            sumV += e
            i += 8
        }
        if i < count {
            let rest = count - i
            let e = VectorMath.exp(VectorMath.loadPartial(p + i, count: rest, fill: -.infinity) - shift)
            // The padding lanes hold e^-87 after clamping; keep them out of the sum.
            for lane in 0..<rest { sumV[lane] += e[lane] }
            VectorMath.storePartial(e, p + i, count: rest)
        }
        let inverse = VectorMath.Vector(repeating: 1 / sumV.sum())
        VectorMath.map(p, count: count) { $0 * inverse }
    }

    /// Σ x over `count` floats, with eight partial sums.
    static func sum(_ x: UnsafePointer<Float>, count: Int) -> Float {
        var acc = VectorMath.Vector(repeating: 0)
        var i = 0
        while i + 8 <= count {
            acc += VectorMath.load(x + i)
            i += 8
        }
        var total = acc.sum()
        while i < count {
            total += x[i]
            i += 1
        }
        return total
    }

    /// Σ (x − mean)² over `count` floats, with eight partial sums.
    static func sumOfSquaredDeviations(_ x: UnsafePointer<Float>, count: Int, from mean: Float) -> Float {
        var acc = VectorMath.Vector(repeating: 0)
        let meanV = VectorMath.Vector(repeating: mean)
        var i = 0
        while i + 8 <= count {
            let d = VectorMath.load(x + i) - meanV
            acc += d * d
            i += 8
        }
        var total = acc.sum()
        while i < count {
            let d = x[i] - mean
            total += d * d
            i += 1
        }
        return total
    }
}
