import Foundation

/// One tensor a model with a given configuration reads, in open_clip names.
public struct ExpectedTensor: Sendable, Equatable {
    /// Which part of the model the tensor belongs to.
    public enum Tower: String, Sendable, Codable { case image, text, shared }

    /// open_clip key, e.g. `visual.transformer.resblocks.0.attn.in_proj_weight`.
    public var name: String
    /// Shape in open_clip's layout (PyTorch `[out, in]` for linear weights; `[]` for scalars).
    public var shape: [Int]
    /// The tower it belongs to (`logit_scale` is shared).
    public var tower: Tower
    /// A trainable parameter (counted in parameter totals) rather than a buffer (BatchNorm running statistics).
    public var isParameter: Bool
    /// Integer-valued (BatchNorm `num_batches_tracked`); everything else is floating point.
    public var isInteger: Bool
    /// Whether the checkpoint must contain it (`num_batches_tracked` is optional: nothing reads it).
    public var isRequired: Bool
}

extension CLIPConfig {
    /// Every tensor of open_clip's `CLIP` state dict for this configuration, in open_clip names.
    ///
    /// This is the contract between checkpoints and the towers: ViT (`visual.conv1.weight` patch
    /// embedding, class and positional embeddings, `ln_pre`, blocks, `ln_post`, `proj`),
    /// ModifiedResNet (three-conv stem with BatchNorm, Bottleneck stages with AvgPool downsampling
    /// shortcuts `downsample.0` conv / `downsample.1` BatchNorm, attention pool), the text transformer
    /// and `logit_scale`. Call `validate()` first: the shapes assume a valid configuration.
    public func expectedTensors() -> [ExpectedTensor] {
        var tensors: [ExpectedTensor] = []
        func add(_ name: String, _ shape: [Int], _ tower: ExpectedTensor.Tower, parameter: Bool = true) {
            tensors.append(ExpectedTensor(name: name, shape: shape, tower: tower, isParameter: parameter, isInteger: false, isRequired: true))
        }
        func layerNorm(_ prefix: String, _ width: Int, _ tower: ExpectedTensor.Tower) {
            add(prefix + ".weight", [width], tower)
            add(prefix + ".bias", [width], tower)
        }
        func batchNorm(_ prefix: String, _ channels: Int) {
            layerNorm(prefix, channels, .image)
            add(prefix + ".running_mean", [channels], .image, parameter: false)
            add(prefix + ".running_var", [channels], .image, parameter: false)
            tensors.append(ExpectedTensor(name: prefix + ".num_batches_tracked", shape: [], tower: .image, isParameter: false,
                                          isInteger: true, isRequired: false))
        }
        func transformer(_ prefix: String, width: Int, layers: Int, mlpRatio: Double, _ tower: ExpectedTensor.Tower) {
            let hidden = Int(Double(width) * mlpRatio)
            for i in 0..<layers {
                let block = "\(prefix).\(i)."
                layerNorm(block + "ln_1", width, tower)
                add(block + "attn.in_proj_weight", [3 * width, width], tower)
                add(block + "attn.in_proj_bias", [3 * width], tower)
                add(block + "attn.out_proj.weight", [width, width], tower)
                add(block + "attn.out_proj.bias", [width], tower)
                layerNorm(block + "ln_2", width, tower)
                add(block + "mlp.c_fc.weight", [hidden, width], tower)
                add(block + "mlp.c_fc.bias", [hidden], tower)
                add(block + "mlp.c_proj.weight", [width, hidden], tower)
                add(block + "mlp.c_proj.bias", [width], tower)
            }
        }

        switch vision.layers {
        case .transformer(let depth):
            let width = vision.width
            let patch = vision.patchSize ?? 1
            let grid = vision.imageSize / patch
            add("visual.class_embedding", [width], .image)
            add("visual.positional_embedding", [grid * grid + 1, width], .image)
            add("visual.proj", [width, embedDim], .image)
            add("visual.conv1.weight", [width, 3, patch, patch], .image)
            layerNorm("visual.ln_pre", width, .image)
            transformer("visual.transformer.resblocks", width: width, layers: depth, mlpRatio: vision.mlpRatio, .image)
            layerNorm("visual.ln_post", width, .image)
        case .resNet(let blocks):
            let width = vision.width
            add("visual.conv1.weight", [width / 2, 3, 3, 3], .image)
            batchNorm("visual.bn1", width / 2)
            add("visual.conv2.weight", [width / 2, width / 2, 3, 3], .image)
            batchNorm("visual.bn2", width / 2)
            add("visual.conv3.weight", [width, width / 2, 3, 3], .image)
            batchNorm("visual.bn3", width)
            var inputs = width
            for (stage, count) in blocks.enumerated() {
                let planes = width << stage
                for block in 0..<count {
                    let prefix = "visual.layer\(stage + 1).\(block)."
                    let stride = block == 0 && stage > 0 ? 2 : 1
                    add(prefix + "conv1.weight", [planes, inputs, 1, 1], .image)
                    batchNorm(prefix + "bn1", planes)
                    add(prefix + "conv2.weight", [planes, planes, 3, 3], .image)
                    batchNorm(prefix + "bn2", planes)
                    add(prefix + "conv3.weight", [planes * 4, planes, 1, 1], .image)
                    batchNorm(prefix + "bn3", planes * 4)
                    if stride > 1 || inputs != planes * 4 {
                        add(prefix + "downsample.0.weight", [planes * 4, inputs, 1, 1], .image)
                        batchNorm(prefix + "downsample.1", planes * 4)
                    }
                    inputs = planes * 4
                }
            }
            let channels = width * 32
            let spatial = vision.imageSize / 32
            add("visual.attnpool.positional_embedding", [spatial * spatial + 1, channels], .image)
            for projection in ["k_proj", "q_proj", "v_proj"] {
                add("visual.attnpool.\(projection).weight", [channels, channels], .image)
                add("visual.attnpool.\(projection).bias", [channels], .image)
            }
            add("visual.attnpool.c_proj.weight", [embedDim, channels], .image)
            add("visual.attnpool.c_proj.bias", [embedDim], .image)
        }

        add("token_embedding.weight", [text.vocabSize, text.width], .text)
        add("positional_embedding", [text.contextLength, text.width], .text)
        transformer("transformer.resblocks", width: text.width, layers: text.layers, mlpRatio: text.mlpRatio, .text)
        layerNorm("ln_final", text.width, .text)
        add("text_projection", [text.width, embedDim], .text)
        add("logit_scale", [], .shared)
        return tensors
    }

    /// Checks that every size is positive, within sane bounds and divisible as the towers need.
    ///
    /// Bounds (far above any released CLIP): widths and embedding sizes ≤ 65,536, image size ≤ 8,192,
    /// depths ≤ 1,024, context ≤ 8,192, vocabulary ≤ 10,000,000. Heads must divide the widths
    /// (ViT: `width / head_width`; ResNet attention pool: `width × 32 / head_width`), a ViT needs a
    /// patch size no larger than the image, a ResNet an image of at least 32 pixels and four stages.
    ///
    /// - Throws: `CLIPError.invalidInput` naming the field (e.g. `vision_cfg.width`) and `path`.
    public func validate(path: String? = nil) throws(CLIPError) {
        func check(_ condition: Bool, _ field: String, _ message: String) throws(CLIPError) {
            if !condition { throw CLIPError(.invalidInput, "model configuration: \(field) \(message)", path: path, location: field) }
        }
        func inRange(_ value: Int, _ range: ClosedRange<Int>, _ field: String) throws(CLIPError) {
            try check(range.contains(value), field, "is \(value), outside \(range.lowerBound)...\(range.upperBound)")
        }
        func ratio(_ value: Double, width: Int, _ field: String) throws(CLIPError) {
            try check(value.isFinite && value > 0 && value <= 64 && Int(Double(width) * value) >= 1, field,
                      "is \(value); the MLP width must be at least 1 and the ratio at most 64")
        }
        try inRange(embedDim, 1...65536, "embed_dim")
        try inRange(vision.imageSize, 1...8192, "vision_cfg.image_size")
        try inRange(vision.width, 1...65536, "vision_cfg.width")
        try inRange(vision.headWidth, 1...65536, "vision_cfg.head_width")
        switch vision.layers {
        case .transformer(let depth):
            try inRange(depth, 1...1024, "vision_cfg.layers")
            guard let patch = vision.patchSize else {
                throw CLIPError(.invalidInput, "model configuration: vision_cfg.patch_size is missing for a ViT image tower",
                                path: path, location: "vision_cfg.patch_size")
            }
            try inRange(patch, 1...vision.imageSize, "vision_cfg.patch_size")
            try check(vision.width % vision.headWidth == 0, "vision_cfg.head_width",
                      "(\(vision.headWidth)) does not divide vision_cfg.width (\(vision.width))")
            try ratio(vision.mlpRatio, width: vision.width, "vision_cfg.mlp_ratio")
        case .resNet(let blocks):
            try check(blocks.count == 4, "vision_cfg.layers", "has \(blocks.count) stages; a ModifiedResNet has 4")
            for (i, count) in blocks.enumerated() { try inRange(count, 1...1024, "vision_cfg.layers[\(i)]") }
            try inRange(vision.width, 2...4096, "vision_cfg.width")
            try inRange(vision.imageSize, 32...8192, "vision_cfg.image_size")
            try check((vision.width * 32) % vision.headWidth == 0, "vision_cfg.head_width",
                      "(\(vision.headWidth)) does not divide the attention pool width \(vision.width * 32)")
        }
        try inRange(text.contextLength, 1...8192, "text_cfg.context_length")
        try inRange(text.vocabSize, 1...10_000_000, "text_cfg.vocab_size")
        try inRange(text.width, 1...65536, "text_cfg.width")
        try inRange(text.heads, 1...text.width, "text_cfg.heads")
        try inRange(text.layers, 0...1024, "text_cfg.layers")
        try check(text.width % text.heads == 0, "text_cfg.heads", "(\(text.heads)) does not divide text_cfg.width (\(text.width))")
        try ratio(text.mlpRatio, width: text.width, "text_cfg.mlp_ratio")
    }
}

/// Checks a checkpoint against the tensors a configuration needs, before any weight is read.
public enum WeightValidation {
    /// Most problems listed in one error message.
    static let listedProblems = 8

    /// Checks that `weights` holds exactly the tensors of `config`: none missing, none with another
    /// shape, none integer where floats are needed, and none left over (a leftover tensor means the
    /// file is a different architecture, e.g. layer scale, biases or another pooling).
    ///
    /// - Throws: `CLIPError.invalidInput` naming the file and listing the first problems, each with
    ///   the key and both shapes; or the configuration's own problem (`CLIPConfig.validate`).
    public static func check(_ weights: some WeightSource, against config: CLIPConfig) throws(CLIPError) {
        try config.validate(path: weights.sourcePath)
        var problems: [String] = []
        var expectedNames = Set<String>()
        for tensor in config.expectedTensors() {
            expectedNames.insert(tensor.name)
            guard let info = weights.info(tensor.name) else {
                if tensor.isRequired { problems.append("missing tensor '\(tensor.name)' (expected shape \(tensor.shape))") }
                continue
            }
            if info.shape != tensor.shape {
                problems.append("tensor '\(tensor.name)' has shape \(info.shape), the configuration expects \(tensor.shape)")
            } else if !tensor.isInteger && !info.dtype.isFloatingPoint {
                problems.append("tensor '\(tensor.name)' has integer dtype \(info.dtype.rawValue), floating point expected")
            }
        }
        for name in weights.names where !expectedNames.contains(name) {
            let shape = weights.info(name)?.shape ?? []
            problems.append("unexpected tensor '\(name)' \(shape), not part of this architecture")
        }
        guard problems.isEmpty else {
            let shown = problems.prefix(listedProblems).joined(separator: "; ")
            let more = problems.count > listedProblems ? "; and \(problems.count - listedProblems) more" : ""
            throw CLIPError(.invalidInput,
                            "weights do not fit the model configuration (\(problems.count) problem\(problems.count == 1 ? "" : "s")): \(shown)\(more)",
                            path: weights.sourcePath)
        }
    }
}
