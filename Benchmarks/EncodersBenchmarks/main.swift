// The Encoders layer around the towers: what preprocessing, batching and the embedding cache add,
// and the control encoders' speed. Release build:
//
//   swift run -c release --scratch-path .build-release EncodersBenchmarks            # ViT-B-32
//   swift run -c release --scratch-path .build-release EncodersBenchmarks RN50 ViT-B-16
//
// A full-size model with random weights (`SyntheticWeights`, nothing downloaded) embeds 16 real
// photographs (Images/, decoded once, 300–600 px on a side): through `CLIPEncoder` (preprocessing
// on all threads, then the tower), and through the tower alone on the same preprocessed tensors.
// The images/s of the whole pipeline are compared with ../shared/anchors/encoder-cpu.md (PyTorch and
// onnxruntime, tower only, random 224×224 tensors, batch 16). Then the cache: 16 misses (hash,
// embed, write) and 16 hits (hash, read, verify). `others` is the CPU load of other processes.
import BenchmarkSupport
import CLIP
import Encoders
import Foundation
import Imaging
import Tensors

func format(_ value: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", value) }

func anchorsAtBatch16(_ model: String) -> [(String, Double)] {
    Anchors.tableRows(in: "encoder-cpu.md").compactMap { row in
        guard row["model"] == model, let backend = row["backend"], let value = Anchors.number(row["batch 16"]) else { return nil }
        return (backend, value)
    }
}

func photographs(count: Int) throws -> [ImageInput] {
    let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Images").standardized
    let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        .filter { ($0.hasSuffix(".png") || $0.hasSuffix(".jpg")) && !$0.hasPrefix("synthetic") }.sorted()
    let images = try files.map { ImageInput(try ImageDecoder.decodeFile(atPath: folder.appendingPathComponent($0).path).image, name: $0) }
    return (0..<count).map { images[$0 % images.count] }
}

func row(_ label: String, _ m: Stopwatch.Measurement, items: Int, anchors: [(String, Double)] = []) {
    let rate = Double(items) / (m.medianMilliseconds / 1000)
    let best = anchors.max { $0.1 < $1.1 }
    print("| \(label) | \(format(m.medianMilliseconds, 1)) | \(format(m.minimumMilliseconds, 1)) | \(format(rate, 1)) | "
          + (best.map { "\($0.0) \(format($0.1))" } ?? "–") + " | " + (best.map { format(rate / $0.1) + "×" } ?? "–")
          + " | \(format(m.otherCores)) |")
}

let arguments = Array(CommandLine.arguments.dropFirst())
let models = arguments.isEmpty ? ["ViT-B-32"] : arguments
let inputs = try photographs(count: 16)
print("# Encoders layer: pipeline, cache and controls (\(Parallel.processorCount) processors)")
print("")
print("Inputs: 16 photographs from Images/ (\(Set(inputs.map { "\($0.image.width)×\($0.image.height)" }).sorted().joined(separator: ", "))).")
for name in models {
    guard let config = CLIPConfig.named(name) else { print("unknown model \(name)"); continue }
    let model = try CLIPModel(config: config, weights: SyntheticWeights(layout: CLIPModel.tensorLayout(for: config)))
    let encoder = try CLIPEncoder(model: model, preprocess: PreprocessConfig(imageSize: config.vision.imageSize), name: name,
                                  sha256: String(repeating: "0", count: 64))
    let tensors = try inputs.flatMap { try encoder.preprocess($0.image).tensor }
    let anchors = anchorsAtBatch16(name)
    print("")
    print("## \(name), batch 16 (encoder batch size \(encoder.batchSize))")
    print("")
    print("| what | median ms | min ms | images/s | best anchor (tower only) | ratio | others |")
    print("|---|---:|---:|---:|---|---:|---:|")
    let tower = Stopwatch.measure("tower", warmUp: 1, minRuns: 5, minSeconds: 4) { _ = try? model.encodeImages(tensors, count: 16) }
    row("tower alone (preprocessed tensors)", tower, items: 16, anchors: anchors)
    let pipeline = Stopwatch.measure("pipeline", warmUp: 1, minRuns: 5, minSeconds: 4) { _ = try? encoder.encodeImages(inputs, progress: nil) }
    row("CLIPEncoder (preprocess + tower)", pipeline, items: 16, anchors: anchors)
    let preprocessing = Stopwatch.measure("preprocess", warmUp: 1, minRuns: 5) { for input in inputs { _ = try? encoder.preprocess(input.image) } }
    row("preprocessing alone, 1 thread", preprocessing, items: 16)
    print("")
    print("pipeline overhead over the tower: \(format(100 * (pipeline.medianMilliseconds / tower.medianMilliseconds - 1), 1)) %")

    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("auglab-cache-bench-\(ProcessInfo.processInfo.processIdentifier)").path
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let cached = CachedImageEncoder(encoder, cache: EmbeddingCache(directory: folder))
    print("")
    print("| cache | median ms | min ms | images/s | | | others |")
    print("|---|---:|---:|---:|---|---:|---:|")
    let misses = Stopwatch.measure("misses", warmUp: 0, minRuns: 3, minSeconds: 2) {
        try? FileManager.default.removeItem(atPath: folder)
        _ = try? cached.encodeImagesCounting(inputs, progress: nil)
    }
    row("16 misses (hash, embed, write)", misses, items: 16)
    _ = try cached.encodeImages(inputs, progress: nil)
    let hits = Stopwatch.measure("hits", warmUp: 1, minRuns: 10) { _ = try? cached.encodeImagesCounting(inputs, progress: nil) }
    row("16 hits (hash, read, verify)", hits, items: 16)
}

print("")
print("## Control encoders, 16 photographs")
print("")
print("| control | median ms | min ms | images/s | | | others |")
print("|---|---:|---:|---:|---|---:|---:|")
for kind in ControlEncoder.Kind.allCases {
    let encoder = ControlEncoder(kind)
    let m = Stopwatch.measure(kind.rawValue, warmUp: 1, minRuns: 5) { _ = try? encoder.encodeImages(inputs, progress: nil) }
    row(kind.rawValue, m, items: 16)
}
