import Dispatch
import Foundation
import Imaging
import Synchronization

/// The file format of written variants.
public enum VariantFileFormat: String, Sendable, Hashable, CaseIterable {
    /// Lossless PNG (zlib level 1): the file holds exactly the in-memory variant's pixels.
    case png
    /// JPEG at `AugmentOutput.jpegQuality` (lossy: the file's pixels differ from the variant's).
    case jpeg

    /// The file name extension, without the dot.
    public var fileExtension: String { self == .png ? "png" : "jpg" }

    /// The encoded bytes of a variant: PNG at zlib level `AugmentOutput.pngCompressionLevel`,
    /// or JPEG at `AugmentOutput.jpegQuality`.
    func encode(_ image: RGBImage) throws(ImagingError) -> [UInt8] {
        switch self {
        case .png: return try PNGCodec.encode(image, compressionLevel: AugmentOutput.pngCompressionLevel)
        case .jpeg: return try JPEGCodec.encode(image, quality: AugmentOutput.jpegQuality)
        }
    }
}

/// Writes a sweep's variants, their provenance and a contact sheet into a staged folder.
///
/// Layout of the folder:
/// - `variants/0000.png`, `0001.png`, … (four digits, more when there are over 10000 variants),
/// - `variants.json`: an array, one object per variant in sweep order, with the fields of
///   `VariantProvenance` and `file` (e.g. `variants/0000.png`); keys sorted, two-space indent,
/// - `contact-sheet.png`: the labelled thumbnails in sweep order (see `ContactSheet`).
///
/// Everything written depends only on the inputs (no times, no host names), so the same
/// command twice writes the same bytes.
public enum AugmentOutput {
    /// The libjpeg quality of variants written as JPEG.
    public static let jpegQuality = 95
    /// The zlib level of variants written as PNG: 1, the fastest. Compression dominates the
    /// cost of a sweep (level 6, Pillow's default, takes about 5× longer for files about 20%
    /// smaller); the pixels are the same at any level.
    public static let pngCompressionLevel = 1

    /// What was written.
    public struct Summary: Sendable {
        /// The provenance of every variant, with `file` set, in sweep order.
        public var variants: [VariantProvenance]
        /// Size of the contact sheet in pixels.
        public var contactSheetSize: (width: Int, height: Int)
    }

    /// The file name of variant `index` among `count`: zero-padded to at least four digits.
    public static func fileName(index: Int, count: Int, format: VariantFileFormat) -> String {
        let digits = max(4, String(max(0, count - 1)).count)
        let number = String(index)
        return String(repeating: "0", count: max(0, digits - number.count)) + number + "." + format.fileExtension
    }

    /// Generates every variant of `generator` and writes the folder's contents into `staged`
    /// (which the caller then commits or discards).
    ///
    /// Variants are generated on up to `workers` threads (default: the cores, at most 4, fewer
    /// for very large images so memory stays near 1 GB); output does not depend on it.
    /// `progress(done, total)` is called after each variant, in increasing order of `done`.
    ///
    /// - Throws: the first `SweepError` of any variant (`.io` for files that cannot be written).
    public static func write(_ generator: VariantGenerator, into staged: StagedDirectory,
                             format: VariantFileFormat = .png, workers: Int? = nil,
                             progress: @Sendable (Int, Int) -> Void = { _, _ in }) throws(SweepError) -> Summary {
        let count = generator.count
        try staged.createFolder("variants")
        let sheet = ContactSheet(axisCounts: generator.preset.definition.axes.map(\.count))
        let state = WorkState(count: count)
        let threads = max(1, min(workers ?? defaultWorkers(pixels: generator.start.width * generator.start.height), count))
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            while let index = state.nextIndex() {
                do throws(SweepError) {
                    let variant = try generator.variant(at: index)
                    let name = "variants/" + fileName(index: index, count: count, format: format)
                    do throws(ImagingError) {
                        try AtomicFile.write(try format.encode(variant.image), toPath: staged.path(name))
                    } catch {
                        throw SweepError(.io, error.message, path: staged.destination + "/" + name)
                    }
                    var provenance = variant.provenance
                    provenance.file = name
                    state.finish(index, provenance: provenance, thumbnail: try sheet.thumbnail(of: variant.image),
                                 progress: progress)
                } catch {
                    state.fail(error)
                }
            }
        }
        let (provenances, thumbnails) = try state.results()
        try writeJSON(provenances, to: staged.path("variants.json"), shownAs: staged.destination + "/variants.json")
        let labels = provenances.map { item in
            ContactSheet.label(index: item.index, values: item.axes?.map(\.value) ?? [item.value])
        }
        let contactSheet = sheet.render(thumbnails: thumbnails, labels: labels)
        do {
            try ImageFile.write(contactSheet, toPath: staged.path("contact-sheet.png"), format: .png)
        } catch {
            throw SweepError(.io, error.message, path: staged.destination + "/contact-sheet.png")
        }
        return Summary(variants: provenances, contactSheetSize: (contactSheet.width, contactSheet.height))
    }

    /// The JSON text of a list of provenances: keys sorted, two-space indent, final newline.
    public static func json(_ provenances: [VariantProvenance]) throws(SweepError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            return Array(try encoder.encode(provenances)) + [UInt8(ascii: "\n")]
        } catch {
            throw SweepError(.invalidArgument, "cannot encode the provenance as JSON: \(error)")
        }
    }

    static func writeJSON(_ provenances: [VariantProvenance], to path: String, shownAs shown: String) throws(SweepError) {
        let bytes = try json(provenances)
        do {
            try AtomicFile.write(bytes, toPath: path)
        } catch {
            throw SweepError(.io, error.message, path: shown)
        }
    }

    /// Threads for a sweep over images of `pixels` pixels: the cores (at most 4), limited so
    /// that about three float copies per thread stay within 1 GB.
    static func defaultWorkers(pixels: Int) -> Int {
        let perVariant = max(1, pixels * 3 * 4 * 3)
        return max(1, min(ProcessInfo.processInfo.activeProcessorCount, 4, 1_000_000_000 / perVariant))
    }

    /// The work queue and results shared by the worker threads.
    final class WorkState: Sendable {
        struct State {
            var next = 0
            var done = 0
            var failure: SweepError?
            var provenances: [VariantProvenance?]
            var thumbnails: [RGBImage?]
        }

        let count: Int
        let state: Mutex<State>

        init(count: Int) {
            self.count = count
            state = Mutex(State(provenances: Array(repeating: nil, count: count),
                                thumbnails: Array(repeating: nil, count: count)))
        }

        /// The next index to generate, or nil when all are taken or a variant failed.
        func nextIndex() -> Int? {
            state.withLock { state in
                guard state.failure == nil, state.next < count else { return nil }
                defer { state.next += 1 }
                return state.next
            }
        }

        func finish(_ index: Int, provenance: VariantProvenance, thumbnail: RGBImage,
                    progress: (Int, Int) -> Void) {
            state.withLock { state in
                state.provenances[index] = provenance
                state.thumbnails[index] = thumbnail
                state.done += 1
                progress(state.done, count)
            }
        }

        /// Records the first failure (by variant order of discovery); later ones are dropped.
        func fail(_ error: SweepError) {
            state.withLock { state in
                if state.failure == nil { state.failure = error }
            }
        }

        func results() throws(SweepError) -> ([VariantProvenance], [RGBImage]) {
            let snapshot = state.withLock { $0 }
            if let failure = snapshot.failure { throw failure }
            return (snapshot.provenances.compactMap { $0 }, snapshot.thumbnails.compactMap { $0 })
        }
    }
}
