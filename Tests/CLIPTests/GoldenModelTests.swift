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
    let folder: URL
    let weights: @Sendable (URL) throws -> any WeightSource
    /// Maps a golden `act.*` name (without `act.`) to the module path the recorder uses.
    let activationName: @Sendable (String) -> String

    init(_ name: String, folder: URL,
         weights: @escaping @Sendable (URL) throws -> any WeightSource = { try SafeTensorsFile(path: $0.appendingPathComponent("model.safetensors").path) },
         activationName: @escaping @Sendable (String) -> String = { $0 }) {
        self.name = name
        self.folder = folder
        self.weights = weights
        self.activationName = activationName
    }

    var testDescription: String { name }

    func config() throws -> CLIPConfig {
        try JSONDecoder().decode(CLIPConfig.self, from: Data(contentsOf: folder.appendingPathComponent("config.json")))
    }

    func golden() throws -> SafeTensorsFile {
        try SafeTensorsFile(path: folder.appendingPathComponent("golden.safetensors").path)
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
        GoldenCase("rn_2121_80px", folder: extraFixtures.appendingPathComponent("rn_2121_80px")),
        GoldenCase("vit_p16_48px", folder: extraFixtures.appendingPathComponent("vit_p16_48px")),
        GoldenCase("vit_p6_40px", folder: extraFixtures.appendingPathComponent("vit_p6_40px")),
    ]

    /// Runs both towers with a recorder and checks every `act.*` tensor of the golden file.
    @Test(arguments: cases)
    func everyRecordedActivationMatches(_ golden: GoldenCase) throws {
        let config = try golden.config()
        let model = try CLIPModel(config: config, weights: try golden.weights(golden.folder))
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
        let model = try CLIPModel(config: config, weights: try golden.weights(golden.folder))
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
