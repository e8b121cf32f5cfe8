// Encoder throughput of the native CLIP towers against ../shared/anchors/encoder-cpu.md.
//
//   swift run -c release --scratch-path .build-release EncoderBenchmarks            # all three models
//   swift run -c release --scratch-path .build-release EncoderBenchmarks RN50 --strategy split
//
// Full-size RN50, ViT-B-32 and ViT-B-16 with random weights (`SyntheticWeights`: nothing is
// downloaded; weights are scaled so activations stay of order one, with no denormals), random
// 224×224 inputs, and 64 tokenised captions of varied length (BenchmarkCaptions.swift). Each model
// runs in its own child process so its peak RSS (`ru_maxrss`) covers exactly that model, as in the
// anchors. Figures are medians; `others` is the CPU load of other processes during the runs
// (anchors were taken with others ≈ 0; repeat when it is not).
import BenchmarkSupport
import CLIP
import Foundation
import Tensors

/// open_clip 3.3.0's model configs (open_clip/model_configs/*.json).
let modelConfigs: [(name: String, json: String)] = [
    ("RN50", #"{"embed_dim": 1024, "vision_cfg": {"image_size": 224, "layers": [3, 4, 6, 3], "width": 64, "patch_size": null}, "text_cfg": {"context_length": 77, "vocab_size": 49408, "width": 512, "heads": 8, "layers": 12}}"#),
    ("ViT-B-32", #"{"embed_dim": 512, "vision_cfg": {"image_size": 224, "layers": 12, "width": 768, "patch_size": 32}, "text_cfg": {"context_length": 77, "vocab_size": 49408, "width": 512, "heads": 8, "layers": 12}}"#),
    ("ViT-B-16", #"{"embed_dim": 512, "vision_cfg": {"image_size": 224, "layers": 12, "width": 768, "patch_size": 16}, "text_cfg": {"context_length": 77, "vocab_size": 49408, "width": 512, "heads": 8, "layers": 12}}"#),
]

struct Arguments {
    var models: [String] = []
    var strategy = ComputeOptions.Strategy.automatic
    var threads = Parallel.processorCount
    var chunk: Int? = nil
    var batches = [1, 16, 64]
    var child = false
    var text = true

    init(_ argv: [String]) {
        var i = 0
        while i < argv.count {
            let arg = argv[i]
            let value = i + 1 < argv.count ? argv[i + 1] : ""
            switch arg {
            case "--strategy":
                strategy = value == "split" ? .splitBatch : value == "threaded" ? .threadedProducts : .automatic
                i += 1
            case "--threads": threads = Int(value) ?? threads; i += 1
            case "--chunk": chunk = Int(value); i += 1
            case "--batches": batches = value.split(separator: ",").compactMap { Int($0) }; i += 1
            case "--child": child = true
            case "--no-text": text = false
            default: models.append(arg)
            }
            i += 1
        }
    }

    /// The arguments to pass on to a child process for `model`.
    func childArguments(for model: String) -> [String] {
        var out = [model, "--child", "--threads", String(threads), "--batches", batches.map(String.init).joined(separator: ",")]
        switch strategy {
        case .splitBatch: out += ["--strategy", "split"]
        case .threadedProducts: out += ["--strategy", "threaded"]
        case .automatic: break
        }
        if let chunk { out += ["--chunk", String(chunk)] }
        if !text { out.append("--no-text") }
        return out
    }
}

/// CPU seconds (user + system) this process has used so far, all threads.
func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
}

/// Times `body` with `Stopwatch.measure` and also returns the CPU seconds it used per call.
///
/// CPU time per item is what a busy machine distorts least: `threads / cpuPerItem` is the
/// throughput the same code reaches when its threads get whole cores.
func measure(_ name: String, warmUp: Int, minRuns: Int, minSeconds: Double, maxRuns: Int,
             _ body: () throws -> Void) rethrows -> (Stopwatch.Measurement, cpuPerCall: Double) {
    for _ in 0..<warmUp { try body() }
    let before = processCPUSeconds()
    let m = try Stopwatch.measure(name, warmUp: 0, minRuns: minRuns, minSeconds: minSeconds, maxRuns: maxRuns, body)
    return (m, (processCPUSeconds() - before) / Double(m.runs))
}

/// Peak resident memory of this process so far, in MiB (`ru_maxrss` is in KiB on Linux).
func peakResidentMiB() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

/// Anchor figures for `model`: images/s per (backend, batch), text captions/s and peak RSS per backend.
struct AnchorFigures {
    var images: [String: [Int: Double]] = [:]
    var captionsPerSecond: Double?
    var peakMiB: [String: Double] = [:]

    init(model: String) {
        for row in Anchors.tableRows(in: "encoder-cpu.md") where row["model"] == model {
            if let backend = row["backend"] {
                for batch in [1, 16, 64] {
                    if let value = Anchors.number(row["batch \(batch)"]) { images[backend, default: [:]][batch] = value }
                }
                if let peak = Anchors.number(row["peak RSS (MiB)"]) { peakMiB[backend] = peak }
            } else if let value = Anchors.number(row["captions/s"]) {
                captionsPerSecond = value
            }
        }
    }

    /// The faster backend at `batch`: name and images/s.
    func fastest(batch: Int) -> (String, Double)? {
        images.compactMap { backend, rates in rates[batch].map { (backend, $0) } }.max { $0.1 < $1.1 }
    }
}

func format(_ value: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", value) }

func runModel(_ name: String, json: String, arguments: Arguments) throws {
    let options = ComputeOptions(threads: arguments.threads, strategy: arguments.strategy, itemsPerChunk: arguments.chunk)
    let config = try JSONDecoder().decode(CLIPConfig.self, from: Data(json.utf8))
    let start = Date()
    let weights = SyntheticWeights(layout: try CLIPModel.tensorLayout(for: config), seed: 2024)
    let model = try CLIPModel(config: config, weights: weights)
    let buildSeconds = Date().timeIntervalSince(start)
    let anchors = AnchorFigures(model: name)
    print("## \(name)  (build \(format(buildSeconds, 1)) s, threads \(options.threads), strategy \(options.strategy), chunk \(options.itemsPerChunk.map(String.init) ?? "auto"))")
    print("")
    print("| input | batch | median s | min s | items/s | best anchor | ratio | others | CPU s/item | items/s at \(options.threads) free cores |")
    print("|---|---:|---:|---:|---:|---|---:|---:|---:|---:|")

    let size = config.vision.imageSize
    let largest = arguments.batches.max() ?? 1
    var generator = SystemRandomNumberGenerator()
    let pixels = (0..<(largest * 3 * size * size)).map { _ in Float.random(in: -1.8...2.1, using: &generator) }
    for batch in arguments.batches {
        let input = Array(pixels.prefix(batch * 3 * size * size))
        let (m, cpu) = try measure("image b=\(batch)", warmUp: batch >= 32 ? 1 : 2, minRuns: batch >= 32 ? 3 : 5,
                                   minSeconds: batch == 1 ? 3 : 6, maxRuns: 30) {
            _ = try model.encodeImages(input, count: batch, options: options)
        }
        let rate = Double(batch) / (m.medianMilliseconds / 1000)
        let anchor = anchors.fastest(batch: batch)
        print("| images | \(batch) | \(format(m.medianMilliseconds / 1000, 4)) | \(format(m.minimumMilliseconds / 1000, 4)) | \(format(rate)) | "
              + "\(anchor.map { "\($0.0) \(format($0.1))" } ?? "–") | \(anchor.map { format(rate / $0.1) + "×" } ?? "–") | \(format(m.otherCores)) | "
              + "\(format(cpu / Double(batch), 4)) | \(format(Double(options.threads) * Double(batch) / cpu)) |")
    }

    if arguments.text {
        try measureText(model, config: config, options: options, anchors: anchors)
    }
    let peak = peakResidentMiB()
    let peakAnchors = anchors.peakMiB.sorted { $0.key < $1.key }.map { "\($0.key) \(format($0.value, 0)) MiB (\(format(peak / $0.value))×)" }
    print("")
    print("peak RSS: \(format(peak, 0)) MiB (model build + all runs); anchors: \(peakAnchors.joined(separator: ", "))")
    print("")
}

func measureText(_ model: CLIPModel, config: CLIPConfig, options: ComputeOptions, anchors: AnchorFigures) throws {
    let context = config.text.contextLength
    let captions = benchmarkCaptionTokens.map { ids in Array((ids + [Int](repeating: 0, count: context)).prefix(context)) }
    let (m, cpu) = try measure("text b=\(captions.count)", warmUp: 2, minRuns: 5, minSeconds: 4, maxRuns: 40) {
        _ = try model.encodeText(captions, options: options)
    }
    let rate = Double(captions.count) / (m.medianMilliseconds / 1000)
    print("| captions | \(captions.count) | \(format(m.medianMilliseconds / 1000, 4)) | \(format(m.minimumMilliseconds / 1000, 4)) | \(format(rate)) | "
          + "\(anchors.captionsPerSecond.map { "torch \(format($0))" } ?? "–") | \(anchors.captionsPerSecond.map { format(rate / $0) + "×" } ?? "–") | \(format(m.otherCores)) | "
          + "\(format(cpu / Double(captions.count), 4)) | \(format(Double(options.threads) * Double(captions.count) / cpu)) |")
}

let arguments = Arguments(Array(CommandLine.arguments.dropFirst()))
if CommandLine.arguments.contains("--convolutions") {
    KernelTimings.convolutions()
    exit(0)
}
if CommandLine.arguments.contains("--kernels") {
    KernelTimings.run()
    exit(0)
}
let selected = arguments.models.isEmpty ? modelConfigs.map(\.name) : arguments.models
if arguments.child || selected.count == 1 {
    for name in selected {
        guard let entry = modelConfigs.first(where: { $0.name == name }) else {
            FileHandle.standardError.write(Data("unknown model \(name); known: \(modelConfigs.map(\.name))\n".utf8))
            exit(2)
        }
        try runModel(entry.name, json: entry.json, arguments: arguments)
    }
} else {
    print("# Native CLIP encoders vs ../shared/anchors/encoder-cpu.md (BLAS: \(BLAS.threadCount) threads available)")
    print("")
    fflush(nil)  // all C streams: the header must precede the children's output
    for name in selected {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        process.arguments = arguments.childArguments(for: name)
        try process.run()
        process.waitUntilExit()
        if process.terminationStatus != 0 { exit(process.terminationStatus) }
    }
}
