import Foundation
import Testing
import AugLabTestSupport

/// `auglab presets list|show` end to end.
@Suite struct PresetsCommandTests {
    /// The bundled preset files, read directly from the package's Presets folder.
    static func presetFiles() throws -> [String: String] {
        let folder = Fixtures.package("Presets").path
        var files: [String: String] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder) where name.hasSuffix(".yaml") {
            files[String(name.dropLast(5))] = try String(contentsOfFile: folder + "/" + name, encoding: .utf8)
        }
        return files
    }

    @Test func listShowsEveryPresetWithItsDescription() throws {
        let result = try CommandRunner.run(["presets", "list"])
        #expect(result.status == 0, "\(result.standardError)")
        let lines = result.standardOutput.split(separator: "\n").map(String.init)
        let files = try Self.presetFiles()
        #expect(lines.count == files.count && files.count >= 11)
        for (name, yaml) in files {
            let description = try #require(yaml.split(separator: "\n").first { $0.hasPrefix("description: ") })
                .dropFirst("description: ".count)
            #expect(lines.contains { $0.hasPrefix(name + " ") && $0.hasSuffix(String(description)) }, "\(name)")
        }
        #expect(lines.map { String($0.prefix { $0 != " " }) } == files.keys.sorted())
    }

    @Test func showPrintsTheYAMLAndTheExpandedValues() throws {
        let result = try CommandRunner.run(["presets", "show", "rotation-100"])
        #expect(result.status == 0, "\(result.standardError)")
        let yaml = try #require(try Self.presetFiles()["rotation-100"])
        #expect(result.standardOutput.contains(yaml))
        #expect(result.standardOutput.contains("100 variants"))
        #expect(result.standardOutput.contains("rotate, 100 values in degrees (rotation_angle)"))
        let angles: [Double] = (0..<100).map { Double(36 * $0) / 10 }
        let values: [String] = angles.map { angle in angle == angle.rounded() ? String(Int(angle)) : "\(angle)" }
        #expect(result.standardOutput.contains(values.joined(separator: ", ")))
        let grid = try CommandRunner.run(["presets", "show", "rotation-noise-grid"])
        #expect(grid.standardOutput.contains("48 variants (12 × 4, row-major"))
        #expect(grid.standardOutput.contains("axis 2: gaussian_noise, 4 values in intensity"))
    }

    @Test func showTakesAPathAndReportsBadOnes() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("mine.yaml")
        try Data("description: mine\nsweep:\n  operation: jpeg\n  values: [90, 0]\n".utf8).write(to: URL(fileURLWithPath: path))
        let bad = try CommandRunner.run(["presets", "show", path])
        #expect(bad.status != 0)
        #expect(bad.standardError.split(separator: "\n").count == 1)
        #expect(bad.standardError.contains("\(path): field 'sweep.values[1]': JPEG quality must be a whole number in 1...100, got 0"))
        let unknown = try CommandRunner.run(["presets", "show", "nope"])
        #expect(unknown.status != 0 && unknown.standardError.contains("unknown preset 'nope'"))
        try Data("description: mine\nsweep:\n  operation: jpeg\n  values: [90, 10]\n".utf8).write(to: URL(fileURLWithPath: path))
        let good = try CommandRunner.run(["presets", "show", path])
        #expect(good.status == 0 && good.standardOutput.contains("90, 10"))
    }

    @Test func presetsAreFoundThroughTheEnvironmentOverride() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try Data("description: only one\nsweep:\n  operation: brightness\n  values: [1]\n".utf8)
            .write(to: URL(fileURLWithPath: directory.path("solo.yaml")))
        var environment = ProcessInfo.processInfo.environment
        environment["AUGLAB_PRESETS"] = directory.url.path
        let result = try CommandRunner.run(["presets", "list"], environment: environment)
        #expect(result.status == 0)
        #expect(result.standardOutput == "solo  only one\n")
    }
}
