import Foundation
import Imaging

/// What a model tensor is, which also says how `SyntheticWeights` initialises it.
public enum TensorRole: Sendable, Equatable {
    /// A convolution or linear weight whose outputs sum `fanIn` products.
    case weight(fanIn: Int)
    /// An additive bias of a linear layer.
    case bias
    /// The multiplier of a layer norm or batch norm.
    case normScale
    /// The offset of a layer norm or batch norm.
    case normShift
    /// A batch norm's running mean.
    case runningMean
    /// A batch norm's running variance (positive).
    case runningVariance
    /// A learned embedding table or vector with typical entries of size `scale`.
    case embedding(scale: Float)
    /// The logit scale, in log space.
    case logitScale
}

/// How a ResNet image tower computes its convolutions.
public enum ConvolutionPolicy: Sendable, Equatable {
    /// Winograd F(4×4, 3×3) or F(2×2, 3×3) for every 3×3 stride-1 layer, im2col + GEMM elsewhere
    /// (about 2.5× faster on those layers; each adds a relative error around 1e-6, see `Winograd`).
    case fastest
    /// im2col + GEMM everywhere: rounding as close to PyTorch's direct convolution as float32 allows.
    case direct
}

/// One tensor a model reads: name, shape and role.
public struct TensorSpec: Sendable, Equatable {
    /// Name, shape and element type (always float32 here).
    public var info: TensorInfo
    /// What the tensor is.
    public var role: TensorRole

    /// A spec from a tensor's name, shape and type, and its role.
    public init(info: TensorInfo, role: TensorRole) {
        self.info = info
        self.role = role
    }
}

/// Reads the tensors a model is built from, and remembers what was asked for.
///
/// The model builders are the one place that knows every key and shape. Reading through this type
/// checks each tensor against the checkpoint (missing key, or a shape that differs, names the key and
/// both shapes). In layout mode nothing is read: each request is recorded and answered with zeros,
/// which is how `CLIPModel.tensorLayout(for:)` lists a configuration's tensors without a checkpoint.
final class TensorReader {
    private let source: (any WeightSource)?
    /// Every tensor requested so far, in order.
    private(set) var specs: [TensorSpec] = []
    /// How the convolutions being built will be computed.
    let convolutions: ConvolutionPolicy

    /// A reader of `source`.
    init(_ source: any WeightSource, convolutions: ConvolutionPolicy = .fastest) {
        self.source = source
        self.convolutions = convolutions
    }

    /// A reader that only records requests (layout mode).
    init() {
        self.source = nil
        self.convolutions = .direct  // nothing is computed; skip the Winograd weight transforms
    }

    /// Largest tensor built without a checkpoint (layout mode, synthetic weights): 2^31 floats (8 GiB).
    /// A checkpoint bounds its own tensors; a configuration alone does not.
    static let maximumUncheckedElements = 1 << 31

    /// The float32 values of `name`, which must have `shape`.
    func read(_ name: String, shape: [Int], role: TensorRole) throws(CLIPError) -> [Float] {
        specs.append(TensorSpec(info: TensorInfo(name: name, dtype: .float32, shape: shape), role: role))
        var count = 1
        for dimension in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow, dimension >= 0 else { count = Int.max; break }
            count = product
        }
        if source == nil || source is SyntheticWeights {
            guard count <= Self.maximumUncheckedElements else {
                throw CLIPError(.invalidInput, "tensor '\(name)' of shape \(shape) is too large to build without a checkpoint",
                                location: name)
            }
        }
        guard let source else {
            return [Float](repeating: 0, count: count)
        }
        if let synthetic = source as? SyntheticWeights {
            return synthetic.values(name: name, shape: shape, role: role)
        }
        let values = try source.floats(name, shape: shape)
        guard values.count == count else {
            throw CLIPError(.invalidInput, "tensor '\(name)' gave \(values.count) values for shape \(shape)", location: name)
        }
        return values
    }

    /// Like `read`, but also accepts the shapes in `alternatives` (e.g. a scalar stored as `[1]`).
    func read(_ name: String, shapes: [[Int]], role: TensorRole) throws(CLIPError) -> [Float] {
        if let source, !(source is SyntheticWeights), let info = source.info(name),
           let match = shapes.first(where: { $0 == info.shape }) {
            return try read(name, shape: match, role: role)
        }
        return try read(name, shape: shapes[0], role: role)
    }
}

/// Deterministic random weights for any model configuration: no checkpoint needed.
///
/// For benchmarks and tests of configurations without a checkpoint. Values follow each tensor's
/// role: weights ~ N(0, 1/fanIn), biases ~ N(0, 0.02²), norm scales ~ U(0.5, 1.5), norm offsets and
/// running means ~ N(0, 0.1²), running variances ~ U(0.5, 1.5), embeddings ~ N(0, scale²), logit
/// scale ln(1/0.07). These keep activations of order one through deep stacks (no overflow and no
/// denormals, which would slow the CPU down). A tensor's values depend only on its name, shape and
/// the seed, never on the order in which they are asked for.
public struct SyntheticWeights: WeightSource {
    /// The tensors this source answers for.
    public let layout: [TensorSpec]
    /// Base seed; different seeds give independent models.
    public let seed: UInt64
    private let specsByName: [String: TensorSpec]

    /// A source for `layout` (as from `CLIPModel.tensorLayout(for:)`).
    public init(layout: [TensorSpec], seed: UInt64 = 0) {
        self.layout = layout
        self.seed = seed
        var byName: [String: TensorSpec] = [:]
        for spec in layout { byName[spec.info.name] = spec }
        specsByName = byName
    }

    /// Every tensor of the layout, sorted.
    public var names: [String] { specsByName.keys.sorted() }

    /// Shape and type of `name` in the layout, or nil.
    public func info(_ name: String) -> TensorInfo? { specsByName[name]?.info }

    /// The synthetic values of `name`; throws `CLIPError` naming it if the layout has no such tensor.
    public func floats(_ name: String) throws(CLIPError) -> [Float] {
        guard let spec = specsByName[name] else {
            throw CLIPError(.invalidInput, "synthetic weights have no tensor '\(name)'", location: name)
        }
        return values(name: name, shape: spec.info.shape, role: spec.role)
    }

    /// The values for `name` with `shape`, drawn according to `role`.
    func values(name: String, shape: [Int], role: TensorRole) -> [Float] {
        var generator = SplitMix64(seed: seed ^ Self.hash(name))
        let count = shape.reduce(1, *)
        switch role {
        case .weight(let fanIn):
            let std = 1 / Float(max(fanIn, 1)).squareRoot()
            return (0..<count).map { _ in generator.normal() * std }
        case .bias: return (0..<count).map { _ in generator.normal() * 0.02 }
        case .normScale, .runningVariance: return (0..<count).map { _ in 0.5 + generator.uniform() }
        case .normShift, .runningMean: return (0..<count).map { _ in generator.normal() * 0.1 }
        case .embedding(let scale): return (0..<count).map { _ in generator.normal() * scale }
        case .logitScale: return [Float](repeating: Float(log(1 / 0.07)), count: count)
        }
    }

    /// FNV-1a of the UTF-8 name: stable across runs and platforms (unlike `Hasher`).
    private static func hash(_ name: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in name.utf8 {
            h ^= UInt64(byte)
            h = h &* 0x0000_0100_0000_01B3
        }
        return h
    }
}

extension SplitMix64 {
    /// Uniform in [0, 1) from the top 53 bits of the next output (synthetic weights).
    mutating func uniform() -> Float {
        Float(Double(next() >> 11) / Double(1 << 53))
    }

    /// Standard normal from two outputs (Box–Muller in Double; synthetic weights).
    mutating func normal() -> Float {
        let u1 = max(Double(next() >> 11) / Double(1 << 53), 1e-300)
        let u2 = Double(next() >> 11) / Double(1 << 53)
        return Float((-2 * log(u1)).squareRoot() * cos(2 * .pi * u2))
    }
}
