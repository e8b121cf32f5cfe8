import Foundation
import Testing
import AugLabTestSupport
import Imaging
import Tensors
@testable import CLIP

/// Small configurations the fixtures do not cover, each with a name for test output.
struct ModelCase: Sendable, CustomTestStringConvertible {
    let name: String
    let config: CLIPConfig
    var testDescription: String { name }

    static let all: [ModelCase] = [
        ModelCase(name: "ResNet [2,1,2,1] 80px", config: CLIPConfig(
            embedDim: 12, quickGELU: false,
            vision: VisionConfig(imageSize: 80, layers: .resNet([2, 1, 2, 1]), width: 8, headWidth: 32),
            text: TextConfig(contextLength: 9, vocabSize: 50, width: 12, heads: 3, layers: 2))),
        ModelCase(name: "ResNet [1,2,1,1] 72px", config: CLIPConfig(
            embedDim: 8, quickGELU: true,
            vision: VisionConfig(imageSize: 72, layers: .resNet([1, 2, 1, 1]), width: 4, headWidth: 16),
            text: TextConfig(contextLength: 6, vocabSize: 30, width: 8, heads: 1, layers: 1, mlpRatio: 2))),
        ModelCase(name: "ViT patch 16 at 48px", config: CLIPConfig(
            embedDim: 10, quickGELU: false,
            vision: VisionConfig(imageSize: 48, layers: .transformer(3), width: 24, headWidth: 8, patchSize: 16, mlpRatio: 2.5),
            text: TextConfig(contextLength: 11, vocabSize: 40, width: 16, heads: 4, layers: 3))),
        ModelCase(name: "ViT patch 7 at 30px", config: CLIPConfig(
            embedDim: 6, quickGELU: true,
            vision: VisionConfig(imageSize: 30, layers: .transformer(1), width: 12, headWidth: 12, patchSize: 7),
            text: TextConfig(contextLength: 5, vocabSize: 20, width: 10, heads: 5, layers: 2, mlpRatio: 1.5))),
    ]
}

@Suite struct ModelTests {
    private func model(_ config: CLIPConfig, seed: UInt64 = 1) throws -> CLIPModel {
        try CLIPModel(config: config, weights: SyntheticWeights(layout: CLIPModel.tensorLayout(for: config), seed: seed))
    }

    private func images(_ count: Int, size: Int, seed: UInt64) -> [Float] {
        var generator = SplitMix64(seed: seed)
        return (0..<(count * 3 * size * size)).map { _ in generator.normal() }
    }

    /// Captions of different lengths: the end token (the largest id) at varied positions, zero padding.
    private func captions(_ count: Int, config: TextConfig, seed: UInt64) -> [[Int]] {
        var generator = SplitMix64(seed: seed)
        let end = config.vocabSize - 1
        return (0..<count).map { i in
            let endPosition = 1 + i % (config.contextLength - 1)  // 1 ... contextLength - 1
            var row = [Int](repeating: 0, count: config.contextLength)
            row[0] = end - 1
            for p in 1..<endPosition { row[p] = 1 + Int(generator.next() % UInt64(end - 2)) }
            row[endPosition] = end
            return row
        }
    }

    private func closeEnough(_ a: Matrix, _ b: Matrix) -> Bool {
        guard a.rows == b.rows, a.columns == b.columns else { return false }
        let comparison = GoldenComparison(a.values, b.values)
        let scale = b.values.reduce(Float(1)) { max($0, $1.magnitude) }
        return comparison.cosine >= 0.999999 && comparison.maxAbsError <= 1e-5 * Double(scale)
    }

    @Test(arguments: ModelCase.all)
    func shapesDeterminismAndBatching(_ testCase: ModelCase) throws {
        let config = testCase.config
        let clip = try model(config)
        let count = 5, size = config.vision.imageSize
        let pixels = images(count, size: size, seed: 2)
        let batch = try clip.encodeImages(pixels, count: count)
        #expect(batch.rows == count && batch.columns == config.embedDim)
        #expect(batch.values.allSatisfy { $0.isFinite })
        #expect(Set(batch.values).count > config.embedDim, "features should differ between images")
        let again = try clip.encodeImages(pixels, count: count)
        #expect(again == batch, "same input twice must give the same bits")
        let perImage = 3 * size * size
        for i in 0..<count {
            let single = try clip.encodeImages(Array(pixels[(i * perImage)..<((i + 1) * perImage)]), count: 1)
            #expect(closeEnough(single, Matrix(rows: 1, columns: config.embedDim, values: batch.row(i))), "image \(i) alone")
        }
        for options in [ComputeOptions.singleThreaded, ComputeOptions(threads: 2, strategy: .threadedProducts),
                        ComputeOptions(threads: 2, strategy: .splitBatch, itemsPerChunk: 2)] {
            #expect(closeEnough(try clip.encodeImages(pixels, count: count, options: options), batch), "\(options)")
        }

        let tokens = captions(7, config: config.text, seed: 3)
        let text = try clip.encodeText(tokens)
        #expect(text.rows == 7 && text.columns == config.embedDim && text.values.allSatisfy { $0.isFinite })
        let textAgain = try clip.encodeText(tokens)
        #expect(textAgain == text)
        for (i, caption) in tokens.enumerated() {
            #expect(closeEnough(try clip.encodeText([caption]), Matrix(rows: 1, columns: config.embedDim, values: text.row(i))))
        }
        #expect(closeEnough(try clip.encodeText(tokens, options: .singleThreaded), text))
    }

    @Test(arguments: ModelCase.all)
    func fastPathAgreesWithTheFullComputation(_ testCase: ModelCase) throws {
        // A recorder makes the towers compute everything (all text positions, every token of the
        // last block); without one they skip what cannot reach the output. Both must agree.
        let clip = try model(testCase.config)
        let config = testCase.config
        let pixels = images(3, size: config.vision.imageSize, seed: 4)
        let full = try clip.vision.encode(pixels, count: 3, recorder: ActivationRecorder())
        #expect(closeEnough(try clip.encodeImages(pixels, count: 3), full))
        let tokens = captions(4, config: config.text, seed: 5)
        let recorder = ActivationRecorder()
        let fullText = try clip.text.encode(tokens, recorder: recorder)
        #expect(closeEnough(try clip.encodeText(tokens), fullText))
        #expect(recorder["ln_final"]?.shape == [4, config.text.contextLength, config.text.width])
    }

    @Test func winogradAndDirectConvolutionsAgree() throws {
        let config = ModelCase.all[0].config
        let layout = try CLIPModel.tensorLayout(for: config)
        let fastest = try VisionTower(config: config, weights: SyntheticWeights(layout: layout, seed: 3))
        let direct = try VisionTower(config: config, weights: SyntheticWeights(layout: layout, seed: 3), convolutions: .direct)
        let pixels = images(2, size: config.vision.imageSize, seed: 9)
        #expect(closeEnough(try fastest.encode(pixels, count: 2), try direct.encode(pixels, count: 2)))
    }

    @Test func tokensAfterTheEndTokenDoNotMatter() throws {
        let config = ModelCase.all[0].config
        let clip = try model(config)
        var tokens = captions(3, config: config.text, seed: 6)
        let before = try clip.encodeText(tokens)
        for i in tokens.indices {
            let end = TextTransformer.endPosition(tokens[i][...])
            for p in (end + 1)..<config.text.contextLength { tokens[i][p] = 1 + (p * 7 + i) % 20 }
        }
        let after = try clip.encodeText(tokens)
        #expect(after == before)
    }

    @Test func nonsenseComputeOptionsAreClamped() throws {
        let clip = try model(ModelCase.all[3].config)
        let pixels = images(3, size: clip.vision.imageSize, seed: 11)
        var options = ComputeOptions.automatic
        options.threads = 0
        options.itemsPerChunk = -2
        #expect(closeEnough(try clip.encodeImages(pixels, count: 3, options: options), try clip.encodeImages(pixels, count: 3)))
    }

    @Test func emptyBatchesGiveEmptyMatrices() throws {
        let config = ModelCase.all[2].config
        let clip = try model(config)
        let images = try clip.encodeImages([], count: 0)
        #expect(images.rows == 0 && images.columns == config.embedDim)
        let text = try clip.encodeText([])
        #expect(text.rows == 0 && text.columns == config.embedDim)
    }

    @Test func seedsAndNamesDetermineSyntheticWeights() throws {
        let layout = try CLIPModel.tensorLayout(for: ModelCase.all[3].config)
        let a = SyntheticWeights(layout: layout, seed: 1), b = SyntheticWeights(layout: Array(layout.reversed()), seed: 1)
        let c = SyntheticWeights(layout: layout, seed: 2)
        for spec in layout.prefix(6) {
            #expect(try a.floats(spec.info.name) == (try b.floats(spec.info.name)))
            #expect(try a.floats(spec.info.name).count == spec.info.elementCount)
        }
        #expect(try a.floats("visual.conv1.weight") != (try c.floats("visual.conv1.weight")))
    }

    // MARK: Layout against real checkpoints and open_clip's parameter counts

    @Test(arguments: ["rn_openclip", "vit_openclip"])
    func layoutReadsEveryCheckpointTensor(_ fixture: String) throws {
        let folder = Fixtures.shared("fixtures/clip/\(fixture)")
        let config = try JSONDecoder().decode(CLIPConfig.self, from: Data(contentsOf: folder.appendingPathComponent("config.json")))
        let checkpoint = try SafeTensorsFile(path: folder.appendingPathComponent("model.safetensors").path)
        let layout = try CLIPModel.tensorLayout(for: config)
        let read = Set(layout.map(\.info.name))
        #expect(read.count == layout.count, "no tensor is read twice")
        #expect(read.isSubset(of: Set(checkpoint.names)))
        let unread = Set(checkpoint.names).subtracting(read)
        #expect(unread.allSatisfy { $0.hasSuffix("num_batches_tracked") }, "unread tensors: \(unread.sorted())")
        for spec in layout {
            #expect(checkpoint.info(spec.info.name)?.shape == spec.info.shape, "\(spec.info.name)")
        }
    }

    @Test func layoutsCountOpenCLIPParametersForFullSizeModels() throws {
        // Written by scripts/reference/models_extra_goldens.py from open_clip's own models.
        let url = Fixtures.package("Tests/Fixtures/models/parameter_counts.json")
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: [String: Any]])
        #expect(entries.count == 3)
        for (name, entry) in entries.sorted(by: { $0.key < $1.key }) {
            let configData = try JSONSerialization.data(withJSONObject: try #require(entry["config"]))
            let config = try JSONDecoder().decode(CLIPConfig.self, from: configData)
            // PyTorch counts parameters, not buffers such as batch-norm running statistics.
            func parameters(_ layout: [TensorSpec]) -> Int {
                layout.filter { $0.role != .runningMean && $0.role != .runningVariance }.reduce(0) { $0 + $1.info.elementCount }
            }
            #expect(parameters(try CLIPModel.tensorLayout(for: config)) == entry["total_parameters"] as? Int, "\(name)")
            #expect(parameters(try VisionTower.tensorLayout(for: config)) == entry["visual_parameters"] as? Int, "\(name)")
        }
    }

    // MARK: Errors

    /// A weight source that hides one tensor or reports another shape for it.
    private struct AlteredWeights: WeightSource {
        let base: SyntheticWeights
        let name: String
        let shape: [Int]?  // nil: the tensor is missing
        var names: [String] { base.names.filter { $0 != name || shape != nil } }
        func info(_ key: String) -> TensorInfo? {
            guard key == name else { return base.info(key) }
            return shape.map { TensorInfo(name: key, dtype: .float32, shape: $0) }
        }
        func floats(_ key: String) throws(CLIPError) -> [Float] {
            guard key == name else { return try base.floats(key) }
            guard let shape else { throw CLIPError(.invalidInput, "no tensor '\(key)'", location: key) }
            return [Float](repeating: 0, count: shape.reduce(1, *))
        }
    }

    @Test func missingTensorIsNamed() throws {
        let config = ModelCase.all[2].config
        let base = SyntheticWeights(layout: try CLIPModel.tensorLayout(for: config))
        let weights = AlteredWeights(base: base, name: "visual.transformer.resblocks.1.mlp.c_fc.bias", shape: nil)
        #expect { try CLIPModel(config: config, weights: weights) } throws: { error in
            "\(error)".contains("visual.transformer.resblocks.1.mlp.c_fc.bias")
        }
    }

    @Test func misshapenTensorNamesKeyAndBothShapes() throws {
        let config = ModelCase.all[0].config
        let base = SyntheticWeights(layout: try CLIPModel.tensorLayout(for: config))
        let weights = AlteredWeights(base: base, name: "visual.layer3.0.conv2.weight", shape: [32, 32, 1, 3])
        #expect { try CLIPModel(config: config, weights: weights) } throws: { error in
            let text = "\(error)"
            return text.contains("visual.layer3.0.conv2.weight") && text.contains("[32, 32, 1, 3]") && text.contains("[32, 32, 3, 3]")
        }
    }

    @Test func badInputsThrowInsteadOfCrashing() throws {
        let config = ModelCase.all[3].config
        let clip = try model(config)
        #expect(throws: CLIPError.self) { try clip.encodeImages([Float](repeating: 0, count: 10), count: 1) }
        #expect(throws: CLIPError.self) { try clip.encodeImages([], count: -1) }
        #expect(throws: CLIPError.self) { try clip.encodeImages([], count: Int.max / 2) }
        var caption = [Int](repeating: 0, count: config.text.contextLength)
        caption[1] = config.text.vocabSize
        #expect(throws: CLIPError.self) { try clip.encodeText([caption]) }
        caption[1] = -1
        #expect(throws: CLIPError.self) { try clip.encodeText([caption]) }
        #expect(throws: CLIPError.self) { try clip.encodeText([[1, 2]]) }
    }

    @Test(arguments: [
        ("head width", VisionConfig(imageSize: 48, layers: .transformer(2), width: 24, headWidth: 7, patchSize: 16)),
        ("patch larger than image", VisionConfig(imageSize: 16, layers: .transformer(2), width: 24, headWidth: 8, patchSize: 32)),
        ("no patch size", VisionConfig(imageSize: 48, layers: .transformer(2), width: 24, headWidth: 8)),
        ("three ResNet stages", VisionConfig(imageSize: 64, layers: .resNet([1, 1, 1]), width: 8, headWidth: 64)),
        ("ResNet image too small", VisionConfig(imageSize: 16, layers: .resNet([1, 1, 1, 1]), width: 8, headWidth: 64)),
        ("zero depth", VisionConfig(imageSize: 48, layers: .transformer(0), width: 24, headWidth: 8, patchSize: 16)),
        ("huge image", VisionConfig(imageSize: 1 << 40, layers: .transformer(1), width: 24, headWidth: 8, patchSize: 16)),
    ])
    func inconsistentConfigsAreRejected(_ label: String, _ vision: VisionConfig) {
        let config = CLIPConfig(embedDim: 8, quickGELU: false, vision: vision, text: TextConfig(contextLength: 5, vocabSize: 10, width: 8, heads: 2, layers: 1))
        #expect(throws: CLIPError.self, "\(label)") { try CLIPModel.tensorLayout(for: config) }
    }

    @Test func layoutTooLargeToBuildWithoutACheckpointIsRejected() {
        // Valid, but its positional embedding alone would be 2^26 × 2^15 floats.
        let vision = VisionConfig(imageSize: 8192, layers: .transformer(1), width: 1 << 15, headWidth: 64, patchSize: 1)
        let config = CLIPConfig(embedDim: 8, quickGELU: false, vision: vision, text: TextConfig(contextLength: 5, vocabSize: 10, width: 8, heads: 2, layers: 1))
        #expect { try VisionTower.tensorLayout(for: config) } throws: { "\($0)".contains("visual.positional_embedding") }
    }

    @Test func inconsistentTextConfigIsRejected() {
        let config = CLIPConfig(embedDim: 8, quickGELU: false, vision: ModelCase.all[3].config.vision,
                                text: TextConfig(contextLength: 5, vocabSize: 10, width: 10, heads: 3, layers: 1))
        #expect { try CLIPModel.tensorLayout(for: config) } throws: { "\($0)".contains("heads") }
    }
}
