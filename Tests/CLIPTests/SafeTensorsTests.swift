import Foundation
import Testing
import AugLabTestSupport
@testable import CLIP

@Suite struct SafeTensorsTests {
    @Test func readsTheFixtureModelAndTokens() throws {
        let model = try SafeTensorsFile(path: Fixtures.shared("fixtures/clip/vit_openclip/model.safetensors").path)
        let info = try #require(model.info("visual.conv1.weight"))
        #expect(info.shape == [32, 3, 8, 8] && info.dtype == .float32)
        let weights = try model.floats("visual.conv1.weight")
        #expect(weights.count == 32 * 3 * 8 * 8)
        #expect(weights.contains { $0 != 0 })
        let inputs = try SafeTensorsFile(path: Fixtures.shared("fixtures/clip/inputs.safetensors").path)
        let tokens = try inputs.integers("text_tokens")
        #expect(tokens.count == 4 * 77 && tokens[0] == 49406)
    }

    @Test func shapeMismatchNamesKeyAndBothShapes() throws {
        let model = try SafeTensorsFile(path: Fixtures.shared("fixtures/clip/vit_openclip/model.safetensors").path)
        #expect {
            _ = try model.floats("visual.conv1.weight", shape: [32, 3, 16, 16])
        } throws: { error in
            let text = "\(error)"
            return text.contains("visual.conv1.weight") && text.contains("[32, 3, 8, 8]") && text.contains("[32, 3, 16, 16]")
        }
    }
}
