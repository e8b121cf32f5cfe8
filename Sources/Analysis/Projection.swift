import Foundation
import Tensors

/// The leading principal components of a set of points, and the points' coordinates on them.
public struct PrincipalComponents: Sendable, Equatable, Codable {
    /// Number of points N.
    public var sampleCount: Int
    /// The points' mean (d values); the components describe the spread around it.
    public var mean: [Double]
    /// The leading k directions, each a unit vector of d values, by decreasing variance. Sign
    /// convention: the entry of largest magnitude is positive (the first such entry on ties).
    /// Components beyond the data's rank are zero vectors with zero variance.
    public var components: [[Double]]
    /// Variance of the points along each component, with the N − 1 denominator (numpy's
    /// `var(ddof=1)`, scikit-learn's `explained_variance_`); squared embedding units.
    public var explainedVariance: [Double]
    /// Each component's share of `totalVariance`, in [0, 1].
    public var explainedVarianceRatio: [Double]
    /// Total variance of the points (sum over all d directions, N − 1 denominator).
    public var totalVariance: Double
    /// The points' coordinates (N rows of k values): (zᵢ − mean) · componentₖ.
    public var scores: [[Double]]

    enum CodingKeys: String, CodingKey {
        case sampleCount = "sample_count", mean, components, explainedVariance = "explained_variance"
        case explainedVarianceRatio = "explained_variance_ratio", totalVariance = "total_variance", scores
    }

    /// The coordinates of any point (d values) on the components: (p − mean) · componentₖ.
    public func coordinates(of point: [Double]) -> [Double] {
        components.map { component in
            var sum = 0.0
            for j in 0..<min(point.count, component.count, mean.count) { sum += (point[j] - mean[j]) * component[j] }
            return sum
        }
    }
}

/// Linear 2-D (and k-D) projections of embeddings: principal component analysis.
public enum Projection {
    /// Largest number of points accepted.
    public static let maximumSamples = 65_536
    /// Largest dimension accepted (the eigen-problem is min(N, d)² Doubles).
    public static let maximumDimension = 4096

    /// PCA of the rows of `data` (N points × d), the `components` leading ones.
    ///
    /// The eigen-decomposition (Householder tridiagonalisation, then implicit QL, in Double) runs on
    /// whichever is smaller: the covariance (d × d) or the Gram matrix of the centred points
    /// (N × N); both give the same components. Results match numpy's SVD of the centred data up to
    /// rounding, with the sign convention of `PrincipalComponents.components`.
    ///
    /// - Parameters:
    ///   - components: k ≥ 1, clamped to d (a component beyond the rank is a zero vector).
    /// - Throws: `AnalysisError.invalidInput` for no points, no columns or a non-finite value;
    ///   `.invalidArgument` for k < 1 or a size over the limits.
    public static func pca(_ data: Matrix, components: Int = 2) throws(AnalysisError) -> PrincipalComponents {
        let n = data.rows, d = data.columns
        guard n >= 1, d >= 1 else {
            throw AnalysisError(.invalidInput, "PCA needs at least one point with at least one coordinate (got \(n)×\(d))",
                                location: "matrix shape")
        }
        guard components >= 1 else {
            throw AnalysisError(.invalidArgument, "PCA needs at least one component (got \(components))", location: "components")
        }
        guard n <= maximumSamples, d <= maximumDimension else {
            throw AnalysisError(.invalidArgument, "PCA of \(n) points in \(d) dimensions exceeds the limits (\(maximumSamples) points, \(maximumDimension) dimensions)",
                                location: "matrix shape")
        }
        try data.requireFinite("PCA input")
        let k = min(components, d)
        let mean = ModalityGap.centroid(data)
        var centred = [Double](repeating: 0, count: n * d)
        for i in 0..<n { for j in 0..<d { centred[i * d + j] = Double(data.values[i * d + j]) - mean[j] } }
        let denominator = Double(max(n - 1, 1))

        var vectors: [[Double]] = []
        var variances: [Double] = []
        var total = 0.0
        if d <= n {
            let covariance = crossProduct(centred, rows: n, columns: d)
            let (values, eigenvectors) = SymmetricEigenSolver.decompose(covariance, size: d)
            total = values.reduce(0) { $0 + max(0, $1) }
            for index in 0..<k {
                variances.append(max(0, values[index]))
                vectors.append(eigenvectors[index])
            }
        } else {
            let gram = outerProduct(centred, rows: n, columns: d)
            let (values, eigenvectors) = SymmetricEigenSolver.decompose(gram, size: n)
            total = values.reduce(0) { $0 + max(0, $1) }
            for index in 0..<k {
                let value = index < values.count ? max(0, values[index]) : 0
                variances.append(value)
                // v = Zcᵀ u / √μ.
                var vector = [Double](repeating: 0, count: d)
                if index < eigenvectors.count {
                    let u = eigenvectors[index]
                    for i in 0..<n where u[i] != 0 { for j in 0..<d { vector[j] += centred[i * d + j] * u[i] } }
                }
                vectors.append(vector)
            }
        }
        let largest = variances.first ?? 0
        for index in 0..<k {
            if !(variances[index] > 1e-12 * largest && variances[index] > 0) {
                variances[index] = 0
                vectors[index] = [Double](repeating: 0, count: d)
                continue
            }
            vectors[index] = oriented(unit(vectors[index]))
        }
        var scores = [[Double]](repeating: [Double](repeating: 0, count: k), count: n)
        for i in 0..<n {
            for index in 0..<k {
                var sum = 0.0
                for j in 0..<d { sum += centred[i * d + j] * vectors[index][j] }
                scores[i][index] = sum
            }
        }
        return PrincipalComponents(sampleCount: n, mean: mean, components: vectors,
                                   explainedVariance: variances.map { $0 / denominator },
                                   explainedVarianceRatio: variances.map { total > 0 ? min(1, $0 / total) : 0 },
                                   totalVariance: total / denominator, scores: scores)
    }

    /// The share of the total variance of the rows of `data` that lies along `direction`:
    /// Σᵢ((zᵢ − z̄)·u)² / Σᵢ‖zᵢ − z̄‖² with u = direction/‖direction‖, in [0, 1].
    ///
    /// 0 when the points do not spread or the direction is zero (or its length differs from d).
    public static func varianceShare(of data: Matrix, along direction: [Double]) -> Double {
        let n = data.rows, d = data.columns
        guard direction.count == d, n > 0 else { return 0 }
        let length = ModalityGap.norm(direction)
        guard length > ModalityGap.zeroNorm, length.isFinite else { return 0 }
        let mean = ModalityGap.centroid(data)
        var along = 0.0, total = 0.0
        for i in 0..<n {
            var dot = 0.0
            for j in 0..<d {
                let x = Double(data.values[i * d + j]) - mean[j]
                guard x.isFinite else { return 0 }
                dot += x * direction[j]
                total += x * x
            }
            along += (dot / length) * (dot / length)
        }
        return total > 0 ? min(1, along / total) : 0
    }

    /// ZᵀZ (d × d, row-major) of the row-major n × d matrix Z.
    private static func crossProduct(_ z: [Double], rows n: Int, columns d: Int) -> [Double] {
        var result = [Double](repeating: 0, count: d * d)
        for i in 0..<n {
            for a in 0..<d {
                let x = z[i * d + a]
                if x == 0 { continue }
                for b in a..<d { result[a * d + b] += x * z[i * d + b] }
            }
        }
        for a in 0..<d { for b in 0..<a { result[a * d + b] = result[b * d + a] } }
        return result
    }

    /// ZZᵀ (n × n, row-major) of the row-major n × d matrix Z.
    private static func outerProduct(_ z: [Double], rows n: Int, columns d: Int) -> [Double] {
        var result = [Double](repeating: 0, count: n * n)
        for a in 0..<n {
            for b in a..<n {
                var sum = 0.0
                for j in 0..<d { sum += z[a * d + j] * z[b * d + j] }
                result[a * n + b] = sum
                result[b * n + a] = sum
            }
        }
        return result
    }

    /// `v` scaled to unit length (zero stays zero).
    private static func unit(_ v: [Double]) -> [Double] {
        let length = ModalityGap.norm(v)
        return length > 0 ? v.map { $0 / length } : v
    }

    /// `v` or −v, whichever has its largest-magnitude entry (the first on ties) positive.
    static func oriented(_ v: [Double]) -> [Double] {
        var best = 0
        for j in v.indices where abs(v[j]) > abs(v[best]) { best = j }
        return !v.isEmpty && v[best] < 0 ? v.map { -$0 } : v
    }
}

/// All eigenpairs of a real symmetric matrix: Householder reduction to tridiagonal form, then
/// the implicit QL algorithm with Wilkinson-type shifts (the EISPACK `tred2`/`tql2` pair), in Double.
enum SymmetricEigenSolver {
    /// Eigenvalues in descending order and the matching unit eigenvectors (one array of `size` per value).
    ///
    /// `matrix` is row-major `size × size` and symmetric (only symmetric input is meaningful).
    /// The QL sweep for one eigenvalue stops after 64 iterations (never reached by finite input).
    static func decompose(_ matrix: [Double], size n: Int) -> (values: [Double], vectors: [[Double]]) {
        guard n > 0 else { return ([], []) }
        if n == 1 { return ([matrix[0]], [[1]]) }
        var v = matrix
        var d = [Double](repeating: 0, count: n)
        var e = [Double](repeating: 0, count: n)
        tridiagonalize(&v, &d, &e, n)
        diagonalize(&v, &d, &e, n)
        let order = (0..<n).sorted { d[$0] > d[$1] || (d[$0] == d[$1] && $0 < $1) }
        return (order.map { d[$0] }, order.map { Array(v[($0 * n)..<(($0 + 1) * n)]) })
    }

    /// Householder reduction of the symmetric `v` to tridiagonal form: diagonal `d`, subdiagonal
    /// `e` (e[0] = 0); `v` becomes the orthogonal transformation, one vector per row.
    ///
    /// This is EISPACK's `tred2` on the transposed storage (element (r, c) of its working matrix
    /// lives at v[c·n + r]; the input is symmetric, so it starts the same), which turns its
    /// column walks into contiguous row walks.
    private static func tridiagonalize(_ v: inout [Double], _ d: inout [Double], _ e: inout [Double], _ n: Int) {
        for j in 0..<n { d[j] = v[j * n + n - 1] }
        for i in stride(from: n - 1, to: 0, by: -1) {
            var scale = 0.0, h = 0.0
            for k in 0..<i { scale += abs(d[k]) }
            if scale == 0 {
                e[i] = d[i - 1]
                for j in 0..<i {
                    d[j] = v[j * n + i - 1]
                    v[j * n + i] = 0
                    v[i * n + j] = 0
                }
            } else {
                for k in 0..<i {
                    d[k] /= scale
                    h += d[k] * d[k]
                }
                var f = d[i - 1]
                var g = h.squareRoot()
                if f > 0 { g = -g }
                e[i] = scale * g
                h -= f * g
                d[i - 1] = f - g
                for j in 0..<i { e[j] = 0 }
                for j in 0..<i {
                    f = d[j]
                    v[i * n + j] = f
                    g = e[j] + v[j * n + j] * f
                    var k = j + 1
                    while k <= i - 1 {
                        g += v[j * n + k] * d[k]
                        e[k] += v[j * n + k] * f
                        k += 1
                    }
                    e[j] = g
                }
                f = 0
                for j in 0..<i {
                    e[j] /= h
                    f += e[j] * d[j]
                }
                let hh = f / (h + h)
                for j in 0..<i { e[j] -= hh * d[j] }
                for j in 0..<i {
                    f = d[j]
                    g = e[j]
                    for k in j..<i { v[j * n + k] -= f * e[k] + g * d[k] }
                    d[j] = v[j * n + i - 1]
                    v[j * n + i] = 0
                }
            }
            d[i] = h
        }
        // Accumulate the transformations.
        for i in 0..<(n - 1) {
            v[i * n + n - 1] = v[i * n + i]
            v[i * n + i] = 1
            let h = d[i + 1]
            if h != 0 {
                for k in 0...i { d[k] = v[(i + 1) * n + k] / h }
                for j in 0...i {
                    var g = 0.0
                    for k in 0...i { g += v[(i + 1) * n + k] * v[j * n + k] }
                    for k in 0...i { v[j * n + k] -= g * d[k] }
                }
            }
            for k in 0...i { v[(i + 1) * n + k] = 0 }
        }
        for j in 0..<n {
            d[j] = v[j * n + n - 1]
            v[j * n + n - 1] = 0
        }
        v[(n - 1) * n + n - 1] = 1
        e[0] = 0
    }

    /// Implicit QL iterations on the tridiagonal (`d`, `e`); `w` holds the transformation with
    /// one vector per row and accumulates the rotations. On return `d` holds the eigenvalues.
    private static func diagonalize(_ w: inout [Double], _ d: inout [Double], _ e: inout [Double], _ n: Int) {
        for i in 1..<n { e[i - 1] = e[i] }
        e[n - 1] = 0
        var f = 0.0, tst1 = 0.0
        let eps = Double.ulpOfOne
        for l in 0..<n {
            tst1 = max(tst1, abs(d[l]) + abs(e[l]))
            var m = l
            while m < n - 1 && abs(e[m]) > eps * tst1 { m += 1 }
            if m > l {
                var iterations = 0
                repeat {
                    iterations += 1
                    var g = d[l]
                    var p = (d[l + 1] - g) / (2 * e[l])
                    var r = hypot(p, 1)
                    if p < 0 { r = -r }
                    d[l] = e[l] / (p + r)
                    d[l + 1] = e[l] * (p + r)
                    let dl1 = d[l + 1]
                    var h = g - d[l]
                    for i in (l + 2)..<max(l + 2, n) { d[i] -= h }
                    f += h
                    p = d[m]
                    var c = 1.0, c2 = 1.0, c3 = 1.0
                    let el1 = e[l + 1]
                    var s = 0.0, s2 = 0.0
                    for i in stride(from: m - 1, through: l, by: -1) {
                        c3 = c2
                        c2 = c
                        s2 = s
                        g = c * e[i]
                        h = c * p
                        r = hypot(p, e[i])
                        e[i + 1] = s * r
                        s = e[i] / r
                        c = p / r
                        p = c * d[i] - s * g
                        d[i + 1] = h + s * (c * g + s * d[i])
                        // Rotate vectors i and i + 1.
                        let rowI = i * n, rowNext = (i + 1) * n
                        for k in 0..<n {
                            let a = w[rowNext + k], b = w[rowI + k]
                            w[rowNext + k] = s * b + c * a
                            w[rowI + k] = c * b - s * a
                        }
                    }
                    p = -s * s2 * c3 * el1 * e[l] / dl1
                    e[l] = s * p
                    d[l] = c * p
                } while abs(e[l]) > eps * tst1 && iterations < 64
            }
            d[l] += f
            e[l] = 0
        }
    }
}
