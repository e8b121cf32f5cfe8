import Imaging

/// What preprocessing did to one image: the record that goes into a variant's provenance
/// ("the preprocessing the model applied").
///
/// The model input is the `window` of the resized image (`resizedWidth × resizedHeight`, made
/// from the source with `config.interpolation`); parts of the window outside the resized image
/// (only with `longest`) are `config.fillLevel`.
public struct PreprocessRecord: Sendable, Equatable, Codable {
    /// Source image width in pixels.
    public var sourceWidth: Int
    /// Source image height in pixels.
    public var sourceHeight: Int
    /// Width after the resize step, in pixels (the source width when no resize was needed).
    public var resizedWidth: Int
    /// Height after the resize step, in pixels.
    public var resizedHeight: Int
    /// The `imageSize × imageSize` model input as a region of the resized image, in its pixels:
    /// a centre crop (`shortest`), or a region reaching past the image into the padding (`longest`,
    /// negative `x`/`y` on the padded sides).
    public var window: PixelRect
    /// The configuration applied (size, mean, std, interpolation, resize mode, fill).
    public var config: PreprocessConfig

    /// Whether the source was resampled (false when it already had the resized size).
    public var resampled: Bool { resizedWidth != sourceWidth || resizedHeight != sourceHeight }

    /// A record with the given sizes (pixels), window and configuration.
    public init(sourceWidth: Int, sourceHeight: Int, resizedWidth: Int, resizedHeight: Int, window: PixelRect,
                config: PreprocessConfig) {
        self.sourceWidth = sourceWidth
        self.sourceHeight = sourceHeight
        self.resizedWidth = resizedWidth
        self.resizedHeight = resizedHeight
        self.window = window
        self.config = config
    }
}

/// A model input: the CLIP-normalised image tensor and how it was made.
public struct PreprocessedImage: Sendable, Equatable {
    /// Side of the square input in pixels.
    public var size: Int
    /// `3 × size × size` float32 values, channel-major (CHW: all R, then G, then B; rows top to
    /// bottom), each `(level / 255 − mean[c]) / std[c]`.
    public var tensor: [Float]
    /// What was done to the source image.
    public var record: PreprocessRecord
}

/// open_clip's inference transform, `image_transform(size, is_train=False)`, on 8-bit RGB images.
///
/// Steps, honouring `PreprocessConfig`:
/// - `shortest` (default): resize the shorter side to `imageSize` and the longer to
///   `int(imageSize × long / short)` (torchvision's `Resize(int)`), then centre-crop with
///   `round((resized − imageSize) / 2)` (Python's round half to even);
/// - `longest`: resize so the longer side is `imageSize`, each side `round(side / ratio)` with
///   `ratio = max(h, w) / imageSize` (open_clip's `ResizeKeepRatio`), then pad to a square with
///   `fillLevel`, `(imageSize − side) // 2` before and the rest after (`CenterCropOrPad`);
/// - `squash`: resize to `imageSize × imageSize`.
///
/// The resize is Pillow's (`RGBImage.resized`), skipped when the size does not change; only the
/// kept window is computed. Then `[0, 1]` scaling and `(x − mean) / std` per channel in float32,
/// as torchvision's `ToTensor` and `Normalize`.
///
/// Where open_clip would fail (`longest` on an image so thin that a side rounds to 0 pixels), the
/// side is 1 pixel instead.
public struct CLIPPreprocessor: Sendable {
    /// The configuration applied.
    public let config: PreprocessConfig
    /// Largest accepted `imageSize` (pixels).
    public static let maximumImageSize = 4096
    /// `3 × 256` normalised values: `table[c * 256 + level]`.
    private let table: [Float]

    /// A preprocessor for `config`.
    ///
    /// - Throws: `CLIPError` (`invalidArgument`) when the size is outside 1…`maximumImageSize`,
    ///   mean or std do not have 3 finite values, a std is 0, or the fill is not finite.
    public init(_ config: PreprocessConfig) throws(CLIPError) {
        guard (1...Self.maximumImageSize).contains(config.imageSize) else {
            throw CLIPError(.invalidArgument, "image size \(config.imageSize) is outside 1...\(Self.maximumImageSize)")
        }
        guard config.mean.count == 3, config.mean.allSatisfy(\.isFinite) else {
            throw CLIPError(.invalidArgument, "mean must be 3 finite numbers (got \(config.mean))")
        }
        guard config.std.count == 3, config.std.allSatisfy({ $0.isFinite && $0 != 0 }) else {
            throw CLIPError(.invalidArgument, "std must be 3 finite non-zero numbers (got \(config.std))")
        }
        guard config.fillColor.isFinite else {
            throw CLIPError(.invalidArgument, "fill color must be finite (got \(config.fillColor))")
        }
        self.config = config
        var table = [Float](repeating: 0, count: 3 * 256)
        for channel in 0..<3 {
            for level in 0..<256 {
                // torchvision: float32 division by 255, then float32 subtract and divide.
                table[channel * 256 + level] = (Float(level) / 255 - config.mean[channel]) / config.std[channel]
            }
        }
        self.table = table
    }

    /// The geometry for a `sourceWidth × sourceHeight` image, without touching pixels.
    ///
    /// - Throws: `CLIPError` (`invalidArgument`) for a size below 1×1.
    public func plan(sourceWidth: Int, sourceHeight: Int) throws(CLIPError) -> PreprocessRecord {
        guard sourceWidth >= 1, sourceHeight >= 1 else {
            throw CLIPError(.invalidArgument, "image size \(sourceWidth)×\(sourceHeight) is empty")
        }
        let size = config.imageSize
        let resized: (width: Int, height: Int)
        switch config.resizeMode {
        case .shortest:
            resized = Self.shortestSideSize(width: sourceWidth, height: sourceHeight, target: size)
        case .longest:
            resized = Self.longestSideSize(width: sourceWidth, height: sourceHeight, target: size)
        case .squash:
            resized = (size, size)
        }
        let window: PixelRect
        switch config.resizeMode {
        case .longest:
            window = Self.cropOrPadWindow(width: resized.width, height: resized.height, size: size)
        case .shortest, .squash:
            window = Self.centerCropWindow(width: resized.width, height: resized.height, size: size)
        }
        return PreprocessRecord(sourceWidth: sourceWidth, sourceHeight: sourceHeight, resizedWidth: resized.width,
                                resizedHeight: resized.height, window: window, config: config)
    }

    /// The 8-bit `imageSize × imageSize` model input before scaling and normalisation
    /// (what open_clip's transform holds just before `ToTensor`), and its record.
    ///
    /// - Throws: `CLIPError` if the image is too large to resize (see `RGBImage.resized`).
    public func inputImage(_ image: RGBImage) throws(CLIPError) -> (image: RGBImage, record: PreprocessRecord) {
        let record = try plan(sourceWidth: image.width, sourceHeight: image.height)
        let window = record.window
        // The part of the window that lies on the resized image; the rest is padding.
        let visibleX = max(window.x, 0), visibleY = max(window.y, 0)
        let visible = PixelRect(x: visibleX, y: visibleY,
                                width: min(window.x + window.width, record.resizedWidth) - visibleX,
                                height: min(window.y + window.height, record.resizedHeight) - visibleY)
        let content: RGBImage
        do {
            content = try image.resized(width: record.resizedWidth, height: record.resizedHeight,
                                        filter: Self.filter(config.interpolation), croppedTo: visible)
        } catch {
            throw CLIPError(.invalidArgument, "cannot preprocess a \(image.width)×\(image.height) image: \(error.message)")
        }
        if visible == window { return (content, record) }
        let level = UInt8(config.fillLevel)
        var canvas = RGBImage(width: window.width, height: window.height, filledWith: (level, level, level))
        let offsetX = visibleX - window.x, offsetY = visibleY - window.y
        for row in 0..<content.height {
            let from = row * content.width * 3
            let to = ((row + offsetY) * window.width + offsetX) * 3
            canvas.pixels.replaceSubrange(to..<(to + content.width * 3), with: content.pixels[from..<(from + content.width * 3)])
        }
        return (canvas, record)
    }

    /// Preprocesses `image` into a model input.
    ///
    /// - Throws: `CLIPError` if the image is too large to resize.
    public func callAsFunction(_ image: RGBImage) throws(CLIPError) -> PreprocessedImage {
        let (input, record) = try inputImage(image)
        return PreprocessedImage(size: input.width, tensor: tensor(from: input), record: record)
    }

    /// The normalised CHW tensor of an 8-bit image (any size; `3 × width × height` values).
    public func tensor(from image: RGBImage) -> [Float] {
        let plane = image.width * image.height
        var out = [Float](repeating: 0, count: 3 * plane)
        image.pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                table.withUnsafeBufferPointer { lookup in
                    for i in 0..<plane {
                        dst[i] = lookup[Int(src[3 * i])]
                        dst[plane + i] = lookup[256 + Int(src[3 * i + 1])]
                        dst[2 * plane + i] = lookup[512 + Int(src[3 * i + 2])]
                    }
                }
            }
        }
        return out
    }

    // MARK: Geometry (torchvision / open_clip arithmetic)

    /// torchvision `Resize(target)`: shorter side → target, longer → `int(target × long / short)`.
    static func shortestSideSize(width: Int, height: Int, target: Int) -> (width: Int, height: Int) {
        let (short, long) = width <= height ? (width, height) : (height, width)
        let newLong = Int((Double(target) * Double(long) / Double(short)).rounded(.towardZero))
        return width <= height ? (target, newLong) : (newLong, target)
    }

    /// open_clip `ResizeKeepRatio(target, longest=1)`: each side `round(side / ratio)` (half to
    /// even) with `ratio = max(h / target, w / target)`; at least 1 pixel.
    static func longestSideSize(width: Int, height: Int, target: Int) -> (width: Int, height: Int) {
        let ratio = max(Double(height) / Double(target), Double(width) / Double(target))
        let newHeight = (Double(height) / ratio).rounded(.toNearestOrEven)
        let newWidth = (Double(width) / ratio).rounded(.toNearestOrEven)
        return (max(Int(newWidth), 1), max(Int(newHeight), 1))
    }

    /// torchvision `CenterCrop(size)` of a `width × height` image (which covers the crop here):
    /// offsets `int(round((side − size) / 2))`; a smaller side is centred with `(size − side) // 2` before.
    static func centerCropWindow(width: Int, height: Int, size: Int) -> PixelRect {
        PixelRect(x: centeredOffset(side: width, size: size), y: centeredOffset(side: height, size: size),
                  width: size, height: size)
    }

    /// open_clip `CenterCropOrPad(size)`: pad each short side, `(size − side) // 2` before, then crop.
    static func cropOrPadWindow(width: Int, height: Int, size: Int) -> PixelRect {
        centerCropWindow(width: width, height: height, size: size)
    }

    /// Offset of a `size` window on a `side`-pixel axis: `round((side − size) / 2)` half to even
    /// when the axis is longer; `−((size − side) // 2)` (padding before) when shorter.
    private static func centeredOffset(side: Int, size: Int) -> Int {
        if side >= size {
            return Int((Double(side - size) / 2).rounded(.toNearestOrEven))
        }
        return -((size - side) / 2)
    }

    static func filter(_ interpolation: PreprocessConfig.Interpolation) -> ResampleFilter {
        switch interpolation {
        case .bicubic: return .bicubic
        case .bilinear: return .bilinear
        case .nearest: return .nearest
        }
    }
}
