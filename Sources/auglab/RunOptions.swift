import ArgumentParser
import Encoders
import Lab

/// Options shared by `run` and `analyze`: where the run folder goes and what is written.
struct RunOutputOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The run folder (default: runs/run-<first image>). Built under a temporary name beside it and renamed into place when complete; an earlier AugLab run folder there is replaced.",
        valueName: "DIR"))
    var out: String?

    @Flag(name: .long, help: "Replace the output folder even if it is not an earlier AugLab run folder.")
    var force = false

    @Flag(name: .customLong("no-report"), help: "Skip report.html, report.json, labelled heatmaps and plots (summary.json, findings.csv, matrices and heatmap PNGs are still written).")
    var noReport = false

    @Flag(name: .long, help: "No progress on stderr.")
    var quiet = false

    @Flag(name: .long, help: "Print how long each stage took (generating, encoding, analysing, writing) on stderr.")
    var timing = false
}

/// Progress of a run on stderr: stage notes as lines, counters as `ProgressReporter` lines.
enum RunProgress {
    static func make(quiet: Bool) -> LabProgress {
        guard !quiet else { return .silent }
        let reporter = ProgressReporter(label: "run: variants generated and embedded", quiet: false)
        return LabProgress(note: { StandardError.write("run: \($0)\n") }, count: { _, done, total in reporter.update(done, of: total) })
    }

    /// The stage times as one line.
    static func timingLine(_ timing: LabTiming) -> String {
        func ms(_ seconds: Double) -> String { String(format: "%.0f ms", seconds * 1000) }
        let share = timing.encoding > 0 ? String(format: " (%.1f%% of encoding)", 100 * timing.beyondEncoding / timing.encoding) : ""
        return "timing: generating \(ms(timing.generating)), encoding \(ms(timing.encoding)), analysing \(ms(timing.analyzing)), writing \(ms(timing.writing)); beyond encoding \(ms(timing.beyondEncoding))\(share)\n"
    }
}
