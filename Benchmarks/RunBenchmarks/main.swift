// A full `auglab run` and its parts beyond encoding, in a release build:
//
//   swift run -c release --scratch-path .build-release RunBenchmarks            # ViT-B-32, then the rest
//   swift run -c release --scratch-path .build-release RunBenchmarks RN50
//
// 1. A full run (the default suite: rotation-100 with its mask control and circular version,
//    flip, noise-100 × 3 seeds, blur-100 = 704 variants, report included) of Images/chelsea.png
//    with a full-size CLIP model of random weights (`SyntheticWeights`, nothing downloaded):
//    every stage's wall time; the goal is everything beyond encoding ≤ 10% of the encoding time.
// 2. The detectors on 1000-variant sweeps (a rotation of 1000 angles with its mask control, a noise
//    sweep of 100 levels × 10 seeds, a D4 sweep), 512-d embeddings, through `LabAnalysis.analyze`.
// 3. The report of the default suite on three bundled photographs with the control encoders: its
//    size and how long headless Chromium takes to open it (navigation start → the page's ready flag).
import AugLabTestSupport
import BenchmarkSupport
import CLIP
import Encoders
import Foundation
import Imaging
import Lab
import Reports
import Sweeps
import Tensors

func format(_ value: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", value) }
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized
func image(_ name: String) -> String { root.appendingPathComponent("Images/\(name)").path }

func fullRun(model name: String) throws {
    guard let config = CLIPConfig.named(name) else { print("unknown model \(name)"); return }
    let model = try CLIPModel(config: config, weights: SyntheticWeights(layout: CLIPModel.tensorLayout(for: config)))
    let encoder = try CLIPEncoder(model: model, preprocess: PreprocessConfig(imageSize: config.vision.imageSize), name: name,
                                  sha256: String(repeating: "0", count: 64))
    let options = LabRunOptions(images: [image("chelsea.png")], makeReport: true)
    let plan = try LabPlan.make(options, encoders: [LabEncoder(spec: name, image: encoder, text: encoder)])
    let before = CPUUsage.sample()
    let started = Date()
    var result = try LabRun.execute(plan)
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("auglab-run-bench-\(ProcessInfo.processInfo.processIdentifier)").path
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let writeStart = Date()
    let staged = try LabOutput.stage(destination: folder, force: true)
    try LabOutput.write(LabOutputContents(run: result, tool: "auglab bench", commandLine: nil), into: staged)
    try staged.commit()
    result.timing.writing = Date().timeIntervalSince(writeStart)
    let total = Date().timeIntervalSince(started)
    let load = CPUUsage.otherCores(from: before, to: CPUUsage.sample())
    let t = result.timing
    let variants = result.input.sweeps.reduce(0) { $0 + $1.variants.count }
    print("")
    print("## Full run, \(name) (synthetic weights), Images/chelsea.png, default suite: \(variants) variants + 7 clean images")
    print("")
    print("| stage | s | share of encoding |")
    print("|---|---:|---:|")
    for (label, seconds) in [("generating variants + thumbnails", t.generating), ("encoding", t.encoding),
                             ("analysing", t.analyzing), ("writing (matrices, summary, report)", t.writing)] {
        print("| \(label) | \(format(seconds, 2)) | \(format(100 * seconds / t.encoding))% |")
    }
    print("| **beyond encoding** | **\(format(t.beyondEncoding, 2))** | **\(format(100 * t.beyondEncoding / t.encoding))%** |")
    print("")
    print("total \(format(total, 1)) s; encoding \(format(1000 * t.encoding / Double(variants + 7), 1)) ms per image; others (load during) \(format(load, 2))")
}

/// Unit-norm-ish embeddings that vary smoothly along a circle (a rotation-like response).
func rotationEmbeddings(count: Int, dimension: Int, seed: UInt64) -> Matrix {
    var random = SyntheticRandom(seed: seed)
    let directions = (0..<16).map { _ in (0..<dimension).map { _ in Float(random.gaussian()) } }
    let offset = (0..<dimension).map { _ in Float(random.gaussian()) }
    var values: [Float] = []
    for k in 0..<count {
        let theta = 2 * Double.pi * Double(k) / Double(count)
        for j in 0..<dimension {
            var x = 2 * offset[j]
            for m in 0..<8 {
                x += Float(cos(Double(m + 1) * theta) / Double(m + 1)) * directions[2 * m][j]
                x += Float(sin(Double(m + 1) * theta) / Double(m + 1)) * directions[2 * m + 1][j]
            }
            values.append(x + 0.1 * Float(random.gaussian()))
        }
    }
    return Embeddings.l2Normalized(Matrix(rows: count, columns: dimension, values: values))
}

func detectorsOn1000Variants() throws {
    let dimension = 512
    let source = SourceImage(image: RGBImage(width: 8, height: 8, filledWith: (10, 20, 30)),
                             provenance: SourceProvenance(path: "synthetic.png", sha256: "0", format: "png", width: 8, height: 8,
                                                          exifOrientation: nil, exifOrientationApplied: false))
    let rotation = try Preset(yaml: """
        description: 1000 angles.
        sweep:
          operation: rotate
          values: {linspace: {start: 0, stop: 360, count: 1000, endpoint: false}}
          interpolation: bilinear
          fill: black
        """, name: "rotation-1000", path: "rotation-1000.yaml")
    let noise = try Preset(yaml: """
        description: 100 levels.
        sweep:
          operation: gaussian_noise
          values: {linspace: {start: 0, stop: 1, count: 100}}
        """, name: "noise-100", path: "noise-100.yaml")
    let d4 = try PresetLibrary.resolve("d4")
    func sweep(_ preset: Preset, role: SweepRole, replicate: Int = 0) -> LabSweep {
        let generator = VariantGenerator(preset: preset, source: source, seed: UInt64(replicate), maskControl: role == .maskControl)
        return LabSweep(imageID: "synthetic", preset: preset.name, role: role, replicate: replicate,
                        variants: (0..<generator.count).map { generator.provenance(at: $0) })
    }
    var sweeps = [sweep(rotation, role: .main), sweep(rotation, role: .maskControl), sweep(d4, role: .main)]
    var matrices = [rotationEmbeddings(count: 1000, dimension: dimension, seed: 1), rotationEmbeddings(count: 1000, dimension: dimension, seed: 2),
                    rotationEmbeddings(count: 8, dimension: dimension, seed: 3)]
    for replicate in 0..<10 {
        sweeps.append(sweep(noise, role: .main, replicate: replicate))
        matrices.append(rotationEmbeddings(count: 100, dimension: dimension, seed: 10 + UInt64(replicate)))
    }
    let baseline = rotationEmbeddings(count: 7, dimension: dimension, seed: 99)
    let prompts = (0..<90).map { "prompt \($0)" }
    let embeddings = LabEmbeddings(sweeps: matrices, baseline: baseline, baselineSources: Array(0..<7),
                                   caption: rotationEmbeddings(count: 1, dimension: dimension, seed: 5),
                                   distractors: rotationEmbeddings(count: 90, dimension: dimension, seed: 6))
    let model = LabModel(name: "synthetic", spec: "synthetic", kind: "precomputed", architecture: "synthetic", file: nil, sha256: nil,
                         embeddingDimension: dimension, logitScale: nil, logitScaleExp: nil, hasTextTower: true, preprocessing: "none")
    let images = [LabImage(id: "synthetic", source: source.provenance, role: .input)]
    let input = LabAnalysisInput(images: images, models: [model], sweeps: sweeps, embeddings: [embeddings], caption: "a caption",
                                 distractorPrompts: prompts)
    let measurement = Stopwatch.measure("analyze", warmUp: 1, minRuns: 5, minSeconds: 3) { _ = LabAnalysis.analyze(input) }
    print("")
    print("## Detectors on 1000-variant sweeps (LabAnalysis.analyze, 512-d)")
    print("")
    print("rotation of 1000 angles + its 1000-angle mask control (periodicity_90, antidiagonal, artefact control), noise 100 levels × 10 seeds (collapse, 1000 bootstraps), d4, crossmodal with 90 prompts on every sweep, all matrices: median \(format(measurement.medianMilliseconds)) ms, min \(format(measurement.minimumMilliseconds)) ms (others \(format(measurement.otherCores, 2)))")
}

func reportOfBundledPhotos() throws {
    let options = LabRunOptions(images: ["chelsea.png", "astronaut.png", "coffee.png"].map(image), makeReport: true)
    let plan = try LabPlan.make(options)
    let started = Date()
    let result = try LabRun.execute(plan)
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("auglab-report-bench-\(ProcessInfo.processInfo.processIdentifier)").path
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let staged = try LabOutput.stage(destination: folder, force: true)
    try LabOutput.write(LabOutputContents(run: result, tool: "auglab bench", commandLine: nil), into: staged)
    try staged.commit()
    let seconds = Date().timeIntervalSince(started)
    let size = (try FileManager.default.attributesOfItem(atPath: folder + "/report.html")[.size] as? Int) ?? 0
    print("")
    print("## Report of the default suite, 3 bundled photos × 3 control encoders")
    print("")
    print("run + write \(format(seconds, 2)) s (control encoders: encoding \(format(result.timing.encoding, 2)) s); report.html \(size) bytes (\(format(Double(size) / 1e6, 2)) MB)")
    let browser = try BrowserSession()
    defer { browser.close() }
    var loads: [Double] = []
    for _ in 0..<3 {
        let page = try BrowserPage(browser: browser)
        try page.open(URL(fileURLWithPath: folder + "/report.html"))
        try page.waitUntil("!!(window.auglabReport && window.auglabReport.ready)")
        if let ready = try page.evaluate("window.auglabReport.readyMs") as? Double { loads.append(ready) }
        if !page.problems().isEmpty { print("page problems: \(page.problems())") }
        _ = try? page.send("Page.close")
    }
    print("Chromium (headless) navigation start → ready: \(loads.map { format($0, 0) }.joined(separator: ", ")) ms")
}

let arguments = Array(CommandLine.arguments.dropFirst())
print("# auglab run: time beyond encoding, detectors at 1000 variants, report size and load time")
for name in arguments.isEmpty ? ["ViT-B-32"] : arguments { try fullRun(model: name) }
try detectorsOn1000Variants()
try reportOfBundledPhotos()
