import Foundation
import Testing
import AugLabTestSupport

/// `auglab models inspect` on the fixture folders and a PyTorch checkpoint, checked against the
/// parameter counts the reference script computed with open_clip (checkpoints/reference.json).
@Suite struct ModelsCommandTests {
    static let fixtures = Fixtures.shared("fixtures/clip")
    static let checkpoints = Fixtures.package("Tests/CLIPTests/Resources/checkpoints")

    static func reference() throws -> [String: Any] {
        let data = try Data(contentsOf: checkpoints.appendingPathComponent("reference.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// open_clip's parameter counts of a model (image, text, total).
    static func parameters(_ path: [String]) throws -> [String: Int] {
        var node: Any? = try reference()
        for key in path { node = (node as? [String: Any])?[key] }
        return try #require(node as? [String: Int])
    }

    static func inspectJSON(_ path: String) throws -> [String: Any] {
        let result = try CommandRunner.run(["models", "inspect", path, "--json"])
        #expect(result.status == 0, "\(result.standardError)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var folder: String
        var referenceName: String
        var layout: String
        var imageTower: String
        var testDescription: String { folder }
    }

    static let cases = [
        Case(folder: "rn_openclip", referenceName: "rn_openclip", layout: "open_clip-config", imageTower: "ModifiedResNet"),
        Case(folder: "vit_openclip", referenceName: "vit_openclip", layout: "open_clip-config", imageTower: "ViT"),
        Case(folder: "vit_hf", referenceName: "vit_openclip", layout: "hugging-face", imageTower: "ViT"),  // same weights
    ]

    @Test(arguments: cases)
    func fixtureFolders(_ testCase: Case) throws {
        let path = Self.fixtures.appendingPathComponent(testCase.folder).path
        let json = try Self.inspectJSON(path)
        #expect(json["parameters"] as? [String: Int] == (try Self.parameters(["fixture_parameters", testCase.referenceName])))
        #expect(json["embeddingSize"] as? Int == 32 && json["inputSize"] as? Int == 64)
        #expect(json["logitScale"] as? Double == 4)
        #expect(json["layout"] as? String == testCase.layout)
        #expect((json["imageTower"] as? String)?.hasPrefix(testCase.imageTower) == true)
        #expect((json["dtypes"] as? [String: Int])?["F32"] != nil)
        let text = try CommandRunner.run(["models", "inspect", path])
        #expect(text.status == 0)
        for label in ["architecture", "parameters", "dtypes", "embedding size", "logit scale", "input", "64 × 64 px"] {
            #expect(text.standardOutput.contains(label), "text output lacks \(label)")
        }
    }

    @Test func pytorchCheckpointFile() throws {
        let json = try Self.inspectJSON(Self.checkpoints.appendingPathComponent("tiny_vit_state_dict.pt").path)
        #expect(json["parameters"] as? [String: Int] == (try Self.parameters(["tiny_models", "tiny_vit", "parameters"])))
        #expect(json["weightsFormat"] as? String == "pytorch" && json["layout"] as? String == "checkpoint-file")
        #expect(json["embeddingSize"] as? Int == 8 && json["inputSize"] as? Int == 8)
    }

    @Test func controlEncodersAreDescribed() throws {
        let json = try Self.inspectJSON("histogram")
        #expect(json["kind"] as? String == "control" && json["embeddingDimension"] as? Int == 512)
    }

    @Test func missingPathFailsWithOneLine() throws {
        let result = try CommandRunner.run(["models", "inspect", "/no/such/model"])
        #expect(result.status != 0)
        #expect(result.standardError.split(separator: "\n").count == 1 && result.standardError.contains("/no/such/model"))
    }
}
