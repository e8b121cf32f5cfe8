import CImageCodecs

/// An interleaved three-channel image whose samples an exact transform can move without
/// arithmetic: `RGBImage` and `FloatImage`.
public protocol InterleavedRGBImage: Sendable {
    /// One channel value (`UInt8` or `Float`).
    associatedtype Sample: BitwiseCopyable
    /// Width in pixels (≥ 1).
    var width: Int { get }
    /// Height in pixels (≥ 1).
    var height: Int { get }
    /// `width × height × 3` samples, row-major, interleaved R, G, B.
    var pixels: [Sample] { get }
    /// Creates an image; `pixels.count` must be `width × height × 3`.
    init(width: Int, height: Int, pixels: [Sample])
}

extension RGBImage: InterleavedRGBImage {}
extension FloatImage: InterleavedRGBImage {}

extension InterleavedRGBImage {
    /// This image moved by an exact rotation or flip (bit-exact, no interpolation).
    public func transformed(by transform: DihedralTransform) -> Self { transform.applied(to: self) }
}

/// The eight exact rotations and flips of a rectangular image (the dihedral group D4):
/// bit-exact pixel moves, no interpolation.
///
/// Rotations are counter-clockwise for positive angles, as Pillow's `Image.Transpose.ROTATE_90`
/// and `np.rot90`. The names follow Pillow's `Image.Transpose` members:
///
/// | case | Pillow | numpy (on `a[y, x, c]`) |
/// |---|---|---|
/// | `identity` | – | `a` |
/// | `flipHorizontal` | FLIP_LEFT_RIGHT | `np.fliplr(a)` |
/// | `flipVertical` | FLIP_TOP_BOTTOM | `np.flipud(a)` |
/// | `rotate90` | ROTATE_90 | `np.rot90(a, 1)` |
/// | `rotate180` | ROTATE_180 | `np.rot90(a, 2)` |
/// | `rotate270` | ROTATE_270 | `np.rot90(a, 3)` |
/// | `transpose` | TRANSPOSE | `a.transpose(1, 0, 2)` |
/// | `transverse` | TRANSVERSE | `np.rot90(a, 2).transpose(1, 0, 2)` |
///
/// The same type serves the EXIF orientation (`init(exifOrientation:)`) and the `flip` and
/// `d4` sweeps. Transforms that swap the axes (`swapsAxes`) turn a W×H image into H×W.
public enum DihedralTransform: String, CaseIterable, Sendable, Codable, CustomStringConvertible {
    /// No change.
    case identity
    /// Rotation by 90° counter-clockwise (W×H becomes H×W).
    case rotate90
    /// Rotation by 180°.
    case rotate180
    /// Rotation by 270° counter-clockwise, i.e. 90° clockwise (W×H becomes H×W).
    case rotate270
    /// Left–right mirror image.
    case flipHorizontal
    /// Top–bottom mirror image.
    case flipVertical
    /// Mirror image across the main diagonal: x and y swapped (W×H becomes H×W).
    case transpose
    /// Mirror image across the anti-diagonal (W×H becomes H×W).
    case transverse

    /// The case name, e.g. `rotate90` (as in provenance).
    public var description: String { rawValue }

    // MARK: Group structure

    /// The 2×2 integer matrix moving a pixel's centred position (x right, y down) from the
    /// input to the output: (x', y') = (m.0·x + m.1·y, m.2·x + m.3·y).
    var matrix: (Int, Int, Int, Int) {
        switch self {
        case .identity: return (1, 0, 0, 1)
        case .rotate90: return (0, 1, -1, 0)
        case .rotate180: return (-1, 0, 0, -1)
        case .rotate270: return (0, -1, 1, 0)
        case .flipHorizontal: return (-1, 0, 0, 1)
        case .flipVertical: return (1, 0, 0, -1)
        case .transpose: return (0, 1, 1, 0)
        case .transverse: return (0, -1, -1, 0)
        }
    }

    /// The element with matrix `m` (every signed permutation matrix is one of the eight).
    static func element(withMatrix m: (Int, Int, Int, Int)) -> DihedralTransform {
        for candidate in allCases where candidate.matrix == m { return candidate }
        preconditionFailure("not a signed permutation matrix: \(m)")
    }

    /// The transform equal to applying `self` first and then `next`.
    public func followed(by next: DihedralTransform) -> DihedralTransform {
        let a = matrix, b = next.matrix
        return Self.element(withMatrix: (b.0 * a.0 + b.1 * a.2, b.0 * a.1 + b.1 * a.3,
                                         b.2 * a.0 + b.3 * a.2, b.2 * a.1 + b.3 * a.3))
    }

    /// The transform that undoes this one (`t.followed(by: t.inverse) == .identity`).
    public var inverse: DihedralTransform {
        let m = matrix
        return Self.element(withMatrix: (m.0, m.2, m.1, m.3))  // orthogonal: inverse = transpose
    }

    /// True for the four transforms that turn a W×H image into H×W.
    public var swapsAxes: Bool { matrix.0 == 0 }

    /// True for the four mirror images (flips, transpose, transverse); false for rotations.
    public var isReflection: Bool {
        let m = matrix
        return m.0 * m.3 - m.1 * m.2 < 0
    }

    /// The counter-clockwise rotation angle in degrees (0, 90, 180, 270), nil for reflections.
    public var rotationDegrees: Int? {
        switch self {
        case .identity: return 0
        case .rotate90: return 90
        case .rotate180: return 180
        case .rotate270: return 270
        default: return nil
        }
    }

    /// The size of the output for a `width`×`height` input.
    public func outputSize(width: Int, height: Int) -> (width: Int, height: Int) {
        swapsAxes ? (height, width) : (width, height)
    }

    // MARK: EXIF orientation

    /// The transform that turns an image stored with EXIF orientation `value` upright, as
    /// Pillow's `ImageOps.exif_transpose` does; nil for values outside 1...8.
    ///
    /// 1 identity, 2 flipHorizontal, 3 rotate180, 4 flipVertical, 5 transpose, 6 rotate270,
    /// 7 transverse, 8 rotate90.
    public init?(exifOrientation value: Int) {
        switch value {
        case 1: self = .identity
        case 2: self = .flipHorizontal
        case 3: self = .rotate180
        case 4: self = .flipVertical
        case 5: self = .transpose
        case 6: self = .rotate270
        case 7: self = .transverse
        case 8: self = .rotate90
        default: return nil
        }
    }

    /// The EXIF orientation value (1...8) whose upright correction is this transform.
    public var exifOrientation: Int {
        switch self {
        case .identity: return 1
        case .flipHorizontal: return 2
        case .rotate180: return 3
        case .flipVertical: return 4
        case .transpose: return 5
        case .rotate270: return 6
        case .transverse: return 7
        case .rotate90: return 8
        }
    }

    // MARK: Applying

    /// `image` moved by this transform; bit-exact for any sample type.
    ///
    /// Rows are moved with `memcpy` or, for horizontal flips, with a SIMD pixel reversal;
    /// axis-swapping transforms copy pixels in cache-sized tiles.
    public func applied<Image: InterleavedRGBImage>(to image: Image) -> Image {
        if self == .identity { return image }
        let size = outputSize(width: image.width, height: image.height)
        let count = image.pixels.count
        let pixelBytes = 3 * MemoryLayout<Image.Sample>.stride
        let pixels = [Image.Sample](unsafeUninitializedCapacity: count) { output, initialized in
            image.pixels.withUnsafeBytes { input in
                guard let source = input.baseAddress, let destination = output.baseAddress else { return }
                movePixels(from: source, to: UnsafeMutableRawPointer(destination),
                           width: image.width, height: image.height, pixelBytes: pixelBytes)
            }
            initialized = count
        }
        return Image(width: size.width, height: size.height, pixels: pixels)
    }

    /// Writes the transformed image of `width`×`height` pixels of `pixelBytes` bytes each.
    func movePixels(from source: UnsafeRawPointer, to destination: UnsafeMutableRawPointer,
                    width: Int, height: Int, pixelBytes: Int) {
        let rowBytes = width * pixelBytes
        switch self {
        case .identity, .flipHorizontal, .flipVertical, .rotate180:
            let reverseRows = self == .flipVertical || self == .rotate180
            let mirror = self == .flipHorizontal || self == .rotate180
            for y in 0..<height {
                let from = source + (reverseRows ? height - 1 - y : y) * rowBytes
                let to = destination + y * rowBytes
                if mirror {
                    ic_reverse_pixels(from.assumingMemoryBound(to: UInt8.self), to.assumingMemoryBound(to: UInt8.self),
                                      width, pixelBytes)
                } else {
                    to.copyMemory(from: from, byteCount: rowBytes)
                }
            }
        case .transpose, .rotate90, .rotate270, .transverse:
            // Output (x', y') comes from input column c and row r with
            // transpose: c = y', r = x'; rotate90: c = W-1-y', r = x';
            // rotate270: c = y', r = H-1-x'; transverse: c = W-1-y', r = H-1-x'.
            let reverseColumns = self == .rotate90 || self == .transverse
            let reverseRows = self == .rotate270 || self == .transverse
            let layout = SwapLayout(width: width, height: height, pixelBytes: pixelBytes,
                                    reverseColumns: reverseColumns, reverseRows: reverseRows)
            switch pixelBytes {
            case 3: layout.copy(from: source, to: destination, as: (UInt8, UInt8, UInt8).self)
            case 12: layout.copy(from: source, to: destination, as: (UInt32, UInt32, UInt32).self)
            default: layout.copyBytes(from: source, to: destination)
            }
        }
    }
}

/// The index arithmetic of the axis-swapping transforms, tiled for the cache.
struct SwapLayout {
    let width: Int
    let height: Int
    let pixelBytes: Int
    let reverseColumns: Bool
    let reverseRows: Bool
    /// Output tile side in pixels: a tile of input columns stays in L1 while it is read.
    static let tile = 32

    /// Byte offset in the input of the pixel landing at output (x', y').
    @inline(__always) func sourceOffset(x: Int, y: Int) -> Int {
        let column = reverseColumns ? width - 1 - y : y
        let row = reverseRows ? height - 1 - x : x
        return (row * width + column) * pixelBytes
    }

    /// Copies with one typed load and store per pixel (`Pixel` is exactly `pixelBytes` long).
    @inline(__always) func copy<Pixel: BitwiseCopyable>(from source: UnsafeRawPointer, to destination: UnsafeMutableRawPointer,
                                                        as _: Pixel.Type) {
        let outWidth = height, outHeight = width
        for tileY in stride(from: 0, to: outHeight, by: Self.tile) {
            for tileX in stride(from: 0, to: outWidth, by: Self.tile) {
                for y in tileY..<min(tileY + Self.tile, outHeight) {
                    let row = destination + y * outWidth * pixelBytes
                    for x in tileX..<min(tileX + Self.tile, outWidth) {
                        let pixel = source.loadUnaligned(fromByteOffset: sourceOffset(x: x, y: y), as: Pixel.self)
                        row.storeBytes(of: pixel, toByteOffset: x * pixelBytes, as: Pixel.self)
                    }
                }
            }
        }
    }

    /// Copies pixels of any size with `copyMemory`.
    func copyBytes(from source: UnsafeRawPointer, to destination: UnsafeMutableRawPointer) {
        let outWidth = height, outHeight = width
        for y in 0..<outHeight {
            for x in 0..<outWidth {
                (destination + (y * outWidth + x) * pixelBytes)
                    .copyMemory(from: source + sourceOffset(x: x, y: y), byteCount: pixelBytes)
            }
        }
    }
}
