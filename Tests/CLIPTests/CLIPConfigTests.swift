import Foundation
import Testing
import AugLabTestSupport
@testable import CLIP

@Suite struct CLIPConfigTests {
    @Test func decodesTheResNetFixtureConfig() throws {
        let data = try Fixtures.sharedData("fixtures/clip/rn_openclip/config.json")
        let config = try JSONDecoder().decode(CLIPConfig.self, from: data)
        #expect(config.embedDim == 32)
        #expect(config.quickGELU == false)
        #expect(config.vision.layers == .resNet([1, 1, 1, 1]))
        #expect(config.vision.isResNet)
        #expect(config.vision.patchSize == nil)
        #expect(config.text.heads == 2 && config.text.width == 16)
    }

    @Test func decodesTheViTFixtureConfig() throws {
        let data = try Fixtures.sharedData("fixtures/clip/vit_openclip/config.json")
        let config = try JSONDecoder().decode(CLIPConfig.self, from: data)
        #expect(config.quickGELU == true)
        #expect(config.vision.layers == .transformer(2))
        #expect(config.vision.patchSize == 8 && config.vision.headWidth == 16)
        #expect(config.vision.imageSize == 64)
    }
}
