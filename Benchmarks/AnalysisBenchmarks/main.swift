// Release benchmark of the Analysis target on 1000-variant sweeps:
//   swift build -c release --scratch-path .build-release --product AnalysisBenchmarks
//   .build-release/release/AnalysisBenchmarks
// Prints one line per step (median / min ms, and how busy other processes kept the CPU), then the
// total beside the time a CLIP encoder needs for the same 1000 variants (encoder-cpu.md anchors).
import Analysis
import AugLabTestSupport
import BenchmarkSupport
import Foundation
import Tensors

let variants = 1000
let dimension = 512

func randomEmbeddings(rows: Int, columns: Int, seed: UInt64) -> Matrix {
    var random = SyntheticRandom(seed: seed)
    return Matrix(rows: rows, columns: columns, values: (0..<(rows * columns)).map { _ in Float(random.gaussian()) })
}

var measurements: [Stopwatch.Measurement] = []
@MainActor func measure(_ name: String, minRuns: Int = 5, _ body: () throws -> Void) rethrows {
    let m = try Stopwatch.measure(name, warmUp: 1, minRuns: minRuns, minSeconds: 0.5, maxRuns: 30, body)
    measurements.append(m)
    print(m)
}

// Inputs.
let embeddings = randomEmbeddings(rows: variants, columns: dimension, seed: 1)
var rotation = SyntheticRotation()
rotation.count = variants
rotation.decayWidthDegrees = 20
rotation.noise = 0.1
rotation.fourFoldProduct = 0.2
rotation.mirror = 0.3
let rotationSimilarity = Similarity.cosineMatrix(rotation.embeddings()).matrix
let axis = try RotationSweep(anglesDegrees: rotation.anglesDegrees)
let baselineEmbeddings = randomEmbeddings(rows: 6 * variants, columns: dimension, seed: 2)
let baselineSources = (0..<(6 * variants)).map { $0 / variants }
let baseline = try UnrelatedBaseline.estimate(embeddings: baselineEmbeddings, sources: baselineSources)
var collapseGenerator = SyntheticCollapse()
collapseGenerator.seeds = 10
collapseGenerator.dimension = dimension
let collapseData = collapseGenerator.sweep()
let mirrors = randomEmbeddings(rows: variants, columns: dimension, seed: 3)
var crossModal = SyntheticCrossModal()
crossModal.levels = (0..<variants).map { Double($0) / Double(variants - 1) }
crossModal.distractors = DistractorPrompts.classes.count
crossModal.dimension = dimension
let (captionImages, caption, distractors) = crossModal.make()

print("Analysis benchmark: \(variants) variants, dimension \(dimension), BLAS threads \(BLAS.threadCount)")
measure("cosine matrix 1000x512 (normalise + sgemm)") { _ = Similarity.cosineMatrix(embeddings) }
try measure("unrelated baseline, 6 sources x 1000 rows (64 per source)") {
    _ = try UnrelatedBaseline.estimate(embeddings: baselineEmbeddings, sources: baselineSources)
}
try measure("periodicity_90, N = 1000") {
    _ = try PeriodicityDetector.detect(similarities: rotationSimilarity, sweep: axis, baseline: baseline)
}
try measure("antidiagonal, N = 1000") {
    _ = try AntidiagonalDetector.detect(similarities: rotationSimilarity, sweep: axis, baseline: baseline)
}
try measure("flip_explicit, 1000 variants, both axes") {
    _ = try FlipInvarianceDetector.detect(originals: embeddings, horizontal: mirrors, vertical: mirrors, baseline: baseline)
}
try measure("collapse_threshold, 100 levels x 10 seeds (incl. cosines, 1000 bootstraps)") {
    let sweep = try CollapseSweep.fromEmbeddings(variants: collapseData.variants, clean: collapseData.clean,
                                                 levels: collapseData.levels, seeds: collapseData.seeds)
    _ = try CollapseDetector.detect(images: [sweep], unit: "sigma", baseline: baseline)
}
try measure("crossmodal, 1000 variants x 90 distractors") {
    _ = try CrossModalReadout.evaluate(images: captionImages, caption: caption, distractors: distractors,
                                       levels: crossModal.levels, unit: "sigma")
}
let periodicity = try PeriodicityDetector.detect(similarities: rotationSimilarity, sweep: axis, baseline: baseline)
try measure("artefact control + comparison table + JSON encoding") {
    let checked = ArtefactControl.apply(to: periodicity, mask: periodicity, circular: periodicity)
    let table = ComparisonTable(findings: checked.allFindings.map { $0.labelled(model: "a") }
        + checked.allFindings.map { $0.labelled(model: "b") })
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    _ = try encoder.encode(checked)
    _ = try encoder.encode(table)
}

let total = measurements.reduce(0) { $0 + $1.medianMilliseconds }
print(String(format: "total of the medians: %.1f ms", total))
let encoderRows = Anchors.tableRows(in: "encoder-cpu.md")
for row in encoderRows where row["backend"] != nil && row["ms/image at batch 1"] != nil {
    guard let model = row["model"], let backend = row["backend"],
          let perImage = Anchors.number(row["ms/image at batch 1"]) else { continue }
    let encoding = perImage * Double(variants)
    print(String(format: "  vs encoding %d variants with %@ (%@, %.0f ms/image): analysis = %.2f%% of encoding",
                 variants, model, backend, perImage, 100 * total / encoding))
}
