import Foundation

/// One augmentation: an image and fixed parameters in, a new image of the same kind out; no I/O.
///
/// Every operation works on `FloatImage` (float32 RGB, intensities in [0, 1]) and returns
/// intensities in [0, 1]. Invalid parameters (NaN, negative sigma, ...) throw
/// `ImagingError.invalidArgument` naming the parameter; operations never trap on them.
public protocol ImageOperation: Sendable {
    /// The augmented copy of `image`.
    func apply(to image: FloatImage) throws(ImagingError) -> FloatImage
}

/// An RGB colour as float32 intensities in [0, 1] (the fill of geometric operations).
public struct FloatColor: Sendable, Hashable {
    /// Red intensity in [0, 1].
    public var red: Float
    /// Green intensity in [0, 1].
    public var green: Float
    /// Blue intensity in [0, 1].
    public var blue: Float

    /// A colour from three intensities in [0, 1].
    public init(red: Float, green: Float, blue: Float) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    /// A grey with all three intensities equal to `level` (in [0, 1]).
    public init(grey level: Float) {
        self.init(red: level, green: level, blue: level)
    }

    /// A colour from 8-bit channel values (each divided by 255).
    public init(red8: UInt8, green8: UInt8, blue8: UInt8) {
        self.init(red: Float(red8) / 255, green: Float(green8) / 255, blue: Float(blue8) / 255)
    }

    /// Black (0, 0, 0): the default fill.
    public static let black = FloatColor(grey: 0)

    /// The colour as a 4-lane vector (R, G, B, 0).
    @inlinable var vector: SIMD4<Float> { SIMD4(red, green, blue, 0) }

    /// Throws unless all three intensities are finite and in [0, 1].
    func validate(_ name: String) throws(ImagingError) {
        for value in [red, green, blue] where !(value >= 0 && value <= 1) {
            throw ImagingError(.invalidArgument, "\(name) must have intensities in [0, 1], got (\(red), \(green), \(blue))")
        }
    }
}

/// Asks Linux to back a large, not yet touched buffer with transparent huge pages (2 MiB), as
/// numpy does for its arrays: a 4096×4096 float image otherwise costs ~50,000 page faults
/// (over 100 ms) on first write. Only the page-aligned interior of buffers ≥ 4 MiB is advised;
/// failure (or another OS) changes nothing but speed.
@usableFromInline func adviseHugePages(_ buffer: UnsafeMutableRawBufferPointer) {
    #if os(Linux)
    let threshold = 4 << 20, hugePage = 2 << 20
    guard buffer.count >= threshold, let base = buffer.baseAddress else { return }
    let start = (UInt(bitPattern: base) + UInt(hugePage - 1)) & ~UInt(hugePage - 1)
    let end = (UInt(bitPattern: base) + UInt(buffer.count)) & ~UInt(hugePage - 1)
    guard end > start, let aligned = UnsafeMutableRawPointer(bitPattern: start) else { return }
    _ = madvise(aligned, Int(end - start), MADV_HUGEPAGE)
    #endif
}

/// Index `i` reflected onto `0 ..< n` half-sample symmetrically (scipy.ndimage's "reflect":
/// … c b a | a b c … z | z y x …), folding again however far outside it lies (period 2n).
/// The border rule of `Fill.reflect` and of `GaussianBlur`.
@inline(__always) func reflectedIndex(_ i: Int, count n: Int) -> Int {
    let period = 2 * n
    var p = i % period
    if p < 0 { p += period }
    return p < n ? p : period - 1 - p
}

/// Validation helpers shared by the operations.
enum Check {
    /// Throws unless `value` is finite.
    static func finite(_ value: Double, _ name: String) throws(ImagingError) {
        guard value.isFinite else {
            throw ImagingError(.invalidArgument, "\(name) must be a finite number, got \(value)")
        }
    }

    /// Throws unless `value` is finite and in `range`.
    static func inRange(_ value: Double, _ range: ClosedRange<Double>, _ name: String) throws(ImagingError) {
        guard value.isFinite, range.contains(value) else {
            throw ImagingError(.invalidArgument,
                               "\(name) must be in [\(range.lowerBound), \(range.upperBound)], got \(value)")
        }
    }
}

extension FloatImage {
    /// An image of the given size whose samples are written by `body` (given a buffer of
    /// `width × height × 3` uninitialised floats, which it must fill completely).
    ///
    /// The storage has one spare float after the buffer's end, so a 4-float SIMD store of the
    /// last pixel (R, G, B + one lane of garbage) stays inside the allocation.
    @inlinable static func build(width: Int, height: Int,
                                 _ body: (UnsafeMutableBufferPointer<Float>) -> Void) -> FloatImage {
        let count = width * height * 3
        let pixels = [Float](unsafeUninitializedCapacity: count + 1) { buffer, initialized in
            adviseHugePages(UnsafeMutableRawBufferPointer(buffer))
            body(UnsafeMutableBufferPointer(start: buffer.baseAddress, count: count))
            initialized = count
        }
        return FloatImage(width: width, height: height, pixels: pixels)
    }
}
