import ArgumentParser
import Dispatch
import Foundation
import Lab
import Sweeps

/// `auglab analyze`: the detectors on embeddings made elsewhere.
struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Run the detectors on embeddings made elsewhere (auglab augment + auglab embed) and write a run folder.",
        discussion: """
            --embeddings is an auglab embed output (or any precomputed-embeddings file --model accepts) whose image \
            rows are the variants of each --variants file in order; rows after them are clean images for the \
            unrelated-images baseline (the source image and unrelated ones, as `auglab run` uses). A --variants file \
            of the mask control (augment --mask-control) of a rotation sweep is used as its artefact control; files \
            of one preset and image with different --seed are replicates for the collapse interval.

            Writes the same files as `auglab run`: summary.json, findings.csv, matrices, heatmaps and (without \
            thumbnails) the report.
            """)

    @Option(name: .long, help: ArgumentHelp("The embeddings file.", valueName: "FILE"))
    var embeddings: String

    @Option(name: .customLong("variants"), help: ArgumentHelp("A variants.json written by auglab augment; repeat for more.", valueName: "FILE"))
    var variants: [String] = []

    @Option(help: ArgumentHelp("A caption embedded in the file, for the crossmodal readout (the file's other captions are the distractors).", valueName: "TEXT"))
    var caption: String?

    @Option(name: .customLong("model-name"), help: ArgumentHelp("The name to report the model under (default: the file's).", valueName: "NAME"))
    var modelName: String?

    @OptionGroup var output: RunOutputOptions

    func validate() throws {
        if variants.isEmpty { throw ValidationError("give at least one --variants variants.json") }
    }

    func run() throws {
        let loaded: LabAnalyzeInput.Loaded
        do throws(LabError) {
            loaded = try LabAnalyzeInput.load(embeddings: embeddings, variants: variants, caption: caption, modelName: modelName)
        } catch {
            throw CLIError(error)
        }
        let destination = output.out ?? "runs/analyze-" + LabImage.uniqueIDs(for: [embeddings])[0]
        let staged: StagedDirectory
        do throws(LabError) { staged = try LabOutput.stage(destination: destination, force: output.force) } catch { throw CLIError(error) }
        let cleanup = InterruptCleanup(staged)
        defer { cleanup.cancel() }
        let progress = RunProgress.make(quiet: output.quiet)
        for note in loaded.notes where !output.quiet { StandardError.write("analyze: \(note)\n") }
        progress.note("analysing \(loaded.input.sweeps.count) sweeps")
        let start = DispatchTime.now()
        let analysis = LabAnalysis.analyze(loaded.input)
        let analysed = DispatchTime.now()
        let files: LabFileList
        do throws(LabError) {
            files = try LabOutput.write(LabOutputContents(
                tool: "auglab \(AugLabVersion.string)", command: "analyze", seed: nil, seeds: nil, presets: loaded.presets,
                notes: loaded.notes, makeReport: !output.noReport,
                commandLine: ["auglab"] + Array(CommandLine.arguments.dropFirst()), input: loaded.input, analysis: analysis),
                into: staged)
            do throws(SweepError) { try staged.commit() } catch { throw LabError(.io, error.description) }
        } catch {
            staged.discard()
            throw CLIError(error)
        }
        print(LabTable.text(analysis.findings), terminator: "")
        print("")
        print("wrote \(staged.destination)/: \(files.summary), \(files.findings), \(files.matrices.count) matrices, \(files.heatmaps.count) heatmaps"
              + (files.report.map { ", \($0)" } ?? ""))
        if output.timing {
            let written = DispatchTime.now()
            StandardError.write(String(format: "timing: analysing %.0f ms, writing %.0f ms\n",
                                       Double(analysed.uptimeNanoseconds - start.uptimeNanoseconds) / 1e6,
                                       Double(written.uptimeNanoseconds - analysed.uptimeNanoseconds) / 1e6))
        }
    }
}
