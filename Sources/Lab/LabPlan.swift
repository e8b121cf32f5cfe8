import Analysis
import Encoders
import Foundation
import Imaging
import Sweeps

/// What `auglab run` was asked to do, as plain values (the command line's options).
public struct LabRunOptions: Sendable {
    /// The presets' names or YAML paths; empty = `LabRunOptions.defaultPresets`.
    public var presets: [String]
    /// The image files (PNG or JPEG), at least one.
    public var images: [String]
    /// The `--model` SPECs; empty = the control encoders.
    public var models: [String]
    /// A caption for the cross-modal readout, if any.
    public var caption: String?
    /// Replicates (noise seeds) of stochastic sweeps; nil = `defaultStochasticSeeds`. Deterministic
    /// sweeps always run once.
    public var seeds: Int?
    /// The sweep seed of replicate 0 (replicate k uses seed + k).
    public var seed: UInt64
    /// Keep JPEG pixels as stored instead of applying the EXIF orientation.
    public var ignoreEXIFOrientation: Bool
    /// The embedding cache (nil: none).
    public var cache: EmbeddingCache?
    /// Whether the report (thumbnails, report.json, report.html, labelled heatmaps, plots) is made.
    public var makeReport: Bool

    /// The presets run when none is given.
    public static let defaultPresets = ["rotation-100", "flip", "noise-100", "blur-100"]
    /// The control encoders run when no model is given.
    public static let defaultModels = ["pixels", "pixels-mirror", "histogram"]
    /// Replicates of a stochastic sweep when `--seeds` is not given.
    public static let defaultStochasticSeeds = 3
    /// Most replicates allowed.
    public static let maximumSeeds = 100

    /// Options with defaults for everything but the images.
    public init(images: [String], presets: [String] = [], models: [String] = [], caption: String? = nil, seeds: Int? = nil,
                seed: UInt64 = 0, ignoreEXIFOrientation: Bool = false, cache: EmbeddingCache? = nil, makeReport: Bool = true) {
        self.images = images
        self.presets = presets
        self.models = models
        self.caption = caption
        self.seeds = seeds
        self.seed = seed
        self.ignoreEXIFOrientation = ignoreEXIFOrientation
        self.cache = cache
        self.makeReport = makeReport
    }
}

/// A loaded source image with its record.
public struct LabSource: Sendable {
    /// The record written to summary.json.
    public var record: LabImage
    /// The decoded pixels and provenance.
    public var source: SourceImage
}

/// An encoder made ready, with the SPEC it came from.
public struct LabEncoder: Sendable {
    /// The SPEC as given.
    public var spec: String
    /// Embeds images.
    public var image: any ImageEncoder
    /// Embeds captions (nil: no text tower).
    public var text: (any TextEncoder)?

    /// An encoder resolved from its SPEC.
    public init(spec: String, resolved: ResolvedEncoder) {
        self.init(spec: spec, image: resolved.image, text: resolved.text)
    }

    /// An encoder made otherwise (e.g. a model built in memory), recorded under `spec`.
    public init(spec: String, image: any ImageEncoder, text: (any TextEncoder)?) {
        self.spec = spec
        self.image = image
        self.text = text
    }

    /// What the encoder is.
    public var descriptor: EncoderDescriptor { image.descriptor }

    /// The record written to summary.json.
    public var record: LabModel { LabModel(spec: spec, descriptor: descriptor) }
}

/// Everything a run needs, checked before anything is computed or written: presets parsed,
/// images decoded, encoders loaded.
public struct LabPlan: Sendable {
    /// The options the plan came from.
    public var options: LabRunOptions
    /// The user's images, in the order given.
    public var inputs: [LabSource]
    /// Bundled images added for the baseline (clean versions only).
    public var references: [LabSource]
    /// The presets, in the order given (duplicates removed).
    public var presets: [Preset]
    /// The encoders, in the order given.
    public var encoders: [LabEncoder]
    /// Remarks for the user (defaults taken, reference images added, text towers missing).
    public var notes: [String]

    /// Fewer user images than this and bundled reference images are added to the baseline, so
    /// it has enough pairs of unrelated images for the flip test (with one image: 7 images, 21 pairs).
    public static let minimumBaselineSources = 4

    /// The bundled photographs used as baseline references, in order.
    public static let referenceImageNames = ["astronaut.png", "camera.png", "chelsea.png", "coffee.png", "retina.jpg", "rocket.jpg"]

    /// Builds a plan from options: resolves presets, decodes images, loads encoders.
    ///
    /// - Parameter encoders: encoders already made (e.g. a model built in memory for a benchmark);
    ///   when given, `options.models` is ignored.
    /// - Throws: `LabError` naming the preset, image or model that is wrong, before any work.
    public static func make(_ options: LabRunOptions, encoders given: [LabEncoder]? = nil,
                            resolveOptions: EncoderResolveOptions = EncoderResolveOptions()) throws(LabError) -> LabPlan {
        guard !options.images.isEmpty else {
            throw LabError(.invalidArgument, "no image given: pass at least one --image FILE (PNG or JPEG)")
        }
        if let seeds = options.seeds, !(1...LabRunOptions.maximumSeeds).contains(seeds) {
            throw LabError(.invalidArgument, "--seeds must be between 1 and \(LabRunOptions.maximumSeeds), got \(seeds)")
        }
        if let caption = options.caption, caption.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw LabError(.invalidArgument, "--caption is empty; give a caption text or leave the option out")
        }
        var notes: [String] = []
        var presets: [Preset] = []
        for name in options.presets.isEmpty ? LabRunOptions.defaultPresets : options.presets {
            let preset: Preset
            do throws(SweepError) {
                preset = try PresetLibrary.resolve(name)
            } catch {
                throw LabError(.notFound, error.description)
            }
            if presets.contains(where: { $0.name == preset.name }) {
                if presets.contains(preset) { continue }
                throw LabError(.invalidArgument, "two different presets are both called '\(preset.name)'; rename one file")
            }
            presets.append(preset)
        }
        let decoding = DecodeOptions(applyEXIFOrientation: !options.ignoreEXIFOrientation)
        let ids = LabImage.uniqueIDs(for: options.images)
        var inputs: [LabSource] = []
        for (index, path) in options.images.enumerated() {
            do throws(SweepError) {
                let source = try SourceImage.load(path: path, options: decoding)
                inputs.append(LabSource(record: LabImage(id: ids[index], source: source.provenance, role: .input), source: source))
            } catch {
                throw LabError(.notFound, error.description)
            }
        }
        let references = inputs.count < minimumBaselineSources ? loadReferences(excluding: inputs, notes: &notes) : []
        let encoders: [LabEncoder]
        if let given {
            encoders = given
        } else {
            let specs = options.models.isEmpty ? LabRunOptions.defaultModels : options.models
            if options.models.isEmpty {
                notes.append("no --model given: running the control encoders \(specs.joined(separator: ", ")); add a CLIP checkpoint with e.g. --model rn50=/path/to/open_clip-RN50-folder")
            }
            encoders = try resolve(specs, options: resolveOptions)
        }
        var names: Set<String> = []
        for encoder in encoders {
            let name = encoder.descriptor.name
            guard names.insert(name).inserted else {
                throw LabError(.invalidArgument, "two models are both called '\(name)'; name them with NAME=PATH")
            }
        }
        if options.caption != nil {
            for encoder in encoders where encoder.text == nil {
                notes.append("model '\(encoder.descriptor.name)' (\(encoder.descriptor.kind.rawValue)) has no text tower: no crossmodal readout for it")
            }
        }
        return LabPlan(options: options, inputs: inputs, references: references, presets: presets, encoders: encoders, notes: notes)
    }

    /// Loads each SPEC's encoder.
    static func resolve(_ specs: [String], options: EncoderResolveOptions) throws(LabError) -> [LabEncoder] {
        var encoders: [LabEncoder] = []
        for spec in specs {
            do throws(EncoderError) {
                let parsed = try EncoderSpec(parsing: spec)
                encoders.append(LabEncoder(spec: spec, resolved: try parsed.resolve(options)))
            } catch {
                throw LabError(.notFound, "--model '\(spec)': \(error.description)")
            }
        }
        return encoders
    }

    /// The bundled reference photographs not among the user's images (by file hash), with a note.
    static func loadReferences(excluding inputs: [LabSource], notes: inout [String]) -> [LabSource] {
        guard let folder = referenceFolder() else {
            notes.append("fewer than \(minimumBaselineSources) images and the bundled reference images were not found (set AUGLAB_IMAGES to the Images folder): the unrelated-images baseline is uncalibrated or coarse")
            return []
        }
        let taken = Set(inputs.map(\.record.sha256))
        var used = Set(inputs.map(\.record.id))
        var references: [LabSource] = []
        for name in referenceImageNames {
            guard var source = try? SourceImage.load(path: folder + "/" + name), !taken.contains(source.provenance.sha256) else { continue }
            source.provenance.path = "Images/" + name
            var id = "reference-" + LabImage.stem(of: name)
            while used.contains(id) { id += "-2" }
            used.insert(id)
            references.append(LabSource(record: LabImage(id: id, source: source.provenance, role: .baselineReference), source: source))
        }
        if !references.isEmpty {
            notes.append("fewer than \(minimumBaselineSources) images given: the unrelated-images baseline also uses the bundled reference images \(references.map(\.record.path).joined(separator: ", ")) (clean versions only, not swept)")
        }
        return references
    }

    /// The folder of the bundled images: `$AUGLAB_IMAGES`, else an `Images` folder holding the
    /// reference photographs beside the executable or above it (the package root for `swift run`),
    /// else in the current folder.
    public static func referenceFolder(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        var candidates: [URL] = []
        if let override = environment["AUGLAB_IMAGES"], !override.isEmpty {
            candidates.append(URL(fileURLWithPath: override, isDirectory: true))
        }
        var folder = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            candidates.append(folder.appendingPathComponent("Images", isDirectory: true))
            folder.deleteLastPathComponent()
        }
        candidates.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("Images"))
        for candidate in candidates {
            let probe = candidate.appendingPathComponent(referenceImageNames[0]).path
            if FileManager.default.fileExists(atPath: probe) { return candidate.path }
        }
        return nil
    }

    /// Replicates to run of `preset`: `--seeds` (default 3) when it draws random numbers, else 1.
    public func replicates(of preset: Preset) -> Int {
        let stochastic = preset.definition.axes.contains { $0.operation.isRandom }
        return stochastic ? (options.seeds ?? LabRunOptions.defaultStochasticSeeds) : 1
    }

    /// The summary record of `preset`.
    public func record(of preset: Preset) -> LabPresetRecord {
        let axis = preset.definition.axes[0]
        return LabPresetRecord(name: preset.name, path: preset.path, sha256: preset.sha256, definition: preset.yaml,
                               operation: axis.operation.name, unit: axis.operation.unit, axisKind: axis.operation.axisKind.rawValue,
                               variants: preset.definition.count,
                               stochastic: preset.definition.axes.contains { $0.operation.isRandom },
                               replicates: replicates(of: preset))
    }

    /// The circular-mask version of a same-canvas full-circle rotation preset (the artefact
    /// control), named `<preset>-circular-control`; nil for other presets.
    public static func circularControl(of preset: Preset) -> Preset? {
        let definition = preset.definition
        guard definition.axes.count == 1, definition.source == .image,
              case .rotate(let interpolation, let fill, let crop) = definition.axes[0].operation, crop == .none else { return nil }
        let values = definition.axes[0].values.compactMap(\.number)
        guard values.count == definition.axes[0].count, (try? RotationSweep(anglesDegrees: values)) != nil else { return nil }
        let yaml = """
            description: \(preset.name) with a circular mask (black outside the inscribed circle at every angle), made by auglab run as its artefact control.
            square_crop: \(definition.squareCrop)
            sweep:
              operation: rotate
              values: [\(values.map { "\($0)" }.joined(separator: ", "))]
              interpolation: \(interpolation.rawValue)
              fill: \(fill.rawValue)
              crop: circle

            """
        return try? Preset(yaml: yaml, name: "\(preset.name)-circular-control", path: "derived from \(preset.path)")
    }

    /// Whether `preset` is a full-circle rotation of the image (whose mask control is run).
    static func needsMaskControl(_ preset: Preset) -> Bool {
        let definition = preset.definition
        guard definition.axes.count == 1, definition.source == .image, case .rotate = definition.axes[0].operation else { return false }
        let values = definition.axes[0].values.compactMap(\.number)
        return values.count == definition.axes[0].count && (try? RotationSweep(anglesDegrees: values)) != nil
    }
}
