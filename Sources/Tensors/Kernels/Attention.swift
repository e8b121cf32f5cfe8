/// A strided float matrix view: `rows` rows whose first elements lie `stride` floats apart.
public struct MatrixView {
    /// Address of element (0, 0).
    public let base: UnsafePointer<Float>
    /// Distance between consecutive rows, in floats.
    public let stride: Int

    public init(_ base: UnsafePointer<Float>, stride: Int) {
        self.base = base
        self.stride = stride
    }
}

/// Multi-head scaled dot-product attention (`softmax(q·kᵀ / sqrt(d)) · v` per head).
public enum Attention {
    /// Attends `queries` query rows to `keys` key/value rows of one sequence, all heads.
    ///
    /// `q`, `k`, `v` and `out` rows hold `heads × headDim` values, head `h` in columns
    /// `h·headDim ..< (h+1)·headDim` (PyTorch's head split). With `causal`, query `i` sits at
    /// position `firstQueryPosition + i` and sees keys `0 ... that position` only (the text mask);
    /// otherwise every query sees every key. `scores` is scratch for `queries × keys` floats. If
    /// `probabilities` is given, the softmax weights are also written there as `[heads, queries, keys]`.
    public static func forward(
        q: MatrixView, k: MatrixView, v: MatrixView, queries: Int, keys: Int,
        heads: Int, headDim: Int, causal: Bool = false, firstQueryPosition: Int = 0,
        into out: UnsafeMutablePointer<Float>, outStride: Int,
        scores: UnsafeMutablePointer<Float>, probabilities: UnsafeMutablePointer<Float>? = nil
    ) {
        guard queries > 0, keys > 0 else { return }
        let scale = 1 / Float(headDim).squareRoot()
        for h in 0..<heads {
            let column = h * headDim
            BLAS.sgemm(m: queries, n: keys, k: headDim, alpha: scale,
                       a: q.base + column, lda: q.stride,
                       b: k.base + column, ldb: k.stride, transposeB: true,
                       c: scores, ldc: keys)
            if causal {
                Normalization.softmaxRows(scores, rows: queries, columns: keys) { firstQueryPosition + $0 + 1 }
            } else {
                Normalization.softmaxRows(scores, rows: queries, columns: keys)
            }
            if let probabilities {
                (probabilities + h * queries * keys).update(from: scores, count: queries * keys)
            }
            BLAS.sgemm(m: queries, n: headDim, k: keys,
                       a: scores, lda: keys,
                       b: v.base + column, ldb: v.stride,
                       c: out + column, ldc: outStride)
        }
    }
}
