import ArgumentParser
import Foundation
import Reports

/// `auglab report DIR`: rebuilds a run folder's report from its report.json.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Rebuild DIR/report.html (and the labelled heatmaps and plots) from a run folder's report.json.",
        discussion: "DIR is a folder written by `auglab run` or `auglab analyze` (without --no-report). Each file is replaced atomically.")

    @Argument(help: ArgumentHelp("The run folder.", valueName: "DIR"))
    var folder: String

    func run() throws {
        let path = (folder as NSString).appendingPathComponent("report.json")
        guard FileManager.default.fileExists(atPath: path) else {
            throw CLIError("\(folder): no report.json here; it is written by `auglab run` and `auglab analyze` unless --no-report was given")
        }
        do throws(ReportError) {
            let document = try ReportDocument.read(fromPath: path)
            let written = try ReportArtifacts.write(document, toFolder: folder)
            print("wrote \((folder as NSString).appendingPathComponent("report.html")) and \(written.count - 1) heatmap and plot files")
        } catch {
            throw CLIError(error)
        }
    }
}
