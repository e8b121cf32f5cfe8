import Testing
@testable import Imaging

@Suite struct ImageTests {
    @Test func quantizationRoundsHalfAwayAndClamps() {
        let image = FloatImage(width: 2, height: 1, pixels: [-0.1, 0, 0.5 / 255, 1.5 / 255, 1, 2])
        #expect(image.quantized().pixels == [0, 0, 1, 2, 255, 255])
    }

    @Test func quantizationMapsNaNToZero() {
        let image = FloatImage(width: 1, height: 1, pixels: [.nan, .infinity, -.infinity])
        #expect(image.quantized().pixels == [0, 255, 0])
    }

    @Test func eightBitRoundTripIsExact() {
        let rgb = RGBImage(width: 256, height: 1, pixels: (0..<768).map { UInt8($0 % 256) })
        #expect(FloatImage(rgb).quantized() == rgb)
    }

    @Test func sha256MatchesKnownVectors() {
        #expect(SHA256.hex(of: [UInt8]()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(of: Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func hexIsTwoLowercaseDigitsPerByte() {
        #expect(Hex.string([0x00, 0x0F, 0xA0, 0xFF]) == "000fa0ff")
        #expect(Hex.string([0x89, 0x50, 0x4E], separator: " ") == "89 50 4e")
        #expect(Hex.string([UInt8]()) == "")
    }

    @Test func errorDescriptionNamesFileAndProblem() {
        let error = ImagingError(.corrupt, "CRC error", path: "x.png", location: "IDAT chunk")
        #expect(error.description == "x.png: CRC error (IDAT chunk)")
    }
}
