import Analysis
import AugLabTestSupport
import Foundation
import Lab
import Testing

/// The control encoders' invariances are known by construction, so the verdicts of a real run
/// (real sweeps, real encoders, real detectors and controls) on the bundled images are known too.
@Suite struct ControlVerdictTests {
    /// Runs `presets` × `models` on one bundled image, without the report.
    static func run(_ image: String, presets: [String], models: [String]) throws -> LabRunResult {
        let options = LabRunOptions(images: [Fixtures.package("Images/\(image).png").path], presets: presets, models: models,
                                    makeReport: false)
        return try LabRun.execute(try LabPlan.make(options))
    }

    /// The headline finding of one detector.
    static func headline(_ result: LabRunResult, model: String, preset: String, detector: DetectorKind) throws -> LabFinding {
        try #require(result.analysis.findings.first {
            $0.finding.model == model && $0.finding.preset == preset && $0.finding.detector == detector && $0.finding.component == nil
        }, "no \(detector.rawValue) headline for \(model) on \(preset)")
    }

    @Test func pixelsOnAPhotoSeeTheCornersCheckerboardOnlyWithoutTheCircularMask() throws {
        let result = try Self.run("chelsea", presets: ["rotation-100", "rotation-circular"], models: ["pixels", "histogram"])
        let sameCanvas = try Self.headline(result, model: "pixels", preset: "rotation-100", detector: .periodicity90)
        #expect(sameCanvas.finding.detected)
        #expect(sameCanvas.finding.control?.verdict == .maskShowsPattern, "\(String(describing: sameCanvas.finding.control))")
        #expect(sameCanvas.verdict == .artefact)
        let circular = try Self.headline(result, model: "pixels", preset: "rotation-circular", detector: .periodicity90)
        #expect(!circular.finding.detected)
        let histogram = try Self.headline(result, model: "histogram", preset: "rotation-circular", detector: .periodicity90)
        #expect(!histogram.finding.detected)
        // The circular preset is given, so no derived circular sweep is run beside it.
        #expect(!result.input.sweeps.contains { $0.role == .circularControl })
        #expect(result.input.sweeps.contains { $0.role == .maskControl && $0.preset == "rotation-100" })
    }

    @Test func pixelsFindTheFourFoldSymmetryOfTheImageNotOfTheGlyph() throws {
        let symmetric = try Self.run("synthetic_c4", presets: ["rotation-circular"], models: ["pixels"])
        let found = try Self.headline(symmetric, model: "pixels", preset: "rotation-circular", detector: .periodicity90)
        #expect(found.finding.detected)
        #expect(found.verdict == .found, "\(String(describing: found.finding.control))")
        #expect(found.finding.control?.maskShowsPattern == false)
        let glyph = try Self.run("synthetic_glyph_F", presets: ["rotation-circular"], models: ["pixels"])
        #expect(!(try Self.headline(glyph, model: "pixels", preset: "rotation-circular", detector: .periodicity90)).finding.detected)
    }

    @Test func explicitFlipsTellPixelsFromPixelsMirror() throws {
        let result = try Self.run("synthetic_glyph_F", presets: ["flip"], models: ["pixels", "pixels-mirror"])
        let pixels = try Self.headline(result, model: "pixels", preset: "flip", detector: .flipExplicit)
        let mirror = try Self.headline(result, model: "pixels-mirror", preset: "flip", detector: .flipExplicit)
        #expect(!pixels.finding.detected)
        #expect(mirror.finding.detected)
        let horizontal = try #require(result.analysis.findings.first {
            $0.finding.model == "pixels-mirror" && $0.finding.detector == .flipExplicit && $0.finding.component == "horizontal"
        })
        #expect(horizontal.finding.detected)
        // Identical embeddings: the cosine is 1 up to the float32 rounding of the normalised product.
        #expect(horizontal.finding.score >= 1 - 1e-6, "pixels-mirror is exactly invariant to horizontal flips")
    }

    @Test func antidiagonalNeedsAFlipInvariantEncoderAndAMirrorSymmetricImage() throws {
        let result = try Self.run("synthetic_hmirror", presets: ["rotation-circular"], models: ["pixels", "pixels-mirror"])
        let mirror = try Self.headline(result, model: "pixels-mirror", preset: "rotation-circular", detector: .antidiagonal)
        let pixels = try Self.headline(result, model: "pixels", preset: "rotation-circular", detector: .antidiagonal)
        #expect(mirror.finding.detected)
        #expect(mirror.verdict == .found)
        #expect(!pixels.finding.detected)
    }
}
