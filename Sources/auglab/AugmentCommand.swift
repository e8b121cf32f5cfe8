import ArgumentParser
import Dispatch
import Foundation
import Imaging
import Sweeps

/// `auglab augment IMAGE --preset NAME|PATH`: writes a sweep's variants with provenance.
struct AugmentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "augment",
        abstract: "Generate a sweep of augmented variants of one image, with provenance and a contact sheet.",
        discussion: """
            Writes DIR/variants/0000.png, 0001.png, ... (sweep order), DIR/variants.json (one object \
            per variant: operation, value, unit, seed, options, source file and sha256, preset, file) \
            and DIR/contact-sheet.png (labelled thumbnails, left to right, then top to bottom; a 2-D \
            sweep has one row per value of its first axis).

            The folder is built under a temporary name beside DIR and renamed into place at the end, \
            so a failed or interrupted run leaves no DIR behind. An existing DIR is an error unless \
            --force is given. The same command twice writes the same bytes.

            Presets: a name from `auglab presets list`, or the path of a YAML file (any argument \
            containing '/' or ending in .yaml/.yml).
            """)

    @OptionGroup var input: ImageInputOptions

    @Option(help: ArgumentHelp("A bundled preset's name (see `auglab presets list`) or a preset YAML file's path.",
                               valueName: "name|path"))
    var preset: String

    @Option(help: "The sweep seed: every variant's seed is derived from it and the variant's index.")
    var seed: UInt64 = 0

    @Flag(help: "Apply the sweep to a flat mid-grey image of the source's (cropped) size instead of the image (the mask control).")
    var maskControl = false

    @OptionGroup var output: OutputOptions

    func run() throws {
        try augment()
    }

    func augment() throws(CLIError) {
        let format = try output.variantFormat()
        let decodeOptions = try input.decodeOptions()
        let preset: Preset
        let source: SourceImage
        do throws(SweepError) {
            preset = try PresetLibrary.resolve(self.preset)
            source = try SourceImage.load(path: input.image, options: decodeOptions)
        } catch {
            throw CLIError(error)
        }
        let generator = VariantGenerator(preset: preset, source: source, seed: seed, maskControl: maskControl)
        let destination = output.out ?? defaultOutput(preset: preset, generator: generator)
        let staged: StagedDirectory
        do throws(SweepError) {
            staged = try StagedDirectory(destination: destination, replaceExisting: output.force)
        } catch {
            throw CLIError(error)
        }
        let cleanup = InterruptCleanup(staged)
        defer { cleanup.cancel() }
        let reporter = ProgressReporter(label: "augment: variants", quiet: output.quiet)
        let summary: AugmentOutput.Summary
        do throws(SweepError) {
            summary = try AugmentOutput.write(generator, into: staged, format: format) { done, total in
                reporter.update(done, of: total)
            }
            try staged.commit()
        } catch {
            staged.discard()
            throw CLIError(error)
        }
        let count = summary.variants.count
        let last = AugmentOutput.fileName(index: count - 1, count: count, format: format)
        print("wrote \(count) variants of \(input.image) (preset \(preset.name)\(maskControl ? ", mask control" : "")) to \(staged.destination)")
        print("  \(staged.destination)/variants/\(AugmentOutput.fileName(index: 0, count: count, format: format))"
              + (count > 1 ? " ... \(last)" : ""))
        print("  \(staged.destination)/variants.json")
        print("  \(staged.destination)/contact-sheet.png")
    }

    /// `runs/augment-<image stem>-<preset>` (`-mask-control` appended for the mask control).
    func defaultOutput(preset: Preset, generator: VariantGenerator) -> String {
        "runs/augment-\(input.imageStem)-\(preset.name)" + (maskControl ? "-mask-control" : "")
    }
}

/// Removes a staging folder when the run is interrupted (SIGINT, SIGTERM), then exits 130/143.
final class InterruptCleanup {
    private let sources: [any DispatchSourceSignal]

    init(_ staged: StagedDirectory) {
        let queue = DispatchQueue(label: "auglab.interrupt-cleanup")
        sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler {
                staged.discard()
                StandardError.write("\nauglab: interrupted; removed the unfinished output\n")
                exit(128 + number)
            }
            source.resume()
            return source
        }
    }

    /// Stops watching and restores the default signal handling.
    func cancel() {
        for source in sources { source.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}
