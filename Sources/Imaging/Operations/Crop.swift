/// Crops an image to its largest centred square (integer crop, no resampling).
///
/// The side is `min(w, h)`; the left (top) offset is `(w − side) / 2` rounded down, so when
/// the difference is odd the extra column (row) is dropped on the right (bottom). A square
/// image is returned unchanged.
public struct CentreSquareCrop: ImageOperation {
    /// The crop has no parameters.
    public init() {}
    /// The largest centred square of `image` (never throws).
    public func apply(to image: FloatImage) throws(ImagingError) -> FloatImage { crop(image) }

    /// The offsets of the square in the source: `(left, top, side)` in pixels.
    public static func square(width: Int, height: Int) -> (left: Int, top: Int, side: Int) {
        let side = min(width, height)
        return ((width - side) / 2, (height - side) / 2, side)
    }

    /// The non-throwing crop.
    public func crop(_ image: FloatImage) -> FloatImage {
        let (left, top, side) = Self.square(width: image.width, height: image.height)
        if side == image.width && side == image.height { return image }
        return image.pixels.withUnsafeBufferPointer { source in
            FloatImage.build(width: side, height: side) { output in
                guard let src = source.baseAddress, let dst = output.baseAddress else { return }
                for y in 0..<side {
                    (dst + y * side * 3).update(from: src + ((top + y) * image.width + left) * 3, count: side * 3)
                }
            }
        }
    }
}

/// Sets every pixel outside the image's inscribed circle to a colour.
///
/// The circle is centred at (w/2, h/2) with radius min(w, h)/2 (pixel units, pixel (i, j)
/// covering [i, i+1) × [j, j+1)). A pixel is inside when its **centre** (i + 0.5, j + 0.5) is
/// inside or on the circle; the test is exact (integer arithmetic). The mask depends only on
/// the image size, so it is the same for every angle of a rotation sweep.
public struct CircularMask: ImageOperation {
    /// The colour of the pixels outside the circle (intensities in [0, 1]).
    public var color: FloatColor

    /// A mask painting the outside with `color` (default black).
    public init(color: FloatColor = .black) {
        self.color = color
    }
    /// The augmented image; throws `invalidArgument` for parameters outside the documented ranges.
    public func apply(to image: FloatImage) throws(ImagingError) -> FloatImage {
        try color.validate("mask colour")
        return mask(image)
    }

    /// Whether the centre of pixel (x, y) lies inside or on the inscribed circle:
    /// (2x + 1 − w)² + (2y + 1 − h)² ≤ min(w, h)².
    @inlinable public static func contains(x: Int, y: Int, width: Int, height: Int) -> Bool {
        let dx = 2 * x + 1 - width, dy = 2 * y + 1 - height, side = min(width, height)
        return dx * dx + dy * dy <= side * side
    }

    /// The columns of row `y` whose pixel centres are inside the circle, as a closed range
    /// (nil when none are): the solutions x of (2x + 1 − w)² ≤ min(w, h)² − (2y + 1 − h)²,
    /// computed with an exact integer square root, so it agrees with `contains` everywhere.
    public static func insideColumns(y: Int, width: Int, height: Int) -> ClosedRange<Int>? {
        let side = min(width, height), dy = 2 * y + 1 - height
        let room = side * side - dy * dy
        guard room >= 0 else { return nil }
        var k = Int(Double(room).squareRoot())
        while k * k > room { k -= 1 }
        while (k + 1) * (k + 1) <= room { k += 1 }
        // |2x + 1 − w| ≤ k  ⇔  ⌈(w − 1 − k)/2⌉ ≤ x ≤ ⌊(w − 1 + k)/2⌋ (arithmetic shifts floor).
        let low = max((width - k) >> 1, 0), high = min((width - 1 + k) >> 1, width - 1)
        return low <= high ? low...high : nil
    }

    /// The non-throwing mask.
    public func mask(_ image: FloatImage) -> FloatImage {
        var out = image
        paint(&out)
        return out
    }

    /// Paints the outside of the circle in place, span by span.
    func paint(_ image: inout FloatImage) {
        let w = image.width, h = image.height
        let rgb = (color.red, color.green, color.blue)
        image.pixels.withUnsafeMutableBufferPointer { p in
            func fill(_ row: Int, _ columns: Range<Int>) {
                for x in columns {
                    let i = (row * w + x) * 3
                    p[i] = rgb.0; p[i + 1] = rgb.1; p[i + 2] = rgb.2
                }
            }
            for y in 0..<h {
                if let inside = Self.insideColumns(y: y, width: w, height: h) {
                    fill(y, 0..<inside.lowerBound)
                    fill(y, (inside.upperBound + 1)..<w)
                } else {
                    fill(y, 0..<w)
                }
            }
        }
    }
}
