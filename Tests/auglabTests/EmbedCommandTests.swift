import Foundation
import Testing
import AugLabTestSupport
import CLIP
import Imaging

/// `auglab embed` end to end: the written file read back against the fixture goldens, the cache,
/// control and precomputed encoders, and bad input.
@Suite struct EmbedCommandTests {
    static let fixtures = Fixtures.shared("fixtures/clip")
    static let pngA = fixtures.appendingPathComponent("png_a_97x61.png").path
    static let pngB = fixtures.appendingPathComponent("png_b_200x300.png").path

    static func captions() throws -> [String] {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: fixtures.appendingPathComponent("captions.json")))
        let list = try #require((json as? [String: Any])?["captions"] as? [[String: Any]])
        return try list.map { try #require($0["text"] as? String) }
    }

    static func cosine(_ a: ArraySlice<Float>, _ b: ArraySlice<Float>) -> Double {
        var dot = 0.0, a2 = 0.0, b2 = 0.0
        for (x, y) in zip(a, b) {
            dot += Double(x) * Double(y); a2 += Double(x) * Double(x); b2 += Double(y) * Double(y)
        }
        return dot / max((a2 * b2).squareRoot(), .leastNormalMagnitude)
    }

    /// Every row of `name` in `file` at cosine ≥ 0.99999 with the same row of `golden` in `reference`.
    static func expectRows(_ file: SafeTensorsFile, _ name: String, match golden: String, in reference: SafeTensorsFile,
                           rows: Int, model: String) throws {
        #expect(file.info(name)?.shape == [rows, 32], "\(model) \(name)")
        let ours = try file.floats(name), expected = try reference.floats(golden)
        try #require(ours.count == rows * 32 && expected.count == rows * 32)
        for row in 0..<rows {
            let slice = (row * 32)..<((row + 1) * 32)
            let similarity = cosine(ours[slice], expected[slice])
            #expect(similarity >= 0.99999, "\(model) \(name) row \(row): cosine \(similarity)")
            let norm = ours[slice].reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            #expect(abs(norm - 1) < 1e-6, "\(model) \(name) row \(row) is L2-normalised (norm \(norm))")
        }
    }

    @Test(arguments: ["rn_openclip", "vit_openclip", "vit_hf"])
    func fixtureModelsGiveTheGoldenEmbeddings(_ model: String) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let out = directory.path("embeddings.safetensors")
        var arguments = ["embed", "--model", Self.fixtures.appendingPathComponent(model).path, "--image", Self.pngA, "--image", Self.pngB,
                         "--out", out, "--cache-dir", directory.path("cache")]
        for caption in try Self.captions() { arguments += ["--caption", caption] }
        let result = try CommandRunner.run(arguments)
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("2 images, 4 captions"))
        let file = try SafeTensorsFile(path: out)
        let golden = try SafeTensorsFile(path: Self.fixtures.appendingPathComponent("\(model)/golden.safetensors").path)
        try Self.expectRows(file, "image_embeds", match: "out.png_image_features_normalized", in: golden, rows: 2, model: model)
        try Self.expectRows(file, "text_embeds", match: "out.text_features_normalized", in: golden, rows: 4, model: model)
        #expect(try file.floats("logit_scale") == (try golden.floats("out.logit_scale")))
        #expect(try file.floats("logit_scale_exp") == (try golden.floats("out.logit_scale_exp")))
        let weights = Self.fixtures.appendingPathComponent("\(model)/model.safetensors").path
        #expect(file.metadata["model_sha256"] == (try SHA256.hexOfFile(atPath: weights)))
        #expect(file.metadata["model_name"] == model && file.metadata["model_kind"] == "clip")
        #expect(file.metadata["tool"]?.hasPrefix("auglab ") == true)
        #expect(file.metadata["auglab_index"]?.contains(SHA256.hex(of: try ImageDecoder.decodeFile(atPath: Self.pngA).image.pixels)) == true)
    }

    @Test func secondRunReadsTheCacheAndWritesTheSameBytes() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let model = Self.fixtures.appendingPathComponent("rn_openclip").path
        func run(_ out: String, _ cache: [String]) throws -> (CommandRunner.Result, Data) {
            let result = try CommandRunner.run(["embed", "--model", model, "--image", Self.pngA, "--image", Self.pngB, "--caption", "a dog",
                                                "--out", directory.path(out)] + cache)
            return (result, try Data(contentsOf: URL(fileURLWithPath: directory.path(out))))
        }
        let cache = ["--cache-dir", directory.path("cache")]
        let (first, firstBytes) = try run("first.safetensors", cache)
        #expect(first.status == 0 && !first.standardError.contains("found in"))
        let (second, secondBytes) = try run("second.safetensors", cache)
        #expect(second.status == 0 && second.standardError.contains("2 of 2 images found"), "\(second.standardError)")
        #expect(secondBytes == firstBytes)
        let (uncached, uncachedBytes) = try run("uncached.safetensors", ["--no-cache"])
        #expect(uncached.status == 0 && uncachedBytes == firstBytes)
        let environment = ProcessInfo.processInfo.environment.merging(["AUGLAB_CACHE_DIR": directory.path("env-cache")]) { $1 }
        let viaEnvironment = try CommandRunner.run(["embed", "--model", model, "--image", Self.pngA, "--out", directory.path("env.safetensors")],
                                                   environment: environment)
        #expect(viaEnvironment.status == 0)
        #expect(FileManager.default.fileExists(atPath: directory.path("env-cache/embeddings-v1")), "AUGLAB_CACHE_DIR is used")
    }

    @Test func controlEncoderWritesImagesOnly() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let out = directory.path("control.safetensors")
        let result = try CommandRunner.run(["embed", "--model", "flip=pixels-mirror", "--image", Self.pngA, "--image", Self.pngB, "--out", out])
        #expect(result.status == 0, "\(result.standardError)")
        let file = try SafeTensorsFile(path: out)
        #expect(file.names == ["image_embeds"])
        #expect(file.info("image_embeds")?.shape == [2, 1024])
        #expect(file.metadata["model_name"] == "flip" && file.metadata["model_kind"] == "control")
        #expect(file.metadata["model_sha256"] == nil)
    }

    @Test func outputServesAsPrecomputedEmbeddings() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let first = directory.path("first.safetensors"), second = directory.path("second.safetensors")
        let run1 = try CommandRunner.run(["embed", "--model", Self.fixtures.appendingPathComponent("vit_hf").path, "--image", Self.pngA,
                                          "--image", Self.pngB, "--caption", "a cat", "--caption", "a dog", "--out", first, "--no-cache"])
        #expect(run1.status == 0, "\(run1.standardError)")
        // png_b under another name is found by its pixels; png_a by its file name.
        let renamed = directory.path("renamed.png")
        try FileManager.default.copyItem(atPath: Self.pngB, toPath: renamed)
        let run2 = try CommandRunner.run(["embed", "--model", first, "--image", renamed, "--image", Self.pngA, "--caption", "a dog",
                                          "--out", second])
        #expect(run2.status == 0, "\(run2.standardError)")
        let a = try SafeTensorsFile(path: first), b = try SafeTensorsFile(path: second)
        let aImages = try a.floats("image_embeds"), bImages = try b.floats("image_embeds")
        #expect(Array(bImages[0..<32]) == Array(aImages[32..<64]) && Array(bImages[32..<64]) == Array(aImages[0..<32]))
        #expect(try b.floats("text_embeds") == Array(try a.floats("text_embeds")[32..<64]))
        #expect(b.metadata["model_kind"] == "precomputed" && b.metadata["model_name"] == "vit_hf")
    }

    @Test func exifOrientationIsAppliedUnlessTurnedOff() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let jpeg = Fixtures.package("Tests/ImagingTests/Resources/codecs/exif_le_6.jpg").path  // orientation 6: a quarter turn
        func size(_ extra: [String]) throws -> (Int, Int) {
            let out = directory.path("exif\(extra.count).safetensors")
            let result = try CommandRunner.run(["embed", "--model", "pixels", "--image", jpeg, "--out", out] + extra)
            #expect(result.status == 0, "\(result.standardError)")
            let index = try #require(try SafeTensorsFile(path: out).metadata["auglab_index"])
            let json = try #require(try JSONSerialization.jsonObject(with: Data(index.utf8)) as? [String: Any])
            let image = try #require((json["images"] as? [[String: Any]])?.first)
            return (try #require(image["width"] as? Int), try #require(image["height"] as? Int))
        }
        let upright = try size([]), stored = try size(["--ignore-exif-orientation"])
        #expect(upright.0 == stored.1 && upright.1 == stored.0 && upright.0 != upright.1)
    }

    @Test func badInputFailsWithOneLineAndWritesNothing() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let notImage = directory.path("notes.png")
        try Data("plain text".utf8).write(to: URL(fileURLWithPath: notImage))
        let brokenModel = directory.path("broken-model")
        try FileManager.default.createDirectory(atPath: brokenModel, withIntermediateDirectories: true)
        let source = Self.fixtures.appendingPathComponent("vit_openclip")
        try FileManager.default.copyItem(atPath: source.appendingPathComponent("config.json").path, toPath: brokenModel + "/config.json")
        let weights = try Data(contentsOf: source.appendingPathComponent("model.safetensors"))
        try weights.prefix(weights.count / 2).write(to: URL(fileURLWithPath: brokenModel + "/model.safetensors"))
        let out = directory.path("out.safetensors")
        let cases: [([String], [String])] = [
            (["--model", "pixels", "--image", directory.path("missing.png")], ["missing.png"]),
            (["--model", "pixels", "--image", notImage], [notImage, "not a PNG or JPEG"]),
            (["--model", directory.path("no-model"), "--image", Self.pngA], ["no such file or folder", "NAME=PATH"]),
            (["--model", directory.url.path, "--image", Self.pngA], ["not a model folder", "looked for"]),
            (["--model", brokenModel, "--image", Self.pngA], [brokenModel, "truncated"]),
            (["--model", "histogram", "--caption", "a cat"], ["no text tower"]),
            (["--model", "pixels", "--image", Self.pngA, "--out", directory.path("no/such/folder/out.safetensors")], ["no/such/folder"]),
        ]
        for (arguments, parts) in cases {
            let full = ["embed"] + arguments + (arguments.contains("--out") ? [] : ["--out", out]) + ["--no-cache"]
            let result = try CommandRunner.run(full)
            #expect(result.status != 0, "\(arguments)")
            let lines = result.standardError.split(separator: "\n")
            #expect(lines.count == 1 && lines.first?.hasPrefix("Error: ") == true, "\(arguments): \(result.standardError)")
            for part in parts { #expect(result.standardError.contains(part), "\(arguments): \(result.standardError) lacks \(part)") }
            #expect(!FileManager.default.fileExists(atPath: out), "\(arguments) left an output file")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path).sorted() == ["broken-model", "notes.png"],
                "no temporary files left behind")
        let nothing = try CommandRunner.run(["embed", "--model", "pixels", "--out", out])
        #expect(nothing.status != 0 && nothing.standardError.contains("nothing to embed"))
    }
}
