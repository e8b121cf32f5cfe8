import CLIP
import Tensors

/// Reads a NumPy `.npy` file holding an `[n, d]` matrix of little-endian float32 or float64, as
/// untrusted input.
///
/// Accepted: format versions 1.0, 2.0 and 3.0; a header that is a Python dict literal with exactly
/// the keys `descr` (`'<f4'` or `'<f8'`), `fortran_order` (`False`) and `shape` (two non-negative
/// integers, `d ≥ 1`); and exactly `n · d · itemsize` data bytes after the header. Everything else
/// (big-endian, other dtypes, Fortran order, other ranks, a header past the end or over 64 KiB,
/// missing or extra data) is an error naming the file and the problem. float64 values are rounded
/// to float32.
public enum NPYFile {
    /// Largest header accepted (bytes); numpy's own headers are 64–128 bytes.
    public static let maximumHeaderBytes = 1 << 16
    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

    /// Reads the matrix at `path`.
    ///
    /// - Throws: `EncoderError` (`io` when the file cannot be read, `invalidInput` when it is not an
    ///   accepted `.npy` matrix).
    public static func readMatrix(atPath path: String) throws(EncoderError) -> Matrix {
        let file: MappedFile
        do { file = try MappedFile(path: path) } catch { throw EncoderError(error) }
        return try readMatrix(file)
    }

    static func readMatrix(_ file: MappedFile) throws(EncoderError) -> Matrix {
        let path = file.path
        func fail(_ message: String, _ location: String? = nil) -> EncoderError {
            EncoderError(.invalidInput, message, path: path, location: location)
        }
        guard file.count >= 10 else { throw fail("not a .npy file: \(file.count) bytes, shorter than the 10-byte preamble") }
        let preamble = file.withBytes(in: 0..<min(12, file.count)) { Array($0) }
        guard Array(preamble[0..<6]) == magic else { throw fail("not a .npy file: it does not start with \\x93NUMPY", "offset 0") }
        let (major, minor) = (preamble[6], preamble[7])
        guard (1...3).contains(major), minor == 0 else {
            throw fail(".npy format version \(major).\(minor) is not supported (1.0, 2.0, 3.0)", "offset 6")
        }
        let headerStart: Int
        let headerLength: Int
        if major == 1 {
            headerStart = 10
            headerLength = Int(preamble[8]) | Int(preamble[9]) << 8
        } else {
            guard file.count >= 12 else { throw fail("truncated .npy preamble (\(file.count) bytes)", "offset 8") }
            headerStart = 12
            headerLength = (8..<12).reduce(0) { $0 | Int(preamble[$1]) << (8 * ($1 - 8)) }
        }
        guard headerLength <= maximumHeaderBytes else {
            throw fail(".npy header length \(headerLength) exceeds the \(maximumHeaderBytes)-byte limit", "offset 8")
        }
        guard headerLength <= file.count - headerStart else {
            throw fail(".npy header length \(headerLength) runs past the end of the file (\(file.count) bytes); the file may be truncated",
                       "offset 8")
        }
        let headerBytes = file.withBytes(in: headerStart..<(headerStart + headerLength)) { Array($0) }
        let header: Header
        do { header = try Header.parse(headerBytes) } catch { throw fail(".npy header: \(error.message)", "header") }
        let itemSize: Int
        switch header.descr {
        case "<f4": itemSize = 4
        case "<f8": itemSize = 8
        default:
            throw fail(".npy dtype '\(header.descr)' is not supported: need '<f4' or '<f8' (little-endian float32 or float64)", "descr")
        }
        guard !header.fortranOrder else { throw fail(".npy array is in Fortran order; save it in C order (np.ascontiguousarray)", "fortran_order") }
        guard header.shape.count == 2 else {
            throw fail(".npy array has shape \(header.shapeText), need two dimensions [n, d]", "shape")
        }
        let (rows, columns) = (header.shape[0], header.shape[1])
        guard columns >= 1 else { throw fail(".npy array has shape \(header.shapeText): embeddings need d ≥ 1", "shape") }
        let dataStart = headerStart + headerLength
        let available = file.count - dataStart
        let (elements, overflow1) = rows.multipliedReportingOverflow(by: columns)
        let (bytes, overflow2) = elements.multipliedReportingOverflow(by: itemSize)
        guard !overflow1, !overflow2, bytes == available else {
            throw fail(".npy array of shape \(header.shapeText) needs \(overflow1 || overflow2 ? "more than Int.max" : String(bytes)) data bytes, the file has \(available)",
                       "offset \(dataStart)")
        }
        let values: [Float] = file.withBytes(in: dataStart..<file.count) { raw in
            if itemSize == 4 {
                return (0..<elements).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
            }
            return (0..<elements).map {
                Float(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * $0, as: UInt64.self))))
            }
        }
        return Matrix(rows: rows, columns: columns, values: values)
    }

    /// The parsed header dictionary.
    struct Header: Equatable {
        var descr: String
        var fortranOrder: Bool
        var shape: [Int]

        var shapeText: String { "(" + shape.map(String.init).joined(separator: ", ") + (shape.count == 1 ? ",)" : ")") }

        struct Failure: Error { var message: String }

        /// Parses the Python literal `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`
        /// (padding spaces and a final newline allowed; keys in any order; nothing else).
        static func parse(_ bytes: [UInt8]) throws(Failure) -> Header {
            var parser = LiteralParser(bytes: bytes)
            let dict = try parser.dictionary()
            parser.skipSpace()
            guard parser.atEnd else { throw Failure(message: "unexpected text after the dictionary at byte \(parser.position)") }
            let known: Set<String> = ["descr", "fortran_order", "shape"]
            if let extra = dict.keys.sorted().first(where: { !known.contains($0) }) {
                throw Failure(message: "unexpected key '\(extra)' (expected descr, fortran_order, shape)")
            }
            guard case .string(let descr)? = dict["descr"] else { throw Failure(message: "'descr' is missing or not a string") }
            guard case .bool(let fortran)? = dict["fortran_order"] else {
                throw Failure(message: "'fortran_order' is missing or not True/False")
            }
            guard case .tuple(let shape)? = dict["shape"] else { throw Failure(message: "'shape' is missing or not a tuple of integers") }
            return Header(descr: descr, fortranOrder: fortran, shape: shape)
        }
    }

    /// The few Python literals a `.npy` header uses.
    enum Literal: Equatable {
        case string(String)
        case bool(Bool)
        case tuple([Int])
    }

    struct LiteralParser {
        let bytes: [UInt8]
        var position = 0
        /// Largest dimension accepted (keeps the size arithmetic simple).
        static let maximumDimension = Int(Int32.max)

        var atEnd: Bool { position >= bytes.count }

        mutating func skipSpace() {
            while position < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[position]) { position += 1 }
        }

        mutating func expect(_ character: Character) throws(Header.Failure) {
            skipSpace()
            guard position < bytes.count, bytes[position] == character.asciiValue else {
                throw Header.Failure(message: "expected '\(character)' at byte \(position)")
            }
            position += 1
        }

        mutating func peek(_ character: Character) -> Bool {
            skipSpace()
            return position < bytes.count && bytes[position] == character.asciiValue
        }

        mutating func dictionary() throws(Header.Failure) -> [String: Literal] {
            try expect("{")
            var result: [String: Literal] = [:]
            while !peek("}") {
                let key = try string()
                try expect(":")
                guard result[key] == nil else { throw Header.Failure(message: "key '\(key)' appears twice") }
                result[key] = try value()
                if peek(",") { position += 1 } else { break }
            }
            try expect("}")
            return result
        }

        mutating func value() throws(Header.Failure) -> Literal {
            skipSpace()
            if peek("'") || peek("\"") { return .string(try string()) }
            if peek("(") { return .tuple(try tuple()) }
            for (word, flag) in [("True", true), ("False", false)] where bytes[position...].starts(with: word.utf8) {
                position += word.utf8.count
                return .bool(flag)
            }
            throw Header.Failure(message: "unsupported value at byte \(position)")
        }

        mutating func string() throws(Header.Failure) -> String {
            skipSpace()
            guard position < bytes.count, bytes[position] == 0x27 || bytes[position] == 0x22 else {
                throw Header.Failure(message: "expected a quoted string at byte \(position)")
            }
            let quote = bytes[position]
            let start = position + 1
            guard let end = bytes[start...].firstIndex(of: quote) else { throw Header.Failure(message: "unterminated string at byte \(position)") }
            let text = bytes[start..<end]
            guard text.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != 0x5C }) else {
                throw Header.Failure(message: "unsupported characters in a string at byte \(start)")
            }
            position = end + 1
            return String(decoding: text, as: UTF8.self)
        }

        mutating func tuple() throws(Header.Failure) -> [Int] {
            try expect("(")
            var values: [Int] = []
            while !peek(")") {
                values.append(try integer())
                guard values.count <= 32 else { throw Header.Failure(message: "shape has more than 32 dimensions") }
                if peek(",") { position += 1 } else { break }
            }
            try expect(")")
            return values
        }

        mutating func integer() throws(Header.Failure) -> Int {
            skipSpace()
            let start = position
            var value = 0
            while position < bytes.count, (0x30...0x39).contains(bytes[position]) {
                value = value * 10 + Int(bytes[position] - 0x30)
                guard value <= Self.maximumDimension else { throw Header.Failure(message: "dimension at byte \(start) is too large") }
                position += 1
            }
            if position < bytes.count, bytes[position] == 0x4C { position += 1 }  // Python 2's long suffix
            guard position > start else { throw Header.Failure(message: "expected a non-negative integer at byte \(start)") }
            return value
        }
    }
}
