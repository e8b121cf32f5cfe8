import Testing
@testable import Encoders
import CLIP
import Imaging

@Suite struct EncoderErrorTests {
    @Test func descriptionNamesFileProblemAndLocation() {
        let error = EncoderError(.invalidInput, "bad value", path: "in.yaml", location: "field x")
        #expect(error.description == "in.yaml: bad value (field x)")
        #expect(EncoderError(.io, "gone").description == "gone")
    }
}

@Suite struct LayerErrorConversionTests {
    @Test func convertingKeepsMessagePathLocationAndSharedCodes() {
        let clip = CLIPError(.io, "cannot open", path: "m.safetensors", location: "offset 0")
        let converted = EncoderError(clip, context: "model")
        #expect(converted.code == .io)
        #expect(converted.description == "m.safetensors: model: cannot open (offset 0)")
        let imaging = ImagingError(.corrupt, "CRC error", path: "x.png")
        #expect(EncoderError(imaging).code == .invalidInput)
        #expect(EncoderError(ImagingError(.invalidArgument, "bad")).code == .invalidArgument)
    }
}
