import Foundation
import Testing
import AugLabTestSupport
@testable import CLIP

/// Hand-made broken PyTorch checkpoints: every one gives a clear error naming the file and the problem.
@Suite struct CheckpointMalformedTests {
    private func open(_ bytes: [UInt8], name: String = "broken.pt") throws -> Result<PyTorchCheckpoint, CLIPError> {
        let directory = try TemporaryDirectory(prefix: "auglab-torch")
        defer { directory.remove() }
        let path = try writeFile(bytes, named: name, in: directory)
        do { return .success(try PyTorchCheckpoint(path: path)) } catch { return .failure(error) }
    }

    private func expectError(_ bytes: [UInt8], _ parts: String..., sourceLocation: SourceLocation = #_sourceLocation) throws {
        switch try open(bytes) {
        case .success:
            Issue.record("expected an error mentioning \(parts)", sourceLocation: sourceLocation)
        case .failure(let error):
            #expect(error.path?.hasSuffix("broken.pt") == true, "\(error)", sourceLocation: sourceLocation)
            #expect(parts.allSatisfy { error.description.contains($0) }, "\(error)", sourceLocation: sourceLocation)
        }
    }

    /// `{"w": tensor of 4 floats [1, 2, 3, 4]}` with the given view.
    private func oneTensor(offset: Int32 = 0, shape: [Int32] = [2, 2], stride: [Int32] = [2, 1], count: Int32 = 4,
                           storageType: String = "FloatStorage") -> [UInt8] {
        var p = PickleWriter()
        p.emptyDict(); p.mark(); p.string("w")
        p.tensor(storageType: storageType, key: "0", count: count, offset: offset, shape: shape, stride: stride)
        p.setItems(); p.stop()
        return p.bytes
    }

    @Test func foldersAndMissingFilesAreIOErrors() throws {
        let directory = try TemporaryDirectory(prefix: "auglab-torch")
        defer { directory.remove() }
        let folder = #expect(throws: CLIPError.self) { try MappedFile(path: directory.url.path) }
        #expect(folder?.code == .io)
        #expect(folder?.description == "\(directory.url.path): is a directory, not a regular file")
        let missing = #expect(throws: CLIPError.self) { try SafeTensorsFile(path: directory.path("none.safetensors")) }
        #expect(missing?.code == .io)
        #expect(missing?.description == "\(directory.path("none.safetensors")): cannot open for reading: No such file or directory")
        let empty = try writeFile([], named: "empty.pt", in: directory)
        #expect(try MappedFile(path: empty).count == 0)
    }

    @Test func aHandMadeArchiveReads() throws {
        for zip64 in [false, true] {
            let checkpoint = try open(torchArchive(pickle: oneTensor(), storages: ["0": float32Bytes([1, 2, 3, 4])], zip64: zip64)).get()
            #expect(try checkpoint.floats("w") == [1, 2, 3, 4])
            let transposed = try open(torchArchive(pickle: oneTensor(stride: [1, 2]), storages: ["0": float32Bytes([1, 2, 3, 4])])).get()
            #expect(try transposed.floats("w") == [1, 3, 2, 4])
        }
    }

    // MARK: ZIP

    @Test func aTruncatedArchiveIsRefused() throws {
        let whole = torchArchive(pickle: oneTensor(), storages: ["0": float32Bytes([1, 2, 3, 4])])
        for cut in [1, 10, 30, whole.count / 2, whole.count - 25] {
            try expectError(Array(whole.prefix(whole.count - cut)), "broken.pt")
        }
        try expectError(Array(whole.prefix(whole.count - 1)), "no end-of-central-directory record")
    }

    @Test func centralDirectoryOutsideTheFileIsRefused() throws {
        var bytes = torchArchive(pickle: oneTensor(), storages: ["0": float32Bytes([1, 2, 3, 4])])
        let end = bytes.count - 22
        bytes[end + 16] = 0xFF; bytes[end + 17] = 0xFF; bytes[end + 18] = 0xFF; bytes[end + 19] = 0x7F
        try expectError(bytes, "central directory offset", "larger than the file", "truncated")
    }

    @Test func anEntryRunningIntoTheDirectoryIsRefused() throws {
        var builder = ZipBuilder()
        builder.add("archive/data.pkl", oneTensor())
        builder.add("archive/data/0", float32Bytes([1, 2, 3, 4]))
        var bytes = builder.build()
        // Grow the storage's recorded size in its central directory entry (compressed and uncompressed).
        let central = try #require(findSignature(0x0201_4b50, in: bytes, occurrence: 2))
        bytes[central + 20] = 200; bytes[central + 24] = 200
        try expectError(bytes, "archive/data/0", "runs into the central directory")
    }

    @Test func aZIP64RecordOutOfPlaceIsRefused() throws {
        var bytes = torchArchive(pickle: oneTensor(), storages: ["0": float32Bytes([1, 2, 3, 4])], zip64: true)
        let locator = bytes.count - 22 - 20
        bytes[locator + 8] = 0xFF; bytes[locator + 9] = 0xFF
        try expectError(bytes, "ZIP64")
    }

    @Test func compressedEncryptedAndDuplicateEntriesAreRefused() throws {
        var compressed = ZipBuilder()
        compressed.add("archive/data.pkl", oneTensor(), method: 8)
        try expectError(compressed.build(), "compressed", "re-zipped")
        var encrypted = ZipBuilder()
        encrypted.add("archive/data.pkl", oneTensor(), flags: 1)
        try expectError(encrypted.build(), "encrypted")
        var duplicate = ZipBuilder()
        duplicate.add("archive/data.pkl", oneTensor())
        duplicate.add("archive/data.pkl", oneTensor())
        try expectError(duplicate.build(), "two entries named 'archive/data.pkl'")
    }

    @Test func aCorruptPickleFailsItsChecksum() throws {
        var builder = ZipBuilder()
        builder.add("archive/data.pkl", oneTensor(), crc: 12345)
        try expectError(builder.build(), "CRC-32")
    }

    @Test func anArchiveWithoutAPickleIsRefused() throws {
        var builder = ZipBuilder()
        builder.add("archive/other.txt", [1, 2, 3])
        try expectError(builder.build(), "no archive/data.pkl")
        try expectError(ZipBuilder().build(), "no <folder>/data.pkl")
        try expectError(Array(repeating: 0, count: 100), "no end-of-central-directory record")
    }

    @Test func aBigEndianCheckpointIsRefused() throws {
        var builder = ZipBuilder()
        builder.add("archive/data.pkl", oneTensor())
        builder.add("archive/byteorder", Array("big".utf8))
        try expectError(builder.build(), "byte order", "big")
    }

    // MARK: Pickle

    @Test func anUnsupportedOpcodeIsNamedWithItsOffset() throws {
        var p = PickleWriter()
        p.emptyDict()
        p.bytes += Array("I42\n".utf8)  // protocol-0 INT
        p.stop()
        try expectError(torchArchive(pickle: p.bytes), "INT (0x49)", "archive/data.pkl offset 3")
        var unknown = PickleWriter()
        unknown.op(0xFE)
        try expectError(torchArchive(pickle: unknown.bytes), "0xFE (unknown)")
    }

    @Test func otherProtocolsAreRefused() throws {
        try expectError(torchArchive(pickle: [0x7D, 0x2E]), "no protocol header")
        try expectError(torchArchive(pickle: [0x80, 0x06, 0x7D, 0x2E]), "protocol 6 is not supported")
    }

    @Test func truncatedAndUnbalancedPicklesAreRefused() throws {
        let whole = oneTensor()
        for cut in [1, 5, 40] {
            try expectError(torchArchive(pickle: Array(whole.dropLast(cut)), storages: ["0": float32Bytes([1, 2, 3, 4])]), "pickle")
        }
        try expectError(torchArchive(pickle: [0x80, 0x02, 0x30, 0x2E]), "stack underflow")
        try expectError(torchArchive(pickle: [0x80, 0x02, 0x68, 0x07, 0x2E]), "memo entry 7 is read before it is written")
        try expectError(torchArchive(pickle: [0x80, 0x02, 0x74, 0x2E]), "no MARK")
        // BINUNICODE claiming 4 GB.
        try expectError(torchArchive(pickle: [0x80, 0x02, 0x58, 0xFF, 0xFF, 0xFF, 0xFF, 0x2E]), "runs past the end of the pickle")
        try expectError(torchArchive(pickle: [0x80, 0x02, 0x8B, 0xFF, 0xFF, 0xFF, 0x7F, 0x2E]), "LONG4 length")
    }

    @Test func aForbiddenGlobalIsRecordedButNeverRun() throws {
        // {"w": tensor, "x": os.system("touch ..."), "meta": {"y": builtins.eval("...")}} — nothing may run.
        let directory = try TemporaryDirectory(prefix: "auglab-pwn")
        defer { directory.remove() }
        let marker = directory.path("pwned")
        var p = PickleWriter()
        p.emptyDict(); p.mark()
        p.string("w"); p.tensor(key: "0", count: 4, shape: [4], stride: [1])
        p.string("x"); p.global("os", "system"); p.mark(); p.string("touch \(marker)"); p.tuple(); p.reduce()
        p.string("z"); p.global("builtins", "eval"); p.mark(); p.string("__import__('os').system('touch \(marker)')"); p.tuple(); p.reduce()
        p.setItems(); p.stop()
        let checkpoint = try open(torchArchive(pickle: p.bytes, storages: ["0": float32Bytes([1, 2, 3, 4])])).get()
        #expect(!FileManager.default.fileExists(atPath: marker))
        #expect(checkpoint.names == ["w"])
        #expect(checkpoint.inertCallables == ["builtins.eval", "os.system"])
        #expect(checkpoint.skippedEntries["x"]?.contains("os.system (not on the allow-list; not executed)") == true)
        #expect { try checkpoint.floats("x") } throws: { errorMentions($0, "broken.pt", "'x'", "os.system", "not executed") }
        #expect(try checkpoint.floats("w") == [1, 2, 3, 4])
    }

    @Test func aForbiddenGlobalAtTheTopIsNotADict() throws {
        var p = PickleWriter()
        p.global("os", "system"); p.mark(); p.string("echo"); p.tuple(); p.reduce(); p.stop()
        try expectError(torchArchive(pickle: p.bytes), "os.system", "not executed", "not a dict of tensors")
    }

    @Test func rebuildFromTypeIsFollowedOneLevelOnly() throws {
        // torch._tensor._rebuild_from_type_v2(_rebuild_tensor_v2, torch.Tensor, (...), {}) is how tensors with
        // Python attributes are saved; wrapping it in itself would recurse once per level, so that is refused.
        func wrapped(_ p: inout PickleWriter, levels: Int) {
            for _ in 0..<levels {
                p.global("torch._tensor", "_rebuild_from_type_v2"); p.mark()
                p.global("torch._tensor", "_rebuild_from_type_v2"); p.global("torch", "Tensor"); p.mark()
            }
            p.global("torch._tensor", "_rebuild_from_type_v2"); p.mark()
            p.global("torch._utils", "_rebuild_tensor_v2"); p.global("torch", "Tensor")
            p.mark()
            p.mark(); p.string("storage"); p.global("torch", "FloatStorage"); p.string("0"); p.string("cpu"); p.int32(4); p.tuple()
            p.persistentID(); p.int32(0); p.mark(); p.int32(4); p.tuple(); p.mark(); p.int32(1); p.tuple(); p.newFalse()
            p.global("collections", "OrderedDict"); p.emptyTuple(); p.reduce()
            p.tuple()
            p.emptyDict(); p.tuple(); p.reduce()
            for _ in 0..<levels { p.tuple(); p.emptyDict(); p.tuple(); p.reduce() }
        }
        var p = PickleWriter()
        p.emptyDict(); p.mark()
        p.string("plain"); wrapped(&p, levels: 0)
        p.string("nested"); wrapped(&p, levels: 3)
        p.setItems(); p.stop()
        let checkpoint = try open(torchArchive(pickle: p.bytes, storages: ["0": float32Bytes([1, 2, 3, 4])])).get()
        #expect(try checkpoint.floats("plain") == [1, 2, 3, 4])
        #expect(checkpoint.skippedEntries["nested"]?.contains("torch._tensor._rebuild_from_type_v2") == true)
    }

    // MARK: Storages and views

    @Test func aViewPastItsStorageIsRefusedWhenRead() throws {
        let checkpoint = try open(torchArchive(pickle: oneTensor(offset: 2), storages: ["0": float32Bytes([1, 2, 3, 4])])).get()
        #expect(checkpoint.info("w")?.shape == [2, 2])
        #expect { try checkpoint.floats("w") } throws: { errorMentions($0, "broken.pt", "'w'", "past the end of its 4-element storage") }
        let negative = try open(torchArchive(pickle: oneTensor(stride: [-1, 1]), storages: ["0": float32Bytes([1, 2, 3, 4])])).get()
        #expect { try negative.floats("w") } throws: { errorMentions($0, "'w'", "negative") }
        let huge = try open(torchArchive(pickle: oneTensor(shape: [2, 2], stride: [Int32.max, 1]),
                                         storages: ["0": float32Bytes([1, 2, 3, 4])])).get()
        #expect { try huge.floats("w") } throws: { errorMentions($0, "'w'", "past the end") }
    }

    @Test func aStorageLargerThanItsEntryIsRefused() throws {
        let checkpoint = try open(torchArchive(pickle: oneTensor(count: 400), storages: ["0": float32Bytes([1, 2, 3, 4])])).get()
        #expect { try checkpoint.floats("w") } throws: { errorMentions($0, "'w'", "400 × 4 bytes", "has 16") }
    }

    @Test func aMissingStorageIsRefused() throws {
        let checkpoint = try open(torchArchive(pickle: oneTensor(), storages: [:])).get()
        #expect { try checkpoint.floats("w") } throws: { errorMentions($0, "'w'", "missing from the archive", "archive/data/0") }
    }

    @Test func anUnsupportedStorageTypeIsRefused() throws {
        let checkpoint = try open(torchArchive(pickle: oneTensor(storageType: "ComplexFloatStorage"),
                                               storages: ["0": float32Bytes([1, 2, 3, 4])])).get()
        #expect(checkpoint.info("w") == nil)
        #expect { try checkpoint.floats("w") } throws: { errorMentions($0, "'w'", "torch.ComplexFloatStorage is not supported") }
    }

    @Test func aBadPersistentIdIsRefused() throws {
        var p = PickleWriter()
        p.mark(); p.string("module"); p.string("x"); p.tuple(); p.persistentID(); p.stop()
        try expectError(torchArchive(pickle: p.bytes), "unsupported persistent id")
    }

    @Test func deepNestingAndCyclesNeitherCrashNorHang() throws {
        // 200,000 nested one-element tuples, then a dict that contains itself, under a state dict.
        var p = PickleWriter()
        p.emptyDict(); p.mark()
        p.string("deep"); p.none()
        for _ in 0..<200_000 { p.op(0x85) }  // TUPLE1
        p.string("loop"); p.emptyDict(); p.op(0x71); p.op(0x01)  // BINPUT 1
        p.string("self"); p.op(0x68); p.op(0x01); p.setItem()      // d["self"] = d
        p.string("w"); p.tensor(key: "0", count: 4, shape: [4], stride: [1])
        p.setItems(); p.stop()
        let checkpoint = try open(torchArchive(pickle: p.bytes, storages: ["0": float32Bytes([1, 2, 3, 4])])).get()
        #expect(checkpoint.names == ["w"])
        #expect(checkpoint.skippedEntries["deep"] != nil)
    }

    private func findSignature(_ signature: UInt32, in bytes: [UInt8], occurrence: Int) -> Int? {
        var seen = 0
        for i in 0..<(bytes.count - 3) {
            let value = UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24
            if value == signature {
                seen += 1
                if seen == occurrence { return i }
            }
        }
        return nil
    }
}
