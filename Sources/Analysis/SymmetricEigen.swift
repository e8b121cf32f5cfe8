import Foundation
import Tensors

/// Eigen-decompositions of real symmetric matrices.
enum SymmetricEigen {
    /// All eigenpairs of a small symmetric `n × n` matrix (row-major Double) by cyclic Jacobi
    /// rotations; eigenvalues descending, eigenvectors as rows of `vectors` (unit length).
    static func jacobi(_ matrix: [Double], n: Int) -> (values: [Double], vectors: [[Double]]) {
        var a = matrix
        var v = [Double](repeating: 0, count: n * n)
        for i in 0..<n { v[i * n + i] = 1 }
        for _ in 0..<100 {
            var off = 0.0
            for i in 0..<n { for j in (i + 1)..<max(i + 1, n) { off += a[i * n + j] * a[i * n + j] } }
            if off < 1e-30 { break }
            for p in 0..<n {
                for q in (p + 1)..<max(p + 1, n) {
                    let apq = a[p * n + q]
                    if abs(apq) < 1e-300 { continue }
                    let theta = (a[q * n + q] - a[p * n + p]) / (2 * apq)
                    let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot()
                    let s = t * c
                    for k in 0..<n {
                        let akp = a[k * n + p], akq = a[k * n + q]
                        a[k * n + p] = c * akp - s * akq
                        a[k * n + q] = s * akp + c * akq
                    }
                    for k in 0..<n {
                        let apk = a[p * n + k], aqk = a[q * n + k]
                        a[p * n + k] = c * apk - s * aqk
                        a[q * n + k] = s * apk + c * aqk
                    }
                    for k in 0..<n {
                        let vkp = v[k * n + p], vkq = v[k * n + q]
                        v[k * n + p] = c * vkp - s * vkq
                        v[k * n + q] = s * vkp + c * vkq
                    }
                }
            }
        }
        let order = (0..<n).sorted { a[$0 * n + $0] > a[$1 * n + $1] || (a[$0 * n + $0] == a[$1 * n + $1] && $0 < $1) }
        let values = order.map { a[$0 * n + $0] }
        let vectors = order.map { column in (0..<n).map { v[$0 * n + column] } }
        return (values, vectors)
    }

    /// The `count` eigenpairs of largest |eigenvalue| of the symmetric `n × n` matrix, by
    /// subspace iteration on its square (computed once; block size count + 2, fixed iteration
    /// count, fixed seeded start) followed by a Rayleigh–Ritz step, so the result is deterministic. When
    /// eigenvalues are not well separated the vectors span the dominant subspace approximately.
    ///
    /// Vectors are unit length with the sign chosen so the largest-magnitude entry is positive.
    /// A zero matrix gives zero eigenvalues and zero vectors.
    static func dominant(_ matrix: Matrix, count: Int, iterations: Int = 40, seed: UInt64 = 0x5EED_E16E)
        -> [(value: Double, vector: [Double])] {
        let n = matrix.rows
        let block = min(n, count + 2)
        guard n > 0, block > 0 else { return [] }
        var random = SeededRandom(seed: seed)
        var q = Matrix(rows: n, columns: block, values: (0..<(n * block)).map { _ in Float(random.nextGaussian()) })
        guard orthonormalizeColumns(&q) else { return zeroPairs(n: n, count: count) }
        let square = matrix.multiplied(by: matrix)
        for _ in 0..<iterations {
            var z = square.multiplied(by: q)
            if !orthonormalizeColumns(&z) { return zeroPairs(n: n, count: count) }
            q = z
        }
        // Rayleigh–Ritz: T = Qᵀ M Q (block × block).
        let mq = matrix.multiplied(by: q)
        let t = q.multiplied(by: mq, transposeSelf: true)
        var small = [Double](repeating: 0, count: block * block)
        for i in 0..<block { for j in 0..<block { small[i * block + j] = 0.5 * Double(t[i, j] + t[j, i]) } }
        let (values, vectors) = jacobi(small, n: block)
        let order = (0..<block).sorted { abs(values[$0]) > abs(values[$1]) || (abs(values[$0]) == abs(values[$1]) && $0 < $1) }
        var result: [(value: Double, vector: [Double])] = []
        for index in order.prefix(count) {
            var vector = [Double](repeating: 0, count: n)
            for row in 0..<n {
                var sum = 0.0
                for j in 0..<block { sum += Double(q[row, j]) * vectors[index][j] }
                vector[row] = sum
            }
            let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
            if norm > 0 { vector = vector.map { $0 / norm } }
            if let largest = vector.indices.max(by: { abs(vector[$0]) < abs(vector[$1]) }), vector[largest] < 0 {
                vector = vector.map { -$0 }
            }
            result.append((values[index], vector))
        }
        return result
    }

    private static func zeroPairs(n: Int, count: Int) -> [(value: Double, vector: [Double])] {
        Array(repeating: (0, [Double](repeating: 0, count: n)), count: count)
    }

    /// Modified Gram–Schmidt on the columns (in Double); columns that vanish are replaced by a
    /// deterministic unit vector orthogonal to the previous ones when possible. Returns false if
    /// the first column is zero (the matrix is numerically zero).
    private static func orthonormalizeColumns(_ m: inout Matrix) -> Bool {
        let n = m.rows, b = m.columns
        var columns = (0..<b).map { j in (0..<n).map { Double(m[$0, j]) } }
        var scale = 0.0
        for column in columns { for x in column { scale = max(scale, abs(x)) } }
        guard scale > 0, scale.isFinite else { return false }
        for j in 0..<b {
            for _ in 0..<2 {  // twice: classical re-orthogonalisation
                for i in 0..<j {
                    let dot = zip(columns[i], columns[j]).reduce(0) { $0 + $1.0 * $1.1 }
                    for r in 0..<n { columns[j][r] -= dot * columns[i][r] }
                }
            }
            var norm = columns[j].reduce(0) { $0 + $1 * $1 }.squareRoot()
            if !(norm > 1e-12 * scale) {
                // Replace a collapsed column by a basis vector, then re-orthogonalise.
                columns[j] = (0..<n).map { $0 == j % n ? 1 : 0 }
                for i in 0..<j {
                    let dot = zip(columns[i], columns[j]).reduce(0) { $0 + $1.0 * $1.1 }
                    for r in 0..<n { columns[j][r] -= dot * columns[i][r] }
                }
                norm = columns[j].reduce(0) { $0 + $1 * $1 }.squareRoot()
                if !(norm > 0) { norm = 1 }
                if j == 0 { return false }
            }
            for r in 0..<n { columns[j][r] /= norm }
        }
        for j in 0..<b { for r in 0..<n { m[r, j] = Float(columns[j][r]) } }
        return true
    }
}
