import Foundation
import Imaging
import Testing
@testable import Sweeps

/// Every shipped preset loads and expands to the values its definition in issue 2 gives,
/// computed here from that definition.
@Suite struct ShippedPresetTests {
    func preset(_ name: String) throws -> Preset { try PresetLibrary.bundled(named: name) }

    func numbers(_ sweep: Sweep) throws -> [Double] { try #require(sweep.axis.numbers) }

    /// 0 to 356.4° in 100 steps: 3.6°·i, i.e. 36·i/10 correctly rounded.
    var fullCircle100: [Double] { (0..<100).map { Double(36 * $0) / 10 } }

    @Test func theRequiredPresetsAreBundled() throws {
        let names = try PresetLibrary.bundledNames()
        for required in ["rotation-100", "rotation-amumo", "rotation-circular", "flip", "d4", "noise-100",
                         "noise-amumo", "blur-100", "shift", "jpeg-quality", "mask-control"] {
            #expect(names.contains(required), "missing preset \(required)")
        }
    }

    @Test func everyBundledPresetLoadsWithAOneLineDescription() throws {
        let presets = try PresetLibrary.allBundled()
        #expect(presets.count == (try PresetLibrary.bundledNames()).count)
        for preset in presets {
            #expect(preset.isBundled && preset.path == "Presets/\(preset.name).yaml")
            #expect(!preset.description.isEmpty && !preset.description.contains("\n"))
            #expect(preset.definition.count >= 1)
            #expect(preset.sha256 == SHA256.hex(of: Array(preset.yaml.utf8)))
        }
    }

    @Test func rotationPresets() throws {
        for (name, interpolation, crop) in [("rotation-100", Interpolation.bilinear, CropChoice.none),
                                            ("rotation-amumo", .nearest, .none),
                                            ("rotation-circular", .bilinear, .circle)] {
            let preset = try preset(name)
            let definition = preset.definition
            #expect(definition.axes.count == 1)
            #expect(definition.squareCrop, "\(name) must centre-crop to a square")
            #expect(definition.source == .image)
            let sweep = definition.axes[0]
            #expect(sweep.operation == .rotate(interpolation: interpolation, fill: .black, crop: crop), "\(name)")
            #expect(try numbers(sweep) == fullCircle100, "\(name)")
            #expect(sweep.axis.kind == .rotationAngle && sweep.axis.unit == "degrees" && sweep.axis.period == 360)
        }
        #expect(try numbers(preset("rotation-100").definition.axes[0]).last == 356.4)
    }

    @Test func maskControlIsRotation100OnMidGrey() throws {
        let control = try preset("mask-control").definition
        let rotation = try preset("rotation-100").definition
        #expect(control.source == .midGrey)
        #expect(control.axes == rotation.axes && control.squareCrop == rotation.squareCrop)
    }

    @Test func flipAndD4() throws {
        let flip = try preset("flip").definition.axes[0]
        #expect(flip.operation == .dihedral)
        let flipTransforms = flip.values.compactMap { $0.name.flatMap(DihedralName.init(rawValue:))?.transform }
        #expect(flipTransforms == [.identity, .flipHorizontal, .flipVertical,
                                   DihedralTransform.flipHorizontal.followed(by: .flipVertical)])
        let d4 = try preset("d4")
        #expect(d4.definition.squareCrop)
        let elements = d4.definition.axes[0].values.compactMap { $0.name.flatMap(DihedralName.init(rawValue:))?.transform }
        #expect(elements.count == 8 && Set(elements) == Set(DihedralTransform.allCases))
        #expect(d4.definition.axes[0].axis.kind == .categorical)
    }

    @Test func noisePresets() throws {
        let gaussian = try preset("noise-100").definition.axes[0]
        #expect(gaussian.operation == .gaussianNoise && gaussian.axis.unit == "intensity")
        #expect(try numbers(gaussian) == (0..<100).map { Double($0) / 99 })  // σ from 0 to 1, 100 steps
        let amumo = try preset("noise-amumo").definition.axes[0]
        #expect(amumo.operation == .uniformNoise)
        #expect(try numbers(amumo) == (0..<100).map { Double($0) / 100 })  // α = i/100, i = 0…99
    }

    @Test func blurIsInModelInputPixels() throws {
        let blur = try preset("blur-100").definition.axes[0]
        #expect(blur.operation == .blur(sigmaUnit: .modelInputPixels, modelInputSize: 224))
        #expect(blur.axis.unit == "model_input_px")
        #expect(try numbers(blur) == (0..<100).map { Double(16 * $0) / 99 })  // σ from 0 to 16, 100 steps
    }

    @Test func shiftJPEGAndPhotometricPresets() throws {
        let shift = try preset("shift").definition.axes[0]
        #expect(shift.operation == .shift(direction: .horizontal, interpolation: .bilinear, fill: .black))
        #expect(try numbers(shift) == (0..<21).map { Double($0 - 10) / 20 })
        let jpeg = try preset("jpeg-quality").definition.axes[0]
        #expect(jpeg.operation == .jpeg)
        #expect(try numbers(jpeg) == (0..<20).map { Double(100 - 5 * $0) })
        for name in ["brightness", "contrast"] {
            #expect(try numbers(preset(name).definition.axes[0]) == (0...20).map { Double($0) / 10 })
        }
        let zoom = try numbers(preset("zoom").definition.axes[0])
        #expect(zoom.count == 21 && zoom.first == 0.5 && zoom.last == 2)
        for (i, value) in zoom.enumerated() {
            #expect(abs(value - 0.5 * pow(4, Double(i) / 20)) <= 1e-14 * value)
        }
    }

    @Test func twoDimensionalGridPreset() throws {
        let grid = try preset("rotation-noise-grid").definition
        #expect(grid.axes.count == 2 && grid.count == 48)
        #expect(try numbers(grid.axes[0]) == (0..<12).map { Double(30 * $0) })
        #expect(grid.axes[1].operation == .gaussianNoise)
    }

    @Test func resolveTakesNamesAndPaths() throws {
        let byName = try PresetLibrary.resolve("flip")
        let file = try PresetLibrary.bundledDirectory().appendingPathComponent("flip.yaml").path
        let byPath = try PresetLibrary.resolve(file)
        #expect(byPath.name == "flip" && !byPath.isBundled && byPath.path == file)
        #expect(byPath.definition == byName.definition && byPath.sha256 == byName.sha256)
        #expect(PresetLibrary.isPath("my.yml") && PresetLibrary.isPath("./x") && !PresetLibrary.isPath("d4"))
    }

    @Test func unknownNamesListTheBundledPresets() {
        #expect {
            try PresetLibrary.resolve("rotation-1000")
        } throws: { error in
            let text = (error as? SweepError)?.description ?? ""
            return text.contains("unknown preset 'rotation-1000'") && text.contains("rotation-100,")
        }
    }
}
