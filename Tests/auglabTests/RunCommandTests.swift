import AugLabTestSupport
import CLIP
import Foundation
import Testing

/// `auglab run` end to end: the CLIP fixtures with a caption, byte-identical reruns, no NaN on
/// degenerate input, one-line errors that leave no folder, and the report's size bound.
@Suite struct RunCommandTests {
    static let fixtures = Fixtures.shared("fixtures/clip")
    static func image(_ name: String) -> String { Fixtures.package("Images/\(name)").path }

    static func json(_ path: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
    }

    static func findings(_ summary: [String: Any]) throws -> [[String: Any]] {
        try #require(summary["findings"] as? [[String: Any]])
    }

    @Test func tinyCLIPFixturesRunEndToEndWithACaption() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let out = directory.path("run")
        var arguments = ["run", "--image", Self.image("chelsea.png"), "--caption", "a photo of a cat", "--preset", "rotation-circular",
                         "--preset", "flip", "--preset", "noise-100", "--seeds", "2", "--no-cache", "--out", out, "--quiet"]
        for model in ["rn_openclip", "vit_openclip", "vit_hf"] {
            arguments += ["--model", Self.fixtures.appendingPathComponent(model).path]
        }
        let result = try CommandRunner.run(arguments)
        #expect(result.status == 0, "\(result.standardError)")
        let summary = try Self.json(out + "/summary.json")
        let models = try #require(summary["models"] as? [[String: Any]])
        #expect(models.compactMap { $0["name"] as? String } == ["rn_openclip", "vit_openclip", "vit_hf"])
        for model in models {
            #expect((model["sha256"] as? String)?.count == 64)
            #expect(model["logit_scale"] as? Double == 4)
        }
        let findings = try Self.findings(summary)
        for model in ["rn_openclip", "vit_openclip", "vit_hf"] {
            let detectors = Set(findings.filter { $0["model"] as? String == model }.compactMap { $0["detector"] as? String })
            #expect(detectors == ["periodicity_90", "antidiagonal", "flip_explicit", "collapse_threshold", "crossmodal"], "\(model): \(detectors)")
        }
        #expect(summary["comparison"] is [String: Any], "several models: a comparison table")
        let prompts = try #require(summary["distractor_prompts"] as? [String])
        #expect(!prompts.contains("a photo of a cat."), "the caption's class is not a distractor")
        let matrices = try SafeTensorsFile(path: out + "/matrices/chelsea__noise-100__vit_hf.safetensors")
        #expect(matrices.info("image_image")?.shape == [100, 100])
        #expect(matrices.info("image_image.replicate_1")?.shape == [100, 100])
        #expect(matrices.info("image_text")?.shape == [100, 1 + prompts.count])
        #expect(matrices.info("text_text")?.shape == [1 + prompts.count, 1 + prompts.count])
        #expect(FileManager.default.fileExists(atPath: out + "/report.html"))
        #expect(FileManager.default.fileExists(atPath: out + "/heatmaps/chelsea__flip__vit_hf.png"))
    }

    @Test func theSameCommandTwiceWritesTheSameBytesAndNoNaN() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var outputs: [String] = []
        for name in ["first", "second"] {
            let out = directory.path(name)
            let result = try CommandRunner.run(["run", "--image", Self.image("synthetic_glyph_F.png"), "--preset", "rotation-100",
                                                "--preset", "flip", "--preset", "noise-100", "--seeds", "2", "--model", "pixels",
                                                "--model", "histogram", "--no-report", "--out", out])
            #expect(result.status == 0, "\(result.standardError)")
            #expect(result.standardError.contains("variants generated and embedded"), "progress on stderr")
            #expect(result.standardOutput.contains("periodicity_90"), "a table of findings")
            outputs.append(out)
        }
        let files = try FileManager.default.subpathsOfDirectory(atPath: outputs[0]).filter { !$0.hasSuffix("/") }.sorted()
        #expect(files == (try FileManager.default.subpathsOfDirectory(atPath: outputs[1]).sorted()))
        for file in files where file.hasSuffix(".json") || file.hasSuffix(".csv") || file.hasSuffix(".safetensors") {
            let a = try Data(contentsOf: URL(fileURLWithPath: outputs[0] + "/" + file))
            let b = try Data(contentsOf: URL(fileURLWithPath: outputs[1] + "/" + file))
            #expect(a == b, "\(file) differs between two runs")
        }
        let text = try String(contentsOfFile: outputs[0] + "/summary.json", encoding: .utf8)
        #expect(!text.contains(directory.url.path), "no output path in summary.json")
        #expect(!text.lowercased().contains("nan") && !text.contains("inf\""), "no NaN or infinity")
        // pixels on the flat grey mask control: the unrotated variants have zero-norm embeddings.
        let summary = try Self.json(outputs[0] + "/summary.json")
        let warnings = try #require(summary["warnings"] as? [[String: Any]])
        #expect(warnings.contains { $0["code"] as? String == "zero-norm-embedding" })
        let csv = try String(contentsOfFile: outputs[0] + "/findings.csv", encoding: .utf8)
        let rows = csv.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(rows.first?.hasPrefix("image,model,preset,detector,component,detected,verdict") == true)
        #expect(rows.count == 1 + (try Self.findings(summary)).count)
        let rotation = try Self.findings(summary).filter { $0["preset"] as? String == "rotation-100" }
        #expect(!rotation.isEmpty && rotation.allSatisfy { $0["control"] is [String: Any] }, "rotation findings carry their control")
        // Two models: the difference matrix of every main sweep is model A − model B, cell by cell.
        let difference = try SafeTensorsFile(path: outputs[0] + "/differences/synthetic_glyph_F__rotation-100__pixels-minus-histogram.safetensors")
        let a = try SafeTensorsFile(path: outputs[0] + "/matrices/synthetic_glyph_F__rotation-100__pixels.safetensors")
        let b = try SafeTensorsFile(path: outputs[0] + "/matrices/synthetic_glyph_F__rotation-100__histogram.safetensors")
        let raw = try difference.floats("difference")
        let expected = zip(try a.floats("image_image"), try b.floats("image_image")).map { $0 - $1 }
        #expect(raw.count == 100 * 100 && raw == expected)
        #expect(difference.info("normalized_difference")?.shape == [100, 100])
        #expect(FileManager.default.fileExists(atPath: outputs[0] + "/heatmaps/synthetic_glyph_F__rotation-100__pixels-minus-histogram.png"))
    }

    @Test(arguments: [
        (["--image", "/nonexistent/photo.png"], "/nonexistent/photo.png"),
        (["--image", "Images/chelsea.png", "--preset", "no-such-preset"], "no-such-preset"),
        (["--image", "Images/chelsea.png", "--model", "name="], "empty path"),
        (["--image", "Images/chelsea.png", "--model", "pixelz"], "pixelz"),
        (["--image", "Images/chelsea.png", "--model", "/nonexistent/model-folder"], "/nonexistent/model-folder"),
        (["--image", "Images/chelsea.png", "--seeds", "0"], "--seeds"),
    ])
    func badInputsGiveOneLineAndNoFolder(_ arguments: [String], _ mentioned: String) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let out = directory.path("run")
        let result = try CommandRunner.run(["run"] + arguments + ["--out", out])
        #expect(result.status != 0)
        let lines = result.standardError.split(separator: "\n").filter { !$0.hasPrefix("Usage:") && !$0.hasPrefix("  See") && !$0.isEmpty }
        #expect(lines.count == 1, "\(result.standardError)")
        #expect(result.standardError.contains(mentioned), "\(result.standardError)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path).isEmpty, "no output folder or leftovers")
    }

    @Test func theDefaultSuiteOnBundledPhotosGivesAReportUnderTenMegabytes() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let out = directory.path("run")
        let result = try CommandRunner.run(["run", "--image", "Images/chelsea.png", "--image", "Images/astronaut.png",
                                            "--image", "Images/coffee.png", "--out", out, "--quiet"])
        #expect(result.status == 0, "\(result.standardError)")
        let size = try #require(try FileManager.default.attributesOfItem(atPath: out + "/report.html")[.size] as? Int)
        #expect(size > 100_000 && size < 10_000_000, "report.html is \(size) bytes")
        let summary = try Self.json(out + "/summary.json")
        let notes = try #require(summary["notes"] as? [String])
        #expect(notes.contains { $0.contains("--model rn50=") }, "says how to add a CLIP checkpoint")
        let presets = try #require(summary["presets"] as? [[String: Any]])
        #expect(presets.compactMap { $0["name"] as? String } == ["rotation-100", "flip", "noise-100", "blur-100"])
        #expect(presets.first { $0["name"] as? String == "noise-100" }?["replicates"] as? Int == 3)
    }
}
