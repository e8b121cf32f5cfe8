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

    /// The augmented image; throws `invalidArgument` for parameters outside the documented ranges.
    public func apply(to image: FloatImage) throws(ImagingError) -> FloatImage {
        guard sigma.isFinite, sigma >= 0 else {
            throw ImagingError(.invalidArgument, "noise sigma must be a finite number ≥ 0 (intensity units), got \(sigma)")
        }
        if sigma == 0 { return image }
        var generator = NormalGenerator(seed: seed)
        let scale = sigma
        return image.combinedWithNoise(fill: { generator.fillNormals($0) }) { x, z, out, n in
            // A plain loop of selects: LLVM vectorises it (pointwiseMin/Max on SIMD types does not inline).
            for i in 0..<n {
                let v = x[i] + scale * z[i]
                out[i] = v > 0 ? (v < 1 ? v : 1) : 0
            }
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
        return image.combinedWithNoise(fill: { generator.fillUniforms($0) }) { x, u, out, n in
            for i in 0..<n { out[i] = min(max(keep * x[i] + weight * u[i], 0), 1) }
        }
    }
}

extension FloatImage {
    /// Noise is generated in blocks of this many samples (a multiple of `NormalGenerator.groupSize`,
    /// so the stream does not depend on the block size).
    static let noiseBlockSize = 4096

    /// A same-size image made from this one and a noise stream, block by block in memory order:
    /// `fill` writes the next noise samples into a block buffer, then `combine(source, noise, output,
    /// count)` writes that many output samples.
    @inline(__always)
    func combinedWithNoise(
        fill: (UnsafeMutableBufferPointer<Float>) -> Void,
        _ combine: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void
    ) -> FloatImage {
        pixels.withUnsafeBufferPointer { source in
            FloatImage.build(width: width, height: height) { output in
                let block = UnsafeMutableBufferPointer<Float>.allocate(capacity: Self.noiseBlockSize)
                defer { block.deallocate() }
                guard let src = source.baseAddress, let dst = output.baseAddress, let noise = block.baseAddress else { return }
                var start = 0
                while start < source.count {
                    let n = min(Self.noiseBlockSize, source.count - start)
                    fill(UnsafeMutableBufferPointer(rebasing: block[0..<n]))
                    combine(src + start, noise, dst + start, n)
                    start += n
                }
            }
        }
    }
}
