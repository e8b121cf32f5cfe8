/// An 8-bit RGB image: rows top to bottom, pixels left to right, channels interleaved R, G, B.
///
/// This is what the codecs produce and consume and what CLIP preprocessing starts from
/// (the equivalent of PIL's `Image.convert("RGB")`).
public struct RGBImage: Sendable, Equatable, Hashable {
    /// Width in pixels (≥ 1).
    public let width: Int
    /// Height in pixels (≥ 1).
    public let height: Int
    /// `width × height × 3` samples, row-major, interleaved RGB.
    public var pixels: [UInt8]

    /// Creates an image from interleaved RGB samples; `pixels.count` must be `width × height × 3`.
    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width > 0 && height > 0 && pixels.count == width * height * 3,
                     "RGBImage: \(pixels.count) samples do not fit \(width)×\(height)×3")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// A flat image of one colour (each channel in 0...255).
    public init(width: Int, height: Int, filledWith color: (UInt8, UInt8, UInt8)) {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for i in stride(from: 0, to: pixels.count, by: 3) {
            pixels[i] = color.0; pixels[i + 1] = color.1; pixels[i + 2] = color.2
        }
        self.init(width: width, height: height, pixels: pixels)
    }

    /// The sample at column `x`, row `y`, channel `channel` (0 = R, 1 = G, 2 = B).
    @inlinable public subscript(x: Int, y: Int, channel: Int) -> UInt8 {
        get { pixels[(y * width + x) * 3 + channel] }
        set { pixels[(y * width + x) * 3 + channel] = newValue }
    }
}

/// A float32 RGB image with intensities in [0, 1]: the working format of every augmentation.
///
/// Layout as `RGBImage` (row-major, interleaved R, G, B). Operations may produce values
/// outside [0, 1] only where their documentation says so; `quantized()` clamps.
public struct FloatImage: Sendable, Equatable {
    /// Width in pixels (≥ 1).
    public let width: Int
    /// Height in pixels (≥ 1).
    public let height: Int
    /// `width × height × 3` intensities in [0, 1], row-major, interleaved RGB.
    public var pixels: [Float]

    /// Creates an image from interleaved RGB intensities; `pixels.count` must be `width × height × 3`.
    public init(width: Int, height: Int, pixels: [Float]) {
        precondition(width > 0 && height > 0 && pixels.count == width * height * 3,
                     "FloatImage: \(pixels.count) samples do not fit \(width)×\(height)×3")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// A flat image of one colour, each channel an intensity in [0, 1].
    public init(width: Int, height: Int, filledWith color: (Float, Float, Float)) {
        var pixels = [Float](repeating: 0, count: width * height * 3)
        for i in stride(from: 0, to: pixels.count, by: 3) {
            pixels[i] = color.0; pixels[i + 1] = color.1; pixels[i + 2] = color.2
        }
        self.init(width: width, height: height, pixels: pixels)
    }

    /// Converts 8-bit samples to intensities: `value / 255`.
    public init(_ image: RGBImage) {
        let scale: Float = 1.0 / 255.0
        self.init(width: image.width, height: image.height, pixels: image.pixels.map { Float($0) * scale })
    }

    /// The intensity at column `x`, row `y`, channel `channel` (0 = R, 1 = G, 2 = B).
    @inlinable public subscript(x: Int, y: Int, channel: Int) -> Float {
        get { pixels[(y * width + x) * 3 + channel] }
        set { pixels[(y * width + x) * 3 + channel] = newValue }
    }

    /// Converts to 8 bits: each intensity is clamped to [0, 1], scaled by 255 and rounded to
    /// the nearest integer (halves away from zero). NaN becomes 0.
    ///
    /// This is the one quantisation AugLab uses: variants are written, hashed and fed to
    /// encoders in this form, so a saved variant file and the in-memory variant are the same.
    public func quantized() -> RGBImage {
        var out = [UInt8](repeating: 0, count: pixels.count)
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                // Branch-free so that it vectorises (`rounded()` is a libm call per sample at the
                // x86-64 baseline): adding 1.5·2²³ rounds x = 255·v in [0, 255] to the nearest integer
                // (ties to even) and leaves that integer in the low mantissa bits; an exact tie
                // (x − r = 0.5) is then bumped up, giving halves away from zero.
                let magic: Float = 12_582_912
                for i in 0..<src.count {
                    let v = src[i]
                    let x = (v > 0 ? (v < 1 ? v : 1) : 0) * 255  // NaN fails `v > 0`: 0
                    let shifted = x + magic
                    let r = shifted - magic
                    let tie: UInt32 = x - r == 0.5 ? 1 : 0
                    dst[i] = UInt8(truncatingIfNeeded: (shifted.bitPattern & 0xFF) &+ tie)
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: out)
    }
}
