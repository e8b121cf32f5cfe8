import Analysis
import CLIP
import Encoders
import Foundation
import Sweeps
import Tensors

/// `auglab analyze` as a library: embeddings made elsewhere plus the variants' provenance,
/// turned into the same analysis input `auglab run` builds.
///
/// **Row order.** The embeddings file (an `auglab embed` output, or any precomputed-embeddings
/// file `--model` accepts) holds the variants of the first variants.json in its order, then
/// those of the second, and so on. Any rows after them are clean images for the unrelated-images
/// baseline, one per image (give the swept image itself and some unrelated ones, as `run` does
/// with the bundled reference images). With fewer than two such rows the baseline is uncalibrated.
///
/// **Sweeps.** Each variants.json is one sweep. A mid-grey sweep (`augment --mask-control`) of the
/// same preset and image is the mask control of that image's sweep; sweeps of the same preset and
/// image with different seeds are replicates (ordered by seed) for the collapse interval.
///
/// **Caption.** `caption` must be one of the file's captions; the other captions are its
/// distractor prompts (embed `DistractorPrompts.prompts(excludingClassesIn:)` after it to match `run`).
public enum LabAnalyzeInput {
    /// Largest variants.json read, in bytes.
    public static let maximumVariantsFileBytes = 256 << 20

    /// The loaded input, the presets' records and remarks.
    public struct Loaded: Sendable {
        public var input: LabAnalysisInput
        public var presets: [LabPresetRecord]
        public var notes: [String]
    }

    /// Loads and checks everything; nothing is computed yet.
    ///
    /// - Throws: `LabError` naming the file: unreadable or malformed variants.json, an embeddings
    ///   file with fewer rows than variants, a caption the file does not hold.
    public static func load(embeddings path: String, variants variantFiles: [String], caption: String?,
                            modelName: String? = nil) throws(LabError) -> Loaded {
        guard !variantFiles.isEmpty else { throw LabError(.invalidArgument, "give at least one --variants variants.json") }
        let embeddings = try EmbeddingsFile.read(path, name: modelName)
        var lists: [[VariantProvenance]] = []
        for file in variantFiles { lists.append(try readVariants(file)) }
        let variantRows = lists.reduce(0) { $0 + $1.count }
        let matrix = embeddings.imageEmbeddings
        guard matrix.rows >= variantRows else {
            throw LabError(.invalidInput,
                           "holds \(matrix.rows) image embeddings but the variants files list \(variantRows) variants; embed every variant, in the order of the variants files",
                           path: path)
        }
        // Images: the sources of the variants, then the extra rows' images.
        var sourcePaths: [String] = []
        var sourceRecords: [String: SourceProvenance] = [:]
        for list in lists {
            guard let source = list.first?.source else { continue }
            if sourceRecords[source.path] == nil { sourcePaths.append(source.path); sourceRecords[source.path] = source }
        }
        let extraRows = Array(variantRows..<matrix.rows)
        let extraNames = extraRows.map { row in embeddings.imageFiles.indices.contains(row) ? (embeddings.imageFiles[row] ?? "row \(row)") : "row \(row)" }
        var allPaths = sourcePaths
        for name in extraNames where !allPaths.contains(name) { allPaths.append(name) }
        let ids = LabImage.uniqueIDs(for: allPaths)
        var images: [LabImage] = []
        for (index, imagePath) in allPaths.enumerated() {
            if let source = sourceRecords[imagePath] {
                images.append(LabImage(id: ids[index], source: source, role: .input))
            } else {
                let provenance = SourceProvenance(path: imagePath, sha256: "", format: "", width: 0, height: 0,
                                                  exifOrientation: nil, exifOrientationApplied: false)
                images.append(LabImage(id: ids[index], source: provenance, role: .baselineReference))
            }
        }
        // Sweeps and their rows.
        var sweeps: [LabSweep] = []
        var sweepMatrices: [Matrix] = []
        var offset = 0
        for list in lists {
            let imageID = ids[allPaths.firstIndex(of: list[0].source.path) ?? 0]
            sweeps.append(LabSweep(imageID: imageID, preset: list[0].preset, role: .main, replicate: 0, variants: list))
            sweepMatrices.append(Matrix(stacking: (offset..<(offset + list.count)).map { matrix.row($0) }, columns: matrix.columns))
            offset += list.count
        }
        assignReplicatesAndRoles(&sweeps)
        let baselineSources = extraRows.indices.map { allPaths.firstIndex(of: extraNames[$0]) ?? $0 }
        let baseline = Matrix(stacking: extraRows.map { matrix.row($0) }, columns: matrix.columns)
        var notes: [String] = []
        if Set(baselineSources).count < 2 {
            notes.append("fewer than two clean images after the variants in \(path): the unrelated-images baseline is uncalibrated (raw cosines, no flip p-value); append the source image and unrelated images to the embeddings")
        }
        var item = LabEmbeddings(sweeps: sweepMatrices.map(Embeddings.l2Normalized), baseline: Embeddings.l2Normalized(baseline),
                                 baselineSources: baselineSources)
        var prompts: [String] = []
        if let caption {
            let captions = embeddings.captions
            guard let texts = embeddings.textEmbeddings, let chosen = captions.first(where: { $0.text == caption }) else {
                throw LabError(.invalidInput, "--caption '\(caption)' is not among the captions embedded in this file", path: path)
            }
            let others = captions.filter { $0.row != chosen.row }
            guard !others.isEmpty else {
                throw LabError(.invalidInput, "the crossmodal readout needs distractor prompts: embed them as further captions", path: path)
            }
            let unit = Embeddings.l2Normalized(texts)
            item.caption = Matrix(stacking: [unit.row(chosen.row)], columns: unit.columns)
            item.distractors = Matrix(stacking: others.map { unit.row($0.row) }, columns: unit.columns)
            prompts = others.map(\.text)
        }
        let model = embeddings.model
        let input = LabAnalysisInput(images: images, models: [model], sweeps: sweeps, embeddings: [item], caption: caption,
                                     distractorPrompts: prompts)
        return Loaded(input: input, presets: presetRecords(sweeps), notes: notes)
    }

    /// Replicates: sweeps of the same image, preset and source kind, numbered by seed. Roles: a
    /// mid-grey sweep that is the mask control of another sweep is that sweep's control.
    static func assignReplicatesAndRoles(_ sweeps: inout [LabSweep]) {
        struct Key: Hashable { var image: String; var preset: String; var source: SourceKind }
        var groups: [Key: [Int]] = [:]
        for (index, sweep) in sweeps.enumerated() {
            groups[Key(image: sweep.imageID, preset: sweep.preset, source: sweep.sourceKind), default: []].append(index)
        }
        for indices in groups.values {
            let ordered = indices.sorted { (sweeps[$0].sweepSeed, $0) < (sweeps[$1].sweepSeed, $1) }
            for (replicate, index) in ordered.enumerated() { sweeps[index].replicate = replicate }
        }
        for index in sweeps.indices where sweeps[index].sourceKind == .midGrey {
            let sweep = sweeps[index]
            if sweeps.contains(where: { $0.sourceKind == .image && sweep.isMaskControl(of: $0) }) {
                sweeps[index].role = .maskControl
            }
        }
    }

    /// One record per preset seen among the main sweeps (definition unknown: only provenance).
    static func presetRecords(_ sweeps: [LabSweep]) -> [LabPresetRecord] {
        var records: [LabPresetRecord] = []
        for sweep in sweeps where sweep.role == .main && !records.contains(where: { $0.name == sweep.preset }) {
            guard let first = sweep.variants.first else { continue }
            let replicates = Set(sweeps.filter { $0.preset == sweep.preset && $0.role == .main }.map(\.replicate)).count
            records.append(LabPresetRecord(
                name: sweep.preset, path: first.presetPath, sha256: first.presetSHA256, definition: nil,
                operation: first.operation, unit: first.unit, axisKind: first.axisKind.rawValue, variants: sweep.variants.count,
                stochastic: ["gaussian_noise", "uniform_noise"].contains(first.operation), replicates: replicates))
        }
        return records
    }

    /// Reads one variants.json written by `auglab augment`.
    static func readVariants(_ path: String) throws(LabError) -> [VariantProvenance] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw LabError(.notFound, "variants file not found", path: path)
        }
        guard !isDirectory.boolValue else { throw LabError(.invalidInput, "is a folder; give its variants.json", path: path) }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw LabError(.io, "cannot open for reading", path: path) }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.read(upToCount: maximumVariantsFileBytes + 1) ?? Data()
        } catch {
            throw LabError(.io, "cannot read: \(error.localizedDescription)", path: path)
        }
        guard data.count <= maximumVariantsFileBytes else {
            throw LabError(.invalidInput, "larger than \(maximumVariantsFileBytes) bytes; not a variants.json", path: path)
        }
        let list: [VariantProvenance]
        do {
            list = try JSONDecoder().decode([VariantProvenance].self, from: data)
        } catch {
            throw LabError(.invalidInput, "not a variants.json written by auglab augment: \(describe(error))", path: path)
        }
        guard !list.isEmpty else { throw LabError(.invalidInput, "lists no variants", path: path) }
        for (position, variant) in list.enumerated() where variant.index != position {
            throw LabError(.invalidInput, "variant at position \(position) has index \(variant.index); variants must be in sweep order",
                           path: path, location: "[\(position)].index")
        }
        let first = list[0]
        for (position, variant) in list.enumerated()
        where variant.preset != first.preset || variant.source.sha256 != first.source.sha256 || variant.sourceKind != first.sourceKind {
            throw LabError(.invalidInput, "variant \(position) belongs to another sweep (preset, source or source kind differ)", path: path,
                           location: "[\(position)]")
        }
        return list
    }

    static func describe(_ error: Error) -> String {
        guard let decoding = error as? DecodingError else { return "\(error)" }
        switch decoding {
        case .keyNotFound(let key, let context):
            return "key '\(key.stringValue)' missing at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "\(context.debugDescription) at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        @unknown default:
            return "\(error)"
        }
    }
}

/// The rows, captions and model record of an embeddings file, read without matching rows to
/// images by name: `analyze` takes the rows in order, so an `auglab embed` output whose images
/// share file names (`variants/0000.png` of several sweeps) is fine here.
struct EmbeddingsFile {
    var imageEmbeddings: Matrix
    var textEmbeddings: Matrix?
    /// The file name recorded for each image row, if any.
    var imageFiles: [String?]
    /// The captions with their rows, by row.
    var captions: [EmbeddingIndex.Caption]
    var model: LabModel

    /// Reads a safetensors file written by `auglab embed` directly; any other file (an
    /// embeddings index `.json`) through `PrecomputedEmbeddings`.
    static func read(_ path: String, name: String?) throws(LabError) -> EmbeddingsFile {
        guard path.lowercased().hasSuffix(".safetensors") else {
            do throws(EncoderError) {
                let loaded = try PrecomputedEmbeddings.load(path, name: name)
                var files = [String?](repeating: nil, count: loaded.imageEmbeddings.rows)
                for image in loaded.index.images where files.indices.contains(image.row) { files[image.row] = image.file }
                return EmbeddingsFile(imageEmbeddings: loaded.imageEmbeddings, textEmbeddings: loaded.textEmbeddings, imageFiles: files,
                                      captions: loaded.index.captions.sorted { $0.row < $1.row },
                                      model: LabModel(spec: "embeddings:\(path)", descriptor: loaded.descriptor))
            } catch {
                throw LabError(.invalidInput, error.description)
            }
        }
        do throws(CLIPError) {
            let file = try SafeTensorsFile(path: path)
            guard let info = file.info("image_embeds"), info.shape.count == 2 else {
                throw CLIPError(.invalidInput, "no 2-D image_embeds tensor: not an auglab embed output", path: path)
            }
            let images = Matrix(rows: info.shape[0], columns: info.shape[1], values: try file.floats("image_embeds"))
            var texts: Matrix?
            if let textInfo = file.info("text_embeds"), textInfo.shape.count == 2, textInfo.shape[1] == info.shape[1] {
                texts = Matrix(rows: textInfo.shape[0], columns: textInfo.shape[1], values: try file.floats("text_embeds"))
            }
            var files = [String?](repeating: nil, count: images.rows)
            var captions: [EmbeddingIndex.Caption] = []
            if let text = file.metadata[PrecomputedEmbeddings.metadataKey],
               let index = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] {
                for (position, entry) in ((index["images"] as? [Any]) ?? []).enumerated() {
                    guard let object = entry as? [String: Any] else { continue }
                    let row = (object["row"] as? Int) ?? position
                    if files.indices.contains(row) { files[row] = object["file"] as? String }
                }
                for (position, entry) in ((index["captions"] as? [Any]) ?? []).enumerated() {
                    if let caption = entry as? String {
                        captions.append(EmbeddingIndex.Caption(text: caption, row: position))
                    } else if let object = entry as? [String: Any], let caption = object["text"] as? String {
                        captions.append(EmbeddingIndex.Caption(text: caption, row: (object["row"] as? Int) ?? position))
                    }
                }
            }
            if let texts { captions = captions.filter { $0.row >= 0 && $0.row < texts.rows } } else { captions = [] }
            let metadata = file.metadata
            let logit = (try? file.floats("logit_scale")).flatMap(\.first).map(Double.init)
            let logitExp = (try? file.floats("logit_scale_exp")).flatMap(\.first).map(Double.init)
            let model = LabModel(
                name: name ?? metadata["model_name"] ?? URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent,
                spec: "embeddings:\(path)", kind: metadata["model_kind"] ?? "precomputed",
                architecture: metadata["model_architecture"] ?? "precomputed embeddings", file: metadata["model_file"],
                sha256: metadata["model_sha256"], embeddingDimension: images.columns, logitScale: logit, logitScaleExp: logitExp,
                hasTextTower: texts != nil, preprocessing: metadata["preprocessing"] ?? "computed elsewhere")
            return EmbeddingsFile(imageEmbeddings: images, textEmbeddings: texts, imageFiles: files, captions: captions, model: model)
        } catch {
            throw LabError(.invalidInput, error.message, path: error.path ?? path, location: error.location)
        }
    }
}
