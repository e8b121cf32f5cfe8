/// How an image becomes a model input, as open_clip's `preprocess_cfg` describes it.
///
/// Defaults are OpenAI CLIP's: bicubic resize of the shorter side to `imageSize`, centre crop,
/// [0, 1] scaling, then per-channel `(x − mean) / std`.
public struct PreprocessConfig: Sendable, Equatable, Codable {
    /// How the image is fitted to the square model input.
    public enum ResizeMode: String, Sendable, Codable, CaseIterable {
        /// Resize the shorter side to the input size, then centre-crop (open_clip's default).
        case shortest
        /// Resize the longer side to the input size, then pad to a square.
        case longest
        /// Resize both sides to the input size, ignoring the aspect ratio.
        case squash
    }

    /// Resampling filter of the resize, as Pillow applies it (antialiased when shrinking).
    ///
    /// open_clip accepts `bicubic` and `bilinear` (and `random`, which means bicubic at
    /// inference); `nearest` is an AugLab extension (Pillow's NEAREST).
    public enum Interpolation: String, Sendable, Codable, CaseIterable {
        /// Pillow's BICUBIC (Keys cubic, a = −0.5): CLIP's filter.
        case bicubic
        /// Pillow's BILINEAR (triangle).
        case bilinear
        /// Pillow's NEAREST.
        case nearest

        /// Decodes a name; open_clip's `random` is read as `bicubic`, what it uses at inference.
        public init(from decoder: any Decoder) throws {
            let name = try decoder.singleValueContainer().decode(String.self)
            if name == "random" {
                self = .bicubic
            } else if let value = Interpolation(rawValue: name) {
                self = value
            } else {
                throw DecodingError.dataCorrupted(DecodingError.Context(
                    codingPath: decoder.codingPath,
                    debugDescription: "interpolation '\(name)' is not supported (bicubic, bilinear, nearest)"))
            }
        }
    }

    /// Side of the square model input in pixels.
    public var imageSize: Int
    /// Per-channel mean subtracted after scaling to [0, 1] (R, G, B).
    public var mean: [Float]
    /// Per-channel standard deviation divided by (R, G, B).
    public var std: [Float]
    /// Resampling filter.
    public var interpolation: Interpolation
    /// Fitting strategy.
    public var resizeMode: ResizeMode
    /// Fill value for `longest` padding, an intensity in [0, 1] applied before normalisation.
    ///
    /// open_clip pads the 8-bit image with the integer level `fill_color` (0–255); this is that
    /// level / 255, and preprocessing turns it back into the level (rounded when it is within
    /// 0.001 of an integer, else truncated as torchvision's `int(fill)` does).
    public var fillColor: Float

    /// OpenAI CLIP's normalisation constants.
    public static let openAIMean: [Float] = [0.48145466, 0.4578275, 0.40821073]
    /// OpenAI CLIP's normalisation constants.
    public static let openAIStd: [Float] = [0.26862954, 0.26130258, 0.27577711]

    /// A configuration; the defaults are OpenAI CLIP's (bicubic, shortest side, black fill).
    public init(imageSize: Int, mean: [Float] = PreprocessConfig.openAIMean, std: [Float] = PreprocessConfig.openAIStd,
                interpolation: Interpolation = .bicubic, resizeMode: ResizeMode = .shortest, fillColor: Float = 0) {
        self.imageSize = imageSize
        self.mean = mean
        self.std = std
        self.interpolation = interpolation
        self.resizeMode = resizeMode
        self.fillColor = fillColor
    }

    enum CodingKeys: String, CodingKey {
        case imageSize = "size", mean, std, interpolation, resizeMode = "resize_mode", fillColor = "fill_color"
    }

    /// Decodes open_clip's `preprocess_cfg` (`size`, `mean`, `std`, `interpolation`, `resize_mode`,
    /// `fill_color`); `size` may be an integer or a [height, width] pair of equal values (224 when
    /// absent). A non-square size is an error: AugLab's model inputs are square.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if try !c.contains(.imageSize) || c.decodeNil(forKey: .imageSize) {
            imageSize = 224
        } else if let size = try? c.decode(Int.self, forKey: .imageSize) {
            imageSize = size
        } else if let pair = try? c.decode([Int].self, forKey: .imageSize), let first = pair.first,
                  pair.allSatisfy({ $0 == first }) {
            imageSize = first
        } else {
            throw DecodingError.dataCorruptedError(forKey: .imageSize, in: c,
                                                   debugDescription: "size must be an integer or a square [height, width] pair")
        }
        mean = try c.decodeIfPresent([Float].self, forKey: .mean) ?? Self.openAIMean
        std = try c.decodeIfPresent([Float].self, forKey: .std) ?? Self.openAIStd
        interpolation = try c.decodeIfPresent(Interpolation.self, forKey: .interpolation) ?? .bicubic
        resizeMode = try c.decodeIfPresent(ResizeMode.self, forKey: .resizeMode) ?? .shortest
        // open_clip's fill_color is an 8-bit level (0–255).
        let level = try c.decodeIfPresent(Double.self, forKey: .fillColor) ?? 0
        guard (0...255).contains(level) else {
            throw DecodingError.dataCorruptedError(forKey: .fillColor, in: c, debugDescription: "fill_color must be in 0...255")
        }
        fillColor = Float(level / 255)
    }

    /// Encodes open_clip's `preprocess_cfg` keys (`fill_color` as the 8-bit level).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(imageSize, forKey: .imageSize)
        try c.encode(mean, forKey: .mean)
        try c.encode(std, forKey: .std)
        try c.encode(interpolation, forKey: .interpolation)
        try c.encode(resizeMode, forKey: .resizeMode)
        try c.encode(fillLevel, forKey: .fillColor)
    }

    /// The 8-bit padding level open_clip uses: `fillColor × 255`, rounded when within 0.001 of an
    /// integer (levels stored as level/255 come back exactly), else truncated like `int(fill)`;
    /// clamped to 0...255.
    public var fillLevel: Int {
        guard fillColor.isFinite else { return 0 }
        let scaled = Double(fillColor) * 255
        let nearest = scaled.rounded()
        let level = abs(scaled - nearest) < 1e-3 ? nearest : scaled.rounded(.towardZero)
        return Int(min(max(level, 0), 255))
    }
}
