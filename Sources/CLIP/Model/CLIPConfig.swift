/// The architecture of a CLIP-like model, as open_clip's model-config JSON describes it.
///
/// Decodes open_clip's format (`embed_dim`, `quick_gelu`, `vision_cfg`, `text_cfg`, snake_case
/// keys); fields open_clip leaves out take open_clip's defaults. A ResNet image tower has a list
/// of four block counts in `vision_cfg.layers` and no `patch_size`; a ViT has one integer.
public struct CLIPConfig: Sendable, Equatable, Codable {
    /// Size of the shared embedding space (the projections' output width).
    public var embedDim: Int
    /// QuickGELU `x·σ(1.702x)` instead of exact GELU in every transformer MLP (true for OpenAI weights).
    public var quickGELU: Bool
    /// The image tower.
    public var vision: VisionConfig
    /// The text tower.
    public var text: TextConfig

    /// A configuration from its parts.
    public init(embedDim: Int, quickGELU: Bool, vision: VisionConfig, text: TextConfig) {
        self.embedDim = embedDim
        self.quickGELU = quickGELU
        self.vision = vision
        self.text = text
    }

    enum CodingKeys: String, CodingKey {
        case embedDim = "embed_dim"
        case quickGELU = "quick_gelu"
        case vision = "vision_cfg"
        case text = "text_cfg"
    }

    /// Decodes open_clip's JSON; missing fields take open_clip's defaults (see the properties).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        embedDim = try c.decode(Int.self, forKey: .embedDim)
        quickGELU = try c.decodeIfPresent(Bool.self, forKey: .quickGELU) ?? false
        vision = try c.decode(VisionConfig.self, forKey: .vision)
        text = try c.decodeIfPresent(TextConfig.self, forKey: .text) ?? TextConfig()
    }
}

/// The image tower: a ModifiedResNet (`layers` has four block counts) or a VisionTransformer.
public struct VisionConfig: Sendable, Equatable, Codable {
    /// Which architecture and its depth.
    public enum Layers: Sendable, Equatable, Codable {
        /// ModifiedResNet: Bottleneck blocks per stage (four stages), e.g. [3, 4, 6, 3] for RN50.
        case resNet([Int])
        /// VisionTransformer: number of residual attention blocks.
        case transformer(Int)

        /// Decodes one integer (a ViT's depth) or a list of block counts (a ResNet's), as open_clip writes them.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let depth = try? c.decode(Int.self) { self = .transformer(depth) } else {
                self = .resNet(try c.decode([Int].self))
            }
        }

        /// Encodes as open_clip does: a list of four block counts, or one depth.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case .resNet(let blocks): try c.encode(blocks)
            case .transformer(let depth): try c.encode(depth)
            }
        }
    }

    /// Input resolution in pixels (square).
    public var imageSize: Int
    /// Depth: block counts (ResNet) or number of transformer blocks (ViT).
    public var layers: Layers
    /// Stem width (ResNet; the final stage has `width × 32` channels) or token width (ViT).
    public var width: Int
    /// Channels per attention head (the ResNet attention pool and the ViT blocks).
    public var headWidth: Int
    /// Patch size in pixels (ViT only; nil for ResNet).
    public var patchSize: Int?
    /// MLP hidden width as a multiple of `width` (ViT).
    public var mlpRatio: Double

    /// An image tower; the defaults are open_clip's.
    public init(imageSize: Int, layers: Layers, width: Int, headWidth: Int = defaultHeadWidth,
                patchSize: Int? = nil, mlpRatio: Double = defaultMLPRatio) {
        self.imageSize = imageSize
        self.layers = layers
        self.width = width
        self.headWidth = headWidth
        self.patchSize = patchSize
        self.mlpRatio = mlpRatio
    }

    /// open_clip's channels per attention head when the config does not say: 64.
    public static let defaultHeadWidth = 64
    /// open_clip's MLP ratio when the config does not say: 4.
    public static let defaultMLPRatio = 4.0

    /// Whether this is a ModifiedResNet tower.
    public var isResNet: Bool { if case .resNet = layers { return true } else { return false } }

    enum CodingKeys: String, CodingKey {
        case imageSize = "image_size", layers, width, headWidth = "head_width"
        case patchSize = "patch_size", mlpRatio = "mlp_ratio"
    }

    /// Decodes open_clip's JSON; missing fields take open_clip's defaults (see the properties).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        imageSize = try c.decodeIfPresent(Int.self, forKey: .imageSize) ?? 224
        layers = try c.decode(Layers.self, forKey: .layers)
        width = try c.decodeIfPresent(Int.self, forKey: .width) ?? 768
        headWidth = try c.decodeIfPresent(Int.self, forKey: .headWidth) ?? Self.defaultHeadWidth
        patchSize = try c.decodeIfPresent(Int.self, forKey: .patchSize)
        mlpRatio = try c.decodeIfPresent(Double.self, forKey: .mlpRatio) ?? Self.defaultMLPRatio
    }
}

/// The text tower: a causal transformer over BPE tokens, pooled at the end-of-text token.
public struct TextConfig: Sendable, Equatable, Codable {
    /// Tokens per caption, including start and end tokens (77 for CLIP).
    public var contextLength: Int
    /// Token vocabulary size (49408 for CLIP's BPE).
    public var vocabSize: Int
    /// Token width.
    public var width: Int
    /// Attention heads per block.
    public var heads: Int
    /// Number of residual attention blocks.
    public var layers: Int
    /// MLP hidden width as a multiple of `width`.
    public var mlpRatio: Double

    /// A text tower; the defaults are open_clip's (CLIP's text tower).
    public init(contextLength: Int = 77, vocabSize: Int = 49408, width: Int = 512, heads: Int = 8,
                layers: Int = 12, mlpRatio: Double = 4.0) {
        self.contextLength = contextLength
        self.vocabSize = vocabSize
        self.width = width
        self.heads = heads
        self.layers = layers
        self.mlpRatio = mlpRatio
    }

    enum CodingKeys: String, CodingKey {
        case contextLength = "context_length", vocabSize = "vocab_size", width, heads, layers
        case mlpRatio = "mlp_ratio"
    }

    /// Decodes open_clip's JSON; missing fields take open_clip's defaults (see the properties).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = TextConfig()
        contextLength = try c.decodeIfPresent(Int.self, forKey: .contextLength) ?? defaults.contextLength
        vocabSize = try c.decodeIfPresent(Int.self, forKey: .vocabSize) ?? defaults.vocabSize
        width = try c.decodeIfPresent(Int.self, forKey: .width) ?? defaults.width
        heads = try c.decodeIfPresent(Int.self, forKey: .heads) ?? defaults.heads
        layers = try c.decodeIfPresent(Int.self, forKey: .layers) ?? defaults.layers
        mlpRatio = try c.decodeIfPresent(Double.self, forKey: .mlpRatio) ?? defaults.mlpRatio
    }
}
