import Foundation
import Testing
@testable import Tensors

/// Every kernel against a naive double-precision loop, on small odd sizes that exercise vector tails.
@Suite struct KernelTests {
    @Test func stridedProductMatchesNaiveLoop() {
        var rng = TestValues(seed: 1)
        let (m, n, k) = (5, 7, 11)
        let (lda, ldb, ldc) = (13, 9, 10)  // padded rows: only the first k / n / n columns are used
        let a = rng.array(m * lda), b = rng.array(k * ldb)
        var c = [Float](repeating: 42, count: m * ldc)
        a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
            BLAS.sgemm(m: m, n: n, k: k, alpha: 0.5, a: ap.baseAddress!, lda: lda, b: bp.baseAddress!, ldb: ldb,
                       beta: 1, c: cp.baseAddress!, ldc: ldc)
        } } }
        for i in 0..<m {
            for j in 0..<ldc {
                guard j < n else { #expect(c[i * ldc + j] == 42); continue }
                var sum = 0.0
                for t in 0..<k { sum += Double(a[i * lda + t]) * Double(b[t * ldb + j]) }
                #expect(abs(Double(c[i * ldc + j]) - (42 + 0.5 * sum)) < 1e-4)
            }
        }
    }

    @Test func layerNormMatchesDefinitionWithStrides() {
        var rng = TestValues(seed: 2)
        let (rows, width, stride) = (5, 13, 17)
        let x = rng.array(rows * stride, -3, 5), weight = rng.array(width, 0.5, 1.5), bias = rng.array(width)
        var out = [Float](repeating: 0, count: rows * width)
        x.withUnsafeBufferPointer { xp in weight.withUnsafeBufferPointer { wp in bias.withUnsafeBufferPointer { bp in
            out.withUnsafeMutableBufferPointer { op in
                Normalization.layerNorm(xp.baseAddress!, rows: rows, width: width, stride: stride,
                                        weight: wp.baseAddress!, bias: bp.baseAddress!, into: op.baseAddress!)
            }
        } } }
        var reference = [Double]()
        for r in 0..<rows {
            let row = (0..<width).map { Double(x[r * stride + $0]) }
            let mean = row.reduce(0, +) / Double(width)
            let variance = row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(width)
            for c in 0..<width {
                reference.append((row[c] - mean) / (variance + 1e-5).squareRoot() * Double(weight[c]) + Double(bias[c]))
            }
        }
        #expect(maxAbsDifference(out, reference) < 2e-6)
    }

    @Test func softmaxRowsMatchDefinitionAndMaskHiddenKeys() {
        var rng = TestValues(seed: 3)
        let (rows, columns) = (4, 11)
        var x = rng.array(rows * columns, -30, 30)
        let original = x
        x.withUnsafeMutableBufferPointer { p in
            Normalization.softmaxRows(p.baseAddress!, rows: rows, columns: columns) { $0 * 3 + 1 }
        }
        for r in 0..<rows {
            let valid = min(columns, r * 3 + 1)
            let row = (0..<valid).map { Double(original[r * columns + $0]) }
            let maximum = row.max()!
            let total = row.map { Foundation.exp($0 - maximum) }.reduce(0, +)
            for c in 0..<columns {
                let expected = c < valid ? Foundation.exp(row[c] - maximum) / total : 0
                #expect(abs(Double(x[r * columns + c]) - expected) < 1e-6)
            }
        }
    }

    /// Direct convolution of an NHWC batch with PyTorch-layout weights, in double precision.
    private func naiveConvolution(_ x: [Float], batch: Int, height: Int, width: Int, weights: [Float],
                                  shape: ConvolutionShape) -> [Double] {
        let oh = shape.outputSize(height), ow = shape.outputSize(width), k = shape.kernel
        var out = [Double](repeating: 0, count: batch * oh * ow * shape.outChannels)
        for n in 0..<batch { for oy in 0..<oh { for ox in 0..<ow { for o in 0..<shape.outChannels {
            var sum = 0.0
            for c in 0..<shape.inChannels { for ky in 0..<k { for kx in 0..<k {
                let iy = oy * shape.stride - shape.padding + ky, ix = ox * shape.stride - shape.padding + kx
                guard iy >= 0, iy < height, ix >= 0, ix < width else { continue }
                let w = weights[((o * shape.inChannels + c) * k + ky) * k + kx]
                sum += Double(w) * Double(x[((n * height + iy) * width + ix) * shape.inChannels + c])
            } } }
            out[((n * oh + oy) * ow + ox) * shape.outChannels + o] = sum
        } } } }
        return out
    }

    @Test(arguments: [
        ConvolutionShape(inChannels: 3, outChannels: 5, kernel: 3, stride: 2, padding: 1),
        ConvolutionShape(inChannels: 6, outChannels: 9, kernel: 3, stride: 1, padding: 1),
        ConvolutionShape(inChannels: 7, outChannels: 4, kernel: 1),
        ConvolutionShape(inChannels: 3, outChannels: 6, kernel: 4, stride: 4),
        ConvolutionShape(inChannels: 2, outChannels: 3, kernel: 5, stride: 3, padding: 2),
    ])
    func convolutionMatchesDirectLoop(shape: ConvolutionShape) {
        var rng = TestValues(seed: 4)
        let (batch, height, width) = (2, 9, 7)
        let x = rng.array(batch * height * width * shape.inChannels)
        let w = rng.array(shape.outChannels * shape.reduction)
        let weights = ConvolutionWeights(pytorch: w, shape: shape, algorithm: .gemm)
        #expect(weights.algorithm == .gemm)
        let count = batch * shape.outputSize(height) * shape.outputSize(width) * shape.outChannels
        let reference = naiveConvolution(x, batch: batch, height: height, width: width, weights: w, shape: shape)
        // Whole product at once, and split into blocks of one and of three output pixels.
        for blockFloats in [Convolution.im2colBlockFloats, 1, 3 * shape.reduction] {
            var out = [Float](repeating: .nan, count: count)
            x.withUnsafeBufferPointer { xp in out.withUnsafeMutableBufferPointer { op in
                Convolution.forward(xp.baseAddress!, batch: batch, height: height, width: width, weights: weights,
                                    into: op.baseAddress!, scratch: ScratchBuffer(), blockFloats: blockFloats)
            } }
            #expect(maxAbsDifference(out, reference) < 1e-5, "\(shape), block \(blockFloats)")
        }
    }

    /// Winograd F(2×2, 3×3) against the direct loop: odd and even sizes (partial edge tiles), channel
    /// counts with and without a vector tail, and more tiles than one round.
    @Test(arguments: [(2, 9, 7, 6, 9), (1, 8, 8, 16, 8), (3, 5, 3, 3, 2), (1, 1, 1, 4, 5), (2, 33, 35, 8, 3), (1, 7, 10, 9, 17)])
    func winogradMatchesDirectLoop(batch: Int, height: Int, width: Int, inChannels: Int, outChannels: Int) {
        var rng = TestValues(seed: 12)
        let shape = ConvolutionShape(inChannels: inChannels, outChannels: outChannels, kernel: 3, padding: 1)
        let x = rng.array(batch * height * width * inChannels, -2, 2)
        let w = rng.array(outChannels * shape.reduction)
        let reference = naiveConvolution(x, batch: batch, height: height, width: width, weights: w, shape: shape)
        // Relative to the largest output. A direct float32 convolution over 9·in products is good to
        // about 1e-6 of it; F(2×2) adds little (transforms of ±1, ½), F(4×4) about ten times more
        // (entries up to 8 and down to 1/24; Lavin & Gray 2016, and the numbers in Winograd.swift).
        let scale = reference.reduce(0) { max($0, abs($1)) }
        for (variant, tolerance) in [(Winograd.Variant.f2, 2e-6 * scale), (.f4, 1e-5 * scale)] {
            let weights = ConvolutionWeights(pytorch: w, shape: shape, algorithm: .winograd(variant))
            #expect(weights.algorithm == .winograd(variant))
            var out = [Float](repeating: .nan, count: batch * height * width * outChannels)
            x.withUnsafeBufferPointer { xp in out.withUnsafeMutableBufferPointer { op in
                Convolution.forward(xp.baseAddress!, batch: batch, height: height, width: width, weights: weights,
                                    into: op.baseAddress!, scratch: ScratchBuffer())
            } }
            #expect(maxAbsDifference(out, reference) <= tolerance, "\(variant)")
            #expect(!out.contains { $0.isNaN })
        }
    }

    @Test func automaticAlgorithmUsesTheLargeTileForWideLayers() {
        let thin = ConvolutionShape(inChannels: 16, outChannels: 64, kernel: 3, padding: 1)
        let wide = ConvolutionShape(inChannels: 256, outChannels: 256, kernel: 3, padding: 1)
        #expect(ConvolutionWeights.automaticAlgorithm(for: thin) == .winograd(.f2))
        #expect(ConvolutionWeights.automaticAlgorithm(for: wide) == .winograd(.f4))
        #expect(ConvolutionWeights.automaticAlgorithm(for: ConvolutionShape(inChannels: 256, outChannels: 256, kernel: 1)) == .gemm)
    }

    @Test func winogradOnlyWhereItApplies() {
        let strided = ConvolutionShape(inChannels: 3, outChannels: 4, kernel: 3, stride: 2, padding: 1)
        #expect(ConvolutionWeights(pytorch: [Float](repeating: 0, count: 108), shape: strided, algorithm: .winograd(.f4)).algorithm == .gemm)
        let pointwise = ConvolutionShape(inChannels: 3, outChannels: 4, kernel: 1)
        #expect(ConvolutionWeights(pytorch: [Float](repeating: 0, count: 12), shape: pointwise).algorithm == .gemm)
    }

    @Test func averagePoolingDropsIncompleteWindows() {
        var rng = TestValues(seed: 5)
        let (batch, height, width, channels, kernel) = (2, 7, 5, 11, 2)
        let x = rng.array(batch * height * width * channels)
        let (oh, ow) = (height / kernel, width / kernel)
        var out = [Float](repeating: .nan, count: batch * oh * ow * channels)
        x.withUnsafeBufferPointer { xp in out.withUnsafeMutableBufferPointer { op in
            Pooling.average(xp.baseAddress!, batch: batch, height: height, width: width, channels: channels,
                            kernel: kernel, into: op.baseAddress!)
        } }
        var reference = [Double]()
        for n in 0..<batch { for oy in 0..<oh { for ox in 0..<ow { for c in 0..<channels {
            var sum = 0.0
            for ky in 0..<kernel { for kx in 0..<kernel {
                sum += Double(x[((n * height + oy * kernel + ky) * width + ox * kernel + kx) * channels + c])
            } }
            reference.append(sum / Double(kernel * kernel))
        } } } }
        #expect(maxAbsDifference(out, reference) < 1e-6)
    }

    @Test func meanOverPositions() {
        var rng = TestValues(seed: 6)
        let (batch, positions, channels) = (3, 5, 9)
        let x = rng.array(batch * positions * channels)
        var out = [Float](repeating: .nan, count: batch * channels)
        x.withUnsafeBufferPointer { xp in out.withUnsafeMutableBufferPointer { op in
            Pooling.mean(xp.baseAddress!, batch: batch, positions: positions, channels: channels, into: op.baseAddress!)
        } }
        let reference = (0..<batch * channels).map { i -> Double in
            let (n, c) = (i / channels, i % channels)
            return (0..<positions).map { Double(x[(n * positions + $0) * channels + c]) }.reduce(0, +) / Double(positions)
        }
        #expect(maxAbsDifference(out, reference) < 1e-6)
    }

    @Test func layoutRoundTripAndIndexing() {
        var rng = TestValues(seed: 7)
        let (batch, channels, height, width) = (2, 3, 5, 7)
        let nchw = rng.array(batch * channels * height * width)
        var nhwc = [Float](repeating: .nan, count: nchw.count), back = nhwc
        nchw.withUnsafeBufferPointer { a in nhwc.withUnsafeMutableBufferPointer { b in
            Layout.nchwToNHWC(a.baseAddress!, batch: batch, channels: channels, height: height, width: width, into: b.baseAddress!)
        } }
        #expect(nhwc[((1 * height + 4) * width + 6) * channels + 2] == nchw[((1 * channels + 2) * height + 4) * width + 6])
        nhwc.withUnsafeBufferPointer { a in back.withUnsafeMutableBufferPointer { b in
            Layout.nhwcToNCHW(a.baseAddress!, batch: batch, channels: channels, height: height, width: width, into: b.baseAddress!)
        } }
        #expect(back == nchw)
    }

    /// Multi-head attention in double precision: `[queries, heads·d]` out of q, k, v row lists.
    private func naiveAttention(q: [[Float]], k: [[Float]], v: [[Float]], heads: Int, causal: Bool,
                                firstQueryPosition: Int) -> (out: [Double], probabilities: [Double]) {
        let d = q[0].count / heads
        var out = [Double](repeating: 0, count: q.count * heads * d)
        var probabilities = [Double]()
        for h in 0..<heads {
            for i in 0..<q.count {
                let visible = causal ? min(k.count, firstQueryPosition + i + 1) : k.count
                var scores = (0..<k.count).map { j -> Double in
                    (0..<d).map { Double(q[i][h * d + $0]) * Double(k[j][h * d + $0]) }.reduce(0, +) / Double(d).squareRoot()
                }
                let maximum = scores.prefix(visible).max()!
                let total = scores.prefix(visible).map { Foundation.exp($0 - maximum) }.reduce(0, +)
                scores = scores.enumerated().map { $0.offset < visible ? Foundation.exp($0.element - maximum) / total : 0 }
                probabilities += scores
                for t in 0..<d {
                    out[i * heads * d + h * d + t] = (0..<k.count).map { scores[$0] * Double(v[$0][h * d + t]) }.reduce(0, +)
                }
            }
        }
        return (out, probabilities)
    }

    @Test(arguments: [(false, 0, 7, 7), (true, 0, 7, 7), (true, 6, 1, 7), (true, 3, 2, 9), (false, 0, 1, 9)])
    func attentionMatchesNaiveLoop(causal: Bool, firstQueryPosition: Int, queries: Int, keys: Int) {
        var rng = TestValues(seed: 8)
        let (heads, d) = (3, 5)
        let width = heads * d
        // q, k and v interleaved in one [rows, 3·width] buffer, as an in-projection writes them.
        let rows = max(queries, keys)
        let qkv = rng.array(rows * 3 * width, -2, 2)
        let row = { (r: Int, part: Int) in Array(qkv[(r * 3 * width + part * width)..<(r * 3 * width + (part + 1) * width)]) }
        let reference = naiveAttention(q: (0..<queries).map { row($0, 0) }, k: (0..<keys).map { row($0, 1) },
                                       v: (0..<keys).map { row($0, 2) }, heads: heads, causal: causal,
                                       firstQueryPosition: firstQueryPosition)
        var out = [Float](repeating: .nan, count: queries * width)
        var probabilities = [Float](repeating: .nan, count: heads * queries * keys)
        var scores = [Float](repeating: 0, count: queries * keys)
        qkv.withUnsafeBufferPointer { p in
            let base = p.baseAddress!
            out.withUnsafeMutableBufferPointer { o in scores.withUnsafeMutableBufferPointer { s in
                probabilities.withUnsafeMutableBufferPointer { pr in
                    Attention.forward(q: MatrixView(base, stride: 3 * width), k: MatrixView(base + width, stride: 3 * width),
                                      v: MatrixView(base + 2 * width, stride: 3 * width), queries: queries, keys: keys,
                                      heads: heads, headDim: d, causal: causal, firstQueryPosition: firstQueryPosition,
                                      into: o.baseAddress!, outStride: width, scores: s.baseAddress!,
                                      probabilities: pr.baseAddress!)
                }
            } }
        }
        #expect(maxAbsDifference(out, reference.out) < 1e-5)
        // Rows are laid out [heads, queries, keys] in both.
        #expect(maxAbsDifference(probabilities, reference.probabilities) < 1e-6)
    }

    @Test func linearWithBiasAndAccumulation() {
        var rng = TestValues(seed: 9)
        let (rows, inFeatures, outFeatures) = (5, 11, 7)
        let layer = LinearWeights(inFeatures: inFeatures, outFeatures: outFeatures,
                                  weight: rng.array(inFeatures * outFeatures), bias: rng.array(outFeatures))
        let x = rng.array(rows * inFeatures)
        let start = rng.array(rows * outFeatures)
        var overwritten = start, accumulated = start
        x.withUnsafeBufferPointer { xp in
            overwritten.withUnsafeMutableBufferPointer { layer.forward(xp.baseAddress!, rows: rows, into: $0.baseAddress!) }
            accumulated.withUnsafeMutableBufferPointer {
                layer.forward(xp.baseAddress!, rows: rows, into: $0.baseAddress!, accumulate: true)
            }
        }
        var reference = [Double]()
        for r in 0..<rows { for o in 0..<outFeatures {
            var sum = Double(layer.bias![o])
            for i in 0..<inFeatures { sum += Double(x[r * inFeatures + i]) * Double(layer.weight[o * inFeatures + i]) }
            reference.append(sum)
        } }
        #expect(maxAbsDifference(overwritten, reference) < 1e-5)
        #expect(maxAbsDifference(accumulated, zip(reference, start).map { $0 + Double($1) }) < 1e-5)
    }

    @Test func foldedBatchNormWithResidualAndReLU() {
        var rng = TestValues(seed: 10)
        let (rows, channels) = (3, 13)
        let weight = rng.array(channels, 0.5, 1.5), bias = rng.array(channels)
        let mean = rng.array(channels), variance = rng.array(channels, 0.2, 2)
        let affine = ChannelAffine(batchNormWeight: weight, bias: bias, runningMean: mean, runningVariance: variance)
        let x = rng.array(rows * channels, -3, 3), residual = rng.array(rows * channels)
        for (withResidual, relu) in [(false, false), (true, true), (false, true)] {
            var out = [Float](repeating: .nan, count: x.count)
            x.withUnsafeBufferPointer { xp in residual.withUnsafeBufferPointer { rp in out.withUnsafeMutableBufferPointer { op in
                affine.scale.withUnsafeBufferPointer { s in affine.shift.withUnsafeBufferPointer { b in
                    Elementwise.channelAffine(xp.baseAddress!, rows: rows, channels: channels, scale: s.baseAddress!,
                                              shift: b.baseAddress!, residual: withResidual ? rp.baseAddress! : nil,
                                              relu: relu, into: op.baseAddress!)
                } }
            } } }
            let reference = (0..<x.count).map { i -> Double in
                let c = i % channels
                var y = (Double(x[i]) - Double(mean[c])) / (Double(variance[c]) + 1e-5).squareRoot() * Double(weight[c]) + Double(bias[c])
                if withResidual { y += Double(residual[i]) }
                return relu ? max(y, 0) : y
            }
            #expect(maxAbsDifference(out, reference) < 2e-6)
        }
    }

    @Test func parallelForEachRunsEveryItemOnce() {
        let items = 37
        let hits = UnsafeMutablePointer<Int>.allocate(capacity: items)
        hits.initialize(repeating: 0, count: items)
        defer { hits.deallocate() }
        let shared = SendablePointer(hits)
        Parallel.forEach(items: items, workers: 2, setUp: { $0 }) { worker, item in
            #expect(worker == 0 || worker == 1)
            shared.pointer[item] += 1
        }
        #expect((0..<items).allSatisfy { hits[$0] == 1 })
    }
}
