/// A source region for `RGBImage.resized`, in pixel-edge coordinates (Pillow's `box`):
/// `(0, 0, width, height)` is the whole image; fractional edges are allowed.
public struct ResizeBox: Sendable, Equatable, Hashable {
    /// Left edge in source pixels.
    public var left: Float
    /// Top edge in source pixels.
    public var top: Float
    /// Right edge in source pixels (exclusive).
    public var right: Float
    /// Bottom edge in source pixels (exclusive).
    public var bottom: Float

    /// A region with the given edges (source pixels; `right` and `bottom` exclusive).
    public init(left: Float, top: Float, right: Float, bottom: Float) {
        self.left = left
        self.top = top
        self.right = right
        self.bottom = bottom
    }
}

/// An axis-aligned rectangle of whole pixels: columns `x ..< x + width`, rows `y ..< y + height`.
public struct PixelRect: Sendable, Equatable, Hashable, Codable {
    /// Left column.
    public var x: Int
    /// Top row.
    public var y: Int
    /// Width in pixels.
    public var width: Int
    /// Height in pixels.
    public var height: Int

    /// The rectangle with top-left pixel (x, y) and the given size in pixels.
    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    var columns: Range<Int> { x..<(x + width) }
    var rows: Range<Int> { y..<(y + height) }
}

extension RGBImage {
    /// Largest image `resized` returns (pixels), so a bad size cannot exhaust memory.
    public static let maximumResizePixels = 1 << 26
    /// Largest output side `resized` accepts (Pillow computes sizes in C `int`).
    public static let maximumResizeSide = 1 << 24

    /// Resizes like Pillow 13's `Image.resize((width, height), filter, box)`, bit for bit.
    ///
    /// Convolution filters run as Pillow does: separable passes with coefficients normalised to
    /// sum 1 and rounded to 22-bit fixed point, an 8-bit intermediate image, the vertical pass
    /// first only when the height shrinks by more than twice as many pixels as the width, and a
    /// pass skipped when its axis keeps its size. `nearest` picks `floor` of each output pixel's
    /// centre mapped to the source, accumulated in double precision as Pillow's affine scaler does.
    /// An unchanged size with the whole image as box returns the image itself.
    ///
    /// - Parameters:
    ///   - width: output width in pixels (≥ 1).
    ///   - height: output height in pixels (≥ 1).
    ///   - filter: resampling filter (CLIP uses `bicubic`).
    ///   - box: source region (default: the whole image); must lie inside the image.
    /// - Throws: `ImagingError` (`invalidArgument`) for a size below 1, an output above
    ///   `maximumResizePixels`, or a box outside the image or with negative extent.
    public func resized(width: Int, height: Int, filter: ResampleFilter = .bicubic, box: ResizeBox? = nil) throws(ImagingError) -> RGBImage {
        try resized(width: width, height: height, filter: filter, box: box,
                    croppedTo: PixelRect(x: 0, y: 0, width: width, height: height))
    }

    /// The `crop` region of `resized(width:height:filter:box:)`, computing only that region.
    ///
    /// The pixels equal resizing the whole image and cropping (each output pixel depends only on
    /// its own taps, and the 8-bit intermediate pixels are the same), but the work and memory
    /// scale with the crop: CLIP's resize-then-centre-crop costs one S×S output, however long the
    /// other side of the resized image would be.
    ///
    /// - Throws: `ImagingError` (`invalidArgument`) as `resized`, or when `crop` is empty or not
    ///   inside the `width × height` output.
    public func resized(width: Int, height: Int, filter: ResampleFilter = .bicubic, box: ResizeBox? = nil,
                        croppedTo crop: PixelRect) throws(ImagingError) -> RGBImage {
        guard width >= 1, height >= 1 else {
            throw ImagingError(.invalidArgument, "resize size must be at least 1×1 (got \(width)×\(height))")
        }
        guard width <= Self.maximumResizeSide, height <= Self.maximumResizeSide else {
            throw ImagingError(.invalidArgument, "resize to \(width)×\(height) exceeds the \(Self.maximumResizeSide)-pixel side limit")
        }
        guard crop.width >= 1, crop.height >= 1, crop.x >= 0, crop.y >= 0,
              crop.x <= width - crop.width, crop.y <= height - crop.height else {
            throw ImagingError(.invalidArgument, "crop \(crop) is not a non-empty region of the \(width)×\(height) output")
        }
        guard crop.width <= Self.maximumResizePixels / crop.height else {
            throw ImagingError(.invalidArgument, "resize to \(crop.width)×\(crop.height) exceeds the \(Self.maximumResizePixels)-pixel limit")
        }
        let region = box ?? ResizeBox(left: 0, top: 0, right: Float(self.width), bottom: Float(self.height))
        guard region.left >= 0, region.top >= 0 else {
            throw ImagingError(.invalidArgument, "resize box offset can't be negative")
        }
        guard region.right <= Float(self.width), region.bottom <= Float(self.height) else {
            throw ImagingError(.invalidArgument, "resize box can't exceed the \(self.width)×\(self.height) image")
        }
        guard region.right - region.left >= 0, region.bottom - region.top >= 0 else {
            throw ImagingError(.invalidArgument, "resize box can't be empty")
        }
        if width == self.width && height == self.height && box == nil {
            return cropped(crop)
        }
        // Pillow crops when the box has integral offsets and the output's size.
        if region.left == region.left.rounded(.towardZero), region.right - region.left == Float(width),
           region.top == region.top.rounded(.towardZero), region.bottom - region.top == Float(height) {
            return cropped(PixelRect(x: Int(region.left) + crop.x, y: Int(region.top) + crop.y,
                                     width: crop.width, height: crop.height))
        }
        if filter == .nearest {
            return nearestResized(width: width, height: height, box: region, crop: crop)
        }
        return convolutionResized(width: width, height: height, filter: filter, box: region, crop: crop)
    }

    /// The pixels of `rect`, which must lie inside the image.
    func cropped(_ rect: PixelRect) -> RGBImage {
        if rect == PixelRect(x: 0, y: 0, width: width, height: height) { return self }
        var out = [UInt8](repeating: 0, count: rect.width * rect.height * 3)
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                let rowLength = rect.width * 3
                for row in 0..<rect.height {
                    let from = ((rect.y + row) * width + rect.x) * 3
                    let to = row * rowLength
                    for i in 0..<rowLength { dst[to + i] = src[from + i] }
                }
            }
        }
        return RGBImage(width: rect.width, height: rect.height, pixels: out)
    }

    // MARK: Nearest neighbour (Pillow's ImagingScaleAffine)

    private func nearestResized(width: Int, height: Int, box: ResizeBox, crop: PixelRect) -> RGBImage {
        // Pillow walks the coordinates by repeated addition from the first pixel; so does this,
        // so the positions are bit-identical. -1 marks a position outside (Pillow leaves 0 there).
        let columns = Self.nearestPositions(start: box.left, extent: box.right - box.left, count: width,
                                            limit: self.width, keep: crop.columns)
        let rows = Self.nearestPositions(start: box.top, extent: box.bottom - box.top, count: height,
                                         limit: self.height, keep: crop.rows)
        var out = [UInt8](repeating: 0, count: crop.width * crop.height * 3)
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for (y, row) in rows.enumerated() where row >= 0 {
                    let rowBase = row * self.width * 3
                    let outBase = y * crop.width * 3
                    for (x, column) in columns.enumerated() where column >= 0 {
                        let from = rowBase + column * 3
                        dst[outBase + x * 3] = src[from]
                        dst[outBase + x * 3 + 1] = src[from + 1]
                        dst[outBase + x * 3 + 2] = src[from + 2]
                    }
                }
            }
        }
        return RGBImage(width: crop.width, height: crop.height, pixels: out)
    }

    /// Source indices of the outputs in `keep` for a nearest-neighbour axis of `count` outputs.
    private static func nearestPositions(start: Float, extent: Float, count: Int, limit: Int, keep: Range<Int>) -> [Int] {
        let step = Double(extent) / Double(count)
        var position = Double(start) + step * 0.5
        var result: [Int] = []
        result.reserveCapacity(keep.count)
        for index in 0..<keep.upperBound {
            if index >= keep.lowerBound {
                // Pillow's COORD(v): −1 below zero, else truncation.
                let source = position < 0 ? -1 : (position < Double(limit) ? Int(position) : limit)
                result.append(source >= 0 && source < limit ? source : -1)
            }
            position += step
        }
        return result
    }

    // MARK: Convolution filters (Pillow's ImagingResampleInner)

    private func convolutionResized(width: Int, height: Int, filter: ResampleFilter, box: ResizeBox, crop: PixelRect) -> RGBImage {
        let needHorizontal = width != self.width || box.left != 0 || box.right != Float(width)
        let needVertical = height != self.height || box.top != 0 || box.bottom != Float(height)
        let verticalFirst = height < self.height && (self.height - height) > 2 * (self.width - width)
        let horizontal = ResampleCoefficients.cached(inSize: self.width, in0: box.left, in1: box.right, outSize: width,
                                                     outputs: crop.columns, filter: filter)
        let vertical = ResampleCoefficients.cached(inSize: self.height, in0: box.top, in1: box.bottom, outSize: height,
                                                   outputs: crop.rows, filter: filter)
        // Without a pass on an axis, output index i is source index i on that axis.
        let sourceColumns = needHorizontal ? horizontal.sourceRange : crop.columns
        let sourceRows = needVertical ? vertical.sourceRange : crop.rows

        if verticalFirst {
            var image = needVertical
                ? verticalPass(vertical, columns: sourceColumns)
                : cropped(PixelRect(x: sourceColumns.lowerBound, y: sourceRows.lowerBound,
                                    width: sourceColumns.count, height: sourceRows.count))
            if needHorizontal {
                image = image.horizontalPass(horizontal.shifted(by: -sourceColumns.lowerBound))
            }
            return image
        }
        var image = needHorizontal
            ? horizontalPass(horizontal, rows: sourceRows)
            : cropped(PixelRect(x: sourceColumns.lowerBound, y: sourceRows.lowerBound,
                                width: sourceColumns.count, height: sourceRows.count))
        if needVertical {
            image = image.verticalPass(vertical.shifted(by: -sourceRows.lowerBound), columns: 0..<image.width)
        }
        return image
    }

    /// Resamples source rows `rows` (all rows by default) horizontally to the coefficients' outputs.
    func horizontalPass(_ coefficients: ResampleCoefficients, rows: Range<Int>? = nil) -> RGBImage {
        let rows = rows ?? 0..<height
        let outWidth = coefficients.count
        let taps = coefficients.taps
        let rowLength = width * 3
        var out = [UInt8](repeating: 0, count: outWidth * rows.count * 3)
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                coefficients.weights.withUnsafeBufferPointer { weights in
                    coefficients.starts.withUnsafeBufferPointer { starts in
                        coefficients.counts.withUnsafeBufferPointer { counts in
                            guard let source = src.baseAddress, let target = dst.baseAddress,
                                  let kernel = weights.baseAddress else { return }
                            for (row, sourceRow) in rows.enumerated() {
                                let line = source + sourceRow &* rowLength
                                let outLine = target + row &* outWidth &* 3
                                for x in 0..<outWidth {
                                    var r: Int32 = 1 << 21, g: Int32 = 1 << 21, b: Int32 = 1 << 21
                                    var p = line + Int(starts[x]) &* 3
                                    let k = kernel + x &* taps
                                    for t in 0..<Int(counts[x]) {
                                        let w = k[t]
                                        r = r &+ Int32(p[0]) &* w
                                        g = g &+ Int32(p[1]) &* w
                                        b = b &+ Int32(p[2]) &* w
                                        p += 3
                                    }
                                    outLine[x &* 3] = Self.clip8(r)
                                    outLine[x &* 3 &+ 1] = Self.clip8(g)
                                    outLine[x &* 3 &+ 2] = Self.clip8(b)
                                }
                            }
                        }
                    }
                }
            }
        }
        return RGBImage(width: outWidth, height: rows.count, pixels: out)
    }

    /// Resamples source columns `columns` vertically to the coefficients' outputs.
    func verticalPass(_ coefficients: ResampleCoefficients, columns: Range<Int>) -> RGBImage {
        let outHeight = coefficients.count
        let taps = coefficients.taps
        let stride = width * 3
        let rowLength = columns.count * 3
        let firstSample = columns.lowerBound * 3
        var out = [UInt8](repeating: 0, count: rowLength * outHeight)
        var accumulator = [Int32](repeating: 0, count: rowLength)
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                accumulator.withUnsafeMutableBufferPointer { accumulatorBuffer in
                    coefficients.weights.withUnsafeBufferPointer { weights in
                        guard let source = src.baseAddress, let target = dst.baseAddress,
                              let acc = accumulatorBuffer.baseAddress else { return }
                        for y in 0..<outHeight {
                            for i in 0..<rowLength { acc[i] = 1 << 21 }
                            let start = Int(coefficients.starts[y])
                            for t in 0..<Int(coefficients.counts[y]) {
                                let w = weights[y &* taps &+ t]
                                let line = source + ((start &+ t) &* stride &+ firstSample)
                                for i in 0..<rowLength { acc[i] = acc[i] &+ Int32(line[i]) &* w }
                            }
                            let outLine = target + y &* rowLength
                            for i in 0..<rowLength { outLine[i] = Self.clip8(acc[i]) }
                        }
                    }
                }
            }
        }
        return RGBImage(width: columns.count, height: outHeight, pixels: out)
    }

    /// Pillow's `clip8`: the 22-bit fixed-point sum to 0…255.
    @inline(__always)
    private static func clip8(_ sum: Int32) -> UInt8 {
        let v = sum >> 22
        return v <= 0 ? 0 : (v >= 255 ? 255 : UInt8(truncatingIfNeeded: v))
    }
}
