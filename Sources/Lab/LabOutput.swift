import Analysis
import CLIP
import Foundation
import Imaging
import Reports
import Sweeps
import Tensors

/// What a run folder is made from: the analysis, its input, and how it was made.
public struct LabOutputContents: Sendable {
    /// `auglab <version>`.
    public var tool: String
    /// `run` or `analyze`.
    public var command: String
    /// `--seed` (run only).
    public var seed: UInt64?
    /// `--seeds` as applied to stochastic presets (run only).
    public var seeds: Int?
    /// The presets' records.
    public var presets: [LabPresetRecord]
    /// Remarks for the user.
    public var notes: [String]
    /// Whether to write report.html, report.json, labelled heatmaps and plots (heatmap PNGs are always written).
    public var makeReport: Bool
    /// The command line, for the report's provenance only (never in summary.json).
    public var commandLine: [String]?
    /// The detectors' input.
    public var input: LabAnalysisInput
    /// The detectors' output.
    public var analysis: LabAnalysisResult
    /// Variant thumbnails by sweep index.
    public var thumbnails: [Int: [ReportThumbnail]]
    /// Image thumbnails by image id.
    public var imageThumbnails: [String: ReportThumbnail]

    /// Contents of a run folder.
    public init(tool: String, command: String, seed: UInt64?, seeds: Int?, presets: [LabPresetRecord], notes: [String],
                makeReport: Bool, commandLine: [String]?, input: LabAnalysisInput, analysis: LabAnalysisResult,
                thumbnails: [Int: [ReportThumbnail]] = [:], imageThumbnails: [String: ReportThumbnail] = [:]) {
        self.tool = tool
        self.command = command
        self.seed = seed
        self.seeds = seeds
        self.presets = presets
        self.notes = notes
        self.makeReport = makeReport
        self.commandLine = commandLine
        self.input = input
        self.analysis = analysis
        self.thumbnails = thumbnails
        self.imageThumbnails = imageThumbnails
    }

    /// The contents of a finished run.
    public init(run: LabRunResult, tool: String, commandLine: [String]?) {
        let plan = run.plan
        self.init(tool: tool, command: "run", seed: plan.options.seed,
                  seeds: plan.options.seeds ?? LabRunOptions.defaultStochasticSeeds,
                  presets: plan.presets.map { plan.record(of: $0) }, notes: plan.notes, makeReport: plan.options.makeReport,
                  commandLine: commandLine, input: run.input, analysis: run.analysis, thumbnails: run.thumbnails,
                  imageThumbnails: run.imageThumbnails)
    }
}

/// Writes a run folder: summary.json, findings.csv, matrices/*.safetensors, heatmaps/*.png and,
/// with the report, report.json, report.html, labelled heatmaps (SVG) and plots.
///
/// Layout:
/// - `matrices/<image>__<preset>__<model>.safetensors`: `image_image` [n, n] (cosines of
///   replicate 0), `image_embeds` [n, d] (L2-normalised), `image_image.replicate_<k>` and
///   `image_embeds.replicate_<k>` for further noise seeds, and with a caption `text_embeds`
///   [m, d], `image_text` [n, m], `text_image` [m, n], `text_text` [m, m]; metadata: image,
///   preset, model, role, axis operation, unit, kind and values (JSON), sweep seeds, texts.
///   Controls: `…__mask-control.safetensors`, `…__circular-control.safetensors`.
/// - `heatmaps/<image>__<preset>__<model>.png`: the image–image matrix, one pixel per cell,
///   viridis on [baseline, 1] (`ReportArtifacts`).
/// - With more than one model, for every pair A, B (in the order given) and every main sweep:
///   `differences/<image>__<preset>__<A>-minus-<B>.safetensors` with `difference` (A − B in raw
///   cosine) and `normalized_difference` (each model in its own baseline-normalised units, so the
///   encoders' cone effects do not pass for differences), and the raw difference as
///   `heatmaps/<image>__<preset>__<A>-minus-<B>.png` (RdBu_r, symmetric about 0).
public enum LabOutput {
    /// Checks the destination and creates its staging folder: an existing folder is replaced when
    /// `force` is set or when it is an earlier AugLab run folder (it holds a summary.json of ours);
    /// anything else there is an error.
    public static func stage(destination: String, force: Bool) throws(LabError) -> StagedDirectory {
        let summary = (destination as NSString).appendingPathComponent("summary.json")
        let previousRun = (try? String(contentsOfFile: summary, encoding: .utf8))?.contains("\"auglab-summary/1\"") ?? false
        do throws(SweepError) {
            return try StagedDirectory(destination: destination, replaceExisting: force || previousRun)
        } catch {
            throw LabError(.io, error.message, path: error.path ?? destination)
        }
    }

    /// Writes every file into `staged` (which the caller commits or discards); returns the list.
    ///
    /// - Throws: `LabError` naming the file that could not be written.
    @discardableResult
    public static func write(_ contents: LabOutputContents, into staged: StagedDirectory) throws(LabError) -> LabFileList {
        var files = LabFileList()
        files.matrices = try writeMatrices(contents, into: staged)
        (files.differences, files.differenceHeatmaps) = try writeDifferences(contents, into: staged)
        let document = LabReport.document(
            input: contents.input, analysis: contents.analysis, presets: contents.presets, thumbnails: contents.thumbnails,
            imageThumbnails: contents.imageThumbnails,
            provenance: ReportProvenance(toolVersion: contents.tool, seed: contents.seed, command: contents.commandLine,
                                         controlRule: ArtefactControl.rule),
            notes: contents.notes)
        let artifacts: [ReportArtifact]
        do throws(ReportError) {
            artifacts = try ReportArtifacts.files(for: document)
        } catch {
            throw LabError(.layer, "cannot build the report: \(error.description)")
        }
        let chosen = contents.makeReport ? artifacts : artifacts.filter { $0.path.hasPrefix("heatmaps/") && $0.path.hasSuffix(".png") }
        for folder in Set(chosen.compactMap { $0.path.split(separator: "/").dropLast().first.map(String.init) }).sorted() {
            do throws(SweepError) { try staged.createFolder(folder) } catch { throw LabError(.io, error.description) }
        }
        for artifact in chosen {
            try write(artifact.bytes, to: artifact.path, in: staged)
        }
        files.heatmaps = chosen.map(\.path).filter { $0.hasPrefix("heatmaps/") && $0.hasSuffix(".png") }
        if contents.makeReport {
            let json: [UInt8]
            do throws(ReportError) {
                json = try document.encodedJSON()
            } catch {
                throw LabError(.layer, "cannot encode report.json: \(error.description)")
            }
            try write(json, to: "report.json", in: staged)
            files.report = "report.html"
            files.reportDocument = "report.json"
        }
        try write(Array(LabCSV.text(contents.analysis.findings).utf8), to: files.findings, in: staged)
        let summary = LabSummary(
            tool: contents.tool, command: contents.command, seed: contents.seed, seeds: contents.seeds,
            caption: contents.input.caption, distractorPrompts: contents.input.distractorPrompts, presets: contents.presets,
            images: contents.input.images, models: contents.input.models, baselines: contents.analysis.baselines,
            baselineMethod: LabSummary.baselineMethodText, artefactControlRule: ArtefactControl.rule,
            verdictRule: LabAnalysis.verdictRule, comparison: contents.analysis.comparison,
            collapseCurves: contents.analysis.collapseCurves, notes: contents.notes, warnings: contents.analysis.warnings,
            findings: contents.analysis.findings.map(LabSummaryFinding.init(item:)), files: files)
        try write(try summary.json(), to: files.summary, in: staged)
        return files
    }

    /// Writes `bytes` atomically to `relative` inside the staging folder.
    static func write(_ bytes: [UInt8], to relative: String, in staged: StagedDirectory) throws(LabError) {
        do {
            try AtomicFile.write(bytes, toPath: staged.path(relative))
        } catch {
            throw LabError(.io, error.message, path: staged.destination + "/" + relative)
        }
    }

    /// The matrices files, one per (image, preset, role, model).
    static func writeMatrices(_ contents: LabOutputContents, into staged: StagedDirectory) throws(LabError) -> [String] {
        let input = contents.input
        struct Key: Hashable { var image: String; var preset: String; var role: SweepRole; var model: String }
        var order: [Key] = []
        var groups: [Key: [LabMatrixRecord]] = [:]
        for record in contents.analysis.matrices {
            let sweep = input.sweeps[record.sweepIndex]
            let key = Key(image: sweep.imageID, preset: sweep.preset, role: sweep.role, model: record.model)
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(record)
        }
        guard !order.isEmpty else { return [] }
        do throws(SweepError) { try staged.createFolder("matrices") } catch { throw LabError(.io, error.description) }
        var names: [String] = []
        var used: Set<String> = []
        for key in order {
            let records = (groups[key] ?? []).sorted { input.sweeps[$0.sweepIndex].replicate < input.sweeps[$1.sweepIndex].replicate }
            guard let first = records.first else { continue }
            let suffix: String
            switch key.role {
            case .main: suffix = ""
            case .maskControl: suffix = "__mask-control"
            case .circularControl: suffix = "__circular-control"
            }
            let stem = [key.image, key.preset, key.model].map(ReportFile.safeName).joined(separator: "__") + suffix
            var name = "matrices/\(stem).safetensors"
            var counter = 2
            while used.contains(name) {
                name = "matrices/\(stem)-\(counter).safetensors"
                counter += 1
            }
            used.insert(name)
            let sweep = input.sweeps[first.sweepIndex]
            var writer = SafeTensorsWriter(metadata: metadata(contents, sweep: sweep, records: records))
            do throws(CLIPError) {
                for record in records {
                    let replicate = input.sweeps[record.sweepIndex].replicate
                    let tag = replicate == 0 ? "" : ".replicate_\(replicate)"
                    try writer.add("image_image" + tag, float32: record.imageImage.values,
                                   shape: [record.imageImage.rows, record.imageImage.columns])
                    try writer.add("image_embeds" + tag, float32: record.embeddings.values,
                                   shape: [record.embeddings.rows, record.embeddings.columns])
                    if let quadrants = record.quadrants, replicate == 0 {
                        try writer.add("image_text", float32: quadrants.imageText.values,
                                       shape: [quadrants.imageText.rows, quadrants.imageText.columns])
                        try writer.add("text_image", float32: quadrants.textImage.values,
                                       shape: [quadrants.textImage.rows, quadrants.textImage.columns])
                        try writer.add("text_text", float32: quadrants.textText.values,
                                       shape: [quadrants.textText.rows, quadrants.textText.columns])
                        if let modelIndex = input.models.firstIndex(where: { $0.name == key.model }),
                           let caption = input.embeddings[modelIndex].caption,
                           let distractors = input.embeddings[modelIndex].distractors {
                            try writer.add("text_embeds", float32: caption.values + distractors.values,
                                           shape: [1 + distractors.rows, caption.columns])
                        }
                    }
                }
            } catch {
                throw LabError(.invalidInput, "cannot store the matrices: \(error.message)", path: staged.destination + "/" + name)
            }
            try write(writer.serialized(), to: name, in: staged)
            names.append(name)
        }
        return names
    }

    /// The difference matrices (model A − model B) of every main sweep (replicate 0) for every pair
    /// of models, and their heatmaps; empty with one model.
    static func writeDifferences(_ contents: LabOutputContents, into staged: StagedDirectory) throws(LabError)
        -> (matrices: [String], heatmaps: [String]) {
        let input = contents.input
        let models = input.models.map(\.name)
        guard models.count > 1 else { return ([], []) }
        var bySweep: [Int: [String: LabMatrixRecord]] = [:]
        for record in contents.analysis.matrices {
            let sweep = input.sweeps[record.sweepIndex]
            guard sweep.role == .main, sweep.replicate == 0 else { continue }
            bySweep[record.sweepIndex, default: [:]][record.model] = record
        }
        var baselines: [String: UnrelatedBaseline] = [:]
        for record in contents.analysis.baselines { baselines[record.model] = record.baseline }
        var matrices: [String] = [], heatmaps: [String] = []
        for sweepIndex in bySweep.keys.sorted() {
            guard let records = bySweep[sweepIndex] else { continue }
            let sweep = input.sweeps[sweepIndex]
            for (i, nameA) in models.enumerated() {
                for nameB in models[(i + 1)...] {
                    guard let a = records[nameA], let b = records[nameB],
                          let baselineA = baselines[nameA], let baselineB = baselines[nameB] else { continue }
                    let difference: SimilarityDifference
                    do throws(AnalysisError) {
                        difference = try SimilarityDifference(a: a.imageImage, baselineA: baselineA,
                                                              b: b.imageImage, baselineB: baselineB)
                    } catch {
                        throw LabError(.layer, "cannot subtract \(nameB) from \(nameA) on \(sweep.imageID) \(sweep.preset): \(error.message)")
                    }
                    let stem = [sweep.imageID, sweep.preset, nameA + "-minus-" + nameB].map(ReportFile.safeName).joined(separator: "__")
                    if matrices.isEmpty {
                        do throws(SweepError) { try staged.createFolder("differences") } catch { throw LabError(.io, error.description) }
                    }
                    var meta = metadata(contents, sweep: sweep, records: [a])
                    meta["model"] = nil
                    meta["model_a"] = nameA
                    meta["model_b"] = nameB
                    meta["difference"] = "model A − model B, raw cosine; normalized_difference: each side in its own baseline-normalised units (s − s_unrelated) / (1 − s_unrelated)"
                    meta["summary"] = json(["raw": difference.rawSummary, "normalized": difference.normalizedSummary])
                    var writer = SafeTensorsWriter(metadata: meta)
                    let shape = [difference.raw.rows, difference.raw.columns]
                    do throws(CLIPError) {
                        try writer.add("difference", float32: difference.raw.values, shape: shape)
                        try writer.add("normalized_difference", float32: difference.normalized.values, shape: shape)
                    } catch {
                        throw LabError(.invalidInput, "cannot store the difference: \(error.message)")
                    }
                    let name = "differences/\(stem).safetensors"
                    try write(writer.serialized(), to: name, in: staged)
                    matrices.append(name)
                    let heatmap = "heatmaps/\(stem).png"
                    let png: [UInt8]
                    do throws(ReportError) {
                        png = try HeatmapImage.png(difference.raw, colormap: .rdBuReversed,
                                                   scale: .symmetric(of: difference.raw.values))
                    } catch {
                        throw LabError(.layer, "cannot draw the difference heatmap: \(error.description)")
                    }
                    do throws(SweepError) { try staged.createFolder("heatmaps") } catch { throw LabError(.io, error.description) }
                    try write(png, to: heatmap, in: staged)
                    heatmaps.append(heatmap)
                }
            }
        }
        return (matrices, heatmaps)
    }

    static func metadata(_ contents: LabOutputContents, sweep: LabSweep, records: [LabMatrixRecord]) -> [String: String] {
        let input = contents.input
        let values = sweep.variants.map(\.value)
        var metadata: [String: String] = [
            "format": "auglab-matrices/1",
            "tool": contents.tool,
            "image": sweep.imageID,
            "preset": sweep.preset,
            "model": records.first?.model ?? "",
            "role": sweep.role.rawValue,
            "axis_operation": sweep.operation,
            "axis_unit": sweep.unit,
            "axis_kind": sweep.variants.first?.axisKind.rawValue ?? "",
            "axis_values": json(values),
            "sweep_seeds": json(records.map { input.sweeps[$0.sweepIndex].sweepSeed }),
            "similarity": "cosine of L2-normalised embeddings, clamped to [-1, 1]; a zero-norm row has similarity 1 with another zero-norm row and 0 with every other row",
        ]
        if let texts = records.first(where: { $0.texts != nil })?.texts { metadata["texts"] = json(texts) }
        return metadata
    }

    static func json<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
    }
}
