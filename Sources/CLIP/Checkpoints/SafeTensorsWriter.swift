import Imaging

/// Builds a safetensors file from float32 and int64 tensors plus string metadata, and writes it atomically.
///
/// The output is what `SafeTensorsFile` (and the reference `safetensors` library) reads: an 8-byte
/// little-endian header length, a JSON header padded with spaces to a multiple of 8 bytes, then the
/// little-endian tensor data. Tensors are laid out in the order of their names (byte order of the
/// UTF-8), the header keys are sorted and `__metadata__` comes first, so the same tensors and
/// metadata always give the same bytes. A scalar has shape `[]`; a dimension may be 0 (no data).
public struct SafeTensorsWriter: Sendable {
    /// Free-form string metadata, stored under `__metadata__` (omitted when empty).
    public var metadata: [String: String]
    private var tensors: [String: Tensor] = [:]

    private struct Tensor: Sendable {
        var dtype: TensorDType
        var shape: [Int]
        var bytes: [UInt8]
    }

    /// An empty file with `metadata`.
    public init(metadata: [String: String] = [:]) {
        self.metadata = metadata
    }

    /// Names of the tensors added so far, in file order.
    public var names: [String] { tensors.keys.sorted(by: Self.fileOrder) }

    /// Adds a float32 tensor of `shape` holding `values` row-major.
    ///
    /// - Throws: `CLIPError` (`invalidArgument`) when the name is empty, reserved (`__metadata__`)
    ///   or already used, a dimension is negative, or `values.count` is not the shape's element count.
    public mutating func add(_ name: String, float32 values: [Float], shape: [Int]) throws(CLIPError) {
        try check(name, shape: shape, count: values.count)
        var bytes = [UInt8]()
        bytes.reserveCapacity(values.count * 4)
        for value in values { Self.appendLittleEndian(value.bitPattern, to: &bytes) }
        tensors[name] = Tensor(dtype: .float32, shape: shape, bytes: bytes)
    }

    /// Adds an int64 tensor of `shape` holding `values` row-major (e.g. token ids or row indices).
    ///
    /// - Throws: `CLIPError` (`invalidArgument`) as `add(_:float32:shape:)`.
    public mutating func add(_ name: String, int64 values: [Int64], shape: [Int]) throws(CLIPError) {
        try check(name, shape: shape, count: values.count)
        var bytes = [UInt8]()
        bytes.reserveCapacity(values.count * 8)
        for value in values { Self.appendLittleEndian(UInt64(bitPattern: value), to: &bytes) }
        tensors[name] = Tensor(dtype: .int64, shape: shape, bytes: bytes)
    }

    /// The complete file contents.
    public func serialized() -> [UInt8] {
        var entries: [String] = []
        if !metadata.isEmpty {
            let fields = metadata.keys.sorted(by: Self.fileOrder).map { key in
                Self.jsonString(key) + ":" + Self.jsonString(metadata[key] ?? "")
            }
            entries.append("\"__metadata__\":{" + fields.joined(separator: ",") + "}")
        }
        var offset = 0
        for name in names {
            guard let tensor = tensors[name] else { continue }
            let end = offset + tensor.bytes.count
            entries.append(Self.jsonString(name) + ":{\"dtype\":\"\(tensor.dtype.rawValue)\",\"shape\":["
                           + tensor.shape.map(String.init).joined(separator: ",") + "],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        var header = Array(("{" + entries.joined(separator: ",") + "}").utf8)
        while header.count % 8 != 0 { header.append(UInt8(ascii: " ")) }
        var out = [UInt8]()
        out.reserveCapacity(8 + header.count + offset)
        Self.appendLittleEndian(UInt64(header.count), to: &out)
        out += header
        for name in names { out += tensors[name]?.bytes ?? [] }
        return out
    }

    /// Writes the file to `path` atomically (a temporary file in the same folder, then a rename).
    ///
    /// - Throws: `CLIPError` (`io`) naming the file when it cannot be written; any previous file at
    ///   `path` is then unchanged.
    public func write(toPath path: String) throws(CLIPError) {
        do {
            try AtomicFile.write(serialized(), toPath: path)
        } catch {
            throw CLIPError(error)
        }
    }

    // MARK: Helpers

    private func check(_ name: String, shape: [Int], count: Int) throws(CLIPError) {
        guard !name.isEmpty, name != "__metadata__" else {
            throw CLIPError(.invalidArgument, "tensor name '\(name)' is empty or reserved")
        }
        guard tensors[name] == nil else {
            throw CLIPError(.invalidArgument, "tensor '\(name)' was already added", location: name)
        }
        guard let elements = TensorShape.elementCount(shape) else {
            throw CLIPError(.invalidArgument, "tensor '\(name)' has an invalid shape \(shape)", location: name)
        }
        guard elements == count else {
            throw CLIPError(.invalidArgument, "tensor '\(name)' has \(count) values, shape \(shape) needs \(elements)", location: name)
        }
    }

    /// Names ordered by their UTF-8 bytes (independent of locale and of Unicode normalisation).
    static func fileOrder(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    private static func appendLittleEndian<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        var v = value.littleEndian
        withUnsafeBytes(of: &v) { bytes.append(contentsOf: $0) }
    }

    /// `text` as a JSON string literal: quotes, backslashes and control characters escaped, the rest as UTF-8.
    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
