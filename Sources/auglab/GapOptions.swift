import Analysis
import ArgumentParser
import Foundation

/// One image–caption pair to embed.
struct GapPair: Sendable, Equatable {
    /// The image as the user wrote it (in the pairs file or on the command line): recorded in gap.json.
    var image: String
    /// Where the image is read from (relative paths resolved against the pairs file's folder).
    var imagePath: String
    /// The caption, exactly as given.
    var caption: String
    /// Where the pair was given, for error messages: "entry 3 of pairs.json", "line 4 of pairs.csv", "--image 2".
    var origin: String
}

/// `--pairs FILE` or `--image F --caption T` repeated: the image–caption pairs of `auglab gap`.
struct GapInputOptions: ParsableArguments {
    @Option(name: .customLong("pairs"), help: ArgumentHelp(
        "A JSON list of {\"image\": PATH, \"caption\": TEXT} objects, or a CSV file with the header image,caption; image paths are relative to the file's folder.",
        valueName: "FILE"))
    var pairsFile: String?

    @Option(name: .customLong("image"), help: ArgumentHelp("An image (PNG or JPEG); pairs with the --caption of the same position. Repeat for more.",
                                                           valueName: "FILE"))
    var images: [String] = []

    @Option(name: .customLong("caption"), help: ArgumentHelp("The caption of the --image at the same position. Repeat for more.", valueName: "TEXT"))
    var captions: [String] = []

    @Flag(name: .customLong("ignore-exif-orientation"), help: ArgumentHelp(
        "Keep JPEG pixels as stored instead of turning them upright by their EXIF orientation."))
    var ignoreEXIFOrientation = false

    func validate() throws {
        if pairsFile != nil {
            if !images.isEmpty || !captions.isEmpty {
                throw ValidationError("give the pairs either in --pairs FILE or as --image/--caption, not both")
            }
            return
        }
        if images.isEmpty && captions.isEmpty {
            throw ValidationError("give image–caption pairs: --pairs FILE, or --image FILE --caption TEXT repeated")
        }
        if images.count != captions.count {
            throw ValidationError("\(images.count) --image but \(captions.count) --caption: each image needs exactly one caption")
        }
        try GapPairsFile.checkCount(images.count)
    }

    /// The pairs, in order.
    ///
    /// - Throws: `CLIError` naming the pairs file and the entry or line that is wrong.
    func load() throws(CLIError) -> [GapPair] {
        guard let pairsFile else {
            return zip(images, captions).enumerated().map { index, pair in
                GapPair(image: pair.0, imagePath: pair.0, caption: pair.1, origin: "--image \(index + 1)")
            }
        }
        return try GapPairsFile.read(pairsFile)
    }

    /// What the pairs came from, for gap.json: the pairs file as given, or the command line.
    var sourceDescription: String { pairsFile ?? "--image/--caption" }
}

/// Reads a pairs file: JSON (`[{"image": ..., "caption": ...}]`) or CSV (header `image,caption`).
enum GapPairsFile {
    /// One pair as the file gives it, with where it stands ("entry 3", "line 4").
    struct Entry {
        var image: String
        var caption: String
        var place: String
    }

    /// Largest pairs file read (bytes).
    static let maximumBytes = 16 << 20
    /// Fewest pairs: a gap needs both modalities, and one pair has no loss to speak of.
    static let minimumPairs = 2

    /// Checks the number of pairs against the limits.
    static func checkCount(_ count: Int, path: String? = nil) throws(CLIError) {
        let prefix = path.map { "\($0): " } ?? ""
        if count < minimumPairs {
            throw CLIError("\(prefix)\(count) image–caption pair\(count == 1 ? "" : "s"): the gap needs at least \(minimumPairs)")
        }
        if count > ModalityGapAnalysis.maximumPairs {
            throw CLIError("\(prefix)\(count) image–caption pairs exceed the limit of \(ModalityGapAnalysis.maximumPairs)")
        }
    }

    /// The pairs of the file at `path`, by extension (.json or .csv).
    static func read(_ path: String) throws(CLIError) -> [GapPair] {
        let lower = path.lowercased()
        guard lower.hasSuffix(".json") || lower.hasSuffix(".csv") else {
            throw CLIError("\(path): a pairs file must be .json or .csv")
        }
        let data = try contents(path)
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let entries = lower.hasSuffix(".json") ? try parseJSON(data, path: path) : try parseCSV(data, path: path)
        try checkCount(entries.count, path: path)
        return entries.map { entry in
            GapPair(image: entry.image, imagePath: entry.image.hasPrefix("/") ? entry.image : (folder as NSString).appendingPathComponent(entry.image),
                    caption: entry.caption, origin: "\(entry.place) of \(path)")
        }
    }

    /// The file's bytes, refusing anything but a regular file of at most `maximumBytes`.
    static func contents(_ path: String) throws(CLIError) -> Data {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CLIError("\(path): cannot open the pairs file (missing or unreadable)")
        }
        defer { try? handle.close() }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw CLIError("\(path): is a folder, not a pairs file")
        }
        let data: Data
        do {
            data = try handle.read(upToCount: maximumBytes + 1) ?? Data()
        } catch {
            throw CLIError("\(path): cannot read the pairs file: \(error.localizedDescription)")
        }
        guard data.count <= maximumBytes else {
            throw CLIError("\(path): the pairs file is larger than \(maximumBytes >> 20) MiB")
        }
        return data
    }

    /// `[{"image": PATH, "caption": TEXT}, ...]`; any other shape or key is an error naming the entry.
    static func parseJSON(_ data: Data, path: String) throws(CLIError) -> [Entry] {
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: data, options: [])
        } catch {
            throw CLIError("\(path): not valid JSON (\((error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "parse error"))")
        }
        guard let list = root as? [Any] else {
            throw CLIError("\(path): expected a JSON list of {\"image\": ..., \"caption\": ...} objects")
        }
        var pairs: [Entry] = []
        for (index, item) in list.enumerated() {
            guard let object = item as? [String: Any] else {
                throw CLIError("\(path): entry \(index) is not an object with \"image\" and \"caption\"")
            }
            if let unknown = object.keys.sorted().first(where: { $0 != "image" && $0 != "caption" }) {
                throw CLIError("\(path): entry \(index): unknown key \"\(unknown)\" (allowed: image, caption)")
            }
            guard let image = object["image"] as? String, !image.isEmpty else {
                throw CLIError("\(path): entry \(index): \"image\" must be a non-empty string (a path)")
            }
            guard let caption = object["caption"] as? String, !caption.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw CLIError("\(path): entry \(index): \"caption\" must be a non-empty string")
            }
            pairs.append(Entry(image: image, caption: caption, place: "entry \(index)"))
        }
        return pairs
    }

    /// RFC 4180 CSV (quoted fields with "" escapes, LF or CRLF) with the header `image,caption`
    /// (either order, case-insensitive); a UTF-8 byte-order mark is skipped.
    static func parseCSV(_ data: Data, path: String) throws(CLIError) -> [Entry] {
        guard var text = String(data: data, encoding: .utf8) else {
            throw CLIError("\(path): the CSV file is not UTF-8 text")
        }
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        let records = try csvRecords(text, path: path)
        guard let header = records.first else { throw CLIError("\(path): the CSV file is empty (expected the header image,caption)") }
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard names.count == 2, let imageColumn = names.firstIndex(of: "image"), let captionColumn = names.firstIndex(of: "caption") else {
            throw CLIError("\(path): line 1: the header must be image,caption (got \(header.fields.joined(separator: ",")))")
        }
        var pairs: [Entry] = []
        for record in records.dropFirst() {
            guard record.fields.count == 2 else {
                throw CLIError("\(path): line \(record.line): expected 2 fields (image, caption), found \(record.fields.count)")
            }
            let image = record.fields[imageColumn], caption = record.fields[captionColumn]
            guard !image.isEmpty else { throw CLIError("\(path): line \(record.line): empty image path") }
            guard !caption.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw CLIError("\(path): line \(record.line): empty caption")
            }
            pairs.append(Entry(image: image, caption: caption, place: "line \(record.line)"))
        }
        return pairs
    }

    /// The records of a CSV text with the line each starts on; blank lines are skipped.
    static func csvRecords(_ text: String, path: String) throws(CLIError) -> [(line: Int, fields: [String])] {
        var records: [(line: Int, fields: [String])] = []
        var fields: [String] = []
        var field = ""
        var inQuotes = false, fieldWasQuoted = false
        var line = 1, recordLine = 1
        var characters = Array(text.unicodeScalars)[...]
        func endRecord() {
            fields.append(field)
            if !(fields.count == 1 && fields[0].isEmpty && !fieldWasQuoted) { records.append((recordLine, fields)) }
            fields = []
            field = ""
            fieldWasQuoted = false
        }
        while let scalar = characters.popFirst() {
            if inQuotes {
                if scalar == "\"" {
                    if characters.first == "\"" {
                        characters.removeFirst()
                        field.unicodeScalars.append("\"")
                    } else {
                        inQuotes = false
                    }
                } else {
                    if scalar == "\n" { line += 1 }
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"":
                guard field.isEmpty && !fieldWasQuoted else {
                    throw CLIError("\(path): line \(line): a quote inside an unquoted field (quote the whole field and double inner quotes)")
                }
                inQuotes = true
                fieldWasQuoted = true
            case ",":
                fields.append(field)
                field = ""
                fieldWasQuoted = false
            case "\r":
                if characters.first == "\n" { characters.removeFirst() }
                endRecord()
                line += 1
                recordLine = line
            case "\n":
                endRecord()
                line += 1
                recordLine = line
            default:
                guard !fieldWasQuoted else {
                    throw CLIError("\(path): line \(line): text after a closing quote")
                }
                field.unicodeScalars.append(scalar)
            }
        }
        if inQuotes { throw CLIError("\(path): line \(recordLine): a quoted field is not closed") }
        if !field.isEmpty || !fields.isEmpty || fieldWasQuoted { endRecord() }
        return records
    }
}
