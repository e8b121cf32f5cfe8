/// Where a variant's source came from: the file, its hash, its size and its EXIF orientation.
///
/// JSON keys (stable): `path`, `sha256`, `format`, `width`, `height`, `exif_orientation`,
/// `exif_orientation_applied`.
public struct SourceProvenance: Sendable, Hashable, Codable {
    /// The file's path as the user gave it.
    public var path: String
    /// SHA-256 of the file's bytes, lowercase hex.
    public var sha256: String
    /// `png` or `jpeg`.
    public var format: String
    /// Width of the decoded image in pixels (after the EXIF orientation, if applied; before
    /// any square crop).
    public var width: Int
    /// Height of the decoded image in pixels (as `width`).
    public var height: Int
    /// The EXIF orientation value stored in the file (JPEG tag 0x0112), nil when there is none.
    public var exifOrientation: Int?
    /// Whether that orientation was applied to the pixels (false with
    /// `--ignore-exif-orientation`, without a tag, or for an invalid value).
    public var exifOrientationApplied: Bool

    /// A source description.
    public init(path: String, sha256: String, format: String, width: Int, height: Int,
                exifOrientation: Int?, exifOrientationApplied: Bool) {
        self.path = path
        self.sha256 = sha256
        self.format = format
        self.width = width
        self.height = height
        self.exifOrientation = exifOrientation
        self.exifOrientationApplied = exifOrientationApplied
    }

    enum CodingKeys: String, CodingKey {
        case path, sha256, format, width, height
        case exifOrientation = "exif_orientation"
        case exifOrientationApplied = "exif_orientation_applied"
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(path, forKey: .path)
        try container.encode(sha256, forKey: .sha256)
        try container.encode(format, forKey: .format)
        try container.encode(width, forKey: .width)
        try container.encode(height, forKey: .height)
        try container.encode(exifOrientation, forKey: .exifOrientation)  // null when absent: stable keys
        try container.encode(exifOrientationApplied, forKey: .exifOrientationApplied)
    }
}

/// One axis's setting for a variant: the operation, its value and fixed options.
///
/// JSON keys (stable; options that do not apply are null): `index`, `operation`, `value`,
/// `unit`, `kind`, `seed`, `interpolation`, `fill`, `crop`, `direction`, `model_input_size`.
public struct AxisSetting: Sendable, Hashable, Codable {
    /// The value's position on its axis (0-based).
    public var index: Int
    /// The operation's name (`rotate`, `gaussian_noise`, …).
    public var operation: String
    /// The parameter value (number or name).
    public var value: ParameterValue
    /// The value's unit (`degrees`, `intensity`, …).
    public var unit: String
    /// How values on this axis relate (`rotation_angle`, `ordered_level`, `categorical`).
    public var kind: ParameterAxis.Kind
    /// The seed this axis's random operation used (every axis has one; deterministic
    /// operations ignore it).
    public var seed: UInt64
    /// Interpolation of rotate, shift and zoom.
    public var interpolation: String?
    /// Fill of rotate, shift and zoom (`black`, `edge`, …).
    public var fill: String?
    /// Crop of rotate (`none` or `circle`).
    public var crop: String?
    /// Direction of shift.
    public var direction: String?
    /// The model input side σ is measured on, for blur in `model_input_px`.
    public var modelInputSize: Int?

    enum CodingKeys: String, CodingKey {
        case index, operation, value, unit, kind, seed, interpolation, fill, crop, direction
        case modelInputSize = "model_input_size"
    }

    /// The setting of `sweep` at position `index` with `seed`.
    init(sweep: Sweep, index: Int, seed: UInt64) {
        let operation = sweep.operation
        self.index = index
        self.operation = operation.name
        self.value = sweep.values[index]
        self.unit = operation.unit
        self.kind = operation.axisKind
        self.seed = seed
        self.interpolation = operation.interpolation?.rawValue
        self.fill = operation.fill?.rawValue
        self.crop = operation.crop?.rawValue
        if case .shift(let direction, _, _) = operation { self.direction = direction.rawValue }
        if case .blur(.modelInputPixels, let size) = operation { self.modelInputSize = size }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(index, forKey: .index)
        try container.encode(operation, forKey: .operation)
        try container.encode(value, forKey: .value)
        try container.encode(unit, forKey: .unit)
        try container.encode(kind, forKey: .kind)
        try container.encode(seed, forKey: .seed)
        try container.encode(interpolation, forKey: .interpolation)
        try container.encode(fill, forKey: .fill)
        try container.encode(crop, forKey: .crop)
        try container.encode(direction, forKey: .direction)
        try container.encode(modelInputSize, forKey: .modelInputSize)
    }
}

/// Everything needed to regenerate one variant and to know what it is.
///
/// JSON keys (stable, snake_case; fields that do not apply are null, never missing):
///
/// | key | meaning |
/// |---|---|
/// | `index` | position in sweep order (0-based; row-major for 2-D sweeps) |
/// | `operation`, `value`, `unit` | the (first) axis's operation, parameter value and unit |
/// | `axis_kind` | how the (first) axis's values relate: `rotation_angle` (degrees, wraps at 360), `ordered_level`, `categorical` |
/// | `seed` | the variant's seed, `RandomSeed.variant(sweepSeed: sweep_seed, index: index)` |
/// | `sweep_seed` | the seed of the whole sweep (`--seed`) |
/// | `interpolation`, `fill`, `crop`, `direction`, `model_input_size` | the (first) axis's options |
/// | `square_crop` | whether the source was centre-cropped to a square first |
/// | `axes` | 2-D sweeps: both axes' settings (`AxisSetting`), rows first; null for 1-D |
/// | `source_kind` | `image`, or `mid-grey` for the mask control |
/// | `source` | the source file (`SourceProvenance`) |
/// | `width`, `height` | the variant's size in pixels |
/// | `preset`, `preset_path`, `preset_sha256` | the preset's name, file and hash of its YAML |
/// | `preprocessing` | what a model's preprocessing did (filled in by later stages; null here) |
/// | `file` | the variant's file relative to the output folder, when written |
public struct VariantProvenance: Sendable, Hashable, Codable {
    /// Position in sweep order.
    public var index: Int
    /// The first axis's operation name.
    public var operation: String
    /// The first axis's parameter value.
    public var value: ParameterValue
    /// The first axis's unit.
    public var unit: String
    /// How the first axis's values relate.
    public var axisKind: ParameterAxis.Kind
    /// The variant's seed (derived from `sweepSeed` and `index`).
    public var seed: UInt64
    /// The sweep's seed.
    public var sweepSeed: UInt64
    /// The first axis's interpolation (rotate, shift, zoom).
    public var interpolation: String?
    /// The first axis's fill (rotate, shift, zoom).
    public var fill: String?
    /// The first axis's crop (rotate).
    public var crop: String?
    /// The first axis's shift direction.
    public var direction: String?
    /// The first axis's blur model input size (blur in model_input_px).
    public var modelInputSize: Int?
    /// Whether the source was centre-cropped to a square before the sweep.
    public var squareCrop: Bool
    /// Both axes' settings for 2-D sweeps (rows first), nil for 1-D.
    public var axes: [AxisSetting]?
    /// What the sweep was applied to.
    public var sourceKind: SourceKind
    /// The source file.
    public var source: SourceProvenance
    /// Variant width in pixels.
    public var width: Int
    /// Variant height in pixels.
    public var height: Int
    /// The preset's name.
    public var preset: String
    /// The preset's file (`Presets/<name>.yaml` for bundled ones).
    public var presetPath: String
    /// SHA-256 of the preset's YAML.
    public var presetSHA256: String
    /// The preprocessing a model applied to this variant, for later stages (number or text
    /// per key); nil when the variant has not been through a model.
    public var preprocessing: [String: ParameterValue]?
    /// The variant's file, relative to the output folder, once written.
    public var file: String?

    enum CodingKeys: String, CodingKey {
        case index, operation, value, unit, seed, interpolation, fill, crop, direction, axes, source, width, height
        case preset, preprocessing, file
        case axisKind = "axis_kind"
        case sweepSeed = "sweep_seed"
        case modelInputSize = "model_input_size"
        case squareCrop = "square_crop"
        case sourceKind = "source_kind"
        case presetPath = "preset_path"
        case presetSHA256 = "preset_sha256"
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(index, forKey: .index)
        try container.encode(operation, forKey: .operation)
        try container.encode(value, forKey: .value)
        try container.encode(unit, forKey: .unit)
        try container.encode(axisKind, forKey: .axisKind)
        try container.encode(seed, forKey: .seed)
        try container.encode(sweepSeed, forKey: .sweepSeed)
        try container.encode(interpolation, forKey: .interpolation)
        try container.encode(fill, forKey: .fill)
        try container.encode(crop, forKey: .crop)
        try container.encode(direction, forKey: .direction)
        try container.encode(modelInputSize, forKey: .modelInputSize)
        try container.encode(squareCrop, forKey: .squareCrop)
        try container.encode(axes, forKey: .axes)
        try container.encode(sourceKind, forKey: .sourceKind)
        try container.encode(source, forKey: .source)
        try container.encode(width, forKey: .width)
        try container.encode(height, forKey: .height)
        try container.encode(preset, forKey: .preset)
        try container.encode(presetPath, forKey: .presetPath)
        try container.encode(presetSHA256, forKey: .presetSHA256)
        try container.encode(preprocessing, forKey: .preprocessing)
        try container.encode(file, forKey: .file)
    }
}
