import AugLabTestSupport
import Foundation
import Testing

/// `auglab analyze` on `augment` + `embed` output finds exactly what `auglab run` finds.
@Suite struct AnalyzeCommandTests {
    static func findings(_ path: String) throws -> [NSDictionary] {
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        return try #require(summary["findings"] as? [NSDictionary])
    }

    @Test func analyzeOnAugmentAndEmbedOutputGivesTheFindingsOfRun() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let image = "Images/synthetic_hmirror.png"
        let run = try CommandRunner.run(["run", "--image", image, "--preset", "rotation-circular", "--preset", "flip",
                                         "--model", "pixels-mirror", "--no-report", "--out", directory.path("run"), "--quiet"])
        #expect(run.status == 0, "\(run.standardError)")
        // The same sweeps by hand: the rotation, its mask control, the flips.
        var variantFiles: [String] = []
        var images: [String] = []
        for (name, extra) in [("rotation", ["--preset", "rotation-circular"]), ("mask", ["--preset", "rotation-circular", "--mask-control"]),
                              ("flip", ["--preset", "flip"])] {
            let out = directory.path(name)
            let augment = try CommandRunner.run(["augment", image] + extra + ["--out", out, "--quiet"])
            #expect(augment.status == 0, "\(augment.standardError)")
            variantFiles.append(out + "/variants.json")
            let files = try FileManager.default.contentsOfDirectory(atPath: out + "/variants").sorted()
            images += files.map { out + "/variants/" + $0 }
        }
        // Then the clean images for the baseline, in the order run uses: the image, then the references.
        images += [image] + ["astronaut.png", "camera.png", "chelsea.png", "coffee.png", "retina.jpg", "rocket.jpg"].map { "Images/" + $0 }
        let embeddings = directory.path("embeddings.safetensors")
        let embed = try CommandRunner.run(["embed", "--model", "pixels-mirror", "--out", embeddings, "--quiet"]
                                          + images.flatMap { ["--image", $0] })
        #expect(embed.status == 0, "\(embed.standardError)")
        let analyze = try CommandRunner.run(["analyze", "--embeddings", embeddings, "--no-report", "--out", directory.path("analyze"),
                                             "--quiet"] + variantFiles.flatMap { ["--variants", $0] })
        #expect(analyze.status == 0, "\(analyze.standardError)")
        let expected = try Self.findings(directory.path("run") + "/summary.json")
        let found = try Self.findings(directory.path("analyze") + "/summary.json")
        #expect(expected.count == found.count)
        #expect(!expected.isEmpty)
        for (a, b) in zip(expected, found) {
            #expect(a == b, "run: \(a)\nanalyze: \(b)")
        }
        #expect(FileManager.default.fileExists(atPath: directory.path("analyze") + "/matrices/synthetic_hmirror__flip__pixels-mirror.safetensors"))
    }

    @Test func aVariantsFileThatIsNotOneIsAOneLineError() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let bogus = directory.path("variants.json")
        try Data("{\"not\": \"a list\"}".utf8).write(to: URL(fileURLWithPath: bogus))
        let embeddings = directory.path("e.safetensors")
        let embed = try CommandRunner.run(["embed", "--model", "pixels", "--image", "Images/synthetic_c4.png", "--out", embeddings, "--quiet"])
        #expect(embed.status == 0)
        let result = try CommandRunner.run(["analyze", "--embeddings", embeddings, "--variants", bogus, "--out", directory.path("out")])
        #expect(result.status != 0)
        #expect(result.standardError.contains(bogus))
        #expect(!FileManager.default.fileExists(atPath: directory.path("out")))
    }
}
