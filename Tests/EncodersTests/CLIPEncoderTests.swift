import Foundation
import Testing
import AugLabTestSupport
import CLIP
import Imaging
import Tensors
@testable import Encoders

/// The native CLIP back-end from model folder to embeddings, against the fixtures' goldens.
@Suite struct CLIPEncoderTests {
    static let models = ["rn_openclip", "vit_openclip", "vit_hf"]

    static func encoder(_ model: String) throws -> CLIPEncoder {
        try CLIPEncoder.load(EncoderFixtures.clip(model))
    }

    static func golden(_ model: String) throws -> SafeTensorsFile {
        try SafeTensorsFile(path: EncoderFixtures.clip("\(model)/golden.safetensors"))
    }

    static func pngs() throws -> [ImageInput] {
        try ["png_a_97x61.png", "png_b_200x300.png"].map { ImageInput(try EncoderFixtures.png($0), name: $0) }
    }

    /// Every row at cosine ≥ 0.99999 with the golden row.
    static func expectRowsMatch(_ ours: Matrix, _ golden: [Float], _ what: String) {
        #expect(ours.values.count == golden.count, "\(what): \(ours.values.count) values, golden \(golden.count)")
        guard ours.values.count == golden.count else { return }
        for row in 0..<ours.rows {
            let expected = Array(golden[(row * ours.columns)..<((row + 1) * ours.columns)])
            let similarity = cosine(ours.row(row), expected)
            #expect(similarity >= 0.99999, "\(what) row \(row): cosine \(similarity)")
        }
    }

    @Test(arguments: models)
    func pngFilesGiveTheGoldenImageFeatures(_ model: String) throws {
        let encoder = try Self.encoder(model)
        let golden = try Self.golden(model)
        let features = try encoder.encodeImages(Self.pngs(), progress: nil)
        Self.expectRowsMatch(Embeddings.l2Normalized(features), try golden.floats("out.png_image_features_normalized"), "\(model) images")
        Self.expectRowsMatch(features, try golden.floats("out.png_image_features"), "\(model) unnormalised images")
    }

    @Test(arguments: models)
    func captionsGiveTheGoldenTextFeatures(_ model: String) throws {
        let encoder = try Self.encoder(model)
        let golden = try Self.golden(model)
        let features = try encoder.encodeCaptions(EncoderFixtures.captions())
        Self.expectRowsMatch(Embeddings.l2Normalized(features), try golden.floats("out.text_features_normalized"), "\(model) captions")
        #expect(try encoder.tokenize(EncoderFixtures.captions()).flatMap { $0 } == (try golden.integers("input.text_tokens")))
    }

    @Test(arguments: models)
    func descriptorSaysWhatTheModelIs(_ model: String) throws {
        let encoder = try Self.encoder(model)
        let golden = try Self.golden(model)
        let descriptor = encoder.descriptor
        #expect(descriptor.name == model && descriptor.kind == .clip && descriptor.hasTextTower)
        #expect(descriptor.embeddingDimension == 32 && descriptor.inputSize == 64)
        let weights = EncoderFixtures.clip("\(model)/model.safetensors")
        #expect(descriptor.filePath == weights)
        #expect(descriptor.sha256 == (try SHA256.hexOfFile(atPath: weights)))
        #expect(descriptor.logitScale?.log == (try golden.floats("out.logit_scale")).first)
        #expect(descriptor.logitScale?.exp == (try golden.floats("out.logit_scale_exp")).first)
        #expect(descriptor.preprocessConfig == PreprocessConfig(imageSize: 64))
        #expect(descriptor.cacheIdentity.map(EmbeddingCache.isHexDigest) == true)
        #expect(descriptor.architecture.contains(model.hasPrefix("rn") ? "ModifiedResNet" : "ViT"))
    }

    /// The towers' batching promise (as CLIPTests check it): a row does not depend on the rest of
    /// the batch, the chunking or the threads beyond float32 rounding in the BLAS products (cosine
    /// ≥ 0.999999, max |difference| ≤ 1e-5 · max(1, max |value|)); the same batch twice is bit-identical.
    static func sameUpToRounding(_ a: [Float], _ b: [Float]) -> Bool {
        let scale = b.reduce(Float(1)) { max($0, $1.magnitude) }
        let worst = zip(a, b).map { abs($0 - $1) }.max() ?? 0
        return a.count == b.count && cosine(a, b) >= 0.999999 && worst <= 1e-5 * scale
    }

    @Test func batchEqualsOneByOne() throws {
        let encoder = try Self.encoder("rn_openclip")
        let a = try EncoderFixtures.png("png_a_97x61.png"), b = try EncoderFixtures.png("png_b_200x300.png")
        let images = [a, b, a.transformed(by: .rotate90), b.transformed(by: .flipHorizontal), a]
        let together = try encoder.encodeImages(images)
        #expect(bitIdentical(try encoder.encodeImages(images), together), "the same batch twice gives the same bits")
        for (index, image) in images.enumerated() {
            let alone = try encoder.encodeImages([image])
            #expect(Self.sameUpToRounding(alone.values, together.row(index)), "image \(index)")
        }
        var singleThreaded = encoder
        singleThreaded.compute = .singleThreaded
        #expect(Self.sameUpToRounding(try singleThreaded.encodeImages(images).values, together.values))
        let captions = try EncoderFixtures.captions()
        let allCaptions = try encoder.encodeCaptions(captions)
        for (index, caption) in captions.enumerated() {
            #expect(Self.sameUpToRounding(try encoder.encodeCaptions([caption]).values, allCaptions.row(index)), "caption \(index)")
        }
    }

    @Test func preprocessingIsExposedForProvenance() throws {
        let encoder = try Self.encoder("vit_openclip")
        let image = try EncoderFixtures.png("png_a_97x61.png")
        let record = try #require(try encoder.preprocessRecord(width: image.width, height: image.height))
        #expect(record == (try encoder.preprocessor.plan(sourceWidth: 97, sourceHeight: 61)))
        #expect(record.resizedWidth == 101 && record.resizedHeight == 64 && record.window.x == 18)
        let prepared = try encoder.preprocess(image)
        #expect(prepared.record == record && prepared.size == 64)
    }

    @Test func progressIsReportedPerBatch() throws {
        let encoder = try Self.encoder("vit_openclip")
        #expect(encoder.batchSize == 64, "16 images at 224 px scale to 64 at 64 px (the cap)")
        let image = try EncoderFixtures.png("png_a_97x61.png")
        let log = ProgressLog()
        let features = try encoder.encodeImages(Array(repeating: ImageInput(image), count: 65), progress: log.record)
        #expect(features.rows == 65)
        #expect(log.events == [64, 65].map { ProgressLog.Event(completed: $0, total: 65) })
        let captionLog = ProgressLog()
        _ = try encoder.encodeCaptions(["a", "b"], progress: captionLog.record)
        #expect(captionLog.events == [ProgressLog.Event(completed: 2, total: 2)])
    }

    @Test func emptyBatchesGiveEmptyMatrices() throws {
        let encoder = try Self.encoder("vit_hf")
        let images = try encoder.encodeImages([ImageInput](), progress: nil)
        let captions = try encoder.encodeCaptions([])
        #expect(images.rows == 0 && images.columns == 32 && captions.rows == 0 && captions.columns == 32)
    }

    @Test func wrapsAModelBuiltInMemory() throws {
        let loaded = try ModelLoader.load(EncoderFixtures.clip("vit_openclip"))
        let model = try CLIPModel(config: loaded.config, weights: loaded.weights)
        let encoder = try CLIPEncoder(model: model, preprocess: PreprocessConfig(imageSize: 64), name: "in-memory")
        #expect(encoder.descriptor.cacheIdentity == nil && encoder.descriptor.sha256 == nil && encoder.descriptor.architecture == "custom")
        let fromFolder = try Self.encoder("vit_openclip")
        let images = try Self.pngs()
        #expect(bitIdentical(try encoder.encodeImages(images, progress: nil), try fromFolder.encodeImages(images, progress: nil)))
        #expect { try CLIPEncoder(model: model, preprocess: PreprocessConfig(imageSize: 224), name: "x") } throws: {
            mentions($0, "224", "64")
        }
    }

    @Test func notAModelFolderSaysWhatWasLookedFor() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        #expect { try CLIPEncoder.load(directory.url.path) } throws: { mentions($0, directory.url.path, "open_clip_config.json", "config.json") }
        #expect { try CLIPEncoder.load(directory.path("missing")) } throws: { mentions($0, "no such file") }
    }
}
