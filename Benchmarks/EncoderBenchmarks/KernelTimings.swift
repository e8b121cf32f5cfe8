import BenchmarkSupport
import Foundation
import Tensors

/// Times the element-wise kernels and the GEMM shapes the towers use (`EncoderBenchmarks --kernels`).
enum KernelTimings {
    /// Winograd against im2col + GEMM on the RN50 3×3 layers, 8 images, one thread (min of runs).
    static func convolutions() {
        BLAS.setThreadCount(1)
        print("| 3×3 layer (8 images) | im2col ms | F(2×2) ms | F(4×4) ms | best speed-up |")
        print("|---|---:|---:|---:|---:|")
        for (c, o, size) in [(32, 32, 112), (32, 64, 112), (64, 64, 56), (128, 128, 56), (128, 128, 28), (256, 256, 28),
                             (256, 256, 14), (512, 512, 14), (512, 512, 7)] {
            let shape = ConvolutionShape(inChannels: c, outChannels: o, kernel: 3, padding: 1)
            let w = (0..<(o * shape.reduction)).map { Float($0 % 17) / 17 - 0.5 }
            let x = (0..<(8 * size * size * c)).map { Float($0 % 13) / 13 - 0.5 }
            var out = [Float](repeating: 0, count: 8 * size * size * o)
            let scratch = ScratchBuffer()
            var times: [Double] = []
            for algorithm in [ConvolutionWeights.Algorithm.gemm, .winograd(.f2), .winograd(.f4)] {
                let weights = ConvolutionWeights(pytorch: w, shape: shape, algorithm: algorithm)
                let m = Stopwatch.measure("\(algorithm)", warmUp: 1, minRuns: 5, minSeconds: 1) {
                    x.withUnsafeBufferPointer { xp in out.withUnsafeMutableBufferPointer { op in
                        Convolution.forward(xp.baseAddress!, batch: 8, height: size, width: size, weights: weights,
                                            into: op.baseAddress!, scratch: scratch)
                    } }
                }
                times.append(m.minimumMilliseconds)
            }
            print("| \(c)→\(o) @\(size) | \(String(format: "%.2f", times[0])) | \(String(format: "%.2f", times[1])) | "
                  + "\(String(format: "%.2f", times[2])) | \(String(format: "%.2f", times[0] / min(times[1], times[2])))× |")
        }
    }

    static func run() {
        print("| kernel | size | median ms | throughput | others |")
        print("|---|---|---:|---:|---:|")
        let count = 4 << 20
        var x = (0..<count).map { Float($0 % 1000) / 250 - 2 }
        for (name, activation) in [("GELU (erf)", MLPActivation.gelu), ("QuickGELU", .quickGELU)] {
            let m = Stopwatch.measure(name) {
                x.withUnsafeMutableBufferPointer { Elementwise.apply(activation, to: $0.baseAddress!, count: count) }
            }
            report(name, "\(count)", m, "\(String(format: "%.2f", m.medianMilliseconds * 1e6 / Double(count))) ns/value")
        }
        let width = 768, rows = count / width
        let gamma = [Float](repeating: 1, count: width), beta = [Float](repeating: 0, count: width)
        var out = [Float](repeating: 0, count: rows * width)
        let ln = Stopwatch.measure("layer norm") {
            x.withUnsafeBufferPointer { xp in out.withUnsafeMutableBufferPointer { op in
                Normalization.layerNorm(xp.baseAddress!, rows: rows, width: width, weight: gamma, bias: beta, into: op.baseAddress!)
            } }
        }
        report("layer norm", "\(rows)×\(width)", ln, "\(String(format: "%.2f", ln.medianMilliseconds * 1e6 / Double(rows * width))) ns/value")
        let columns = 197
        let sm = Stopwatch.measure("softmax") {
            x.withUnsafeMutableBufferPointer { Normalization.softmaxRows($0.baseAddress!, rows: count / columns, columns: columns) }
        }
        report("softmax rows", "\(count / columns)×\(columns)", sm, "\(String(format: "%.2f", sm.medianMilliseconds * 1e6 / Double(count))) ns/value")

        for threads in [1, 2] {
            BLAS.setThreadCount(threads)
            for (name, m, n, k) in [("ViT-B/32 qkv b4", 200, 2304, 768), ("ViT-B/32 qkv b8", 400, 2304, 768),
                                    ("ViT-B/32 qkv b16", 800, 2304, 768), ("ViT-B/32 fc1 b16", 800, 3072, 768),
                                    ("ViT-B/16 fc1 b8", 1576, 3072, 768), ("ViT-B/32 qkv b1", 50, 2304, 768),
                                    ("text fc1 (64 captions)", 1107, 2048, 512), ("RN50 l1 3×3 im2col", 12544, 64, 576),
                                    ("RN50 l1 1×1 expand", 12544, 256, 64), ("RN50 l3 3×3", 784, 256, 2304)] {
                let a = [Float](repeating: 0.5, count: m * k), b = [Float](repeating: 0.25, count: n * k)
                var c = [Float](repeating: 0, count: m * n)
                let g = Stopwatch.measure(name) {
                    a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
                        BLAS.sgemm(m: m, n: n, k: k, a: ap.baseAddress!, b: bp.baseAddress!, transposeB: true, c: cp.baseAddress!)
                    } } }
                }
                let gflops = 2 * Double(m * n * k) / (g.medianMilliseconds / 1000) / 1e9
                report("sgemm \(threads)T \(name)", "\(m)×\(n)×\(k)", g, "\(String(format: "%.0f", gflops)) GFLOP/s")
            }
        }
        // Two single-threaded products at once from two threads: do concurrent callers scale?
        BLAS.setThreadCount(1)
        let (m, n, k) = (400, 2304, 768)
        let a = [Float](repeating: 0.5, count: m * k), b = [Float](repeating: 0.25, count: n * k)
        let g = Stopwatch.measure("concurrent") {
            Parallel.forEach(items: 2, workers: 2, setUp: { _ in [Float](repeating: 0, count: m * n) }) { c, _ in
                var c = c
                a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
                    BLAS.sgemm(m: m, n: n, k: k, a: ap.baseAddress!, b: bp.baseAddress!, transposeB: true, c: cp.baseAddress!)
                } } }
            }
        }
        let gflops = 2 * 2 * Double(m * n * k) / (g.medianMilliseconds / 1000) / 1e9
        report("2 concurrent 1T sgemm", "2 × \(m)×\(n)×\(k)", g, "\(String(format: "%.0f", gflops)) GFLOP/s")
    }

    private static func report(_ name: String, _ size: String, _ m: Stopwatch.Measurement, _ throughput: String) {
        print("| \(name) | \(size) | \(String(format: "%.3f", m.medianMilliseconds)) | \(throughput) | \(String(format: "%.2f", m.otherCores)) |")
    }
}
