import Foundation
import Testing
import AugLabTestSupport
@testable import CLIP

/// Model folders and files as users have them: every layout detected, configured and validated.
@Suite struct ModelFolderTests {
    private let reference: [String: JSONValue]

    init() throws {
        reference = try #require(CheckpointFiles.reference().objectValue)
    }

    private func fixtureConfig(_ name: String) throws -> CLIPConfig {
        try OpenCLIPConfigFile.modelConfig(JSONValue.read(path: CheckpointFiles.shared("\(name)/config.json"), what: "config.json"),
                                           path: name)
    }

    private func tinyConfig(_ name: String) throws -> CLIPConfig {
        let json = try #require(reference["tiny_models"]?.objectValue?[name]?.objectValue?["config"])
        return try OpenCLIPConfigFile.modelConfig(json, path: "reference.json")
    }

    private func referenceSHA256(_ file: String) throws -> String {
        try #require(reference["files"]?.objectValue?[file]?.objectValue?["sha256"]?.stringValue)
    }

    private func link(_ target: String, as name: String, in directory: TemporaryDirectory) throws {
        try FileManager.default.createSymbolicLink(atPath: directory.path(name), withDestinationPath: target)
    }

    private func write(_ text: String, as name: String, in directory: TemporaryDirectory) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: directory.path(name)))
    }

    // MARK: Layouts

    @Test func aHuggingFaceFolder() throws {
        let model = try ModelLoader.load(CheckpointFiles.shared("vit_hf"))
        #expect(model.layout == .huggingFace && model.keyLayout == .huggingFace && model.weightsFormat == .safetensors)
        #expect(model.config == (try fixtureConfig("vit_openclip")))
        #expect(model.weightsPath.hasSuffix("vit_hf/model.safetensors") && model.configSource.hasSuffix("vit_hf/config.json"))
        #expect(model.preprocess == PreprocessConfig(imageSize: 64))
        #expect(model.notes.contains { $0.contains("no preprocessor_config.json") })
        #expect(model.sha256?.hasPrefix("9cc4218f528de42d") == true)  // the fixtures' README lists it
    }

    @Test(arguments: ["rn_openclip", "vit_openclip"])
    func theFixturesOpenCLIPConfigLayout(name: String) throws {
        let model = try ModelLoader.load(CheckpointFiles.shared(name), options: ModelLoadOptions(computeSHA256: false))
        #expect(model.layout == .openCLIPConfig && model.keyLayout == .openCLIP)
        #expect(model.config == (try fixtureConfig(name)))
        #expect(model.sha256 == nil)
        #expect(model.preprocess.imageSize == 64)
    }

    @Test func anOpenCLIPHubFolderHonoursItsPreprocessing() throws {
        let directory = try TemporaryDirectory(prefix: "auglab-hub")
        defer { directory.remove() }
        let modelConfig = try String(contentsOfFile: CheckpointFiles.shared("vit_openclip/config.json"), encoding: .utf8)
        try write("""
            {"model_cfg": \(modelConfig),
             "preprocess_cfg": {"mean": [0.5, 0.4, 0.3], "std": [0.2, 0.3, 0.4], "interpolation": "bilinear",
                                "resize_mode": "longest", "fill_color": 255, "size": 224}}
            """, as: "open_clip_config.json", in: directory)
        try link(CheckpointFiles.shared("vit_openclip/model.safetensors"), as: "open_clip_model.safetensors", in: directory)
        try link(CheckpointFiles.path("tiny_vit_state_dict.pt"), as: "open_clip_pytorch_model.bin", in: directory)
        let model = try ModelLoader.load(directory.url.path)
        #expect(model.layout == .openCLIPHub && model.weightsPath.hasSuffix("open_clip_model.safetensors"))
        #expect(model.config == (try fixtureConfig("vit_openclip")))
        #expect(model.preprocess == PreprocessConfig(imageSize: 64, mean: [0.5, 0.4, 0.3], std: [0.2, 0.3, 0.4],
                                                     interpolation: .bilinear, resizeMode: .longest, fillColor: 1))
    }

    @Test func aRepositoryWithBothOpenCLIPAndHuggingFaceFilesIsReadAsOpenCLIP() throws {
        // laion/* repositories ship open_clip_config.json next to transformers' config.json and model.safetensors.
        let directory = try TemporaryDirectory(prefix: "auglab-dual")
        defer { directory.remove() }
        let modelConfig = try String(contentsOfFile: CheckpointFiles.shared("vit_openclip/config.json"), encoding: .utf8)
        try write("{\"model_cfg\": \(modelConfig), \"preprocess_cfg\": {\"interpolation\": \"bicubic\"}}", as: "open_clip_config.json", in: directory)
        try link(CheckpointFiles.shared("vit_hf/config.json"), as: "config.json", in: directory)
        try link(CheckpointFiles.shared("vit_hf/model.safetensors"), as: "model.safetensors", in: directory)
        let model = try ModelLoader.load(directory.url.path, options: ModelLoadOptions(computeSHA256: false))
        #expect(model.layout == .openCLIPHub && model.keyLayout == .huggingFace)
        #expect(model.config == (try fixtureConfig("vit_openclip")))
    }

    @Test func anOpenCLIPHubFolderWithATorchFile() throws {
        let directory = try TemporaryDirectory(prefix: "auglab-hub")
        defer { directory.remove() }
        let config = try #require(reference["tiny_models"]?.objectValue?["tiny_vit"]?.objectValue?["config"])
        let configText = String(decoding: try JSONSerialization.data(withJSONObject: plainJSON(config)), as: UTF8.self)
        try write("{\"model_cfg\": \(configText)}", as: "open_clip_config.json", in: directory)
        try link(CheckpointFiles.path("tiny_vit_state_dict.pt"), as: "open_clip_pytorch_model.bin", in: directory)
        let model = try ModelLoader.load(directory.url.path)
        #expect(model.layout == .openCLIPHub && model.weightsFormat == .pytorch)
        #expect(model.config == (try tinyConfig("tiny_vit")))
        #expect(model.preprocess == PreprocessConfig(imageSize: 8))
    }

    @Test func aHuggingFaceFolderWithATorchFileAndAPreprocessor() throws {
        let bin = try ModelLoader.load(CheckpointFiles.path("tiny_hf"))
        #expect(bin.layout == .huggingFace && bin.weightsFormat == .pytorch && bin.keyLayout == .huggingFace)
        #expect(bin.notes.contains { $0.contains("position_ids") })
        let directory = try TemporaryDirectory(prefix: "auglab-hf")
        defer { directory.remove() }
        try link(CheckpointFiles.path("tiny_hf/config.json"), as: "config.json", in: directory)
        try link(CheckpointFiles.path("tiny_hf_model.safetensors"), as: "model.safetensors", in: directory)
        try write(#"{"image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5], "resample": 3, "size": {"shortest_edge": 8}, "crop_size": 8}"#,
                  as: "preprocessor_config.json", in: directory)
        let safe = try ModelLoader.load(directory.url.path)
        #expect(safe.weightsFormat == .safetensors && safe.config == bin.config)
        #expect(safe.sha256 == (try referenceSHA256("tiny_hf_model.safetensors")))
        #expect(safe.preprocess == PreprocessConfig(imageSize: 8, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5]))
    }

    @Test(arguments: [
        ("tiny_vit.safetensors", "tiny_vit", CheckpointFormat.safetensors, KeyLayout.openCLIP),
        ("tiny_vit_state_dict.pt", "tiny_vit", .pytorch, .openCLIP),
        ("tiny_vit_cyclip.pt", "tiny_vit", .pytorch, .openCLIP),
        ("tiny_vit_fp16_torchscript.pt", "tiny_vit", .torchScript, .openCLIP),
        ("tiny_rn.safetensors", "tiny_rn", .safetensors, .openCLIP),
        ("tiny_rn_cloob.pt", "tiny_rn", .pytorch, .cloob),
    ])
    func aBareCheckpointFile(file: String, model name: String, format: CheckpointFormat, keys: KeyLayout) throws {
        let model = try ModelLoader.load(CheckpointFiles.path(file))
        #expect(model.layout == .checkpointFile && model.weightsFormat == format && model.keyLayout == keys)
        #expect(model.config == (try tinyConfig(name)))
        #expect(model.configSource == "inferred from weight shapes")
        #expect(model.notes.contains { $0.contains("QuickGELU assumed") })
        if let expected = reference["files"]?.objectValue?[file]?.objectValue?["sha256"]?.stringValue {
            #expect(model.sha256 == expected)
        }
    }

    @Test func quickGELUAndTheArchitectureCanBeGiven() throws {
        let gelu = try ModelLoader.load(CheckpointFiles.path("tiny_vit.safetensors"), options: ModelLoadOptions(quickGELU: false))
        #expect(gelu.config.quickGELU == false && !gelu.notes.contains { $0.contains("QuickGELU assumed") })
        let given = try fixtureConfig("vit_openclip")
        let model = try ModelLoader.load(CheckpointFiles.shared("vit_openclip/model.safetensors"), options: ModelLoadOptions(config: given))
        #expect(model.config == given && model.configSource == "given by the caller")
        #expect { try ModelLoader.load(CheckpointFiles.path("tiny_vit.safetensors"), options: ModelLoadOptions(config: given)) } throws: {
            errorMentions($0, "tiny_vit.safetensors", "do not fit", "visual.conv1.weight", "[64, 3, 4, 4]", "[32, 3, 8, 8]")
        }
    }

    // MARK: Refusals

    @Test func aFolderMatchingNoLayoutSaysWhatWasLookedFor() throws {
        let directory = try TemporaryDirectory(prefix: "auglab-empty")
        defer { directory.remove() }
        try write("x", as: "weights.safetensors", in: directory)
        #expect { try ModelLoader.load(directory.url.path) } throws: {
            errorMentions($0, directory.url.lastPathComponent, "not a model folder", "open_clip_config.json", "config.json", "model.safetensors")
        }
        #expect { try ModelLoader.load(directory.path("nothing-here")) } throws: { error in
            (error as? CLIPError)?.code == .io && errorMentions(error, "nothing-here", "no such file or folder")
        }
    }

    @Test func folderProblemsAreNamed() throws {
        let directory = try TemporaryDirectory(prefix: "auglab-folder")
        defer { directory.remove() }
        try link(CheckpointFiles.shared("vit_hf/config.json"), as: "config.json", in: directory)
        #expect { try ModelLoader.load(directory.url.path) } throws: {
            errorMentions($0, "Hugging Face folder has no weight file", "model.safetensors, pytorch_model.bin")
        }
        try write("{}", as: "model.safetensors.index.json", in: directory)
        #expect { try ModelLoader.load(directory.url.path) } throws: { errorMentions($0, "sharded", "model.safetensors.index.json") }
        try FileManager.default.removeItem(atPath: directory.path("config.json"))
        try write(#"{"hello": 1}"#, as: "config.json", in: directory)
        #expect { try ModelLoader.load(directory.url.path) } throws: { errorMentions($0, "config.json", "neither a Hugging Face") }
    }

    @Test func weightsThatDoNotFitTheConfigAreRefusedWithBothShapes() throws {
        let directory = try TemporaryDirectory(prefix: "auglab-mismatch")
        defer { directory.remove() }
        try link(CheckpointFiles.shared("vit_openclip/config.json"), as: "config.json", in: directory)
        try link(CheckpointFiles.shared("rn_openclip/model.safetensors"), as: "model.safetensors", in: directory)
        #expect { try ModelLoader.load(directory.url.path) } throws: {
            errorMentions($0, "model.safetensors", "do not fit", "visual.conv1.weight", "[4, 3, 3, 3]", "[32, 3, 8, 8]", "missing tensor",
                          "more")
        }
    }

    @Test func brokenBareFilesAreRefusedByName() throws {
        let directory = try TemporaryDirectory(prefix: "auglab-bare")
        defer { directory.remove() }
        let random = try writeFile((0..<64).map { UInt8(($0 * 37) & 0xFF) }, named: "random.pt", in: directory)
        #expect { try ModelLoader.load(random) } throws: { errorMentions($0, "random.pt", "not a checkpoint AugLab can read") }
        let whole = try Data(contentsOf: URL(fileURLWithPath: CheckpointFiles.path("tiny_vit_cyclip.pt")))
        let truncated = try writeFile(Array(whole.prefix(whole.count / 2)), named: "truncated.pt", in: directory)
        #expect { try ModelLoader.load(truncated) } throws: { errorMentions($0, "truncated.pt", "ZIP") }
        #expect { try ModelLoader.load(CheckpointFiles.path("tensors_legacy.pt")) } throws: { errorMentions($0, "tensors_legacy.pt", "legacy") }
        #expect { try ModelLoader.load(CheckpointFiles.path("tensors_p2.pt")) } throws: {
            errorMentions($0, "tensors_p2.pt", "no known CLIP key layout")
        }
    }

    // MARK: Summary

    @Test func theSummaryOfTheHuggingFaceFixture() throws {
        let summary = try ModelSummary(ModelLoader.load(CheckpointFiles.shared("vit_hf")))
        let counts = try #require(reference["fixture_parameters"]?.objectValue?["vit_openclip"]?.objectValue)
        #expect(summary.parameters.image == counts["image"]?.intValue && summary.parameters.text == counts["text"]?.intValue
                && summary.parameters.total == counts["total"]?.intValue)
        let golden = try SafeTensorsFile(path: CheckpointFiles.shared("vit_hf/golden.safetensors"))
        let scale = try golden.floats("out.logit_scale")[0]
        let scaleExp = try golden.floats("out.logit_scale_exp")[0]
        #expect(summary.logitScale == scale)
        #expect(abs(summary.logitScaleExp - scaleExp) <= scaleExp.ulp)  // float32 exp: torch's and libm's may differ by 1 ulp
        #expect(summary.embeddingSize == 32 && summary.inputSize == 64 && summary.activation == "QuickGELU")
        #expect(summary.dtypes == ["F32": summary.dtypes["F32"] ?? -1] && (summary.dtypes["F32"] ?? 0) > 0)
        #expect(summary.namedConfig == nil && summary.layout == .huggingFace && summary.keyLayout == .huggingFace)
        #expect(summary.imageTower.contains("ViT: 2 layers, width 32, 2 heads, patch 8"))
        for line in ["architecture", "custom", "parameters", "9cc4218f528de42d", "logit scale", "64 × 64 px"] {
            #expect(summary.text.contains(line), "\(line)")
        }
    }

    @Test func theSummaryOfACLOOBCheckpoint() throws {
        let summary = try ModelSummary(ModelLoader.load(CheckpointFiles.path("tiny_rn_cloob.pt")))
        let twin = try SafeTensorsFile(path: CheckpointFiles.path("tiny_rn.safetensors"))
        #expect(summary.logitScale == (try twin.floats("logit_scale")[0]))
        let counts = try #require(reference["tiny_models"]?.objectValue?["tiny_rn"]?.objectValue?["parameters"]?.objectValue)
        #expect(summary.parameters == ModelSummary.ParameterCounts(image: counts["image"]?.intValue ?? -1,
                                                                  text: counts["text"]?.intValue ?? -1,
                                                                  total: counts["total"]?.intValue ?? -1))
        #expect(summary.keyLayout == .cloob && summary.dtypes["I64"] != nil)
        #expect(summary.imageTower.hasPrefix("ModifiedResNet: blocks [1, 1, 1, 1], width 2"))
        #expect(summary.notes.contains { $0.contains("tensors read from state_dict") })
        #expect(summary.notes.contains { $0.contains("module.logit_scale_hopfield") })
        let encoded = try JSONEncoder().encode(summary)
        #expect(try JSONDecoder().decode(ModelSummary.self, from: encoded) == summary)
    }

    @Test func theSummaryOfAnOpenAIStyleTorchScriptArchive() throws {
        let summary = try ModelSummary(ModelLoader.load(CheckpointFiles.path("tiny_vit_fp16_torchscript.pt")))
        #expect(summary.weightsFormat == .torchScript && Set(summary.dtypes.keys) == ["F16", "F32"])
    }
}

/// Foundation objects for a JSON value (to write configs in tests).
func plainJSON(_ value: JSONValue) -> Any {
    switch value {
    case .null: return NSNull()
    case .bool(let b): return b
    case .int(let i): return i
    case .double(let d): return d
    case .string(let s): return s
    case .array(let items): return items.map(plainJSON)
    case .object(let dict): return dict.mapValues(plainJSON)
    }
}
