import Testing
@testable import Reports

@Suite struct ReportErrorTests {
    @Test func descriptionNamesFileProblemAndLocation() {
        let error = ReportError(.invalidInput, "bad value", path: "in.yaml", location: "field x")
        #expect(error.description == "in.yaml: bad value (field x)")
        #expect(ReportError(.io, "gone").description == "gone")
    }
}
