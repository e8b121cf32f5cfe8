import Foundation
import Tensors

/// A CLIP-like dual encoder: image tower, text tower and the learned logit scale, as open_clip's `CLIP`.
///
/// Loads from an open_clip configuration and a checkpoint in the open_clip key layout; the
/// Hugging Face layout is read through an adapting `WeightSource`. Immutable and `Sendable`.
public struct CLIPModel: Sendable {
    /// The architecture.
    public let config: CLIPConfig
    /// The image tower.
    public let vision: VisionTower
    /// The text tower.
    public let text: TextTower
    /// The learned temperature in log space, as stored in the checkpoint (`logit_scale`).
    public let logitScale: Float

    /// Loads both towers and the logit scale.
    ///
    /// - Throws: `CLIPError` when the configuration is inconsistent, or a tensor is missing or has
    ///   another shape than the configuration implies (the message names the key and both shapes).
    public init(config: CLIPConfig, weights: any WeightSource) throws(CLIPError) {
        try self.init(config: config, reader: TensorReader(weights))
    }

    private init(config: CLIPConfig, reader: TensorReader) throws(CLIPError) {
        self.config = config
        vision = try VisionTower(config: config, reader: reader)
        text = try TextTower(config: config, reader: reader)
        logitScale = try reader.read("logit_scale", shapes: [[], [1]], role: .logitScale)[0]
    }

    /// Every tensor a model of `config` reads (names, shapes, roles), without a checkpoint.
    ///
    /// For parameter counts, for checking a checkpoint against a configuration, and for
    /// `SyntheticWeights`. Builds the model once with zero weights, so it briefly needs the model's memory.
    public static func tensorLayout(for config: CLIPConfig) throws(CLIPError) -> [TensorSpec] {
        let reader = TensorReader()
        _ = try CLIPModel(config: config, reader: reader)
        return reader.specs
    }

    /// The multiplier applied to cosine similarities: `exp(logitScale)`.
    public var logitScaleExp: Float { Float(Foundation.exp(Double(logitScale))) }

    /// Unnormalised image features `[count, embedDim]`; see `VisionTower.encode`.
    public func encodeImages(_ pixels: [Float], count: Int, options: ComputeOptions = .automatic) throws(CLIPError) -> Matrix {
        try vision.encode(pixels, count: count, options: options)
    }

    /// Unnormalised text features `[captions, embedDim]`; see `TextTower.encode`.
    public func encodeText(_ tokens: [[Int]], options: ComputeOptions = .automatic) throws(CLIPError) -> Matrix {
        try text.encode(tokens, options: options)
    }
}
