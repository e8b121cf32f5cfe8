import CLIP
import Foundation

/// What an encoder is, for provenance, cache keys and reports.
///
/// Results written to disk carry this: the name the user gave, the kind of back-end, the
/// architecture, the embedding width, the model file and its SHA-256 (which also keys the
/// embedding cache), the preprocessing applied and the logit scale.
public struct EncoderDescriptor: Sendable, Equatable, Codable {
    /// The three kinds of back-end.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// A CLIP-like model run natively (`CLIPEncoder`).
        case clip
        /// A weightless control encoder with known invariances (`ControlEncoder`).
        case control
        /// Embeddings computed elsewhere and looked up (`PrecomputedEmbeddings`).
        case precomputed
    }

    /// A model's learned temperature in both forms.
    public struct LogitScale: Sendable, Equatable, Codable {
        /// The stored value, log space (`logit_scale` in a checkpoint).
        public var log: Float
        /// `exp(log)`: the factor applied to cosine similarities to make logits.
        public var exp: Float

        /// Both forms from the log-space value.
        public init(log: Float) {
            self.log = log
            self.exp = Float(Foundation.exp(Double(log)))
        }
    }

    /// The name the encoder is known by (the spec's `NAME`, or one derived from the path).
    public var name: String
    /// The kind of back-end.
    public var kind: Kind
    /// The architecture in words, e.g. `ViT-B-32-quickgelu` or `ViT: 2 layers, width 32, ...`.
    public var architecture: String
    /// Width of each embedding row.
    public var embeddingDimension: Int
    /// Side in pixels of the square image the encoder looks at (CLIP's image size, 32 for the
    /// pixel controls); nil when it has none (histogram, precomputed).
    public var inputSize: Int?
    /// The file the encoder was loaded from (a weight file or an embeddings file); nil for controls.
    public var filePath: String?
    /// Lowercase hex SHA-256 of `filePath`; nil for controls, or when not computed.
    public var sha256: String?
    /// What is done to an image before it is embedded, in words.
    public var preprocessing: String
    /// CLIP preprocessing parameters, when the encoder uses CLIP preprocessing.
    public var preprocessConfig: PreprocessConfig?
    /// The model's logit scale; nil for encoders without one.
    public var logitScale: LogitScale?
    /// Whether captions can be embedded (`TextEncoder`).
    public var hasTextTower: Bool
    /// What keys this encoder's embeddings in the on-disk cache (a hex SHA-256 over the model file's
    /// hash and its configuration); nil when embeddings are not cached.
    public var cacheIdentity: String?

    /// A descriptor with every field given.
    public init(name: String, kind: Kind, architecture: String, embeddingDimension: Int, inputSize: Int?,
                filePath: String?, sha256: String?, preprocessing: String, preprocessConfig: PreprocessConfig?,
                logitScale: LogitScale?, hasTextTower: Bool, cacheIdentity: String?) {
        self.name = name
        self.kind = kind
        self.architecture = architecture
        self.embeddingDimension = embeddingDimension
        self.inputSize = inputSize
        self.filePath = filePath
        self.sha256 = sha256
        self.preprocessing = preprocessing
        self.preprocessConfig = preprocessConfig
        self.logitScale = logitScale
        self.hasTextTower = hasTextTower
        self.cacheIdentity = cacheIdentity
    }

    /// The descriptor as aligned text lines, for the terminal.
    public var text: String {
        var lines: [(String, String)] = [
            ("name", name),
            ("kind", kind.rawValue),
            ("architecture", architecture),
            ("embedding size", String(embeddingDimension)),
            ("input", inputSize.map { "\($0) × \($0) px" } ?? "none"),
            ("preprocessing", preprocessing),
            ("text tower", hasTextTower ? "yes" : "no"),
        ]
        if let filePath { lines.append(("file", filePath)) }
        if let sha256 { lines.append(("sha256", sha256)) }
        if let logitScale { lines.append(("logit scale", "\(logitScale.log) (exp = \(logitScale.exp))")) }
        let width = lines.map(\.0.count).max() ?? 0
        return lines.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }.joined(separator: "\n")
    }
}
