import Foundation
import Testing
import AugLabTestSupport

/// `auglab augment` end to end: the built executable run as a user would.
@Suite struct AugmentCommandTests {
    static let glyph = Fixtures.package("Images/synthetic_glyph_F.png").path
    static let c4 = Fixtures.package("Images/synthetic_c4.png").path

    /// A small seeded 2-D preset (noise makes determinism meaningful).
    static let smallPreset = """
        description: Small test sweep, 3 angles times 2 noise levels.
        square_crop: true
        sweep:
          operation: rotate
          values: [0, 45, 90]
          interpolation: bilinear
        second_sweep:
          operation: gaussian_noise
          values: [0.05, 0.2]
        """

    /// Every file below `folder` with its bytes, by relative path.
    static func tree(_ folder: String) throws -> [String: Data] {
        var files: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(atPath: folder)
        while let relative = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            let path = folder + "/" + relative
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
                files[relative] = try Data(contentsOf: URL(fileURLWithPath: path))
            }
        }
        return files
    }

    static func variants(in folder: String) throws -> [[String: Any]] {
        let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/variants.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
    }

    /// Checks a failed run: status ≠ 0, one line on stderr containing `parts`, and only
    /// `expectedEntries` in the working folder (no output folder, no staging folder).
    static func expectCleanFailure(_ result: CommandRunner.Result, in directory: TemporaryDirectory,
                                   contains parts: [String], leaving expectedEntries: Set<String>,
                                   sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(result.status != 0, sourceLocation: sourceLocation)
        let lines = result.standardError.split(separator: "\n", omittingEmptySubsequences: true)
        #expect(lines.count == 1, "stderr: \(result.standardError)", sourceLocation: sourceLocation)
        for part in parts {
            #expect(result.standardError.contains(part), "'\(part)' not in: \(result.standardError)",
                    sourceLocation: sourceLocation)
        }
        let entries = Set(try FileManager.default.contentsOfDirectory(atPath: directory.url.path))
        #expect(entries == expectedEntries, sourceLocation: sourceLocation)
    }

    @Test func writesVariantsJSONAndContactSheet() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let out = directory.path("flip")
        let result = try CommandRunner.run(["augment", Self.glyph, "--preset", "flip", "--out", out])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("wrote 4 variants"))
        let files = try Self.tree(out)
        #expect(Set(files.keys) == ["variants/0000.png", "variants/0001.png", "variants/0002.png", "variants/0003.png",
                                    "variants.json", "contact-sheet.png"])
        let variants = try Self.variants(in: out)
        #expect(variants.count == 4)
        for (index, variant) in variants.enumerated() {
            #expect(variant["index"] as? Int == index)
            #expect(variant["file"] as? String == "variants/000\(index).png")
            #expect(variant["operation"] as? String == "dihedral" && variant["unit"] as? String == "element")
            #expect(variant["preset"] as? String == "flip" && variant["sweep_seed"] as? Int == 0)
            let sourceInfo = try #require(variant["source"] as? [String: Any])
            #expect(sourceInfo["path"] as? String == Self.glyph)
            #expect((sourceInfo["sha256"] as? String)?.count == 64)
            #expect(sourceInfo["width"] as? Int == 256 && sourceInfo["height"] as? Int == 256)
        }
        #expect(variants.map { $0["value"] as? String } == ["identity", "flip_horizontal", "flip_vertical", "flip_both"])
        // The mirrored glyph differs from the original; flipping twice is exact, so no two files collide.
        #expect(Set(files.filter { $0.key.hasPrefix("variants/") }.values).count == 4)
    }

    @Test func theSameCommandTwiceWritesTheSameBytes() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let preset = directory.path("small.yaml")
        try Data(Self.smallPreset.utf8).write(to: URL(fileURLWithPath: preset))
        var trees: [[String: Data]] = []
        for name in ["a", "b"] {
            let result = try CommandRunner.run(["augment", Self.glyph, "--preset", preset, "--seed", "11",
                                                "--out", directory.path(name), "--quiet"])
            #expect(result.status == 0, "\(result.standardError)")
            #expect(result.standardError.isEmpty)
            trees.append(try Self.tree(directory.path(name)))
        }
        #expect(trees[0].count == 8 && trees[0] == trees[1])
        // Another seed changes the noisy variants.
        let other = try CommandRunner.run(["augment", Self.glyph, "--preset", preset, "--seed", "12",
                                           "--out", directory.path("c"), "--quiet"])
        #expect(other.status == 0)
        let third = try Self.tree(directory.path("c"))
        #expect(third["variants/0001.png"] != trees[0]["variants/0001.png"])
        let variants = try Self.variants(in: directory.path("a"))
        #expect(variants.count == 6)
        #expect(variants.map { ($0["axes"] as? [[String: Any]])?.map { $0["index"] as? Int } ?? [] }
                == [[0, 0], [0, 1], [1, 0], [1, 1], [2, 0], [2, 1]].map { $0.map(Optional.some) })
        #expect(variants.first?["preset"] as? String == "small" && variants.first?["preset_path"] as? String == preset)
    }

    @Test func aShipped100StepPresetOnASmallImage() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let result = try CommandRunner.run(["augment", Self.c4, "--preset", "rotation-100", "--out", directory.path("r")])
        #expect(result.status == 0, "\(result.standardError)")
        let variants = try Self.variants(in: directory.path("r"))
        #expect(variants.count == 100)
        #expect(variants.map { $0["value"] as? Double } == (0..<100).map { Double(36 * $0) / 10 })
        #expect(FileManager.default.fileExists(atPath: directory.path("r/variants/0099.png")))
        // Progress went to stderr (one line per 10% when stderr is not a terminal).
        #expect(result.standardError.contains("100/100"))
        #expect(result.standardError.split(separator: "\n").count == 10)
    }

    @Test func defaultOutputFolderAndFlagsInTheProvenance() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let jpeg = Fixtures.package("Tests/ImagingTests/Resources/codecs/exif_le_6.jpg").path
        let result = try CommandRunner.run(["augment", jpeg, "--preset", "d4", "--ignore-exif-orientation",
                                            "--mask-control", "--seed", "3", "--format", "jpeg", "--quiet"],
                                           workingDirectory: directory.url)
        #expect(result.status == 0, "\(result.standardError)")
        let out = directory.path("runs/augment-exif_le_6-d4-mask-control")
        let variants = try Self.variants(in: out)
        #expect(variants.count == 8)
        let first = try #require(variants.first)
        #expect(first["source_kind"] as? String == "mid-grey" && first["sweep_seed"] as? Int == 3)
        #expect(first["file"] as? String == "variants/0000.jpg")
        let source = try #require(first["source"] as? [String: Any])
        #expect(source["exif_orientation"] as? Int == 6 && source["exif_orientation_applied"] as? Bool == false)
        #expect(source["format"] as? String == "jpeg")
        #expect(FileManager.default.fileExists(atPath: out + "/variants/0007.jpg"))
    }

    @Test func badImagesFailCleanly() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try Data().write(to: URL(fileURLWithPath: directory.path("empty.png")))
        try Data("just some text\n".utf8).write(to: URL(fileURLWithPath: directory.path("text.png")))
        let inputs: Set<String> = ["empty.png", "text.png"]
        for (name, problem) in [("empty.png", "empty.png: "), ("text.png", "not a PNG or JPEG file"),
                                ("missing.png", "missing.png: image file not found")] {
            let result = try CommandRunner.run(["augment", directory.path(name), "--preset", "flip",
                                                "--out", directory.path("out")])
            try Self.expectCleanFailure(result, in: directory, contains: [directory.path(name), problem],
                                        leaving: inputs)
        }
        // Over the pixel limit (256×256 is 0.066 megapixels).
        let result = try CommandRunner.run(["augment", Self.glyph, "--preset", "flip", "--max-megapixels", "0.01",
                                            "--out", directory.path("out")])
        try Self.expectCleanFailure(result, in: directory, contains: ["over the pixel limit"], leaving: inputs)
    }

    @Test func badPresetsAndOptionsFailCleanly() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let bad = directory.path("bad.yaml")
        try Data("description: x\nsweep:\n  operation: rotate\n  values: [0]\n  interpolation: cubic\n".utf8)
            .write(to: URL(fileURLWithPath: bad))
        let inputs: Set<String> = ["bad.yaml"]
        let out = directory.path("out")
        try Self.expectCleanFailure(
            try CommandRunner.run(["augment", Self.glyph, "--preset", bad, "--out", out]), in: directory,
            contains: ["\(bad): field 'sweep.interpolation': 'cubic' is not one of nearest, bilinear, bicubic"],
            leaving: inputs)
        try Self.expectCleanFailure(
            try CommandRunner.run(["augment", Self.glyph, "--preset", "no-such-preset", "--out", out]), in: directory,
            contains: ["unknown preset 'no-such-preset'", "rotation-100"], leaving: inputs)
        try Self.expectCleanFailure(
            try CommandRunner.run(["augment", Self.glyph, "--preset", directory.path("missing.yaml"), "--out", out]),
            in: directory, contains: ["missing.yaml: preset file not found"], leaving: inputs)
        try Self.expectCleanFailure(
            try CommandRunner.run(["augment", Self.glyph, "--preset", "flip", "--format", "gif", "--out", out]),
            in: directory, contains: ["--format 'gif' is not one of png, jpeg"], leaving: inputs)
        try Self.expectCleanFailure(
            try CommandRunner.run(["augment", Self.glyph, "--preset", "flip", "--max-megapixels", "0", "--out", out]),
            in: directory, contains: ["--max-megapixels"], leaving: inputs)
    }

    @Test func anExistingOutputFolderNeedsForce() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let out = directory.path("out")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: false)
        try Data("mine".utf8).write(to: URL(fileURLWithPath: out + "/notes.txt"))
        let refused = try CommandRunner.run(["augment", Self.glyph, "--preset", "flip", "--out", out])
        try Self.expectCleanFailure(refused, in: directory, contains: ["already exists", "--force"], leaving: ["out"])
        #expect(try Self.tree(out).keys.sorted() == ["notes.txt"])
        let forced = try CommandRunner.run(["augment", Self.glyph, "--preset", "flip", "--out", out, "--force", "--quiet"])
        #expect(forced.status == 0, "\(forced.standardError)")
        #expect(try Self.tree(out).count == 6)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path) == ["out"])
    }

    @Test func helpDescribesTheOptions() throws {
        let result = try CommandRunner.run(["augment", "--help"])
        #expect(result.status == 0)
        for option in ["--preset", "--out", "--format", "--seed", "--ignore-exif-orientation", "--max-megapixels",
                       "--mask-control", "--force", "variants.json", "contact-sheet.png"] {
            #expect(result.standardOutput.contains(option), "\(option)")
        }
    }
}

/// Interrupting `augment` removes the unfinished folder.
@Suite struct AugmentInterruptTests {
    @Test func sigintRemovesTheUnfinishedOutput() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // A long run: 100 noisy variants of a 1411×1411 JPEG (seconds of work even in release).
        let process = Process()
        process.executableURL = CommandRunner.productsDirectory.appendingPathComponent("auglab")
        process.arguments = ["augment", Fixtures.package("Images/retina.jpg").path, "--preset", "noise-100",
                             "--out", directory.path("out"), "--quiet"]
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // Wait until the staging folder holds a first variant, then interrupt.
        var started = false
        for _ in 0..<400 where !started {
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory.url.path)) ?? []
            if let staging = entries.first(where: { $0.hasPrefix(".out.partial-") }) {
                let variants = (try? FileManager.default.contentsOfDirectory(atPath: directory.path(staging + "/variants"))) ?? []
                started = variants.contains { $0.hasSuffix(".png") }
            }
            if !started { usleep(25_000) }
        }
        #expect(started, "the run never started writing")
        process.interrupt()
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path).isEmpty)
    }
}
