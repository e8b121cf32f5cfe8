import Analysis
import ArgumentParser
import Encoders
import Foundation
import Imaging
import Lab
import Reports
import Sweeps
import Tensors

/// `auglab gap`: the modality gap of image–caption pairs under one model, and what closing it does.
struct GapCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gap",
        abstract: "Measure the modality gap of image–caption pairs: gap vector, contrastive loss as the gap closes, cluster-ordered heatmap, PCA projection.",
        discussion: """
            Embeds every image and caption with one model (a CLIP-like model, or precomputed embeddings holding image and \
            text embeddings; control encoders have no text tower) and L2-normalises them.

            Gap: the centroids c_img and c_txt, Δ = c_img − c_txt and ‖Δ‖, and the mean cosines of the in-modal and \
            cross-modal regions of the joint similarity matrix.

            Shift: for each λ of the grid, images x − λΔ/2 and captions y + λΔ/2, re-normalised (λ = 0: as embedded; \
            λ = 1: the centroids meet), with CLIP's symmetric contrastive loss (nats, at the model's logit scale) and the \
            top-1 retrieval accuracy both ways.

            Seriation: average-linkage clustering of the joint matrix (distance 1 − cosine), drawn in leaf order with \
            images first. Projection: PCA of the joint embeddings and the gap direction's share of their variance.

            Writes DIR/gap.json, DIR/loss-vs-shift.svg, DIR/accuracy-vs-shift.svg, DIR/heatmap.png/.svg (input order), \
            DIR/heatmap-ordered.png/.svg (cluster order) and DIR/projection.svg. The folder is built beside DIR and renamed \
            into place; the same command twice writes the same bytes. See docs/gap.md.
            """)

    @OptionGroup var encoder: EncoderOptions
    @OptionGroup var input: GapInputOptions

    @Option(help: ArgumentHelp("The output folder (default: runs/gap-<pairs file or first image>). An earlier auglab gap folder there is replaced.",
                               valueName: "DIR"))
    var out: String?

    @Option(name: .customLong("logit-scale"), help: ArgumentHelp(
        "exp(logit_scale): the factor multiplying cosines in the loss (CLIP: 100). Default: the model's; required for embeddings without one.",
        valueName: "S"))
    var logitScale: Double?

    @Option(name: .customLong("lambda-min"), parsing: .unconditional, help: ArgumentHelp("First λ of the shift grid.", valueName: "λ"))
    var lambdaMin: Double = -1

    @Option(name: .customLong("lambda-max"), parsing: .unconditional, help: ArgumentHelp("Last λ of the shift grid.", valueName: "λ"))
    var lambdaMax: Double = 2

    @Option(name: .customLong("lambda-step"), help: ArgumentHelp("Step of the shift grid.", valueName: "Δλ"))
    var lambdaStep: Double = 0.1

    @Flag(help: "Replace the output folder even if it is not an earlier auglab gap folder.")
    var force = false

    @Flag(help: "No progress on stderr.")
    var quiet = false

    func validate() throws {
        _ = try lambdas()
        if let logitScale, !(logitScale.isFinite && logitScale > 0 && logitScale <= ContrastiveLoss.maximumLogitScale) {
            throw ValidationError("--logit-scale must be a number in (0, \(Int(ContrastiveLoss.maximumLogitScale))] (got \(logitScale))")
        }
        if let out, out.isEmpty { throw ValidationError("--out needs a folder") }
    }

    /// The λ grid: lambdaMin, lambdaMin + step, … up to lambdaMax (within 1e-9), each rounded to 9 decimals.
    func lambdas() throws(CLIError) -> [Double] {
        guard lambdaMin.isFinite, lambdaMax.isFinite, lambdaStep.isFinite, lambdaStep > 0, lambdaMin <= lambdaMax else {
            throw CLIError("the shift grid needs finite --lambda-min ≤ --lambda-max and --lambda-step > 0")
        }
        let steps = ((lambdaMax - lambdaMin) / lambdaStep + 1e-9).rounded(.down)
        guard steps < Double(GapShift.maximumLambdaCount) else {
            throw CLIError("the shift grid would have more than \(GapShift.maximumLambdaCount) values of λ: use a larger --lambda-step")
        }
        // Rounded to 9 decimals (so 0.1 steps print as 0.3, not 0.30000000000000004); + 0 turns −0 into 0.
        let grid = (0...Int(steps)).map { (((lambdaMin + Double($0) * lambdaStep) * 1e9).rounded() / 1e9) + 0 }
        guard grid.allSatisfy({ abs($0) <= GapShift.maximumLambda }) else {
            throw CLIError("λ must stay within ±\(Int(GapShift.maximumLambda))")
        }
        return grid
    }

    func run() throws {
        let pairs = try input.load()
        let grid = try lambdas()
        let resolved: ResolvedEncoder
        do { resolved = try encoder.resolve() } catch { throw CLIError(error) }
        let descriptor = resolved.descriptor
        guard let textEncoder = resolved.text, descriptor.hasTextTower else {
            throw CLIError("encoder '\(descriptor.name)' (\(descriptor.kind.rawValue)) has no text tower: auglab gap needs image and caption embeddings of one model (a CLIP-like model, or precomputed embeddings with text embeddings)")
        }
        guard let scale = logitScale ?? descriptor.logitScale.map({ Double($0.exp) }) else {
            throw CLIError("encoder '\(descriptor.name)' has no logit scale: give --logit-scale (exp(logit_scale), 100 for CLIP)")
        }
        if !quiet {
            StandardError.write("gap: \(pairs.count) pairs from \(input.sourceDescription), encoder \(descriptor.name) (\(descriptor.kind.rawValue))\n")
        }
        let (imageEmbeddings, images) = try embedImages(pairs, with: resolved.image)
        let textEmbeddings: Matrix
        do {
            let progress = ProgressLine("gap: embedding captions", enabled: !quiet)
            textEmbeddings = try textEncoder.encodeCaptions(pairs.map(\.caption), progress: progress.callback)
            progress.finish()
        } catch {
            throw CLIError(error)
        }
        let analysis: ModalityGapAnalysis
        do {
            analysis = try ModalityGapAnalysis.analyze(images: imageEmbeddings, texts: textEmbeddings, logitScale: scale, lambdas: grid)
        } catch {
            throw CLIError(error)
        }
        for warning in analysis.warnings where !quiet { StandardError.write("gap: warning: \(warning.message)\n") }

        let destination = out ?? Self.defaultOutput(input: input, pairs: pairs)
        let staged = try Self.stage(destination: destination, force: force)
        let cleanup = InterruptCleanup(staged)
        defer { cleanup.cancel() }
        var files: [GapOutput.File] = []
        do {
            let output = GapOutput(pairs: pairs, images: images, descriptor: descriptor, scaleFromOption: logitScale != nil,
                                   source: input.sourceDescription, analysis: analysis)
            files = try output.files()
            for file in files {
                try AtomicFile.write(file.bytes, toPath: staged.path(file.name))
            }
            try staged.commit()
        } catch {
            staged.discard()
            throw CLIError(error)
        }
        print(GapOutput.summary(analysis, pairCount: pairs.count))
        print("wrote \(staged.destination)/: \(files.map(\.name).joined(separator: ", "))")
    }

    /// Decodes and embeds the images in chunks (at most `LabRun.maximumChunkSize` images, and no more
    /// once their pixels reach `LabRun.chunkPixelBudgetBytes`, as `auglab run` does); returns the
    /// embeddings and what gap.json records of each image.
    private func embedImages(_ pairs: [GapPair], with imageEncoder: any ImageEncoder) throws(CLIError) -> (Matrix, [GapImageRecord]) {
        let decoding = DecodeOptions(applyEXIFOrientation: !input.ignoreEXIFOrientation)
        let progress = ProgressLine("gap: embedding images", enabled: !quiet)
        let report = progress.callback
        var values: [Float] = []
        var columns = 0
        var records: [GapImageRecord] = []
        var hits = 0
        var start = 0
        while start < pairs.count {
            var inputs: [ImageInput] = []
            var bytes = 0
            while start + inputs.count < pairs.count, inputs.count < LabRun.maximumChunkSize, bytes < LabRun.chunkPixelBudgetBytes {
                let pair = pairs[start + inputs.count]
                do {
                    let decoded = try ImageDecoder.decodeFile(atPath: pair.imagePath, options: decoding).image
                    inputs.append(ImageInput(decoded, name: pair.imagePath))
                    bytes += decoded.pixels.count
                    records.append(GapImageRecord(sha256: ContentHash.pixels(decoded), width: decoded.width, height: decoded.height))
                } catch {
                    let located = error.path == nil ? error.at(path: pair.imagePath) : error
                    throw CLIError("\(located.description) (the image of \(pair.origin))")
                }
            }
            let offset = start, total = pairs.count
            let chunkProgress: EncodingProgress = { done, _ in report(offset + done, total) }
            let embeddings: Matrix
            do {
                if let cached = imageEncoder as? CachedImageEncoder {
                    let (matrix, statistics) = try cached.encodeImagesCounting(inputs, progress: chunkProgress)
                    if let failure = statistics.storeFailure, !quiet {
                        StandardError.write("gap: warning: the embedding cache could not be written: \(failure)\n")
                    }
                    hits += statistics.hits
                    embeddings = matrix
                } else {
                    embeddings = try imageEncoder.encodeImages(inputs, progress: chunkProgress)
                }
            } catch {
                throw CLIError(error)
            }
            columns = embeddings.columns
            values += embeddings.values
            start += inputs.count
        }
        progress.finish()
        if hits > 0 && !quiet {
            StandardError.write("gap: embedding cache: \(hits) of \(pairs.count) images found\n")
        }
        return (Matrix(rows: pairs.count, columns: columns, values: values), records)
    }

    /// `runs/gap-<pairs file stem>`, or `runs/gap-<first image stem>` for --image pairs.
    static func defaultOutput(input: GapInputOptions, pairs: [GapPair]) -> String {
        let name = input.pairsFile ?? pairs.first?.image ?? "pairs"
        let stem = ((name as NSString).lastPathComponent as NSString).deletingPathExtension
        let safe = String(stem.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "-" })
        return "runs/gap-" + (safe.isEmpty ? "pairs" : safe)
    }

    /// The staging folder beside `destination`; an earlier `auglab gap` folder is replaced, anything else needs --force.
    static func stage(destination: String, force: Bool) throws(CLIError) -> StagedDirectory {
        let previous = (destination as NSString).appendingPathComponent("gap.json")
        let isEarlierGap = (try? String(contentsOfFile: previous, encoding: .utf8))?.contains("\"\(GapOutput.format)\"") ?? false
        do {
            return try StagedDirectory(destination: destination, replaceExisting: force || isEarlierGap)
        } catch {
            throw CLIError(error)
        }
    }
}

/// What gap.json records of one decoded image.
struct GapImageRecord: Sendable {
    /// SHA-256 of the RGB pixels (`ContentHash.pixels`).
    var sha256: String
    /// Width in pixels (after the EXIF orientation, when applied).
    var width: Int
    /// Height in pixels.
    var height: Int
}

/// The files of an `auglab gap` folder, built in memory from the analysis (a pure function of its inputs).
struct GapOutput {
    static let format = "auglab-gap/1"

    let pairs: [GapPair]
    let images: [GapImageRecord]
    let descriptor: EncoderDescriptor
    let scaleFromOption: Bool
    let source: String
    let analysis: ModalityGapAnalysis

    /// One file: its name in the folder and its bytes.
    struct File {
        var name: String
        var bytes: [UInt8]
    }

    /// Every file: gap.json, then the figures.
    func files() throws -> [File] {
        let n = pairs.count
        let scale = ColorScale.dataRange(of: analysis.joint.values, label: "cosine similarity; data range")
        let modelName = descriptor.name
        let plain = heatmap(order: Array(0..<(2 * n)), orderName: "input order")
        let clustered = heatmap(order: analysis.seriation.grouped, orderName: "cluster order")
        func figure(_ title: String, _ map: Heatmap) -> HeatmapFigure {
            HeatmapFigure(title: title, matrix: map.matrix, colormap: .viridis, scale: scale, rowLabels: map.labels, columnLabels: map.labels,
                          rowTitle: map.axisTitle, columnTitle: map.axisTitle, quadrantSplit: map.split)
        }
        let figures = [
            File(name: "loss-vs-shift.svg", bytes: Array(LinePlotSVG.render(lossPlot()).utf8)),
            File(name: "accuracy-vs-shift.svg", bytes: Array(LinePlotSVG.render(accuracyPlot()).utf8)),
            File(name: "heatmap.png", bytes: try heatmapPNG(plain, scale: scale)),
            File(name: "heatmap.svg", bytes: Array(try HeatmapSVG.render(figure("Joint cosine similarity, \(modelName): \(n) images | \(n) captions", plain)).utf8)),
            File(name: "heatmap-ordered.png", bytes: try heatmapPNG(clustered, scale: scale)),
            File(name: "heatmap-ordered.svg", bytes: Array(try HeatmapSVG.render(figure("Joint cosine similarity in cluster order, \(modelName)", clustered)).utf8)),
            File(name: "projection.svg", bytes: Array(ScatterPlotSVG.render(projectionPlot()).utf8)),
        ]
        return [File(name: "gap.json", bytes: try json(files: ["gap.json"] + figures.map(\.name)))] + figures
    }

    /// Rows drawn per modality at most; larger sets are shown as means of blocks of consecutive rows.
    static let maximumRowsPerModality = HeatmapSVG.targetSide / 2

    /// The joint matrix as drawn: rows and columns in `order` (images first), with labels.
    struct Heatmap {
        /// What is drawn (2m × 2m, m ≤ `maximumRowsPerModality`).
        var matrix: Matrix
        /// One label per drawn row.
        var labels: [String]
        /// Drawn rows of images (the separator comes after them).
        var split: Int
        /// What the axes show.
        var axisTitle: String
    }

    /// The joint matrix in `order`; with more than `maximumRowsPerModality` pairs each drawn cell is
    /// the mean cosine of a b × b block of cells (b = ⌈n / 240⌉; blocks never straddle the separator).
    func heatmap(order: [Int], orderName: String) -> Heatmap {
        let n = pairs.count, joint = analysis.joint
        let block = (n + Self.maximumRowsPerModality - 1) / Self.maximumRowsPerModality
        let bins = (n + block - 1) / block
        // Positions (in `order`) covered by each drawn row: images' bins, then captions'.
        let ranges: [Range<Int>] = [0, n].flatMap { start in
            (0..<bins).map { b in (start + b * block)..<min(start + (b + 1) * block, start + n) }
        }
        var matrix = Matrix(rows: ranges.count, columns: ranges.count)
        for (r, rows) in ranges.enumerated() {
            for (c, columns) in ranges.enumerated() {
                var sum = 0.0
                for p in rows { for q in columns { sum += Double(joint[order[p], order[q]]) } }
                matrix[r, c] = Float(sum / Double(rows.count * columns.count))
            }
        }
        let labels = ranges.map { range -> String in
            if block == 1 { return tickLabel(order[range.lowerBound]) }
            let first = range.lowerBound % n, last = (range.upperBound - 1) % n
            return (range.lowerBound < n ? "img " : "txt ") + "\(first)–\(last)"
        }
        let axisTitle = "images | captions (\(orderName)" + (block == 1 ? ")" : "; mean of \(block) × \(block) blocks of positions)")
        return Heatmap(matrix: matrix, labels: labels, split: bins, axisTitle: axisTitle)
    }

    /// "img 3: cat.png" / "txt 3: a photo of a cat" for joint index `k` (tooltips of the projection).
    func label(_ k: Int) -> String {
        let n = pairs.count
        return k < n ? "img \(k): \((pairs[k].image as NSString).lastPathComponent)" : "txt \(k - n): \(pairs[k - n].caption)"
    }

    /// `label(k)` cut to 13 characters, so heatmap tick labels stay clear of the axis title.
    func tickLabel(_ k: Int) -> String {
        let full = label(k)
        return full.count <= 13 ? full : String(full.prefix(12)) + "…"
    }

    /// The colour-mapped matrix, about 480 px across, with a 2-px white line between images and captions.
    func heatmapPNG(_ map: Heatmap, scale: ColorScale) throws -> [UInt8] {
        let cell = max(1, HeatmapSVG.targetSide / max(1, map.matrix.rows))
        let picture = try HeatmapImage.render(map.matrix, colormap: .viridis, scale: scale, cellSize: cell)
        return try PNGCodec.encode(Self.separated(picture, at: map.split * cell, thickness: 2))
    }

    /// `image` with `thickness` white rows and columns inserted before pixel row/column `split`.
    static func separated(_ image: RGBImage, at split: Int, thickness: Int) -> RGBImage {
        guard split > 0, split < image.width, split < image.height else { return image }
        let width = image.width + thickness, height = image.height + thickness
        var pixels = [UInt8](repeating: 255, count: width * height * 3)
        for y in 0..<image.height {
            let target = y < split ? y : y + thickness
            for x in 0..<image.width {
                let column = x < split ? x : x + thickness
                let from = (y * image.width + x) * 3, to = (target * width + column) * 3
                pixels[to] = image.pixels[from]
                pixels[to + 1] = image.pixels[from + 1]
                pixels[to + 2] = image.pixels[from + 2]
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    var scaleNote: String {
        "logit scale \(String(format: "%.2f", analysis.logitScale))" + (scaleFromOption ? " (--logit-scale)" : " (model)")
    }

    /// The x axis of the shift plots: what λ does, in words.
    static let lambdaTitle = "shift λ: images −λΔ/2, captions +λΔ/2, re-normalised (fraction of the gap closed)"

    var lambdaMarks: [LinePlot.Mark] {
        [LinePlot.Mark(x: 0, label: "as embedded", color: "#444444", dashed: true),
         LinePlot.Mark(x: 1, label: "centroids meet", color: "#d62728", dashed: true)]
    }

    func lossPlot() -> LinePlot {
        let shift = analysis.shift, n = pairs.count
        let x = shift.map(\.lambda)
        return LinePlot(
            title: "Contrastive loss as the modality gap closes (\(descriptor.name))",
            subtitle: "n = \(n) pairs, \(scaleNote), ‖Δ‖ = \(String(format: "%.3f", analysis.gap.distance)); grey line: chance, log n",
            xTitle: Self.lambdaTitle, yTitle: "contrastive loss (nats)",
            series: [LinePlot.Series(name: "symmetric loss", x: x, y: shift.map(\.evaluation.loss), color: "#1f77b4"),
                     LinePlot.Series(name: "image → caption", x: x, y: shift.map(\.evaluation.lossImageToText), color: "#ff7f0e"),
                     LinePlot.Series(name: "caption → image", x: x, y: shift.map(\.evaluation.lossTextToImage), color: "#2ca02c")],
            marks: lambdaMarks, yReference: log(Double(n)))
    }

    func accuracyPlot() -> LinePlot {
        let shift = analysis.shift, n = pairs.count
        let x = shift.map(\.lambda)
        return LinePlot(
            title: "Top-1 retrieval accuracy as the modality gap closes (\(descriptor.name))",
            subtitle: "n = \(n) pairs; a hit: the own partner has the strictly largest cosine; grey line: chance, 1/n",
            xTitle: Self.lambdaTitle, yTitle: "top-1 accuracy (fraction of pairs)",
            series: [LinePlot.Series(name: "image → caption", x: x, y: shift.map(\.evaluation.accuracyImageToText), color: "#ff7f0e"),
                     LinePlot.Series(name: "caption → image", x: x, y: shift.map(\.evaluation.accuracyTextToImage), color: "#2ca02c")],
            marks: lambdaMarks, yReference: 1 / Double(n))
    }

    func projectionPlot() -> ScatterPlot {
        let n = pairs.count, projection = analysis.projection, pca = projection.pca
        func coordinate(_ k: Int, _ axis: Int) -> Double { axis < pca.scores[k].count ? pca.scores[k][axis] : 0 }
        let ratio = pca.explainedVarianceRatio
        func axisTitle(_ axis: Int) -> String {
            "PC\(axis + 1): \(String(format: "%.1f", 100 * (axis < ratio.count ? ratio[axis] : 0)))% of the variance (embedding units)"
        }
        let images = ScatterPlot.Series(name: "images", x: (0..<n).map { coordinate($0, 0) }, y: (0..<n).map { coordinate($0, 1) },
                                        color: "#1f77b4", marker: .circle, labels: (0..<n).map(label))
        let texts = ScatterPlot.Series(name: "captions", x: (n..<(2 * n)).map { coordinate($0, 0) }, y: (n..<(2 * n)).map { coordinate($0, 1) },
                                       color: "#ff7f0e", marker: .square, labels: (n..<(2 * n)).map(label))
        let segments = (0..<n).map { i in
            ScatterPlot.Segment(from: (coordinate(i, 0), coordinate(i, 1)), to: (coordinate(n + i, 0), coordinate(n + i, 1)))
        }
        let image = projection.imageCentroid, text = projection.textCentroid
        let arrow = ScatterPlot.Arrow(from: (text.first ?? 0, text.dropFirst().first ?? 0), to: (image.first ?? 0, image.dropFirst().first ?? 0),
                                      label: "Δ (‖Δ‖ = \(String(format: "%.3f", analysis.gap.distance)))")
        return ScatterPlot(
            title: "PCA of the joint embeddings (\(descriptor.name)): \(n) images, \(n) captions",
            subtitle: "lines join each image to its caption; arrow Δ: caption centroid → image centroid\n"
                + "the gap direction holds \(String(format: "%.1f", 100 * projection.gapVarianceShare))% of the variance; "
                + "\(String(format: "%.1f", 100 * projection.gapInPlane))% of its length lies in this plane",
            xTitle: axisTitle(0), yTitle: axisTitle(1), series: [images, texts], segments: segments, arrows: [arrow])
    }

    /// gap.json: sorted keys, pretty-printed, no time or host, so reruns give the same bytes.
    func json(files: [String]) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return Array(try encoder.encode(document(files: files))) + [UInt8(ascii: "\n")]
    }

    /// The contents of gap.json; `files` lists the folder's files.
    func document(files: [String]) -> GapDocument {
        let n = pairs.count, pca = analysis.projection.pca
        func item(_ k: Int) -> GapDocument.Item { GapDocument.Item(modality: k < n ? "image" : "caption", pair: k < n ? k : k - n) }
        let points = (0..<(2 * n)).map { k in
            GapDocument.Point(modality: k < n ? "image" : "caption", pair: k < n ? k : k - n, pc1: pca.scores[k].first ?? 0,
                              pc2: pca.scores[k].dropFirst().first ?? 0)
        }
        return GapDocument(
            format: Self.format, tool: "auglab \(AugLabVersion.string)",
            model: GapDocument.Model(name: descriptor.name, kind: descriptor.kind.rawValue, architecture: descriptor.architecture,
                                     file: descriptor.filePath, sha256: descriptor.sha256, embeddingDimension: descriptor.embeddingDimension,
                                     preprocessing: descriptor.preprocessing, logitScaleLog: descriptor.logitScale.map { Double($0.log) },
                                     logitScaleExp: descriptor.logitScale.map { Double($0.exp) }),
            pairs: GapDocument.Pairs(source: source, count: n, items: zip(pairs, images).map { pair, image in
                GapDocument.PairRecord(image: pair.image, caption: pair.caption, imageSHA256: image.sha256, width: image.width,
                                       height: image.height)
            }),
            gap: analysis.gap,
            shift: GapDocument.Shift(logitScale: analysis.logitScale, logitScaleSource: scaleFromOption ? "--logit-scale" : "model",
                                     points: analysis.shift),
            seriation: GapDocument.SeriationRecord(order: analysis.seriation.grouped.map(item),
                                                   jointOrder: analysis.seriation.jointOrder.map(item),
                                                   topSplitIsModality: analysis.seriation.topSplitIsModality,
                                                   topSplitPurity: analysis.seriation.topSplitPurity),
            projection: GapDocument.ProjectionRecord(
                explainedVariance: pca.explainedVariance, explainedVarianceRatio: pca.explainedVarianceRatio,
                totalVariance: pca.totalVariance, components: Array(pca.components.prefix(2)), points: points,
                gapVarianceShare: analysis.projection.gapVarianceShare, gapAlignment: analysis.projection.gapAlignment,
                gapInPlane: analysis.projection.gapInPlane, imageCentroid: Array(analysis.projection.imageCentroid.prefix(2)),
                textCentroid: Array(analysis.projection.textCentroid.prefix(2))),
            warnings: analysis.warnings, files: files)
    }

    /// Three lines for the terminal: the gap, the region means, the loss and accuracy at λ = 0 and 1.
    static func summary(_ analysis: ModalityGapAnalysis, pairCount: Int) -> String {
        let gap = analysis.gap
        func f(_ x: Double?) -> String { x.map { String(format: "%.3f", $0) } ?? "–" }
        var lines = ["gap: ‖Δ‖ = \(f(gap.distance)) (centroid norms: images \(f(gap.imageCentroidNorm)), captions \(f(gap.textCentroidNorm)); top cluster split is images vs captions: \(analysis.seriation.topSplitIsModality ? "yes" : "no"))",
                     "mean cosine: image–image \(f(gap.cosines.imageImage)), caption–caption \(f(gap.cosines.textText)), matched pairs \(f(gap.cosines.matchedPairs)), unmatched pairs \(f(gap.cosines.unmatchedPairs))"]
        let at = { (lambda: Double) in analysis.shift.first { abs($0.lambda - lambda) < 1e-9 } }
        if let before = at(0), let after = at(1) {
            lines.append("loss (nats, \(pairCount) pairs): \(f(before.evaluation.loss)) as embedded, \(f(after.evaluation.loss)) with the gap closed (λ = 1); "
                         + "top-1 image → caption \(f(before.evaluation.accuracyImageToText)) → \(f(after.evaluation.accuracyImageToText))")
        }
        return lines.joined(separator: "\n")
    }
}

/// The layout of gap.json (format `auglab-gap/1`).
struct GapDocument: Encodable {
    struct Model: Encodable {
        var name: String, kind: String, architecture: String, file: String?, sha256: String?, embeddingDimension: Int
        var preprocessing: String, logitScaleLog: Double?, logitScaleExp: Double?
        enum CodingKeys: String, CodingKey {
            case name, kind, architecture, file, sha256, embeddingDimension = "embedding_dimension", preprocessing
            case logitScaleLog = "logit_scale_log", logitScaleExp = "logit_scale_exp"
        }
    }
    struct PairRecord: Encodable {
        var image: String, caption: String, imageSHA256: String, width: Int, height: Int
        enum CodingKeys: String, CodingKey { case image, caption, imageSHA256 = "image_sha256", width, height }
    }
    struct Pairs: Encodable {
        var source: String, count: Int, items: [PairRecord]
    }
    struct Shift: Encodable {
        var definition = "images x' = (x − λΔ/2)/‖x − λΔ/2‖, captions y' = (y + λΔ/2)/‖y + λΔ/2‖ from the unit embeddings; λ = 0: as embedded, λ = 1: centroids meet before re-normalisation"
        var lossDefinition = "L_ij = s·x'_i·y'_j; loss = (CE_rows + CE_columns)/2 with CE = −mean_i log softmax(L)_ii (nats), s = logit_scale; accuracy: own partner strictly largest"
        var centroidDistanceDefinition = "‖c'_img − c'_txt‖ of the shifted unit embeddings, negative when it points against Δ"
        var logitScale: Double, logitScaleSource: String, points: [GapShiftPoint]
        enum CodingKeys: String, CodingKey {
            case definition, lossDefinition = "loss_definition", centroidDistanceDefinition = "centroid_distance_definition"
            case logitScale = "logit_scale", logitScaleSource = "logit_scale_source", points
        }
    }
    struct Item: Encodable {
        var modality: String, pair: Int
    }
    struct SeriationRecord: Encodable {
        var method = "average linkage (UPGMA) on 1 − cosine of the joint matrix, dendrogram leaf order (scipy's convention); order = leaf order with images first"
        var order: [Item], jointOrder: [Item], topSplitIsModality: Bool, topSplitPurity: Double
        enum CodingKeys: String, CodingKey {
            case method, order, jointOrder = "joint_order", topSplitIsModality = "top_split_is_modality", topSplitPurity = "top_split_purity"
        }
    }
    struct Point: Encodable {
        var modality: String, pair: Int, pc1: Double, pc2: Double
    }
    struct ProjectionRecord: Encodable {
        var method = "PCA of the 2n unit embeddings (images, then captions) centred on their mean; variance with the N − 1 denominator; each component's largest entry positive"
        var explainedVariance: [Double], explainedVarianceRatio: [Double], totalVariance: Double, components: [[Double]]
        var points: [Point], gapVarianceShare: Double, gapAlignment: [Double], gapInPlane: Double
        var imageCentroid: [Double], textCentroid: [Double]
        enum CodingKeys: String, CodingKey {
            case method, explainedVariance = "explained_variance", explainedVarianceRatio = "explained_variance_ratio"
            case totalVariance = "total_variance", components, points, gapVarianceShare = "gap_variance_share"
            case gapAlignment = "gap_alignment", gapInPlane = "gap_in_plane", imageCentroid = "image_centroid", textCentroid = "text_centroid"
        }
    }

    var format: String
    var tool: String
    var model: Model
    var pairs: Pairs
    var gap: ModalityGap
    var shift: Shift
    var seriation: SeriationRecord
    var projection: ProjectionRecord
    var warnings: [AnalysisWarning]
    var files: [String]
}
