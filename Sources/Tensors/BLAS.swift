import CBLAS

/// Single-precision matrix products through OpenBLAS (`cblas_sgemm`).
public enum BLAS {
    /// `C = alpha · op(A) · op(B) + beta · C` on row-major buffers.
    ///
    /// `op(A)` is `m × k`, `op(B)` is `k × n`, `C` is `m × n`. With `transposeA` the buffer `a`
    /// holds a `k × m` matrix (likewise `b` a `n × k` matrix with `transposeB`), which is how
    /// PyTorch `[out, in]` weights are used without copying.
    @inlinable
    public static func sgemm(
        m: Int, n: Int, k: Int,
        alpha: Float = 1,
        a: UnsafePointer<Float>, transposeA: Bool = false,
        b: UnsafePointer<Float>, transposeB: Bool = false,
        beta: Float = 0,
        c: UnsafeMutablePointer<Float>
    ) {
        sgemm(m: m, n: n, k: k, alpha: alpha, a: a, lda: transposeA ? m : k, transposeA: transposeA,
              b: b, ldb: transposeB ? k : n, transposeB: transposeB, beta: beta, c: c, ldc: n)
    }

    /// `C = alpha · op(A) · op(B) + beta · C` on row-major sub-matrices with explicit leading dimensions.
    ///
    /// Like `sgemm(m:n:k:...)`, but `lda`, `ldb` and `ldc` give the distance (in floats) between
    /// consecutive rows of the stored buffers, so column slices such as one attention head inside a
    /// `[tokens, 3 × width]` projection can be used without copying. Each leading dimension must be at
    /// least the stored row length (`k` or `m` for `a`, `n` or `k` for `b`, `n` for `c`).
    @inlinable
    public static func sgemm(
        m: Int, n: Int, k: Int,
        alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int, transposeA: Bool = false,
        b: UnsafePointer<Float>, ldb: Int, transposeB: Bool = false,
        beta: Float = 0,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        guard m > 0, n > 0 else { return }
        precondition(lda >= (transposeA ? m : k) && ldb >= (transposeB ? k : n) && ldc >= n,
                     "sgemm: a leading dimension is shorter than its row")
        cblas_sgemm(CblasRowMajor,
                    transposeA ? CblasTrans : CblasNoTrans,
                    transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k),
                    alpha, a, Int32(max(lda, 1)), b, Int32(max(ldb, 1)),
                    beta, c, Int32(max(ldc, 1)))
    }

    /// Sets the number of threads OpenBLAS uses for every later call (process-wide).
    public static func setThreadCount(_ count: Int) {
        openblas_set_num_threads(Int32(max(1, count)))
    }

    /// The number of threads OpenBLAS currently uses.
    public static var threadCount: Int { Int(openblas_get_num_threads()) }
}

extension Matrix {
    /// The product `op(self) · op(other)` through BLAS, with optional transposes.
    ///
    /// For example `a.multiplied(by: a, transposeOther: true)` is the Gram matrix `A Aᵀ`.
    public func multiplied(by other: Matrix, transposeSelf: Bool = false, transposeOther: Bool = false) -> Matrix {
        let m = transposeSelf ? columns : rows
        let k = transposeSelf ? rows : columns
        let k2 = transposeOther ? other.columns : other.rows
        let n = transposeOther ? other.rows : other.columns
        precondition(k == k2, "Matrix product: inner dimensions \(k) and \(k2) differ")
        var result = Matrix(rows: m, columns: n)
        if k == 0 || m == 0 || n == 0 { return result }
        values.withUnsafeBufferPointer { a in
            other.values.withUnsafeBufferPointer { b in
                result.values.withUnsafeMutableBufferPointer { c in
                    BLAS.sgemm(m: m, n: n, k: k, a: a.baseAddress!, transposeA: transposeSelf,
                               b: b.baseAddress!, transposeB: transposeOther, c: c.baseAddress!)
                }
            }
        }
        return result
    }
}
