/// Additive Gaussian noise: each sample becomes clamp(x + σ·z, 0, 1) with z ~ N(0, 1), seeded.
///
/// σ is in intensity units (the image spans [0, 1]; σ = 10/255 is "10 levels"). The normals are
/// the stream of `NormalGenerator(seed: seed)`, taken in memory order (row by row, pixel by
/// pixel, R, G, B), so the same seed gives the same bytes in every release; derive per-variant
/// seeds with `RandomSeed.variant(sweepSeed:index:)`. σ = 0 returns the image unchanged.
/// Clamping biases the mean near 0 and 1 (as any clipped noise does).
public struct GaussianNoise: ImageOperation {
    /// Standard deviation in intensity units; finite and ≥ 0 (sweeps use [0, 1]).
    public var sigma: Float
    /// The seed of the noise stream.
    public var seed: UInt64

    /// Noise of standard deviation `sigma` (intensity units) from `seed`.
    public init(sigma: Float, seed: UInt64) {
        self.sigma = sigma
        self.seed = seed
    }

    /// Samples are generated in blocks of this many (a multiple of the generator's group size).
    static let blockSize = 4096
    /// The augmented image; throws `invalidArgument` for parameters outside the documented ranges.
    public func apply(to image: FloatImage) throws(ImagingError) -> FloatImage {
        guard sigma.isFinite, sigma >= 0 else {
            throw ImagingError(.invalidArgument, "noise sigma must be a finite number ≥ 0 (intensity units), got \(sigma)")
        }
        if sigma == 0 { return image }
        var generator = NormalGenerator(seed: seed)
        let scale = sigma
        return image.pixels.withUnsafeBufferPointer { source in
            FloatImage.build(width: image.width, height: image.height) { output in
                guard let src = source.baseAddress, let dst = output.baseAddress else { return }
                let block = UnsafeMutableBufferPointer<Float>.allocate(capacity: Self.blockSize)
                defer { block.deallocate() }
                let total = source.count
                var start = 0
                while start < total {
                    let n = min(Self.blockSize, total - start)
                    generator.fillNormals(UnsafeMutableBufferPointer(rebasing: block[0..<n]))
                    addClamped(src + start, block.baseAddress!, scale, dst + start, n)
                    start += n
                }
            }
        }
    }

    @inline(__always) private func addClamped(_ x: UnsafePointer<Float>, _ z: UnsafePointer<Float>, _ sigma: Float,
                                              _ out: UnsafeMutablePointer<Float>, _ n: Int) {
        // A plain loop of selects: LLVM vectorises it (pointwiseMin/Max on SIMD types does not inline).
        for i in 0..<n {
            let v = x[i] + sigma * z[i]
            out[i] = v > 0 ? (v < 1 ? v : 1) : 0
        }
    }
}

/// The article's noise: a blend with uniform noise, (1 − α)·x + α·u with u ~ U[0, 1) drawn
/// independently for every sample (each channel of each pixel), seeded.
///
/// α in [0, 1]: 0 is the image, 1 is pure noise. The uniforms are the stream of
/// `NormalGenerator(seed: seed).fillUniforms` in memory order (24-bit values k·2⁻²⁴). The
/// result is clamped to [0, 1] against float rounding. α = 0 returns the image unchanged.
public struct UniformNoiseBlend: ImageOperation {
    /// The blend weight of the noise, in [0, 1].
    public var alpha: Float
    /// The seed of the noise stream.
    public var seed: UInt64

    /// A blend with weight `alpha` (in [0, 1]) of uniform noise from `seed`.
    public init(alpha: Float, seed: UInt64) {
        self.alpha = alpha
        self.seed = seed
    }
    /// The augmented image; throws `invalidArgument` for parameters outside the documented ranges.
    public func apply(to image: FloatImage) throws(ImagingError) -> FloatImage {
        guard alpha >= 0, alpha <= 1 else {
            throw ImagingError(.invalidArgument, "uniform noise alpha must be in [0, 1], got \(alpha)")
        }
        if alpha == 0 { return image }
        var generator = NormalGenerator(seed: seed)
        let keep = 1 - alpha, weight = alpha
        return image.pixels.withUnsafeBufferPointer { source in
            FloatImage.build(width: image.width, height: image.height) { output in
                guard let src = source.baseAddress, let dst = output.baseAddress else { return }
                let blockSize = GaussianNoise.blockSize
                let block = UnsafeMutableBufferPointer<Float>.allocate(capacity: blockSize)
                defer { block.deallocate() }
                let u = block.baseAddress!
                var start = 0
                while start < source.count {
                    let n = min(blockSize, source.count - start)
                    generator.fillUniforms(UnsafeMutableBufferPointer(rebasing: block[0..<n]))
                    for i in 0..<n {
                        dst[start + i] = min(max(keep * src[start + i] + weight * u[i], 0), 1)
                    }
                    start += n
                }
            }
        }
    }
}
