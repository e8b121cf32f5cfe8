import Tensors

/// open_clip's `VisionTransformer` image tower (class-token pooling, `ln_pre`, pre-LN blocks).
///
/// Patch embedding (a `patch × patch` convolution with stride `patch`, no bias) → `[CLS; patches]`
/// + positional embedding → `ln_pre` → blocks → `ln_post` on the class token → `@ proj`.
struct VisionTransformer: Sendable {
    let imageSize: Int
    let patchSize: Int
    let width: Int
    let outputDim: Int
    /// The patch convolution as a product: `[width, 3·patch·patch]` (PyTorch's flattening of `conv1.weight`).
    let patchEmbedding: LinearWeights
    let classEmbedding: [Float]
    let positionalEmbedding: [Float]
    let lnPre: LayerNormLayer
    let transformer: Transformer
    let projection: LinearWeights

    init(_ reader: TensorReader, config: VisionConfig, patchSize: Int, embedDim: Int,
         activation: MLPActivation) throws(CLIPError) {
        imageSize = config.imageSize
        self.patchSize = patchSize
        width = config.width
        outputDim = embedDim
        let patchValues = 3 * patchSize * patchSize
        patchEmbedding = LinearWeights(
            inFeatures: patchValues, outFeatures: width,
            weight: try reader.read("visual.conv1.weight", shape: [width, 3, patchSize, patchSize],
                                    role: .weight(fanIn: patchValues)),
            bias: nil)
        let scale = 1 / Float(width).squareRoot()
        classEmbedding = try reader.read("visual.class_embedding", shape: [width], role: .embedding(scale: scale))
        let grid = imageSize / patchSize
        positionalEmbedding = try reader.read("visual.positional_embedding", shape: [grid * grid + 1, width],
                                              role: .embedding(scale: scale))
        lnPre = try LayerNormLayer(reader, "visual.ln_pre", width: width)
        transformer = try Transformer(reader, blockPrefix: "visual.transformer.resblocks", finalNormName: "visual.ln_post",
                                      width: width, heads: width / config.headWidth, layers: config.depth,
                                      mlpWidth: config.mlpWidth, activation: activation)
        let proj = try reader.read("visual.proj", shape: [width, embedDim], role: .weight(fanIn: width))
        projection = LinearWeights(rightMultiplied: proj, inFeatures: width, outFeatures: embedDim)
    }

    var grid: Int { imageSize / patchSize }
    var tokensPerImage: Int { grid * grid + 1 }

    /// Encodes `count` NCHW images at `pixels` into `out` (`[count, outputDim]`).
    func encode(_ pixels: UnsafePointer<Float>, count: Int, into out: UnsafeMutablePointer<Float>,
                workspace: VisionWorkspace, recorder: ActivationRecorder?) {
        let scratch = workspace.transformer
        let patches = grid * grid, tokens = tokensPerImage
        let sequences = TokenSequences(count: count, length: tokens)
        let patchRows = scratch.hidden.reserve(count * patches * patchEmbedding.inFeatures)
        gatherPatches(pixels, count: count, into: patchRows)
        let embedded = scratch.context.reserve(count * patches * width)
        patchEmbedding.forward(patchRows, rows: count * patches, into: embedded)
        recorder?.recordFeatureMap("visual.conv1", embedded, batch: count, height: grid, width: grid, channels: width)

        let x = workspace.tokens.reserve(count * tokens * width)
        positionalEmbedding.withUnsafeBufferPointer { pos in
            classEmbedding.withUnsafeBufferPointer { cls in
                for n in 0..<count {
                    let image = x + n * tokens * width
                    image.update(from: cls.baseAddress!, count: width)
                    (image + width).update(from: embedded + n * patches * width, count: patches * width)
                    Elementwise.add(pos.baseAddress!, into: image, count: tokens * width)
                }
            }
        }
        recorder?.record("visual.tokens", shape: [count, tokens, width], from: x)
        lnPre.forward(x, rows: count * tokens, into: x)
        recorder?.record("visual.ln_pre", shape: [count, tokens, width], from: x)

        let pooled = scratch.pooled.reserve(count * width)
        transformer.encodePooled(x, sequences: sequences, positions: [Int](repeating: 0, count: count), causal: false,
                                 into: pooled, scratch: scratch, recorder: recorder)
        recorder?.record("visual.pooled", shape: [count, width], from: pooled)
        projection.forward(pooled, rows: count, into: out)
    }

    /// Copies each patch of each image into one row of `3·patch·patch` values ordered (channel, y, x),
    /// patches row-major over the grid, as PyTorch's strided convolution sees them.
    private func gatherPatches(_ pixels: UnsafePointer<Float>, count: Int, into rows: UnsafeMutablePointer<Float>) {
        let p = patchSize, size = imageSize, g = grid
        var dst = rows
        for n in 0..<count {
            let image = pixels + n * 3 * size * size
            for gy in 0..<g {
                for gx in 0..<g {
                    for c in 0..<3 {
                        for y in 0..<p {
                            dst.update(from: image + (c * size + gy * p + y) * size + gx * p, count: p)
                            dst += p
                        }
                    }
                }
            }
        }
    }
}
