/// The detectors AugLab runs; the raw value is the `detector` field written to summary.json.
public enum DetectorKind: String, Codable, Sendable, CaseIterable, Comparable {
    /// Similarity of each variant with its explicit horizontal / vertical mirror.
    case flipExplicit = "flip_explicit"
    /// The ±θ anti-diagonal of a rotation sweep's similarity matrix.
    case antidiagonal = "antidiagonal"
    /// The 90° checkerboard of a rotation sweep's similarity matrix.
    case periodicity90 = "periodicity_90"
    /// The level from which noise / blur variants collapse onto each other.
    case collapseThreshold = "collapse_threshold"
    /// The caption's similarity and rank among distractor prompts along a sweep.
    case crossmodal = "crossmodal"

    /// Ordered by the `detector` field (the raw value), as summaries list them.
    public static func < (lhs: DetectorKind, rhs: DetectorKind) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Something a computation noticed that the user should know, returned as data (never printed).
///
/// Examples: a zero-norm embedding given a defined similarity, a sweep too short for the null's
/// resolution, a missing baseline.
public struct AnalysisWarning: Codable, Sendable, Equatable, Hashable {
    /// A stable machine-readable category, e.g. `zero-norm-embedding`.
    public var code: String
    /// One sentence for the user.
    public var message: String

    /// A warning with a stable `code` and a one-sentence `message`.
    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }
}

/// The decision thresholds a verdict used, written beside it so a reader can re-judge.
public struct Thresholds: Codable, Sendable, Equatable {
    /// Significance level the p-value was compared with (already divided for the components
    /// the detector tests, see `comparisons`).
    public var alpha: Double
    /// Number of components the detector's overall alpha was split over (Bonferroni).
    public var comparisons: Int
    /// The effect had to reach this value (normalised units unless the finding says otherwise).
    public var effectFloor: Double
    /// The smallest p-value the null model can produce for this input (rank tests), if finite.
    public var pValueResolution: Double?

    /// Thresholds as used by a verdict (alpha already divided over `comparisons`).
    public init(alpha: Double, comparisons: Int = 1, effectFloor: Double, pValueResolution: Double? = nil) {
        self.alpha = alpha
        self.comparisons = comparisons
        self.effectFloor = effectFloor
        self.pValueResolution = pValueResolution
    }

    enum CodingKeys: String, CodingKey {
        case alpha
        case comparisons
        case effectFloor = "effect_floor"
        case pValueResolution = "p_value_resolution"
    }
}

/// Whether a rotation finding survives its artefact controls (see `ArtefactControl`).
public struct ControlCheck: Codable, Sendable, Equatable {
    /// The outcome of the rule.
    public enum Verdict: String, Codable, Sendable {
        /// The mask control does not show the pattern and (if run) the circular-mask sweep does.
        case survives
        /// The flat grey mask control shows the same pattern significantly: it is the geometry's.
        case maskShowsPattern = "mask_shows_pattern"
        /// The circular-mask sweep of the same image does not reproduce the finding.
        case notReproducedWithCircularMask = "not_reproduced_with_circular_mask"
        /// The finding was not detected, so there is nothing to attribute.
        case notApplicable = "not_applicable"
    }

    /// The outcome.
    public var verdict: Verdict
    /// Whether the mask control shows the pattern significantly (nil: control not run).
    public var maskShowsPattern: Bool?
    /// The mask control's p-value for the same component (nil: control not run).
    public var maskPValue: Double?
    /// Whether the circular-mask sweep reproduces the finding (nil: not run or not applicable).
    public var circularDetected: Bool?
    /// The rule that was applied, in words.
    public var rule: String

    /// A control outcome (normally built by `ArtefactControl`).
    public init(verdict: Verdict, maskShowsPattern: Bool?, maskPValue: Double?, circularDetected: Bool?, rule: String) {
        self.verdict = verdict
        self.maskShowsPattern = maskShowsPattern
        self.maskPValue = maskPValue
        self.circularDetected = circularDetected
        self.rule = rule
    }

    /// True unless a control attributed the finding to the geometry.
    public var survives: Bool { verdict == .survives || verdict == .notApplicable }

    enum CodingKeys: String, CodingKey {
        case verdict
        case maskShowsPattern = "mask_shows_pattern"
        case maskPValue = "mask_p_value"
        case circularDetected = "circular_detected"
        case rule
    }
}

/// One measured finding: a detector's statistic, effect, uncertainty and verdict, with the
/// thresholds and null model used. Plain Codable data; encode with `.sortedKeys` for stable output.
///
/// `score` is the detector's headline statistic in the units its doc comment states; `effect` is
/// in normalised units `(s − s_unrelated) / (1 − s_unrelated)` (differences divided by
/// `1 − s_unrelated`) unless the detector says otherwise. `detected` is true only when the null
/// is rejected at `thresholds.alpha` **and** `effect ≥ thresholds.effectFloor`. Every number is
/// finite. `image`, `model`, `preset` and `control` are filled in by the caller.
public struct Finding: Codable, Sendable, Equatable {
    /// Which detector produced this.
    public var detector: DetectorKind
    /// The part of the detector this row reports (e.g. `horizontal`, `axis_0`,
    /// `difference_profile`); nil for a detector's headline finding.
    public var component: String?
    /// The verdict: significant against the null and above the effect floor.
    public var detected: Bool
    /// The headline statistic (units in `statistic`).
    public var score: Double
    /// The effect size in normalised units (see the detector's documentation).
    public var effect: Double
    /// One-sided p-value under `nullModel` (nil when it cannot be computed; then `detected` is false).
    public var pValue: Double?
    /// A confidence interval `[low, high]` for `value` (or for `effect` when `value` is nil).
    public var ci: [Double]?
    /// Coverage of `ci`, e.g. 0.95.
    public var ciLevel: Double?
    /// A threshold or location in the sweep's units (e.g. the collapse level), if the detector has one.
    public var value: Double?
    /// The unit of `value` (the preset's unit, e.g. `degrees`, `sigma`).
    public var unit: String?
    /// What `score` measures, in words with units.
    public var statistic: String
    /// The thresholds the verdict used.
    public var thresholds: Thresholds
    /// The null model the p-value comes from, in words.
    public var nullModel: String
    /// The unrelated-images baseline similarity used for normalisation (0 when uncalibrated).
    public var baseline: Double
    /// Artefact controls (rotation findings), filled in by `ArtefactControl`.
    public var control: ControlCheck?
    /// The image file the finding is about (filled in by the caller).
    public var image: String?
    /// The model / encoder name (filled in by the caller).
    public var model: String?
    /// The preset name (filled in by the caller).
    public var preset: String?
    /// Anything the computation noticed (degenerate rows, coarse nulls, missing baseline).
    public var warnings: [AnalysisWarning]

    /// A finding; non-finite numbers are replaced by 0 (p-values by 1) so output is never NaN.
    public init(detector: DetectorKind, component: String? = nil, detected: Bool, score: Double, effect: Double,
                pValue: Double?, ci: [Double]? = nil, ciLevel: Double? = nil, value: Double? = nil,
                unit: String? = nil, statistic: String, thresholds: Thresholds, nullModel: String,
                baseline: Double, control: ControlCheck? = nil, image: String? = nil, model: String? = nil,
                preset: String? = nil, warnings: [AnalysisWarning] = []) {
        self.detector = detector
        self.component = component
        self.detected = detected
        self.score = Finite.value(score)
        self.effect = Finite.value(effect)
        self.pValue = pValue.map { Finite.probability($0) }
        self.ci = ci.map { $0.map { Finite.value($0) } }
        self.ciLevel = ciLevel
        self.value = value.map { Finite.value($0) }
        self.unit = unit
        self.statistic = statistic
        self.thresholds = thresholds
        self.nullModel = nullModel
        self.baseline = Finite.value(baseline)
        self.control = control
        self.image = image
        self.model = model
        self.preset = preset
        self.warnings = warnings
    }

    /// A copy with the caller's labels set (nil arguments leave a label unchanged).
    public func labelled(image: String? = nil, model: String? = nil, preset: String? = nil) -> Finding {
        var copy = self
        if let image { copy.image = image }
        if let model { copy.model = model }
        if let preset { copy.preset = preset }
        return copy
    }

    enum CodingKeys: String, CodingKey {
        case detector, component, detected, score, effect
        case pValue = "p_value"
        case ci
        case ciLevel = "ci_level"
        case value, unit, statistic, thresholds
        case nullModel = "null_model"
        case baseline, control, image, model, preset, warnings
    }
}

/// A detector's output: the headline finding first, then one finding per component.
public protocol DetectorResult: Sendable {
    /// The headline finding (component nil).
    var finding: Finding { get }
    /// One finding per tested component (may be empty).
    var components: [Finding] { get }
}

extension DetectorResult {
    /// The headline followed by the components, in a stable order (for findings.csv).
    public var allFindings: [Finding] { [finding] + components }
}

/// Guards that keep every reported number finite.
enum Finite {
    /// `x` if finite, else 0 (callers never produce non-finite values; this is the last line).
    static func value(_ x: Double) -> Double { x.isFinite ? x : 0 }
    /// `p` clamped to [0, 1]; non-finite becomes 1 (no evidence).
    static func probability(_ p: Double) -> Double { p.isFinite ? min(1, max(0, p)) : 1 }
}

/// The headline of a multi-component detector: detected when any component is; p-value
/// Bonferroni-combined (number of components × the smallest); score, effect, interval, value and
/// unit from the driving component (the detected one with the largest effect, else the one with
/// the smallest p-value), named at the end of `statistic`.
func combine(_ components: [Finding], detector: DetectorKind, alpha: Double, effectFloor: Double,
             nullModel: String, statistic: String, baseline: UnrelatedBaseline,
             extraWarnings: [AnalysisWarning]) -> Finding {
    let detected = components.filter(\.detected)
    let withP = components.filter { $0.pValue != nil }
    let driver = detected.max { $0.effect < $1.effect }
        ?? withP.min { ($0.pValue ?? 1) < ($1.pValue ?? 1) }
        ?? components.first
    let pValue: Double? = withP.isEmpty ? nil
        : min(1, Double(components.count) * (withP.map { $0.pValue ?? 1 }.min() ?? 1))
    var warnings = extraWarnings
    for component in components { for warning in component.warnings where !warnings.contains(warning) { warnings.append(warning) } }
    if !baseline.isCalibrated {
        let note = AnalysisWarning(code: "no-baseline", message: "no unrelated-images baseline: effects are in raw cosine units")
        if !warnings.contains(note) { warnings.append(note) }
    }
    return Finding(
        detector: detector, component: nil, detected: !detected.isEmpty,
        score: driver?.score ?? 0, effect: driver?.effect ?? 0, pValue: pValue,
        ci: driver?.ci, ciLevel: driver?.ciLevel, value: driver?.value, unit: driver?.unit,
        statistic: statistic + (driver?.component.map { "; driven by \($0)" } ?? ""),
        thresholds: Thresholds(alpha: alpha, comparisons: components.count, effectFloor: effectFloor,
                               pValueResolution: components.compactMap { $0.thresholds.pValueResolution }.max()),
        nullModel: nullModel, baseline: baseline.reference, warnings: warnings)
}
