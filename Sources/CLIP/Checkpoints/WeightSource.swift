/// The element type of a stored tensor, as checkpoint formats name it.
public enum TensorDType: String, Sendable, Equatable, CaseIterable {
    /// IEEE 754 binary32.
    case float32 = "F32"
    /// IEEE 754 binary16.
    case float16 = "F16"
    /// bfloat16 (the top half of a binary32).
    case bfloat16 = "BF16"
    /// IEEE 754 binary64.
    case float64 = "F64"
    /// Signed 64-bit integer.
    case int64 = "I64"
    /// Signed 32-bit integer.
    case int32 = "I32"
    /// Signed 16-bit integer.
    case int16 = "I16"
    /// Signed 8-bit integer.
    case int8 = "I8"
    /// Unsigned 8-bit integer.
    case uint8 = "U8"
    /// Boolean, one byte (0 or 1).
    case bool = "BOOL"

    /// Bytes per element.
    public var byteWidth: Int {
        switch self {
        case .float64, .int64: return 8
        case .float32, .int32: return 4
        case .float16, .bfloat16, .int16: return 2
        case .int8, .uint8, .bool: return 1
        }
    }

    /// Whether the values are floating point (convertible to float32 weights).
    public var isFloatingPoint: Bool {
        switch self {
        case .float32, .float16, .bfloat16, .float64: return true
        default: return false
        }
    }
}

/// What a checkpoint says about one tensor, before its data is read.
public struct TensorInfo: Sendable, Equatable {
    /// The key as the model code asks for it (open_clip / OpenAI layout, e.g. `visual.conv1.weight`).
    public var name: String
    /// Element type as stored.
    public var dtype: TensorDType
    /// Shape as stored (an empty array for a 0-dimensional scalar).
    public var shape: [Int]

    /// What a checkpoint says about the tensor `name`.
    public init(name: String, dtype: TensorDType, shape: [Int]) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
    }

    /// Number of elements (1 for a scalar).
    public var elementCount: Int { shape.reduce(1, *) }
}

/// A read-only set of named tensors from a checkpoint, in the open_clip key layout.
///
/// Implementations: safetensors files, PyTorchCheckpoint, and adapters that rename another
/// layout (Hugging Face `CLIPModel`, CLOOB, a `module.` prefix) into open_clip names
/// (`LayoutAdapter`). Model code only ever sees this protocol. Implementations validate sizes and
/// offsets before reading anything.
public protocol WeightSource: Sendable {
    /// Every tensor name available, sorted.
    var names: [String] { get }
    /// Shape and type of `name`, or nil if absent.
    func info(_ name: String) -> TensorInfo?
    /// The values of `name` converted to float32 (from F32, F16, BF16 or F64), row-major.
    ///
    /// - Throws: `CLIPError` naming the key when it is missing or not floating point.
    func floats(_ name: String) throws(CLIPError) -> [Float]
    /// The file the tensors come from, for error messages (nil for in-memory sources).
    var sourcePath: String? { get }
}

extension WeightSource {
    /// The file the tensors come from; nil unless the source says otherwise.
    public var sourcePath: String? { nil }

    /// The values of `name`, checked against `shape`.
    ///
    /// - Throws: `CLIPError` naming the file, the key and both shapes when they differ, or when the
    ///   key is missing.
    public func floats(_ name: String, shape expected: [Int]) throws(CLIPError) -> [Float] {
        guard let info = info(name) else {
            throw CLIPError(.invalidInput, "checkpoint has no tensor '\(name)' (the model expects shape \(expected))",
                            path: sourcePath, location: name)
        }
        guard info.shape == expected else {
            throw CLIPError(.invalidInput,
                            "tensor '\(name)' has shape \(info.shape), the model expects \(expected)",
                            path: sourcePath, location: name)
        }
        return try floats(name)
    }

    /// Whether `name` is present.
    public func contains(_ name: String) -> Bool { info(name) != nil }
}
