import CImageKernels

/// How geometric operations sample the source, with Pillow's `Image.transform` conventions.
public enum Interpolation: String, Sendable, Hashable, CaseIterable {
    /// The source pixel containing the sample point. Coordinates are stepped in 16.16 fixed
    /// point exactly as Pillow's affine NEAREST does (when every coordinate is below 32768 px),
    /// so results are bit-identical to Pillow.
    case nearest
    /// Linear interpolation between the 4 nearest pixel centres (Pillow BILINEAR).
    case bilinear
    /// Cubic convolution with a = −1 over the 4×4 nearest pixel centres (Pillow's BICUBIC for
    /// transforms; note Pillow's *resize* uses a = −0.5), clamped to [0, 1].
    case bicubic
}

/// What geometric operations show where the source has no pixels.
public enum Fill: Sendable, Hashable {
    /// A constant colour (Pillow's `fillcolor`). A sample point outside the source rectangle
    /// [0, w) × [0, h) gets the colour; inside it, taps beyond the edge repeat the edge pixel
    /// (Pillow's behaviour in the half-pixel border).
    case constant(FloatColor)
    /// Edge extension (clamp): every tap beyond the border repeats the nearest edge pixel.
    case edge
    /// Half-sample symmetric reflection, as scipy.ndimage mode "reflect": … c b a | a b c … z | z y x …
    /// (period 2n, so it keeps folding however far a tap lies outside).
    case reflect

    /// Black constant fill, the default.
    public static let black = Fill.constant(.black)

    /// A short stable name for provenance: `"constant"`, `"edge"` or `"reflect"`.
    public var name: String {
        switch self {
        case .constant: return "constant"
        case .edge: return "edge"
        case .reflect: return "reflect"
        }
    }

    /// The constant colour, or nil for edge and reflect.
    public var color: FloatColor? {
        if case .constant(let color) = self { return color }
        return nil
    }
}

/// An affine map from output pixel positions to source positions, in Pillow's convention.
///
/// Coordinates are continuous pixel units with the origin at the top-left corner of the image:
/// pixel (i, j) covers [i, i+1) × [j, j+1) and its centre is (i + 0.5, j + 0.5). The output
/// pixel (i, j) samples the source at `(a·x + b·y + c, d·x + e·y + f)` with `x = i + 0.5`,
/// `y = j + 0.5` (evaluated left to right in Double, as Pillow does). This is the *inverse*
/// of the visible motion: to move the content right by 3 px, `c = −3`.
public struct AffineMap: Sendable, Hashable {
    /// Source x per output x (dimensionless).
    public var a: Double
    /// Source x per output y (dimensionless).
    public var b: Double
    /// Source x offset, in source pixels.
    public var c: Double
    /// Source y per output x (dimensionless).
    public var d: Double
    /// Source y per output y (dimensionless).
    public var e: Double
    /// Source y offset, in source pixels.
    public var f: Double

    /// The map `(x, y) ↦ (a·x + b·y + c, d·x + e·y + f)`.
    public init(a: Double, b: Double, c: Double, d: Double, e: Double, f: Double) {
        self.a = a; self.b = b; self.c = c
        self.d = d; self.e = e; self.f = f
    }

    /// The identity map.
    public static let identity = AffineMap(a: 1, b: 0, c: 0, d: 0, e: 1, f: 0)

    /// The source position of the point (x, y), in pixel units.
    @inlinable public func source(x: Double, y: Double) -> (x: Double, y: Double) {
        (a * x + b * y + c, d * x + e * y + f)
    }
}

/// Resamples an image through an affine map (same canvas size): the engine behind rotation,
/// shift and zoom.
///
/// Sampling follows Pillow's `Image.transform(size, AFFINE, …)` (libImaging/Geometry.c):
/// bilinear and bicubic place pixel centres at i + 0.5, take taps `floor(x − 0.5) + k` and,
/// with a constant fill, treat a sample point outside [0, w) × [0, h) as outside; nearest
/// steps in 16.16 fixed point (or, for pure scale/translation maps, by Double addition per
/// axis, as Pillow's `ImagingScaleAffine`). Computation is float32 on the samples (Pillow interpolates
/// 8-bit values in double and truncates), so results agree with Pillow within 1/255.
public struct AffineWarp: ImageOperation {
    /// Output position → source position.
    public var map: AffineMap
    /// How the source is sampled.
    public var interpolation: Interpolation
    /// What is shown where the source has no pixels.
    public var fill: Fill

    /// A warp through `map` with the given interpolation (default bilinear) and fill (default black).
    public init(map: AffineMap, interpolation: Interpolation = .bilinear, fill: Fill = .black) {
        self.map = map
        self.interpolation = interpolation
        self.fill = fill
    }

    /// The warped image (same size). Throws `invalidArgument` for non-finite coefficients, a
    /// scale coefficient beyond ±2²⁰, a fill colour outside [0, 1], or a map sending a corner
    /// beyond ±2³⁰ px.
    public func apply(to image: FloatImage) throws(ImagingError) -> FloatImage {
        try validate(width: image.width, height: image.height)
        let geometry = WarpGeometry(width: image.width, height: image.height, map: map, fill: fill)
        return image.pixels.withUnsafeBufferPointer { source in
            FloatImage.build(width: image.width, height: image.height) { output in
                guard let src = source.baseAddress, let dst = output.baseAddress else { return }
                switch interpolation {
                case .nearest: geometry.nearest(src, dst)
                case .bilinear: geometry.bilinear(src, dst)
                case .bicubic: geometry.bicubic(src, dst)
                }
            }
        }
    }

    /// Largest source coordinate (in pixels) a map may reach: keeps integer conversions safe.
    static let coordinateLimit = 1_073_741_824.0
    /// Largest |a|, |b|, |d|, |e| (source pixels per output pixel): keeps 32.32 fixed-point steps in range.
    static let scaleLimit = 1_048_576.0

    func validate(width: Int, height: Int) throws(ImagingError) {
        for (value, name) in [(map.a, "a"), (map.b, "b"), (map.c, "c"), (map.d, "d"), (map.e, "e"), (map.f, "f")] {
            try Check.finite(value, "affine map coefficient \(name)")
        }
        for (value, name) in [(map.a, "a"), (map.b, "b"), (map.d, "d"), (map.e, "e")] where abs(value) > Self.scaleLimit {
            throw ImagingError(.invalidArgument,
                               "affine map coefficient \(name) = \(value) is beyond ±2^20 (zoom factor too extreme)")
        }
        if let color = fill.color { try color.validate("fill colour") }
        for (x, y) in [(0.0, 0.0), (Double(width), 0.0), (0.0, Double(height)), (Double(width), Double(height))] {
            let s = map.source(x: x, y: y)
            guard abs(s.x) <= Self.coordinateLimit, abs(s.y) <= Self.coordinateLimit else {
                throw ImagingError(.invalidArgument,
                                   "the transform maps output corner (\(x), \(y)) to (\(s.x), \(s.y)), beyond ±2^30 px (zoom factor or shift too extreme)")
            }
        }
    }
}

/// Per-call constants of a warp and the three sampling loops.
struct WarpGeometry {
    let width: Int
    let height: Int
    let map: AffineMap
    /// Whether taps beyond the border reflect (else they clamp).
    let reflect: Bool
    /// The constant fill colour, or nil when every output pixel samples the (extended) source.
    let fillColor: SIMD4<Float>?

    /// Images wider than this are processed in 32×8 tiles (see `tileSize`); tests lower it.
    let tiledAboveWidth: Int

    /// Whether the bilinear interior runs in C (`vectorKernels`); tests turn it off to compare.
    let useVectorKernels: Bool

    init(width: Int, height: Int, map: AffineMap, fill: Fill, tiledAboveWidth: Int = 2048,
         useVectorKernels: Bool = WarpGeometry.vectorKernels) {
        self.width = width
        self.height = height
        self.map = map
        self.tiledAboveWidth = tiledAboveWidth
        self.useVectorKernels = useVectorKernels
        reflect = fill == .reflect
        fillColor = fill.color?.vector
    }

    var pixelCount: Int { width * height }

    /// Whether the C interior loops (CImageKernels) are available; the Swift loops compute the
    /// same formulas in the same order, so both give identical floats.
    static let vectorKernels = cik_has_kernels() != 0

    // MARK: Taps

    /// Maps a tap index onto 0..<n: clamp or half-sample reflection.
    @inline(__always) func wrap(_ i: Int, _ n: Int) -> Int {
        if i >= 0 && i < n { return i }
        if !reflect { return i < 0 ? 0 : n - 1 }
        return reflectedIndex(i, count: n)
    }

    /// Largest integer ≤ v (|v| ≤ 2^30 here).
    @inline(__always) func floorInt(_ v: Double) -> Int {
        let t = Int(v)
        return Double(t) > v ? t - 1 : t
    }

    /// Pixel `index` as (R, G, B, ·): one unaligned 4-float load except for the very last pixel.
    @inline(__always) func load(_ src: UnsafePointer<Float>, _ index: Int) -> SIMD4<Float> {
        let p = src + index * 3
        if index < pixelCount - 1 { return UnsafeRawPointer(p).loadUnaligned(as: SIMD4<Float>.self) }
        return SIMD4(p[0], p[1], p[2], 0)
    }

    /// Whether a sample point is outside the source rectangle (NaN counts as outside).
    @inline(__always) func outside(_ xs: Double, _ ys: Double) -> Bool {
        !(xs >= 0 && xs < Double(width) && ys >= 0 && ys < Double(height))
    }

    // MARK: Bilinear

    /// The output is visited in tiles of this size (rows within a tile, tiles in row-major
    /// order). Images up to 2048 px wide use whole rows: their source rows are few enough
    /// pages, and small tiles would stack rows whose stride is a multiple of 4 KiB onto the same
    /// L1 sets. Wider images use 32×8 tiles: a rotated 4096-px row crosses ~2500 source rows, one
    /// page each, and a short tile keeps the rows it crosses in the cache and TLB (measured on a
    /// 4096² rotation by 37°: 256×64 tiles 215 ms, 64×64 164 ms, 32×32 132 ms, 32×8 107 ms).
    var tileSize: (width: Int, height: Int) {
        width <= tiledAboveWidth ? (width, height) : (32, 8)
    }

    /// Writes R, G, B of `v` to pixel `index` with one 4-float store. The fourth float lands
    /// on the next pixel's red: within a row that pixel is written later; at the end of the
    /// buffer it is the spare float of `FloatImage.build`; across tiles `forEachTile` repairs it.
    @inline(__always) func store(_ v: SIMD4<Float>, _ dst: UnsafeMutablePointer<Float>, _ index: Int) {
        UnsafeMutableRawPointer(dst + index &* 3).storeBytes(of: v, as: SIMD4<Float>.self)
    }

    /// Calls `body(x0, x1, y0, y1)` for every tile of `tileSize`, in row-major order, each of
    /// which must write its pixels row by row with `store`. With real tiles, a row's last pixel
    /// spills into the next row's first red sample after tile column 0 wrote it; those samples
    /// are saved after tile column 0 and restored at the end of each band.
    @inline(__always) func forEachTile(_ dst: UnsafeMutablePointer<Float>, _ body: (Int, Int, Int, Int) -> Void) {
        let tile = tileSize
        let tiled = tile.width < width
        var saved = [Float](repeating: 0, count: tiled ? tile.height : 0)
        var ty = 0
        while ty < height {
            let yEnd = min(ty + tile.height, height)
            var tx = 0
            while tx < width {
                let xEnd = min(tx + tile.width, width)
                body(tx, xEnd, ty, yEnd)
                if tiled && tx == 0 {
                    for y in ty..<yEnd { saved[y - ty] = dst[y * width * 3] }
                }
                tx = xEnd
            }
            if tiled {
                for y in (ty + 1)..<yEnd { dst[y * width * 3] = saved[y - ty] }
            }
            ty = yEnd
        }
    }

    func bilinear(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>) {
        forEachTile(dst) { bilinearRect(src, dst, $0, $1, $2, $3) }
    }

    /// Bilinear for the output rectangle [x0, x1) × [y0, y1), row by row.
    ///
    /// Interior pixels (all four taps inside) step the tap position along the row in 32.32
    /// fixed point from the exact position of the row's first pixel: an integer add and shift per
    /// coordinate instead of Double arithmetic and conversions. The stepping error is at most
    /// 2⁻³³ px per pixel (5·10⁻⁷ px over 4096 px), far below float32 resolution of the result,
    /// and exact for axis-aligned maps (quarter turns copy samples). Pixels near or beyond the
    /// border are computed from the exact Double position, as Pillow does.
    @inline(never)
    func bilinearRect(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ x0: Int, _ x1: Int,
                      _ y0: Int, _ y1: Int) {
        let w = width, h = height
        let m = map
        let one = 4_294_967_296.0  // 2³²
        let stepU = Int64((m.a * one).rounded()), stepV = Int64((m.d * one).rounded())
        let fraction: Float = 1.0 / 4_294_967_296.0
        let lastX = UInt(bitPattern: w &- 1), lastY = UInt(bitPattern: h &- 1)
        let rowBytes = w &* 12
        for y in y0..<y1 {
            let yin = Double(y) + 0.5
            let by = m.b * yin, ey = m.e * yin
            // From the row's first pixel, so that tiles give the same positions as whole rows.
            var fixedU = Int64(((m.a * 0.5 + by + m.c) - 0.5) * one) &+ Int64(x0) &* stepU
            var fixedV = Int64(((m.d * 0.5 + ey + m.f) - 0.5) * one) &+ Int64(x0) &* stepV
            var index = y &* w &+ x0
            var x = x0
            while x < x1 {
                if useVectorKernels {
                    // The interior run in C (the same formulas, reliably vectorised).
                    let done = cik_bilinear_interior_run(src, w, h, dst + index &* 3, x1 &- x,
                                                         &fixedU, &fixedV, stepU, stepV)
                    x &+= done
                    index &+= done
                    if x == x1 { break }
                }
                defer { x &+= 1; index &+= 1; fixedU &+= stepU; fixedV &+= stepV }
                let tx = Int(truncatingIfNeeded: fixedU >> 32), ty = Int(truncatingIfNeeded: fixedV >> 32)
                let i00 = ty &* w &+ tx
                // Interior: all four taps inside (so inside for a constant fill too), and the
                // 4-float load of p11 stays in bounds.
                guard UInt(bitPattern: tx) < lastX && UInt(bitPattern: ty) < lastY && i00 &+ w &+ 1 < pixelCount &- 1 else {
                    let xin = Double(x) + 0.5
                    let xs = m.a * xin + by + m.c, ys = m.d * xin + ey + m.f
                    if let fillColor, outside(xs, ys) {
                        store(fillColor, dst, index)
                    } else {
                        store(bilinearGeneral(src, xs, ys), dst, index)
                    }
                    continue
                }
                let dx = Float(UInt32(truncatingIfNeeded: fixedU)) * fraction
                let dy = Float(UInt32(truncatingIfNeeded: fixedV)) * fraction
                let p = UnsafeRawPointer(src + i00 &* 3)
                let p00 = p.loadUnaligned(as: SIMD4<Float>.self)
                let p01 = p.loadUnaligned(fromByteOffset: 12, as: SIMD4<Float>.self)
                let p10 = p.loadUnaligned(fromByteOffset: rowBytes, as: SIMD4<Float>.self)
                let p11 = p.loadUnaligned(fromByteOffset: rowBytes &+ 12, as: SIMD4<Float>.self)
                let top = p00 + (p01 - p00) * dx
                let bottom = p10 + (p11 - p10) * dx
                store(top + (bottom - top) * dy, dst, index)
            }
        }
    }

    /// One bilinear sample at source position (xs, ys) with every tap wrapped (clamped or
    /// reflected): the border band and beyond. Taps as Pillow's: floor(x − 0.5) and the next.
    @inline(never)
    func bilinearGeneral(_ src: UnsafePointer<Float>, _ xs: Double, _ ys: Double) -> SIMD4<Float> {
        let w = width, h = height
        let u = xs - 0.5, v = ys - 0.5
        let x0 = floorInt(u), y0 = floorInt(v)
        let dx = Float(u - Double(x0)), dy = Float(v - Double(y0))
        let xa = wrap(x0, w), xb = wrap(x0 + 1, w)
        let ya = wrap(y0, h) * w, yb = wrap(y0 + 1, h) * w
        let p00 = load(src, ya + xa), p01 = load(src, ya + xb)
        let p10 = load(src, yb + xa), p11 = load(src, yb + xb)
        let top = p00 + (p01 - p00) * dx
        let bottom = p10 + (p11 - p10) * dx
        return top + (bottom - top) * dy
    }

    // MARK: Bicubic

    /// Pillow's cubic through four samples at offset d in [0, 1) from the second (a = −1).
    @inline(__always) func cubic(_ v1: SIMD4<Float>, _ v2: SIMD4<Float>, _ v3: SIMD4<Float>, _ v4: SIMD4<Float>,
                                 _ d: Float) -> SIMD4<Float> {
        let p2 = v3 - v1
        let p3 = 2 * (v1 - v2) + v3 - v4
        let p4 = v2 - v1 - v3 + v4
        return v2 + d * (p2 + d * (p3 + d * p4))
    }

    func bicubic(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>) {
        let w = width
        let m = map
        let hasFill = fillColor != nil, fill = fillColor ?? SIMD4<Float>()
        forEachTile(dst) { tx, xEnd, ty, yEnd in
            for y in ty..<yEnd {
                let yin = Double(y) + 0.5
                let by = m.b * yin, ey = m.e * yin
                var xin = Double(tx) + 0.5
                var index = y &* w &+ tx
                for _ in tx..<xEnd {
                    let xs = m.a * xin + by + m.c
                    let ys = m.d * xin + ey + m.f
                    xin += 1
                    defer { index &+= 1 }
                    if hasFill && outside(xs, ys) {
                        store(fill, dst, index)
                        continue
                    }
                    store(bicubicSample(src, xs, ys), dst, index)
                }
            }
        }
    }

    /// One bicubic sample at source position (xs, ys), taps wrapped, clamped to [0, 1].
    @inline(__always) func bicubicSample(_ src: UnsafePointer<Float>, _ xs: Double, _ ys: Double) -> SIMD4<Float> {
        let w = width, h = height
        let u = xs - 0.5, v = ys - 0.5
        let x0 = floorInt(u), y0 = floorInt(v)
        let dx = Float(u - Double(x0)), dy = Float(v - Double(y0))
        let c0 = wrap(x0 - 1, w), c1 = wrap(x0, w), c2 = wrap(x0 + 1, w), c3 = wrap(x0 + 2, w)
        @inline(__always) func row(_ k: Int) -> SIMD4<Float> {
            let start = wrap(y0 - 1 + k, h) * w
            return cubic(load(src, start + c0), load(src, start + c1), load(src, start + c2), load(src, start + c3), dx)
        }
        let value = cubic(row(0), row(1), row(2), row(3), dy)
        @inline(__always) func clamp(_ x: Float) -> Float { x > 0 ? (x < 1 ? x : 1) : 0 }
        return SIMD4(clamp(value[0]), clamp(value[1]), clamp(value[2]), 0)
    }

    // MARK: Nearest

    func nearest(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>) {
        let w = width, h = height
        let m = map
        // Pillow uses 16.16 fixed point when all four corners map below 32768 px.
        func coord(_ v: Double) -> Int { v < 0 ? -1 : Int(v) }
        if m.b == 0 && m.d == 0 {
            // Pillow's scale-and-translate path: positions accumulated by addition, per axis.
            var columns = [Int](repeating: 0, count: w)
            var xo = m.c + m.a * 0.5
            for x in 0..<w {
                columns[x] = coord(xo)
                xo += m.a
            }
            var yo = m.f + m.e * 0.5
            for y in 0..<h {
                let yi = coord(yo)
                for x in 0..<w { nearestPixel(src, dst, y * w + x, columns[x], yi) }
                yo += m.e
            }
            return
        }
        let corners = [(0.0, 0.0), (Double(w), Double(h)), (0.0, Double(h)), (Double(w), 0.0)]
        let fixedFits = corners.allSatisfy { x, y in
            abs(x * m.a + y * m.b + m.c) < 32768 && abs(x * m.d + y * m.e + m.f) < 32768
        }
        if fixedFits {
            func fix(_ v: Double) -> Int { floorInt(v * 65536 + 0.5) }
            let a0 = fix(m.a), a1 = fix(m.b), a3 = fix(m.d), a4 = fix(m.e)
            let rowX = fix(m.c + m.a * 0.5 + m.b * 0.5)
            let rowY = fix(m.f + m.d * 0.5 + m.e * 0.5)
            // Pillow adds a0 per column and a1 per row; in integers that is exactly
            // rowX + y·a1 + x·a0, so any visiting order gives Pillow's positions.
            forEachTile(dst) { tx, xEnd, ty, yEnd in
                for y in ty..<yEnd {
                    var xx = rowX + y * a1 + tx * a0, yy = rowY + y * a4 + tx * a3
                    var index = y &* w &+ tx
                    for _ in tx..<xEnd {
                        nearestPixel(src, dst, index, xx >> 16, yy >> 16)
                        xx += a0
                        yy += a3
                        index &+= 1
                    }
                }
            }
        } else {
            // Pillow's floating-point fallback for very large images: coordinates stepped by addition.
            var rowX = m.c + m.b * 0.5 + m.a * 0.5
            var rowY = m.f + m.e * 0.5 + m.d * 0.5
            for y in 0..<h {
                var xx = rowX, yy = rowY
                for x in 0..<w {
                    nearestPixel(src, dst, y * w + x, coord(xx), coord(yy))
                    xx += m.a
                    yy += m.d
                }
                rowX += m.b
                rowY += m.e
            }
        }
    }

    @inline(__always) func nearestPixel(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>,
                                        _ index: Int, _ xi: Int, _ yi: Int) {
        if let fillColor {
            if xi >= 0 && xi < width && yi >= 0 && yi < height {
                store(load(src, yi * width + xi), dst, index)
            } else {
                store(fillColor, dst, index)
            }
        } else {
            store(load(src, wrap(yi, height) * width + wrap(xi, width)), dst, index)
        }
    }
}
