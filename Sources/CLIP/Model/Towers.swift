import Tensors

/// The image tower of a CLIP-like model: a ModifiedResNet or a VisionTransformer, exactly as open_clip 3.3.0.
///
/// Built from a configuration and a checkpoint in the open_clip key layout (`visual.*`), so it can be
/// loaded without the text tower. Immutable and `Sendable`: one tower can serve many threads.
public struct VisionTower: Sendable {
    /// The tower's architecture.
    public let config: VisionConfig
    /// Width of the output features (the shared embedding space).
    public let embedDim: Int
    private let network: Network
    /// Scratch buffers kept between calls (one set per thread).
    private let workspaces = ScratchPool { VisionWorkspace() }

    private enum Network: Sendable {
        case resNet(ModifiedResNet)
        case transformer(VisionTransformer)
    }

    /// Loads the image tower of `config` from `weights`.
    ///
    /// - Throws: `CLIPError` when the configuration is inconsistent, or a tensor is missing or has
    ///   another shape than the configuration implies (the message names the key and both shapes).
    public init(config: CLIPConfig, weights: any WeightSource) throws(CLIPError) {
        try self.init(config: config, reader: TensorReader(weights))
    }

    init(config: CLIPConfig, reader: TensorReader) throws(CLIPError) {
        try ModelValidation.check(config.vision, embedDim: config.embedDim)
        self.config = config.vision
        embedDim = config.embedDim
        let activation: MLPActivation = config.quickGELU ? .quickGELU : .gelu
        switch config.vision.layers {
        case .resNet(let blocks):
            network = .resNet(try ModifiedResNet(reader, config: config.vision, blocks: blocks, embedDim: embedDim))
        case .transformer:
            network = .transformer(try VisionTransformer(reader, config: config.vision, patchSize: config.vision.patchSize ?? 0,
                                                         embedDim: embedDim, activation: activation))
        }
    }

    /// The tensors this tower reads for `config`: names, shapes and roles (no checkpoint needed).
    public static func tensorLayout(for config: CLIPConfig) throws(CLIPError) -> [TensorSpec] {
        let reader = TensorReader()
        _ = try VisionTower(config: config, reader: reader)
        return reader.specs
    }

    /// Side length in pixels of the square images the tower takes.
    public var imageSize: Int { config.imageSize }

    /// Encodes `count` images into unnormalised features `[count, embedDim]`.
    ///
    /// `pixels` holds the images one after another, each `[3, imageSize, imageSize]` (NCHW) and
    /// already normalised with the model's mean and standard deviation. Results do not depend on the
    /// batch size, the chunking or the threads: each image is computed the same way.
    /// - Parameters:
    ///   - options: threads and strategy (see `ComputeOptions`).
    ///   - recorder: if given, receives every intermediate activation (slower; single-threaded).
    /// - Throws: `CLIPError` if `pixels.count` is not `count × 3 × imageSize²`.
    public func encode(_ pixels: [Float], count: Int, options: ComputeOptions = .automatic,
                       recorder: ActivationRecorder? = nil) throws(CLIPError) -> Matrix {
        let perImage = 3 * imageSize * imageSize
        let (expected, overflow) = perImage.multipliedReportingOverflow(by: max(count, 0))
        guard count >= 0, !overflow, pixels.count == expected else {
            throw CLIPError(.invalidArgument,
                            "image batch has \(pixels.count) values; \(count) images of 3×\(imageSize)×\(imageSize) need \(overflow ? "more than Int.max" : String(expected))")
        }
        let network = self.network
        let recording = recorder != nil
        nonisolated(unsafe) let sharedRecorder = recorder  // used only when recording, which runs on this thread
        let values = ChunkedExecution.run(
            count: count, outputWidth: embedDim, options: options, maximumChunk: maximumChunk, recording: recording,
            pool: workspaces
        ) { workspace, items, out in
            pixels.withUnsafeBufferPointer { all in
                let first = all.baseAddress! + items.lowerBound * perImage
                switch network {
                case .resNet(let net):
                    net.encode(first, count: items.count, into: out, workspace: workspace, recorder: sharedRecorder)
                case .transformer(let net):
                    net.encode(first, count: items.count, into: out, workspace: workspace, recorder: sharedRecorder)
                }
            }
        }
        return Matrix(rows: count, columns: embedDim, values: values)
    }

    /// Most images per chunk when none is given: bounds scratch memory (about 200 MB per thread for
    /// RN50, 3200 tokens for a ViT) while giving the products plenty of rows.
    private var maximumChunk: Int {
        switch network {
        case .resNet(let net): return max(1, 8 * (224 * 224) / (net.imageSize * net.imageSize))
        case .transformer(let net): return max(1, 3200 / net.tokensPerImage)
        }
    }
}

/// The text tower of a CLIP-like model, exactly as open_clip 3.3.0's `CLIP.encode_text`.
///
/// Built from the open_clip keys outside `visual.*` (`token_embedding`, `positional_embedding`,
/// `transformer.*`, `ln_final`, `text_projection`). Immutable and `Sendable`.
public struct TextTower: Sendable {
    /// The tower's architecture.
    public let config: TextConfig
    /// Width of the output features (the shared embedding space).
    public let embedDim: Int
    private let network: TextTransformer
    /// Scratch buffers kept between calls (one set per thread).
    private let scratch = ScratchPool { TextScratch() }

    /// Loads the text tower of `config` from `weights`.
    ///
    /// - Throws: `CLIPError` when the configuration is inconsistent, or a tensor is missing or misshapen.
    public init(config: CLIPConfig, weights: any WeightSource) throws(CLIPError) {
        try self.init(config: config, reader: TensorReader(weights))
    }

    init(config: CLIPConfig, reader: TensorReader) throws(CLIPError) {
        try ModelValidation.check(config.text, embedDim: config.embedDim)
        self.config = config.text
        embedDim = config.embedDim
        network = try TextTransformer(reader, config: config.text, embedDim: config.embedDim,
                                      activation: config.quickGELU ? .quickGELU : .gelu)
    }

    /// The tensors this tower reads for `config`: names, shapes and roles (no checkpoint needed).
    public static func tensorLayout(for config: CLIPConfig) throws(CLIPError) -> [TensorSpec] {
        let reader = TensorReader()
        _ = try TextTower(config: config, reader: reader)
        return reader.specs
    }

    /// Tokens per caption the tower takes.
    public var contextLength: Int { config.contextLength }

    /// Encodes tokenised captions into unnormalised features `[captions, embedDim]`.
    ///
    /// Each caption is `contextLength` ids (start token, text, end token, zero padding), as the
    /// tokenizer produces them; it is pooled at its largest id (the end token). Positions after that
    /// cannot influence the result under the causal mask and are not computed.
    /// - Throws: `CLIPError` if a caption has another length or an id outside `0 ..< vocabSize`.
    public func encode(_ tokens: [[Int]], options: ComputeOptions = .automatic,
                       recorder: ActivationRecorder? = nil) throws(CLIPError) -> Matrix {
        var ids: [Int] = []
        ids.reserveCapacity(tokens.count * contextLength)
        for (index, caption) in tokens.enumerated() {
            guard caption.count == contextLength else {
                throw CLIPError(.invalidArgument, "caption \(index) has \(caption.count) token ids, the model takes \(contextLength)")
            }
            if let bad = caption.first(where: { $0 < 0 || $0 >= config.vocabSize }) {
                throw CLIPError(.invalidArgument, "caption \(index) has token id \(bad), outside the vocabulary 0..<\(config.vocabSize)")
            }
            ids += caption
        }
        let network = self.network
        let count = tokens.count
        let allIds = ids
        nonisolated(unsafe) let sharedRecorder = recorder  // used only when recording, which runs on this thread
        let values = ChunkedExecution.run(
            count: count, outputWidth: embedDim, options: options, maximumChunk: 256, recording: recorder != nil,
            pool: scratch
        ) { state, items, out in
            let slice = Array(allIds[(items.lowerBound * network.contextLength)..<(items.upperBound * network.contextLength)])
            network.encode(slice, count: items.count, into: out, scratch: state.transformer, tokens: state.tokens,
                           recorder: sharedRecorder)
        }
        return Matrix(rows: count, columns: embedDim, values: values)
    }
}

/// Checks a configuration before any tensor is read, so a bad config gives an error, not a crash.
enum ModelValidation {
    /// Largest accepted sizes: far above real models, low enough that index arithmetic cannot overflow.
    static let maximumImageSize = 8192
    static let maximumWidth = 1 << 16
    static let maximumDepth = 1024
    static let maximumContextLength = 1 << 16
    static let maximumVocabulary = 1 << 24

    static func check(_ vision: VisionConfig, embedDim: Int) throws(CLIPError) {
        try require(embedDim >= 1 && embedDim <= maximumWidth, "embed_dim \(embedDim) must be in 1...\(maximumWidth)", "embed_dim")
        try require(vision.imageSize >= 1 && vision.imageSize <= maximumImageSize,
                    "image_size \(vision.imageSize) must be in 1...\(maximumImageSize)", "vision_cfg.image_size")
        try require(vision.width >= 1 && vision.width <= maximumWidth, "width \(vision.width) must be in 1...\(maximumWidth)",
                    "vision_cfg.width")
        try require(vision.headWidth >= 1, "head_width \(vision.headWidth) must be positive", "vision_cfg.head_width")
        switch vision.layers {
        case .resNet(let blocks):
            try require(blocks.count == 4 && blocks.allSatisfy { $0 >= 1 && $0 <= maximumDepth },
                        "a ResNet needs four stages of 1...\(maximumDepth) blocks, got \(blocks)", "vision_cfg.layers")
            try require(vision.width >= 2 && vision.width <= maximumWidth / 32,
                        "ResNet width \(vision.width) must be in 2...\(maximumWidth / 32)", "vision_cfg.width")
            try require((vision.width * 32) % vision.headWidth == 0,
                        "ResNet feature width \(vision.width * 32) is not a multiple of head_width \(vision.headWidth)",
                        "vision_cfg.head_width")
            try require(vision.imageSize >= 32 && ModifiedResNet.finalGridSize(imageSize: vision.imageSize) == vision.imageSize / 32,
                        "ResNet image_size \(vision.imageSize) must be at least 32 and reduce to image_size/32 in the last stage",
                        "vision_cfg.image_size")
        case .transformer(let depth):
            try require(depth >= 1 && depth <= maximumDepth, "layers \(depth) must be in 1...\(maximumDepth)", "vision_cfg.layers")
            guard let patch = vision.patchSize else {
                throw CLIPError(.invalidInput, "a vision transformer needs patch_size", location: "vision_cfg.patch_size")
            }
            try require(patch >= 1 && patch <= vision.imageSize, "patch_size \(patch) must be in 1...image_size \(vision.imageSize)",
                        "vision_cfg.patch_size")
            try require(vision.width % vision.headWidth == 0,
                        "width \(vision.width) is not a multiple of head_width \(vision.headWidth)", "vision_cfg.head_width")
            try require(vision.mlpWidth >= 1 && vision.mlpWidth <= maximumWidth * 8,
                        "mlp_ratio \(vision.mlpRatio) gives an MLP width of \(vision.mlpWidth)", "vision_cfg.mlp_ratio")
        }
    }

    static func check(_ text: TextConfig, embedDim: Int) throws(CLIPError) {
        try require(embedDim >= 1 && embedDim <= maximumWidth, "embed_dim \(embedDim) must be in 1...\(maximumWidth)", "embed_dim")
        try require(text.contextLength >= 1 && text.contextLength <= maximumContextLength,
                    "context_length \(text.contextLength) must be in 1...\(maximumContextLength)", "text_cfg.context_length")
        try require(text.vocabSize >= 1 && text.vocabSize <= maximumVocabulary,
                    "vocab_size \(text.vocabSize) must be in 1...\(maximumVocabulary)", "text_cfg.vocab_size")
        try require(text.width >= 1 && text.width <= maximumWidth, "width \(text.width) must be in 1...\(maximumWidth)", "text_cfg.width")
        try require(text.heads >= 1 && text.width % text.heads == 0,
                    "width \(text.width) is not divisible into \(text.heads) heads", "text_cfg.heads")
        try require(text.layers >= 1 && text.layers <= maximumDepth, "layers \(text.layers) must be in 1...\(maximumDepth)",
                    "text_cfg.layers")
        try require(text.mlpWidth >= 1 && text.mlpWidth <= maximumWidth * 8,
                    "mlp_ratio \(text.mlpRatio) gives an MLP width of \(text.mlpWidth)", "text_cfg.mlp_ratio")
    }

    private static func require(_ condition: Bool, _ message: @autoclosure () -> String, _ field: String) throws(CLIPError) {
        guard condition else { throw CLIPError(.invalidInput, "model config: " + message(), location: field) }
    }
}

extension VisionConfig {
    /// Number of transformer blocks (0 for a ResNet).
    var depth: Int {
        if case .transformer(let depth) = layers { return depth }
        return 0
    }

    /// Hidden width of the transformer MLP: `int(width × mlp_ratio)`, as open_clip truncates it.
    var mlpWidth: Int { Self.truncatedWidth(width, mlpRatio) }

    static func truncatedWidth(_ width: Int, _ ratio: Double) -> Int {
        let value = Double(width) * ratio
        guard value.isFinite, value >= 0, value < Double(Int32.max) else { return 0 }
        return Int(value)
    }
}

extension TextConfig {
    /// Hidden width of the transformer MLP: `int(width × mlp_ratio)`.
    var mlpWidth: Int { VisionConfig.truncatedWidth(width, mlpRatio) }
}
