import Tensors

/// The "unrelated images" baseline of one encoder: how similar embeddings of *different* source
/// images are, so invariance figures can be given in normalised units.
///
/// CLIP-like encoders put all images in a narrow cone, so even unrelated images have cosines far
/// above 0. Every invariance figure is therefore also reported as
/// `(s − s_unrelated) / (1 − s_unrelated)` (0 = as similar as an unrelated image, 1 = identical),
/// and every difference of similarities divided by `1 − s_unrelated`.
public struct UnrelatedBaseline: Codable, Sendable, Equatable {
    /// Mean cosine between embeddings of different source images (`s_unrelated`).
    public var mean: Double
    /// Standard deviation of those cosines (0 when fewer than two pairs).
    public var standardDeviation: Double
    /// Number of cross-source pairs averaged.
    public var pairCount: Int
    /// Number of distinct source images.
    public var sourceCount: Int
    /// Anything unusual (too few sources, a baseline too close to 1).
    public var warnings: [AnalysisWarning]

    /// The largest baseline used for normalisation; a higher one is clamped (with a warning)
    /// so `1 − s_unrelated` never vanishes.
    public static let maximumForNormalization = 0.99

    /// A baseline from known figures (normally built by `estimate`); a mean above 0.99 adds a warning.
    public init(mean: Double, standardDeviation: Double, pairCount: Int, sourceCount: Int,
                warnings: [AnalysisWarning] = []) {
        self.mean = Finite.value(mean)
        self.standardDeviation = Finite.value(max(0, standardDeviation))
        self.pairCount = max(0, pairCount)
        self.sourceCount = max(0, sourceCount)
        self.warnings = warnings
        if self.mean > Self.maximumForNormalization {
            self.warnings.append(AnalysisWarning(
                code: "baseline-near-one",
                message: "unrelated images have mean similarity \(self.mean); normalisation uses \(Self.maximumForNormalization)"))
        }
    }

    /// No unrelated images available: normalised figures equal raw cosines and tests that need
    /// the baseline's spread report no p-value.
    public static let uncalibrated = UnrelatedBaseline(
        mean: 0, standardDeviation: 0, pairCount: 0, sourceCount: 0,
        warnings: [AnalysisWarning(code: "no-baseline",
                                   message: "no unrelated images: normalised figures equal raw cosines")])

    /// Whether the baseline was measured (at least one cross-source pair).
    public var isCalibrated: Bool { pairCount > 0 }

    /// The baseline value used in normalisation (the mean, clamped to at most 0.99).
    public var reference: Double { min(mean, Self.maximumForNormalization) }

    /// `(s − s_unrelated) / (1 − s_unrelated)`: 0 = like an unrelated image, 1 = identical.
    public func normalize(_ similarity: Double) -> Double {
        (similarity - reference) / (1 - reference)
    }

    /// A difference of similarities in normalised units: `Δs / (1 − s_unrelated)`.
    public func normalizeDifference(_ difference: Double) -> Double {
        difference / (1 - reference)
    }

    /// Measures the baseline from embeddings of several source images.
    ///
    /// `sources[i]` names the source image of row i (any integers). Pairs of rows from different
    /// sources are averaged; at most `maxRowsPerSource` rows per source are used (evenly spaced,
    /// deterministic) so large sweeps stay cheap. Degenerate rows follow `Similarity`'s rule.
    ///
    /// - Throws: `AnalysisError.invalidInput` when `sources` does not have one entry per row.
    public static func estimate(embeddings: Matrix, sources: [Int], maxRowsPerSource: Int = 64)
        throws(AnalysisError) -> UnrelatedBaseline {
        guard sources.count == embeddings.rows else {
            throw AnalysisError(.invalidInput, "\(sources.count) source labels for \(embeddings.rows) embeddings",
                                location: "sources")
        }
        let chosen = subsample(sources: sources, perSource: max(1, maxRowsPerSource))
        let rows = Matrix(stacking: chosen.map { embeddings.row($0) }, columns: embeddings.columns)
        let similarity = Similarity.cosineMatrix(rows, label: "baseline embeddings")
        var result = try estimate(similarities: similarity.matrix, sources: chosen.map { sources[$0] })
        result.warnings = similarity.warnings + result.warnings
        return result
    }

    /// Measures the baseline from a precomputed similarity matrix and the source of each row.
    ///
    /// - Throws: `AnalysisError.invalidInput` for a non-square matrix, a label count that does
    ///   not match, or non-finite similarities.
    public static func estimate(similarities: Matrix, sources: [Int]) throws(AnalysisError) -> UnrelatedBaseline {
        guard similarities.rows == similarities.columns, sources.count == similarities.rows else {
            throw AnalysisError(.invalidInput,
                                "similarity matrix is \(similarities.rows)×\(similarities.columns) with \(sources.count) source labels",
                                location: "baseline input")
        }
        try similarities.requireFinite("baseline similarity matrix")
        var sum = 0.0, sumSquares = 0.0, count = 0
        let n = similarities.rows
        for i in 0..<n {
            for j in (i + 1)..<max(i + 1, n) where sources[i] != sources[j] {
                let value = 0.5 * (Double(similarities[i, j]) + Double(similarities[j, i]))
                sum += value
                sumSquares += value * value
                count += 1
            }
        }
        let sourceCount = Set(sources).count
        guard count > 0 else {
            var none = UnrelatedBaseline.uncalibrated
            none.sourceCount = sourceCount
            none.warnings = [AnalysisWarning(code: "no-baseline",
                                             message: "only \(sourceCount) source image(s): no unrelated pairs, normalised figures equal raw cosines")]
            return none
        }
        let mean = sum / Double(count)
        let variance = count > 1 ? max(0, (sumSquares - Double(count) * mean * mean) / Double(count - 1)) : 0
        var warnings: [AnalysisWarning] = []
        if sourceCount < 3 {
            warnings.append(AnalysisWarning(code: "few-baseline-sources",
                                            message: "baseline from only \(sourceCount) source images; add more images for a stable baseline"))
        }
        return UnrelatedBaseline(mean: mean, standardDeviation: variance.squareRoot(), pairCount: count,
                                 sourceCount: sourceCount, warnings: warnings)
    }

    /// Row indices: for each source (in order of first appearance) at most `perSource` rows,
    /// evenly spaced through that source's rows.
    static func subsample(sources: [Int], perSource: Int) -> [Int] {
        var order: [Int] = []
        var rowsBySource: [Int: [Int]] = [:]
        for (row, source) in sources.enumerated() {
            if rowsBySource[source] == nil { order.append(source) }
            rowsBySource[source, default: []].append(row)
        }
        var chosen: [Int] = []
        for source in order {
            let rows = rowsBySource[source] ?? []
            if rows.count <= perSource {
                chosen += rows
            } else {
                for k in 0..<perSource { chosen.append(rows[k * rows.count / perSource]) }
            }
        }
        return chosen.sorted()
    }
}
