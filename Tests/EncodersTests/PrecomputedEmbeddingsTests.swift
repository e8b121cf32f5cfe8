import Foundation
import Testing
import AugLabTestSupport
import CLIP
import Imaging
import Tensors
@testable import Encoders

/// Precomputed embeddings: files written by numpy and the safetensors library (encoders_precomputed.py)
/// are read and looked up by name and by content; malformed .npy, safetensors and index files are refused.
@Suite struct PrecomputedEmbeddingsTests {
    static func path(_ name: String) -> String { EncoderFixtures.reference("precomputed/" + name) }

    struct Expected {
        var images: [[Float]]
        var captions: [[Float]]
        var sha256: [String]
    }

    static func expected() throws -> Expected {
        let json = try JSONValue.read(path: path("expected.json"), what: "expected.json")
        func rows(_ key: String) throws -> [[Float]] {
            try #require(json.objectValue?[key]?.arrayValue).map { row in
                try #require(row.arrayValue).map { Float(try #require($0.doubleValue)) }
            }
        }
        let hashes = try #require(json.objectValue?["sha256"]?.arrayValue).compactMap(\.stringValue)
        return Expected(images: try rows("images"), captions: try rows("captions"), sha256: hashes)
    }

    static func variants() throws -> [ImageInput] {
        try (0..<3).map { ImageInput(try ImageDecoder.decodeFile(atPath: path("v\($0).png")).image, name: "somewhere/else/v\($0).png") }
    }

    @Test(arguments: ["images_f4.npy", "images_f8.npy", "images_v2.npy", "images_v3.npy"])
    func numpyFilesReadExactly(_ file: String) throws {
        let matrix = try NPYFile.readMatrix(atPath: Self.path(file))
        let expected = try Self.expected()
        #expect(matrix.rows == 3 && matrix.columns == 4)
        #expect(matrix.values == expected.images.flatMap { $0 })
    }

    @Test(arguments: ["index.json", "index_f8.json", "index_safetensors.json", "indexed.safetensors"])
    func looksUpByNameAndByContent(_ file: String) throws {
        let embeddings = try PrecomputedEmbeddings.load(Self.path(file))
        let expected = try Self.expected()
        let inputs = try Self.variants()
        #expect(inputs.map { ContentHash.pixels($0.image) }.suffix(2) == expected.sha256.suffix(2))
        // v0 by file name (row 2), v1 by content (row 0), v2 by content and size (row 1).
        let rows = try embeddings.encodeImages(inputs, progress: nil)
        #expect(rows.values == [2, 0, 1].flatMap { expected.images[$0] })
        // Without names, v1 and v2 are still found by content; v0 (listed by name only) is not.
        #expect(try embeddings.encodeImages(inputs.suffix(2).map { ImageInput($0.image) }, progress: nil).values
                == [0, 1].flatMap { expected.images[$0] })
        #expect { try embeddings.encodeImages([ImageInput(inputs[0].image)], progress: nil) } throws: {
            mentions($0, "no precomputed embedding for image 0", expected.sha256[0])
        }
        let captions = try embeddings.encodeCaptions(["a photo of a dog", "a photo of a cat"])
        #expect(captions.values == expected.captions[1] + expected.captions[0])
        #expect { try embeddings.encodeCaptions(["a photo of a bird"]) } throws: { mentions($0, "a photo of a bird") }
        let descriptor = embeddings.descriptor
        #expect(descriptor.kind == .precomputed && descriptor.embeddingDimension == 4 && descriptor.hasTextTower)
        #expect(descriptor.logitScale == EncoderDescriptor.LogitScale(log: 4))
        #expect(descriptor.name == "reference-embeddings", "the index names it")
        #expect(descriptor.cacheIdentity == nil && descriptor.sha256 != nil)
    }

    @Test func contentMatchChecksTheRecordedSize() throws {
        let v2 = try Self.variants()[2].image  // 5×3, listed with width 5 and height 3
        let sameBytesOtherShape = RGBImage(width: 3, height: 5, pixels: v2.pixels)
        let embeddings = try PrecomputedEmbeddings.load(Self.path("index.json"))
        #expect(embeddings.row(for: ImageInput(v2)) == 1)
        #expect(embeddings.row(for: ImageInput(sameBytesOtherShape)) == nil)
    }

    // MARK: Malformed .npy

    @Test func refusesNumpyFilesItCannotUse() throws {
        let cases: [(String, [String])] = [
            ("fortran.npy", ["Fortran order"]), ("big_endian.npy", ["'>f4'", "little-endian"]), ("int32.npy", ["'<i4'"]),
            ("rank1.npy", ["(12,)", "two dimensions"]), ("rank3.npy", ["(3, 2, 2)"]),
        ]
        for (file, parts) in cases {
            #expect(throws: EncoderError.self, "\(file)") { try NPYFile.readMatrix(atPath: Self.path(file)) }
            #expect { try NPYFile.readMatrix(atPath: Self.path(file)) } throws: { mentions($0, [Self.path(file)] + parts) }
        }
    }

    @Test func refusesDamagedNumpyBytes() throws {
        let good = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.path("images_f4.npy"))))
        let headerLength = Int(good[8]) | Int(good[9]) << 8
        let header = String(decoding: good[10..<(10 + headerLength)], as: UTF8.self)
        func withHeader(_ text: String) -> [UInt8] {
            var padded = Array(text.utf8)
            while padded.count < headerLength { padded.insert(0x20, at: padded.count - 1) }
            return Array(good[0..<10]) + padded + Array(good[(10 + headerLength)...])
        }
        var longHeader = good
        longHeader[8] = 0xFF; longHeader[9] = 0xFF
        var version4 = good
        version4[6] = 4
        let cases: [(String, [UInt8], [String])] = [
            ("empty", [], ["shorter than"]),
            ("bad magic", [0x00] + Array(good.dropFirst()), ["\\x93NUMPY"]),
            ("version 4", version4, ["version 4.0"]),
            ("header past the end", Array(good[0..<40]), ["runs past the end"]),
            ("header length at the limit", longHeader, ["runs past the end"]),
            ("one data byte short", Array(good.dropLast()), ["needs 48 data bytes, the file has 47"]),
            ("one data byte extra", good + [0], ["the file has 49"]),
            ("unknown key", withHeader(header.replacingOccurrences(of: "'shape'", with: "'shapes'")), ["unexpected key 'shapes'"]),
            ("no shape", withHeader("{'descr': '<f4', 'fortran_order': False, }\n"), ["'shape' is missing"]),
            ("unterminated", withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4)\n"), ["expected '}'"]),
            ("text after the dict", withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), } x\n"), ["unexpected text"]),
            ("duplicate key", withHeader("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (3, 4)}\n"), ["appears twice"]),
            ("huge dimension", withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999, 4)}\n"), ["too large"]),
            ("overflowing shape", withHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (2147483647, 2147483647)}\n"), ["more than Int.max"]),
            ("zero width", withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 0)}\n"), ["d ≥ 1"]),
        ]
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        for (index, (what, bytes, parts)) in cases.enumerated() {
            let file = directory.path("case\(index).npy")
            try Data(bytes).write(to: URL(fileURLWithPath: file))
            #expect(throws: EncoderError.self, "\(what)") { try NPYFile.readMatrix(atPath: file) }
            #expect("\(what)", performing: { try NPYFile.readMatrix(atPath: file) }, throws: { mentions($0, [file] + parts) })
        }
    }

    // MARK: Malformed index and safetensors

    /// Writes `index` (with `image_embeddings` pointing at the reference images_f4.npy) and loads it.
    static func loadIndex(_ index: String, in directory: TemporaryDirectory) throws -> PrecomputedEmbeddings {
        let file = directory.path("index.json")
        try Data(index.utf8).write(to: URL(fileURLWithPath: file))
        return try PrecomputedEmbeddings.load(file)
    }

    @Test func refusesMalformedIndexes() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let images = Self.path("images_f4.npy"), captions = Self.path("captions.npy")
        let hash = String(repeating: "ab", count: 32)
        let cases: [(String, [String])] = [
            ("[1, 2]", ["must be a JSON object"]),
            ("{\"images\": []", ["not valid JSON"]),
            ("{\"image_embeddings\": \"\(images)\"}", ["needs an \"images\" list"]),
            ("{\"images\": []}", ["needs \"image_embeddings\""]),
            ("{\"image_embeddings\": \"\(images)\", \"images\": [], \"imgs\": []}", ["unknown key 'imgs'"]),
            ("{\"format\": \"v2\", \"image_embeddings\": \"\(images)\", \"images\": []}", ["format is \"v2\""]),
            ("{\"image_embeddings\": \"\(images)\", \"images\": [{\"row\": 0}]}", ["needs \"file\" or \"sha256\"", "images[0]"]),
            ("{\"image_embeddings\": \"\(images)\", \"images\": [{\"sha256\": \"xyz\"}]}", ["sha256 must be 64 hex digits"]),
            ("{\"image_embeddings\": \"\(images)\", \"images\": [{\"file\": \"a.png\", \"row\": 3}]}", ["row 3", "3 rows"]),
            ("{\"image_embeddings\": \"\(images)\", \"images\": [{\"file\": \"a.png\", \"row\": -1}]}", ["non-negative integer"]),
            ("{\"image_embeddings\": \"\(images)\", \"images\": [{\"file\": \"x/a.png\"}, {\"file\": \"y/a.png\"}]}", ["'a.png' is listed twice"]),
            ("{\"image_embeddings\": \"\(images)\", \"images\": [{\"sha256\": \"\(hash)\", \"width\": 4}]}", ["both width and height"]),
            ("{\"image_embeddings\": \"\(images)\", \"images\": [{\"file\": \"a.png\", \"color\": 1}]}", ["unknown key 'color'"]),
            ("{\"image_embeddings\": \"\(images)\", \"images\": [], \"captions\": [\"a cat\"]}", ["no text embeddings"]),
            ("{\"image_embeddings\": \"\(images)\", \"text_embeddings\": \"\(captions)\", \"images\": [], \"captions\": [{\"text\": \"a\", \"row\": 2}]}",
             ["captions[0] names row 2", "2 rows"]),
            ("{\"image_embeddings\": \"\(images)\", \"images\": [], \"captions\": [7]}", ["a caption entry must be"]),
            ("{\"image_embeddings\": \"\(images)\", \"images\": [], \"logit_scale\": \"big\"}", ["logit_scale must be a finite number"]),
            ("{\"image_embeddings\": \"missing.npy\", \"images\": []}", ["missing.npy", "cannot open"]),
            ("{\"embed_dim\": 32, \"vision_cfg\": {}}", ["looks like a model configuration", "model's folder"]),
            ("{\"image_embeddings\": \"\(images)\", \"text_embeddings\": \"\(Self.path("rank1.npy"))\", \"images\": []}", ["two dimensions"]),
        ]
        for (text, parts) in cases {
            #expect(throws: EncoderError.self, "\(text)") { try Self.loadIndex(text, in: directory) }
            #expect("\(text)", performing: { try Self.loadIndex(text, in: directory) }, throws: { mentions($0, parts) })
        }
    }

    @Test func refusesSafeTensorsItCannotUse() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        func write(_ name: String, _ build: (inout SafeTensorsWriter) throws -> Void) throws -> String {
            var writer = SafeTensorsWriter()
            try build(&writer)
            let file = directory.path(name)
            try writer.write(toPath: file)
            return file
        }
        let noIndex = try write("no_index.safetensors") { try $0.add("image_embeds", float32: [1, 2], shape: [1, 2]) }
        #expect { try PrecomputedEmbeddings.load(noIndex) } throws: { mentions($0, noIndex, "without an index") }
        let noImages = try write("no_images.safetensors") { try $0.add("text_embeds", float32: [1, 2], shape: [1, 2]) }
        #expect { try PrecomputedEmbeddings.load(noImages) } throws: { mentions($0, "'image_embeds'") }
        let rank = try write("rank.safetensors") { try $0.add("image_embeds", float32: [1, 2], shape: [2]) }
        #expect { try PrecomputedEmbeddings.load(rank) } throws: { mentions($0, "[n, d]") }
        let integers = try write("int.safetensors") { try $0.add("image_embeds", int64: [1, 2], shape: [1, 2]) }
        #expect { try PrecomputedEmbeddings.load(integers) } throws: { mentions($0, "I64") }
        let widths = try write("widths.safetensors") {
            try $0.add("image_embeds", float32: [1, 2], shape: [1, 2])
            try $0.add("text_embeds", float32: [1, 2, 3], shape: [1, 3])
            $0.metadata = [PrecomputedEmbeddings.metadataKey: "{\"images\": [{\"file\": \"a.png\"}]}"]
        }
        #expect { try PrecomputedEmbeddings.load(widths) } throws: { mentions($0, "3 columns", "2") }
        let badIndex = try write("bad_index.safetensors") {
            try $0.add("image_embeds", float32: [1, 2], shape: [1, 2])
            $0.metadata = [PrecomputedEmbeddings.metadataKey: "{\"images\": [{\"file\": "]
        }
        #expect { try PrecomputedEmbeddings.load(badIndex) } throws: { mentions($0, "not valid JSON") }
        var truncated = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.path("indexed.safetensors"))))
        truncated.removeLast(5)
        let cut = directory.path("cut.safetensors")
        try Data(truncated).write(to: URL(fileURLWithPath: cut))
        #expect { try PrecomputedEmbeddings.load(cut) } throws: { mentions($0, cut, "truncated") }
    }

    @Test func indexWrittenByAugLabReadsBack() throws {
        let index = EmbeddingIndex(name: "n", modelSHA256: String(repeating: "0f", count: 32), logitScale: 2.5,
                                   images: [EmbeddingIndex.Image(file: "a/b.png", sha256: String(repeating: "cd", count: 32), width: 3, height: 2, row: 0),
                                            EmbeddingIndex.Image(file: "c.png", row: 5)],
                                   captions: [EmbeddingIndex.Caption(text: "x \"quoted\" é", row: 0), EmbeddingIndex.Caption(text: "y", row: 4)])
        let parsed = try EmbeddingIndex.parse(JSONValue.parse(Data(index.json.utf8), path: nil, what: "index"), path: nil)
        #expect(parsed == index)
    }
}

/// `mentions` with the parts as an array.
func mentions(_ error: any Error, _ parts: [String]) -> Bool {
    guard let error = error as? EncoderError else { return false }
    return parts.allSatisfy { error.description.contains($0) }
}
