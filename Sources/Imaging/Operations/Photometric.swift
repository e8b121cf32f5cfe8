/// Brightness as PIL's `ImageEnhance.Brightness` and torchvision's `adjust_brightness`:
/// each sample becomes clamp(f·x, 0, 1).
///
/// f = 1 is the identity, 0 gives black, > 1 brightens (and saturates). Any finite f ≥ 0.
public struct Brightness: ImageOperation {
    /// The multiplier f ≥ 0.
    public var factor: Float

    /// Brightness scaled by `factor`.
    public init(factor: Float) {
        self.factor = factor
    }
    /// The augmented image; throws `invalidArgument` for parameters outside the documented ranges.
    public func apply(to image: FloatImage) throws(ImagingError) -> FloatImage {
        guard factor.isFinite, factor >= 0 else {
            throw ImagingError(.invalidArgument, "brightness factor must be a finite number ≥ 0, got \(factor)")
        }
        let f = factor
        return image.mapSamples { min(max(f * $0, 0), 1) }
    }
}

/// Contrast as PIL's `ImageEnhance.Contrast`: a blend with the mean grey level,
/// clamp(m + f·(x − m), 0, 1), where m is the mean over all pixels of L = 0.299 R + 0.587 G + 0.114 B.
///
/// PIL rounds the mean to a whole 8-bit level and works on 8-bit images; here m is the exact
/// mean of the float intensities (accumulated in Double). f = 1 is the identity, 0 gives flat
/// grey m, > 1 increases contrast. Any finite f ≥ 0.
public struct Contrast: ImageOperation {
    /// The contrast factor f ≥ 0.
    public var factor: Float

    /// Contrast scaled by `factor` about the mean grey.
    public init(factor: Float) {
        self.factor = factor
    }

    /// The mean of L = 0.299 R + 0.587 G + 0.114 B over all pixels (intensity units).
    public static func meanLuma(_ image: FloatImage) -> Double {
        var sum = 0.0
        image.pixels.withUnsafeBufferPointer { p in
            var i = 0
            while i < p.count {
                sum += 0.299 * Double(p[i]) + 0.587 * Double(p[i + 1]) + 0.114 * Double(p[i + 2])
                i += 3
            }
        }
        return sum / Double(image.width * image.height)
    }
    /// The augmented image; throws `invalidArgument` for parameters outside the documented ranges.
    public func apply(to image: FloatImage) throws(ImagingError) -> FloatImage {
        guard factor.isFinite, factor >= 0 else {
            throw ImagingError(.invalidArgument, "contrast factor must be a finite number ≥ 0, got \(factor)")
        }
        let mean = Float(Self.meanLuma(image)), f = factor
        return image.mapSamples { min(max(mean + f * ($0 - mean), 0), 1) }
    }
}

extension FloatImage {
    /// A same-size image with `transform` applied to every sample.
    @inlinable func mapSamples(_ transform: (Float) -> Float) -> FloatImage {
        pixels.withUnsafeBufferPointer { source in
            FloatImage.build(width: width, height: height) { output in
                for i in 0..<source.count { output[i] = transform(source[i]) }
            }
        }
    }
}
