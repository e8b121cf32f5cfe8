import ArgumentParser
import Dispatch
import Encoders
import Foundation
import Lab
import Sweeps

/// `auglab run`: the whole lab in one command — sweeps, embeddings, detectors, report.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Sweep images, embed the variants with every model, measure the patterns and write a report.",
        discussion: """
            For every image × preset × model: rotation sweeps get periodicity_90 and antidiagonal, judged against their \
            mask control (the same sweep on flat mid-grey) and circular-mask version; flip and d4 sweeps get flip_explicit; \
            noise and blur sweeps get collapse_threshold (with a 95% interval over noise seeds and images); with --caption, \
            every sweep gets the crossmodal readout for models with a text tower.

            Writes DIR/summary.json, DIR/findings.csv, DIR/matrices/*.safetensors, DIR/heatmaps/*.png and, unless \
            --no-report, DIR/report.html (open it in a browser) with DIR/report.json (`auglab report DIR` rebuilds the \
            page from it). The same command twice writes the same summary.json, findings.csv and matrices.

            Models (--model SPEC): NAME=PATH, a PATH (model folder, weight file, embeddings index or auglab embed output), \
            or a control encoder: pixels, pixels-mirror, histogram. Without --model the three controls run.
            """)

    @Option(name: .customLong("preset"), help: ArgumentHelp(
        "A preset name (see `auglab presets list`) or YAML path; repeat for more (default: \(LabRunOptions.defaultPresets.joined(separator: ", "))).",
        valueName: "NAME|PATH"))
    var presets: [String] = []

    @Option(name: .customLong("image"), help: ArgumentHelp("An image to sweep (PNG or JPEG); repeat for more.", valueName: "FILE"))
    var images: [String] = []

    @Option(name: .customLong("model"), help: ArgumentHelp(
        "An encoder: NAME=PATH, a PATH, or pixels / pixels-mirror / histogram; repeat for more (default: the three controls).",
        valueName: "SPEC"))
    var models: [String] = []

    @Option(help: ArgumentHelp("A caption of the image(s), for the cross-modal readout against \(90) distractor prompts.", valueName: "TEXT"))
    var caption: String?

    @Option(help: ArgumentHelp("Noise seeds (replicates) of stochastic sweeps, for the collapse interval (default \(LabRunOptions.defaultStochasticSeeds); blur and rotations run once).", valueName: "N"))
    var seeds: Int?

    @Option(help: ArgumentHelp("The sweep seed of the first replicate (replicate k uses seed + k).", valueName: "N"))
    var seed: UInt64 = 0

    @Option(name: .customLong("cache-dir"), help: ArgumentHelp(
        "Embedding cache folder for CLIP models (default: $AUGLAB_CACHE_DIR, else $XDG_CACHE_HOME/auglab, else ~/.cache/auglab).", valueName: "DIR"))
    var cacheDirectory: String?

    @Flag(name: .customLong("no-cache"), help: "Neither read nor write the embedding cache.")
    var noCache = false

    @Flag(name: .customLong("ignore-exif-orientation"), help: "Keep JPEG pixels as stored instead of turning them upright by their EXIF orientation.")
    var ignoreExifOrientation = false

    @OptionGroup var output: RunOutputOptions

    func validate() throws {
        if images.isEmpty { throw ValidationError("give at least one --image FILE (PNG or JPEG)") }
        if noCache, cacheDirectory != nil { throw ValidationError("--no-cache and --cache-dir contradict each other; give one") }
        if let seeds, !(1...LabRunOptions.maximumSeeds).contains(seeds) {
            throw ValidationError("--seeds must be between 1 and \(LabRunOptions.maximumSeeds), got \(seeds)")
        }
    }

    func run() throws {
        let cache: EmbeddingCache? = noCache ? nil : (cacheDirectory ?? EmbeddingCache.defaultDirectory()).map { EmbeddingCache(directory: $0) }
        let options = LabRunOptions(images: images, presets: presets, models: models, caption: caption, seeds: seeds, seed: seed,
                                    ignoreEXIFOrientation: ignoreExifOrientation, cache: cache, makeReport: !output.noReport)
        let plan: LabPlan
        do throws(LabError) {
            plan = try LabPlan.make(options, resolveOptions: EncoderResolveOptions(cache: cache))
        } catch {
            throw CLIError(error)
        }
        let destination = output.out ?? "runs/run-" + (images.first.map { LabImage.uniqueIDs(for: [$0])[0] } ?? "lab")
        let staged: StagedDirectory
        do throws(LabError) { staged = try LabOutput.stage(destination: destination, force: output.force) } catch { throw CLIError(error) }
        let cleanup = InterruptCleanup(staged)
        defer { cleanup.cancel() }
        let progress = RunProgress.make(quiet: output.quiet)
        for note in plan.notes { if !output.quiet { StandardError.write("run: \(note)\n") } }
        let files: LabFileList
        var result: LabRunResult
        do throws(LabError) {
            result = try LabRun.execute(plan, progress: progress)
            progress.note("writing \(staged.destination)")
            let writeStart = DispatchTime.now()
            files = try LabOutput.write(LabOutputContents(run: result, tool: "auglab \(AugLabVersion.string)",
                                                          commandLine: ["auglab"] + Array(CommandLine.arguments.dropFirst())),
                                        into: staged)
            do throws(SweepError) { try staged.commit() } catch { throw LabError(.io, error.description) }
            result.timing.writing = Double(DispatchTime.now().uptimeNanoseconds - writeStart.uptimeNanoseconds) / 1e9
        } catch {
            staged.discard()
            throw CLIError(error)
        }
        print(LabTable.text(result.analysis.findings), terminator: "")
        print("")
        print("wrote \(staged.destination)/: \(files.summary), \(files.findings), \(files.matrices.count) matrices, \(files.heatmaps.count) heatmaps"
              + (files.report.map { ", \($0)" } ?? ""))
        if let report = files.report { print("open \(staged.destination)/\(report) in a browser") }
        if output.timing { StandardError.write(RunProgress.timingLine(result.timing)) }
    }
}
