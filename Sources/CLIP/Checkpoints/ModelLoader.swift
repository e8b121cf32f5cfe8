import Foundation
import Imaging

/// How a model reached AugLab: the folder layouts the hubs publish, or one weight file.
public enum ModelLayout: String, Sendable, Codable, CaseIterable {
    /// Hugging Face transformers: `config.json` (a `CLIPConfig`) + `model.safetensors` or `pytorch_model.bin`,
    /// optionally `preprocessor_config.json`.
    case huggingFace = "hugging-face"
    /// open_clip's hub layout: `open_clip_config.json` (`model_cfg` + `preprocess_cfg`) +
    /// `open_clip_model.safetensors` or `open_clip_pytorch_model.bin`.
    case openCLIPHub = "open_clip-hub"
    /// An open_clip model config as `config.json` + `model.safetensors` (the CLIP fixtures' layout).
    case openCLIPConfig = "open_clip-config"
    /// A single weight file (`.safetensors`, or a PyTorch `.pt`/`.pth`/`.bin` including TorchScript),
    /// its architecture inferred from the tensor shapes.
    case checkpointFile = "checkpoint-file"
}

/// A model ready for the towers: its architecture, preprocessing and weights in open_clip names.
public struct LoadedModel: Sendable {
    /// The path the user gave (folder or file).
    public var path: String
    /// The layout detected.
    public var layout: ModelLayout
    /// The architecture (validated, and checked against every weight shape).
    public var config: CLIPConfig
    /// How images are prepared for this model.
    public var preprocess: PreprocessConfig
    /// The weights under open_clip names, whatever layout the file uses.
    public var weights: LayoutAdapter
    /// The weight file read.
    public var weightsPath: String
    /// Its container format.
    public var weightsFormat: CheckpointFormat
    /// Lowercase hex SHA-256 of the weight file (nil when not requested).
    public var sha256: String?
    /// Where the architecture came from: a config file's path, or "inferred from weight shapes".
    public var configSource: String
    /// Things the user should know: assumptions made, entries ignored, prefixes stripped.
    public var notes: [String]

    /// The key layout of the weight file.
    public var keyLayout: KeyLayout { weights.layout }
}

/// Choices for `ModelLoader.load`.
public struct ModelLoadOptions: Sendable {
    /// Use this architecture instead of the folder's config or the shape inference.
    public var config: CLIPConfig?
    /// QuickGELU for an architecture inferred from shapes (which cannot tell); default true, as
    /// OpenAI, CyCLIP and CLOOB weights need. Ignored when a config file or `config` says.
    public var quickGELU: Bool?
    /// Hash the weight file (seconds for large models); default true.
    public var computeSHA256: Bool

    /// Options with the defaults: config from the folder or inferred, QuickGELU assumed for inferred configs, SHA-256 computed.
    public init(config: CLIPConfig? = nil, quickGELU: Bool? = nil, computeSHA256: Bool = true) {
        self.config = config
        self.quickGELU = quickGELU
        self.computeSHA256 = computeSHA256
    }
}

/// Reads a model from a folder or file as users have them, with every file validated as untrusted input.
public enum ModelLoader {
    /// Weight file names tried in an open_clip hub folder, in open_clip's order of preference.
    public static let openCLIPHubWeightNames = ["open_clip_model.safetensors", "open_clip_pytorch_model.safetensors",
                                                "open_clip_pytorch_model.bin", "open_clip_pytorch_model.pth",
                                                "model.safetensors", "pytorch_model.bin"]
    /// Weight file names tried in a Hugging Face folder.
    public static let huggingFaceWeightNames = ["model.safetensors", "pytorch_model.bin"]
    /// Weight file names tried next to an open_clip model config.json.
    public static let openCLIPConfigWeightNames = ["model.safetensors", "open_clip_model.safetensors", "model.pt",
                                                   "open_clip_pytorch_model.bin", "pytorch_model.bin"]

    /// Loads the model at `path`: a folder in one of the `ModelLayout`s, or a single weight file.
    ///
    /// Detection looks at file names and contents, never at extensions alone: `open_clip_config.json`
    /// → open_clip hub; `config.json` holding a transformers config → Hugging Face, holding
    /// `embed_dim`/`vision_cfg` → open_clip config layout; a file → safetensors or PyTorch by its
    /// first bytes. The weights' key layout is detected separately (`LayoutAdapter`) and the weights
    /// are checked against the configuration before anything is returned.
    ///
    /// - Throws: `CLIPError` naming the file and the problem; for a folder that matches no layout,
    ///   what was looked for.
    public static func load(_ path: String, options: ModelLoadOptions = ModelLoadOptions()) throws(CLIPError) -> LoadedModel {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CLIPError(.io, "no such file or folder", path: path)
        }
        var model = isDirectory.boolValue ? try loadFolder(path, options: options) : try loadFile(path, options: options)
        if let override = options.config {
            try override.validate(path: path)
            model.config = override
            model.configSource = "given by the caller"
            model.preprocess.imageSize = override.vision.imageSize
        }
        try WeightValidation.check(model.weights, against: model.config)
        try checkReadable(model.weights)
        if model.config.text.vocabSize != 49408 {
            model.notes.append("the text vocabulary has \(model.config.text.vocabSize) tokens, not CLIP's 49,408: the CLIP tokenizer's ids may not fit it")
        }
        if options.computeSHA256 {
            do { model.sha256 = try SHA256.hexOfFile(atPath: model.weightsPath) } catch {
                throw CLIPError(error, context: "cannot hash the weight file")
            }
        }
        return model
    }

    /// Opens a weight file of any supported format, detected from its first bytes.
    ///
    /// - Throws: `CLIPError` naming the file when it cannot be read or is in no supported format.
    public static func openWeights(_ path: String) throws(CLIPError) -> (source: any WeightSource, format: CheckpointFormat) {
        let file = try MappedFile(path: path)
        switch try CheckpointFormat.detect(file) {
        case .safetensors:
            return (try SafeTensorsFile(file: file), .safetensors)
        case .pytorch, .torchScript:
            let checkpoint = try PyTorchCheckpoint(file: file)
            return (checkpoint, checkpoint.isTorchScript ? .torchScript : .pytorch)
        }
    }

    private static func join(_ folder: String, _ name: String) -> String {
        URL(fileURLWithPath: folder).appendingPathComponent(name).path
    }

    private static func isFile(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
    }

    private static func loadFolder(_ folder: String, options: ModelLoadOptions) throws(CLIPError) -> LoadedModel {
        let hubConfig = join(folder, "open_clip_config.json")
        let plainConfig = join(folder, "config.json")
        if isFile(hubConfig) {
            let json = try JSONValue.read(path: hubConfig, what: "open_clip_config.json")
            let (config, preprocess) = try OpenCLIPConfigFile.hubConfig(json, path: hubConfig)
            let weightsPath = try findWeights(in: folder, names: openCLIPHubWeightNames, layout: "open_clip hub")
            return try assemble(folder, .openCLIPHub, config: config, preprocess: preprocess, configSource: hubConfig,
                                weightsPath: weightsPath, notes: [])
        }
        if isFile(plainConfig) {
            let json = try JSONValue.read(path: plainConfig, what: "config.json")
            if HuggingFaceConfig.looksLikeHuggingFace(json) {
                let config = try HuggingFaceConfig.modelConfig(json, path: plainConfig)
                var preprocess = PreprocessConfig(imageSize: config.vision.imageSize)
                var notes: [String] = []
                let processorPath = join(folder, "preprocessor_config.json")
                if isFile(processorPath) {
                    let processor = try JSONValue.read(path: processorPath, what: "preprocessor_config.json")
                    preprocess = try HuggingFaceConfig.preprocessConfig(processor, imageSize: config.vision.imageSize, path: processorPath)
                } else {
                    notes.append("no preprocessor_config.json: OpenAI's mean/std and bicubic resizing assumed")
                }
                let weightsPath = try findWeights(in: folder, names: huggingFaceWeightNames, layout: "Hugging Face")
                return try assemble(folder, .huggingFace, config: config, preprocess: preprocess, configSource: plainConfig,
                                    weightsPath: weightsPath, notes: notes)
            }
            if case .object(let object) = json, object["embed_dim"] != nil || object["vision_cfg"] != nil {
                let config = try OpenCLIPConfigFile.modelConfig(json, path: plainConfig)
                let weightsPath = try findWeights(in: folder, names: openCLIPConfigWeightNames, layout: "open_clip config")
                return try assemble(folder, .openCLIPConfig, config: config, preprocess: PreprocessConfig(imageSize: config.vision.imageSize),
                                    configSource: plainConfig, weightsPath: weightsPath,
                                    notes: ["no preprocessing config in this layout: OpenAI's mean/std and bicubic resizing assumed"])
            }
            throw CLIPError(.invalidInput,
                            "config.json is neither a Hugging Face CLIPConfig (model_type, vision_config, text_config) nor an open_clip model config (embed_dim, vision_cfg, text_cfg)",
                            path: plainConfig)
        }
        throw CLIPError(.invalidInput,
                        "not a model folder: looked for open_clip_config.json (open_clip hub layout, with \(openCLIPHubWeightNames.prefix(3).joined(separator: " / "))) and config.json (Hugging Face CLIPModel or an open_clip model config, with model.safetensors / pytorch_model.bin); give a folder with one of them, or a single weight file",
                        path: folder)
    }

    private static func findWeights(in folder: String, names: [String], layout: String) throws(CLIPError) -> String {
        for name in names where isFile(join(folder, name)) { return join(folder, name) }
        for index in ["model.safetensors.index.json", "pytorch_model.bin.index.json", "open_clip_model.safetensors.index.json"]
        where isFile(join(folder, index)) {
            throw CLIPError(.invalidInput, "the weights are sharded (\(index)); AugLab reads a single weight file: merge the shards first",
                            path: folder)
        }
        throw CLIPError(.invalidInput, "\(layout) folder has no weight file: looked for \(names.joined(separator: ", "))", path: folder)
    }

    private static func loadFile(_ path: String, options: ModelLoadOptions) throws(CLIPError) -> LoadedModel {
        let quick = options.quickGELU ?? true
        var notes: [String] = []
        let (source, format) = try openWeights(path)
        let adapter = try LayoutAdapter(source)
        let config: CLIPConfig
        if let given = options.config {
            config = given
        } else {
            config = try CLIPConfig.inferred(from: adapter, quickGELU: quick)
            if options.quickGELU == nil {
                notes.append("QuickGELU assumed (the activation cannot be read from weight shapes; OpenAI, CyCLIP and CLOOB weights use it): set quickGELU false for weights trained with open_clip's default GELU")
            }
        }
        var model = LoadedModel(path: path, layout: .checkpointFile, config: config, preprocess: PreprocessConfig(imageSize: config.vision.imageSize),
                                weights: adapter, weightsPath: path, weightsFormat: format, sha256: nil,
                                configSource: "inferred from weight shapes", notes: notes)
        model.notes += adapterNotes(adapter)
        model.notes.append("no preprocessing config with a single file: OpenAI's mean/std and bicubic resizing assumed")
        return model
    }

    private static func assemble(_ folder: String, _ layout: ModelLayout, config: CLIPConfig, preprocess: PreprocessConfig,
                                 configSource: String, weightsPath: String, notes: [String]) throws(CLIPError) -> LoadedModel {
        let (source, format) = try openWeights(weightsPath)
        let adapter = try LayoutAdapter(source)
        return LoadedModel(path: folder, layout: layout, config: config, preprocess: preprocess, weights: adapter,
                           weightsPath: weightsPath, weightsFormat: format, sha256: nil, configSource: configSource,
                           notes: notes + adapterNotes(adapter))
    }

    private static func adapterNotes(_ adapter: LayoutAdapter) -> [String] {
        var notes: [String] = []
        if !adapter.strippedPrefix.isEmpty { notes.append("key prefix '\(adapter.strippedPrefix)' stripped") }
        if !adapter.ignoredKeys.isEmpty {
            notes.append("ignored \(adapter.ignoredKeys.count) unused entr\(adapter.ignoredKeys.count == 1 ? "y" : "ies"): \(adapter.ignoredKeys.prefix(4).joined(separator: ", "))\(adapter.ignoredKeys.count > 4 ? ", …" : "")")
        }
        if let checkpoint = adapter.base as? PyTorchCheckpoint {
            if checkpoint.stateDictLocation != "(top level)" { notes.append("tensors read from \(checkpoint.stateDictLocation)") }
            if !checkpoint.skippedEntries.isEmpty {
                let shown = checkpoint.skippedEntries.keys.sorted().prefix(4).joined(separator: ", ")
                notes.append("skipped \(checkpoint.skippedEntries.count) non-tensor state-dict entr\(checkpoint.skippedEntries.count == 1 ? "y" : "ies"): \(shown)")
            }
            if !checkpoint.inertCallables.isEmpty {
                notes.append("the pickle refers to \(checkpoint.inertCallables.joined(separator: ", ")) (not on the allow-list; recorded, never executed)")
            }
        }
        return notes
    }

    /// Fails if a tensor the model reads has a problem only reading would reveal (bad view, missing storage).
    private static func checkReadable(_ weights: LayoutAdapter) throws(CLIPError) {
        guard let checkpoint = weights.base as? PyTorchCheckpoint else { return }
        for name in weights.names {
            for key in weights.storedKeys(for: name) ?? [] {
                if let problem = checkpoint.problem(key) {
                    throw CLIPError(.invalidInput, "tensor '\(key)' cannot be read: \(problem)", path: checkpoint.file.path, location: key)
                }
            }
        }
    }
}
