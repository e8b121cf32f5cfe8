import Foundation

/// A parsed JSON document, kept as plain data so that untrusted configs and headers can be checked
/// field by field with precise error messages (rather than one opaque decoding failure).
///
/// Integers are kept apart from other numbers: `3` decodes as `.int(3)`, `3.5` as `.double(3.5)`.
public enum JSONValue: Sendable, Equatable, Decodable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int.self) {
            self = .int(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// Parses `data` as one JSON document.
    ///
    /// - Throws: `CLIPError.invalidInput` naming `path` and `what` (e.g. "safetensors header") when it is not valid JSON.
    public static func parse(_ data: Data, path: String?, what: String) throws(CLIPError) -> JSONValue {
        do {
            return try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw CLIPError(.invalidInput, "\(what) is not valid JSON", path: path, location: what)
        }
    }

    /// Reads and parses the JSON file at `path`.
    ///
    /// - Throws: `CLIPError.io` if the file cannot be read, `.invalidInput` if it is not JSON or larger than `maximumBytes`.
    public static func read(path: String, what: String, maximumBytes: Int = 8 << 20) throws(CLIPError) -> JSONValue {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        if let size = attributes?[.size] as? NSNumber, size.intValue > maximumBytes {
            throw CLIPError(.invalidInput, "\(what) is \(size.intValue) bytes, more than the \(maximumBytes)-byte limit", path: path)
        }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw CLIPError(.io, "cannot read \(what): \(error.localizedDescription)", path: path)
        }
        guard data.count <= maximumBytes else {
            throw CLIPError(.invalidInput, "\(what) is \(data.count) bytes, more than the \(maximumBytes)-byte limit", path: path)
        }
        return try parse(data, path: path, what: what)
    }

    /// The members of an object, or nil.
    public var objectValue: [String: JSONValue]? { if case .object(let v) = self { return v } else { return nil } }
    /// The elements of an array, or nil.
    public var arrayValue: [JSONValue]? { if case .array(let v) = self { return v } else { return nil } }
    /// The text of a string, or nil.
    public var stringValue: String? { if case .string(let v) = self { return v } else { return nil } }
    /// An integer, or a floating-point number with an exact integer value; nil otherwise.
    public var intValue: Int? {
        switch self {
        case .int(let v): return v
        case .double(let v) where v == v.rounded() && abs(v) < 9.0e15: return Int(v)
        default: return nil
        }
    }
    /// Any number as Double, or nil.
    public var doubleValue: Double? {
        switch self {
        case .int(let v): return Double(v)
        case .double(let v): return v
        default: return nil
        }
    }
    /// A boolean, or nil.
    public var boolValue: Bool? { if case .bool(let v) = self { return v } else { return nil } }
    /// Whether this is JSON `null`.
    public var isNull: Bool { self == .null }

    /// A short rendering for error messages (strings quoted, containers summarised).
    public var brief: String {
        switch self {
        case .null: return "null"
        case .bool(let v): return String(v)
        case .int(let v): return String(v)
        case .double(let v): return String(v)
        case .string(let v): return "\"\(v.count > 60 ? String(v.prefix(60)) + "…" : v)\""
        case .array(let v): return "[\(v.prefix(6).map(\.brief).joined(separator: ", "))\(v.count > 6 ? ", …" : "")]"
        case .object(let v): return "{\(v.keys.sorted().prefix(6).joined(separator: ", "))\(v.count > 6 ? ", …" : "")}"
        }
    }
}
