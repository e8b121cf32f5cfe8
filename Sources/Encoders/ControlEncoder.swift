import CLIP
import Imaging
import Tensors

/// Weightless image encoders whose invariances are known by construction, to check the analyzers.
///
/// No text tower, no logit scale, no preprocessing other than their own, and not cached (computing
/// one is cheaper than reading it back). Every computation is exact integer arithmetic up to one
/// final division per value, so each invariance below holds **bit for bit**, for any image size:
///
/// - `pixels`: the image squashed to a 32 × 32 grid by area averaging, in grey
///   (`0.299 R + 0.587 G + 0.114 B` on [0, 1] intensities), centred (the grid's mean subtracted);
///   1024 values, row-major (grid row 0 = the top). Output cell `(i, j)` averages the source over
///   `[i·W/32, (i+1)·W/32) × [j·H/32, (j+1)·H/32)`, each source pixel weighted by the exact area of
///   its overlap with the cell, so no size has to be a multiple of 32. Invariant to none of the
///   rotations and flips; equivariant with all eight: `pixels(t(x))` is `pixels(x)` with its grid
///   moved by `t` (`t` any `DihedralTransform`). A flat image gives the zero vector.
/// - `pixels-mirror`: `pixels` averaged with its own horizontal mirror (then centred).
///   `pixels-mirror(hflip(x)) == pixels-mirror(x)` exactly, for every width (the overlap weights are
///   mirror-symmetric integers); not invariant to vertical flips or to rotations.
/// - `histogram`: a joint colour histogram, 8 × 8 × 8 bins over (R, G, B) (bin = level / 32,
///   index `64·r + 8·g + b`), each bin the fraction of pixels in it (sums to 1 up to float32
///   rounding); 512 values. Invariant to every rearrangement of pixels, so to all eight rotations
///   and flips exactly; **not** to a same-canvas rotation by other angles, whose black corners
///   move mass into bin 0 (and whose interpolation blends colours).
public struct ControlEncoder: ImageEncoder {
    /// The three controls.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// 32 × 32 grey area-average, centred: invariant to nothing.
        case pixels
        /// `pixels` averaged with its horizontal mirror: flip-invariant, not rotation-invariant.
        case pixelsMirror = "pixels-mirror"
        /// 8 × 8 × 8 joint RGB histogram: blind to rotations and flips, not to black corners.
        case histogram

        /// Width of the embedding.
        public var dimension: Int {
            switch self {
            case .pixels, .pixelsMirror: return ControlEncoder.grid * ControlEncoder.grid
            case .histogram: return 512
            }
        }

        /// The exact rotations and flips that leave the embedding unchanged bit for bit, for any image.
        public var exactInvariances: Set<DihedralTransform> {
            switch self {
            case .pixels: return [.identity]
            case .pixelsMirror: return [.identity, .flipHorizontal]
            case .histogram: return Set(DihedralTransform.allCases)
            }
        }

        /// What the control computes, in words.
        public var summary: String {
            switch self {
            case .pixels:
                return "32×32 grey area-average (0.299 R + 0.587 G + 0.114 B on [0, 1]), mean subtracted; invariant to no rotation or flip"
            case .pixelsMirror:
                return "32×32 grey area-average averaged with its horizontal mirror, mean subtracted; invariant to horizontal flips only"
            case .histogram:
                return "8×8×8 joint RGB histogram (bin = level / 32), fractions of the pixel count; invariant to all 90° rotations and flips, not to black corners"
            }
        }
    }

    /// Side of the grey grid of the pixel controls.
    public static let grid = 32
    /// Largest image accepted (pixels): keeps every integer sum far inside `Int64`.
    public static let maximumPixels = 1 << 32

    /// Which control this is.
    public let kind: Kind
    public let descriptor: EncoderDescriptor
    /// Images per internal batch (progress granularity); the work per image is tiny.
    public let batchSize = 64

    /// The control `kind`, known as `name` (default: the kind's own name).
    public init(_ kind: Kind, name: String? = nil) {
        self.kind = kind
        descriptor = EncoderDescriptor(
            name: name ?? kind.rawValue, kind: .control, architecture: "\(kind.rawValue) control", embeddingDimension: kind.dimension,
            inputSize: kind == .histogram ? nil : Self.grid, filePath: nil, sha256: nil, preprocessing: kind.summary,
            preprocessConfig: nil, logitScale: nil, hasTextTower: false, cacheIdentity: nil)
    }

    /// The control named `name` (`pixels`, `pixels-mirror`, `histogram`; case-insensitive), or nil.
    public static func kind(named name: String) -> Kind? {
        Kind(rawValue: name.lowercased())
    }

    public func encodeImages(_ images: [ImageInput], progress: EncodingProgress?) throws(EncoderError) -> Matrix {
        let width = kind.dimension
        var values: [Float] = []
        values.reserveCapacity(images.count * width)
        for (index, input) in images.enumerated() {
            guard input.image.width * input.image.height <= Self.maximumPixels else {
                throw EncoderError(.invalidArgument,
                                   "\(Self.label(input, index: index)) has \(input.image.width)×\(input.image.height) pixels, more than the \(Self.maximumPixels) a control encoder takes")
            }
            values += embedding(of: input.image)
            if let progress, (index + 1) % batchSize == 0 || index + 1 == images.count {
                progress(index + 1, images.count)
            }
        }
        return Matrix(rows: images.count, columns: width, values: values)
    }

    /// The embedding of one image (`kind.dimension` values).
    public func embedding(of image: RGBImage) -> [Float] {
        switch kind {
        case .pixels:
            return Self.centred(Self.greySums(image), denominator: Self.greyDenominator(image))
        case .pixelsMirror:
            let sums = Self.greySums(image)
            var mirrored = sums
            let n = Self.grid
            for row in 0..<n {
                for column in 0..<n { mirrored[row * n + column] = sums[row * n + column] + sums[row * n + (n - 1 - column)] }
            }
            return Self.centred(mirrored, denominator: 2 * Self.greyDenominator(image))
        case .histogram:
            return Self.histogram(image)
        }
    }

    // MARK: Pixel grid

    /// Grey levels scaled to integers: `299 R + 587 G + 114 B` (0 ... 255,000).
    static let greyScale: Int64 = 255_000

    /// Area-weighted grey sums per grid cell: `Σ overlapX · overlapY · grey`, where overlaps are in
    /// units of 1/32 source pixel along x and y, so each cell's weights total `W · H`.
    static func greySums(_ image: RGBImage) -> [Int64] {
        let n = grid
        let (width, height) = (image.width, image.height)
        let columnWeights = overlapWeights(length: width)
        let rowWeights = overlapWeights(length: height)
        // The column weights flattened (pixel x owns entries offsets[x] ..< offsets[x + 1]).
        var offsets = [0], cells: [Int] = [], weights: [Int64] = []
        for pixel in columnWeights {
            for (cell, weight) in pixel { cells.append(cell); weights.append(weight) }
            offsets.append(cells.count)
        }
        // Horizontal pass: per source row, sums for each grid column.
        var rowSums = [Int64](repeating: 0, count: height * n)
        image.pixels.withUnsafeBufferPointer { pixels in
            offsets.withUnsafeBufferPointer { offsets in
                cells.withUnsafeBufferPointer { cells in
                    weights.withUnsafeBufferPointer { weights in
                        rowSums.withUnsafeMutableBufferPointer { rowSums in
                            for y in 0..<height {
                                let rowBase = y * width * 3, sumBase = y * n
                                for x in 0..<width {
                                    let p = rowBase + 3 * x
                                    let grey = 299 * Int64(pixels[p]) + 587 * Int64(pixels[p + 1]) + 114 * Int64(pixels[p + 2])
                                    for k in offsets[x]..<offsets[x + 1] { rowSums[sumBase + cells[k]] += weights[k] * grey }
                                }
                            }
                        }
                    }
                }
            }
        }
        // Vertical pass.
        var sums = [Int64](repeating: 0, count: n * n)
        for y in 0..<height {
            for (cell, weight) in rowWeights[y] {
                for column in 0..<n { sums[cell * n + column] += weight * rowSums[y * n + column] }
            }
        }
        return sums
    }

    /// The sum a flat white image would give in each cell: `255,000 · W · H`.
    static func greyDenominator(_ image: RGBImage) -> Int64 {
        greyScale * Int64(image.width) * Int64(image.height)
    }

    /// For each source pixel along an axis of `length` pixels: the grid cells it overlaps and the
    /// overlap in 1/32-pixel units (pixel `x` spans `[32x, 32x + 32)`, cell `i` spans
    /// `[i·length, (i+1)·length)`). The weights are symmetric: pixel `length−1−x` overlaps cell
    /// `31−i` exactly as much as pixel `x` overlaps cell `i`.
    static func overlapWeights(length: Int) -> [[(cell: Int, weight: Int64)]] {
        let n = grid
        return (0..<length).map { x in
            let start = n * x, end = n * x + n
            var cells: [(cell: Int, weight: Int64)] = []
            var cell = start / length
            while cell < n && cell * length < end {
                let overlap = min(end, (cell + 1) * length) - max(start, cell * length)
                if overlap > 0 { cells.append((cell, Int64(overlap))) }
                cell += 1
            }
            return cells
        }
    }

    /// `sums / denominator` with the mean subtracted, computed as `(1024·s − Σs) / (1024·d)` in
    /// integers and one division, so equal sums give equal values bit for bit.
    static func centred(_ sums: [Int64], denominator: Int64) -> [Float] {
        let count = Int64(sums.count)
        let total = sums.reduce(0, +)
        let scale = Double(count) * Double(denominator)
        return sums.map { Float(Double(count * $0 - total) / scale) }
    }

    // MARK: Histogram

    static func histogram(_ image: RGBImage) -> [Float] {
        var counts = [Int](repeating: 0, count: 512)
        image.pixels.withUnsafeBufferPointer { pixels in
            for p in stride(from: 0, to: pixels.count, by: 3) {
                counts[Int(pixels[p] >> 5) << 6 | Int(pixels[p + 1] >> 5) << 3 | Int(pixels[p + 2] >> 5)] += 1
            }
        }
        let total = Double(image.width * image.height)
        return counts.map { Float(Double($0) / total) }
    }
}
