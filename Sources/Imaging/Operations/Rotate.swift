import Foundation

/// What a rotation does to the canvas after turning: nothing, or a circular mask.
public enum RotationCrop: String, Sendable, Hashable, CaseIterable {
    /// Keep the whole canvas (corners show the fill wherever the source does not reach).
    case none
    /// Set every pixel outside the inscribed circle to the fill colour (see `CircularMask`), at
    /// every angle including 0°, so the corners are the same for all variants of a sweep.
    case circularMask
}

/// Rotation about the image centre by an angle in degrees, counter-clockwise for positive
/// angles (as Pillow and torchvision), on the same canvas.
///
/// Geometry is Pillow's `Image.rotate(angle, resample, fillcolor=…)` exactly: the centre is
/// (w/2, h/2) in pixel units (pixel centres at i + 0.5), the inverse matrix is built from
/// `angle mod 360` with each of cos and sin rounded to 15 decimals, as Pillow rounds them (so
/// multiples of 90° map pixel centres exactly onto pixel centres), and sampling is `AffineWarp`.
/// Pillow's own shortcuts for 0°, 180° and square 90°/270° give the same pixels as this map.
/// Order of steps: optional centre square crop, rotation, optional circular mask.
public struct Rotation: ImageOperation {
    /// The angle in degrees; positive turns the content counter-clockwise. Any finite value
    /// (taken modulo 360).
    public var degrees: Double
    /// Interpolation (default bilinear).
    public var interpolation: Interpolation
    /// Fill for areas the rotated source does not cover (default black). With `.edge` or
    /// `.reflect` the circular mask, if any, uses black.
    public var fill: Fill
    /// Optional circular mask applied after rotating (default none).
    public var crop: RotationCrop
    /// Whether to centre-crop the source to a square first (see `CentreSquareCrop`), so that
    /// every multiple of 90° fills the canvas exactly.
    public var cropToSquareFirst: Bool

    /// A rotation by `degrees` (counter-clockwise positive) with the given options.
    public init(degrees: Double, interpolation: Interpolation = .bilinear, fill: Fill = .black,
                crop: RotationCrop = .none, cropToSquareFirst: Bool = false) {
        self.degrees = degrees
        self.interpolation = interpolation
        self.fill = fill
        self.crop = crop
        self.cropToSquareFirst = cropToSquareFirst
    }

    /// The rotated image (same canvas, or the square crop's). Throws `invalidArgument` for a
    /// non-finite angle or a fill colour outside [0, 1].
    public func apply(to image: FloatImage) throws(ImagingError) -> FloatImage {
        try Check.finite(degrees, "rotation angle (degrees)")
        let source = cropToSquareFirst ? CentreSquareCrop().crop(image) : image
        let map = Self.inverseMap(degrees: degrees, width: source.width, height: source.height)
        var rotated = try AffineWarp(map: map, interpolation: interpolation, fill: fill).apply(to: source)
        if crop == .circularMask {
            CircularMask(color: fill.color ?? .black).paint(&rotated)
        }
        return rotated
    }

    /// The output → source map of a rotation by `degrees` about (w/2, h/2), computed as Pillow's
    /// `Image.rotate` does: θ = −radians(angle mod 360), coefficients (cos θ, sin θ, −sin θ, cos θ)
    /// each rounded to 15 decimal places, translation `M·(−cx, −cy) + (cx, cy)`.
    public static func inverseMap(degrees: Double, width: Int, height: Int) -> AffineMap {
        var angle = degrees.truncatingRemainder(dividingBy: 360)  // Python's float %: sign of the divisor
        if angle == 0 { angle = 0 } else if angle < 0 { angle += 360 }
        let theta = -(angle * (Double.pi / 180))
        let cosine = roundedTo15Decimals(cos(theta))
        let sine = roundedTo15Decimals(sin(theta))
        let minusSine = roundedTo15Decimals(-sin(theta))
        let cx = Double(width) / 2, cy = Double(height) / 2
        let c = cosine * -cx + sine * -cy + 0.0 + cx
        let f = minusSine * -cx + cosine * -cy + 0.0 + cy
        return AffineMap(a: cosine, b: sine, c: c, d: minusSine, e: cosine, f: f)
    }

    /// Python's `round(x, 15)`: the double nearest to x rounded to 15 decimals (correctly rounded
    /// decimal conversion both ways, so e.g. cos 90° = 6.1e-17 becomes exactly 0).
    static func roundedTo15Decimals(_ x: Double) -> Double {
        Double(String(format: "%.15f", x)) ?? x
    }
}
