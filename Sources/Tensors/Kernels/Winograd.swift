import CTensorKernels

/// Winograd convolution for 3×3, stride-1, padding-1 layers on channel-last batches.
///
/// Each `m×m` block of outputs is computed from an `(m+2)×(m+2)` input patch: the patch and the
/// kernel are mapped into the transform domain (`V = Bᵀ d B`, `U = G g Gᵀ`), multiplied element-wise
/// there — for all channels at once that is `(m+2)²` independent matrix products `V_ξ · U_ξᵀ` — and
/// mapped back (`Y = Aᵀ M A`). Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks" (2016).
///
/// Two tile sizes. F(2×2, 3×3) needs 16 multiplications per 4 outputs (direct: 36) and its transforms
/// use only ±1 and ½: it matches a direct convolution to a few float32 roundings. F(4×4, 3×3) needs
/// 36 per 16 outputs (direct: 144); its transforms use the points 0, ±1, ±2, which costs about ten
/// times the rounding error of a direct convolution (still around 1e-6 relative; see the tests).
public enum Winograd {
    /// The output tile size.
    public enum Variant: Sendable, Equatable {
        /// F(2×2, 3×3): 4×4 transform domain.
        case f2
        /// F(4×4, 3×3): 6×6 transform domain.
        case f4

        /// Outputs per tile side.
        public var tile: Int { self == .f2 ? 2 : 4 }
        /// Input patch side (`tile + 2`).
        public var patch: Int { tile + 2 }
        /// Transform-domain positions (`patch²`): the number of matrix products.
        public var positions: Int { patch * patch }
    }

    /// Layers with at least this many input and output channels use F(4×4, 3×3) by default: there the
    /// matrix products dominate and the larger tile saves the most; thinner layers are dominated by
    /// the transforms, where F(2×2, 3×3) is cheaper (measured with `EncoderBenchmarks --convolutions`).
    public static let largeTileChannels = 32

    /// Whether `shape` can use this algorithm: 3×3 kernel, stride 1, padding 1.
    public static func supports(_ shape: ConvolutionShape) -> Bool {
        shape.kernel == 3 && shape.stride == 1 && shape.padding == 1
    }

    /// Transforms PyTorch `[out, in, 3, 3]` weights into `variant.positions` matrices `U_ξ` of
    /// `[out, in]` (`G g Gᵀ`, computed in double precision and rounded once).
    public static func transformWeights(_ weights: [Float], outChannels: Int, inChannels: Int, variant: Variant) -> [Float] {
        precondition(weights.count == outChannels * inChannels * 9, "Winograd.transformWeights: wrong count")
        let g = kernelTransform(variant)
        let p = variant.patch
        let plane = outChannels * inChannels
        var out = [Float](repeating: 0, count: variant.positions * plane)
        for o in 0..<outChannels {
            for c in 0..<inChannels {
                let base = (o * inChannels + c) * 9
                // (G k) then (G k) Gᵀ.
                var gk = [Double](repeating: 0, count: p * 3)
                for i in 0..<p {
                    for j in 0..<3 {
                        var sum = 0.0
                        for t in 0..<3 { sum += g[i * 3 + t] * Double(weights[base + t * 3 + j]) }
                        gk[i * 3 + j] = sum
                    }
                }
                for i in 0..<p {
                    for j in 0..<p {
                        var sum = 0.0
                        for t in 0..<3 { sum += gk[i * 3 + t] * g[j * 3 + t] }
                        out[(i * p + j) * plane + o * inChannels + c] = Float(sum)
                    }
                }
            }
        }
        return out
    }

    /// The kernel transform G (`patch × 3`, row-major).
    private static func kernelTransform(_ variant: Variant) -> [Double] {
        switch variant {
        case .f2:
            return [1, 0, 0,
                    0.5, 0.5, 0.5,
                    0.5, -0.5, 0.5,
                    0, 0, 1]
        case .f4:
            return [1.0 / 4, 0, 0,
                    -1.0 / 6, -1.0 / 6, -1.0 / 6,
                    -1.0 / 6, 1.0 / 6, -1.0 / 6,
                    1.0 / 24, 1.0 / 12, 1.0 / 6,
                    1.0 / 24, -1.0 / 12, 1.0 / 6,
                    0, 0, 1]
        }
    }

    /// Floats of transform-domain data per round (`positions × tiles × (in + out)`): bounds the
    /// scratch memory while keeping the products of a round large (more tiles = more rows each).
    public static let roundFloats = 1 << 23

    /// Convolves `[batch, height, width, in]` into `[batch, height, width, out]` (3×3, stride 1, padding 1, no bias).
    ///
    /// `transformed` comes from `transformWeights` with the same `variant`. `scratch` holds the
    /// transformed input and the products of one round of tiles. F(4×4) transforms run as AVX2 code
    /// where available (`implementation`). An `epilogue` is applied as each output is written.
    public static func forward(
        _ x: UnsafePointer<Float>, batch: Int, height: Int, width: Int, inChannels: Int, outChannels: Int,
        variant: Variant, transformed: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, scratch: ScratchBuffer,
        epilogue: ConvolutionEpilogue? = nil, implementation: KernelImplementation = .fastest
    ) {
        let avx2 = variant == .f4 && implementation.usesAVX2
        let tile = variant.tile, positions = variant.positions
        let tilesY = (height + tile - 1) / tile, tilesX = (width + tile - 1) / tile
        let tilesPerImage = tilesY * tilesX
        let totalTiles = batch * tilesPerImage
        guard totalTiles > 0 else { return }
        let round = max(1, min(totalTiles, roundFloats / (positions * (inChannels + outChannels))))
        let inputSize = positions * round * inChannels
        let buffer = scratch.reserve(inputSize + positions * round * outChannels)
        let v = buffer, m = buffer + inputSize
        /// Image, tile row and tile column of tile `index` (tiles numbered image by image, row-major).
        @inline(__always) func tilePosition(_ index: Int) -> (n: Int, ty: Int, tx: Int) {
            (index / tilesPerImage, (index % tilesPerImage) / tilesX, index % tilesX)
        }
        var first = 0
        while first < totalTiles {
            let tiles = min(round, totalTiles - first)
            for t in 0..<tiles {
                let (n, ty, tx) = tilePosition(first + t)
                let image = x + n * height * width * inChannels
                let dst = v + t * inChannels
                switch variant {
                case .f2:
                    transformInput2(image, height: height, width: width, channels: inChannels,
                                    top: 2 * ty - 1, left: 2 * tx - 1, into: dst, positionStride: round * inChannels)
                case .f4 where avx2:
                    ctk_winograd4_input_avx2(image, height, width, inChannels, 4 * ty - 1, 4 * tx - 1, dst, round * inChannels)
                case .f4:
                    transformInput4(image, height: height, width: width, channels: inChannels,
                                    top: 4 * ty - 1, left: 4 * tx - 1, into: dst, positionStride: round * inChannels)
                }
            }
            for xi in 0..<positions {
                BLAS.sgemm(m: tiles, n: outChannels, k: inChannels,
                           a: v + xi * round * inChannels, lda: inChannels,
                           b: transformed + xi * outChannels * inChannels, ldb: inChannels, transposeB: true,
                           c: m + xi * round * outChannels, ldc: outChannels)
            }
            for t in 0..<tiles {
                let (n, ty, tx) = tilePosition(first + t)
                let image = out + n * height * width * outChannels
                switch variant {
                case .f2:
                    transformOutput2(m + t * outChannels, positionStride: round * outChannels, channels: outChannels,
                                     into: image, height: height, width: width, top: 2 * ty, left: 2 * tx, epilogue: epilogue)
                case .f4 where avx2:
                    ctk_winograd4_output_avx2(m + t * outChannels, round * outChannels, outChannels, image, height, width,
                                              4 * ty, 4 * tx, epilogue?.scale, epilogue?.shift, epilogue?.relu == true ? 1 : 0)
                case .f4:
                    transformOutput4(m + t * outChannels, positionStride: round * outChannels, channels: outChannels,
                                     into: image, height: height, width: width, top: 4 * ty, left: 4 * tx, epilogue: epilogue)
                }
            }
            first += tiles
        }
    }

    private typealias V = VectorMath.Vector

    // MARK: Channel blocks (shared by both tile sizes)

    /// Eight floats at `p`, or the first `lanes` < 8 of them (the other lanes zero).
    @inline(__always)
    private static func load(_ p: UnsafePointer<Float>, lanes: Int) -> V {
        lanes == 8 ? VectorMath.load(p) : VectorMath.loadPartial(p, count: lanes)
    }

    /// Stores the first `lanes` (≤ 8) lanes of `v` at `p`.
    @inline(__always)
    private static func store(_ v: V, _ p: UnsafeMutablePointer<Float>, lanes: Int) {
        if lanes == 8 { VectorMath.store(v, p) } else { VectorMath.storePartial(v, p, count: lanes) }
    }

    /// Runs `body` for each block of up to eight channels of the `patch × patch` input patch with
    /// top-left pixel (`top`, `left`), giving it the patch reader `d(i, j)` (zero outside the image)
    /// and `store(v, ξ)`, which writes transform-domain position ξ to `out + ξ · positionStride`.
    @inline(__always)
    private static func forEachInputBlock(
        _ image: UnsafePointer<Float>, height: Int, width: Int, channels: Int, top: Int, left: Int, patch: Int,
        into out: UnsafeMutablePointer<Float>, positionStride: Int,
        _ body: (_ d: (Int, Int) -> V, _ store: (V, Int) -> Void) -> Void
    ) {
        let inside = top >= 0 && left >= 0 && top + patch <= height && left + patch <= width
        var c = 0
        while c < channels {
            let lanes = min(8, channels - c)
            @inline(__always) func d(_ i: Int, _ j: Int) -> V {
                let y = top + i, x = left + j
                guard inside || (y >= 0 && y < height && x >= 0 && x < width) else { return V(repeating: 0) }
                return load(image + (y * width + x) * channels + c, lanes: lanes)
            }
            @inline(__always) func storePosition(_ v: V, _ position: Int) {
                store(v, out + position * positionStride + c, lanes: lanes)
            }
            body(d, storePosition)
            c += 8
        }
    }

    /// Runs `body` for each block of up to eight channels of one tile's products, giving it
    /// `load(ξ)` (transform-domain position ξ at `m + ξ · positionStride`) and `store(v, i, j)`,
    /// which applies the epilogue and writes output pixel (`top + i`, `left + j`) of the
    /// `tile × tile` block, dropping pixels outside the image.
    @inline(__always)
    private static func forEachOutputBlock(
        _ m: UnsafePointer<Float>, positionStride: Int, channels: Int,
        into image: UnsafeMutablePointer<Float>, height: Int, width: Int, top: Int, left: Int, tile: Int,
        epilogue: ConvolutionEpilogue?,
        _ body: (_ load: (Int) -> V, _ store: (V, Int, Int) -> Void) -> Void
    ) {
        let rows = min(tile, height - top), columns = min(tile, width - left)
        var c = 0
        while c < channels {
            let lanes = min(8, channels - c)
            @inline(__always) func loadPosition(_ position: Int) -> V {
                load(m + position * positionStride + c, lanes: lanes)
            }
            let (scale, shift) = epilogue.map { (load($0.scale + c, lanes: lanes), load($0.shift + c, lanes: lanes)) }
                ?? (V(repeating: 1), V(repeating: 0))
            @inline(__always) func storePixel(_ value: V, _ i: Int, _ j: Int) {
                guard i < rows && j < columns else { return }
                var v = value
                if let epilogue {
                    v = v * scale + shift
                    if epilogue.relu { v = VectorMath.maximum(v, V(repeating: 0)) }
                }
                store(v, image + ((top + i) * width + left + j) * channels + c, lanes: lanes)
            }
            body(loadPosition, storePixel)
            c += 8
        }
    }

    // MARK: F(2×2, 3×3)

    /// One 4-point `Bᵀ` step: `(d0 − d2, d1 + d2, d2 − d1, d1 − d3)`.
    @inline(__always)
    private static func input2(_ d0: V, _ d1: V, _ d2: V, _ d3: V) -> (V, V, V, V) {
        (d0 - d2, d1 + d2, d2 - d1, d1 - d3)
    }

    /// One 4-to-2 `Aᵀ` step: `(m0 + m1 + m2, m1 − m2 − m3)`.
    @inline(__always)
    private static func output2(_ m0: V, _ m1: V, _ m2: V, _ m3: V) -> (V, V) {
        (m0 + m1 + m2, m1 - m2 - m3)
    }

    /// `Bᵀ d B` for the 4×4 patch with top-left pixel (`top`, `left`) (zero outside the image), all
    /// channels; position ξ of the result goes to `out + ξ · positionStride`.
    private static func transformInput2(
        _ image: UnsafePointer<Float>, height: Int, width: Int, channels: Int, top: Int, left: Int,
        into out: UnsafeMutablePointer<Float>, positionStride: Int
    ) {
        forEachInputBlock(image, height: height, width: width, channels: channels, top: top, left: left, patch: 4,
                          into: out, positionStride: positionStride) { d, store in
            // Bᵀ d: each column j of the patch; then (Bᵀ d) B: each row.
            let c0 = input2(d(0, 0), d(1, 0), d(2, 0), d(3, 0))
            let c1 = input2(d(0, 1), d(1, 1), d(2, 1), d(3, 1))
            let c2 = input2(d(0, 2), d(1, 2), d(2, 2), d(3, 2))
            let c3 = input2(d(0, 3), d(1, 3), d(2, 3), d(3, 3))
            let r0 = input2(c0.0, c1.0, c2.0, c3.0)
            store(r0.0, 0); store(r0.1, 1); store(r0.2, 2); store(r0.3, 3)
            let r1 = input2(c0.1, c1.1, c2.1, c3.1)
            store(r1.0, 4); store(r1.1, 5); store(r1.2, 6); store(r1.3, 7)
            let r2 = input2(c0.2, c1.2, c2.2, c3.2)
            store(r2.0, 8); store(r2.1, 9); store(r2.2, 10); store(r2.3, 11)
            let r3 = input2(c0.3, c1.3, c2.3, c3.3)
            store(r3.0, 12); store(r3.1, 13); store(r3.2, 14); store(r3.3, 15)
        }
    }

    /// `Aᵀ M A` for one tile, all channels, written to the 2×2 block at (`top`, `left`)
    /// (pixels outside the image are dropped).
    private static func transformOutput2(
        _ m: UnsafePointer<Float>, positionStride: Int, channels: Int,
        into image: UnsafeMutablePointer<Float>, height: Int, width: Int, top: Int, left: Int,
        epilogue: ConvolutionEpilogue?
    ) {
        forEachOutputBlock(m, positionStride: positionStride, channels: channels, into: image, height: height, width: width,
                           top: top, left: left, tile: 2, epilogue: epilogue) { load, store in
            // Aᵀ M: each column j; then (Aᵀ M) A: each row.
            let c0 = output2(load(0), load(4), load(8), load(12))
            let c1 = output2(load(1), load(5), load(9), load(13))
            let c2 = output2(load(2), load(6), load(10), load(14))
            let c3 = output2(load(3), load(7), load(11), load(15))
            let y0 = output2(c0.0, c1.0, c2.0, c3.0)
            store(y0.0, 0, 0); store(y0.1, 0, 1)
            let y1 = output2(c0.1, c1.1, c2.1, c3.1)
            store(y1.0, 1, 0); store(y1.1, 1, 1)
        }
    }

    // MARK: F(4×4, 3×3)

    /// One 6-point `Bᵀ` step (rows of Bᵀ: [4 0 −5 0 1 0], [0 −4 −4 1 1 0], [0 4 −4 −1 1 0],
    /// [0 −2 −1 2 1 0], [0 2 −1 −2 1 0], [0 4 0 −5 0 1]).
    @inline(__always)
    private static func input4(_ d0: V, _ d1: V, _ d2: V, _ d3: V, _ d4: V, _ d5: V) -> (V, V, V, V, V, V) {
        let a = d4 - 4 * d2, b = d3 - 4 * d1
        let e = d4 - d2, f = 2 * (d3 - d1)
        return (4 * d0 - 5 * d2 + d4, a + b, a - b, e + f, e - f, 4 * d1 - 5 * d3 + d5)
    }

    /// One 6-to-4 `Aᵀ` step (rows of Aᵀ: [1 1 1 1 1 0], [0 1 −1 2 −2 0], [0 1 1 4 4 0], [0 1 −1 8 −8 1]).
    @inline(__always)
    private static func output4(_ m0: V, _ m1: V, _ m2: V, _ m3: V, _ m4: V, _ m5: V) -> (V, V, V, V) {
        let s12 = m1 + m2, d12 = m1 - m2, s34 = m3 + m4, d34 = m3 - m4
        return (m0 + s12 + s34, d12 + 2 * d34, s12 + 4 * s34, d12 + 8 * d34 + m5)
    }

    /// `Bᵀ d B` for the 6×6 patch with top-left pixel (`top`, `left`) (zero outside the image), all
    /// channels; position ξ of the result goes to `out + ξ · positionStride`.
    private static func transformInput4(
        _ image: UnsafePointer<Float>, height: Int, width: Int, channels: Int, top: Int, left: Int,
        into out: UnsafeMutablePointer<Float>, positionStride: Int
    ) {
        forEachInputBlock(image, height: height, width: width, channels: channels, top: top, left: left, patch: 6,
                          into: out, positionStride: positionStride) { d, store in
            @inline(__always) func column(_ j: Int) -> (V, V, V, V, V, V) {
                input4(d(0, j), d(1, j), d(2, j), d(3, j), d(4, j), d(5, j))
            }
            @inline(__always) func row(_ i: Int, _ r: (V, V, V, V, V, V)) {
                let t = input4(r.0, r.1, r.2, r.3, r.4, r.5)
                store(t.0, 6 * i); store(t.1, 6 * i + 1); store(t.2, 6 * i + 2)
                store(t.3, 6 * i + 3); store(t.4, 6 * i + 4); store(t.5, 6 * i + 5)
            }
            let c0 = column(0), c1 = column(1), c2 = column(2), c3 = column(3), c4 = column(4), c5 = column(5)
            row(0, (c0.0, c1.0, c2.0, c3.0, c4.0, c5.0))
            row(1, (c0.1, c1.1, c2.1, c3.1, c4.1, c5.1))
            row(2, (c0.2, c1.2, c2.2, c3.2, c4.2, c5.2))
            row(3, (c0.3, c1.3, c2.3, c3.3, c4.3, c5.3))
            row(4, (c0.4, c1.4, c2.4, c3.4, c4.4, c5.4))
            row(5, (c0.5, c1.5, c2.5, c3.5, c4.5, c5.5))
        }
    }

    /// `Aᵀ M A` for one tile, all channels, written to the 4×4 block at (`top`, `left`)
    /// (pixels outside the image are dropped).
    private static func transformOutput4(
        _ m: UnsafePointer<Float>, positionStride: Int, channels: Int,
        into image: UnsafeMutablePointer<Float>, height: Int, width: Int, top: Int, left: Int,
        epilogue: ConvolutionEpilogue?
    ) {
        forEachOutputBlock(m, positionStride: positionStride, channels: channels, into: image, height: height, width: width,
                           top: top, left: left, tile: 4, epilogue: epilogue) { load, store in
            @inline(__always) func column(_ j: Int) -> (V, V, V, V) {
                output4(load(j), load(6 + j), load(12 + j), load(18 + j), load(24 + j), load(30 + j))
            }
            @inline(__always) func row(_ i: Int, _ r: (V, V, V, V, V, V)) {
                let y = output4(r.0, r.1, r.2, r.3, r.4, r.5)
                store(y.0, i, 0); store(y.1, i, 1); store(y.2, i, 2); store(y.3, i, 3)
            }
            let c0 = column(0), c1 = column(1), c2 = column(2), c3 = column(3), c4 = column(4), c5 = column(5)
            row(0, (c0.0, c1.0, c2.0, c3.0, c4.0, c5.0))
            row(1, (c0.1, c1.1, c2.1, c3.1, c4.1, c5.1))
            row(2, (c0.2, c1.2, c2.2, c3.2, c4.2, c5.2))
            row(3, (c0.3, c1.3, c2.3, c3.3, c4.3, c5.3))
        }
    }
}
