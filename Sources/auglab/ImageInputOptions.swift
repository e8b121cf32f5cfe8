import ArgumentParser
import Imaging

/// The source image argument and how to decode it.
struct ImageInputOptions: ParsableArguments {
    @Argument(help: "The source image: a PNG or JPEG file.")
    var image: String

    @Flag(help: "Keep a JPEG's stored pixels instead of turning them upright as its EXIF orientation tag says (recorded in the provenance either way).")
    var ignoreExifOrientation = false

    @Option(help: ArgumentHelp("Refuse images with more pixels than this, checked from the file header before decoding.",
                               valueName: "megapixels"))
    var maxMegapixels: Double = 100

    /// The decoder options these flags ask for.
    ///
    /// - Throws: `CLIError` when `--max-megapixels` is not a positive number.
    func decodeOptions() throws(CLIError) -> DecodeOptions {
        guard maxMegapixels.isFinite, maxMegapixels > 0, maxMegapixels <= 1_000_000 else {
            throw CLIError("--max-megapixels must be a number in (0, 1000000], got \(maxMegapixels)")
        }
        let pixels = max(1, Int(maxMegapixels * 1_000_000))
        return DecodeOptions(maxPixels: pixels, applyEXIFOrientation: !ignoreExifOrientation)
    }

    /// The image file's name without folders and extension (for default output names).
    var imageStem: String {
        let file = image.split(separator: "/").last.map(String.init) ?? image
        guard let dot = file.lastIndex(of: "."), dot != file.startIndex else { return file }
        return String(file[..<dot])
    }
}
