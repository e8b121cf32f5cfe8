import Analysis
import Foundation

/// One finding as summary.json lists it: the detector's fields, the labels and the final verdict.
///
/// Keys (always present, null where they do not apply): `image`, `model`, `preset`, `detector`,
/// `component` (null for a detector's headline), `detected`, `verdict` (`found` | `artefact` |
/// `not_found`), `score`, `effect`, `p_value`, `ci`, `ci_level`, `value`, `unit`, `control`
/// (rotation findings: the artefact controls' outcome), `statistic`, `thresholds`, `null_model`,
/// `baseline`, `warnings`.
public struct LabSummaryFinding: Encodable, Sendable {
    /// The finding.
    public var item: LabFinding

    enum CodingKeys: String, CodingKey {
        case image, model, preset, detector, component, detected, verdict, score, effect, ci, value, unit, control
        case statistic, thresholds, baseline, warnings
        case pValue = "p_value"
        case ciLevel = "ci_level"
        case nullModel = "null_model"
    }

    public func encode(to encoder: Encoder) throws {
        let finding = item.finding
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(finding.image, forKey: .image)
        try container.encode(finding.model, forKey: .model)
        try container.encode(finding.preset, forKey: .preset)
        try container.encode(finding.detector, forKey: .detector)
        try container.encode(finding.component, forKey: .component)
        try container.encode(finding.detected, forKey: .detected)
        try container.encode(item.verdict, forKey: .verdict)
        try container.encode(finding.score, forKey: .score)
        try container.encode(finding.effect, forKey: .effect)
        try container.encode(finding.pValue, forKey: .pValue)
        try container.encode(finding.ci, forKey: .ci)
        try container.encode(finding.ciLevel, forKey: .ciLevel)
        try container.encode(finding.value, forKey: .value)
        try container.encode(finding.unit, forKey: .unit)
        try container.encode(finding.control, forKey: .control)
        try container.encode(finding.statistic, forKey: .statistic)
        try container.encode(finding.thresholds, forKey: .thresholds)
        try container.encode(finding.nullModel, forKey: .nullModel)
        try container.encode(finding.baseline, forKey: .baseline)
        try container.encode(finding.warnings, forKey: .warnings)
    }
}

/// The files of a run folder, relative to it.
public struct LabFileList: Encodable, Sendable, Equatable {
    public var summary = "summary.json"
    public var findings = "findings.csv"
    /// `matrices/*.safetensors`.
    public var matrices: [String] = []
    /// `heatmaps/*.png` (plain colour-mapped image–image matrices).
    public var heatmaps: [String] = []
    /// `differences/*.safetensors`: model A − model B on the same sweep (more than one model).
    public var differences: [String] = []
    /// `heatmaps/*__<A>-minus-<B>.png`: those differences on a diverging colormap.
    public var differenceHeatmaps: [String] = []
    /// `report.html`, when the report was made.
    public var report: String?
    /// `report.json` (what `auglab report DIR` rebuilds the report from), when the report was made.
    public var reportDocument: String?

    enum CodingKeys: String, CodingKey {
        case summary, findings, matrices, heatmaps, differences, report
        case differenceHeatmaps = "difference_heatmaps"
        case reportDocument = "report_document"
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(summary, forKey: .summary)
        try container.encode(findings, forKey: .findings)
        try container.encode(matrices, forKey: .matrices)
        try container.encode(heatmaps, forKey: .heatmaps)
        try container.encode(differences, forKey: .differences)
        try container.encode(differenceHeatmaps, forKey: .differenceHeatmaps)
        try container.encode(report, forKey: .report)
        try container.encode(reportDocument, forKey: .reportDocument)
    }
}

/// summary.json: everything about a run that a reader or a script needs, with no time, host or
/// absolute temporary path in it, so the same command twice writes the same bytes.
public struct LabSummary: Encodable, Sendable {
    /// `auglab-summary/1`.
    public var format = "auglab-summary/1"
    /// `auglab <version>`.
    public var tool: String
    /// `run` or `analyze`.
    public var command: String
    /// The sweep seed of replicate 0 (`--seed`); nil for `analyze` (each sweep records its own).
    public var seed: UInt64?
    /// Replicates of stochastic sweeps (`--seeds`); nil for `analyze`.
    public var seeds: Int?
    /// The caption, if any.
    public var caption: String?
    /// The distractor prompts of the cross-modal readout (empty without a caption).
    public var distractorPrompts: [String]
    public var presets: [LabPresetRecord]
    public var images: [LabImage]
    public var models: [LabModel]
    public var baselines: [LabBaselineRecord]
    /// How the baseline was measured, in words.
    public var baselineMethod: String
    /// `ArtefactControl.rule`.
    public var artefactControlRule: String
    /// `LabAnalysis.verdictRule`.
    public var verdictRule: String
    /// Every score side by side (more than one model).
    public var comparison: ComparisonTable?
    /// Similarity to the clean image along noise and blur sweeps.
    public var collapseCurves: [LabCurveRecord]
    /// Remarks (defaults taken, reference images added, models without a text tower).
    public var notes: [String]
    /// Warnings of the computations (degenerate embeddings, coarse nulls, skipped detectors).
    public var warnings: [AnalysisWarning]
    public var findings: [LabSummaryFinding]
    public var files: LabFileList

    enum CodingKeys: String, CodingKey {
        case format, tool, command, seed, seeds, caption, presets, images, models, baselines, comparison, notes, warnings
        case findings, files
        case distractorPrompts = "distractor_prompts"
        case baselineMethod = "baseline_method"
        case artefactControlRule = "artefact_control_rule"
        case verdictRule = "verdict_rule"
        case collapseCurves = "collapse_curves"
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(format, forKey: .format)
        try container.encode(tool, forKey: .tool)
        try container.encode(command, forKey: .command)
        try container.encode(seed, forKey: .seed)
        try container.encode(seeds, forKey: .seeds)
        try container.encode(caption, forKey: .caption)
        try container.encode(distractorPrompts, forKey: .distractorPrompts)
        try container.encode(presets, forKey: .presets)
        try container.encode(images, forKey: .images)
        try container.encode(models, forKey: .models)
        try container.encode(baselines, forKey: .baselines)
        try container.encode(baselineMethod, forKey: .baselineMethod)
        try container.encode(artefactControlRule, forKey: .artefactControlRule)
        try container.encode(verdictRule, forKey: .verdictRule)
        try container.encode(comparison, forKey: .comparison)
        try container.encode(collapseCurves, forKey: .collapseCurves)
        try container.encode(notes, forKey: .notes)
        try container.encode(warnings, forKey: .warnings)
        try container.encode(findings, forKey: .findings)
        try container.encode(files, forKey: .files)
    }

    /// The baseline method in words.
    public static let baselineMethodText = "mean cosine between the L2-normalised embeddings of the clean (unaugmented) source images, over pairs of different images; every normalised figure is (s − baseline) / (1 − baseline)"

    /// The JSON bytes: sorted keys, two-space indent, final newline.
    public func json() throws(LabError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            return Array(try encoder.encode(self)) + [UInt8(ascii: "\n")]
        } catch {
            throw LabError(.invalidInput, "cannot encode summary.json: \(error)")
        }
    }
}

/// findings.csv: one row per finding, RFC 4180 (CRLF line ends, fields with a comma, quote or
/// line break quoted, quotes doubled).
public enum LabCSV {
    /// The header row's fields.
    public static let header = ["image", "model", "preset", "detector", "component", "detected", "verdict", "score", "effect",
                                "p_value", "ci_low", "ci_high", "value", "unit", "control", "mask_p_value", "baseline", "warnings"]

    /// The file's text.
    public static func text(_ findings: [LabFinding]) -> String {
        var lines = [header.map(field).joined(separator: ",")]
        for item in findings {
            let f = item.finding
            let values: [String] = [
                f.image ?? "", f.model ?? "", f.preset ?? "", f.detector.rawValue, f.component ?? "", f.detected ? "true" : "false",
                item.verdict.rawValue, number(f.score), number(f.effect), f.pValue.map(number) ?? "",
                f.ci.flatMap { $0.first }.map(number) ?? "", f.ci.flatMap { $0.count > 1 ? $0[1] : nil }.map(number) ?? "",
                f.value.map(number) ?? "", f.unit ?? "", f.control?.verdict.rawValue ?? "",
                f.control?.maskPValue.map(number) ?? "", number(f.baseline),
                f.warnings.map(\.code).joined(separator: ";"),
            ]
            lines.append(values.map(field).joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// A field, quoted when it holds a comma, a quote or a line break.
    public static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A number in Swift's shortest round-trip form.
    static func number(_ x: Double) -> String { "\(x)" }
}

/// The short table of findings printed at the end of a run.
public enum LabTable {
    /// One line per headline finding: model, image, preset, detector, verdict, key number.
    public static func text(_ findings: [LabFinding]) -> String {
        let headlines = findings.filter { $0.finding.component == nil }
        var rows = [["model", "image", "preset", "detector", "verdict", "key number"]]
        for item in headlines {
            let f = item.finding
            rows.append([f.model ?? "", f.image ?? "", f.preset ?? "", f.detector.rawValue, verdictText(item), keyNumber(f)])
        }
        let widths = (0..<6).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, text in
                column == 5 ? text : text.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }

    static func verdictText(_ item: LabFinding) -> String {
        switch item.verdict {
        case .found: return "FOUND"
        case .notFound: return "not found"
        case .artefact:
            return item.finding.control?.verdict == .maskShowsPattern ? "artefact (mask control shows it)" : "artefact (not with circular mask)"
        }
    }

    static func short(_ x: Double) -> String { String(format: "%.3g", x) }

    static func keyNumber(_ f: Finding) -> String {
        let p = f.pValue.map { "p=\(short($0))" } ?? "no p"
        switch f.detector {
        case .collapseThreshold:
            guard let value = f.value else { return "no threshold, gap \(short(f.effect)), \(p)" }
            let ci = f.ci.map { " [\(short($0.first ?? 0)), \(short($0.last ?? 0))]" } ?? ""
            return "threshold \(short(value))\(ci) \(f.unit ?? ""), \(p)"
        case .crossmodal:
            return "recognised at \(short(f.score * 100))% of variants" + (f.value.map { ", lost at \(short($0)) \(f.unit ?? "")" } ?? "")
        case .flipExplicit:
            return "mirror similarity \(short(f.effect)) (normalised), \(p)"
        case .antidiagonal, .periodicity90:
            return "effect \(short(f.effect)), \(p)"
        }
    }
}
