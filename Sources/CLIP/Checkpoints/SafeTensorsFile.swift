import Foundation

/// A safetensors file, memory-mapped, with its header validated before any tensor is read.
///
/// Format: an 8-byte little-endian header length `N`, `N` bytes of JSON mapping each tensor name to
/// `{"dtype", "shape", "data_offsets": [begin, end]}` (offsets relative to the data that follows the
/// header), then the data. Checked on open, as the reference implementation does: the header length
/// fits the file and a 16 MB cap (the reference allows 100 MB; CLIP headers are ~100 KB, and the cap
/// bounds the memory a hostile header can make the JSON parser use), the JSON is an object, `__metadata__` maps strings to strings,
/// every dtype is known, every shape is a list of non-negative integers whose element count times
/// the element width equals the tensor's byte range (with overflow checks), and the byte ranges tile
/// the data exactly: no gaps, no overlaps, nothing after the last tensor.
public struct SafeTensorsFile: WeightSource {
    /// Largest header accepted (bytes); real CLIP headers are well under 1 MB.
    public static let maximumHeaderBytes = 16 << 20

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
    ///
    /// - Throws: `CLIPError.invalidInput` naming the file, the tensor and the field at fault.
    public init(file: MappedFile) throws(CLIPError) {
        self.file = file
        let path = file.path
        guard file.count >= 8 else {
            throw CLIPError(.invalidInput, "not a safetensors file: \(file.count) bytes, shorter than the 8-byte header length",
                            path: path)
        }
        let headerLength = file.withBytes(in: 0..<8) { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
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
        let json = try file.withBytes(in: 8..<headerEnd) { raw throws(CLIPError) in
            try JSONValue.parse(raw, path: path, what: "safetensors header")
        }
        guard case .object(let object) = json else {
            throw CLIPError(.invalidInput, "safetensors header is not a JSON object but \(json.brief)", path: path, location: "header")
        }
        var metadata: [String: String] = [:]
        var entries: [String: Entry] = [:]
        for (name, value) in object {
            if name == "__metadata__" {
                metadata = try Self.parseMetadata(value, path: path)
                continue
            }
            entries[name] = try Self.parseEntry(name: name, value: value, dataCount: dataCount, path: path)
        }
        try Self.checkTiling(entries, dataCount: dataCount, path: path)
        self.metadata = metadata
        self.entries = entries
    }

    private static func parseMetadata(_ value: JSONValue, path: String) throws(CLIPError) -> [String: String] {
        guard case .object(let dict) = value else {
            throw CLIPError(.invalidInput, "safetensors __metadata__ is not an object of strings", path: path, location: "__metadata__")
        }
        var metadata: [String: String] = [:]
        for (key, item) in dict {
            guard let text = item.stringValue else {
                throw CLIPError(.invalidInput, "safetensors __metadata__ value for '\(key)' is \(item.brief), not a string",
                                path: path, location: "__metadata__.\(key)")
            }
            metadata[key] = text
        }
        return metadata
    }

    private static func parseEntry(name: String, value: JSONValue, dataCount: Int, path: String) throws(CLIPError) -> Entry {
        guard case .object(let dict) = value else {
            throw CLIPError(.invalidInput, "header entry for tensor '\(name)' is \(value.brief), not an object", path: path, location: name)
        }
        guard let dtypeName = dict["dtype"]?.stringValue else {
            throw CLIPError(.invalidInput, "tensor '\(name)' has no dtype", path: path, location: "\(name).dtype")
        }
        guard let dtype = TensorDType(rawValue: dtypeName) else {
            let allowed = TensorDType.allCases.map(\.rawValue).joined(separator: ", ")
            throw CLIPError(.invalidInput, "tensor '\(name)' has unknown dtype '\(dtypeName)' (known: \(allowed))",
                            path: path, location: "\(name).dtype")
        }
        guard let shapeValues = dict["shape"]?.arrayValue else {
            throw CLIPError(.invalidInput, "tensor '\(name)' has no shape list", path: path, location: "\(name).shape")
        }
        var shape: [Int] = []
        for dim in shapeValues {
            guard case .int(let size) = dim, size >= 0 else {
                throw CLIPError(.invalidInput, "tensor '\(name)' has an invalid shape \(JSONValue.array(shapeValues).brief)",
                                path: path, location: "\(name).shape")
            }
            shape.append(size)
        }
        guard let offsetValues = dict["data_offsets"]?.arrayValue, offsetValues.count == 2,
              case .int(let begin) = offsetValues[0], case .int(let end) = offsetValues[1] else {
            throw CLIPError(.invalidInput, "tensor '\(name)' has invalid data_offsets (need [begin, end] integers)", path: path,
                            location: "\(name).data_offsets")
        }
        guard begin >= 0, begin <= end, end <= dataCount else {
            throw CLIPError(.invalidInput,
                            "tensor '\(name)' data_offsets [\(begin), \(end)] lie outside the \(dataCount) data bytes; the file may be truncated",
                            path: path, location: "\(name).data_offsets")
        }
        guard let elements = TensorShape.elementCount(shape) else {
            throw CLIPError(.invalidInput, "tensor '\(name)' shape \(shape) is too large", path: path, location: "\(name).shape")
        }
        let (bytes, overflow) = elements.multipliedReportingOverflow(by: dtype.byteWidth)
        guard !overflow, bytes == end - begin else {
            throw CLIPError(.invalidInput,
                            "tensor '\(name)' shape \(shape) × \(dtype.byteWidth) bytes does not match its \(end - begin) data bytes",
                            path: path, location: "\(name).data_offsets")
        }
        return Entry(info: TensorInfo(name: name, dtype: dtype, shape: shape), byteRange: begin..<end)
    }

    /// The tensors' byte ranges must cover the data exactly once, as the safetensors specification requires.
    private static func checkTiling(_ entries: [String: Entry], dataCount: Int, path: String) throws(CLIPError) {
        let sorted = entries.values.sorted {
            ($0.byteRange.lowerBound, $0.byteRange.upperBound, $0.info.name) < ($1.byteRange.lowerBound, $1.byteRange.upperBound, $1.info.name)
        }
        var expected = 0
        var previous: String?
        for entry in sorted {
            let range = entry.byteRange
            if range.lowerBound < expected {
                throw CLIPError(.invalidInput,
                                "tensor '\(entry.info.name)' data [\(range.lowerBound), \(range.upperBound)) overlaps tensor '\(previous ?? "?")'",
                                path: path, location: "\(entry.info.name).data_offsets")
            }
            if range.lowerBound > expected {
                throw CLIPError(.invalidInput,
                                "\(range.lowerBound - expected) data bytes at [\(expected), \(range.lowerBound)) belong to no tensor (before '\(entry.info.name)')",
                                path: path, location: "\(entry.info.name).data_offsets")
            }
            expected = range.upperBound
            previous = entry.info.name
        }
        if expected != dataCount {
            throw CLIPError(.invalidInput,
                            "\(dataCount - expected) data bytes after the last tensor belong to no tensor",
                            path: path, location: "offset \(expected)")
        }
    }

    /// Every tensor in the header, sorted.
    public var names: [String] { entries.keys.sorted() }

    /// Shape and type of `name` from the header, or nil.
    public func info(_ name: String) -> TensorInfo? { entries[name]?.info }

    /// The safetensors file.
    public var sourcePath: String? { file.path }

    /// The values of `name` as float32, row-major.
    public func floats(_ name: String) throws(CLIPError) -> [Float] {
        try elements(name, kind: "floating point") { raw, dtype, view in ElementConversion.floats(raw, dtype: dtype, view: view) }
    }

    /// The values of an integer tensor (I64, I32, I16, I8, U8, BOOL) as `Int`, e.g. token ids.
    ///
    /// - Throws: `CLIPError` naming the file and key when it is missing or floating point.
    public func integers(_ name: String) throws(CLIPError) -> [Int] {
        try elements(name, kind: "integer") { raw, dtype, view in ElementConversion.integers(raw, dtype: dtype, view: view) }
    }

    /// The elements of tensor `name` as `convert` reads them from its bytes, or an error when
    /// `convert` returns nil (the dtype is not of the `kind` asked for).
    private func elements<Element>(
        _ name: String, kind: String, _ convert: (UnsafeRawBufferPointer, TensorDType, StridedView) -> [Element]?
    ) throws(CLIPError) -> [Element] {
        let entry = try entry(name)
        let view = StridedView(contiguous: entry.info.elementCount)
        guard let result = file.withBytes(in: absoluteRange(entry), { raw in convert(raw, entry.info.dtype, view) }) else {
            throw CLIPError(.invalidInput, "tensor '\(name)' has dtype \(entry.info.dtype.rawValue), not \(kind)",
                            path: file.path, location: name)
        }
        return result
    }

    /// The raw stored bytes of `name` (for uint8 images and other non-float data).
    public func bytes(_ name: String) throws(CLIPError) -> [UInt8] {
        let entry = try entry(name)
        return file.withBytes(in: absoluteRange(entry)) { Array($0) }
    }

    private func absoluteRange(_ entry: Entry) -> Range<Int> {
        (dataStart + entry.byteRange.lowerBound)..<(dataStart + entry.byteRange.upperBound)
    }

    private func entry(_ name: String) throws(CLIPError) -> Entry {
        guard let entry = entries[name] else {
            throw CLIPError(.invalidInput, "checkpoint has no tensor '\(name)'", path: file.path, location: name)
        }
        return entry
    }
}

/// Shape arithmetic with overflow checks, shared by the checkpoint readers.
enum TensorShape {
    /// The number of elements of `shape` (1 for a scalar), or nil if a dimension is negative or the product overflows.
    static func elementCount(_ shape: [Int]) -> Int? {
        var count = 1
        for dim in shape {
            guard dim >= 0 else { return nil }
            let (product, overflow) = count.multipliedReportingOverflow(by: dim)
            guard !overflow else { return nil }
            count = product
        }
        return count
    }
}
