import Testing
@testable import CLIP

@Suite struct CLIPErrorTests {
    @Test func descriptionNamesFileProblemAndLocation() {
        let error = CLIPError(.invalidInput, "bad value", path: "in.yaml", location: "field x")
        #expect(error.description == "in.yaml: bad value (field x)")
        #expect(CLIPError(.io, "gone").description == "gone")
    }
}
