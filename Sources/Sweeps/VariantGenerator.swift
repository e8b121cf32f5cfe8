import Imaging

/// One augmented variant: its pixels and its provenance.
public struct Variant: Sendable, Equatable {
    /// Position in sweep order.
    public var index: Int
    /// The pixels, quantised once from the float result (`FloatImage.quantized()`): a PNG
    /// written from them holds exactly these pixels.
    public var image: RGBImage
    /// What the variant is and how to regenerate it.
    public var provenance: VariantProvenance
}

/// Turns a preset and a source image into variants, one at a time and in any order.
///
/// Preparation (once): the source is converted to float (`value / 255`), centre-cropped to a
/// square if the preset says so, and for the mask control replaced by a flat mid-grey image
/// (8-bit 128) of that size. Variant `index` then applies the axes' operations in order (see
/// `SweepDefinition` for the 2-D order) in float and quantises once.
///
/// **Seeds.** The variant's seed is `RandomSeed.variant(sweepSeed: seed, index: index)`; the
/// first axis's operation uses it, and the second axis's operation (2-D) uses
/// `RandomSeed.variant(sweepSeed: variantSeed, index: 0)`, so two noise axes never share a
/// stream. Variants are independent: `variant(at:)` may be called concurrently and in any order
/// and always returns the same pixels.
public struct VariantGenerator: Sendable {
    /// The preset.
    public let preset: Preset
    /// The source image and its provenance.
    public let source: SourceImage
    /// The sweep seed.
    public let seed: UInt64
    /// What the sweep applies to (the preset's `source`, or the mask control when asked).
    public let sourceKind: SourceKind
    /// The prepared float image every variant starts from.
    public let start: FloatImage

    /// Prepares the sweep of `preset` over `source`.
    ///
    /// - Parameters:
    ///   - seed: the sweep seed (`--seed`, default 0).
    ///   - maskControl: apply the sweep to the mid-grey image whatever the preset says.
    public init(preset: Preset, source: SourceImage, seed: UInt64 = 0, maskControl: Bool = false) {
        self.preset = preset
        self.source = source
        self.seed = seed
        self.sourceKind = maskControl ? .midGrey : preset.definition.source
        var start = FloatImage(source.image)
        if preset.definition.squareCrop { start = CentreSquareCrop().crop(start) }
        if sourceKind == .midGrey {
            let grey = Float(128) / 255
            start = FloatImage(width: start.width, height: start.height, filledWith: (grey, grey, grey))
        }
        self.start = start
    }

    /// The number of variants.
    public var count: Int { preset.definition.count }

    /// The parameter axes (one, or two for a 2-D sweep; rows first).
    public var axes: [ParameterAxis] { preset.definition.parameterAxes }

    /// The seed of each axis's operation for variant `index`.
    public func axisSeeds(of index: Int) -> [UInt64] {
        let variantSeed = RandomSeed.variant(sweepSeed: seed, index: index)
        return preset.definition.axes.indices.map {
            $0 == 0 ? variantSeed : RandomSeed.variant(sweepSeed: variantSeed, index: $0 - 1)
        }
    }

    /// The provenance of variant `index` (0..<count), without generating it.
    public func provenance(at index: Int) -> VariantProvenance {
        let definition = preset.definition
        let coordinates = definition.coordinates(of: index)
        let seeds = axisSeeds(of: index)
        let settings = definition.axes.indices.map {
            AxisSetting(sweep: definition.axes[$0], index: coordinates[$0], seed: seeds[$0])
        }
        let size = outputSize(coordinates)
        let first = settings[0]
        return VariantProvenance(
            index: index, operation: first.operation, value: first.value, unit: first.unit, axisKind: first.kind,
            seed: seeds[0],
            sweepSeed: seed, interpolation: first.interpolation, fill: first.fill, crop: first.crop,
            direction: first.direction, modelInputSize: first.modelInputSize, squareCrop: definition.squareCrop,
            axes: settings.count > 1 ? settings : nil, sourceKind: sourceKind, source: source.provenance,
            width: size.width, height: size.height, preset: preset.name, presetPath: preset.path,
            presetSHA256: preset.sha256, preprocessing: nil, file: nil)
    }

    /// Generates variant `index` (0..<count).
    ///
    /// - Throws: `SweepError.invalidArgument` for an index out of range or when an operation
    ///   refuses its input (e.g. a JPEG re-encode of an image over 65500 px a side).
    public func variant(at index: Int) throws(SweepError) -> Variant {
        guard (0..<count).contains(index) else {
            throw SweepError(.invalidArgument, "variant index \(index) is outside 0..<\(count)")
        }
        let definition = preset.definition
        let coordinates = definition.coordinates(of: index)
        let seeds = axisSeeds(of: index)
        var image = start
        for (axis, sweep) in definition.axes.enumerated() {
            image = try sweep.operation.apply(sweep.values[coordinates[axis]], seed: seeds[axis], to: image)
        }
        return Variant(index: index, image: image.quantized(), provenance: provenance(at: index))
    }

    /// The size of a variant: the prepared size, with width and height swapped by each D4
    /// element that swaps axes.
    func outputSize(_ coordinates: [Int]) -> (width: Int, height: Int) {
        var size = (width: start.width, height: start.height)
        for (axis, sweep) in preset.definition.axes.enumerated() where sweep.operation == .dihedral {
            if let name = sweep.values[coordinates[axis]].name, let element = DihedralName(rawValue: name) {
                size = element.transform.outputSize(width: size.width, height: size.height)
            }
        }
        return size
    }
}
