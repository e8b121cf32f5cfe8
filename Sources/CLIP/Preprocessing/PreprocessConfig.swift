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
    public enum Interpolation: String, Sendable, Codable, CaseIterable {
        case bicubic, bilinear, nearest
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
    public var fillColor: Float

    /// OpenAI CLIP's normalisation constants.
    public static let openAIMean: [Float] = [0.48145466, 0.4578275, 0.40821073]
    /// OpenAI CLIP's normalisation constants.
    public static let openAIStd: [Float] = [0.26862954, 0.26130258, 0.27577711]

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
    /// `fill_color`); `size` may be an integer or a [height, width] pair of equal values.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let size = try? c.decode(Int.self, forKey: .imageSize) {
            imageSize = size
        } else if let pair = try? c.decode([Int].self, forKey: .imageSize), let first = pair.first,
                  pair.allSatisfy({ $0 == first }) {
            imageSize = first
        } else {
            imageSize = 224
        }
        mean = try c.decodeIfPresent([Float].self, forKey: .mean) ?? Self.openAIMean
        std = try c.decodeIfPresent([Float].self, forKey: .std) ?? Self.openAIStd
        interpolation = try c.decodeIfPresent(Interpolation.self, forKey: .interpolation) ?? .bicubic
        resizeMode = try c.decodeIfPresent(ResizeMode.self, forKey: .resizeMode) ?? .shortest
        fillColor = try c.decodeIfPresent(Float.self, forKey: .fillColor) ?? 0
    }
}
