import Foundation
import Testing
import AugLabTestSupport
@testable import CLIP

/// The safetensors writer: what it writes reads back exactly, deterministically, atomically.
@Suite struct SafeTensorsWriterTests {
    static func sample() throws -> SafeTensorsWriter {
        var writer = SafeTensorsWriter(metadata: ["tool": "auglab", "note": "quote \" backslash \\ newline \n tab \t bell \u{07} café 🥐"])
        try writer.add("image_embeds", float32: [1.5, -2, 0, .pi, -.infinity, .leastNonzeroMagnitude], shape: [2, 3])
        try writer.add("ids", int64: [0, -1, .max, .min], shape: [4])
        try writer.add("logit_scale", float32: [4.0], shape: [])
        try writer.add("empty", float32: [], shape: [0, 5])
        return writer
    }

    @Test func writtenFileReadsBackExactly() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("out.safetensors")
        let writer = try Self.sample()
        try writer.write(toPath: path)
        let file = try SafeTensorsFile(path: path)
        #expect(file.names == ["empty", "ids", "image_embeds", "logit_scale"])
        #expect(file.metadata == writer.metadata)
        #expect(file.info("image_embeds") == TensorInfo(name: "image_embeds", dtype: .float32, shape: [2, 3]))
        let floats = try file.floats("image_embeds")
        #expect(floats.map(\.bitPattern) == [1.5, -2, 0, Float.pi, -.infinity, .leastNonzeroMagnitude].map(\.bitPattern))
        #expect(file.info("ids")?.dtype == .int64)
        #expect(try file.integers("ids") == [0, -1, .max, .min])
        #expect(file.info("logit_scale")?.shape == [])
        #expect(try file.floats("logit_scale") == [4.0])
        #expect(file.info("empty")?.shape == [0, 5])
        #expect(try file.floats("empty").isEmpty)
    }

    @Test func headerIsAlignedJSONWithSortedKeys() throws {
        let bytes = try Self.sample().serialized()
        let length = bytes[0..<8].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        #expect(length % 8 == 0)
        let header = try #require(String(bytes: bytes[8..<(8 + length)], encoding: .utf8))
        #expect(header.hasPrefix("{\"__metadata__\":{"))
        #expect(try JSONSerialization.jsonObject(with: Data(header.utf8)) is [String: Any])
        let positions = ["\"empty\"", "\"ids\"", "\"image_embeds\"", "\"logit_scale\""].compactMap { header.range(of: $0)?.lowerBound }
        #expect(positions.count == 4 && positions == positions.sorted())
        #expect(bytes.count == 8 + length + 6 * 4 + 4 * 8 + 4)
    }

    @Test func sameContentGivesSameBytesWhateverTheOrder() throws {
        var a = SafeTensorsWriter(metadata: ["b": "2", "a": "1"])
        try a.add("x", float32: [1, 2], shape: [2])
        try a.add("a", int64: [3], shape: [1])
        var b = SafeTensorsWriter()
        try b.add("a", int64: [3], shape: [1])
        try b.add("x", float32: [1, 2], shape: [2])
        b.metadata = ["a": "1", "b": "2"]
        #expect(a.serialized() == b.serialized())
        #expect(SafeTensorsWriter().serialized().count == 16, "an empty file is the length and \"{}\" padded to 8 bytes")
    }

    @Test func rejectsBadTensors() throws {
        var writer = SafeTensorsWriter()
        #expect { try writer.add("x", float32: [1, 2, 3], shape: [2, 2]) } throws: { errorMentions($0, "3 values", "[2, 2]") }
        #expect { try writer.add("x", float32: [], shape: [-1]) } throws: { errorMentions($0, "invalid shape") }
        #expect { try writer.add("", float32: [1], shape: [1]) } throws: { errorMentions($0, "empty or reserved") }
        #expect { try writer.add("__metadata__", float32: [1], shape: [1]) } throws: { errorMentions($0, "reserved") }
        try writer.add("x", float32: [1], shape: [1])
        #expect { try writer.add("x", int64: [1], shape: [1]) } throws: { errorMentions($0, "already added") }
    }

    @Test func failedWriteLeavesNothingAndKeepsTheOldFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let writer = try Self.sample()
        let missingFolder = directory.path("no/such/folder/out.safetensors")
        #expect { try writer.write(toPath: missingFolder) } throws: { errorMentions($0, missingFolder) }
        let path = directory.path("out.safetensors")
        try Data("old".utf8).write(to: URL(fileURLWithPath: path))
        try writer.write(toPath: path)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(writer.serialized()))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path) == ["out.safetensors"])
    }
}

/// Whether `error` is a `CLIPError` whose description contains every one of `parts`.
func errorMentions(_ error: any Error, _ parts: String...) -> Bool {
    guard let error = error as? CLIPError else { return false }
    return parts.allSatisfy { error.description.contains($0) }
}
