import ArgumentParser
import Sweeps

/// Where and how a command writes its output folder.
struct OutputOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The output folder (default: runs/<command>-<image>-<preset>). It is built under a temporary name beside it and renamed into place when complete.",
                               valueName: "dir"))
    var out: String?

    @Option(help: ArgumentHelp("File format of the variants: png (lossless, the default) or jpeg (quality 95).",
                               valueName: "png|jpeg"))
    var format: String = "png"

    @Flag(help: "Replace the output folder if it exists (without this, an existing folder is an error and is left untouched).")
    var force = false

    @Flag(help: "No progress on stderr.")
    var quiet = false

    /// The variant file format.
    ///
    /// - Throws: `CLIError` naming the allowed formats.
    func variantFormat() throws(CLIError) -> VariantFileFormat {
        let name = format.lowercased() == "jpg" ? "jpeg" : format.lowercased()
        guard let format = VariantFileFormat(rawValue: name) else {
            throw CLIError("--format '\(format)' is not one of \(VariantFileFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return format
    }
}
