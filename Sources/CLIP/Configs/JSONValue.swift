import Foundation
import Imaging

/// A parsed JSON document, kept as plain data so that untrusted configs and headers can be checked
/// field by field with precise error messages (rather than one opaque decoding failure).
///
/// Integers are kept apart from other numbers: `3` parses as `.int(3)`, `3.5` and `1e3` as `.double`.
public enum JSONValue: Sendable, Equatable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number written without fraction or exponent that fits `Int`.
    case int(Int)
    /// Any other number.
    case double(Double)
    /// A string, escapes resolved.
    case string(String)
    /// An array, in order.
    case array([JSONValue])
    /// An object; a repeated key keeps its last value.
    case object([String: JSONValue])

    /// Parses `bytes` (a `Data`, `[UInt8]`, ...) as one JSON document (RFC 8259; nesting at most
    /// `JSONParser.maximumDepth` deep).
    ///
    /// - Throws: `CLIPError.invalidInput` naming `path`, `what` (e.g. "safetensors header") and the
    ///   byte offset when it is not valid JSON.
    public static func parse<Bytes: ContiguousBytes>(_ bytes: Bytes, path: String?, what: String) throws(CLIPError) -> JSONValue {
        let result = bytes.withUnsafeBytes { raw -> Result<JSONValue, JSONParser.Failure> in
            var parser = JSONParser(raw)
            do throws(JSONParser.Failure) { return .success(try parser.document()) } catch { return .failure(error) }
        }
        switch result {
        case .success(let value): return value
        case .failure(let failure):
            throw CLIPError(.invalidInput, "\(what) is not valid JSON: \(failure.reason) at byte \(failure.offset)",
                            path: path, location: what)
        }
    }

    /// Reads and parses the JSON file at `path` (through `FileBytes`, so the size is checked before
    /// anything is read).
    ///
    /// - Throws: `CLIPError.io` if the file cannot be read, `.invalidInput` if it is not JSON or larger
    ///   than `maximumBytes`; the message starts "cannot read <what>" for the first two.
    public static func read(path: String, what: String, maximumBytes: Int = 8 << 20) throws(CLIPError) -> JSONValue {
        let bytes: [UInt8]
        do { bytes = try FileBytes.contents(atPath: path, maxBytes: maximumBytes) } catch {
            throw CLIPError(error, context: "cannot read \(what)")
        }
        return try parse(bytes, path: path, what: what)
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

/// A strict recursive-descent JSON parser over bytes, with a nesting limit.
struct JSONParser {
    /// Deepest nesting of arrays and objects accepted (configs and headers need 4).
    static let maximumDepth = 128

    struct Failure: Error {
        var reason: String
        var offset: Int
    }

    private let bytes: UnsafeRawBufferPointer
    private var position = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    private func fail(_ reason: String) -> Failure { Failure(reason: reason, offset: position) }

    private var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    private mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { position += 1 }
    }

    /// One value and nothing but whitespace after it.
    mutating func document() throws(Failure) -> JSONValue {
        let value = try self.value(depth: 0)
        skipWhitespace()
        guard position == bytes.count else { throw fail("unexpected content after the value") }
        return value
    }

    private mutating func value(depth: Int) throws(Failure) -> JSONValue {
        skipWhitespace()
        guard let byte = current else { throw fail("unexpected end") }
        switch byte {
        case UInt8(ascii: "{"): return try object(depth: depth + 1)
        case UInt8(ascii: "["): return try array(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw fail("unexpected character")
        }
    }

    private mutating func literal(_ word: String) throws(Failure) {
        let expected = Array(word.utf8)
        guard bytes.count - position >= expected.count else { throw fail("unexpected end") }
        for (i, byte) in expected.enumerated() where bytes[position + i] != byte { throw fail("unexpected character") }
        position += expected.count
    }

    private mutating func object(depth: Int) throws(Failure) -> JSONValue {
        guard depth <= Self.maximumDepth else { throw fail("nested more than \(Self.maximumDepth) deep") }
        position += 1
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if current == UInt8(ascii: "}") { position += 1; return .object(members) }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else { throw fail("object key expected") }
            let key = try string()
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw fail("':' expected") }
            position += 1
            members[key] = try value(depth: depth)
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"): position += 1; return .object(members)
            default: throw fail("',' or '}' expected")
            }
        }
    }

    private mutating func array(depth: Int) throws(Failure) -> JSONValue {
        guard depth <= Self.maximumDepth else { throw fail("nested more than \(Self.maximumDepth) deep") }
        position += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") { position += 1; return .array(items) }
        while true {
            items.append(try value(depth: depth))
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "]"): position += 1; return .array(items)
            default: throw fail("',' or ']' expected")
            }
        }
    }

    private mutating func hex4() throws(Failure) -> UInt32 {
        guard bytes.count - position >= 4 else { throw fail("unexpected end in \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw fail("bad \\u escape")
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }

    private mutating func string() throws(Failure) -> String {
        position += 1  // opening quote
        var utf8: [UInt8] = []
        while true {
            guard let byte = current else { throw fail("unterminated string") }
            position += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: utf8, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard let escape = current else { throw fail("unterminated string") }
                position += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(escape)
                case UInt8(ascii: "b"): utf8.append(0x08)
                case UInt8(ascii: "f"): utf8.append(0x0C)
                case UInt8(ascii: "n"): utf8.append(0x0A)
                case UInt8(ascii: "r"): utf8.append(0x0D)
                case UInt8(ascii: "t"): utf8.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800...0xDBFF).contains(scalar), bytes.count - position >= 6,
                       bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") {
                        let saved = position
                        position += 2
                        let low = try hex4()
                        if (0xDC00...0xDFFF).contains(low) {
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            position = saved
                        }
                    }
                    utf8.append(contentsOf: Array(String(Unicode.Scalar(scalar) ?? "\u{FFFD}").utf8))
                default:
                    throw fail("bad escape")
                }
            case 0x00..<0x20:
                throw fail("control character in string")
            default:
                utf8.append(byte)
            }
        }
    }

    private mutating func number() throws(Failure) -> JSONValue {
        let start = position
        var isInteger = true
        if current == UInt8(ascii: "-") { position += 1 }
        func digits() -> Int {
            let first = position
            while let byte = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { position += 1 }
            return position - first
        }
        let integerDigits = digits()
        guard integerDigits > 0 else { throw fail("digit expected") }
        if integerDigits > 1, bytes[position - integerDigits] == UInt8(ascii: "0") { throw fail("leading zero") }
        if current == UInt8(ascii: ".") {
            isInteger = false
            position += 1
            guard digits() > 0 else { throw fail("digit expected after '.'") }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            isInteger = false
            position += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
            guard digits() > 0 else { throw fail("digit expected in exponent") }
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        if isInteger, let value = Int(text) { return .int(value) }
        guard let value = Double(text) else { throw fail("bad number") }
        return .double(value)
    }
}
