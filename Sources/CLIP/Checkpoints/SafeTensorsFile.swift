import Foundation

/// A safetensors file, memory-mapped, with its header validated before any tensor is read.
///
/// Format: an 8-byte little-endian header length `N`, `N` bytes of JSON mapping each tensor name to
/// `{"dtype", "shape", "data_offsets": [begin, end]}` (offsets relative to the data that follows the
/// header), then the data. Checked on open: the header length fits the file and a 100 MB cap, the
/// JSON parses, every dtype is known, every shape is non-negative, and every tensor's byte range lies
/// inside the data and matches its shape × element width exactly (with overflow checks).
public struct SafeTensorsFile: WeightSource {
    /// Largest header accepted (bytes); real CLIP headers are well under 1 MB.
    public static let maximumHeaderBytes = 100 << 20

    /// The file as mapped.
    public let file: MappedFile
    /// Free-form string metadata stored under `__metadata__` (empty if none).
    public let metadata: [String: String]
    private let entries: [String: Entry]
    private let dataStart: Int

    private struct Entry: Sendable {
        var info: TensorInfo
        var byteRange: Range<Int>
    }

    /// Opens and validates `path`.
    ///
    /// - Throws: `CLIPError` naming the file and, where it applies, the tensor and the field.
    public init(path: String) throws(CLIPError) {
        try self.init(file: MappedFile(path: path))
    }

    /// Validates an already mapped file.
    public init(file: MappedFile) throws(CLIPError) {
        self.file = file
        let path = file.path
        guard file.count >= 8 else {
            throw CLIPError(.invalidInput, "not a safetensors file: \(file.count) bytes, shorter than the 8-byte header length",
                            path: path)
        }
        let headerLength = file.withBytes(in: 0..<8) { raw -> UInt64 in
            var value: UInt64 = 0
            for i in 0..<8 { value |= UInt64(raw[i]) << (8 * UInt64(i)) }
            return value
        }
        guard headerLength <= UInt64(Self.maximumHeaderBytes) else {
            throw CLIPError(.invalidInput, "safetensors header length \(headerLength) exceeds the \(Self.maximumHeaderBytes)-byte limit",
                            path: path, location: "offset 0")
        }
        guard headerLength <= UInt64(file.count - 8) else {
            throw CLIPError(.invalidInput,
                            "safetensors header length \(headerLength) runs past the end of the file (\(file.count) bytes); the file may be truncated",
                            path: path, location: "offset 0")
        }
        let headerEnd = 8 + Int(headerLength)
        dataStart = headerEnd
        let dataCount = file.count - headerEnd
        let json: Any
        do {
            json = try file.withBytes(in: 8..<headerEnd) { raw in
                try JSONSerialization.jsonObject(with: Data(raw), options: [])
            }
        } catch {
            throw CLIPError(.invalidInput, "safetensors header is not valid JSON", path: path, location: "header")
        }
        guard let object = json as? [String: Any] else {
            throw CLIPError(.invalidInput, "safetensors header is not a JSON object", path: path, location: "header")
        }
        var metadata: [String: String] = [:]
        var entries: [String: Entry] = [:]
        for (name, value) in object {
            if name == "__metadata__" {
                if let dict = value as? [String: Any] {
                    for (k, v) in dict { metadata[k] = v as? String ?? "\(v)" }
                }
                continue
            }
            entries[name] = try Self.parseEntry(name: name, value: value, dataCount: dataCount, path: path)
        }
        self.metadata = metadata
        self.entries = entries
    }

    private static func parseEntry(name: String, value: Any, dataCount: Int, path: String) throws(CLIPError) -> Entry {
        guard let dict = value as? [String: Any] else {
            throw CLIPError(.invalidInput, "header entry for '\(name)' is not an object", path: path, location: name)
        }
        guard let dtypeName = dict["dtype"] as? String else {
            throw CLIPError(.invalidInput, "tensor '\(name)' has no dtype", path: path, location: "\(name).dtype")
        }
        guard let dtype = TensorDType(rawValue: dtypeName) else {
            let allowed = TensorDType.allCases.map(\.rawValue).joined(separator: ", ")
            throw CLIPError(.invalidInput, "tensor '\(name)' has unknown dtype '\(dtypeName)' (known: \(allowed))",
                            path: path, location: "\(name).dtype")
        }
        guard let shapeValues = dict["shape"] as? [Any],
              let shape = Self.integers(shapeValues), shape.allSatisfy({ $0 >= 0 }) else {
            throw CLIPError(.invalidInput, "tensor '\(name)' has an invalid shape", path: path, location: "\(name).shape")
        }
        guard let offsetValues = dict["data_offsets"] as? [Any], offsetValues.count == 2,
              let offsets = Self.integers(offsetValues) else {
            throw CLIPError(.invalidInput, "tensor '\(name)' has invalid data_offsets", path: path,
                            location: "\(name).data_offsets")
        }
        let (begin, end) = (offsets[0], offsets[1])
        guard begin >= 0, begin <= end, end <= dataCount else {
            throw CLIPError(.invalidInput,
                            "tensor '\(name)' data_offsets [\(begin), \(end)] lie outside the \(dataCount) data bytes; the file may be truncated",
                            path: path, location: "\(name).data_offsets")
        }
        var elements = 1
        for dim in shape {
            let (product, overflow) = elements.multipliedReportingOverflow(by: dim)
            guard !overflow else {
                throw CLIPError(.invalidInput, "tensor '\(name)' shape \(shape) is too large", path: path, location: "\(name).shape")
            }
            elements = product
        }
        let (bytes, overflow) = elements.multipliedReportingOverflow(by: dtype.byteWidth)
        guard !overflow, bytes == end - begin else {
            throw CLIPError(.invalidInput,
                            "tensor '\(name)' shape \(shape) × \(dtype.byteWidth) bytes does not match its \(end - begin) data bytes",
                            path: path, location: "\(name).data_offsets")
        }
        return Entry(info: TensorInfo(name: name, dtype: dtype, shape: shape), byteRange: begin..<end)
    }

    private static func integers(_ values: [Any]) -> [Int]? {
        var result: [Int] = []
        for value in values {
            guard let number = value as? NSNumber else { return nil }
            let double = number.doubleValue
            guard double == double.rounded(), abs(double) < 9.0e15 else { return nil }
            result.append(number.intValue)
        }
        return result
    }

    public var names: [String] { entries.keys.sorted() }

    public func info(_ name: String) -> TensorInfo? { entries[name]?.info }

    public func floats(_ name: String) throws(CLIPError) -> [Float] {
        let entry = try entry(name)
        let count = entry.info.elementCount
        let range = (dataStart + entry.byteRange.lowerBound)..<(dataStart + entry.byteRange.upperBound)
        switch entry.info.dtype {
        case .float32:
            return file.withBytes(in: range) { raw in
                [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                    if count > 0 { memcpy(buffer.baseAddress!, raw.baseAddress!, count * 4) }
                    initialized = count
                }
            }
        case .float16:
            return file.withBytes(in: range) { raw in
                (0..<count).map { Float(Float16(bitPattern: raw.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self))) }
            }
        case .bfloat16:
            return file.withBytes(in: range) { raw in
                (0..<count).map { Float(bitPattern: UInt32(raw.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self)) << 16) }
            }
        case .float64:
            return file.withBytes(in: range) { raw in
                (0..<count).map { Float(raw.loadUnaligned(fromByteOffset: 8 * $0, as: Double.self)) }
            }
        default:
            throw CLIPError(.invalidInput, "tensor '\(name)' has dtype \(entry.info.dtype.rawValue), not floating point",
                            path: file.path, location: name)
        }
    }

    /// The values of an integer tensor (I64, I32, I16, I8, U8, BOOL) as `Int`, e.g. token ids.
    public func integers(_ name: String) throws(CLIPError) -> [Int] {
        let entry = try entry(name)
        let count = entry.info.elementCount
        let range = (dataStart + entry.byteRange.lowerBound)..<(dataStart + entry.byteRange.upperBound)
        let width = entry.info.dtype.byteWidth
        switch entry.info.dtype {
        case .int64: return file.withBytes(in: range) { raw in (0..<count).map { Int(raw.loadUnaligned(fromByteOffset: width * $0, as: Int64.self)) } }
        case .int32: return file.withBytes(in: range) { raw in (0..<count).map { Int(raw.loadUnaligned(fromByteOffset: width * $0, as: Int32.self)) } }
        case .int16: return file.withBytes(in: range) { raw in (0..<count).map { Int(raw.loadUnaligned(fromByteOffset: width * $0, as: Int16.self)) } }
        case .int8: return file.withBytes(in: range) { raw in (0..<count).map { Int(raw.load(fromByteOffset: $0, as: Int8.self)) } }
        case .uint8, .bool: return file.withBytes(in: range) { raw in (0..<count).map { Int(raw[$0]) } }
        default:
            throw CLIPError(.invalidInput, "tensor '\(name)' has dtype \(entry.info.dtype.rawValue), not integer",
                            path: file.path, location: name)
        }
    }

    /// The raw stored bytes of `name` (for uint8 images and other non-float data).
    public func bytes(_ name: String) throws(CLIPError) -> [UInt8] {
        let entry = try entry(name)
        let range = (dataStart + entry.byteRange.lowerBound)..<(dataStart + entry.byteRange.upperBound)
        return file.withBytes(in: range) { Array($0) }
    }

    private func entry(_ name: String) throws(CLIPError) -> Entry {
        guard let entry = entries[name] else {
            throw CLIPError(.invalidInput, "checkpoint has no tensor '\(name)'", path: file.path, location: name)
        }
        return entry
    }
}
