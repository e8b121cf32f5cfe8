import Foundation

/// The data the report page's script reads: a compact JSON form of the document's interactive
/// parts (variants with thumbnails, matrices, names). Static parts (tables, plots, provenance)
/// are rendered into the HTML directly.
struct ReportPayload: Encodable {
    struct Image: Encodable { var id: String; var file: String; var caption: String? }
    struct Model: Encodable { var id: String; var name: String; var baseline: Double? }
    struct Sweep: Encodable { var id: String; var name: String; var axis: String }
    struct Variant: Encodable {
        var id: String
        var label: String
        /// Provenance as [name, value] pairs.
        var params: [[String]]
        /// `data:` URI of the thumbnail, or "" when there is none.
        var thumb: String
    }
    struct VariantSet: Encodable { var image: String; var sweep: String; var variants: [Variant] }
    /// The matrices of one (image, sweep, model) as indices into `blocks`; `tiT` = the text–image
    /// quadrant is the transpose of the image–text one (then `ti` is nil).
    struct MatrixSet: Encodable {
        var image: String
        var sweep: String
        var model: String
        var ii: Int
        var it: Int?
        var ti: Int?
        var tiT: Bool
        var tt: Int?
        var texts: [String]
    }

    var images: [Image]
    var models: [Model]
    var sweeps: [Sweep]
    var sets: [VariantSet]
    var matrices: [MatrixSet]
    /// Every distinct matrix once (the text–text quadrant, for one, is the same in every sweep).
    var blocks: [QuantizedMatrix]
    /// Colormap name → base64 of its 256 × RGB bytes.
    var colormaps: [String: String]

    init(_ document: ReportDocument) {
        images = document.images.map { Image(id: $0.id, file: $0.file, caption: $0.caption) }
        models = document.models.map { Model(id: $0.id, name: $0.name, baseline: $0.baseline) }
        sweeps = document.sweeps.map { Sweep(id: $0.id, name: $0.name, axis: $0.axis.title) }
        sets = document.variantSets.map { set in
            VariantSet(image: set.image, sweep: set.sweep, variants: set.variants.map { variant in
                Variant(id: variant.id, label: variant.label, params: variant.parameters.map { [$0.name, $0.value] },
                        thumb: variant.thumbnail?.dataURI ?? "")
            })
        }
        var store = BlockStore()
        matrices = document.matrices.map { set in
            let transposed = set.imageText.map { it in set.textImage.map { Self.isTranspose($0, of: it) } ?? false } ?? false
            return MatrixSet(image: set.image, sweep: set.sweep, model: set.model, ii: store.index(of: set.imageImage),
                             it: set.imageText.map { store.index(of: $0) },
                             ti: transposed ? nil : set.textImage.map { store.index(of: $0) }, tiT: transposed,
                             tt: set.textText.map { store.index(of: $0) }, texts: set.texts ?? [])
        }
        blocks = store.blocks
        var maps: [String: String] = [:]
        for map in Colormap.all {
            maps[map.name] = Data(map.entries.flatMap { [$0.red, $0.green, $0.blue] }).base64EncodedString()
        }
        colormaps = maps
    }

    /// Whether `a` is exactly the transpose of `b`.
    static func isTranspose(_ a: ReportMatrix, of b: ReportMatrix) -> Bool {
        guard a.rows == b.columns, a.columns == b.rows, a.values.count == b.values.count,
              a.values.count == a.rows * a.columns else { return false }
        for r in 0..<a.rows {
            for c in 0..<a.columns where a.values[r * a.columns + c] != b.values[c * b.columns + r] { return false }
        }
        return true
    }

    /// Distinct matrices, each quantised once.
    struct BlockStore {
        struct Key: Hashable { var rows: Int; var columns: Int; var values: [Float] }
        var blocks: [QuantizedMatrix] = []
        var indices: [Key: Int] = [:]

        mutating func index(of matrix: ReportMatrix) -> Int {
            let key = Key(rows: matrix.rows, columns: matrix.columns, values: matrix.values)
            if let index = indices[key] { return index }
            blocks.append(QuantizedMatrix(matrix))
            indices[key] = blocks.count - 1
            return blocks.count - 1
        }
    }

    /// The JSON, sorted keys (stable bytes), escaped for a `<script>` element.
    func scriptJSON() throws(ReportError) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return Markup.scriptJSON(String(decoding: try encoder.encode(self), as: UTF8.self))
        } catch {
            throw ReportError(.invalidInput, "cannot encode the report's data: \(error)")
        }
    }
}

/// A matrix stored as 16-bit steps of its own value range: `value = min + q × (max − min) / 65535`.
///
/// The error is at most (max − min) / 131070 (≤ 1.6·10⁻⁵ for cosines in [−1, 1]), below the
/// 4 decimals the page shows; the bytes are little-endian `UInt16`, base64-encoded: 2 bytes per
/// cell instead of ~7 characters of JSON text. An exactly symmetric square matrix stores only
/// its upper triangle (row by row, columns from the diagonal on): half the bytes.
struct QuantizedMatrix: Encodable, Equatable {
    var rows: Int
    var columns: Int
    var min: Double
    var max: Double
    var symmetric: Bool
    var data: String

    static let levels = 65535.0

    init(_ matrix: ReportMatrix) {
        rows = matrix.rows
        columns = matrix.columns
        let finite = matrix.values.lazy.filter(\.isFinite).map(Double.init)
        let low = finite.min() ?? 0, high = finite.max() ?? 0
        min = low
        max = high
        symmetric = Self.isSymmetric(matrix)
        var bytes = [UInt8]()
        bytes.reserveCapacity(matrix.values.count * 2)
        func append(_ value: Float) {
            let q = Self.step(Double(value), min: low, max: high)
            bytes.append(UInt8(q & 0xFF))
            bytes.append(UInt8(q >> 8))
        }
        if symmetric {
            for r in 0..<matrix.rows { for c in r..<matrix.columns { append(matrix.values[r * matrix.columns + c]) } }
        } else {
            for value in matrix.values { append(value) }
        }
        data = Data(bytes).base64EncodedString()
    }

    /// Square, with one value per cell, and equal to its transpose bit for bit.
    static func isSymmetric(_ matrix: ReportMatrix) -> Bool {
        guard matrix.rows == matrix.columns, matrix.values.count == matrix.rows * matrix.columns else { return false }
        let n = matrix.rows
        for r in 0..<n {
            for c in (r + 1)..<Swift.max(r + 1, n) where matrix.values[r * n + c] != matrix.values[c * n + r] { return false }
        }
        return true
    }

    /// The 16-bit step of `value` (non-finite values, which validated documents do not hold, get 0).
    static func step(_ value: Double, min: Double, max: Double) -> UInt16 {
        guard value.isFinite, max > min else { return 0 }
        let scaled = ((value - min) / ((max - min) / levels)).rounded()
        return UInt16(Swift.max(0, Swift.min(levels, scaled)))
    }

    /// The value the page shows for step `q`, computed as the page's script computes it.
    static func value(step q: UInt16, min: Double, max: Double) -> Double {
        min + Double(q) * ((max - min) / levels)
    }
}
