import Testing
@testable import Analysis

@Suite struct AnalysisErrorTests {
    @Test func descriptionNamesFileProblemAndLocation() {
        let error = AnalysisError(.invalidInput, "bad value", path: "in.yaml", location: "field x")
        #expect(error.description == "in.yaml: bad value (field x)")
        #expect(AnalysisError(.io, "gone").description == "gone")
    }
}
