import Foundation
import Testing
import AugLabTestSupport
@testable import CLIP

/// The committed checkpoint test files (made by scripts/reference/checkpoints_make_test_files.py).
enum CheckpointFiles {
    /// `Tests/CLIPTests/Resources/checkpoints` inside the test bundle.
    static let directory: URL = {
        if let url = Bundle.module.url(forResource: "Resources", withExtension: nil) {
            return url.appendingPathComponent("checkpoints", isDirectory: true)
        }
        return Fixtures.package("Tests/CLIPTests/Resources/checkpoints")
    }()

    /// The path of a committed test file, e.g. `path("tiny_vit.safetensors")`.
    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// The path of a shared CLIP fixture, e.g. `shared("vit_hf/model.safetensors")`.
    static func shared(_ name: String) -> String { Fixtures.shared("fixtures/clip/" + name).path }

    /// reference.json, written by the reference script from open_clip / torch (parsed once).
    static func reference() throws -> JSONValue {
        try parsedReference.get()
    }

    private static let parsedReference: Result<JSONValue, CLIPError> = Result { () throws(CLIPError) in
        try JSONValue.read(path: path("reference.json"), what: "reference.json")
    }
}

/// Whether two float arrays are identical bit for bit (NaN patterns included).
func bitIdentical(_ a: [Float], _ b: [Float]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern }
}

/// Whether `error` is a `CLIPError` whose description contains every one of `parts`.
func errorMentions(_ error: any Error, _ parts: String...) -> Bool {
    guard let error = error as? CLIPError else { return false }
    let text = error.description
    return parts.allSatisfy { text.contains($0) }
}

/// Writes `bytes` to a new file in `directory` and returns its path.
func writeFile(_ bytes: [UInt8], named name: String, in directory: TemporaryDirectory) throws -> String {
    let path = directory.path(name)
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return path
}

/// Builds ZIP archives byte by byte, the way PyTorch lays them out, so tests can also break them.
struct ZipBuilder {
    struct Member {
        var name: String
        var data: [UInt8]
        var method: UInt16 = 0
        var flags: UInt16 = 0
        var crc: UInt32? = nil
    }

    var members: [Member] = []
    /// Write ZIP64 extra fields and a ZIP64 end record (all-ones markers in the classic fields).
    var zip64 = false

    mutating func add(_ name: String, _ data: [UInt8], method: UInt16 = 0, flags: UInt16 = 0, crc: UInt32? = nil) {
        members.append(Member(name: name, data: data, method: method, flags: flags, crc: crc))
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { CRC32.checksum($0) }
    }

    private static func le(_ value: UInt64, _ width: Int) -> [UInt8] {
        (0..<width).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) }
    }

    /// The archive bytes.
    func build() -> [UInt8] {
        var out: [UInt8] = []
        var central: [UInt8] = []
        for member in members {
            let offset = out.count
            let name = Array(member.name.utf8)
            let crc = member.crc ?? Self.crc32(member.data)
            let size = UInt64(member.data.count)
            let zip64Extra = Self.le(1, 2) + Self.le(zip64 ? 24 : 16, 2) + Self.le(size, 8) + Self.le(size, 8)
                + (zip64 ? Self.le(UInt64(offset), 8) : [])
            let small: UInt64 = zip64 ? 0xFFFF_FFFF : size
            out += Self.le(0x0403_4b50, 4) + Self.le(45, 2) + Self.le(UInt64(member.flags), 2) + Self.le(UInt64(member.method), 2)
            out += Self.le(0, 4) + Self.le(UInt64(crc), 4) + Self.le(small, 4) + Self.le(small, 4)
            let localExtra = zip64 ? Self.le(1, 2) + Self.le(16, 2) + Self.le(size, 8) + Self.le(size, 8) : []
            out += Self.le(UInt64(name.count), 2) + Self.le(UInt64(localExtra.count), 2) + name + localExtra
            out += member.data
            central += Self.le(0x0201_4b50, 4) + Self.le(45, 2) + Self.le(45, 2) + Self.le(UInt64(member.flags), 2)
            central += Self.le(UInt64(member.method), 2) + Self.le(0, 4) + Self.le(UInt64(crc), 4) + Self.le(small, 4) + Self.le(small, 4)
            let centralExtra = zip64 ? zip64Extra : []
            central += Self.le(UInt64(name.count), 2) + Self.le(UInt64(centralExtra.count), 2) + Self.le(0, 2) + Self.le(0, 2)
            central += Self.le(0, 2) + Self.le(0, 4) + Self.le(zip64 ? 0xFFFF_FFFF : UInt64(offset), 4) + name + centralExtra
        }
        let centralOffset = out.count
        out += central
        if zip64 {
            let recordOffset = out.count
            out += Self.le(0x0606_4b50, 4) + Self.le(44, 8) + Self.le(45, 2) + Self.le(45, 2) + Self.le(0, 4) + Self.le(0, 4)
            out += Self.le(UInt64(members.count), 8) + Self.le(UInt64(members.count), 8)
            out += Self.le(UInt64(central.count), 8) + Self.le(UInt64(centralOffset), 8)
            out += Self.le(0x0706_4b50, 4) + Self.le(0, 4) + Self.le(UInt64(recordOffset), 8) + Self.le(1, 4)
        }
        let count: UInt64 = zip64 ? 0xFFFF : UInt64(members.count)
        out += Self.le(0x0605_4b50, 4) + Self.le(0, 2) + Self.le(0, 2) + Self.le(count, 2) + Self.le(count, 2)
        out += Self.le(zip64 ? 0xFFFF_FFFF : UInt64(central.count), 4) + Self.le(zip64 ? 0xFFFF_FFFF : UInt64(centralOffset), 4)
        out += Self.le(0, 2)
        return out
    }
}

/// Writes pickle opcodes by name (protocol 2 unless told), for hand-made malformed checkpoints.
struct PickleWriter {
    var bytes: [UInt8] = []

    init(protocol version: UInt8 = 2) { bytes = [0x80, version] }

    mutating func op(_ code: UInt8) { bytes.append(code) }
    mutating func mark() { op(0x28) }
    mutating func emptyDict() { op(0x7D) }
    mutating func emptyTuple() { op(0x29) }
    mutating func tuple() { op(0x74) }
    mutating func setItems() { op(0x75) }
    mutating func setItem() { op(0x73) }
    mutating func reduce() { op(0x52) }
    mutating func persistentID() { op(0x51) }
    mutating func stop() { op(0x2E) }
    mutating func none() { op(0x4E) }
    mutating func newFalse() { op(0x89) }
    mutating func int(_ value: UInt8) { bytes += [0x4B, value] }
    mutating func int32(_ value: Int32) { bytes += [0x4A] + withUnsafeBytes(of: value.littleEndian, Array.init) }
    mutating func string(_ text: String) {
        let utf8 = Array(text.utf8)
        bytes += [0x58] + withUnsafeBytes(of: UInt32(utf8.count).littleEndian, Array.init) + utf8
    }
    mutating func global(_ module: String, _ name: String) { bytes += [0x63] + Array("\(module)\n\(name)\n".utf8) }

    /// Pushes `_rebuild_tensor_v2(('storage', <type>, key, 'cpu', count), offset, shape, stride, False, OrderedDict())`.
    mutating func tensor(storageType: String = "FloatStorage", key: String, count: Int32, offset: Int32 = 0,
                         shape: [Int32], stride: [Int32]) {
        global("torch._utils", "_rebuild_tensor_v2")
        mark()
        mark(); string("storage"); global("torch", storageType); string(key); string("cpu"); int32(count); tuple()
        persistentID()
        int32(offset)
        mark(); for s in shape { int32(s) }; tuple()
        mark(); for s in stride { int32(s) }; tuple()
        newFalse()
        global("collections", "OrderedDict"); emptyTuple(); reduce()
        tuple()
        reduce()
    }
}

/// A torch.save-like archive: `archive/data.pkl` plus `archive/data/<key>` storages.
func torchArchive(pickle: [UInt8], storages: [String: [UInt8]] = [:], zip64: Bool = false) -> [UInt8] {
    var builder = ZipBuilder()
    builder.zip64 = zip64
    builder.add("archive/data.pkl", pickle)
    builder.add("archive/byteorder", Array("little".utf8))
    for key in storages.keys.sorted() { builder.add("archive/data/\(key)", storages[key] ?? []) }
    builder.add("archive/version", Array("3\n".utf8))
    return builder.build()
}

/// The little-endian bytes of `values` as float32.
func float32Bytes(_ values: [Float]) -> [UInt8] {
    values.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }
}
