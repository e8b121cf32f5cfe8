// Release benchmark of the CLIP tokenizer, preprocessing and the Pillow-exact resize.
//
//   python3 scripts/reference/preprocess_speed_anchor.py /tmp/anchor.json     # open_clip / Pillow, same work
//   swift run -c release --scratch-path .build-release PreprocessBenchmark /tmp/anchor.json
//
// Prints median/min per operation and, given the anchor JSON, the speed ratio (anchor median ÷ ours;
// > 1 means AugLab is faster). Every figure records the load other processes put on the machine.
import BenchmarkSupport
import CLIP
import Foundation
import Imaging

let adjectives = ["small", "large", "red", "blue", "shiny", "old", "wooden", "striped", "blurry", "bright", "dark",
                  "tiny", "fluffy", "rusty", "modern"]
let nouns = ["dog", "cat", "car", "bicycle", "teapot", "astronaut", "rocket", "coffee cup", "camera", "tree",
             "building", "bird", "horse", "boat", "guitar", "lamp", "clock"]
let places = ["on the grass", "in a city street at night", "next to a window", "under a bridge", "in the snow",
              "on a wooden table", "in front of a mountain", "at the beach", "inside a museum", "near a lake"]

/// The same 1000 captions as the Python anchor.
func captions(_ count: Int = 1000) -> [String] {
    (0..<count).map { i in
        "a photo of a \(adjectives[i % adjectives.count]) \(nouns[(i * 7) % nouns.count]) \(places[(i * 13) % places.count]), number \(i)."
    }
}

/// The same synthetic image as the Python anchor (gradients and an XOR pattern).
func image(_ width: Int, _ height: Int) -> RGBImage {
    var pixels = [UInt8](repeating: 0, count: width * height * 3)
    for y in 0..<height {
        for x in 0..<width {
            let i = (y * width + x) * 3
            pixels[i] = UInt8(x * 255 / max(width - 1, 1))
            pixels[i + 1] = UInt8(y * 255 / max(height - 1, 1))
            pixels[i + 2] = UInt8((x ^ y) & 255)
        }
    }
    return RGBImage(width: width, height: height, pixels: pixels)
}

func anchors() -> [String: Double] {
    guard CommandLine.arguments.count > 1,
          let data = FileManager.default.contents(atPath: CommandLine.arguments[1]),
          let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
          let results = json["results"] as? [String: [String: Any]] else { return [:] }
    return results.compactMapValues { $0["median_ms"] as? Double }
}

let anchor = anchors()
var sink = 0

func report(_ name: String, _ m: Stopwatch.Measurement) {
    var line = name.padding(toLength: 28, withPad: " ", startingAt: 0)
    line += String(format: " median %9.3f ms  min %9.3f ms  (%d runs, others %.2f cores)",
                   m.medianMilliseconds, m.minimumMilliseconds, m.runs, m.otherCores)
    if let reference = anchor[name] {
        line += String(format: "  anchor %9.3f ms  ratio %.2fx", reference, reference / m.medianMilliseconds)
    }
    print(line)
}

do {
    guard let vocabularyURL = BPEVocabulary.bundledFileURL else { throw CLIPError(.io, "bundled vocabulary missing") }
    report("tokenizer.load", try Stopwatch.measure("tokenizer.load", warmUp: 1, minRuns: 3, minSeconds: 0) {
        // A fresh gunzip and parse every run (BPEVocabulary.bundled() reads it once per process).
        sink &+= try BPEVocabulary(contentsOf: vocabularyURL.path).count
    })
    let vocabulary = try BPEVocabulary.bundled()
    let texts = captions()
    report("tokenizer.1000.cold", try Stopwatch.measure("tokenizer.1000.cold", minRuns: 5) {
        let tokenizer = try CLIPTokenizer(vocabulary: vocabulary)
        sink &+= tokenizer.tokenize(texts).count
    })
    let warm = try CLIPTokenizer(vocabulary: vocabulary)
    report("tokenizer.1000.warm", Stopwatch.measure("tokenizer.1000.warm", minRuns: 5) {
        sink &+= warm.tokenize(texts).count
    })

    let preprocessor = try CLIPPreprocessor(PreprocessConfig(imageSize: 224))
    for (w, h) in [(640, 480), (1024, 1024), (2048, 1536)] {
        let source = image(w, h)
        let name = "preprocess.\(w)x\(h)"
        report(name, try Stopwatch.measure(name) { sink &+= try preprocessor(source).tensor.count })
    }
    let big = image(1024, 1024)
    report("resize.1024to224.bicubic", try Stopwatch.measure("resize.1024to224.bicubic") {
        sink &+= try big.resized(width: 224, height: 224, filter: .bicubic).width
    })
    let small = image(512, 512)
    report("resize.512to1024.bicubic", try Stopwatch.measure("resize.512to1024.bicubic") {
        sink &+= try small.resized(width: 1024, height: 1024, filter: .bicubic).width
    })
    print("(checksum \(sink))")
} catch {
    print("benchmark failed: \(error)")
    exit(1)
}
