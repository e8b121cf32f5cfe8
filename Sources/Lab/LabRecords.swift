import Analysis
import Encoders
import Foundation
import Imaging
import Sweeps

/// A source image of a run: a user's input, or a bundled reference image added only for the
/// unrelated-images baseline.
///
/// JSON keys: `id`, `path`, `sha256`, `format`, `width`, `height`, `exif_orientation`,
/// `exif_orientation_applied`, `role` (`input` | `baseline_reference`).
public struct LabImage: Sendable, Equatable, Codable {
    /// What the image is there for.
    public enum Role: String, Sendable, Codable {
        /// An image the user gave: swept and analysed.
        case input
        /// A bundled image added only for the baseline (its clean version is embedded, nothing else).
        case baselineReference = "baseline_reference"
    }

    /// Unique short key (the file name without folders and extension, numbered on clashes).
    public var id: String
    /// The file as the user gave it (`Images/<name>` for bundled references).
    public var path: String
    /// SHA-256 of the file's bytes, lowercase hex.
    public var sha256: String
    /// `png` or `jpeg`.
    public var format: String
    /// Decoded width in pixels (after the EXIF orientation, if applied).
    public var width: Int
    /// Decoded height in pixels.
    public var height: Int
    /// The EXIF orientation tag stored in the file, if any.
    public var exifOrientation: Int?
    /// Whether the orientation was applied to the pixels.
    public var exifOrientationApplied: Bool
    /// Input or baseline reference.
    public var role: Role

    /// An image record from a source's provenance.
    public init(id: String, source: SourceProvenance, role: Role) {
        self.id = id
        self.path = source.path
        self.sha256 = source.sha256
        self.format = source.format
        self.width = source.width
        self.height = source.height
        self.exifOrientation = source.exifOrientation
        self.exifOrientationApplied = source.exifOrientationApplied
        self.role = role
    }

    enum CodingKeys: String, CodingKey {
        case id, path, sha256, format, width, height, role
        case exifOrientation = "exif_orientation"
        case exifOrientationApplied = "exif_orientation_applied"
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(path, forKey: .path)
        try container.encode(sha256, forKey: .sha256)
        try container.encode(format, forKey: .format)
        try container.encode(width, forKey: .width)
        try container.encode(height, forKey: .height)
        try container.encode(exifOrientation, forKey: .exifOrientation)
        try container.encode(exifOrientationApplied, forKey: .exifOrientationApplied)
        try container.encode(role, forKey: .role)
    }

    /// `path`'s file name without folders and extension.
    public static func stem(of path: String) -> String {
        let file = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = file.lastIndex(of: "."), dot != file.startIndex else { return file.isEmpty ? "image" : file }
        return String(file[..<dot])
    }

    /// Unique ids for `paths`: each file's stem, with `-2`, `-3`, … appended on clashes.
    public static func uniqueIDs(for paths: [String]) -> [String] {
        var used: Set<String> = []
        return paths.map { path in
            let stem = stem(of: path)
            var candidate = stem
            var counter = 2
            while used.contains(candidate) {
                candidate = "\(stem)-\(counter)"
                counter += 1
            }
            used.insert(candidate)
            return candidate
        }
    }
}

/// An encoder of a run as the summary records it.
///
/// JSON keys: `name`, `spec`, `kind`, `architecture`, `file`, `sha256`, `embedding_dimension`,
/// `logit_scale` (log space, as stored), `logit_scale_exp`, `has_text_tower`, `preprocessing`.
public struct LabModel: Sendable, Equatable, Codable {
    /// The name results are reported under (unique within a run).
    public var name: String
    /// The `--model` SPEC as given (or `embeddings:<file>` for `analyze`).
    public var spec: String
    /// `clip`, `control` or `precomputed`.
    public var kind: String
    /// The architecture in words.
    public var architecture: String
    /// The weight or embeddings file, if any.
    public var file: String?
    /// SHA-256 of that file, if known.
    public var sha256: String?
    /// Width of an embedding.
    public var embeddingDimension: Int
    /// The logit scale in log space, if the model has one.
    public var logitScale: Double?
    /// `exp(logitScale)`, the factor applied to cosines.
    public var logitScaleExp: Double?
    /// Whether captions can be embedded.
    public var hasTextTower: Bool
    /// What is done to an image before it is embedded.
    public var preprocessing: String

    /// A record from an encoder's descriptor.
    public init(spec: String, descriptor: EncoderDescriptor) {
        name = descriptor.name
        self.spec = spec
        kind = descriptor.kind.rawValue
        architecture = descriptor.architecture
        file = descriptor.filePath
        sha256 = descriptor.sha256
        embeddingDimension = descriptor.embeddingDimension
        logitScale = descriptor.logitScale.map { Double($0.log) }
        logitScaleExp = descriptor.logitScale.map { Double($0.exp) }
        hasTextTower = descriptor.hasTextTower
        preprocessing = descriptor.preprocessing
    }

    /// A record with every field given.
    public init(name: String, spec: String, kind: String, architecture: String, file: String?, sha256: String?,
                embeddingDimension: Int, logitScale: Double?, logitScaleExp: Double?, hasTextTower: Bool,
                preprocessing: String) {
        self.name = name
        self.spec = spec
        self.kind = kind
        self.architecture = architecture
        self.file = file
        self.sha256 = sha256
        self.embeddingDimension = embeddingDimension
        self.logitScale = logitScale
        self.logitScaleExp = logitScaleExp
        self.hasTextTower = hasTextTower
        self.preprocessing = preprocessing
    }

    enum CodingKeys: String, CodingKey {
        case name, spec, kind, architecture, file, sha256, preprocessing
        case embeddingDimension = "embedding_dimension"
        case logitScale = "logit_scale"
        case logitScaleExp = "logit_scale_exp"
        case hasTextTower = "has_text_tower"
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(spec, forKey: .spec)
        try container.encode(kind, forKey: .kind)
        try container.encode(architecture, forKey: .architecture)
        try container.encode(file, forKey: .file)
        try container.encode(sha256, forKey: .sha256)
        try container.encode(embeddingDimension, forKey: .embeddingDimension)
        try container.encode(logitScale, forKey: .logitScale)
        try container.encode(logitScaleExp, forKey: .logitScaleExp)
        try container.encode(hasTextTower, forKey: .hasTextTower)
        try container.encode(preprocessing, forKey: .preprocessing)
    }
}

/// A preset as the summary records it: name, file, hash and definition.
///
/// JSON keys: `name`, `path`, `sha256`, `definition` (the YAML text; null when only the
/// variants' provenance was available, as in `analyze`), `operation`, `unit`, `axis_kind`,
/// `variants`, `stochastic`, `replicates` (sweeps per image with different noise seeds).
public struct LabPresetRecord: Sendable, Equatable, Codable {
    public var name: String
    public var path: String
    public var sha256: String
    public var definition: String?
    public var operation: String
    public var unit: String
    public var axisKind: String
    public var variants: Int
    public var stochastic: Bool
    public var replicates: Int

    enum CodingKeys: String, CodingKey {
        case name, path, sha256, definition, operation, unit, variants, stochastic, replicates
        case axisKind = "axis_kind"
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(path, forKey: .path)
        try container.encode(sha256, forKey: .sha256)
        try container.encode(definition, forKey: .definition)
        try container.encode(operation, forKey: .operation)
        try container.encode(unit, forKey: .unit)
        try container.encode(axisKind, forKey: .axisKind)
        try container.encode(variants, forKey: .variants)
        try container.encode(stochastic, forKey: .stochastic)
        try container.encode(replicates, forKey: .replicates)
    }
}

/// Why a sweep was run.
public enum SweepRole: String, Sendable, Codable, Equatable {
    /// A preset the user asked for: analysed and reported.
    case main
    /// The flat mid-grey mask control of a rotation sweep (only used to judge its findings).
    case maskControl = "mask_control"
    /// The circular-mask version of a same-canvas rotation sweep (only used to judge its findings).
    case circularControl = "circular_control"
}

/// What the detectors can do with a sweep, from its operation and values.
public enum SweepKind: String, Sendable, Codable, Equatable {
    /// A 1-D rotation over the full circle in equal steps (periodicity_90, antidiagonal).
    case rotation
    /// A 1-D sweep of exact D4 elements (flip_explicit).
    case dihedral
    /// A 1-D noise or blur level sweep (collapse_threshold).
    case degradation
    /// Anything else (matrices and the cross-modal readout only).
    case other
}

/// One generated sweep: an image, a preset, a role and a replicate, with every variant's provenance.
public struct LabSweep: Sendable {
    /// The image's id (`LabImage.id`).
    public var imageID: String
    /// The preset's name.
    public var preset: String
    /// Why it was run.
    public var role: SweepRole
    /// The replicate number (0 = the run's `--seed`; k = seed + k) for stochastic sweeps.
    public var replicate: Int
    /// The provenance of every variant, in sweep order.
    public var variants: [VariantProvenance]

    /// A sweep record.
    public init(imageID: String, preset: String, role: SweepRole, replicate: Int, variants: [VariantProvenance]) {
        self.imageID = imageID
        self.preset = preset
        self.role = role
        self.replicate = replicate
        self.variants = variants
    }

    /// The sweep seed of the variants (`--seed`, plus the replicate number).
    public var sweepSeed: UInt64 { variants.first?.sweepSeed ?? 0 }

    /// The first (only) axis's operation.
    public var operation: String { variants.first?.operation ?? "" }

    /// The first axis's unit.
    public var unit: String { variants.first?.unit ?? "" }

    /// Whether the sweep has one axis.
    public var isOneDimensional: Bool { variants.allSatisfy { $0.axes == nil } }

    /// The variants' parameter values as numbers (nil for categorical or 2-D sweeps).
    public var levels: [Double]? {
        guard isOneDimensional else { return nil }
        let numbers = variants.compactMap(\.value.number)
        return numbers.count == variants.count ? numbers : nil
    }

    /// What the detectors can do with it.
    public var kind: SweepKind {
        guard isOneDimensional, !variants.isEmpty else { return .other }
        switch operation {
        case "rotate":
            guard let levels, (try? RotationSweep(anglesDegrees: levels)) != nil else { return .other }
            return .rotation
        case "dihedral":
            return .dihedral
        case "gaussian_noise", "uniform_noise", "blur":
            return levels == nil ? .other : .degradation
        default:
            return .other
        }
    }

    /// The source kind (`image` or `mid-grey`).
    public var sourceKind: SourceKind { variants.first?.sourceKind ?? .image }

    /// The rotation's crop (`none` or `circle`), nil for other operations.
    public var crop: String? { variants.first?.crop }

    /// Whether `other` is the same rotation geometry with a circular mask: same angles,
    /// interpolation, fill and square crop, crop `circle`, applied to the image.
    func isCircularVersion(of other: LabSweep) -> Bool {
        guard let a = variants.first, let b = other.variants.first, kind == .rotation, other.kind == .rotation else { return false }
        return imageID == other.imageID && sourceKind == .image && crop == "circle" && levels == other.levels
            && a.interpolation == b.interpolation && a.fill == b.fill && a.squareCrop == b.squareCrop
    }

    /// Whether this is the mask control of `other`: the same preset on the mid-grey image.
    func isMaskControl(of other: LabSweep) -> Bool {
        imageID == other.imageID && preset == other.preset && sourceKind == .midGrey && other.sourceKind == .image
            && levels == other.levels && replicate == 0
    }
}
