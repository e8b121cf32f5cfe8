import Analysis
import Foundation
import Imaging
import Reports
import Sweeps
import Tensors

/// One model's embeddings of everything a run swept, ready for the detectors.
///
/// Rows are L2-normalised (`Embeddings.l2Normalized`, as `auglab embed` writes them), so `run`
/// and `analyze` on `augment` + `embed` output feed the detectors the same numbers.
public struct LabEmbeddings: Sendable {
    /// One matrix per sweep of `LabAnalysisInput.sweeps` (variants × dimension, sweep order).
    public var sweeps: [Matrix]
    /// The clean source images for the unrelated-images baseline, one row each.
    public var baseline: Matrix
    /// The source of each baseline row (any distinct integers per image).
    public var baselineSources: [Int]
    /// The caption's embedding (1 × d), for models with a text tower when a caption was given.
    public var caption: Matrix?
    /// The distractor prompts' embeddings (m × d), alongside `caption`.
    public var distractors: Matrix?

    /// Embeddings of one model.
    public init(sweeps: [Matrix], baseline: Matrix, baselineSources: [Int], caption: Matrix? = nil, distractors: Matrix? = nil) {
        self.sweeps = sweeps
        self.baseline = baseline
        self.baselineSources = baselineSources
        self.caption = caption
        self.distractors = distractors
    }
}

/// Everything the detectors need: images, models, sweeps (with provenance) and each model's embeddings.
public struct LabAnalysisInput: Sendable {
    /// The source images (inputs first, then baseline references).
    public var images: [LabImage]
    /// The encoders, in the order of `embeddings`.
    public var models: [LabModel]
    /// Every sweep (main sweeps and their controls).
    public var sweeps: [LabSweep]
    /// One entry per model.
    public var embeddings: [LabEmbeddings]
    /// The caption, if one was given.
    public var caption: String?
    /// The distractor prompts embedded with the caption.
    public var distractorPrompts: [String]

    /// An analysis input.
    public init(images: [LabImage], models: [LabModel], sweeps: [LabSweep], embeddings: [LabEmbeddings],
                caption: String?, distractorPrompts: [String]) {
        self.images = images
        self.models = models
        self.sweeps = sweeps
        self.embeddings = embeddings
        self.caption = caption
        self.distractorPrompts = distractorPrompts
    }
}

/// A finding with its final verdict, as summary.json and findings.csv list it.
public struct LabFinding: Sendable, Equatable {
    /// What to conclude from a finding and its artefact controls.
    public enum Verdict: String, Sendable, Codable {
        /// Detected, and (for rotation findings) the controls do not attribute it to the geometry.
        case found
        /// Detected, but the mask control shows it too or the circular-mask sweep does not
        /// reproduce it: the rotation geometry's (black corners), not the model's.
        case artefact
        /// Not detected.
        case notFound = "not_found"
    }

    /// The detector's finding, labelled with image, model and preset.
    public var finding: Finding

    /// The final verdict (see `Verdict` and `LabAnalysis.verdictRule`).
    public var verdict: Verdict {
        guard finding.detected else { return .notFound }
        if let control = finding.control, !control.survives { return .artefact }
        return .found
    }
}

/// One similarity matrix set a run writes: the cosines and embeddings of one sweep and model.
public struct LabMatrixRecord: Sendable {
    /// Index of the sweep in `LabAnalysisInput.sweeps`.
    public var sweepIndex: Int
    /// The model's name.
    public var model: String
    /// Variant × variant cosines (diagonal 1).
    public var imageImage: Matrix
    /// The L2-normalised embeddings (variants × d).
    public var embeddings: Matrix
    /// With a caption: the quadrants with `[caption] + distractors`.
    public var quadrants: SimilarityQuadrants?
    /// The texts of the text quadrants, in order.
    public var texts: [String]?
}

/// The unrelated-images baseline of one model, as summary.json records it.
public struct LabBaselineRecord: Sendable, Codable, Equatable {
    /// The model.
    public var model: String
    /// The baseline (mean, spread, pairs, sources, warnings).
    public var baseline: UnrelatedBaseline
    /// The ids of the images whose clean versions were compared.
    public var images: [String]
}

/// A collapse curve as summary.json records it.
public struct LabCurveRecord: Sendable, Codable, Equatable {
    /// The image id, or `all` for the curve averaged over images.
    public var image: String
    public var model: String
    public var preset: String
    /// The unit of the levels.
    public var unit: String
    /// The curves (levels, raw and normalised similarity to the clean image, collapse index).
    public var curve: CollapseCurve
}

/// What the detectors found over a whole run.
public struct LabAnalysisResult: Sendable {
    /// Every finding (headlines and components), in image, preset, model order; pooled collapse
    /// findings after the per-image ones.
    public var findings: [LabFinding]
    /// The baseline of each model.
    public var baselines: [LabBaselineRecord]
    /// The matrices of every sweep and model.
    public var matrices: [LabMatrixRecord]
    /// Curves for the report's plots.
    public var reportCurves: [ReportCurve]
    /// Similarity-to-clean curves of the collapse analyses.
    public var collapseCurves: [LabCurveRecord]
    /// Everything worth telling the user, deduplicated, in order of discovery.
    public var warnings: [AnalysisWarning]
    /// Every score side by side, when more than one model ran.
    public var comparison: ComparisonTable?
}

/// Runs the detectors over a run's sweeps: which detector fits which sweep, the artefact
/// controls of rotation sweeps, the baseline per model, and the collapse pooled over images.
///
/// - Rotation sweeps (full circle, equal steps, ≥ 32 angles): `periodicity_90` and
///   `antidiagonal`, each judged by `ArtefactControl` against the sweep's mask control (the same
///   preset on flat mid-grey) and, for a same-canvas rotation, its circular-mask version, when
///   those sweeps are present.
/// - D4 sweeps (`dihedral`): `flip_explicit`, each variant against the variants that are its
///   horizontal and vertical mirror (found by composing the D4 elements; exact, so `run` and
///   `analyze` need no extra images).
/// - Noise and blur sweeps: `collapse_threshold` over every replicate (noise seed) of every
///   image, the clean image being the variant at the sweep's lowest level of replicate 0
///   (σ = 0 in the bundled presets, which leaves the image unchanged).
/// - With a caption, models with a text tower: `crossmodal` on every main sweep (replicate 0),
///   the reference being the lowest level (rotation 0°, the D4 identity).
public enum LabAnalysis {
    /// How a finding's final verdict follows from the detector and the artefact controls.
    public static let verdictRule = "found = detected (significant against the null and above the effect floor) and, for rotation findings, surviving the artefact controls; artefact = detected but attributed to the rotation geometry by the controls; not_found = not detected"

    /// Runs every detector that fits each main sweep, for every model.
    ///
    /// Detector input problems (a sweep too short for a detector, levels that differ between
    /// images) become warnings, not errors; every number in the result is finite.
    public static func analyze(_ input: LabAnalysisInput) -> LabAnalysisResult {
        var state = State(input: input)
        for (modelIndex, model) in input.models.enumerated() {
            state.baselines.append(state.baseline(model: modelIndex))
            _ = model
        }
        for (sweepIndex, sweep) in input.sweeps.enumerated() where sweep.role == .main && sweep.replicate == 0 {
            for modelIndex in input.models.indices {
                state.analyzeSweep(sweepIndex, model: modelIndex)
            }
        }
        state.analyzeCollapse()
        for sweepIndex in input.sweeps.indices {
            for modelIndex in input.models.indices { state.recordMatrix(sweepIndex, model: modelIndex) }
        }
        let labelled = state.findings.map(\.finding)
        for finding in labelled { state.note(finding.warnings, context: [finding.model, finding.image, finding.preset]) }
        let models = Set(labelled.compactMap(\.model))
        return LabAnalysisResult(
            findings: state.findings,
            baselines: input.models.indices.map { index in
                LabBaselineRecord(model: input.models[index].name, baseline: state.baselines[index],
                                  images: state.baselineImages(model: index))
            },
            matrices: state.matrices, reportCurves: state.curves, collapseCurves: state.collapseCurves,
            warnings: state.warnings, comparison: models.count > 1 ? ComparisonTable(findings: labelled) : nil)
    }

    /// The variant to compare others with: the lowest numeric level, else the D4 identity, else the first.
    static func referenceIndex(of sweep: LabSweep) -> Int {
        if let levels = sweep.levels, let minimum = levels.min() { return levels.firstIndex(of: minimum) ?? 0 }
        return sweep.variants.firstIndex { $0.value.name == "identity" } ?? 0
    }

    /// For each variant of a D4 sweep, the index of the variant that is its mirror along `axis`
    /// (nil where the sweep lacks it or a value is not a D4 element).
    static func mirrorIndices(of sweep: LabSweep, axis: DihedralTransform) -> [Int?] {
        let transforms = sweep.variants.map { $0.value.name.flatMap(DihedralName.init(rawValue:))?.transform }
        return transforms.map { transform in
            guard let transform else { return nil }
            let target = transform.followed(by: axis)
            return transforms.firstIndex { $0 == target }
        }
    }

    /// Mutable bookkeeping of one analysis.
    struct State {
        let input: LabAnalysisInput
        var baselines: [UnrelatedBaseline] = []
        var findings: [LabFinding] = []
        var matrices: [LabMatrixRecord] = []
        var curves: [ReportCurve] = []
        var collapseCurves: [LabCurveRecord] = []
        var warnings: [AnalysisWarning] = []
        var cosineCache: [Int: [Int: SimilarityMatrix]] = [:]

        init(input: LabAnalysisInput) {
            self.input = input
        }

        mutating func note(_ list: [AnalysisWarning], context: [String?]) {
            let prefix = context.compactMap { $0 }.joined(separator: " / ")
            for warning in list {
                let item = AnalysisWarning(code: warning.code, message: prefix.isEmpty ? warning.message : "\(prefix): \(warning.message)")
                if !warnings.contains(item) { warnings.append(item) }
            }
        }

        mutating func note(_ code: String, _ message: String) {
            note([AnalysisWarning(code: code, message: message)], context: [])
        }

        func baseline(model: Int) -> UnrelatedBaseline {
            let embeddings = input.embeddings[model]
            guard Set(embeddings.baselineSources).count >= 2 else { return .uncalibrated }
            return (try? UnrelatedBaseline.estimate(embeddings: embeddings.baseline, sources: embeddings.baselineSources))
                ?? .uncalibrated
        }

        func baselineImages(model: Int) -> [String] {
            var seen: [Int] = []
            for source in input.embeddings[model].baselineSources where !seen.contains(source) { seen.append(source) }
            return seen.map { $0 >= 0 && $0 < input.images.count ? input.images[$0].id : String($0) }
        }

        mutating func cosines(_ sweep: Int, model: Int) -> SimilarityMatrix {
            if let cached = cosineCache[model]?[sweep] { return cached }
            let sweepRecord = input.sweeps[sweep]
            let label = "\(sweepRecord.imageID) \(sweepRecord.preset)\(sweepRecord.role == .main ? "" : " (\(sweepRecord.role.rawValue))")"
            let matrix = Similarity.cosineMatrix(input.embeddings[model].sweeps[sweep], label: label)
            cosineCache[model, default: [:]][sweep] = matrix
            return matrix
        }

        mutating func add(_ list: [Finding], sweep: LabSweep, model: Int, image: String? = nil) {
            for finding in list {
                let labelled = finding.labelled(image: image ?? sweep.imageID, model: input.models[model].name, preset: sweep.preset)
                findings.append(LabFinding(finding: labelled))
            }
        }

        mutating func analyzeSweep(_ index: Int, model: Int) {
            let sweep = input.sweeps[index]
            let modelName = input.models[model].name
            switch sweep.kind {
            case .rotation: analyzeRotation(index, model: model)
            case .dihedral: analyzeFlips(index, model: model)
            case .degradation, .other: break
            }
            if input.caption != nil {
                if let caption = input.embeddings[model].caption, let distractors = input.embeddings[model].distractors {
                    let levels = sweep.levels ?? sweep.variants.indices.map(Double.init)
                    let unit = sweep.levels == nil ? "variant index" : sweep.unit
                    do {
                        let result = try CrossModalReadout.evaluate(
                            images: input.embeddings[model].sweeps[index], caption: caption, distractors: distractors,
                            levels: levels, unit: unit, referenceIndex: LabAnalysis.referenceIndex(of: sweep))
                        add(result.allFindings, sweep: sweep, model: model)
                    } catch {
                        note("crossmodal-skipped", "\(modelName) / \(sweep.imageID) / \(sweep.preset): crossmodal not run: \(error)")
                    }
                }
            }
        }

        mutating func analyzeRotation(_ index: Int, model: Int) {
            let sweep = input.sweeps[index]
            let baseline = baselines[model]
            let modelName = input.models[model].name
            let mask = sweep.sourceKind == .image ? input.sweeps.firstIndex { $0.isMaskControl(of: sweep) } : nil
            let circular = sweep.sourceKind == .image && sweep.crop != "circle"
                ? input.sweeps.firstIndex { $0.isCircularVersion(of: sweep) } : nil
            func detectors(_ sweepIndex: Int) throws(AnalysisError) -> (PeriodicityResult, AntidiagonalResult) {
                let rotation = try RotationSweep(anglesDegrees: input.sweeps[sweepIndex].levels ?? [])
                let matrix = cosines(sweepIndex, model: model).matrix
                return (try PeriodicityDetector.detect(similarities: matrix, sweep: rotation, baseline: baseline),
                        try AntidiagonalDetector.detect(similarities: matrix, sweep: rotation, baseline: baseline))
            }
            do {
                var (periodicity, antidiagonal) = try detectors(index)
                let maskResults = try mask.map { sweepIndex throws(AnalysisError) in try detectors(sweepIndex) }
                let circularResults = try circular.map { sweepIndex throws(AnalysisError) in try detectors(sweepIndex) }
                if maskResults != nil || circularResults != nil {
                    periodicity = ArtefactControl.apply(to: periodicity, mask: maskResults?.0, circular: circularResults?.0)
                    antidiagonal = ArtefactControl.apply(to: antidiagonal, mask: maskResults?.1, circular: circularResults?.1)
                }
                add(periodicity.allFindings, sweep: sweep, model: model)
                add(antidiagonal.allFindings, sweep: sweep, model: model)
                curves.append(.rotationProfile(periodicity, image: sweep.imageID, sweep: sweep.preset, model: modelName))
                curves.append(.antidiagonalProfile(antidiagonal, image: sweep.imageID, sweep: sweep.preset, model: modelName))
                if mask == nil {
                    note("no-mask-control", "\(modelName) / \(sweep.imageID) / \(sweep.preset): no mask control was run, so the rotation findings are not checked against the black corners")
                }
            } catch {
                note("rotation-skipped", "\(modelName) / \(sweep.imageID) / \(sweep.preset): rotation detectors not run: \(error)")
            }
        }

        mutating func analyzeFlips(_ index: Int, model: Int) {
            let sweep = input.sweeps[index]
            let modelName = input.models[model].name
            let horizontal = LabAnalysis.mirrorIndices(of: sweep, axis: .flipHorizontal)
            let vertical = LabAnalysis.mirrorIndices(of: sweep, axis: .flipVertical)
            let rows = sweep.variants.indices.filter { horizontal[$0] != nil || vertical[$0] != nil }
            let hasHorizontal = rows.allSatisfy { horizontal[$0] != nil }
            let hasVertical = rows.allSatisfy { vertical[$0] != nil }
            let embeddings = input.embeddings[model].sweeps[index]
            func gather(_ indices: [Int]) -> Matrix {
                Matrix(stacking: indices.map { embeddings.row($0) }, columns: embeddings.columns)
            }
            guard !rows.isEmpty, hasHorizontal || hasVertical else {
                note("flip-skipped", "\(modelName) / \(sweep.imageID) / \(sweep.preset): no variant has its mirror in the sweep; flip_explicit not run")
                return
            }
            do {
                let result = try FlipInvarianceDetector.detect(
                    originals: gather(rows),
                    horizontal: hasHorizontal ? gather(rows.compactMap { horizontal[$0] }) : nil,
                    vertical: hasVertical ? gather(rows.compactMap { vertical[$0] }) : nil,
                    baseline: baselines[model])
                add(result.allFindings, sweep: sweep, model: model)
            } catch {
                note("flip-skipped", "\(modelName) / \(sweep.imageID) / \(sweep.preset): flip_explicit not run: \(error)")
            }
        }

        /// The collapse detector per (preset, model) over every image's replicates.
        mutating func analyzeCollapse() {
            var presets: [String] = []
            for sweep in input.sweeps where sweep.role == .main && sweep.kind == .degradation && !presets.contains(sweep.preset) {
                presets.append(sweep.preset)
            }
            for preset in presets {
                var imageIDs: [String] = []
                for sweep in input.sweeps where sweep.role == .main && sweep.preset == preset && !imageIDs.contains(sweep.imageID) {
                    imageIDs.append(sweep.imageID)
                }
                for model in input.models.indices { collapse(preset: preset, images: imageIDs, model: model) }
            }
        }

        mutating func collapse(preset: String, images: [String], model: Int) {
            let modelName = input.models[model].name
            var sweeps: [CollapseSweep] = []
            var unit = ""
            for image in images {
                let indices = input.sweeps.indices.filter {
                    input.sweeps[$0].role == .main && input.sweeps[$0].preset == preset && input.sweeps[$0].imageID == image
                }.sorted { input.sweeps[$0].replicate < input.sweeps[$1].replicate }
                guard let first = indices.first, input.sweeps[first].replicate == 0 else { continue }
                let reference = input.sweeps[first]
                unit = reference.unit
                let referenceRow = LabAnalysis.referenceIndex(of: reference)
                if let level = reference.levels?[referenceRow], level != 0 {
                    note("collapse-reference", "\(image) / \(preset): the lowest level is \(level) \(unit), not 0; its variant stands in for the clean image")
                }
                let embeddings = input.embeddings[model]
                var rows: [[Float]] = []
                var levels: [Double] = []
                var seeds: [Int] = []
                for index in indices {
                    let matrix = embeddings.sweeps[index]
                    for row in 0..<matrix.rows { rows.append(matrix.row(row)) }
                    levels += input.sweeps[index].levels ?? []
                    seeds += Array(repeating: input.sweeps[index].replicate, count: matrix.rows)
                }
                let clean = Matrix(stacking: [embeddings.sweeps[first].row(referenceRow)], columns: embeddings.sweeps[first].columns)
                do {
                    sweeps.append(try CollapseSweep.fromEmbeddings(name: image, variants: Matrix(stacking: rows, columns: clean.columns),
                                                                   clean: clean, levels: levels, seeds: seeds))
                } catch {
                    note("collapse-skipped", "\(modelName) / \(image) / \(preset): collapse_threshold not run: \(error)")
                }
            }
            guard !sweeps.isEmpty else { return }
            do {
                let result = try CollapseDetector.detect(images: sweeps, unit: unit, baseline: baselines[model])
                let pooledImage = sweeps.count == 1 ? (sweeps[0].name ?? "all") : "all"
                let labelledSweep = LabSweep(imageID: pooledImage, preset: preset, role: .main, replicate: 0, variants: [])
                add([result.finding], sweep: labelledSweep, model: model, image: pooledImage)
                for (offset, component) in result.components.enumerated() {
                    add([component], sweep: labelledSweep, model: model, image: component.image ?? sweeps[offset].name)
                }
                curves.append(.similarityToClean(result.pooledCurve, finding: result.finding,
                                                 image: sweeps.count == 1 ? sweeps[0].name : nil, sweep: preset, model: modelName))
                collapseCurves.append(LabCurveRecord(image: pooledImage, model: modelName, preset: preset, unit: unit,
                                                     curve: result.pooledCurve))
                if sweeps.count > 1 {
                    for item in result.perImage {
                        collapseCurves.append(LabCurveRecord(image: item.finding.image ?? "", model: modelName, preset: preset,
                                                             unit: unit, curve: item.curve))
                    }
                }
            } catch {
                note("collapse-skipped", "\(modelName) / \(preset): collapse_threshold not run: \(error)")
            }
        }

        mutating func recordMatrix(_ index: Int, model: Int) {
            let sweep = input.sweeps[index]
            let similarity = cosines(index, model: model)
            note(similarity.warnings, context: [input.models[model].name])
            var record = LabMatrixRecord(sweepIndex: index, model: input.models[model].name, imageImage: similarity.matrix,
                                         embeddings: input.embeddings[model].sweeps[index])
            if sweep.role == .main, sweep.replicate == 0, let caption = input.embeddings[model].caption,
               let distractors = input.embeddings[model].distractors {
                let texts = Matrix(stacking: [caption.row(0)] + (0..<distractors.rows).map { distractors.row($0) },
                                   columns: caption.columns)
                record.quadrants = try? Similarity.quadrants(images: record.embeddings, texts: texts)
                record.texts = (input.caption.map { [$0] } ?? []) + input.distractorPrompts
            }
            matrices.append(record)
        }
    }
}
