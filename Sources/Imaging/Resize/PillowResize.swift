import Synchronization

/// A source region for `RGBImage.resized`, in pixel-edge coordinates (Pillow's `box`):
/// `(0, 0, width, height)` is the whole image; fractional edges are allowed.
public struct ResizeBox: Sendable, Equatable, Hashable {
    public var left: Float
    public var top: Float
    public var right: Float
    public var bottom: Float

    public init(left: Float, top: Float, right: Float, bottom: Float) {
        self.left = left
        self.top = top
        self.right = right
        self.bottom = bottom
    }
}

extension RGBImage {
    /// Largest output `resized` produces (pixels), so a bad size cannot exhaust memory.
    public static let maximumResizePixels = 1 << 26

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
        guard width >= 1, height >= 1 else {
            throw ImagingError(.invalidArgument, "resize size must be at least 1×1 (got \(width)×\(height))")
        }
        guard width <= Self.maximumResizePixels / height else {
            throw ImagingError(.invalidArgument, "resize to \(width)×\(height) exceeds the \(Self.maximumResizePixels)-pixel limit")
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
        if width == self.width && height == self.height && box == nil { return self }
        // Pillow crops when the box has integral offsets and the output's size.
        if region.left == region.left.rounded(.towardZero), region.right - region.left == Float(width),
           region.top == region.top.rounded(.towardZero), region.bottom - region.top == Float(height) {
            return cropped(x: Int(region.left), y: Int(region.top), width: width, height: height)
        }
        if filter == .nearest {
            return nearestResized(width: width, height: height, box: region)
        }
        return convolutionResized(width: width, height: height, filter: filter, box: region)
    }

    /// The `width × height` region whose top-left pixel is (x, y); the region must lie inside the image.
    func cropped(x: Int, y: Int, width: Int, height: Int) -> RGBImage {
        var out = [UInt8](repeating: 0, count: width * height * 3)
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for row in 0..<height {
                    let from = ((y + row) * self.width + x) * 3
                    let to = row * width * 3
                    for i in 0..<(width * 3) { dst[to + i] = src[from + i] }
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: out)
    }

    // MARK: Nearest neighbour (Pillow's ImagingScaleAffine)

    private func nearestResized(width: Int, height: Int, box: ResizeBox) -> RGBImage {
        let stepX = Double(box.right - box.left) / Double(width)
        let stepY = Double(box.bottom - box.top) / Double(height)
        // Source column of every output column; -1 where it falls outside (Pillow leaves 0 there).
        var columns = [Int](repeating: -1, count: width)
        var sourceX = Double(box.left) + stepX * 0.5
        for x in 0..<width {
            let column = Self.coordinate(sourceX)
            if column >= 0 && column < self.width { columns[x] = column }
            sourceX += stepX
        }
        var out = [UInt8](repeating: 0, count: width * height * 3)
        var sourceY = Double(box.top) + stepY * 0.5
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for y in 0..<height {
                    let row = Self.coordinate(sourceY)
                    sourceY += stepY
                    guard row >= 0 && row < self.height else { continue }
                    let rowBase = row * self.width * 3
                    let outBase = y * width * 3
                    for x in 0..<width where columns[x] >= 0 {
                        let from = rowBase + columns[x] * 3
                        dst[outBase + x * 3] = src[from]
                        dst[outBase + x * 3 + 1] = src[from + 1]
                        dst[outBase + x * 3 + 2] = src[from + 2]
                    }
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: out)
    }

    /// Pillow's `COORD(v)`: −1 below zero, else truncation.
    private static func coordinate(_ v: Double) -> Int {
        v < 0 ? -1 : (v < Double(Int.max) ? Int(v) : Int.max)
    }

    // MARK: Convolution filters (Pillow's ImagingResampleInner)

    private func convolutionResized(width: Int, height: Int, filter: ResampleFilter, box: ResizeBox) -> RGBImage {
        let needHorizontal = width != self.width || box.left != 0 || box.right != Float(width)
        let needVertical = height != self.height || box.top != 0 || box.bottom != Float(height)
        let horizontal = ResampleCoefficients.cached(inSize: self.width, in0: box.left, in1: box.right, outSize: width, filter: filter)
        let vertical = ResampleCoefficients.cached(inSize: self.height, in0: box.top, in1: box.bottom, outSize: height, filter: filter)
        let verticalFirst = height < self.height && (self.height - height) > 2 * (self.width - width)

        var image = self
        if verticalFirst {
            if needVertical { image = image.verticalPass(vertical, rowOffset: 0) }
            if needHorizontal { image = image.horizontalPass(horizontal, firstRow: 0, rows: image.height) }
        } else {
            var verticalCoefficients = vertical
            if needHorizontal {
                // Only the source rows the vertical pass reads are resampled horizontally.
                let firstRow = vertical.firstSourceIndex
                let rows = vertical.lastSourceIndex - firstRow
                image = image.horizontalPass(horizontal, firstRow: firstRow, rows: rows)
                verticalCoefficients = vertical.shifted(by: -firstRow)
            }
            if needVertical { image = image.verticalPass(verticalCoefficients, rowOffset: 0) }
        }
        return image
    }

    /// Resamples each row to `coefficients.outSize` columns, for source rows `firstRow ..< firstRow + rows`.
    func horizontalPass(_ coefficients: ResampleCoefficients, firstRow: Int, rows: Int) -> RGBImage {
        let outWidth = coefficients.outSize
        let taps = coefficients.taps
        var out = [UInt8](repeating: 0, count: outWidth * rows * 3)
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                coefficients.weights.withUnsafeBufferPointer { weights in
                    coefficients.starts.withUnsafeBufferPointer { starts in
                        coefficients.counts.withUnsafeBufferPointer { counts in
                            for row in 0..<rows {
                                let inRow = (firstRow + row) * self.width * 3
                                let outRow = row * outWidth * 3
                                for x in 0..<outWidth {
                                    var r: Int32 = 1 << 21, g: Int32 = 1 << 21, b: Int32 = 1 << 21
                                    var p = inRow + Int(starts[x]) * 3
                                    let k = x * taps
                                    for t in 0..<Int(counts[x]) {
                                        let w = weights[k + t]
                                        r = r &+ Int32(src[p]) &* w
                                        g = g &+ Int32(src[p + 1]) &* w
                                        b = b &+ Int32(src[p + 2]) &* w
                                        p += 3
                                    }
                                    dst[outRow + x * 3] = Self.clip8(r)
                                    dst[outRow + x * 3 + 1] = Self.clip8(g)
                                    dst[outRow + x * 3 + 2] = Self.clip8(b)
                                }
                            }
                        }
                    }
                }
            }
        }
        return RGBImage(width: outWidth, height: rows, pixels: out)
    }

    /// Resamples each column to `coefficients.outSize` rows; source row indices are shifted by `rowOffset`.
    func verticalPass(_ coefficients: ResampleCoefficients, rowOffset: Int) -> RGBImage {
        let outHeight = coefficients.outSize
        let taps = coefficients.taps
        let rowLength = width * 3
        var out = [UInt8](repeating: 0, count: rowLength * outHeight)
        var accumulator = [Int32](repeating: 0, count: rowLength)
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                accumulator.withUnsafeMutableBufferPointer { acc in
                    for y in 0..<outHeight {
                        for i in 0..<rowLength { acc[i] = 1 << 21 }
                        let start = Int(coefficients.starts[y]) + rowOffset
                        for t in 0..<Int(coefficients.counts[y]) {
                            let w = coefficients.weights[y * taps + t]
                            let inRow = (start + t) * rowLength
                            for i in 0..<rowLength { acc[i] = acc[i] &+ Int32(src[inRow + i]) &* w }
                        }
                        let outRow = y * rowLength
                        for i in 0..<rowLength { dst[outRow + i] = Self.clip8(acc[i]) }
                    }
                }
            }
        }
        return RGBImage(width: width, height: outHeight, pixels: out)
    }

    /// Pillow's `clip8`: the 22-bit fixed-point sum to 0…255.
    @inline(__always)
    private static func clip8(_ sum: Int32) -> UInt8 {
        let v = sum >> 22
        return v <= 0 ? 0 : (v >= 255 ? 255 : UInt8(truncatingIfNeeded: v))
    }
}

/// The fixed-point taps of one resampling axis (Pillow's `precompute_coeffs` + `normalize_coeffs_8bpc`).
struct ResampleCoefficients: Sendable {
    /// Output size along the axis.
    let outSize: Int
    /// Stride of `weights` per output index (Pillow's `ksize`).
    let taps: Int
    /// First source index each output reads.
    let starts: [Int32]
    /// Number of source indices each output reads.
    let counts: [Int32]
    /// `outSize × taps` weights in 2^22 fixed point.
    let weights: [Int32]

    /// Precision of the fixed-point weights (Pillow's `PRECISION_BITS`).
    static let precisionBits = 22

    init(inSize: Int, in0: Float, in1: Float, outSize: Int, filter: ResampleFilter) {
        let scale = Double(in1 - in0) / Double(outSize)
        let filterScale = max(scale, 1)
        let support = filter.support * filterScale
        let taps = Int(support.rounded(.up)) * 2 + 1
        let inverseFilterScale = 1 / filterScale
        var starts = [Int32](repeating: 0, count: outSize)
        var counts = [Int32](repeating: 0, count: outSize)
        var weights = [Int32](repeating: 0, count: outSize * taps)
        var kernel = [Double](repeating: 0, count: taps)
        let one = Double(1 << Self.precisionBits)
        for index in 0..<outSize {
            let center = Double(in0) + (Double(index) + 0.5) * scale
            let first = max(Self.truncate(center - support + 0.5), 0)
            let end = min(Self.truncate(center + support + 0.5), inSize)
            let count = min(max(end - first, 0), taps)
            var sum = 0.0
            for t in 0..<count {
                let w = filter.weight((Double(t + first) - center + 0.5) * inverseFilterScale)
                kernel[t] = w
                sum += w
            }
            for t in 0..<count {
                let w = sum != 0 ? kernel[t] / sum : kernel[t]
                weights[index * taps + t] = Int32(truncatingIfNeeded: Self.truncate(w < 0 ? -0.5 + w * one : 0.5 + w * one))
            }
            starts[index] = Int32(first)
            counts[index] = Int32(count)
        }
        self.outSize = outSize
        self.taps = taps
        self.starts = starts
        self.counts = counts
        self.weights = weights
    }

    private init(outSize: Int, taps: Int, starts: [Int32], counts: [Int32], weights: [Int32]) {
        self.outSize = outSize
        self.taps = taps
        self.starts = starts
        self.counts = counts
        self.weights = weights
    }

    /// C's `(int)` conversion: truncation toward zero (saturating instead of undefined).
    private static func truncate(_ v: Double) -> Int {
        if v.isNaN { return 0 }
        if v >= 2_147_483_647 { return 2_147_483_647 }
        if v <= -2_147_483_648 { return -2_147_483_648 }
        return Int(v)
    }

    /// First source index any output reads (Pillow's `ybox_first`).
    var firstSourceIndex: Int { outSize > 0 ? Int(starts[0]) : 0 }
    /// One past the last source index the last output reads (Pillow's `ybox_last`).
    var lastSourceIndex: Int { outSize > 0 ? Int(starts[outSize - 1]) + Int(counts[outSize - 1]) : 0 }

    /// The same taps with every start moved by `delta`.
    func shifted(by delta: Int) -> ResampleCoefficients {
        ResampleCoefficients(outSize: outSize, taps: taps, starts: starts.map { $0 + Int32(delta) },
                             counts: counts, weights: weights)
    }

    private struct Key: Hashable {
        var inSize: Int
        var in0: UInt32
        var in1: UInt32
        var outSize: Int
        var filter: ResampleFilter
    }

    /// Coefficient sets kept for reuse (sweeps resize many same-size images).
    private static let cache = Mutex<[Key: ResampleCoefficients]>([:])
    private static let cacheCapacity = 64

    /// The coefficients for this axis, computed once per (sizes, box edges, filter).
    static func cached(inSize: Int, in0: Float, in1: Float, outSize: Int, filter: ResampleFilter) -> ResampleCoefficients {
        let key = Key(inSize: inSize, in0: in0.bitPattern, in1: in1.bitPattern, outSize: outSize, filter: filter)
        if let hit = cache.withLock({ $0[key] }) { return hit }
        let computed = ResampleCoefficients(inSize: inSize, in0: in0, in1: in1, outSize: outSize, filter: filter)
        cache.withLock { table in
            if table.count >= cacheCapacity { table.removeAll(keepingCapacity: true) }
            table[key] = computed
        }
        return computed
    }
}
