import Analysis
import Foundation
import Tensors

/// Everything a report shows, as plain Codable data: what `auglab run` fills from memory and
/// `auglab report DIR` reads back from a run folder (`ReportDocument.read(fromPath:)`).
///
/// Items refer to each other by `id` strings: a variant set names its image and sweep, a matrix
/// set its image, sweep and model. Rendering (`HTMLReport.render`) is a pure function of this
/// value; call `validate()` (done by `read` and `render`) before trusting one from a file.
/// JSON keys are snake_case; encode with `encodedJSON()` for stable bytes.
public struct ReportDocument: Codable, Sendable, Equatable {
    /// The page title (e.g. "AugLab report").
    public var title: String
    /// How the results were made.
    public var provenance: ReportProvenance
    /// The source images.
    public var images: [ReportImage]
    /// The encoders.
    public var models: [ReportModel]
    /// The sweeps (presets).
    public var sweeps: [ReportSweep]
    /// The variants of each (image, sweep), shared by every model.
    public var variantSets: [ReportVariantSet]
    /// The similarity matrices of each (image, sweep, model).
    public var matrices: [ReportMatrixSet]
    /// Every finding (headlines and components), labelled with image, model and preset.
    public var findings: [Finding]
    /// The side-by-side table of scores of several models (nil: built from `findings`).
    public var comparison: ComparisonTable?
    /// Curves and profiles for the plots.
    public var curves: [ReportCurve]
    /// Warnings and remarks to show at the top (one sentence each).
    public var notes: [String]

    /// A document; every list may be empty.
    public init(title: String = "AugLab report", provenance: ReportProvenance, images: [ReportImage] = [],
                models: [ReportModel] = [], sweeps: [ReportSweep] = [], variantSets: [ReportVariantSet] = [],
                matrices: [ReportMatrixSet] = [], findings: [Finding] = [], comparison: ComparisonTable? = nil,
                curves: [ReportCurve] = [], notes: [String] = []) {
        self.title = title
        self.provenance = provenance
        self.images = images
        self.models = models
        self.sweeps = sweeps
        self.variantSets = variantSets
        self.matrices = matrices
        self.findings = findings
        self.comparison = comparison
        self.curves = curves
        self.notes = notes
    }

    enum CodingKeys: String, CodingKey {
        case title, provenance, images, models, sweeps
        case variantSets = "variant_sets"
        case matrices, findings, comparison, curves, notes
    }

    /// The variant set of an (image, sweep), if any.
    public func variantSet(image: String, sweep: String) -> ReportVariantSet? {
        variantSets.first { $0.image == image && $0.sweep == sweep }
    }
}

/// How the results were made: enough to reproduce them.
public struct ReportProvenance: Codable, Sendable, Equatable {
    /// AugLab's version string.
    public var toolVersion: String
    /// The run's seed (nil: none given).
    public var seed: UInt64?
    /// The command line, one argument per entry (nil: not recorded).
    public var command: [String]?
    /// The artefact-control rule the rotation verdicts used (`ArtefactControl.rule`), if any.
    public var controlRule: String?
    /// Anything else worth recording, as name/value pairs in display order (e.g. preprocessing).
    public var details: [ReportField]

    /// Provenance with the required tool version.
    public init(toolVersion: String, seed: UInt64? = nil, command: [String]? = nil, controlRule: String? = nil,
                details: [ReportField] = []) {
        self.toolVersion = toolVersion
        self.seed = seed
        self.command = command
        self.controlRule = controlRule
        self.details = details
    }

    enum CodingKeys: String, CodingKey {
        case toolVersion = "tool_version"
        case seed, command
        case controlRule = "control_rule"
        case details
    }
}

/// A name and a value, both shown as text.
public struct ReportField: Codable, Sendable, Equatable {
    /// What the value is (e.g. "interpolation").
    public var name: String
    /// The value as text (e.g. "bilinear").
    public var value: String

    /// A field.
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// A small picture embedded in the report (a PNG or JPEG file's bytes).
public struct ReportThumbnail: Codable, Sendable, Equatable {
    /// `image/png` or `image/jpeg`.
    public var mimeType: String
    /// The encoded file (base64 in JSON).
    public var data: Data
    /// Width in pixels.
    public var width: Int
    /// Height in pixels.
    public var height: Int

    /// A thumbnail from encoded bytes.
    public init(mimeType: String, data: Data, width: Int, height: Int) {
        self.mimeType = mimeType
        self.data = data
        self.width = width
        self.height = height
    }

    /// The MIME types a report embeds.
    public static let allowedMimeTypes: Set<String> = ["image/png", "image/jpeg"]

    /// The largest thumbnail file accepted (bytes); thumbnails are meant to be a few kilobytes.
    public static let maximumBytes = 1 << 20

    /// `data:<mime>;base64,…` for an `<img src>`.
    public var dataURI: String { Markup.dataURI(mimeType: mimeType, bytes: [UInt8](data)) }

    enum CodingKeys: String, CodingKey {
        case mimeType = "mime_type"
        case data, width, height
    }
}

/// A source image.
public struct ReportImage: Codable, Sendable, Equatable {
    /// Unique key other items refer to.
    public var id: String
    /// The file as the user named it.
    public var file: String
    /// SHA-256 of the file (lowercase hex), if known.
    public var sha256: String?
    /// Size in pixels, if known.
    public var width: Int?
    /// Size in pixels, if known.
    public var height: Int?
    /// The caption given for it, if any.
    public var caption: String?
    /// A small picture of it, if any.
    public var thumbnail: ReportThumbnail?

    /// An image entry.
    public init(id: String, file: String, sha256: String? = nil, width: Int? = nil, height: Int? = nil,
                caption: String? = nil, thumbnail: ReportThumbnail? = nil) {
        self.id = id
        self.file = file
        self.sha256 = sha256
        self.width = width
        self.height = height
        self.caption = caption
        self.thumbnail = thumbnail
    }
}

/// An encoder.
public struct ReportModel: Codable, Sendable, Equatable {
    /// Unique key other items refer to.
    public var id: String
    /// The name shown (e.g. "ViT-B-32", "pixels").
    public var name: String
    /// The checkpoint file, if any (control encoders have none).
    public var file: String?
    /// SHA-256 of the checkpoint file (lowercase hex), if any.
    public var sha256: String?
    /// What kind of encoder it is, in words (e.g. "control encoder", "CLIP ViT-B/32").
    public var kind: String?
    /// The unrelated-images mean cosine of its image embeddings (`UnrelatedBaseline.reference`);
    /// nil when not calibrated (then heatmaps use the data range).
    public var baseline: Double?

    /// A model entry.
    public init(id: String, name: String, file: String? = nil, sha256: String? = nil, kind: String? = nil,
                baseline: Double? = nil) {
        self.id = id
        self.name = name
        self.file = file
        self.sha256 = sha256
        self.kind = kind
        self.baseline = baseline
    }
}

/// The parameter a sweep varies.
public struct ReportAxis: Codable, Sendable, Equatable {
    /// What varies, in words (e.g. "rotation angle", "noise level").
    public var name: String
    /// Its symbol (e.g. "θ", "σ"), if any.
    public var symbol: String?
    /// Its unit (e.g. "degrees", "intensity (0–1)", "source pixels"), if any.
    public var unit: String?

    /// An axis.
    public init(name: String, symbol: String? = nil, unit: String? = nil) {
        self.name = name
        self.symbol = symbol
        self.unit = unit
    }

    /// "rotation angle θ (degrees)": the axis title of plots and heatmaps.
    public var title: String {
        var text = name
        if let symbol, !symbol.isEmpty { text += " " + symbol }
        if let unit, !unit.isEmpty { text += " (\(unit))" }
        return text
    }
}

/// A sweep: a preset applied to every image.
public struct ReportSweep: Codable, Sendable, Equatable {
    /// The kind of sweep, which decides the plots it gets.
    public enum Kind: String, Codable, Sendable {
        /// A full-circle rotation (rotation profile and anti-diagonal plots).
        case rotation
        /// Explicit flips.
        case flip
        /// A noise or blur level sweep (similarity-to-clean plot with the collapse threshold).
        case degradation
        /// Anything else.
        case other
    }

    /// Unique key other items refer to (normally the preset name).
    public var id: String
    /// The preset's name.
    public var name: String
    /// The kind of sweep.
    public var kind: Kind
    /// The parameter it varies.
    public var axis: ReportAxis
    /// The preset's definition as written (YAML or JSON), for provenance.
    public var definition: String?

    /// A sweep entry.
    public init(id: String, name: String, kind: Kind, axis: ReportAxis, definition: String? = nil) {
        self.id = id
        self.name = name
        self.kind = kind
        self.axis = axis
        self.definition = definition
    }
}

/// One augmented variant: its label, parameters, provenance and thumbnail.
public struct ReportVariant: Codable, Sendable, Equatable {
    /// Unique key within its set (e.g. "037").
    public var id: String
    /// Short label for axes and tooltips (e.g. "133.2°", "σ = 0.05").
    public var label: String
    /// The sweep parameter in the axis unit, if numeric.
    public var value: Double?
    /// The full provenance (operation, value, unit, seed, interpolation, fill, crop, …).
    public var parameters: [ReportField]
    /// A small picture of the variant, if any.
    public var thumbnail: ReportThumbnail?

    /// A variant entry.
    public init(id: String, label: String, value: Double? = nil, parameters: [ReportField] = [],
                thumbnail: ReportThumbnail? = nil) {
        self.id = id
        self.label = label
        self.value = value
        self.parameters = parameters
        self.thumbnail = thumbnail
    }
}

/// The variants of one (image, sweep), in the order of the matrices' rows.
public struct ReportVariantSet: Codable, Sendable, Equatable {
    /// The image's id.
    public var image: String
    /// The sweep's id.
    public var sweep: String
    /// The variants.
    public var variants: [ReportVariant]

    /// A variant set.
    public init(image: String, sweep: String, variants: [ReportVariant]) {
        self.image = image
        self.sweep = sweep
        self.variants = variants
    }
}

/// A matrix as stored in a document: row-major float32 values.
public struct ReportMatrix: Codable, Sendable, Equatable {
    /// Number of rows.
    public var rows: Int
    /// Number of columns.
    public var columns: Int
    /// `rows × columns` values, row after row.
    public var values: [Float]

    /// A copy of a `Matrix`.
    public init(_ matrix: Matrix) {
        rows = matrix.rows
        columns = matrix.columns
        values = matrix.values
    }

    /// A matrix from its parts (checked by `ReportDocument.validate`).
    public init(rows: Int, columns: Int, values: [Float]) {
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    /// As a `Matrix`, or nil when the value count does not fit the shape.
    public var matrix: Matrix? {
        guard rows >= 0, columns >= 0, values.count == rows.multipliedReportingOverflow(by: columns).partialValue,
              !rows.multipliedReportingOverflow(by: columns).overflow else { return nil }
        return Matrix(rows: rows, columns: columns, values: values)
    }
}

/// The cosine similarity matrices of one (image, sweep, model): the image–image matrix of the
/// variants and, when captions were given, the quadrants with the texts.
public struct ReportMatrixSet: Codable, Sendable, Equatable {
    /// The image's id.
    public var image: String
    /// The sweep's id.
    public var sweep: String
    /// The model's id.
    public var model: String
    /// Variants × variants (n × n).
    public var imageImage: ReportMatrix
    /// Variants × texts (n × m), if texts were given.
    public var imageText: ReportMatrix?
    /// Texts × variants (m × n), if texts were given.
    public var textImage: ReportMatrix?
    /// Texts × texts (m × m), if texts were given.
    public var textText: ReportMatrix?
    /// The m texts (the caption, prompts) in the order of the text rows.
    public var texts: [String]?

    /// A matrix set.
    public init(image: String, sweep: String, model: String, imageImage: ReportMatrix, imageText: ReportMatrix? = nil,
                textImage: ReportMatrix? = nil, textText: ReportMatrix? = nil, texts: [String]? = nil) {
        self.image = image
        self.sweep = sweep
        self.model = model
        self.imageImage = imageImage
        self.imageText = imageText
        self.textImage = textImage
        self.textText = textText
        self.texts = texts
    }

    enum CodingKeys: String, CodingKey {
        case image, sweep, model
        case imageImage = "image_image"
        case imageText = "image_text"
        case textImage = "text_image"
        case textText = "text_text"
        case texts
    }
}

/// A curve or profile for the plots, of one (image or all images, sweep, model).
public struct ReportCurve: Codable, Sendable, Equatable {
    /// Which plot the curve belongs to.
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// Normalised similarity to the clean image against the sweep level (x in the axis unit),
        /// with the collapse threshold and its interval.
        case similarityToClean = "similarity_to_clean"
        /// Mean cosine against the angular difference (x in degrees, 0..<360): the rotation profile.
        case rotationProfile = "rotation_profile"
        /// Median excess cosine S − D over each mirror axis against the angle sum θi + θj
        /// (x in degrees, 0..<360): the anti-diagonal profile.
        case antidiagonalProfile = "antidiagonal_profile"
    }

    /// The plot it belongs to.
    public var kind: Kind
    /// The image's id; nil for a curve pooled over images.
    public var image: String?
    /// The sweep's id.
    public var sweep: String
    /// The model's id.
    public var model: String
    /// Positions (units per `kind`).
    public var x: [Double]
    /// Values, one per position.
    public var y: [Double]
    /// A threshold in x units to mark (the collapse threshold), if any.
    public var threshold: Double?
    /// Its confidence interval `[low, high]`, if any.
    public var thresholdInterval: [Double]?

    /// A curve.
    public init(kind: Kind, image: String?, sweep: String, model: String, x: [Double], y: [Double],
                threshold: Double? = nil, thresholdInterval: [Double]? = nil) {
        self.kind = kind
        self.image = image
        self.sweep = sweep
        self.model = model
        self.x = x
        self.y = y
        self.threshold = threshold
        self.thresholdInterval = thresholdInterval
    }

    enum CodingKeys: String, CodingKey {
        case kind, image, sweep, model, x, y, threshold
        case thresholdInterval = "threshold_interval"
    }
}
