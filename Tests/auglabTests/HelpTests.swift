import Testing
import AugLabTestSupport

@Suite struct HelpTests {
    @Test func helpExitsZeroAndNamesTheTool() throws {
        let result = try CommandRunner.run(["--help"])
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("auglab"))
    }

    @Test func unknownOptionFailsWithOneLineError() throws {
        let result = try CommandRunner.run(["--no-such-option"])
        #expect(result.status != 0)
        #expect(result.standardError.contains("no-such-option"))
    }
}
