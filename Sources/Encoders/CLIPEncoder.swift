import CLIP
import Foundation
import Imaging
import Synchronization
import Tensors

/// A CLIP-like model run natively on the CPU: images through open_clip's preprocessing and the
/// image tower, captions through the CLIP tokenizer and the text tower.
///
/// Embeddings are the towers' unnormalised features (open_clip's `encode_image` / `encode_text`).
/// Images are processed `batchSize` at a time: each batch is preprocessed on all threads, then
/// encoded (the tower spreads it over the threads of `compute`); progress is reported after each.
/// Immutable and `Sendable`; the tokenizer (the bundled BPE vocabulary) is loaded on first use.
public struct CLIPEncoder: ImageEncoder, TextEncoder {
    /// The model (towers and logit scale).
    public let model: CLIPModel
    /// The model's preprocessing.
    public let preprocessor: CLIPPreprocessor
    public let descriptor: EncoderDescriptor
    /// How the towers use the processor's cores (results do not depend on it).
    public var compute: ComputeOptions
    private let tokenizer: LazyTokenizer

    /// Captions per text-tower call (progress granularity).
    public static let captionBatchSize = 256

    /// Builds the towers of a loaded model.
    ///
    /// - Parameters:
    ///   - loaded: the model as `ModelLoader.load` returns it.
    ///   - name: what the encoder is called (default: the folder or file name).
    ///   - compute: threads and strategy for the towers.
    /// - Throws: `EncoderError` when the towers cannot be built from the weights.
    public init(_ loaded: LoadedModel, name: String? = nil, compute: ComputeOptions = .automatic) throws(EncoderError) {
        let model: CLIPModel
        do { model = try CLIPModel(config: loaded.config, weights: loaded.weights) } catch { throw EncoderError(error) }
        let summary = try? ModelSummary(loaded)
        try self.init(model: model, preprocess: loaded.preprocess, name: name ?? EncoderSpec.defaultName(for: loaded.path),
                      architecture: loaded.config.matchingNamedConfig ?? summary?.imageTower, weightsPath: loaded.weightsPath,
                      sha256: loaded.sha256, compute: compute)
    }

    /// An encoder around a model already built (e.g. from `SyntheticWeights` in benchmarks and tests).
    ///
    /// - Parameters:
    ///   - architecture: the architecture in words (default: open_clip's name of the config, else "custom").
    ///   - weightsPath: the weight file, for provenance (nil for in-memory weights).
    ///   - sha256: the weight file's SHA-256; without it embeddings are not cached.
    /// - Throws: `EncoderError` when `preprocess` is invalid or its size differs from the image tower's.
    public init(model: CLIPModel, preprocess: PreprocessConfig, name: String, architecture: String? = nil,
                weightsPath: String? = nil, sha256: String? = nil, compute: ComputeOptions = .automatic) throws(EncoderError) {
        guard preprocess.imageSize == model.vision.imageSize else {
            throw EncoderError(.invalidArgument,
                               "preprocessing makes \(preprocess.imageSize)-pixel inputs, the image tower takes \(model.vision.imageSize)")
        }
        do { preprocessor = try CLIPPreprocessor(preprocess) } catch { throw EncoderError(error) }
        self.model = model
        self.compute = compute
        tokenizer = LazyTokenizer(contextLength: model.config.text.contextLength)
        descriptor = EncoderDescriptor(
            name: name, kind: .clip, architecture: architecture ?? model.config.matchingNamedConfig ?? "custom",
            embeddingDimension: model.config.embedDim, inputSize: model.vision.imageSize,
            filePath: weightsPath, sha256: sha256,
            preprocessing: "resize (\(preprocess.resizeMode.rawValue) side, \(preprocess.interpolation.rawValue)) and crop to \(preprocess.imageSize) × \(preprocess.imageSize), (x/255 − mean) / std with mean \(preprocess.mean), std \(preprocess.std)",
            preprocessConfig: preprocess, logitScale: EncoderDescriptor.LogitScale(log: model.logitScale), hasTextTower: true,
            cacheIdentity: sha256.map { Self.cacheIdentity(weightsSHA256: $0, config: model.config, preprocess: preprocess) })
    }

    /// Loads the model at `path` (a folder in any supported layout, or a weight file) and builds it.
    ///
    /// - Throws: `EncoderError` naming the file and the problem (for a folder that is not a model,
    ///   what was looked for).
    public static func load(_ path: String, name: String? = nil, options: ModelLoadOptions = ModelLoadOptions(),
                            compute: ComputeOptions = .automatic) throws(EncoderError) -> CLIPEncoder {
        let loaded: LoadedModel
        do { loaded = try ModelLoader.load(path, options: options) } catch { throw EncoderError(error) }
        return try CLIPEncoder(loaded, name: name, compute: compute)
    }

    /// What keys a model's embeddings in the cache: SHA-256 of the weight file's hash, the
    /// architecture and the preprocessing (the same weights under another config embed differently).
    static func cacheIdentity(weightsSHA256: String, config: CLIPConfig, preprocess: PreprocessConfig) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let configJSON = (try? encoder.encode(config)).map { String(decoding: $0, as: UTF8.self) } ?? "?"
        let preprocessJSON = (try? encoder.encode(preprocess)).map { String(decoding: $0, as: UTF8.self) } ?? "?"
        return SHA256.hex(of: Array("auglab-clip-model/1\n\(weightsSHA256)\n\(configJSON)\n\(preprocessJSON)".utf8))
    }

    // MARK: Images

    /// Images per batch: 16 at 224 px, scaled inversely with the input area (1 ... 64).
    public var batchSize: Int {
        let size = max(1, model.vision.imageSize)
        return max(1, min(64, 16 * 224 * 224 / (size * size)))
    }

    /// Preprocesses one image exactly as `encodeImages` does: the model input and its record.
    ///
    /// - Throws: `EncoderError` when the image is too large to resize.
    public func preprocess(_ image: RGBImage) throws(EncoderError) -> PreprocessedImage {
        do { return try preprocessor(image) } catch { throw EncoderError(error) }
    }

    /// The preprocessing record of a `width × height` image (geometry only; no pixels touched).
    public func preprocessRecord(width: Int, height: Int) throws(EncoderError) -> PreprocessRecord? {
        do { return try preprocessor.plan(sourceWidth: width, sourceHeight: height) } catch { throw EncoderError(error) }
    }

    public func encodeImages(_ images: [ImageInput], progress: EncodingProgress?) throws(EncoderError) -> Matrix {
        let width = model.vision.embedDim
        var values: [Float] = []
        values.reserveCapacity(images.count * width)
        var start = 0
        while start < images.count {
            let batch = Array(images[start..<min(images.count, start + batchSize)])
            let pixels = try preprocessBatch(batch, firstIndex: start)
            let features: Matrix
            do { features = try model.encodeImages(pixels, count: batch.count, options: compute) } catch { throw EncoderError(error) }
            values += features.values
            start += batch.count
            progress?(start, images.count)
        }
        return Matrix(rows: images.count, columns: width, values: values)
    }

    /// The model inputs of `batch`, one after another (NCHW), preprocessed on all threads.
    private func preprocessBatch(_ batch: [ImageInput], firstIndex: Int) throws(EncoderError) -> [Float] {
        let size = preprocessor.config.imageSize
        let perImage = 3 * size * size
        var pixels = [Float](repeating: 0, count: batch.count * perImage)
        let failures = FailureList()
        let preprocessor = self.preprocessor
        pixels.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            let out = SendablePointer(base)
            Parallel.forEach(items: batch.count, workers: compute.threads, setUp: { _ in () }) { _, item in
                do throws(CLIPError) {
                    let tensor = try preprocessor(batch[item].image).tensor
                    tensor.withUnsafeBufferPointer { (out.pointer + item * perImage).update(from: $0.baseAddress!, count: perImage) }
                } catch {
                    failures.add(item, EncoderError(error, context: Self.label(batch[item], index: firstIndex + item)))
                }
            }
        }
        if let failure = failures.first { throw failure }
        return pixels
    }

    // MARK: Captions

    /// The token rows the text tower takes for `captions` (context length ids each).
    ///
    /// - Throws: `EncoderError` if the bundled vocabulary cannot be read.
    public func tokenize(_ captions: [String]) throws(EncoderError) -> [[Int]] {
        try tokenizer.get().tokenize(captions)
    }

    public func encodeCaptions(_ captions: [String], progress: EncodingProgress?) throws(EncoderError) -> Matrix {
        let tokens = try tokenize(captions)
        var values: [Float] = []
        values.reserveCapacity(captions.count * model.text.embedDim)
        var start = 0
        while start < tokens.count {
            let end = min(tokens.count, start + Self.captionBatchSize)
            do {
                values += try model.encodeText(Array(tokens[start..<end]), options: compute).values
            } catch {
                throw EncoderError(error, context: "captions \(start)..<\(end)")
            }
            start = end
            progress?(start, captions.count)
        }
        return Matrix(rows: captions.count, columns: model.text.embedDim, values: values)
    }
}

/// The first failure (lowest index) among work items run in parallel.
final class FailureList: Sendable {
    private let failures = Mutex<[(Int, EncoderError)]>([])

    func add(_ index: Int, _ error: EncoderError) {
        failures.withLock { $0.append((index, error)) }
    }

    var first: EncoderError? {
        failures.withLock { list in list.min { $0.0 < $1.0 }?.1 }
    }
}

/// The CLIP tokenizer, loaded (vocabulary decompressed and parsed) the first time it is needed.
final class LazyTokenizer: Sendable {
    private let contextLength: Int
    private let loaded = Mutex<CLIPTokenizer?>(nil)

    init(contextLength: Int) {
        self.contextLength = contextLength
    }

    func get() throws(EncoderError) -> CLIPTokenizer {
        let result: Result<CLIPTokenizer, CLIPError> = loaded.withLock { cached in
            if let cached { return .success(cached) }
            do throws(CLIPError) {
                let tokenizer = try CLIPTokenizer(contextLength: contextLength)
                cached = tokenizer
                return .success(tokenizer)
            } catch {
                return .failure(error)
            }
        }
        switch result {
        case .success(let tokenizer): return tokenizer
        case .failure(let error): throw EncoderError(error, context: "cannot load the CLIP tokenizer")
        }
    }
}
