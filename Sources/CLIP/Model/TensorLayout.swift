import Foundation

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

/// One tensor a model reads: name, shape and role.
public struct TensorSpec: Sendable, Equatable {
    /// Name, shape and element type (always float32 here).
    public var info: TensorInfo
    /// What the tensor is.
    public var role: TensorRole

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

    /// A reader of `source`.
    init(_ source: any WeightSource) {
        self.source = source
    }

    /// A reader that only records requests (layout mode).
    init() {
        self.source = nil
    }

    /// The float32 values of `name`, which must have `shape`.
    func read(_ name: String, shape: [Int], role: TensorRole) throws(CLIPError) -> [Float] {
        specs.append(TensorSpec(info: TensorInfo(name: name, dtype: .float32, shape: shape), role: role))
        guard let source else {
            return [Float](repeating: 0, count: shape.reduce(1, *))
        }
        if let synthetic = source as? SyntheticWeights {
            return synthetic.values(name: name, shape: shape, role: role)
        }
        return try source.floats(name, shape: shape)
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

    public var names: [String] { specsByName.keys.sorted() }

    public func info(_ name: String) -> TensorInfo? { specsByName[name]?.info }

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

/// SplitMix64: a small, fast, well-mixed generator for reproducible synthetic values.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func uniform() -> Float {
        Float(Double(next() >> 11) / Double(1 << 53))
    }

    /// Standard normal (Box–Muller).
    mutating func normal() -> Float {
        let u1 = max(Double(next() >> 11) / Double(1 << 53), 1e-300)
        let u2 = Double(next() >> 11) / Double(1 << 53)
        return Float((-2 * log(u1)).squareRoot() * cos(2 * .pi * u2))
    }
}
