import Foundation

extension CLIPConfig {
    /// Infers the architecture from the tensor shapes of an open_clip-named source, as OpenAI's
    /// `clip.model.build_model` does.
    ///
    /// ViT (when `visual.proj` exists): width = `visual.conv1.weight` rows, patch = its kernel size,
    /// depth = number of `visual.transformer.resblocks.N`, grid = √(positional rows − 1), image size =
    /// patch × grid. ResNet: block counts = number of `visual.layerS.N` per stage, width =
    /// `visual.layer1.0.conv1.weight` rows, image size = 32 × √(attention-pool positional rows − 1).
    /// Text: embedding size = `text_projection` columns, context = `positional_embedding` rows,
    /// vocabulary = `token_embedding.weight` rows, width = `ln_final.weight` length, depth = number
    /// of `transformer.resblocks.N`. MLP ratios are read from the `c_fc` shapes (OpenAI's are all 4).
    ///
    /// What shapes cannot tell is taken from OpenAI's conventions: 64 channels per attention head
    /// (so the widths must be multiples of 64 — every released CLIP's are) and `quickGELU`, which
    /// the caller chooses (true for OpenAI, CyCLIP and CLOOB weights; false for open_clip's own
    /// GELU trainings).
    ///
    /// - Throws: `CLIPError.invalidInput` naming the file and the key that is missing or inconsistent.
    public static func inferred(from weights: some WeightSource, quickGELU: Bool) throws(CLIPError) -> CLIPConfig {
        let path = weights.sourcePath
        func shape(_ name: String, rank: Int) throws(CLIPError) -> [Int] {
            guard let info = weights.info(name) else {
                throw CLIPError(.invalidInput, "cannot infer the architecture: no tensor '\(name)'", path: path, location: name)
            }
            guard info.shape.count == rank, info.shape.allSatisfy({ $0 > 0 && $0 <= Self.maximumInferredDimension }) else {
                throw CLIPError(.invalidInput,
                                "cannot infer the architecture: tensor '\(name)' has shape \(info.shape), expected \(rank) dimensions in 1...\(Self.maximumInferredDimension)",
                                path: path, location: name)
            }
            return info.shape
        }
        func grid(_ name: String) throws(CLIPError) -> Int {
            let rows = try shape(name, rank: 2)[0]
            let side = Int((Double(rows - 1)).squareRoot().rounded())
            guard side > 0, side * side + 1 == rows else {
                throw CLIPError(.invalidInput, "cannot infer the image size: '\(name)' has \(rows) rows, not a square grid plus one",
                                path: path, location: name)
            }
            return side
        }
        func heads64(_ width: Int, _ field: String) throws(CLIPError) -> Int {
            guard width % 64 == 0 else {
                throw CLIPError(.invalidInput,
                                "cannot infer the attention heads: \(field) width \(width) is not a multiple of 64 (OpenAI's 64 channels per head); give a model configuration instead",
                                path: path, location: field)
            }
            return width / 64
        }
        func mlpRatio(_ block: String, width: Int) throws(CLIPError) -> Double {
            let hidden = try shape(block + "mlp.c_fc.weight", rank: 2)[0]
            return Double(hidden) / Double(width)
        }

        let names = weights.names
        let vision: VisionConfig
        if weights.contains("visual.proj") {
            let conv = try shape("visual.conv1.weight", rank: 4)
            let width = conv[0]
            let patch = conv[3]
            let depth = try blockCount(names, prefix: "visual.transformer.resblocks.", path: path)
            guard depth > 0 else {
                throw CLIPError(.invalidInput, "cannot infer the architecture: no 'visual.transformer.resblocks.0.*' tensors",
                                path: path, location: "visual.transformer.resblocks.0")
            }
            _ = try heads64(width, "vision")
            let ratio = try mlpRatio("visual.transformer.resblocks.0.", width: width)
            vision = VisionConfig(imageSize: patch * (try grid("visual.positional_embedding")), layers: .transformer(depth),
                                  width: width, headWidth: 64, patchSize: patch, mlpRatio: ratio)
        } else {
            var blocks: [Int] = []
            for stage in 1...4 {
                let count = try blockCount(names, prefix: "visual.layer\(stage).", path: path)
                guard count > 0 else {
                    throw CLIPError(.invalidInput, "cannot infer the architecture: neither 'visual.proj' (ViT) nor 'visual.layer\(stage).0.*' (ResNet) tensors",
                                    path: path, location: "visual.layer\(stage).0")
                }
                blocks.append(count)
            }
            let width = try shape("visual.layer1.0.conv1.weight", rank: 4)[0]
            _ = try heads64(width * 32, "attention pool")
            vision = VisionConfig(imageSize: 32 * (try grid("visual.attnpool.positional_embedding")), layers: .resNet(blocks),
                                  width: width, headWidth: 64)
        }
        let embed = try shape("text_projection", rank: 2)[1]
        let textWidth = try shape("ln_final.weight", rank: 1)[0]
        let textDepth = try blockCount(names, prefix: "transformer.resblocks.", path: path)
        let text = TextConfig(contextLength: try shape("positional_embedding", rank: 2)[0],
                              vocabSize: try shape("token_embedding.weight", rank: 2)[0],
                              width: textWidth, heads: try heads64(textWidth, "text"), layers: textDepth,
                              mlpRatio: textDepth > 0 ? try mlpRatio("transformer.resblocks.0.", width: textWidth) : 4.0)
        let config = CLIPConfig(embedDim: embed, quickGELU: quickGELU, vision: vision, text: text)
        try config.validate(path: path)
        return config
    }

    /// Largest tensor dimension inference accepts (the vocabulary rows are the largest in released models).
    static let maximumInferredDimension = 1 << 24

    /// The number of blocks `prefix<N>.` present; they must be numbered 0, 1, ..., N−1.
    private static func blockCount(_ names: [String], prefix: String, path: String?) throws(CLIPError) -> Int {
        var indices = Set<Int>()
        for name in names where name.hasPrefix(prefix) {
            let rest = name.dropFirst(prefix.count)
            guard let dot = rest.firstIndex(of: "."), let index = Int(rest[..<dot]), index >= 0 else { continue }
            indices.insert(index)
        }
        guard indices.isEmpty || indices.max() == indices.count - 1 else {
            let missing = (0..<(indices.max() ?? 0)).first { !indices.contains($0) } ?? 0
            throw CLIPError(.invalidInput, "blocks '\(prefix)N' are not numbered 0 to \(indices.count - 1): block \(missing) is missing",
                            path: path, location: "\(prefix)\(missing)")
        }
        return indices.count
    }
}
