import Foundation

/// What `auglab models inspect` reports about a loaded model: architecture, size, storage and provenance.
public struct ModelSummary: Sendable, Codable, Equatable {
    /// Trainable parameters (BatchNorm running statistics are buffers and not counted).
    public struct ParameterCounts: Sendable, Codable, Equatable {
        /// Image tower (`visual.*`).
        public var image: Int
        /// Text tower (everything else except `logit_scale`).
        public var text: Int
        /// Both towers plus `logit_scale`.
        public var total: Int
    }

    /// The path inspected.
    public var path: String
    /// The folder layout, or `checkpoint-file`.
    public var layout: ModelLayout
    /// How the weight file names its tensors.
    public var keyLayout: KeyLayout
    /// The weight file read.
    public var weightsPath: String
    /// Its container format.
    public var weightsFormat: CheckpointFormat
    /// SHA-256 of the weight file, when it was computed.
    public var sha256: String?
    /// Where the architecture came from.
    public var configSource: String
    /// The open_clip name of the matching named configuration (e.g. `ViT-B-32-quickgelu`), or nil.
    public var namedConfig: String?
    /// The image tower in one line (architecture, depth, width, heads, patch or blocks).
    public var imageTower: String
    /// The text tower in one line (depth, width, heads, context, vocabulary).
    public var textTower: String
    /// `QuickGELU` or `GELU`.
    public var activation: String
    /// Trainable parameters per tower and in total.
    public var parameters: ParameterCounts
    /// Tensor count per stored dtype (`F32`, `F16`, ...), over the tensors the model reads.
    public var dtypes: [String: Int]
    /// Size of the shared embedding space.
    public var embeddingSize: Int
    /// The learned temperature in log space (`logit_scale`; CLOOB's `logit_inv_tau`).
    public var logitScale: Float
    /// exp(logitScale): the multiplier applied to cosine similarities.
    public var logitScaleExp: Float
    /// Side of the square model input in pixels.
    public var inputSize: Int
    /// How images are prepared (mean, std, interpolation, resize mode).
    public var preprocess: PreprocessConfig
    /// Assumptions made and entries ignored while loading.
    public var notes: [String]

    /// Summarises `model`, reading only `logit_scale` from the weights.
    ///
    /// - Throws: `CLIPError` if `logit_scale` cannot be read.
    public init(_ model: LoadedModel) throws(CLIPError) {
        let config = model.config
        path = model.path
        layout = model.layout
        keyLayout = model.keyLayout
        weightsPath = model.weightsPath
        weightsFormat = model.weightsFormat
        sha256 = model.sha256
        configSource = model.configSource
        namedConfig = config.matchingNamedConfig
        switch config.vision.layers {
        case .transformer(let depth):
            imageTower = "ViT: \(depth) layers, width \(config.vision.width), \(config.vision.width / config.vision.headWidth) heads, patch \(config.vision.patchSize ?? 0), MLP ×\(Self.format(config.vision.mlpRatio))"
        case .resNet(let blocks):
            imageTower = "ModifiedResNet: blocks \(blocks), width \(config.vision.width), attention pool \(config.vision.width * 32) channels in \(config.vision.width * 32 / config.vision.headWidth) heads"
        }
        textTower = "transformer: \(config.text.layers) layers, width \(config.text.width), \(config.text.heads) heads, context \(config.text.contextLength), vocabulary \(config.text.vocabSize), MLP ×\(Self.format(config.text.mlpRatio))"
        activation = config.quickGELU ? "QuickGELU" : "GELU"
        var counts = ParameterCounts(image: 0, text: 0, total: 0)
        var dtypes: [String: Int] = [:]
        let expected = Dictionary(config.expectedTensors().map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for name in model.weights.names {
            guard let info = model.weights.info(name) else { continue }
            dtypes[info.dtype.rawValue, default: 0] += 1
            guard let tensor = expected[name], tensor.isParameter else { continue }
            let count = TensorShape.elementCount(info.shape) ?? 0
            switch tensor.tower {
            case .image: counts.image += count
            case .text: counts.text += count
            case .shared: break
            }
            counts.total += count
        }
        parameters = counts
        self.dtypes = dtypes
        embeddingSize = config.embedDim
        let scale = try model.weights.floats("logit_scale", shape: [])
        logitScale = scale[0]
        logitScaleExp = Float(exp(Double(scale[0])))
        inputSize = config.vision.imageSize
        preprocess = model.preprocess
        notes = model.notes
    }

    private static func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }

    /// The summary as aligned text lines, for the terminal.
    public var text: String {
        let grouped = { (n: Int) -> String in
            let digits = Array(String(n))
            var out = ""
            for (i, d) in digits.enumerated() {
                if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
                out.append(d)
            }
            return out
        }
        var lines: [(String, String)] = [
            ("model", path),
            ("layout", "\(layout.rawValue) (config: \(configSource))"),
            ("weights", "\(weightsPath) [\(weightsFormat.rawValue), \(keyLayout.displayName)]"),
            ("sha256", sha256 ?? "not computed"),
            ("architecture", namedConfig.map { "\($0) (open_clip)" } ?? "custom"),
            ("image tower", imageTower),
            ("text tower", textTower),
            ("activation", activation),
            ("parameters", "\(grouped(parameters.total)) (image \(grouped(parameters.image)), text \(grouped(parameters.text)))"),
            ("dtypes", dtypes.keys.sorted().map { "\($0) × \(dtypes[$0] ?? 0)" }.joined(separator: ", ")),
            ("embedding size", String(embeddingSize)),
            ("logit scale", "\(logitScale) (exp = \(logitScaleExp))"),
            ("input", "\(inputSize) × \(inputSize) px, \(preprocess.interpolation.rawValue), resize \(preprocess.resizeMode.rawValue), mean \(preprocess.mean), std \(preprocess.std)"),
        ]
        for note in notes { lines.append(("note", note)) }
        let width = lines.map(\.0.count).max() ?? 0
        return lines.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }.joined(separator: "\n")
    }
}
