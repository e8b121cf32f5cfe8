import Tensors

/// Embeddings scaled to unit length, with the rows that could not be scaled marked.
public struct UnitEmbeddings: Sendable {
    /// One row per item; unit length, or all zeros for a degenerate row.
    public let matrix: Matrix
    /// `true` for rows that were degenerate (zero norm, rounding residue or non-finite values).
    public let isDegenerate: [Bool]
    /// One warning per kind of degenerate row found.
    public let warnings: [AnalysisWarning]
}

/// A similarity matrix with the warnings its computation produced.
public struct SimilarityMatrix: Sendable {
    /// Cosine similarities in [−1, 1]; never NaN.
    public let matrix: Matrix
    /// Degenerate rows and how they were treated.
    public let warnings: [AnalysisWarning]
}

/// The four blocks of the joint image + caption similarity matrix.
public struct SimilarityQuadrants: Sendable {
    /// Image–image cosines (n × n).
    public let imageImage: Matrix
    /// Image–text cosines (n × m): row i = image i, column j = text j.
    public let imageText: Matrix
    /// Text–image cosines (m × n), the transpose of `imageText`.
    public let textImage: Matrix
    /// Text–text cosines (m × m).
    public let textText: Matrix
    /// Degenerate rows on either side.
    public let warnings: [AnalysisWarning]

    /// The joint (n + m) × (n + m) matrix: images first, then texts.
    public func joint() -> Matrix {
        let n = imageImage.rows, m = textText.rows
        var result = Matrix(rows: n + m, columns: n + m)
        for i in 0..<n {
            for j in 0..<n { result[i, j] = imageImage[i, j] }
            for j in 0..<m { result[i, n + j] = imageText[i, j] }
        }
        for i in 0..<m {
            for j in 0..<n { result[n + i, j] = textImage[i, j] }
            for j in 0..<m { result[n + i, n + j] = textText[i, j] }
        }
        return result
    }
}

/// L2 normalisation and cosine similarity through BLAS, with a defined result for degenerate rows.
///
/// **Degenerate rows.** A row is degenerate when it holds a non-finite value, when its
/// root-mean-square value is at most `rmsTolerance` (1e-6: float32 rounding residue of values of
/// order one, e.g. the centred pixels of a flat grey image), or when its norm is at most
/// `relativeTolerance` (1e-6) times the largest row norm of the same matrix. Such a row is set to
/// zero and gets this similarity: **1 with another degenerate row** (the encoder maps both to the
/// same point and cannot tell them apart) and **0 with every other row**. A warning lists them.
/// Cosines are clamped to [−1, 1]; no output is ever NaN.
public enum Similarity {
    /// Rows whose root-mean-square value is at or below this are degenerate.
    public static let rmsTolerance: Double = 1e-6
    /// Rows whose norm is at or below this fraction of the largest row norm are degenerate.
    public static let relativeTolerance: Double = 1e-6

    /// Scales every row of `embeddings` to unit length; `label` names them in warnings.
    public static func unitRows(_ embeddings: Matrix, label: String = "embeddings") -> UnitEmbeddings {
        let rows = embeddings.rows, d = embeddings.columns
        var norms = [Double](repeating: 0, count: rows)
        var nonFinite = [Bool](repeating: false, count: rows)
        for i in 0..<rows {
            var sum = 0.0
            for j in 0..<d {
                let x = Double(embeddings.values[i * d + j])
                if !x.isFinite { nonFinite[i] = true; break }
                sum += x * x
            }
            norms[i] = nonFinite[i] ? 0 : sum.squareRoot()
        }
        let largest = norms.max() ?? 0
        let dimensionRoot = Double(max(d, 1)).squareRoot()
        var degenerate = [Bool](repeating: false, count: rows)
        var result = Matrix(rows: rows, columns: d)
        for i in 0..<rows {
            let norm = norms[i]
            if nonFinite[i] || !(norm / dimensionRoot > rmsTolerance) || !(norm > relativeTolerance * largest) {
                degenerate[i] = true
                continue
            }
            let inverse = 1 / norm
            for j in 0..<d { result.values[i * d + j] = Float(Double(embeddings.values[i * d + j]) * inverse) }
        }
        var warnings: [AnalysisWarning] = []
        let zeroRows = (0..<rows).filter { degenerate[$0] && !nonFinite[$0] }
        let badRows = (0..<rows).filter { nonFinite[$0] }
        if !zeroRows.isEmpty {
            warnings.append(AnalysisWarning(
                code: "zero-norm-embedding",
                message: "\(label): \(zeroRows.count) of \(rows) rows have (near-)zero norm (rows \(listed(zeroRows))); "
                    + "they get similarity 1 with each other and 0 with every other row"))
        }
        if !badRows.isEmpty {
            warnings.append(AnalysisWarning(
                code: "non-finite-embedding",
                message: "\(label): \(badRows.count) of \(rows) rows contain NaN or infinite values (rows \(listed(badRows))); "
                    + "they are treated as zero-norm rows"))
        }
        return UnitEmbeddings(matrix: result, isDegenerate: degenerate, warnings: warnings)
    }

    /// Cosines between the rows of `a` and of `b` (`a.rows × b.rows`) through BLAS, with the
    /// degenerate-row rule applied and values clamped to [−1, 1].
    ///
    /// - Throws: `AnalysisError.invalidInput` when the two embedding dimensions differ.
    public static func cosine(_ a: UnitEmbeddings, _ b: UnitEmbeddings) throws(AnalysisError) -> Matrix {
        guard a.matrix.columns == b.matrix.columns else {
            throw AnalysisError(.invalidInput, "embeddings of dimension \(a.matrix.columns) and \(b.matrix.columns) cannot be compared",
                                location: "embedding dimension")
        }
        return product(a, b)
    }

    /// `cosine` for operands known to have the same dimension.
    static func product(_ a: UnitEmbeddings, _ b: UnitEmbeddings) -> Matrix {
        var product = a.matrix.multiplied(by: b.matrix, transposeOther: true)
        let columns = product.columns
        for i in 0..<product.rows {
            for j in 0..<columns {
                let index = i * columns + j
                if a.isDegenerate[i] || b.isDegenerate[j] {
                    product.values[index] = (a.isDegenerate[i] && b.isDegenerate[j]) ? 1 : 0
                } else {
                    let x = product.values[index]
                    product.values[index] = x.isFinite ? min(1, max(-1, x)) : 0
                }
            }
        }
        return product
    }

    /// `product(unit, unit)` with the diagonal set to exactly 1 (rounding leaves it a little off).
    static func selfProduct(_ unit: UnitEmbeddings) -> Matrix {
        var matrix = product(unit, unit)
        for i in 0..<matrix.rows { matrix[i, i] = 1 }
        return matrix
    }

    /// The `n × n` cosine matrix of one set of embeddings (diagonal exactly 1).
    public static func cosineMatrix(_ embeddings: Matrix, label: String = "embeddings") -> SimilarityMatrix {
        let unit = unitRows(embeddings, label: label)
        return SimilarityMatrix(matrix: selfProduct(unit), warnings: unit.warnings)
    }

    /// The four quadrants of the joint similarity of `images` (n × d) and caption `texts` (m × d).
    ///
    /// - Throws: `AnalysisError.invalidInput` when the two embedding dimensions differ.
    public static func quadrants(images: Matrix, texts: Matrix) throws(AnalysisError) -> SimilarityQuadrants {
        guard images.columns == texts.columns else {
            throw AnalysisError(.invalidInput,
                                "image embeddings have dimension \(images.columns) but text embeddings \(texts.columns)",
                                location: "embedding dimension")
        }
        let unitImages = unitRows(images, label: "image embeddings")
        let unitTexts = unitRows(texts, label: "text embeddings")
        let imageImage = selfProduct(unitImages)
        let textText = selfProduct(unitTexts)
        let imageText = product(unitImages, unitTexts)
        var textImage = Matrix(rows: imageText.columns, columns: imageText.rows)
        for i in 0..<imageText.rows { for j in 0..<imageText.columns { textImage[j, i] = imageText[i, j] } }
        return SimilarityQuadrants(imageImage: imageImage, imageText: imageText, textImage: textImage,
                                   textText: textText, warnings: unitImages.warnings + unitTexts.warnings)
    }

    /// "0, 3, 7" or "0, 1, 2, … (12 rows)" for long lists.
    static func listed(_ rows: [Int]) -> String {
        if rows.count <= 8 { return rows.map(String.init).joined(separator: ", ") }
        return rows.prefix(6).map(String.init).joined(separator: ", ") + ", …"
    }
}

extension Matrix {
    /// Checks that every value is finite; otherwise throws naming the first bad cell.
    func requireFinite(_ name: String) throws(AnalysisError) {
        for (index, value) in values.enumerated() where !value.isFinite {
            throw AnalysisError(.invalidInput, "\(name) contains a non-finite value",
                                location: "row \(index / Swift.max(columns, 1)), column \(index % Swift.max(columns, 1))")
        }
    }

    /// Checks the matrix is `n × n`.
    func requireSquare(_ name: String, size n: Int) throws(AnalysisError) {
        guard rows == n, columns == n else {
            throw AnalysisError(.invalidInput, "\(name) is \(rows)×\(columns) but the sweep has \(n) variants",
                                location: "matrix shape")
        }
    }

    /// The symmetrised matrix (M + Mᵀ)/2 in Double, row-major.
    func symmetrizedDoubles() -> [Double] {
        let n = rows
        var result = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0..<n {
                result[i * n + j] = 0.5 * (Double(values[i * n + j]) + Double(values[j * n + i]))
            }
        }
        return result
    }
}
