import Tensors

/// A layer norm's learned scale and offset (PyTorch `nn.LayerNorm`, epsilon 1e-5).
struct LayerNormLayer: Sendable {
    let weight: [Float]
    let bias: [Float]

    /// Reads `<prefix>.weight` and `<prefix>.bias`, each `[width]`.
    init(_ reader: TensorReader, _ prefix: String, width: Int) throws(CLIPError) {
        weight = try reader.read(prefix + ".weight", shape: [width], role: .normScale)
        bias = try reader.read(prefix + ".bias", shape: [width], role: .normShift)
    }

    var width: Int { weight.count }

    /// Normalises `rows` rows of `x` (`inStride` apart) into `out` (`outStride` apart); `out` may be `x`.
    func forward(_ x: UnsafePointer<Float>, rows: Int, inStride: Int? = nil,
                 into out: UnsafeMutablePointer<Float>, outStride: Int? = nil) {
        weight.withUnsafeBufferPointer { w in
            bias.withUnsafeBufferPointer { b in
                Normalization.layerNorm(x, rows: rows, width: width, stride: inStride,
                                        weight: w.baseAddress!, bias: b.baseAddress!,
                                        into: out, outStride: outStride)
            }
        }
    }
}

extension LinearWeights {
    /// Reads `<prefix>.weight` (`[out, in]`) and, if `bias`, `<prefix>.bias` (`[out]`).
    init(_ reader: TensorReader, _ prefix: String, inFeatures: Int, outFeatures: Int, bias: Bool = true) throws(CLIPError) {
        let weight = try reader.read(prefix + ".weight", shape: [outFeatures, inFeatures], role: .weight(fanIn: inFeatures))
        let biasValues = bias ? try reader.read(prefix + ".bias", shape: [outFeatures], role: .bias) : nil
        self.init(inFeatures: inFeatures, outFeatures: outFeatures, weight: weight, bias: biasValues)
    }

    /// A bias-free layer from a `[in, out]` matrix used as `x @ matrix` (open_clip's `proj`, `text_projection`).
    init(rightMultiplied matrix: [Float], inFeatures: Int, outFeatures: Int) {
        var transposed = [Float](repeating: 0, count: matrix.count)
        for i in 0..<inFeatures {
            for o in 0..<outFeatures { transposed[o * inFeatures + i] = matrix[i * outFeatures + o] }
        }
        self.init(inFeatures: inFeatures, outFeatures: outFeatures, weight: transposed, bias: nil)
    }
}

/// A bias-free convolution followed by a batch norm, folded into a per-channel epilogue at load time.
struct ConvBatchNorm: Sendable {
    let convolution: ConvolutionWeights
    let batchNorm: ChannelAffine

    /// Reads `<convName>.weight` and the batch norm `<normPrefix>.{weight,bias,running_mean,running_var}`.
    init(_ reader: TensorReader, conv convName: String, norm normPrefix: String, shape: ConvolutionShape) throws(CLIPError) {
        let weights = try reader.read(convName + ".weight", shape: shape.pytorchWeightShape,
                                      role: .weight(fanIn: shape.reduction))
        convolution = ConvolutionWeights(pytorch: weights, shape: shape)
        let c = [shape.outChannels]
        batchNorm = ChannelAffine(
            batchNormWeight: try reader.read(normPrefix + ".weight", shape: c, role: .normScale),
            bias: try reader.read(normPrefix + ".bias", shape: c, role: .normShift),
            runningMean: try reader.read(normPrefix + ".running_mean", shape: c, role: .runningMean),
            runningVariance: try reader.read(normPrefix + ".running_var", shape: c, role: .runningVariance))
    }

    var shape: ConvolutionShape { convolution.shape }

    /// Names under which `forward` records its stages; nil entries are not recorded.
    struct RecordNames {
        var conv: String? = nil
        var norm: String? = nil
        var activation: String? = nil
    }

    /// `out = [relu](batchNorm(conv(x)) [+ residual])` on channel-last maps; returns the output height and width.
    ///
    /// Without a recorder the batch norm, residual and ReLU run as one fused pass over the product.
    /// With one, they run one after another so each stage can be recorded (same arithmetic).
    @discardableResult
    func forward(_ x: UnsafePointer<Float>, batch: Int, height: Int, width: Int,
                 into out: UnsafeMutablePointer<Float>, relu: Bool, residual: UnsafePointer<Float>? = nil,
                 scratch: ScratchBuffer, recorder: ActivationRecorder? = nil, names: RecordNames = RecordNames()) -> (Int, Int) {
        Convolution.forward(x, batch: batch, height: height, width: width, weights: convolution, into: out, scratch: scratch)
        let oh = shape.outputSize(height), ow = shape.outputSize(width)
        let rows = batch * oh * ow, channels = shape.outChannels
        batchNorm.scale.withUnsafeBufferPointer { s in
            batchNorm.shift.withUnsafeBufferPointer { b in
                guard let recorder else {
                    Elementwise.channelAffine(out, rows: rows, channels: channels, scale: s.baseAddress!,
                                              shift: b.baseAddress!, residual: residual, relu: relu, into: out)
                    return
                }
                let record = { (name: String?) in
                    if let name { recorder.recordFeatureMap(name, out, batch: batch, height: oh, width: ow, channels: channels) }
                }
                record(names.conv)
                Elementwise.channelAffine(out, rows: rows, channels: channels, scale: s.baseAddress!,
                                          shift: b.baseAddress!, relu: false, into: out)
                record(names.norm)
                if let residual { Elementwise.add(residual, into: out, count: rows * channels) }
                if relu { Elementwise.relu(out, count: rows * channels) }
                record(names.activation)
            }
        }
        return (oh, ow)
    }
}
