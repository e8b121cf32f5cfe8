import Testing
@testable import Encoders

@Suite struct EncoderErrorTests {
    @Test func descriptionNamesFileProblemAndLocation() {
        let error = EncoderError(.invalidInput, "bad value", path: "in.yaml", location: "field x")
        #expect(error.description == "in.yaml: bad value (field x)")
        #expect(EncoderError(.io, "gone").description == "gone")
    }
}
