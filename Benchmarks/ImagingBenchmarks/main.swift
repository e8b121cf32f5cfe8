// Release benchmark of the image operations, printed as ratios to the anchors measured on this
// machine (../shared/anchors/image-ops.md). Run:
//   swift run -c release --scratch-path .build-release ImagingBenchmarks [--quick] [--small] [--side N] [--best-of N] [--only NAME]
// (--quick: 1024 only, fewer runs; --small: 256×256 only, to separate compute from cache effects;
//  --side N: one N×N size; --best-of N: keep the best of N measurements of each row)
// Everything here runs on one thread. Ratios are our median / the anchor's median (< 1 = faster).
import BenchmarkSupport
import Foundation
import Imaging

let arguments = CommandLine.arguments
let quick = arguments.contains("--quick")
let only: String? = arguments.firstIndex(of: "--only").flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }
let bestOf = arguments.firstIndex(of: "--best-of").flatMap { $0 + 1 < arguments.count ? Int(arguments[$0 + 1]) : nil } ?? 1
let anchors = Anchors.tableRows(in: "image-ops.md")
if anchors.isEmpty { print("warning: no anchors found (set AUGLAB_SHARED); printing times only") }

/// A deterministic test picture: smooth colour gradients plus fine texture (content hardly
/// matters for these operations; noise and blur cost the same on any image).
func testImage(side: Int) -> RGBImage {
    var pixels = [UInt8](repeating: 0, count: side * side * 3)
    var state: UInt32 = 12345
    for y in 0..<side {
        for x in 0..<side {
            state = state &* 1_664_525 &+ 1_013_904_223
            let texture = Int(state >> 28) - 8
            let i = (y * side + x) * 3
            let fx = Double(x) / Double(side), fy = Double(y) / Double(side)
            pixels[i] = UInt8(clamping: Int(128 + 100 * sin(fx * 12) * cos(fy * 7)) + texture)
            pixels[i + 1] = UInt8(clamping: Int(255 * fx * fy) + texture)
            pixels[i + 2] = UInt8(clamping: Int(60 + 150 * fy) - texture)
        }
    }
    return RGBImage(width: side, height: side, pixels: pixels)
}

struct AnchorRef {
    var op: String
    var library: String
    var label: String
}

func anchorMedian(_ ref: AnchorRef, size: Int) -> Double? {
    let row = anchors.first {
        $0["op"] == ref.op && $0["size"] == String(size) && $0["library / call"] == ref.library && $0["threads"] == "1"
    }
    return Anchors.number(row?["median ms"])
}

/// This process's user+system CPU seconds so far.
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
}

func report(_ name: String, size: Int, _ measurement: Stopwatch.Measurement, cpuMilliseconds: Double, _ refs: [AnchorRef]) {
    let megapixels = Double(size * size) / 1e6
    var line = String(format: "%-34@ %5d  median %9.3f ms  min %9.3f ms  cpu/run %9.3f ms  %7.1f MP/s  others %.2f",
                      name as NSString, size, measurement.medianMilliseconds, measurement.minimumMilliseconds,
                      cpuMilliseconds, megapixels / (measurement.medianMilliseconds / 1000), measurement.otherCores)
    for ref in refs {
        if let anchor = anchorMedian(ref, size: size) {
            line += String(format: " | %.2fx %@ (%.3f ms)", measurement.medianMilliseconds / anchor, ref.label as NSString, anchor)
        } else {
            line += " | \(ref.label): no anchor at \(size)"
        }
    }
    print(line)
}

func bench(_ name: String, size: Int, refs: [AnchorRef] = [], _ body: () throws -> Void) rethrows {
    if let only, !name.contains(only) { return }
    let big = size > 2048
    let warmUp = big ? 1 : 2
    // Best of N measurements (by median): the machine is shared and its load comes and goes.
    var best: (Stopwatch.Measurement, Double)? = nil
    for _ in 0..<bestOf {
        let cpuBefore = cpuSeconds()
        let m = try Stopwatch.measure(name, warmUp: warmUp, minRuns: quick ? 3 : (big ? 5 : 9),
                                      minSeconds: quick ? 0.2 : (big ? 1.0 : 0.8), maxRuns: 60, body)
        // CPU time per call (warm-up included): less moved by other processes than wall time.
        let cpu = (cpuSeconds() - cpuBefore) * 1000 / Double(m.runs + warmUp)
        if best == nil || m.medianMilliseconds < best!.0.medianMilliseconds { best = (m, cpu) }
    }
    if let (m, cpu) = best { report(name, size: size, m, cpuMilliseconds: cpu, refs) }
}

let blurRefs: (Int) -> [AnchorRef] = { sigma in
    let k = 2 * Int(4 * Double(sigma) + 0.5) + 1
    return [
        AnchorRef(op: "gaussian blur sigma=\(sigma)", library: "OpenCV GaussianBlur f32 k=\(k) (4 sigma)", label: "OpenCV f32"),
        AnchorRef(op: "gaussian blur sigma=\(sigma)", library: "OpenCV GaussianBlur u8 k=\(k) (4 sigma)", label: "OpenCV u8"),
        AnchorRef(op: "gaussian blur sigma=\(sigma)", library: "scipy gaussian_filter f32, truncate=4 (k=\(k))", label: "scipy f32"),
    ]
}
let rotateRefs = [
    AnchorRef(op: "rotate 37 bilinear", library: "OpenCV warpAffine INTER_LINEAR float32", label: "OpenCV f32"),
    AnchorRef(op: "rotate 37 bilinear", library: "OpenCV warpAffine INTER_LINEAR", label: "OpenCV u8"),
    AnchorRef(op: "rotate 37 bilinear", library: "Pillow rotate(BILINEAR)", label: "Pillow u8"),
]
let noiseRefs = [
    AnchorRef(op: "add Gaussian noise sigma=10", library: "numpy: f32 RNG, add, clip, ->u8", label: "numpy"),
]

print("ImagingBenchmarks: one thread; ratio = our median / anchor median (anchors: ../shared/anchors/image-ops.md)")
let customSide = arguments.firstIndex(of: "--side").flatMap { $0 + 1 < arguments.count ? Int(arguments[$0 + 1]) : nil }
let sides = customSide.map { [$0] } ?? (arguments.contains("--small") ? [256] : (quick ? [1024] : [1024, 4096]))
for side in sides {
    let rgb = testImage(side: side)
    let image = FloatImage(rgb)
    var sink: Float = 0
    func keep(_ out: FloatImage) { sink += out.pixels[out.pixels.count / 2] }

    try bench("blur sigma=2 (f32)", size: side, refs: blurRefs(2)) { keep(try GaussianBlur(sigma: .sourcePixels(2)).apply(to: image)) }
    try bench("blur sigma=8 (f32)", size: side, refs: blurRefs(8)) { keep(try GaussianBlur(sigma: .sourcePixels(8)).apply(to: image)) }
    try bench("rotate 37 bilinear (f32)", size: side, refs: rotateRefs) { keep(try Rotation(degrees: 37).apply(to: image)) }
    try bench("rotate 37 nearest (f32)", size: side) { keep(try Rotation(degrees: 37, interpolation: .nearest).apply(to: image)) }
    try bench("rotate 37 bicubic (f32)", size: side) { keep(try Rotation(degrees: 37, interpolation: .bicubic).apply(to: image)) }
    try bench("rotate 37 bilinear circular mask", size: side) {
        keep(try Rotation(degrees: 37, crop: .circularMask).apply(to: image))
    }
    try bench("gaussian noise sigma=10/255 (f32)", size: side, refs: noiseRefs) {
        keep(try GaussianNoise(sigma: 10.0 / 255, seed: 7).apply(to: image))
    }
    try bench("gaussian noise u8->f32->noise->u8", size: side, refs: noiseRefs) {
        let out = try GaussianNoise(sigma: 10.0 / 255, seed: 7).apply(to: FloatImage(rgb)).quantized()
        sink += Float(out.pixels[out.pixels.count / 2])
    }
    try bench("uniform noise blend alpha=0.3 (f32)", size: side) { keep(try UniformNoiseBlend(alpha: 0.3, seed: 7).apply(to: image)) }
    try bench("shift (0.1, -0.05) bilinear (f32)", size: side) { keep(try Shift(x: 0.1037, y: -0.0513).apply(to: image)) }
    try bench("zoom 1.3 bilinear (f32)", size: side) { keep(try Zoom(factor: 1.3).apply(to: image)) }
    try bench("brightness 1.3 (f32)", size: side) { keep(try Brightness(factor: 1.3).apply(to: image)) }
    try bench("contrast 0.7 (f32)", size: side) { keep(try Contrast(factor: 0.7).apply(to: image)) }
    bench("u8 -> f32 conversion", size: side) { keep(FloatImage(rgb)) }
    bench("f32 -> u8 quantize", size: side) {
        let out = image.quantized()
        sink += Float(out.pixels[out.pixels.count / 2])
    }
    if sink.isNaN { print("unexpected NaN") }
}
