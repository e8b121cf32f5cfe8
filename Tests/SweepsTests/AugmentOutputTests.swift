import Foundation
import Imaging
import Testing
import AugLabTestSupport
@testable import Sweeps

@Suite struct AugmentOutputTests {
    /// Every file of a folder tree with its bytes, by relative path.
    static func contents(of folder: String) throws -> [String: Data] {
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

    func write(_ preset: Preset, to destination: String, format: VariantFileFormat = .png, workers: Int? = nil,
               replace: Bool = false) throws -> AugmentOutput.Summary {
        let generator = VariantGenerator(preset: preset, source: SweepFixtures.source(), seed: 9)
        let staged = try StagedDirectory(destination: destination, replaceExisting: replace)
        let summary = try AugmentOutput.write(generator, into: staged, format: format, workers: workers)
        try staged.commit()
        return summary
    }

    @Test func writesVariantsJSONAndContactSheet() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let preset = try PresetLibrary.bundled(named: "flip")
        let destination = directory.path("out")
        let summary = try write(preset, to: destination)
        let files = try Self.contents(of: destination)
        #expect(Set(files.keys) == ["variants/0000.png", "variants/0001.png", "variants/0002.png", "variants/0003.png",
                                    "variants.json", "contact-sheet.png"])
        // variants.json is the provenance array with `file` set, in sweep order.
        let decoded = try JSONDecoder().decode([VariantProvenance].self, from: try #require(files["variants.json"]))
        #expect(decoded == summary.variants)
        let generator = VariantGenerator(preset: preset, source: SweepFixtures.source(), seed: 9)
        for (index, provenance) in decoded.enumerated() {
            var expected = generator.provenance(at: index)
            expected.file = "variants/000\(index).png"
            #expect(provenance == expected)
            // The saved PNG holds exactly the in-memory variant's pixels.
            let saved = try ImageDecoder.decode(data: [UInt8](try #require(files[expected.file ?? ""]))).image
            #expect(saved == (try generator.variant(at: index).image))
        }
        let sheet = try ImageDecoder.decode(data: [UInt8](try #require(files["contact-sheet.png"]))).image
        #expect(sheet.width == summary.contactSheetSize.width && sheet.height == summary.contactSheetSize.height)
        // No staging folder is left beside the output.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path) == ["out"])
    }

    @Test func outputIsIdenticalRunToRunAndForAnyThreadCount() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let preset = try SweepFixtures.preset("""
            sweep:
              operation: rotate
              values: [0, 10, 20, 30, 40]
            second_sweep:
              operation: gaussian_noise
              values: [0, 0.1, 0.3]
            """)
        _ = try write(preset, to: directory.path("a"), workers: 1)
        _ = try write(preset, to: directory.path("b"), workers: 3)
        let a = try Self.contents(of: directory.path("a")), b = try Self.contents(of: directory.path("b"))
        #expect(a.count == 17 && a == b)
    }

    @Test func jpegVariantsAreWrittenAtQuality95() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let preset = try PresetLibrary.bundled(named: "flip")
        let summary = try write(preset, to: directory.path("out"), format: .jpeg)
        #expect(summary.variants.map(\.file) == (0..<4).map { "variants/000\($0).jpg" })
        let bytes = try Data(contentsOf: URL(fileURLWithPath: directory.path("out/variants/0002.jpg")))
        let generator = VariantGenerator(preset: preset, source: SweepFixtures.source(), seed: 9)
        #expect([UInt8](bytes) == (try JPEGCodec.encode(try generator.variant(at: 2).image, quality: 95)))
    }

    @Test func fileNamesArePaddedToFourDigitsOrMore() {
        #expect(AugmentOutput.fileName(index: 7, count: 100, format: .png) == "0007.png")
        #expect(AugmentOutput.fileName(index: 12345, count: 20000, format: .jpeg) == "12345.jpg")
        #expect(AugmentOutput.fileName(index: 3, count: 20000, format: .png) == "00003.png")
    }

    @Test func existingDestinationNeedsReplace() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let destination = directory.path("out")
        try FileManager.default.createDirectory(atPath: destination, withIntermediateDirectories: false)
        try Data("keep".utf8).write(to: URL(fileURLWithPath: destination + "/mine.txt"))
        #expect {
            try StagedDirectory(destination: destination, replaceExisting: false)
        } throws: { error in
            (error as? SweepError)?.description.contains("already exists") == true
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path) == ["out"])
        // With replacement the old contents go and nothing else is left beside it.
        let preset = try PresetLibrary.bundled(named: "flip")
        _ = try write(preset, to: destination, replace: true)
        #expect(!FileManager.default.fileExists(atPath: destination + "/mine.txt"))
        #expect(FileManager.default.fileExists(atPath: destination + "/variants.json"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path) == ["out"])
    }

    @Test func discardRemovesStagingAndCreatedParents() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let staged = try StagedDirectory(destination: directory.path("runs/deep/out"), replaceExisting: false)
        #expect(FileManager.default.fileExists(atPath: staged.stagingPath))
        #expect(URL(fileURLWithPath: staged.stagingPath).lastPathComponent.hasPrefix(".out.partial-"))
        try staged.createFolder("variants")
        staged.discard()
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path).isEmpty)
        // A file in the way is refused.
        try Data().write(to: URL(fileURLWithPath: directory.path("file")))
        #expect(throws: SweepError.self) { try StagedDirectory(destination: directory.path("file"), replaceExisting: true) }
    }

    @Test func aFailingVariantLeavesNothingCommitted() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // JPEG re-encoding refuses images over 65500 px a side: variant 1 of this sweep fails.
        let preset = try SweepFixtures.preset("sweep:\n  operation: jpeg\n  values: [90]\n")
        let wide = RGBImage(width: 65_501, height: 1, filledWith: (1, 2, 3))
        let generator = VariantGenerator(preset: preset, source: SweepFixtures.source(wide))
        let staged = try StagedDirectory(destination: directory.path("out"), replaceExisting: false)
        #expect(throws: SweepError.self) { try AugmentOutput.write(generator, into: staged) }
        staged.discard()
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path).isEmpty)
    }
}
