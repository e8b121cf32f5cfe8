import Testing
@testable import Sweeps

@Suite struct SweepErrorTests {
    @Test func descriptionNamesFileProblemAndLocation() {
        let error = SweepError(.invalidInput, "bad value", path: "in.yaml", location: "field x")
        #expect(error.description == "in.yaml: bad value (field x)")
        #expect(SweepError(.io, "gone").description == "gone")
    }
}
