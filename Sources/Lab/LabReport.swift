import Analysis
import Foundation
import Reports
import Sweeps

/// Builds the report document (`Reports.ReportDocument`) of a run or an analysis.
public enum LabReport {
    /// The document: images, models with baselines, sweeps with their definitions, the main
    /// sweeps' variants (thumbnails when given), their matrices (with the text quadrants when a
    /// caption was given), findings, comparison, curves and notes.
    public static func document(input: LabAnalysisInput, analysis: LabAnalysisResult, presets: [LabPresetRecord],
                                thumbnails: [Int: [ReportThumbnail]], imageThumbnails: [String: ReportThumbnail],
                                provenance: ReportProvenance, notes: [String]) -> ReportDocument {
        var document = ReportDocument(provenance: provenance)
        let mainSweeps = input.sweeps.indices.filter { input.sweeps[$0].role == .main && input.sweeps[$0].replicate == 0 }
        let usedImages = Set(mainSweeps.map { input.sweeps[$0].imageID })
        document.images = input.images.filter { usedImages.contains($0.id) }.map { image in
            ReportImage(id: image.id, file: image.path, sha256: image.sha256, width: image.width, height: image.height,
                        caption: input.caption, thumbnail: imageThumbnails[image.id])
        }
        document.models = input.models.enumerated().map { index, model in
            let baseline = analysis.baselines.first { $0.model == model.name }?.baseline
            return ReportModel(id: model.name, name: model.name, file: model.file, sha256: model.sha256,
                               kind: model.kind == "control" ? "control encoder (\(model.architecture))" : "\(model.kind) \(model.architecture)",
                               baseline: baseline.flatMap { $0.isCalibrated ? $0.reference : nil })
        }
        var sweepIDs: [String] = []
        for index in mainSweeps where !sweepIDs.contains(input.sweeps[index].preset) {
            let sweep = input.sweeps[index]
            sweepIDs.append(sweep.preset)
            let definition = presets.first { $0.name == sweep.preset }?.definition
            document.sweeps.append(ReportSweep(id: sweep.preset, name: sweep.preset, kind: kind(sweep.kind),
                                               axis: axis(sweep), definition: definition))
        }
        for index in mainSweeps {
            let sweep = input.sweeps[index]
            let thumbs = thumbnails[index]
            let variants = sweep.variants.enumerated().map { position, variant in
                ReportVariant(id: String(variant.index), label: label(variant), value: variant.value.number,
                              parameters: parameters(variant),
                              thumbnail: thumbs.flatMap { position < $0.count ? $0[position] : nil })
            }
            document.variantSets.append(ReportVariantSet(image: sweep.imageID, sweep: sweep.preset, variants: variants))
        }
        for record in analysis.matrices where mainSweeps.contains(record.sweepIndex) {
            let sweep = input.sweeps[record.sweepIndex]
            var set = ReportMatrixSet(image: sweep.imageID, sweep: sweep.preset, model: record.model,
                                      imageImage: ReportMatrix(record.imageImage))
            if let quadrants = record.quadrants, let texts = record.texts {
                set.imageText = ReportMatrix(quadrants.imageText)
                set.textImage = ReportMatrix(quadrants.textImage)
                set.textText = ReportMatrix(quadrants.textText)
                set.texts = texts
            }
            document.matrices.append(set)
        }
        document.findings = analysis.findings.map(\.finding)
        document.comparison = analysis.comparison
        document.curves = analysis.reportCurves
        document.notes = notes + analysis.warnings.map(\.message)
        return document
    }

    static func kind(_ kind: SweepKind) -> ReportSweep.Kind {
        switch kind {
        case .rotation: return .rotation
        case .dihedral: return .flip
        case .degradation: return .degradation
        case .other: return .other
        }
    }

    /// The axis of a sweep: what varies, its symbol and unit, in words.
    static func axis(_ sweep: LabSweep) -> ReportAxis {
        switch sweep.operation {
        case "rotate": return ReportAxis(name: "rotation angle", symbol: "θ", unit: "degrees")
        case "gaussian_noise": return ReportAxis(name: "Gaussian noise", symbol: "σ", unit: "intensity, image in [0, 1]")
        case "uniform_noise": return ReportAxis(name: "uniform noise blend", symbol: "α", unit: "weight of the noise")
        case "blur":
            return ReportAxis(name: "Gaussian blur", symbol: "σ",
                              unit: sweep.unit == "model_input_px" ? "model-input pixels" : "source pixels")
        case "dihedral": return ReportAxis(name: "rotation or flip", unit: "D4 element")
        default: return ReportAxis(name: sweep.operation, unit: sweep.unit)
        }
    }

    /// A short label: "37.8°", "σ = 0.05", "flip_horizontal".
    static func label(_ variant: VariantProvenance) -> String {
        if variant.axes != nil {
            return (variant.axes ?? []).map { "\($0.operation) \($0.value)" }.joined(separator: ", ")
        }
        guard let number = variant.value.number else { return variant.value.description }
        let text = SVGNumber.short(number)
        switch variant.operation {
        case "rotate": return "\(text)°"
        case "gaussian_noise", "blur": return "σ = \(text)"
        case "uniform_noise": return "α = \(text)"
        default: return "\(text) \(variant.unit)"
        }
    }

    /// The variant's provenance as name/value pairs (fields that apply only).
    static func parameters(_ variant: VariantProvenance) -> [ReportField] {
        var fields = [ReportField("operation", variant.operation), ReportField("value", "\(variant.value) \(variant.unit)")]
        let optional: [(String, String?)] = [
            ("interpolation", variant.interpolation), ("fill", variant.fill), ("crop", variant.crop),
            ("direction", variant.direction), ("model input size", variant.modelInputSize.map(String.init)),
        ]
        for (name, value) in optional { if let value { fields.append(ReportField(name, value)) } }
        fields.append(ReportField("seed", String(variant.seed)))
        fields.append(ReportField("square crop", variant.squareCrop ? "yes" : "no"))
        fields.append(ReportField("source", variant.sourceKind.rawValue))
        fields.append(ReportField("size", "\(variant.width)×\(variant.height) px"))
        return fields
    }
}

/// Compact number text for labels.
enum SVGNumber {
    /// Up to four significant digits, no trailing zeros ("3.6", "0.0505", "356.4").
    static func short(_ x: Double) -> String {
        guard x.isFinite else { return "\(x)" }
        var text = String(format: "%.4g", x)
        if text.contains("e") { return text }
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text == "-0" ? "0" : text
    }
}
