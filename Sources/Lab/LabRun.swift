import Analysis
import Dispatch
import Encoders
import Foundation
import Imaging
import Reports
import Sweeps
import Synchronization
import Tensors

/// Where a run reports its progress (stderr in the command line; nothing in tests).
public struct LabProgress: Sendable {
    /// A one-line remark (a stage started or finished).
    public var note: @Sendable (String) -> Void
    /// `done` of `total` items of the work called `label` (called with increasing `done`).
    public var count: @Sendable (_ label: String, _ done: Int, _ total: Int) -> Void

    /// A progress sink.
    public init(note: @escaping @Sendable (String) -> Void, count: @escaping @Sendable (String, Int, Int) -> Void) {
        self.note = note
        self.count = count
    }

    /// Reports nothing.
    public static let silent = LabProgress(note: { _ in }, count: { _, _, _ in })
}

/// Wall-clock seconds of each stage of a run.
public struct LabTiming: Sendable, Equatable {
    /// Decoding was done by the plan; this is generating the variants (and their thumbnails).
    public var generating = 0.0
    /// Embedding variants, clean images and captions, all models.
    public var encoding = 0.0
    /// Running the detectors.
    public var analyzing = 0.0
    /// Writing the output folder (summary, matrices, heatmaps, report).
    public var writing = 0.0

    /// Everything but encoding.
    public var beyondEncoding: Double { generating + analyzing + writing }
}

/// A finished run in memory: what was swept and embedded, and what the detectors found.
public struct LabRunResult: Sendable {
    /// The plan it ran.
    public var plan: LabPlan
    /// The detectors' input (sweeps with provenance, normalised embeddings per model).
    public var input: LabAnalysisInput
    /// The detectors' output.
    public var analysis: LabAnalysisResult
    /// Variant thumbnails of the main sweeps' replicate 0, by sweep index (report runs only).
    public var thumbnails: [Int: [ReportThumbnail]]
    /// A thumbnail of each image, by image id (report runs only).
    public var imageThumbnails: [String: ReportThumbnail]
    /// How long each stage took.
    public var timing: LabTiming
}

/// `auglab run` as a library: plan → generate → embed → analyse (then `LabOutput.write`).
public enum LabRun {
    /// Most variants generated and embedded at a time.
    public static let maximumChunkSize = 32
    /// The 8-bit pixels of one chunk are kept under this many bytes (512 MiB), so a large source
    /// image gets smaller chunks (down to one variant at a time) instead of exhausting memory.
    public static let chunkPixelBudgetBytes = 512 << 20

    /// Variants per chunk for variants of `width × height` pixels: as many as fit the pixel budget,
    /// between 1 and `maximumChunkSize`.
    public static func chunkSize(width: Int, height: Int) -> Int {
        let bytesPerVariant = max(1, width * height * 3)
        return max(1, min(maximumChunkSize, chunkPixelBudgetBytes / bytesPerVariant))
    }

    /// One sweep to generate: which preset, image, role and replicate.
    struct Job {
        var image: LabSource
        var preset: Preset
        var role: SweepRole
        var replicate: Int
    }

    /// Runs the plan: every sweep generated in chunks and embedded by every encoder, the clean
    /// images and the caption embedded, then the detectors.
    ///
    /// - Throws: `LabError` when a variant cannot be generated or an encoder fails (naming which).
    public static func execute(_ plan: LabPlan, progress: LabProgress = .silent) throws(LabError) -> LabRunResult {
        var timing = LabTiming()
        let jobs = self.jobs(for: plan)
        let images = plan.inputs.map(\.record) + plan.references.map(\.record)
        var sweeps: [LabSweep] = []
        var rows = [[[Float]]](repeating: [], count: plan.encoders.count)  // per encoder, per sweep: flattened rows
        var thumbnails: [Int: [ReportThumbnail]] = [:]
        let totalVariants = jobs.reduce(0) { $0 + $1.preset.definition.count }
        progress.note("\(jobs.count) sweeps of \(plan.inputs.count) image\(plan.inputs.count == 1 ? "" : "s") (\(totalVariants) variants), \(plan.encoders.count) model\(plan.encoders.count == 1 ? "" : "s"): \(plan.encoders.map(\.descriptor.name).joined(separator: ", "))")
        var done = 0
        for job in jobs {
            let generator = VariantGenerator(preset: job.preset, source: job.image.source,
                                             seed: plan.options.seed &+ UInt64(job.replicate), maskControl: job.role == .maskControl)
            let wantThumbnails = plan.options.makeReport && job.role == .main && job.replicate == 0
            let (provenance, embedded, thumbs) = try run(generator, encoders: plan.encoders, thumbnails: wantThumbnails,
                                                         timing: &timing) { count in
                progress.count("variants generated and embedded", done + count, totalVariants)
            }
            done += generator.count
            for (index, values) in embedded.enumerated() { rows[index].append(values) }
            if wantThumbnails { thumbnails[sweeps.count] = thumbs }
            sweeps.append(LabSweep(imageID: job.image.record.id, preset: job.preset.name, role: job.role,
                                   replicate: job.replicate, variants: provenance))
        }
        let prompts = plan.options.caption.map { DistractorPrompts.prompts(excludingClassesIn: $0) } ?? []
        var embeddings: [LabEmbeddings] = []
        let sources = plan.inputs + plan.references
        let started = DispatchTime.now()
        for (index, encoder) in plan.encoders.enumerated() {
            let descriptor = encoder.descriptor
            let dimension = descriptor.embeddingDimension
            let sweepMatrices = rows[index].map { values in
                Embeddings.l2Normalized(Matrix(rows: values.count / max(1, dimension), columns: dimension, values: values))
            }
            let clean: Matrix
            do throws(EncoderError) {
                clean = Embeddings.l2Normalized(try encoder.image.encodeImages(
                    sources.map { ImageInput($0.source.image) }, progress: nil))
            } catch {
                throw LabError(.layer, "model '\(descriptor.name)': cannot embed the source images: \(error.description)")
            }
            var item = LabEmbeddings(sweeps: sweepMatrices, baseline: clean, baselineSources: Array(sources.indices))
            if let caption = plan.options.caption, let text = encoder.text {
                do throws(EncoderError) {
                    let texts = Embeddings.l2Normalized(try text.encodeCaptions([caption] + prompts, progress: nil))
                    item.caption = Matrix(stacking: [texts.row(0)], columns: texts.columns)
                    item.distractors = Matrix(stacking: (1..<texts.rows).map { texts.row($0) }, columns: texts.columns)
                } catch {
                    throw LabError(.layer, "model '\(descriptor.name)': cannot embed the caption: \(error.description)")
                }
            }
            embeddings.append(item)
        }
        timing.encoding += seconds(since: started)
        let input = LabAnalysisInput(images: images, models: plan.encoders.map(\.record), sweeps: sweeps, embeddings: embeddings,
                                     caption: plan.options.caption, distractorPrompts: prompts)
        progress.note("analysing \(sweeps.filter { $0.role == .main }.count) sweeps × \(plan.encoders.count) models")
        let analysisStart = DispatchTime.now()
        let analysis = LabAnalysis.analyze(input)
        timing.analyzing = seconds(since: analysisStart)
        var imageThumbnails: [String: ReportThumbnail] = [:]
        if plan.options.makeReport {
            for source in plan.inputs {
                imageThumbnails[source.record.id] = try? ReportThumbnail.make(from: source.source.image, maxSide: 128)
            }
        }
        return LabRunResult(plan: plan, input: input, analysis: analysis, thumbnails: thumbnails,
                            imageThumbnails: imageThumbnails, timing: timing)
    }

    /// The sweeps of a plan, in image, preset, role, replicate order: every main sweep with its
    /// replicates; for a same-canvas full-circle rotation of the image, its mask control and
    /// (unless a given preset already is it) its circular-mask version; for a circular-mask
    /// rotation, its mask control.
    static func jobs(for plan: LabPlan) -> [Job] {
        var jobs: [Job] = []
        for image in plan.inputs {
            for preset in plan.presets {
                for replicate in 0..<plan.replicates(of: preset) {
                    jobs.append(Job(image: image, preset: preset, role: .main, replicate: replicate))
                }
                guard LabPlan.needsMaskControl(preset) else { continue }
                jobs.append(Job(image: image, preset: preset, role: .maskControl, replicate: 0))
                if let circular = LabPlan.circularControl(of: preset),
                   !plan.presets.contains(where: { sameSweep($0, circular) }) {
                    jobs.append(Job(image: image, preset: circular, role: .circularControl, replicate: 0))
                }
            }
        }
        return jobs
    }

    /// Whether two presets make the same 1-D sweep of the image (same operation, options, values, crop).
    static func sameSweep(_ a: Preset, _ b: Preset) -> Bool {
        let x = a.definition, y = b.definition
        return x.axes.count == 1 && y.axes.count == 1 && x.source == y.source && x.squareCrop == y.squareCrop
            && x.axes[0].operation == y.axes[0].operation && x.axes[0].values == y.axes[0].values
    }

    /// Generates every variant of `generator` in chunks, embeds each chunk with every encoder;
    /// returns the provenance, each encoder's raw rows (flattened) and the thumbnails if asked.
    static func run(_ generator: VariantGenerator, encoders: [LabEncoder], thumbnails: Bool, timing: inout LabTiming,
                    progress: (Int) -> Void) throws(LabError) -> ([VariantProvenance], [[Float]], [ReportThumbnail]) {
        let count = generator.count
        var provenance: [VariantProvenance] = []
        var rows = [[Float]](repeating: [], count: encoders.count)
        var thumbs: [ReportThumbnail] = []
        let size = generator.source.image
        let chunk = chunkSize(width: size.width, height: size.height)
        var start = 0
        while start < count {
            let range = start..<min(count, start + chunk)
            let generationStart = DispatchTime.now()
            let (variants, chunkThumbnails) = try generate(generator, range: range, thumbnails: thumbnails)
            timing.generating += seconds(since: generationStart)
            provenance += variants.map(\.provenance)
            thumbs += chunkThumbnails
            let inputs = variants.map { ImageInput($0.image) }
            let encodingStart = DispatchTime.now()
            for (index, encoder) in encoders.enumerated() {
                do throws(EncoderError) {
                    let matrix = try encoder.image.encodeImages(inputs, progress: nil)
                    rows[index] += matrix.values
                } catch {
                    throw LabError(.layer, "model '\(encoder.descriptor.name)', preset \(generator.preset.name), image \(generator.source.provenance.path): \(error.description)")
                }
            }
            timing.encoding += seconds(since: encodingStart)
            start = range.upperBound
            progress(start)
        }
        return (provenance, rows, thumbs)
    }

    /// The variants of `range` (and their thumbnails), generated on up to four threads.
    static func generate(_ generator: VariantGenerator, range: Range<Int>, thumbnails: Bool) throws(LabError)
        -> ([Variant], [ReportThumbnail]) {
        let results = Mutex([Int: Result<(Variant, ReportThumbnail?), LabError>]())
        let threads = max(1, min(4, ProcessInfo.processInfo.activeProcessorCount, range.count))
        let next = Mutex(range.lowerBound)
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            while true {
                let index: Int? = next.withLock { value in
                    guard value < range.upperBound else { return nil }
                    defer { value += 1 }
                    return value
                }
                guard let index else { return }
                let outcome: Result<(Variant, ReportThumbnail?), LabError>
                do {
                    let variant = try generator.variant(at: index)
                    let thumbnail = thumbnails ? try ReportThumbnail.make(from: variant.image) : nil
                    outcome = .success((variant, thumbnail))
                } catch {
                    outcome = .failure(LabError(.layer, "\(generator.source.provenance.path), preset \(generator.preset.name), variant \(index): \(error)"))
                }
                results.withLock { $0[index] = outcome }
            }
        }
        var variants: [Variant] = []
        var thumbs: [ReportThumbnail] = []
        let collected = results.withLock { $0 }
        for index in range {
            switch collected[index] {
            case .success(let pair)?:
                variants.append(pair.0)
                if let thumbnail = pair.1 { thumbs.append(thumbnail) }
            case .failure(let error)?:
                throw error
            case nil:
                throw LabError(.layer, "variant \(index) of preset \(generator.preset.name) was not generated")
            }
        }
        return (variants, thumbs)
    }

    static func seconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }
}
