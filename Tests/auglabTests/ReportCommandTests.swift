import AugLabTestSupport
import Foundation
import Testing

/// `auglab report DIR` rebuilds a run folder's report from its report.json.
@Suite struct ReportCommandTests {
    @Test func rebuildsTheSameReportFromTheRunFolder() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let out = directory.path("run")
        let run = try CommandRunner.run(["run", "--image", "Images/synthetic_hmirror.png", "--preset", "flip", "--preset", "rotation-circular",
                                         "--model", "pixels-mirror", "--out", out, "--quiet"])
        #expect(run.status == 0, "\(run.standardError)")
        let original = try Data(contentsOf: URL(fileURLWithPath: out + "/report.html"))
        try FileManager.default.removeItem(atPath: out + "/report.html")
        let rebuilt = try CommandRunner.run(["report", out])
        #expect(rebuilt.status == 0, "\(rebuilt.standardError)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: out + "/report.html")) == original)
    }

    @Test func aFolderWithoutReportJSONIsAOneLineError() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let result = try CommandRunner.run(["report", directory.url.path])
        #expect(result.status != 0)
        #expect(result.standardError.contains("no report.json"))
        #expect(result.standardError.split(separator: "\n").count == 1)
    }
}
