/// The non-linearity between the two linear layers of a transformer MLP.
public enum MLPActivation: String, Sendable, Equatable, CaseIterable {
    /// Exact GELU, `x · Φ(x)` (PyTorch `nn.GELU()` without the tanh approximation).
    case gelu
    /// QuickGELU, `x · σ(1.702 x)` (OpenAI's CLIP weights were trained with it).
    case quickGELU
}

/// Element-wise kernels on float buffers: activations, residual adds, per-channel affine maps.
public enum Elementwise {
    /// Applies `activation` to `count` floats in place.
    public static func apply(_ activation: MLPActivation, to x: UnsafeMutablePointer<Float>, count: Int) {
        switch activation {
        case .gelu: VectorMath.map(x, count: count, VectorMath.gelu)
        case .quickGELU: VectorMath.map(x, count: count, VectorMath.quickGELU)
        }
    }

    /// `x = max(x, 0)` on `count` floats in place.
    public static func relu(_ x: UnsafeMutablePointer<Float>, count: Int) {
        let zero = VectorMath.Vector(repeating: 0)
        VectorMath.map(x, count: count) { $0.replacing(with: zero, where: $0 .< zero) }
    }

    /// `x += y` on `count` floats.
    public static func add(_ y: UnsafePointer<Float>, into x: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 8 <= count {
            VectorMath.store(VectorMath.load(x + i) + VectorMath.load(y + i), x + i)
            i += 8
        }
        while i < count {
            x[i] += y[i]
            i += 1
        }
    }

    /// Per-channel affine map on channel-last rows, optionally plus a residual and a ReLU.
    ///
    /// For each of `rows` rows of `channels` values: `out = x · scale[c] + shift[c]`, then
    /// `+ residual` (same layout as `x`) if given, then `max(·, 0)` if `relu`. This is a folded batch
    /// norm (see `ChannelAffine`) applied as the epilogue of a convolution. `out` may equal `x`.
    public static func channelAffine(
        _ x: UnsafePointer<Float>, rows: Int, channels: Int,
        scale: UnsafePointer<Float>, shift: UnsafePointer<Float>,
        residual: UnsafePointer<Float>? = nil, relu: Bool,
        into out: UnsafeMutablePointer<Float>
    ) {
        let zero = VectorMath.Vector(repeating: 0)
        for row in 0..<rows {
            let base = row * channels
            var c = 0
            while c + 8 <= channels {
                var v = VectorMath.load(x + base + c) * VectorMath.load(scale + c) + VectorMath.load(shift + c)
                if let residual { v += VectorMath.load(residual + base + c) }
                if relu { v = v.replacing(with: zero, where: v .< zero) }
                VectorMath.store(v, out + base + c)
                c += 8
            }
            while c < channels {
                var v = x[base + c] * scale[c] + shift[c]
                if let residual { v += residual[base + c] }
                if relu { v = max(v, 0) }
                out[base + c] = v
                c += 1
            }
        }
    }

    /// Adds `bias` (`width` values) to each of `rows` rows of `x` in place.
    public static func addRowBias(_ bias: UnsafePointer<Float>, to x: UnsafeMutablePointer<Float>, rows: Int, width: Int) {
        for row in 0..<rows { add(bias, into: x + row * width, count: width) }
    }

    /// Copies `bias` (`width` values) into each of `rows` rows of `x` (stride `stride` ≥ `width`).
    public static func fillRows(_ x: UnsafeMutablePointer<Float>, rows: Int, width: Int, stride: Int, with bias: UnsafePointer<Float>) {
        for row in 0..<rows { (x + row * stride).update(from: bias, count: width) }
    }
}

/// A batch norm in inference mode, folded at load time into one scale and shift per channel.
///
/// `y = (x − mean) / sqrt(var + eps) · weight + bias` becomes `y = x · scale + shift` with
/// `scale = weight / sqrt(var + eps)` and `shift = bias − mean · scale`; computed in double precision
/// and rounded once. It runs as the epilogue of the preceding convolution (`Elementwise.channelAffine`),
/// so no separate batch-norm pass remains and the convolution's raw output stays observable.
public struct ChannelAffine: Sendable, Equatable {
    /// Multiplier per channel.
    public let scale: [Float]
    /// Offset per channel, added after the multiplication.
    public let shift: [Float]

    /// An affine map from explicit per-channel values (equal counts).
    public init(scale: [Float], shift: [Float]) {
        precondition(scale.count == shift.count, "ChannelAffine: \(scale.count) scales, \(shift.count) shifts")
        self.scale = scale
        self.shift = shift
    }

    /// Folds batch-norm parameters (all of one length) with `epsilon` (PyTorch's default 1e-5).
    public init(batchNormWeight weight: [Float], bias: [Float], runningMean mean: [Float],
                runningVariance variance: [Float], epsilon: Double = 1e-5) {
        precondition(weight.count == bias.count && bias.count == mean.count && mean.count == variance.count,
                     "ChannelAffine: batch-norm parameters of different lengths")
        var scale = [Float](repeating: 0, count: weight.count)
        var shift = [Float](repeating: 0, count: weight.count)
        for c in 0..<weight.count {
            let s = Double(weight[c]) / (Double(variance[c]) + epsilon).squareRoot()
            scale[c] = Float(s)
            shift[c] = Float(Double(bias[c]) - Double(mean[c]) * s)
        }
        self.init(scale: scale, shift: shift)
    }

    /// Number of channels.
    public var channels: Int { scale.count }
}
