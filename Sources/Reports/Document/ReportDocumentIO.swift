import Foundation
import Imaging

extension ReportDocument {
    /// The largest report document file read (bytes).
    public static let maximumFileBytes = 1 << 30
    /// The largest matrix side accepted (rotation sweeps go to 4096 variants; texts come on top).
    public static let maximumMatrixSide = 16_384
    /// The most matrix cells accepted over the whole document.
    public static let maximumTotalCells = 1 << 27
    /// The largest thumbnail side accepted (pixels).
    public static let maximumThumbnailSide = 4096

    /// Checks that the document is consistent and safe to render.
    ///
    /// Ids are non-empty and unique; every reference resolves; matrix shapes fit their value
    /// counts, their variant sets and texts; values are finite; thumbnails are PNG/JPEG of a
    /// sane size; curves have one y per x.
    /// - Throws: `ReportError.invalidInput` naming the first problem and where it is.
    public func validate() throws(ReportError) {
        let imageIDs = try Self.uniqueIDs(images.map(\.id), list: "images")
        let modelIDs = try Self.uniqueIDs(models.map(\.id), list: "models")
        let sweepIDs = try Self.uniqueIDs(sweeps.map(\.id), list: "sweeps")
        for (i, image) in images.enumerated() {
            if let thumbnail = image.thumbnail { try Self.check(thumbnail, at: "images[\(i)].thumbnail") }
        }
        for (i, model) in models.enumerated() where model.baseline.map({ !$0.isFinite }) ?? false {
            throw ReportError(.invalidInput, "model \(model.name): baseline is not a finite number", location: "models[\(i)].baseline")
        }
        var setSizes: [String: Int] = [:]
        for (i, set) in variantSets.enumerated() {
            let place = "variant_sets[\(i)]"
            try Self.require(set.image, in: imageIDs, what: "image", at: place)
            try Self.require(set.sweep, in: sweepIDs, what: "sweep", at: place)
            let key = set.image + "\u{0}" + set.sweep
            guard setSizes[key] == nil else {
                throw ReportError(.invalidInput, "a second variant set for image \(set.image), sweep \(set.sweep)", location: place)
            }
            setSizes[key] = set.variants.count
            _ = try Self.uniqueIDs(set.variants.map(\.id), list: place + ".variants")
            for (j, variant) in set.variants.enumerated() {
                if let thumbnail = variant.thumbnail { try Self.check(thumbnail, at: "\(place).variants[\(j)].thumbnail") }
                if let value = variant.value, !value.isFinite {
                    throw ReportError(.invalidInput, "variant \(variant.id): value is not a finite number", location: "\(place).variants[\(j)].value")
                }
            }
        }
        var seenMatrices = Set<String>()
        var totalCells = 0
        for (i, set) in matrices.enumerated() {
            let place = "matrices[\(i)]"
            try Self.require(set.image, in: imageIDs, what: "image", at: place)
            try Self.require(set.sweep, in: sweepIDs, what: "sweep", at: place)
            try Self.require(set.model, in: modelIDs, what: "model", at: place)
            guard seenMatrices.insert(set.image + "\u{0}" + set.sweep + "\u{0}" + set.model).inserted else {
                throw ReportError(.invalidInput, "a second matrix set for image \(set.image), sweep \(set.sweep), model \(set.model)",
                                  location: place)
            }
            totalCells += try Self.check(set, variantCount: setSizes[set.image + "\u{0}" + set.sweep], at: place)
            guard totalCells <= Self.maximumTotalCells else {
                throw ReportError(.invalidInput, "the matrices hold more than \(Self.maximumTotalCells) cells in all", location: place)
            }
        }
        for (i, curve) in curves.enumerated() {
            let place = "curves[\(i)]"
            if let image = curve.image { try Self.require(image, in: imageIDs, what: "image", at: place) }
            try Self.require(curve.sweep, in: sweepIDs, what: "sweep", at: place)
            try Self.require(curve.model, in: modelIDs, what: "model", at: place)
            guard curve.x.count == curve.y.count else {
                throw ReportError(.invalidInput, "curve has \(curve.x.count) positions but \(curve.y.count) values", location: place)
            }
            if let interval = curve.thresholdInterval, interval.count != 2 {
                throw ReportError(.invalidInput, "threshold interval must be [low, high], got \(interval.count) numbers",
                                  location: place + ".threshold_interval")
            }
        }
    }

    /// Checks a matrix set's shapes and values; returns its number of cells.
    static func check(_ set: ReportMatrixSet, variantCount: Int?, at place: String) throws(ReportError) -> Int {
        let n = set.imageImage.rows
        var cells = try check(set.imageImage, rows: n, columns: n, at: place + ".image_image")
        if let variantCount, variantCount != n {
            throw ReportError(.invalidInput, "image_image is \(n)×\(set.imageImage.columns) but the variant set has \(variantCount) variants",
                              location: place + ".image_image")
        }
        let hasQuadrant = set.imageText != nil || set.textImage != nil || set.textText != nil
        guard hasQuadrant else { return cells }
        guard let texts = set.texts else {
            throw ReportError(.invalidInput, "text quadrants are given without their texts", location: place + ".texts")
        }
        let m = texts.count
        if let quadrant = set.imageText { cells += try check(quadrant, rows: n, columns: m, at: place + ".image_text") }
        if let quadrant = set.textImage { cells += try check(quadrant, rows: m, columns: n, at: place + ".text_image") }
        if let quadrant = set.textText { cells += try check(quadrant, rows: m, columns: m, at: place + ".text_text") }
        return cells
    }

    /// Checks one matrix against its expected shape; returns its number of cells.
    static func check(_ matrix: ReportMatrix, rows: Int, columns: Int, at place: String) throws(ReportError) -> Int {
        guard (0...maximumMatrixSide).contains(matrix.rows), (0...maximumMatrixSide).contains(matrix.columns) else {
            throw ReportError(.invalidInput, "matrix of \(matrix.rows)×\(matrix.columns): sides must be 0...\(maximumMatrixSide)",
                              location: place)
        }
        guard matrix.rows == rows, matrix.columns == columns else {
            throw ReportError(.invalidInput, "matrix is \(matrix.rows)×\(matrix.columns), expected \(rows)×\(columns)", location: place)
        }
        guard matrix.values.count == rows * columns else {
            throw ReportError(.invalidInput, "matrix of \(rows)×\(columns) holds \(matrix.values.count) values", location: place)
        }
        if let bad = matrix.values.firstIndex(where: { !$0.isFinite }) {
            throw ReportError(.invalidInput, "value \(bad) (row \(bad / max(1, columns)), column \(bad % max(1, columns))) is not a finite number",
                              location: place)
        }
        return rows * columns
    }

    static func check(_ thumbnail: ReportThumbnail, at place: String) throws(ReportError) {
        guard ReportThumbnail.allowedMimeTypes.contains(thumbnail.mimeType) else {
            throw ReportError(.invalidInput, "thumbnail type \(thumbnail.mimeType) is not image/png or image/jpeg", location: place)
        }
        guard thumbnail.data.count <= ReportThumbnail.maximumBytes else {
            throw ReportError(.invalidInput, "thumbnail of \(thumbnail.data.count) bytes is over \(ReportThumbnail.maximumBytes)",
                              location: place)
        }
        guard (1...maximumThumbnailSide).contains(thumbnail.width), (1...maximumThumbnailSide).contains(thumbnail.height) else {
            throw ReportError(.invalidInput, "thumbnail size \(thumbnail.width)×\(thumbnail.height) is outside 1...\(maximumThumbnailSide)",
                              location: place)
        }
    }

    static func uniqueIDs(_ ids: [String], list: String) throws(ReportError) -> Set<String> {
        var seen = Set<String>()
        for (i, id) in ids.enumerated() {
            guard !id.isEmpty else { throw ReportError(.invalidInput, "empty id", location: "\(list)[\(i)].id") }
            guard seen.insert(id).inserted else {
                throw ReportError(.invalidInput, "id \(id) is used twice", location: "\(list)[\(i)].id")
            }
        }
        return seen
    }

    static func require(_ id: String, in ids: Set<String>, what: String, at place: String) throws(ReportError) {
        guard ids.contains(id) else {
            throw ReportError(.invalidInput, "refers to \(what) \(id), which the document does not list", location: place + "." + what)
        }
    }

    /// The document as JSON: sorted keys, so the same document always gives the same bytes.
    ///
    /// - Throws: `ReportError.invalidInput` if encoding fails (it does not for valid documents).
    public func encodedJSON() throws(ReportError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do {
            return [UInt8](try encoder.encode(self))
        } catch {
            throw ReportError(.invalidInput, "cannot encode the report document: \(error)")
        }
    }

    /// Decodes and validates a document from JSON bytes (`path` names the file in errors).
    ///
    /// - Throws: `ReportError.invalidInput` for malformed JSON, missing fields or an
    ///   inconsistent document (see `validate`), naming `path` and the place.
    public static func decode(_ bytes: [UInt8], path: String? = nil) throws(ReportError) -> ReportDocument {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let document: ReportDocument
        do {
            document = try decoder.decode(ReportDocument.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw ReportError(.invalidInput, "not a report document: \(describe(error))", path: path,
                              location: codingPath(of: error))
        } catch {
            throw ReportError(.invalidInput, "not a report document: \(error)", path: path)
        }
        do {
            try document.validate()
        } catch {
            var located = error
            located.path = path
            throw located
        }
        return document
    }

    /// Reads, decodes and validates a document file (at most `maximumFileBytes`).
    ///
    /// - Throws: `ReportError.io` if the file cannot be read or is too large, `.invalidInput`
    ///   as `decode`.
    public static func read(fromPath path: String) throws(ReportError) -> ReportDocument {
        let bytes: [UInt8]
        do {
            bytes = try FileBytes.contents(atPath: path, maxBytes: maximumFileBytes, expected: "a report document")
        } catch {
            throw ReportError(.io, error.message, path: path)
        }
        return try decode(bytes, path: path)
    }

    /// Writes the document as JSON (`encodedJSON`) to `path` atomically.
    ///
    /// - Throws: `ReportError.io` naming the path.
    public func write(toPath path: String) throws(ReportError) {
        try ReportFile.write(encodedJSON(), toPath: path)
    }

    static func codingPath(of error: DecodingError) -> String? {
        let path: [CodingKey]
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .keyNotFound(_, let context),
             .dataCorrupted(let context):
            path = context.codingPath
        @unknown default:
            return nil
        }
        guard !path.isEmpty else { return nil }
        return path.map { key in key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }.joined()
            .trimmingCharacters(in: CharacterSet(charactersIn: "."))
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .typeMismatch(let type, _): return "a value is not of type \(type)"
        case .valueNotFound(let type, _): return "a required \(type) value is missing"
        case .keyNotFound(let key, _): return "required key \(key.stringValue) is missing"
        case .dataCorrupted(let context): return context.debugDescription
        @unknown default: return "\(error)"
        }
    }
}

/// Atomic writes of report files (temporary file in the same folder, then rename).
public enum ReportFile {
    /// Writes `bytes` to `path` atomically.
    ///
    /// - Throws: `ReportError.io` naming `path` and the system's reason.
    public static func write(_ bytes: [UInt8], toPath path: String) throws(ReportError) {
        do {
            try AtomicFile.write(bytes, toPath: path)
        } catch {
            throw ReportError(.io, error.message, path: path)
        }
    }

    /// Writes `text` as UTF-8 to `path` atomically.
    ///
    /// - Throws: `ReportError.io` naming `path`.
    public static func write(_ text: String, toPath path: String) throws(ReportError) {
        try write(Array(text.utf8), toPath: path)
    }

    /// A file-name-safe form of an id: letters, digits, `-`, `_` and `.` kept, anything else
    /// (including `/`) replaced by `_`, leading dots removed, at most 80 characters; never empty.
    public static func safeName(_ id: String) -> String {
        var name = String(id.unicodeScalars.map { scalar -> Character in
            let allowed = (scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || "-_.".unicodeScalars.contains(scalar)))
            return allowed ? Character(scalar) : "_"
        })
        while name.hasPrefix(".") { name.removeFirst() }
        if name.count > 80 { name = String(name.prefix(80)) }
        return name.isEmpty ? "_" : name
    }
}
