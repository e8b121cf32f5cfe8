import Tensors

/// open_clip's `Bottleneck` (expansion 4) with average-pool downsampling.
///
/// `conv1 1×1 → bn1 → relu → conv2 3×3 → bn2 → relu → avgpool(stride) → conv3 1×1 → bn3`, plus the
/// shortcut (`avgpool(stride) → 1×1 conv → bn` when the stride or the width changes), then ReLU.
struct Bottleneck: Sendable {
    let stride: Int
    let conv1: ConvBatchNorm
    let conv2: ConvBatchNorm
    let conv3: ConvBatchNorm
    let downsample: ConvBatchNorm?

    init(_ reader: TensorReader, _ prefix: String, inPlanes: Int, planes: Int, stride: Int) throws(CLIPError) {
        self.stride = stride
        conv1 = try ConvBatchNorm(reader, conv: prefix + ".conv1", norm: prefix + ".bn1",
                                  shape: ConvolutionShape(inChannels: inPlanes, outChannels: planes, kernel: 1))
        conv2 = try ConvBatchNorm(reader, conv: prefix + ".conv2", norm: prefix + ".bn2",
                                  shape: ConvolutionShape(inChannels: planes, outChannels: planes, kernel: 3, padding: 1))
        conv3 = try ConvBatchNorm(reader, conv: prefix + ".conv3", norm: prefix + ".bn3",
                                  shape: ConvolutionShape(inChannels: planes, outChannels: planes * 4, kernel: 1))
        if stride > 1 || inPlanes != planes * 4 {
            downsample = try ConvBatchNorm(reader, conv: prefix + ".downsample.0", norm: prefix + ".downsample.1",
                                           shape: ConvolutionShape(inChannels: inPlanes, outChannels: planes * 4, kernel: 1))
        } else {
            downsample = nil
        }
    }

    var outChannels: Int { conv3.shape.outChannels }

    /// Runs the block on `[batch, height, width, in]` at `x` into `out`; returns the output height and width.
    func forward(_ x: UnsafePointer<Float>, batch: Int, height: Int, width: Int, into out: UnsafeMutablePointer<Float>,
                 workspace: VisionWorkspace, recorder: ActivationRecorder?, name: String) -> (Int, Int) {
        let planes = conv1.shape.outChannels
        let pixels = batch * height * width
        let a = workspace.branchA.reserve(pixels * planes)
        let b = workspace.branchB.reserve(pixels * planes)
        conv1.forward(x, batch: batch, height: height, width: width, into: a, relu: true, scratch: workspace.im2col,
                      recorder: recorder, names: .init(conv: name + ".conv1", norm: name + ".bn1", activation: name + ".act1"))
        conv2.forward(a, batch: batch, height: height, width: width, into: b, relu: true, scratch: workspace.im2col,
                      recorder: recorder, names: .init(conv: name + ".conv2", norm: name + ".bn2", activation: name + ".act2"))
        let (oh, ow) = (height / stride, width / stride)
        var pooled = UnsafePointer(b)
        if stride > 1 {
            Pooling.average(b, batch: batch, height: height, width: width, channels: planes, kernel: stride, into: a)
            recorder?.recordFeatureMap(name + ".avgpool", a, batch: batch, height: oh, width: ow, channels: planes)
            pooled = UnsafePointer(a)
        }
        var identity = x
        if let downsample {
            var source = x
            if stride > 1 {
                let shrunk = workspace.shortcutInput.reserve(batch * oh * ow * downsample.shape.inChannels)
                Pooling.average(x, batch: batch, height: height, width: width, channels: downsample.shape.inChannels,
                                kernel: stride, into: shrunk)
                source = UnsafePointer(shrunk)
            }
            let shortcut = workspace.shortcut.reserve(batch * oh * ow * outChannels)
            downsample.forward(source, batch: batch, height: oh, width: ow, into: shortcut, relu: false,
                               scratch: workspace.im2col, recorder: recorder, names: .init(activation: name + ".downsample"))
            identity = UnsafePointer(shortcut)
        }
        conv3.forward(pooled, batch: batch, height: oh, width: ow, into: out, relu: true, residual: identity,
                      scratch: workspace.im2col, recorder: recorder, names: .init(norm: name + ".bn3", activation: name))
        return (oh, ow)
    }
}

/// open_clip's `AttentionPool2d`: multi-head attention of the mean token over `[mean; pixels]`.
///
/// Only the mean token's output is used, so only its query is computed.
struct AttentionPool: Sendable {
    let channels: Int
    let heads: Int
    let positionalEmbedding: [Float]
    let query: LinearWeights
    /// `k_proj` and `v_proj` stacked: one product gives both.
    let keyValue: LinearWeights
    let output: LinearWeights

    init(_ reader: TensorReader, spatial: Int, channels: Int, heads: Int, outputDim: Int) throws(CLIPError) {
        self.channels = channels
        self.heads = heads
        positionalEmbedding = try reader.read("visual.attnpool.positional_embedding", shape: [spatial * spatial + 1, channels],
                                              role: .embedding(scale: 1 / Float(channels).squareRoot()))
        query = try LinearWeights(reader, "visual.attnpool.q_proj", inFeatures: channels, outFeatures: channels)
        let key = try LinearWeights(reader, "visual.attnpool.k_proj", inFeatures: channels, outFeatures: channels)
        let value = try LinearWeights(reader, "visual.attnpool.v_proj", inFeatures: channels, outFeatures: channels)
        keyValue = LinearWeights(inFeatures: channels, outFeatures: 2 * channels, weight: key.weight + value.weight,
                                 bias: key.bias! + value.bias!)
        output = try LinearWeights(reader, "visual.attnpool.c_proj", inFeatures: channels, outFeatures: outputDim)
    }

    /// Pools `[batch, positions, channels]` feature rows at `x` into `[batch, outputDim]` at `out`.
    func forward(_ x: UnsafePointer<Float>, batch: Int, positions: Int, into out: UnsafeMutablePointer<Float>,
                 workspace: VisionWorkspace, recorder: ActivationRecorder?) {
        let tokens = positions + 1
        let sequence = workspace.branchA.reserve(batch * tokens * channels)
        for n in 0..<batch {
            let image = sequence + n * tokens * channels
            Pooling.mean(x + n * positions * channels, batch: 1, positions: positions, channels: channels, into: image)
            (image + channels).update(from: x + n * positions * channels, count: positions * channels)
            positionalEmbedding.withUnsafeBufferPointer {
                Elementwise.add($0.baseAddress!, into: image, count: tokens * channels)
            }
        }
        recorder?.record("visual.attnpool.tokens", shape: [batch, tokens, channels], from: sequence)
        let kv = workspace.branchB.reserve(batch * tokens * 2 * channels)
        keyValue.forward(sequence, rows: batch * tokens, into: kv)
        let q = workspace.shortcut.reserve(batch * channels)
        query.forward(sequence, rows: batch, inStride: tokens * channels, into: q)  // the mean token of each image
        let context = workspace.shortcutInput.reserve(batch * channels)
        let scores = workspace.im2col.reserve(tokens)
        var probabilities: [Float] = recorder == nil ? [] : [Float](repeating: 0, count: batch * heads * tokens)
        probabilities.withUnsafeMutableBufferPointer { probs in
            for n in 0..<batch {
                Attention.forward(q: MatrixView(q + n * channels, stride: channels),
                                  k: MatrixView(kv + n * tokens * 2 * channels, stride: 2 * channels),
                                  v: MatrixView(kv + n * tokens * 2 * channels + channels, stride: 2 * channels),
                                  queries: 1, keys: tokens, heads: heads, headDim: channels / heads,
                                  into: context + n * channels, outStride: channels, scores: scores,
                                  probabilities: recorder == nil ? nil : probs.baseAddress! + n * heads * tokens)
            }
        }
        recorder?.record("visual.attnpool.attn_probs", Tensor(shape: [batch, heads, tokens], values: probabilities))
        output.forward(context, rows: batch, into: out)
        recorder?.record("visual.attnpool", shape: [batch, output.outFeatures], from: out)
    }
}

/// open_clip's `ModifiedResNet` image tower: three-conv stem with average pool, four stages of
/// bottlenecks, attention pooling. Runs channel-last internally.
struct ModifiedResNet: Sendable {
    let imageSize: Int
    let width: Int
    let outputDim: Int
    let stem: [ConvBatchNorm]
    let stages: [[Bottleneck]]
    let attentionPool: AttentionPool

    init(_ reader: TensorReader, config: VisionConfig, blocks: [Int], embedDim: Int) throws(CLIPError) {
        imageSize = config.imageSize
        width = config.width
        outputDim = embedDim
        let half = width / 2
        stem = [
            try ConvBatchNorm(reader, conv: "visual.conv1", norm: "visual.bn1",
                              shape: ConvolutionShape(inChannels: 3, outChannels: half, kernel: 3, stride: 2, padding: 1)),
            try ConvBatchNorm(reader, conv: "visual.conv2", norm: "visual.bn2",
                              shape: ConvolutionShape(inChannels: half, outChannels: half, kernel: 3, padding: 1)),
            try ConvBatchNorm(reader, conv: "visual.conv3", norm: "visual.bn3",
                              shape: ConvolutionShape(inChannels: half, outChannels: width, kernel: 3, padding: 1)),
        ]
        var inPlanes = width
        var stages: [[Bottleneck]] = []
        for (index, count) in blocks.enumerated() {
            let planes = width << index
            var stage: [Bottleneck] = []
            for b in 0..<count {
                stage.append(try Bottleneck(reader, "visual.layer\(index + 1).\(b)", inPlanes: inPlanes, planes: planes,
                                            stride: b == 0 && index > 0 ? 2 : 1))
                inPlanes = planes * 4
            }
            stages.append(stage)
        }
        self.stages = stages
        let channels = width * 32
        attentionPool = try AttentionPool(reader, spatial: imageSize / 32, channels: channels,
                                          heads: channels / config.headWidth, outputDim: embedDim)
    }

    /// The feature-map side length after the stem and the four stages, for an input of `imageSize`.
    static func finalGridSize(imageSize: Int) -> Int {
        var size = (imageSize + 1) / 2  // stem conv1: 3×3, stride 2, padding 1
        size /= 2                        // stem average pool
        for _ in 0..<3 { size /= 2 }     // stages 2–4
        return size
    }

    /// Encodes `count` NCHW images at `pixels` into `out` (`[count, outputDim]`).
    func encode(_ pixels: UnsafePointer<Float>, count: Int, into out: UnsafeMutablePointer<Float>,
                workspace: VisionWorkspace, recorder: ActivationRecorder?) {
        var current = workspace.mapA, next = workspace.mapB
        var (h, w) = (imageSize, imageSize)
        var x = current.reserve(count * h * w * 3)
        Layout.nchwToNHWC(pixels, batch: count, channels: 3, height: h, width: w, into: x)
        for (i, layer) in stem.enumerated() {
            let oh = layer.shape.outputSize(h), ow = layer.shape.outputSize(w)
            let y = next.reserve(count * oh * ow * layer.shape.outChannels)
            layer.forward(x, batch: count, height: h, width: w, into: y, relu: true, scratch: workspace.im2col,
                          recorder: recorder, names: .init(conv: "visual.conv\(i + 1)", norm: "visual.bn\(i + 1)",
                                                           activation: "visual.act\(i + 1)"))
            (h, w) = (oh, ow)
            swap(&current, &next)
            x = current.reserve(0)
        }
        let pooled = next.reserve(count * (h / 2) * (w / 2) * width)
        Pooling.average(x, batch: count, height: h, width: w, channels: width, kernel: 2, into: pooled)
        (h, w) = (h / 2, w / 2)
        recorder?.recordFeatureMap("visual.avgpool", pooled, batch: count, height: h, width: w, channels: width)
        swap(&current, &next)
        x = pooled
        for (s, stage) in stages.enumerated() {
            for (b, block) in stage.enumerated() {
                let y = next.reserve(count * (h / block.stride) * (w / block.stride) * block.outChannels)
                (h, w) = block.forward(x, batch: count, height: h, width: w, into: y, workspace: workspace,
                                       recorder: recorder, name: "visual.layer\(s + 1).\(b)")
                swap(&current, &next)
                x = y
            }
        }
        attentionPool.forward(x, batch: count, positions: h * w, into: out, workspace: workspace, recorder: recorder)
    }
}

/// One thread's temporaries for an image tower (reused across layers and chunks).
final class VisionWorkspace {
    /// Ping-pong feature maps between layers (ResNet).
    let mapA = ScratchBuffer()
    let mapB = ScratchBuffer()
    /// Inside a bottleneck: the two 'planes'-wide maps.
    let branchA = ScratchBuffer()
    let branchB = ScratchBuffer()
    /// The shortcut branch and its pooled input.
    let shortcut = ScratchBuffer()
    let shortcutInput = ScratchBuffer()
    /// im2col blocks.
    let im2col = ScratchBuffer()
    /// Token matrix (ViT).
    let tokens = ScratchBuffer()
    /// Transformer temporaries (ViT).
    let transformer = TransformerScratch()
}
