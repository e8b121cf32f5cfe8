import Foundation
import Testing
import AugLabTestSupport
@testable import Sweeps

/// Bad presets are refused with one line naming the file, the field and what is allowed.
@Suite struct PresetValidationTests {
    static let path = "Presets/x.yaml"

    /// The error for `yaml`, or nil when it parsed.
    func error(_ yaml: String) -> SweepError? {
        do {
            _ = try Preset(yaml: yaml, name: "x", path: Self.path)
            return nil
        } catch {
            return error
        }
    }

    /// A valid preset body with `sweep` replaced.
    func preset(sweep: String, extra: String = "") -> String {
        "description: test preset\n\(extra)sweep:\n\(sweep)"
    }

    func expectError(_ yaml: String, contains parts: [String], line: Int? = nil,
                     sourceLocation: SourceLocation = #_sourceLocation) {
        guard let error = error(yaml) else {
            Issue.record("expected an error", sourceLocation: sourceLocation)
            return
        }
        let text = error.description
        #expect(text.hasPrefix("\(Self.path): "), "\(text)", sourceLocation: sourceLocation)
        #expect(!text.contains("\n"), "\(text)", sourceLocation: sourceLocation)
        #expect(error.code == .invalidInput, sourceLocation: sourceLocation)
        for part in parts {
            #expect(text.contains(part), "'\(part)' not in: \(text)", sourceLocation: sourceLocation)
        }
        if let line { #expect(error.location == "line \(line)", "\(text)", sourceLocation: sourceLocation) }
    }

    @Test func aValidMinimalPresetParses() throws {
        let preset = try Preset(yaml: preset(sweep: "  operation: rotate\n  values: [0, 90]\n"), name: "x", path: Self.path)
        #expect(preset.definition.count == 2)
        #expect(preset.definition.axes[0].operation == .rotate(interpolation: .bilinear, fill: .black, crop: .none))
        #expect(!preset.definition.squareCrop && preset.definition.source == .image)
    }

    @Test func badEnumValueNamesFieldAndChoices() {
        expectError(preset(sweep: "  operation: rotate\n  values: [0]\n  interpolation: cubic\n"),
                    contains: ["field 'sweep.interpolation': 'cubic' is not one of nearest, bilinear, bicubic"], line: 5)
        expectError(preset(sweep: "  operation: rotate\n  values: [0]\n  fill: purple\n"),
                    contains: ["field 'sweep.fill'", "black, white, grey, edge, reflect"])
        expectError(preset(sweep: "  operation: spin\n  values: [0]\n"),
                    contains: ["field 'sweep.operation': 'spin' is not one of rotate, dihedral"])
        expectError(preset(sweep: "  operation: dihedral\n  values: [identity, mirror]\n"),
                    contains: ["field 'sweep.values[1]'", "'mirror' is not one of identity, flip_horizontal"], line: 4)
        expectError(preset(sweep: "  operation: rotate\n  values: [0]\n", extra: "source: black\n"),
                    contains: ["field 'source'", "image, mid-grey"])
    }

    @Test func unknownKeysAreErrors() {
        expectError(preset(sweep: "  operation: rotate\n  values: [0]\n  interpolaton: nearest\n"),
                    contains: ["field 'sweep.interpolaton': unknown key 'interpolaton'",
                               "operation, values, interpolation, fill, crop"], line: 5)
        expectError(preset(sweep: "  operation: rotate\n  values: [0]\n", extra: "squarecrop: true\n"),
                    contains: ["unknown key 'squarecrop'", "description, source, square_crop, sweep, second_sweep"])
        // An option of another operation is unknown here.
        expectError(preset(sweep: "  operation: gaussian_noise\n  values: [0.1]\n  interpolation: nearest\n"),
                    contains: ["field 'sweep.interpolation': unknown key", "for operation 'gaussian_noise'"])
        expectError(preset(sweep: "  operation: rotate\n  values:\n    linspace: {start: 0, stop: 1, count: 3, step: 2}\n"),
                    contains: ["field 'sweep.values.linspace.step': unknown key 'step'"])
    }

    @Test func wrongTypesNameTheField() {
        expectError(preset(sweep: "  operation: rotate\n  values: [0]\n", extra: "square_crop: maybe\n"),
                    contains: ["field 'square_crop': expected true or false, got 'maybe'"])
        expectError(preset(sweep: "  operation: rotate\n  values: ['90']\n"),
                    contains: ["field 'sweep.values[0]'", "'90' is not a number"])
        expectError(preset(sweep: "  operation: rotate\n  values: 90\n"),
                    contains: ["field 'sweep.values': expected a list of values or a mapping"])
        expectError(preset(sweep: "  operation: rotate\n  values:\n    linspace: {start: 0, stop: 1, count: 2.5}\n"),
                    contains: ["field 'sweep.values.linspace.count': expected a whole number, got '2.5'"])
        expectError(preset(sweep: "  operation: rotate\n  values:\n    linspace: {start: zero, stop: 1, count: 2}\n"),
                    contains: ["field 'sweep.values.linspace.start': expected a number, got 'zero'"])
        expectError("description: [a, b]\nsweep:\n  operation: rotate\n  values: [0]\n",
                    contains: ["field 'description': expected text, got a list"])
        expectError("- a\n- b\n", contains: ["the document: expected a mapping"])
    }

    @Test func emptyValuesAndMissingFields() {
        expectError(preset(sweep: "  operation: rotate\n  values: []\n"),
                    contains: ["field 'sweep.values': the list of values is empty"])
        expectError(preset(sweep: "  operation: rotate\n  values:\n    linspace: {start: 0, stop: 1, count: 0}\n"),
                    contains: ["field 'sweep.values.linspace.count': must be a whole number in 1...10000, got 0"])
        expectError(preset(sweep: "  operation: rotate\n"), contains: ["field 'sweep.values' is missing"])
        expectError("sweep:\n  operation: rotate\n  values: [0]\n", contains: ["field 'description' is missing"])
        expectError(preset(sweep: "  operation: blur\n  values: [1]\n"), contains: ["field 'sweep.sigma_unit' is missing"])
        expectError("", contains: ["the file is empty"])
    }

    @Test func outOfRangeValuesNameTheValue() {
        expectError(preset(sweep: "  operation: gaussian_noise\n  values: [0, 0.1, -0.2]\n"),
                    contains: ["field 'sweep.values[2]': noise σ must be in [0, 1] (intensity units), got -0.2"], line: 4)
        expectError(preset(sweep: "  operation: blur\n  values: [-1]\n  sigma_unit: source_px\n"),
                    contains: ["field 'sweep.values[0]': blur σ must be in [0, 256]"])
        expectError(preset(sweep: "  operation: jpeg\n  values: [90, 0]\n"),
                    contains: ["field 'sweep.values[1]': JPEG quality must be a whole number in 1...100, got 0"])
        expectError(preset(sweep: "  operation: jpeg\n  values: [50.5]\n"), contains: ["JPEG quality must be a whole number"])
        // A generated value out of range names the generator and the position.
        expectError(preset(sweep: "  operation: gaussian_noise\n  values:\n    linspace: {start: 0.5, stop: 1.5, count: 3}\n"),
                    contains: ["field 'sweep.values'", "got 1.5", "value [2] of the generated list"])
        expectError(preset(sweep: "  operation: zoom\n  values:\n    geomspace: {start: 0, stop: 2, count: 3}\n"),
                    contains: ["geomspace start and stop must be non-zero"])
        expectError(preset(sweep: "  operation: blur\n  values: [1]\n  sigma_unit: source_px\n  model_input_size: 224\n"),
                    contains: ["field 'sweep.model_input_size': only applies with sigma_unit model_input_px"])
    }

    @Test func syntaxErrorsAndDuplicateKeysAreOneLine() {
        expectError("description: x\nsweep: [unclosed\n", contains: ["not valid YAML", "line"])
        expectError("description: x\ndescription: y\nsweep:\n  operation: rotate\n  values: [0]\n",
                    contains: ["not valid YAML: duplicate key 'description'"])
        expectError("description: |\n  two\n  lines\nsweep:\n  operation: rotate\n  values: [0]\n",
                    contains: ["field 'description': must be a single non-empty line"])
    }

    @Test func tooManyVariantsInAProduct() {
        let axis = "  operation: rotate\n  values:\n    linspace: {start: 0, stop: 360, count: 10000}\n"
        let yaml = preset(sweep: axis) + "second_sweep:\n" + axis.replacingOccurrences(of: "10000", with: "11")
        expectError(yaml, contains: ["110000 variants, more than the 100000 allowed"])
    }

    @Test func presetFilesAreCheckedForSizeAndExistence() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let large = directory.path("large.yaml")
        let body = "description: x\nsweep:\n  operation: rotate\n  values: [0]\n"
        try Data((body + String(repeating: "# padding\n", count: Preset.maximumFileBytes / 10)).utf8)
            .write(to: URL(fileURLWithPath: large))
        #expect { try Preset.load(path: large) } throws: { error in
            (error as? SweepError)?.description == "\(large): preset file is larger than \(Preset.maximumFileBytes) bytes"
        }
        let binary = directory.path("binary.yaml")
        try Data([0xFF, 0xFE, 0x00, 0x41]).write(to: URL(fileURLWithPath: binary))
        #expect { try Preset.load(path: binary) } throws: { error in
            (error as? SweepError)?.description == "\(binary): not a text file (invalid UTF-8)"
        }
        #expect { try Preset.load(path: directory.url.path) } throws: { error in
            (error as? SweepError)?.description.hasSuffix("is a directory, not a preset file") == true
        }
        let fine = directory.path("fine.yml")
        try Data(body.utf8).write(to: URL(fileURLWithPath: fine))
        #expect(try Preset.load(path: fine).name == "fine")
        #expect(throws: SweepError.self) { try Preset.load(path: "/nonexistent/preset.yaml") }
        #expect { try Preset.load(path: "/nonexistent/preset.yaml") } throws: { error in
            (error as? SweepError)?.description == "/nonexistent/preset.yaml: preset file not found"
        }
    }
}
