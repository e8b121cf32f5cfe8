import Foundation
import Testing
@testable import Imaging

/// The reference outputs written by scripts/reference/make_imaging_references.py (Pillow, scipy, numpy),
/// read from Resources/reference: raw little-endian arrays described by index.json.
struct References: Sendable {
    /// A JSON value of a case's parameters.
    enum Value: Decodable, Sendable {
        case number(Double), string(String), list([Double]), null

        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() { self = .null }
            else if let number = try? container.decode(Double.self) { self = .number(number) }
            else if let text = try? container.decode(String.self) { self = .string(text) }
            else { self = .list(try container.decode([Double].self)) }
        }
    }

    struct ArrayFile: Decodable, Sendable {
        var file: String
        var dtype: String
        var shape: [Int]
    }

    struct Case: Decodable, Sendable {
        var name: String
        var op: String
        var input: String?
        var params: [String: Value]
        var outputs: [String: ArrayFile]

        func number(_ key: String) throws -> Double {
            guard case .number(let value)? = params[key] else { throw ReferenceError("\(name): no number \(key)") }
            return value
        }

        func string(_ key: String) throws -> String {
            guard case .string(let value)? = params[key] else { throw ReferenceError("\(name): no string \(key)") }
            return value
        }

        func list(_ key: String) throws -> [Double] {
            guard case .list(let value)? = params[key] else { throw ReferenceError("\(name): no list \(key)") }
            return value
        }
    }

    struct StreamOutputs: Decodable, Sendable { var seed: String; var outputs: [String] }
    struct VariantSeed: Decodable, Sendable {
        var sweep_seed: String
        var index: Int
        var seed: String
    }
    struct RandomStreams: Decodable, Sendable {
        var splitmix64: [StreamOutputs]
        var xoshiro256pp: [StreamOutputs]
        var variant_seeds: [VariantSeed]
    }
    struct SigmaConversion: Decodable, Sendable {
        var sigma_model: Double
        var model_input_size: Int
        var width: Int
        var height: Int
        var sigma_source: Double
    }
    struct Index: Decodable, Sendable {
        var inputs: [String: ArrayFile]
        var cases: [Case]
        var random: RandomStreams
        var blur_sigma_conversions: [SigmaConversion]
    }

    struct ReferenceError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    let directory: URL
    let index: Index

    /// The references, loaded once.
    static let shared: Result<References, ReferenceError> = {
        // The copied "Resources" folder sits in the bundle's resource directory (macOS) or is it (Linux).
        guard let directory = Bundle.module.url(forResource: "reference", withExtension: nil, subdirectory: "Resources")
            ?? Bundle.module.url(forResource: "reference", withExtension: nil)
        else { return .failure(ReferenceError("no reference folder in \(Bundle.module.bundlePath)")) }
        do {
            let data = try Data(contentsOf: directory.appendingPathComponent("index.json"))
            return .success(References(directory: directory, index: try JSONDecoder().decode(Index.self, from: data)))
        } catch {
            return .failure(ReferenceError("cannot read \(directory.path)/index.json: \(error)"))
        }
    }()

    static func load() throws -> References { try shared.get() }

    /// Every case of operation `op`.
    func cases(_ op: String) -> [Case] { index.cases.filter { $0.op == op } }

    func bytes(_ array: ArrayFile) throws -> Data {
        let data = try Data(contentsOf: directory.appendingPathComponent(array.file))
        let elements = array.shape.reduce(1, *)
        let size = array.dtype == "float32" ? 4 : 1
        guard data.count == elements * size else { throw ReferenceError("\(array.file): \(data.count) bytes, expected \(elements * size)") }
        return data
    }

    func uint8(_ array: ArrayFile) throws -> [UInt8] {
        guard array.dtype == "uint8" else { throw ReferenceError("\(array.file) is \(array.dtype), not uint8") }
        return [UInt8](try bytes(array))
    }

    func float32(_ array: ArrayFile) throws -> [Float] {
        guard array.dtype == "float32" else { throw ReferenceError("\(array.file) is \(array.dtype), not float32") }
        let data = try bytes(array)
        return data.withUnsafeBytes { raw in
            (0..<(data.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
    }

    /// An input image (8-bit, as committed) by name, e.g. "64x48".
    func input(_ name: String) throws -> RGBImage {
        guard let array = index.inputs[name], array.shape.count == 3 else { throw ReferenceError("no input \(name)") }
        return RGBImage(width: array.shape[1], height: array.shape[0], pixels: try uint8(array))
    }

    /// The input of a case as the float image every operation takes.
    func floatInput(of reference: Case) throws -> FloatImage {
        guard let name = reference.input else { throw ReferenceError("\(reference.name) has no input") }
        return FloatImage(try input(name))
    }

    func output(_ reference: Case, _ key: String) throws -> ArrayFile {
        guard let array = reference.outputs[key] else { throw ReferenceError("\(reference.name) has no output \(key)") }
        return array
    }
}

/// Comparison helpers: every failure message says where and by how much.
enum Compare {
    /// Largest |a − b| over the samples where `include` (per pixel) is true, with the worst index.
    static func maxDifference(_ a: [Float], _ b: [Float], include: ((Int) -> Bool)? = nil) -> (value: Float, index: Int) {
        precondition(a.count == b.count)
        var worst: Float = 0, at = -1
        for i in a.indices where include?(i / 3) ?? true {
            let d = abs(a[i] - b[i])
            if d > worst || d.isNaN { worst = d; at = i }
        }
        return (worst, at)
    }

    static func maxDifference(_ a: [UInt8], _ b: [UInt8], include: ((Int) -> Bool)? = nil) -> (value: Int, index: Int) {
        precondition(a.count == b.count)
        var worst = 0, at = -1
        for i in a.indices where include?(i / 3) ?? true {
            let d = abs(Int(a[i]) - Int(b[i]))
            if d > worst { worst = d; at = i }
        }
        return (worst, at)
    }
}

extension Interpolation {
    init(reference name: String) throws {
        guard let value = Interpolation(rawValue: name) else { throw References.ReferenceError("unknown interpolation \(name)") }
        self = value
    }
}

extension Fill {
    /// The fill a reference case describes ("constant" with "color8", "edge", "reflect").
    init(reference: References.Case) throws {
        switch try reference.string("fill") {
        case "edge": self = .edge
        case "reflect": self = .reflect
        case "constant":
            let c = try reference.list("color8").map { UInt8($0) }
            self = .constant(FloatColor(red8: c[0], green8: c[1], blue8: c[2]))
        case let other: throw References.ReferenceError("unknown fill \(other)")
        }
    }
}
