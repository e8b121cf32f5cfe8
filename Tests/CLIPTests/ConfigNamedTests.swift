import Foundation
import Imaging
import Testing
import AugLabTestSupport
@testable import CLIP

/// A source that only knows the shapes of a configuration's tensors (no values).
struct ShapeOnlyWeights: WeightSource {
    let tensors: [String: ExpectedTensor]

    init(_ config: CLIPConfig) {
        tensors = Dictionary(config.expectedTensors().map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    }

    var names: [String] { tensors.keys.sorted() }
    func info(_ name: String) -> TensorInfo? {
        tensors[name].map { TensorInfo(name: name, dtype: $0.isInteger ? .int64 : .float32, shape: $0.shape) }
    }
    func floats(_ name: String) throws(CLIPError) -> [Float] {
        throw CLIPError(.invalidInput, "shape-only source has no values", location: name)
    }
}

/// The named configurations against open_clip's own JSON, state dicts and parameter counts.
@Suite struct ConfigNamedTests {
    private let reference: [String: JSONValue]

    init() throws {
        reference = try #require(CheckpointFiles.reference().objectValue)
    }

    private func section(_ key: String) throws -> [String: JSONValue] {
        try #require(reference[key]?.objectValue, "reference.json has no \(key)")
    }

    @Test func everyNamedConfigEqualsOpenCLIPsJSON() throws {
        let configs = try section("named_configs")
        #expect(configs.count == 2 * CLIPConfig.namedConfigNames.count)
        for (name, json) in configs {
            let expected = try OpenCLIPConfigFile.modelConfig(json, path: "reference.json", field: name)
            #expect(CLIPConfig.named(name) == expected, "\(name)")
            #expect(expected.matchingNamedConfig == name, "\(name)")
        }
    }

    @Test func namesAreAcceptedInBothSpellings() {
        #expect(CLIPConfig.named("ViT-B/32") == CLIPConfig.named("ViT-B-32"))
        #expect(CLIPConfig.named("vit-l/14-336-QuickGELU")?.quickGELU == true)
        #expect(CLIPConfig.named("ViT-B-32")?.quickGELU == false)
        #expect(CLIPConfig.named("ViT-H-14") == nil)
    }

    @Test(arguments: CLIPConfig.namedConfigNames, [false, true])
    func inferenceFromShapesReproducesTheNamedConfig(name: String, quickGELU: Bool) throws {
        let config = try #require(CLIPConfig.named(quickGELU ? name + "-quickgelu" : name))
        try config.validate()
        #expect(try CLIPConfig.inferred(from: ShapeOnlyWeights(config), quickGELU: quickGELU) == config)
    }

    @Test(arguments: CLIPConfig.namedConfigNames)
    func expectedTensorsMatchOpenCLIPsStateDict(name: String) throws {
        let config = try #require(CLIPConfig.named(name))
        let digest = try #require(section("named_state_dicts")[name]?.objectValue)
        let lines = config.expectedTensors().map { "\($0.name):\($0.shape.map(String.init).joined(separator: ","))" }.sorted()
        #expect(lines.count == digest["count"]?.intValue)
        #expect(SHA256.hex(of: Array(lines.joined(separator: "\n").utf8)) == digest["sha256"]?.stringValue)
    }

    private func parameterCounts(_ config: CLIPConfig) -> [String: Int] {
        var counts = ["image": 0, "text": 0, "total": 0]
        for tensor in config.expectedTensors() where tensor.isParameter {
            let count = tensor.shape.reduce(1, *)
            if tensor.tower == .image { counts["image", default: 0] += count }
            if tensor.tower == .text { counts["text", default: 0] += count }
            counts["total", default: 0] += count
        }
        return counts
    }

    private func expectedCounts(_ json: JSONValue?) throws -> [String: Int] {
        let object = try #require(json?.objectValue)
        return object.compactMapValues(\.intValue)
    }

    @Test func parameterCountsMatchOpenCLIP() throws {
        for name in CLIPConfig.namedConfigNames {
            let config = try #require(CLIPConfig.named(name))
            #expect(parameterCounts(config) == (try expectedCounts(section("named_parameters")[name])), "\(name)")
        }
        for fixture in ["rn_openclip", "vit_openclip"] {
            let config = try OpenCLIPConfigFile.modelConfig(
                JSONValue.read(path: CheckpointFiles.shared("\(fixture)/config.json"), what: "config.json"), path: fixture)
            #expect(parameterCounts(config) == (try expectedCounts(section("fixture_parameters")[fixture])), "\(fixture)")
        }
    }

    @Test func theTinyTestModelsAreInferredFromTheirShapes() throws {
        for (model, file) in [("tiny_vit", "tiny_vit.safetensors"), ("tiny_rn", "tiny_rn.safetensors")] {
            let entry = try #require(section("tiny_models")[model]?.objectValue)
            let expected = try OpenCLIPConfigFile.modelConfig(try #require(entry["config"]), path: "reference.json")
            let weights = try SafeTensorsFile(path: CheckpointFiles.path(file))
            #expect(try CLIPConfig.inferred(from: weights, quickGELU: true) == expected, "\(model)")
            try WeightValidation.check(weights, against: expected)
            #expect(parameterCounts(expected) == (try expectedCounts(entry["parameters"])), "\(model)")
        }
    }

    @Test func inferenceNamesWhatIsMissingOrInconsistent() throws {
        let vit = try #require(CLIPConfig.named("ViT-B-32"))
        var shapes = ShapeOnlyWeights(vit).tensors
        shapes["visual.positional_embedding"]?.shape = [48, 768]
        #expect { try CLIPConfig.inferred(from: Shapes(shapes), quickGELU: true) } throws: {
            errorMentions($0, "visual.positional_embedding", "48 rows", "not a square grid")
        }
        shapes = ShapeOnlyWeights(vit).tensors
        shapes.removeValue(forKey: "visual.transformer.resblocks.3.ln_1.weight")
        shapes = shapes.filter { !$0.key.hasPrefix("visual.transformer.resblocks.3.") }
        #expect { try CLIPConfig.inferred(from: Shapes(shapes), quickGELU: true) } throws: {
            errorMentions($0, "block 3 is missing")
        }
        let tiny = try #require(CLIPConfig.named("RN50"))
        shapes = ShapeOnlyWeights(tiny).tensors.filter { !$0.key.hasPrefix("visual.layer3.") }
        #expect { try CLIPConfig.inferred(from: Shapes(shapes), quickGELU: true) } throws: { errorMentions($0, "visual.layer3.0") }
        // The vit_openclip fixture has 16-channel heads: shapes alone cannot tell, and inference says so.
        let fixture = try SafeTensorsFile(path: CheckpointFiles.shared("vit_openclip/model.safetensors"))
        #expect { try CLIPConfig.inferred(from: fixture, quickGELU: true) } throws: {
            errorMentions($0, "vit_openclip/model.safetensors", "not a multiple of 64", "give a model configuration")
        }
    }

    private struct Shapes: WeightSource {
        let tensors: [String: ExpectedTensor]
        init(_ tensors: [String: ExpectedTensor]) { self.tensors = tensors }
        var names: [String] { tensors.keys.sorted() }
        func info(_ name: String) -> TensorInfo? { tensors[name].map { TensorInfo(name: name, dtype: .float32, shape: $0.shape) } }
        func floats(_ name: String) throws(CLIPError) -> [Float] { throw CLIPError(.invalidInput, "no values") }
    }
}
