import Foundation

/// A blur standard deviation together with the pixel grid it is measured on.
public enum BlurSigma: Sendable, Hashable {
    /// σ in pixels of the image being blurred.
    case sourcePixels(Double)
    /// σ in pixels of the model's input (e.g. 224 px for most CLIP models): the blur a model
    /// sees after its preprocessing resizes the shorter side to `modelInputSize`.
    case modelInputPixels(Double, modelInputSize: Int = 224)

    /// σ in source pixels for an image of the given size:
    /// `σ_source = σ_model × min(width, height) / modelInputSize` for `.modelInputPixels`.
    public func inSourcePixels(width: Int, height: Int) -> Double {
        switch self {
        case .sourcePixels(let sigma):
            return sigma
        case .modelInputPixels(let sigma, let size):
            return sigma * Double(min(width, height)) / Double(size)
        }
    }
}

/// Gaussian blur, separable, with scipy.ndimage's conventions: `gaussian_filter(image,
/// sigma=(σ, σ, 0), mode="reflect", truncate=4)`.
///
/// The kernel has radius `r = Int(4σ + 0.5)` (taps −r…r, weights exp(−k²/2σ²) normalised to
/// sum 1, computed in Double); borders reflect half-sample symmetrically (… c b a | a b c …),
/// folding again as often as needed when the kernel is longer than the image (σ ≥ size/2).
/// σ = 0, or any σ < 0.125 (radius 0), is the identity. Each channel is filtered separately;
/// columns first, then rows, in float32. Results stay in [0, 1] (a convex combination).
public struct GaussianBlur: ImageOperation {
    /// The standard deviation and the grid it is measured on.
    public var sigma: BlurSigma

    /// A blur with the given σ.
    public init(sigma: BlurSigma) {
        self.sigma = sigma
    }

    /// Largest allowed kernel radius (taps on each side); σ up to about 4·10⁶ px.
    public static let maximumRadius = 1 << 24

    /// The blurred image. Throws `invalidArgument` for a negative or non-finite σ, a model input
    /// size ≤ 0, or a kernel radius above `maximumRadius`.
    public func apply(to image: FloatImage) throws(ImagingError) -> FloatImage {
        if case .modelInputPixels(_, let size) = sigma, size <= 0 {
            throw ImagingError(.invalidArgument, "model input size must be positive, got \(size)")
        }
        let s = sigma.inSourcePixels(width: image.width, height: image.height)
        guard s.isFinite, s >= 0 else {
            throw ImagingError(.invalidArgument, "blur sigma must be a finite number ≥ 0, got \(s) source px")
        }
        guard 4 * s + 0.5 < Double(Self.maximumRadius + 1) else {
            throw ImagingError(.invalidArgument,
                               "blur sigma \(s) source px is too large (kernel radius above \(Self.maximumRadius))")
        }
        let radius = Int(4 * s + 0.5)
        if radius == 0 { return image }
        return SeparableFilter(sigma: s, radius: radius).apply(to: image)
    }
}

/// The Gaussian kernel applied along columns then rows with reflect borders.
struct SeparableFilter {
    /// σ in source pixels.
    let sigma: Double
    /// Taps on each side: the kernel has 2·radius + 1 taps.
    let radius: Int

    /// The kernel for a line of n pixels, as float32 taps: scipy's `_gaussian_kernel1d(σ, 0, radius)`
    /// (exp(−0.5 k²/σ²) for k = −radius…radius, divided by their sum, in Double), folded onto one
    /// reflect period when longer than 2n: tap m (offset m − radius) is equivalent to tap m + 2n,
    /// so a long kernel collapses onto 2n taps. Memory is O(min(kernel, 2n)) whatever σ.
    func taps(length n: Int) -> [Float] {
        let count = 2 * radius + 1
        let period = 2 * n
        let factor = -0.5 / (sigma * sigma)
        var sums = [Double](repeating: 0, count: min(count, period))
        var total = 0.0
        for m in 0..<count {
            let k = Double(m - radius)
            let weight = exp(factor * k * k)
            total += weight
            sums[count <= period ? m : m % period] += weight
        }
        return sums.map { Float($0 / total) }
    }

    func apply(to image: FloatImage) -> FloatImage {
        let w = image.width, h = image.height
        let columnTaps = taps(length: h)
        let rowTaps = taps(length: w)
        // Source row of each vertical tap position j (output row y uses positions y … y + L − 1).
        let rowSource = (0..<(h + columnTaps.count - 1)).map { reflectedIndex($0 - radius, count: h) }
        // Source pixel of each horizontal padded position.
        let padLength = w + rowTaps.count - 1
        let columnSource = (0..<padLength).map { reflectedIndex($0 - radius, count: w) }
        // When the unfolded kernel fits (radius < w), the padded row is [left border | row | right border].
        let directRow = rowTaps.count == 2 * radius + 1 && radius < w
        return image.pixels.withUnsafeBufferPointer { source in
            FloatImage.build(width: w, height: h) { output in
                guard let src = source.baseAddress, let dst = output.baseAddress else { return }
                let rowFloats = w * 3
                let padStride = padLength * 3 + 16
                let columnStride = rowFloats + 16
                // Up to four output rows at a time: they share most of their source rows, so each
                // source vector is loaded once for all of them.
                let padded = UnsafeMutablePointer<Float>.allocate(capacity: 4 * padStride)
                let column = UnsafeMutablePointer<Float>.allocate(capacity: 4 * columnStride)
                let rows = UnsafeMutablePointer<UnsafePointer<Float>>.allocate(capacity: columnTaps.count + 3)
                defer { padded.deallocate(); column.deallocate(); rows.deallocate() }
                columnTaps.withUnsafeBufferPointer { ct in
                    rowTaps.withUnsafeBufferPointer { rt in
                        var y = 0
                        while y < h {
                            let group = y + 3 < h && ct.count >= 3 ? 4 : (y + 1 < h ? 2 : 1)
                            for k in 0..<(ct.count + group - 1) { rows[k] = src + rowSource[y + k] * rowFloats }
                            // Vertical pass straight into the padded rows when possible.
                            func target(_ r: Int) -> UnsafeMutablePointer<Float> {
                                directRow ? padded + r * padStride + radius * 3 : column + r * columnStride
                            }
                            switch group {
                            case 4: Convolution.rowQuad(rows, ct, count: rowFloats, into: (target(0), target(1), target(2), target(3)))
                            case 2: Convolution.rowPair(rows, ct, count: rowFloats, into: target(0), target(1))
                            default: Convolution.rows(rows, ct, count: rowFloats, into: target(0))
                            }
                            for r in 0..<group {
                                let pad = padded + r * padStride
                                let vertical = target(r)
                                if directRow {
                                    for j in 0..<radius {
                                        copyPixel(from: vertical, columnSource[j], to: pad, j)
                                        copyPixel(from: vertical, columnSource[radius + w + j], to: pad, radius + w + j)
                                    }
                                } else {
                                    for j in 0..<padLength { copyPixel(from: vertical, columnSource[j], to: pad, j) }
                                }
                                Convolution.line(pad, rt, stride: 3, count: rowFloats, into: dst + (y + r) * rowFloats)
                            }
                            y += group
                        }
                    }
                }
            }
        }
    }

    @inline(__always) private func copyPixel(from row: UnsafePointer<Float>, _ sourcePixel: Int,
                                             to padded: UnsafeMutablePointer<Float>, _ position: Int) {
        let s = row + sourcePixel * 3, d = padded + position * 3
        d[0] = s[0]; d[1] = s[1]; d[2] = s[2]
    }
}

/// The inner loops of separable filtering, vectorised over consecutive floats.
enum Convolution {
    /// Four consecutive output rows from L + 3 source rows: out_r[j] = Σ_k taps[k] · rows[k + r][j].
    /// Each source vector is loaded once and used by up to four accumulators.
    static func rowQuad(_ rows: UnsafePointer<UnsafePointer<Float>>, _ taps: UnsafeBufferPointer<Float>,
                        count: Int, into out: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>,
                                               UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>)) {
        let n = taps.count
        var j = 0
        while j + 8 <= count {
            // Output row r uses tap k − r of source row k (n ≥ 3 here).
            @inline(__always) func row(_ k: Int) -> SIMD8<Float> {
                UnsafeRawPointer(rows[k] + j).loadUnaligned(as: SIMD8<Float>.self)
            }
            var v = row(0)
            var a0 = taps[0] * v
            v = row(1)
            a0 += taps[1] * v
            var a1 = taps[0] * v
            v = row(2)
            a0 += taps[2] * v
            a1 += taps[1] * v
            var a2 = taps[0] * v
            var a3 = SIMD8<Float>(repeating: 0)
            for k in 3..<n {
                v = row(k)
                a0 += taps[k] * v
                a1 += taps[k &- 1] * v
                a2 += taps[k &- 2] * v
                a3 += taps[k &- 3] * v
            }
            v = row(n)
            a1 += taps[n &- 1] * v
            a2 += taps[n &- 2] * v
            a3 += taps[n &- 3] * v
            v = row(n + 1)
            a2 += taps[n &- 1] * v
            a3 += taps[n &- 2] * v
            v = row(n + 2)
            a3 += taps[n &- 1] * v
            UnsafeMutableRawPointer(out.0 + j).storeBytes(of: a0, as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(out.1 + j).storeBytes(of: a1, as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(out.2 + j).storeBytes(of: a2, as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(out.3 + j).storeBytes(of: a3, as: SIMD8<Float>.self)
            j += 8
        }
        while j < count {
            for r in 0..<4 {
                var a: Float = 0
                for k in 0..<n { a += taps[k] * rows[k + r][j] }
                let o = r == 0 ? out.0 : (r == 1 ? out.1 : (r == 2 ? out.2 : out.3))
                o[j] = a
            }
            j += 1
        }
    }

    /// Two consecutive output rows from L + 1 source rows:
    /// out0[j] = Σ_k taps[k] · rows[k][j], out1[j] = Σ_k taps[k] · rows[k + 1][j].
    static func rowPair(_ rows: UnsafePointer<UnsafePointer<Float>>, _ taps: UnsafeBufferPointer<Float>,
                        count: Int, into out0: UnsafeMutablePointer<Float>, _ out1: UnsafeMutablePointer<Float>) {
        let n = taps.count
        var j = 0
        while j + 16 <= count {
            var a0 = SIMD16<Float>(repeating: 0), a1 = SIMD16<Float>(repeating: 0)
            var previous = taps[0]
            a0 = previous * UnsafeRawPointer(rows[0] + j).loadUnaligned(as: SIMD16<Float>.self)
            for k in 1..<n {
                let v = UnsafeRawPointer(rows[k] + j).loadUnaligned(as: SIMD16<Float>.self)
                let weight = taps[k]
                a0 += weight * v
                a1 += previous * v
                previous = weight
            }
            a1 += previous * UnsafeRawPointer(rows[n] + j).loadUnaligned(as: SIMD16<Float>.self)
            UnsafeMutableRawPointer(out0 + j).storeBytes(of: a0, as: SIMD16<Float>.self)
            UnsafeMutableRawPointer(out1 + j).storeBytes(of: a1, as: SIMD16<Float>.self)
            j += 16
        }
        while j < count {
            var a0: Float = 0, a1: Float = 0
            for k in 0..<n {
                a0 += taps[k] * rows[k][j]
                a1 += taps[k] * rows[k + 1][j]
            }
            out0[j] = a0
            out1[j] = a1
            j += 1
        }
    }

    /// out[j] = Σ_k taps[k] · rows[k][j] for j in 0..<count.
    static func rows(_ rows: UnsafePointer<UnsafePointer<Float>>, _ taps: UnsafeBufferPointer<Float>,
                     count: Int, into out: UnsafeMutablePointer<Float>) {
        let n = taps.count
        var j = 0
        // 32 floats per step: 8 independent SSE accumulators hide the add latency.
        while j + 32 <= count {
            var acc0 = SIMD16<Float>(repeating: 0), acc1 = SIMD16<Float>(repeating: 0)
            for k in 0..<n {
                let row = UnsafeRawPointer(rows[k] + j)
                let weight = taps[k]
                acc0 += weight * row.loadUnaligned(as: SIMD16<Float>.self)
                acc1 += weight * row.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self)
            }
            UnsafeMutableRawPointer(out + j).storeBytes(of: acc0, as: SIMD16<Float>.self)
            UnsafeMutableRawPointer(out + j + 16).storeBytes(of: acc1, as: SIMD16<Float>.self)
            j += 32
        }
        while j + 16 <= count {
            var acc = SIMD16<Float>(repeating: 0)
            for k in 0..<n {
                acc += taps[k] * UnsafeRawPointer(rows[k] + j).loadUnaligned(as: SIMD16<Float>.self)
            }
            UnsafeMutableRawPointer(out + j).storeBytes(of: acc, as: SIMD16<Float>.self)
            j += 16
        }
        while j + 4 <= count {
            var acc = SIMD4<Float>(repeating: 0)
            for k in 0..<n {
                acc += taps[k] * UnsafeRawPointer(rows[k] + j).loadUnaligned(as: SIMD4<Float>.self)
            }
            UnsafeMutableRawPointer(out + j).storeBytes(of: acc, as: SIMD4<Float>.self)
            j += 4
        }
        while j < count {
            var acc: Float = 0
            for k in 0..<n { acc += taps[k] * rows[k][j] }
            out[j] = acc
            j += 1
        }
    }

    /// out[j] = Σ_k taps[k] · line[j + k·stride] for j in 0..<count.
    static func line(_ line: UnsafePointer<Float>, _ taps: UnsafeBufferPointer<Float>, stride: Int,
                     count: Int, into out: UnsafeMutablePointer<Float>) {
        let n = taps.count
        var j = 0
        while j + 32 <= count {
            var acc0 = SIMD16<Float>(repeating: 0), acc1 = SIMD16<Float>(repeating: 0)
            var p = UnsafeRawPointer(line + j)
            let step = stride * MemoryLayout<Float>.stride
            for k in 0..<n {
                let weight = taps[k]
                acc0 += weight * p.loadUnaligned(as: SIMD16<Float>.self)
                acc1 += weight * p.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self)
                p += step
            }
            UnsafeMutableRawPointer(out + j).storeBytes(of: acc0, as: SIMD16<Float>.self)
            UnsafeMutableRawPointer(out + j + 16).storeBytes(of: acc1, as: SIMD16<Float>.self)
            j += 32
        }
        while j + 16 <= count {
            var acc = SIMD16<Float>(repeating: 0)
            var p = line + j
            for k in 0..<n {
                acc += taps[k] * UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
                p += stride
            }
            UnsafeMutableRawPointer(out + j).storeBytes(of: acc, as: SIMD16<Float>.self)
            j += 16
        }
        while j + 4 <= count {
            var acc = SIMD4<Float>(repeating: 0)
            var p = line + j
            for k in 0..<n {
                acc += taps[k] * UnsafeRawPointer(p).loadUnaligned(as: SIMD4<Float>.self)
                p += stride
            }
            UnsafeMutableRawPointer(out + j).storeBytes(of: acc, as: SIMD4<Float>.self)
            j += 4
        }
        while j < count {
            var acc: Float = 0
            for k in 0..<n { acc += taps[k] * line[j + k * stride] }
            out[j] = acc
            j += 1
        }
    }
}
