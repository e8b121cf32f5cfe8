import Tensors

/// One model's numbers in a comparison row.
public struct ComparisonCell: Codable, Sendable, Equatable {
    /// The finding's verdict.
    public var detected: Bool
    /// The finding's score (units as in its `statistic`).
    public var score: Double
    /// The finding's effect (normalised units).
    public var effect: Double
    /// The finding's p-value, if any.
    public var pValue: Double?
    /// The finding's value (e.g. a threshold), if any.
    public var value: Double?
    /// The finding's interval, if any.
    public var ci: [Double]?
    /// The control verdict, for rotation findings that were checked.
    public var control: ControlCheck.Verdict?

    init(_ finding: Finding) {
        detected = finding.detected
        score = finding.score
        effect = finding.effect
        pValue = finding.pValue
        value = finding.value
        ci = finding.ci
        control = finding.control?.verdict
    }

    enum CodingKeys: String, CodingKey {
        case detected, score, effect
        case pValue = "p_value"
        case value, ci, control
    }
}

/// One row of the comparison: a (image, preset, detector, component) and every model's cell.
public struct ComparisonRow: Codable, Sendable, Equatable {
    /// The image the row is about (nil: not labelled).
    public var image: String?
    /// The preset (nil: not labelled).
    public var preset: String?
    /// The detector.
    public var detector: DetectorKind
    /// The component (nil: the detector's headline).
    public var component: String?
    /// The unit of `value` in the cells.
    public var unit: String?
    /// One cell per model, aligned with `ComparisonTable.models` (nil: that model lacks the row).
    public var cells: [ComparisonCell?]
}

/// Every score of several encoders side by side: one row per (image, preset, detector,
/// component), one column per model.
public struct ComparisonTable: Codable, Sendable, Equatable {
    /// Model names, sorted.
    public var models: [String]
    /// Rows sorted by image, preset, detector, component (headline first).
    public var rows: [ComparisonRow]

    /// Builds the table from findings of several models (each with `model` set; findings
    /// without a model are grouped under "").
    public init(findings: [Finding]) {
        models = Array(Set(findings.map { $0.model ?? "" })).sorted()
        struct Key: Hashable { var image: String?, preset: String?, detector: DetectorKind, component: String? }
        var byKey: [Key: [String: Finding]] = [:]
        var units: [Key: String] = [:]
        for finding in findings {
            let key = Key(image: finding.image, preset: finding.preset, detector: finding.detector, component: finding.component)
            byKey[key, default: [:]][finding.model ?? ""] = finding
            if let unit = finding.unit { units[key] = unit }
        }
        let keys = byKey.keys.sorted { a, b in
            let left = [a.image ?? "", a.preset ?? "", a.detector.rawValue, a.component ?? ""]
            let right = [b.image ?? "", b.preset ?? "", b.detector.rawValue, b.component ?? ""]
            return left.lexicographicallyPrecedes(right)
        }
        let modelList = models
        rows = keys.map { key in
            ComparisonRow(image: key.image, preset: key.preset, detector: key.detector, component: key.component,
                          unit: units[key], cells: modelList.map { byKey[key]?[$0].map(ComparisonCell.init) })
        }
    }
}

/// Summary numbers of a difference matrix.
public struct DifferenceSummary: Codable, Sendable, Equatable {
    /// Mean of |A − B| over all cells.
    public var meanAbsolute: Double
    /// Root mean square of A − B.
    public var rootMeanSquare: Double
    /// Largest |A − B| and where (row, column).
    public var maxAbsolute: Double
    /// Row of the largest |A − B|.
    public var maxRow: Int
    /// Column of the largest |A − B|.
    public var maxColumn: Int

    enum CodingKeys: String, CodingKey {
        case meanAbsolute = "mean_absolute"
        case rootMeanSquare = "root_mean_square"
        case maxAbsolute = "max_absolute"
        case maxRow = "max_row"
        case maxColumn = "max_column"
    }
}

/// The difference of two models' similarity matrices over the same sweep (model A − model B).
public struct SimilarityDifference: Sendable {
    /// A − B in raw cosine.
    public let raw: Matrix
    /// normalise_A(A) − normalise_B(B): each model in its own normalised units, so the cone
    /// effects of the two encoders do not masquerade as differences.
    public let normalized: Matrix
    /// Summary of `raw`.
    public let rawSummary: DifferenceSummary
    /// Summary of `normalized`.
    public let normalizedSummary: DifferenceSummary

    /// Computes both difference matrices.
    ///
    /// - Throws: `AnalysisError.invalidInput` when the shapes differ or a value is not finite.
    public init(a: Matrix, baselineA: UnrelatedBaseline, b: Matrix, baselineB: UnrelatedBaseline) throws(AnalysisError) {
        guard a.rows == b.rows, a.columns == b.columns else {
            throw AnalysisError(.invalidInput, "similarity matrices of \(a.rows)×\(a.columns) and \(b.rows)×\(b.columns) cannot be subtracted",
                                location: "matrix shape")
        }
        try a.requireFinite("model A similarity matrix")
        try b.requireFinite("model B similarity matrix")
        var raw = Matrix(rows: a.rows, columns: a.columns)
        var normalized = Matrix(rows: a.rows, columns: a.columns)
        for index in 0..<a.values.count {
            let x = Double(a.values[index]), y = Double(b.values[index])
            raw.values[index] = Float(x - y)
            normalized.values[index] = Float(baselineA.normalize(x) - baselineB.normalize(y))
        }
        self.raw = raw
        self.normalized = normalized
        rawSummary = Self.summary(raw)
        normalizedSummary = Self.summary(normalized)
    }

    static func summary(_ m: Matrix) -> DifferenceSummary {
        var sumAbs = 0.0, sumSquares = 0.0, maxAbs = -1.0, maxIndex = 0
        for (index, value) in m.values.enumerated() {
            let x = Double(value)
            sumAbs += abs(x)
            sumSquares += x * x
            if abs(x) > maxAbs { maxAbs = abs(x); maxIndex = index }
        }
        let count = Double(max(1, m.values.count))
        let columns = max(1, m.columns)
        return DifferenceSummary(meanAbsolute: sumAbs / count, rootMeanSquare: (sumSquares / count).squareRoot(),
                                 maxAbsolute: max(0, maxAbs), maxRow: maxIndex / columns, maxColumn: maxIndex % columns)
    }
}
