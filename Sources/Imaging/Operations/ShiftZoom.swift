/// Translation by fractions of the image size, positive x right and positive y down, same canvas.
///
/// The content moves by `(x·w, y·h)` pixels: output pixel centre (i + 0.5, j + 0.5) samples the
/// source at (i + 0.5 − x·w, j + 0.5 − y·h), i.e. `AffineWarp` with map (1, 0, −x·w, 0, 1, −y·h)
/// (Pillow's `transform(size, AFFINE, (1, 0, −dx, 0, 1, −dy))`). Sub-pixel shifts are
/// interpolated with `interpolation` (bilinear by default); a shift by a whole number of pixels
/// copies samples exactly with any interpolation. Uncovered areas get `fill`.
public struct Shift: ImageOperation {
    /// Horizontal shift as a fraction of the width (positive = right); finite, |x| ≤ 2^20.
    public var x: Double
    /// Vertical shift as a fraction of the height (positive = down); finite, |y| ≤ 2^20.
    public var y: Double
    /// Interpolation for sub-pixel shifts (default bilinear).
    public var interpolation: Interpolation
    /// Fill for the uncovered band (default black).
    public var fill: Fill

    /// A shift by `(x·w, y·h)` pixels.
    public init(x: Double, y: Double, interpolation: Interpolation = .bilinear, fill: Fill = .black) {
        self.x = x
        self.y = y
        self.interpolation = interpolation
        self.fill = fill
    }

    /// The output → source map for an image of the given size.
    public func inverseMap(width: Int, height: Int) -> AffineMap {
        AffineMap(a: 1, b: 0, c: -(x * Double(width)), d: 0, e: 1, f: -(y * Double(height)))
    }
    /// The augmented image; throws `invalidArgument` for parameters outside the documented ranges.
    public func apply(to image: FloatImage) throws(ImagingError) -> FloatImage {
        try Check.inRange(x, -1_048_576...1_048_576, "shift x (fraction of width)")
        try Check.inRange(y, -1_048_576...1_048_576, "shift y (fraction of height)")
        let map = inverseMap(width: image.width, height: image.height)
        return try AffineWarp(map: map, interpolation: interpolation, fill: fill).apply(to: image)
    }
}

/// Scaling about the image centre (w/2, h/2) on the same canvas: factor > 1 magnifies (crops
/// into the centre), factor < 1 shrinks and shows `fill` around the image.
///
/// Output pixel centre p samples the source at c + (p − c)/factor, i.e. `AffineWarp` with map
/// (1/s, 0, cx − cx/s, 0, 1/s, cy − cy/s), s = factor (computed in that order in Double).
/// Bilinear by default, as rotation. Shrinking interpolates without low-pass filtering (no
/// antialiasing), as Pillow's `transform`.
public struct Zoom: ImageOperation {
    /// The magnification: > 1 enlarges, < 1 shrinks; finite and in [2⁻²⁰, 2²⁰].
    public var factor: Double
    /// Interpolation (default bilinear).
    public var interpolation: Interpolation
    /// Fill shown around a shrunk image (default black).
    public var fill: Fill

    /// A zoom by `factor` about the centre.
    public init(factor: Double, interpolation: Interpolation = .bilinear, fill: Fill = .black) {
        self.factor = factor
        self.interpolation = interpolation
        self.fill = fill
    }

    /// The output → source map for an image of the given size.
    public func inverseMap(width: Int, height: Int) -> AffineMap {
        let inverse = 1.0 / factor
        let cx = Double(width) / 2, cy = Double(height) / 2
        return AffineMap(a: inverse, b: 0, c: cx - cx * inverse, d: 0, e: inverse, f: cy - cy * inverse)
    }
    /// The augmented image; throws `invalidArgument` for parameters outside the documented ranges.
    public func apply(to image: FloatImage) throws(ImagingError) -> FloatImage {
        try Check.inRange(factor, 1.0 / 1_048_576...1_048_576, "zoom factor")
        let map = inverseMap(width: image.width, height: image.height)
        return try AffineWarp(map: map, interpolation: interpolation, fill: fill).apply(to: image)
    }
}
