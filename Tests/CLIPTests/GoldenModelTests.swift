import Foundation
import Testing
import AugLabTestSupport
import Tensors
@testable import CLIP

/// One reference model: a folder with `config.json`, `model.safetensors` and `golden.safetensors`.
///
/// Adding a golden is one line in `GoldenModelTests.cases`. A layout other than open_clip's supplies
/// its own weight source and a map from its golden activation names to open_clip module paths.
struct GoldenCase: Sendable, CustomTestStringConvertible {
    let name: String
    /// The folder holding `golden.safetensors`.
    let folder: URL
    /// Reads the model's config (by default `config.json` in the open_clip format, in `folder`).
    let config: @Sendable () throws -> CLIPConfig
    /// Opens the checkpoint (by default `model.safetensors` in `folder`, open_clip keys).
    let weights: @Sendable () throws -> any WeightSource
    /// Maps a golden `act.*` name (without `act.`) to the module path the recorder uses.
    let activationName: @Sendable (String) -> String

    init(_ name: String, folder: URL,
         config: (@Sendable () throws -> CLIPConfig)? = nil,
         weights: (@Sendable () throws -> any WeightSource)? = nil,
         activationName: @escaping @Sendable (String) -> String = { $0 }) {
        self.name = name
        self.folder = folder
        self.config = config ?? { try GoldenCase.openCLIPConfig(in: folder) }
        self.weights = weights ?? { try SafeTensorsFile(path: folder.appendingPathComponent("model.safetensors").path) }
        self.activationName = activationName
    }

    var testDescription: String { name }

    func golden() throws -> SafeTensorsFile {
        try SafeTensorsFile(path: folder.appendingPathComponent("golden.safetensors").path)
    }

    /// An open_clip model config (`config.json`) in `folder`.
    static func openCLIPConfig(in folder: URL) throws -> CLIPConfig {
        try JSONDecoder().decode(CLIPConfig.self, from: Data(contentsOf: folder.appendingPathComponent("config.json")))
    }

    /// The open_clip module path of a Hugging Face `CLIPModel` activation name (the vit_hf goldens).
    ///
    /// HF's `post_layernorm` and `pooled` are the class token after the final norm (open_clip's
    /// `visual.pooled`); HF does not record `mlp.gelu`.
    static func openCLIPName(forHuggingFace name: String) -> String {
        let exact = [
            "text_model.embeddings.token_embedding": "token_embedding",
            "text_model.embeddings": "text_embeds",
            "text_model.eot_index": "text_eot_index",
            "text_model.final_layer_norm": "ln_final",
            "text_model.pooled": "text_pooled",
            "vision_model.embeddings": "visual.tokens",
            "vision_model.pre_layrnorm": "visual.ln_pre",
            "vision_model.post_layernorm": "visual.pooled",
            "vision_model.pooled": "visual.pooled",
        ]
        if let mapped = exact[name] { return mapped }
        var result = name
        for (hf, openCLIP) in [("text_model.encoder.layers.", "transformer.resblocks."),
                               ("vision_model.encoder.layers.", "visual.transformer.resblocks."),
                               (".layer_norm1", ".ln_1"), (".layer_norm2", ".ln_2"),
                               (".self_attn", ".attn"), (".mlp.fc1", ".mlp.c_fc")] {
            result = result.replacingOccurrences(of: hf, with: openCLIP)
        }
        return result
    }
}

/// The acceptance rule for float32 against the reference: cosine ≥ 0.99999 and
/// max |ours − golden| ≤ 1e-4 · max(1, max |golden|), per tensor (the fixture README's tolerance).
struct GoldenComparison: CustomStringConvertible {
    let cosine: Double
    let maxAbsError: Double
    let allowed: Double

    init(_ ours: [Float], _ golden: [Float]) {
        var dot = 0.0, a2 = 0.0, b2 = 0.0, worst = 0.0, scale = 0.0
        for (x, y) in zip(ours, golden) {
            dot += Double(x) * Double(y)
            a2 += Double(x) * Double(x)
            b2 += Double(y) * Double(y)
            worst = max(worst, abs(Double(x) - Double(y)))
            scale = max(scale, abs(Double(y)))
        }
        cosine = a2 == 0 && b2 == 0 ? 1 : dot / max((a2 * b2).squareRoot(), .leastNormalMagnitude)
        maxAbsError = worst
        allowed = 1e-4 * max(1, scale)
    }

    var passes: Bool { cosine >= 0.99999 && maxAbsError <= allowed }

    var description: String {
        String(format: "cosine %.8f, max abs error %.3g (allowed %.3g)", cosine, maxAbsError, allowed)
    }
}

@Suite struct GoldenModelTests {
    static let sharedFixtures = Fixtures.shared("fixtures/clip")
    static let extraFixtures = Fixtures.package("Tests/Fixtures/models")

    static let cases: [GoldenCase] = [
        GoldenCase("rn_openclip", folder: sharedFixtures.appendingPathComponent("rn_openclip")),
        GoldenCase("vit_openclip", folder: sharedFixtures.appendingPathComponent("vit_openclip")),
        // The Hugging Face folder as users have it: HF config.json + HF key layout through ModelLoader.
        GoldenCase("vit_hf", folder: sharedFixtures.appendingPathComponent("vit_hf"),
                   config: { try ModelLoader.load(sharedFixtures.appendingPathComponent("vit_hf").path).config },
                   weights: { try ModelLoader.load(sharedFixtures.appendingPathComponent("vit_hf").path).weights },
                   activationName: GoldenCase.openCLIPName(forHuggingFace:)),
        GoldenCase("rn_2121_80px", folder: extraFixtures.appendingPathComponent("rn_2121_80px")),
        GoldenCase("vit_p16_48px", folder: extraFixtures.appendingPathComponent("vit_p16_48px")),
        GoldenCase("vit_p6_40px", folder: extraFixtures.appendingPathComponent("vit_p6_40px")),
    ]

    /// Runs both towers with a recorder and checks every `act.*` tensor of the golden file.
    @Test(arguments: cases)
    func everyRecordedActivationMatches(_ golden: GoldenCase) throws {
        let config = try golden.config()
        let model = try CLIPModel(config: config, weights: try golden.weights())
        let reference = try golden.golden()
        let images = try reference.floats("input.images")
        let count = try #require(reference.info("input.images")).shape[0]
        let tokens = try rows(reference.integers("input.text_tokens"), width: config.text.contextLength)

        let recorder = ActivationRecorder()
        let imageFeatures = try model.vision.encode(images, count: count, recorder: recorder)
        let textFeatures = try model.text.encode(tokens, recorder: recorder)
        try expectMatch(imageFeatures.values, reference, "out.image_features", golden)
        try expectMatch(textFeatures.values, reference, "out.text_features", golden)

        let activationNames = reference.names.filter { $0.hasPrefix("act.") }
        #expect(!activationNames.isEmpty)
        for name in activationNames {
            let module = golden.activationName(String(name.dropFirst(4)))
            guard let recorded = recorder[module] else {
                Issue.record("\(golden.name): nothing recorded for \(name) (module \(module))")
                continue
            }
            let info = try #require(reference.info(name))
            #expect(recorded.shape == info.shape, "\(golden.name) \(name): shape \(recorded.shape) vs golden \(info.shape)")
            if info.dtype == .int64 {
                #expect(recorded.values.map { Int($0) } == (try reference.integers(name)), "\(golden.name) \(name)")
            } else {
                try expectMatch(recorded.values, reference, name, golden)
            }
        }
    }

    /// The fast path (no recorder: truncated captions, pooled last block, split batches) against the outputs.
    @Test(arguments: cases)
    func fastPathMatchesOutputs(_ golden: GoldenCase) throws {
        let config = try golden.config()
        let model = try CLIPModel(config: config, weights: try golden.weights())
        let reference = try golden.golden()
        let count = try #require(reference.info("input.images")).shape[0]
        let tokens = try rows(reference.integers("input.text_tokens"), width: config.text.contextLength)
        for options in [ComputeOptions.automatic, .singleThreaded, ComputeOptions(threads: 2, strategy: .splitBatch, itemsPerChunk: 1)] {
            let images = try model.encodeImages(try reference.floats("input.images"), count: count, options: options)
            try expectMatch(images.values, reference, "out.image_features", golden)
            let text = try model.encodeText(tokens, options: options)
            try expectMatch(text.values, reference, "out.text_features", golden)
            if reference.contains("out.logits_per_image") {
                let logits = logitsPerImage(images, text, scale: model.logitScaleExp)
                try expectMatch(logits, reference, "out.logits_per_image", golden)
            }
        }
        let direct = try CLIPModel(config: config, weights: try golden.weights(), convolutions: .direct)
        try expectMatch(try direct.encodeImages(try reference.floats("input.images"), count: count).values,
                        reference, "out.image_features", golden)
        if reference.contains("input.png_images") {
            let pngCount = try #require(reference.info("input.png_images")).shape[0]
            let png = try model.encodeImages(try reference.floats("input.png_images"), count: pngCount)
            try expectMatch(png.values, reference, "out.png_image_features", golden)
        }
        #expect(model.logitScale == (try reference.floats("out.logit_scale"))[0])
        if reference.contains("out.logit_scale_exp") {
            let expected = try reference.floats("out.logit_scale_exp")[0]
            #expect(abs(model.logitScaleExp - expected) <= 1e-6 * expected)
        }
    }

    private func expectMatch(_ ours: [Float], _ reference: SafeTensorsFile, _ name: String, _ golden: GoldenCase,
                             sourceLocation: SourceLocation = #_sourceLocation) throws {
        let expected = try reference.floats(name)
        guard ours.count == expected.count else {
            Issue.record("\(golden.name) \(name): \(ours.count) values vs golden \(expected.count)", sourceLocation: sourceLocation)
            return
        }
        let comparison = GoldenComparison(ours, expected)
        #expect(comparison.passes, "\(golden.name) \(name): \(comparison)", sourceLocation: sourceLocation)
    }

    private func rows(_ flat: [Int], width: Int) throws -> [[Int]] {
        try #require(flat.count % width == 0)
        return stride(from: 0, to: flat.count, by: width).map { Array(flat[$0..<($0 + width)]) }
    }

    private func logitsPerImage(_ images: Matrix, _ texts: Matrix, scale: Float) -> [Float] {
        func normalized(_ m: Matrix) -> Matrix {
            var out = m
            for r in 0..<m.rows {
                let norm = m.row(r).reduce(0) { $0 + $1 * $1 }.squareRoot()
                for c in 0..<m.columns { out[r, c] = m[r, c] / norm }
            }
            return out
        }
        let product = normalized(images).multiplied(by: normalized(texts), transposeOther: true)
        return product.values.map { $0 * scale }
    }
}
