import Analysis

/// The value range a colormap spans: `minimum` gets the first colour, `maximum` the last.
///
/// Mapping is matplotlib's `Normalize(vmin, vmax)`: `(v − minimum) / (maximum − minimum)`,
/// computed in Double; values outside the range take the end colours, NaN the map's NaN colour.
///
/// **Defaults, and why.** Similarity heatmaps use `similarity(values:baseline:)`: with a
/// measured unrelated-images baseline b the range is the fixed [b, 1] of raw cosine, i.e. [0, 1]
/// in normalised units `(s − b) / (1 − b)`: the bottom colour means "as similar as two unrelated
/// images", the top "identical". CLIP-like encoders put every image in a narrow cone (unrelated
/// images often have cosines of 0.5–0.8), so a fixed raw range such as [−1, 1] would squeeze a
/// whole heatmap into a few colours, while a per-matrix data range would stretch every model to
/// full contrast and hide which one actually varies more. The baseline range is both: fully
/// used and comparable across models (the same colour is the same fraction of the way from
/// unrelated to identical). Without a baseline (one source image) there is no such reference and
/// the data range is used, which the colour bar's labels then state. Difference matrices use
/// `symmetric(values:)` with the diverging map: ±max|d|, so 0 is the centre colour.
public struct ColorScale: Sendable, Equatable, Codable {
    /// The value mapped to the first colour.
    public let minimum: Double
    /// The value mapped to the last colour (> `minimum`).
    public let maximum: Double
    /// What the colours measure and how the range was chosen, for colour bars (e.g.
    /// "cosine similarity; range [b, 1]: unrelated-images baseline to identical").
    public let label: String

    /// A fixed range.
    ///
    /// - Throws: `ReportError.invalidArgument` unless both ends are finite and `minimum < maximum`.
    public init(minimum: Double, maximum: Double, label: String = "") throws(ReportError) {
        guard minimum.isFinite, maximum.isFinite, minimum < maximum else {
            throw ReportError(.invalidArgument, "a colour scale needs finite ends with minimum < maximum (got \(minimum) ... \(maximum))",
                              location: "color scale")
        }
        self.minimum = minimum
        self.maximum = maximum
        self.label = label
    }

    /// A range already known to be valid.
    init(checkedMinimum minimum: Double, maximum: Double, label: String) {
        self.minimum = minimum
        self.maximum = maximum
        self.label = label
    }

    /// The normalised position of `value`: 0 at `minimum`, 1 at `maximum` (not clamped).
    public func normalized(_ value: Double) -> Double {
        (value - minimum) / (maximum - minimum)
    }

    /// The smallest and largest finite values (nil when there are none).
    static func finiteRange<Values: Sequence>(_ values: Values) -> (Double, Double)? where Values.Element == Float {
        var low = Double.infinity, high = -Double.infinity
        for value in values where value.isFinite {
            low = min(low, Double(value))
            high = max(high, Double(value))
        }
        return low <= high ? (low, high) : nil
    }

    /// The range of the finite values.
    ///
    /// A constant matrix gets [c − 0.5, c + 0.5] (every cell the middle colour); no finite value
    /// at all gives [0, 1].
    public static func dataRange<Values: Sequence>(of values: Values, label: String = "data range") -> ColorScale
    where Values.Element == Float {
        guard let (low, high) = finiteRange(values) else {
            return ColorScale(checkedMinimum: 0, maximum: 1, label: label + " (no finite values)")
        }
        if high - low <= 1e-12 * max(1, abs(low)) {
            return ColorScale(checkedMinimum: low - 0.5, maximum: high + 0.5, label: label + " (constant)")
        }
        return ColorScale(checkedMinimum: low, maximum: high, label: label)
    }

    /// The default range of a cosine similarity heatmap (see the type's documentation).
    ///
    /// - Parameters:
    ///   - values: the matrix (used only when there is no baseline).
    ///   - baseline: the encoder's unrelated-images mean cosine (`UnrelatedBaseline.reference`);
    ///     nil, non-finite or ≥ 1 means none. Values above `UnrelatedBaseline.maximumForNormalization`
    ///     are clamped to it, as the analysis does.
    public static func similarity<Values: Sequence>(values: Values, baseline: Double?) -> ColorScale
    where Values.Element == Float {
        if let baseline, baseline.isFinite, baseline < 1 {
            let b = min(baseline, UnrelatedBaseline.maximumForNormalization)
            return ColorScale(checkedMinimum: b, maximum: 1,
                              label: "cosine similarity; range [\(SVGFormat.number(b, digits: 3)), 1] = unrelated-images baseline to identical")
        }
        return dataRange(of: values, label: "cosine similarity; data range (no unrelated-images baseline)")
    }

    /// A range symmetric about 0, ±max|v| over the finite values (±1 when all are 0 or none is
    /// finite): the range of difference matrices on the diverging map.
    public static func symmetric<Values: Sequence>(of values: Values, label: String = "difference") -> ColorScale
    where Values.Element == Float {
        var largest = 0.0
        for value in values where value.isFinite { largest = max(largest, abs(Double(value))) }
        if largest <= 0 { largest = 1 }
        return ColorScale(checkedMinimum: -largest, maximum: largest, label: label + "; symmetric range ±max|d|")
    }
}
