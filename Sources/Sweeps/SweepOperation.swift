import Imaging

/// The fill of geometric operations, by name as presets write it.
public enum FillChoice: String, Sendable, Hashable, CaseIterable, Codable {
    /// Constant black (0, 0, 0).
    case black
    /// Constant white (255, 255, 255).
    case white
    /// Constant mid-grey (128, 128, 128), the colour of the mask-control image.
    case grey
    /// Edge extension: taps beyond the border repeat the nearest edge pixel.
    case edge
    /// Half-sample symmetric reflection (scipy.ndimage mode "reflect").
    case reflect

    /// The `Imaging` fill.
    public var fill: Fill {
        switch self {
        case .black: return .black
        case .white: return .constant(FloatColor(grey: 1))
        case .grey: return .constant(FloatColor(red8: 128, green8: 128, blue8: 128))
        case .edge: return .edge
        case .reflect: return .reflect
        }
    }
}

/// What a rotation does to the canvas after turning, by name as presets write it.
public enum CropChoice: String, Sendable, Hashable, CaseIterable, Codable {
    /// Keep the whole canvas; corners show the fill where the source does not reach.
    case none
    /// Paint everything outside the inscribed circle with the fill colour (black for edge and
    /// reflect fills), at every angle including 0°, so the corners never change along the sweep.
    case circle

    /// The `Imaging` rotation crop.
    public var rotationCrop: RotationCrop { self == .none ? .none : .circularMask }
}

/// The pixel grid a blur σ is measured on.
public enum BlurSigmaUnit: String, Sendable, Hashable, CaseIterable, Codable {
    /// σ in pixels of the (square-cropped) source image.
    case sourcePixels = "source_px"
    /// σ in pixels of the model input: σ_source = σ × shorter side / model input size.
    case modelInputPixels = "model_input_px"
}

/// The direction of a shift sweep: which component the swept fraction moves.
public enum ShiftDirection: String, Sendable, Hashable, CaseIterable, Codable {
    /// (dx, dy) = (v, 0): right for positive v, as a fraction of the width.
    case horizontal
    /// (dx, dy) = (0, v): down for positive v, as a fraction of the height.
    case vertical
    /// (dx, dy) = (v, v).
    case diagonal
}

/// A D4 element as sweeps name it (the parameter of the `dihedral` operation).
///
/// `flip_both` (a horizontal and a vertical flip) is the same transform as `rotate_180`; both
/// names are accepted and the name is kept as written in the provenance.
public enum DihedralName: String, Sendable, Hashable, CaseIterable {
    case identity
    case flipHorizontal = "flip_horizontal"
    case flipVertical = "flip_vertical"
    case flipBoth = "flip_both"
    case rotate90 = "rotate_90"
    case rotate180 = "rotate_180"
    case rotate270 = "rotate_270"
    case transpose
    case transverse

    /// The exact transform.
    public var transform: DihedralTransform {
        switch self {
        case .identity: return .identity
        case .flipHorizontal: return .flipHorizontal
        case .flipVertical: return .flipVertical
        case .flipBoth, .rotate180: return .rotate180
        case .rotate90: return .rotate90
        case .rotate270: return .rotate270
        case .transpose: return .transpose
        case .transverse: return .transverse
        }
    }
}

/// One augmentation with its fixed options; the swept parameter is supplied per variant.
///
/// | operation | parameter (unit) | allowed values | options |
/// |---|---|---|---|
/// | `rotate` | angle (degrees, counter-clockwise) | finite | interpolation, fill, crop |
/// | `dihedral` | D4 element (name) | see `DihedralName` | – |
/// | `gaussian_noise` | σ (intensity, image in [0, 1]) | 0…1 | – |
/// | `uniform_noise` | α (blend weight of U[0,1) noise) | 0…1 | – |
/// | `blur` | σ (source_px or model_input_px) | 0…256 | sigma_unit, model_input_size |
/// | `shift` | fraction of width/height | −1…1 | direction, interpolation, fill |
/// | `jpeg` | quality | whole numbers 1…100 | – |
/// | `brightness` | factor | 0…100 | – |
/// | `contrast` | factor | 0…100 | – |
/// | `zoom` | factor (> 1 magnifies) | 0.01…100 | interpolation, fill |
public enum SweepOperation: Sendable, Hashable {
    /// Rotation about the centre (Pillow's `rotate`, same canvas).
    case rotate(interpolation: Interpolation, fill: FillChoice, crop: CropChoice)
    /// An exact rotation by a multiple of 90° or a flip (bit-exact, no interpolation).
    case dihedral
    /// Additive Gaussian noise N(0, σ²), clipped to [0, 1], seeded per variant.
    case gaussianNoise
    /// Blend with uniform noise, (1 − α)·x + α·u, seeded per variant (the article's noise).
    case uniformNoise
    /// Separable Gaussian blur (scipy.ndimage, reflect border, truncate 4).
    case blur(sigmaUnit: BlurSigmaUnit, modelInputSize: Int)
    /// Translation by a fraction of the image size, same canvas.
    case shift(direction: ShiftDirection, interpolation: Interpolation, fill: FillChoice)
    /// JPEG re-encode at a quality (libjpeg, 4:2:0) and decode.
    case jpeg
    /// Brightness factor, clamp(f·x).
    case brightness
    /// Contrast factor about the mean grey level.
    case contrast
    /// Scaling about the centre, same canvas.
    case zoom(interpolation: Interpolation, fill: FillChoice)

    /// The operation names presets use, in documentation order.
    public static let names = ["rotate", "dihedral", "gaussian_noise", "uniform_noise", "blur", "shift",
                               "jpeg", "brightness", "contrast", "zoom"]

    /// The name presets and provenance use (`rotate`, `gaussian_noise`, …).
    public var name: String {
        switch self {
        case .rotate: return "rotate"
        case .dihedral: return "dihedral"
        case .gaussianNoise: return "gaussian_noise"
        case .uniformNoise: return "uniform_noise"
        case .blur: return "blur"
        case .shift: return "shift"
        case .jpeg: return "jpeg"
        case .brightness: return "brightness"
        case .contrast: return "contrast"
        case .zoom: return "zoom"
        }
    }

    /// The unit of the swept parameter (`degrees`, `intensity`, `model_input_px`, …).
    public var unit: String {
        switch self {
        case .rotate: return "degrees"
        case .dihedral: return "element"
        case .gaussianNoise: return "intensity"
        case .uniformNoise: return "alpha"
        case .blur(let unit, _): return unit.rawValue
        case .shift: return "fraction"
        case .jpeg: return "quality"
        case .brightness, .contrast, .zoom: return "factor"
        }
    }

    /// How analyzers should treat the parameter axis.
    public var axisKind: ParameterAxis.Kind {
        switch self {
        case .rotate: return .rotationAngle
        case .dihedral: return .categorical
        default: return .orderedLevel
        }
    }

    /// Whether the operation draws random numbers (and so uses the variant's seed).
    public var isRandom: Bool {
        switch self {
        case .gaussianNoise, .uniformNoise: return true
        default: return false
        }
    }

    /// Interpolation of geometric operations (rotate, shift, zoom), nil otherwise.
    public var interpolation: Interpolation? {
        switch self {
        case .rotate(let interpolation, _, _), .shift(_, let interpolation, _), .zoom(let interpolation, _):
            return interpolation
        default:
            return nil
        }
    }

    /// Fill of geometric operations (rotate, shift, zoom), nil otherwise.
    public var fill: FillChoice? {
        switch self {
        case .rotate(_, let fill, _), .shift(_, _, let fill), .zoom(_, let fill): return fill
        default: return nil
        }
    }

    /// Crop of a rotation, nil for other operations.
    public var crop: CropChoice? {
        if case .rotate(_, _, let crop) = self { return crop }
        return nil
    }

    /// Checks one parameter value against the table above.
    ///
    /// - Returns: nil when the value is allowed, else what is wrong and what is allowed.
    public func problem(with value: ParameterValue) -> String? {
        if case .dihedral = self {
            guard let name = value.name, DihedralName(rawValue: name) != nil else {
                return "\(Self.quoted(value)) is not one of \(DihedralName.allCases.map(\.rawValue).joined(separator: ", "))"
            }
            return nil
        }
        guard let number = value.number else {
            return "\(Self.quoted(value)) is not a number (\(name) takes a number in \(unit))"
        }
        guard number.isFinite else { return "\(number) is not a finite number" }
        switch self {
        case .rotate, .dihedral:
            return nil
        case .gaussianNoise:
            return Self.range(number, 0...1, "noise σ must be in [0, 1] (intensity units)")
        case .uniformNoise:
            return Self.range(number, 0...1, "uniform-noise α must be in [0, 1]")
        case .blur:
            return Self.range(number, 0...256, "blur σ must be in [0, 256] (\(unit))")
        case .shift:
            return Self.range(number, -1...1, "shift must be in [−1, 1] (fraction of the image size)")
        case .jpeg:
            guard number == number.rounded(), (1...100).contains(number) else {
                return "JPEG quality must be a whole number in 1...100, got \(value)"
            }
            return nil
        case .brightness, .contrast:
            return Self.range(number, 0...100, "\(name) factor must be in [0, 100]")
        case .zoom:
            return Self.range(number, 0.01...100, "zoom factor must be in [0.01, 100]")
        }
    }

    /// Applies the operation with parameter `value` to `image`.
    ///
    /// `seed` feeds the random operations. JPEG quantises its float input to 8 bits first
    /// (`FloatImage.quantized()`): the codec works on 8-bit pixels. `value` must have passed
    /// `problem(with:)`; a value that did not throws `invalidArgument`.
    public func apply(_ value: ParameterValue, seed: UInt64, to image: FloatImage) throws(SweepError) -> FloatImage {
        if let problem = problem(with: value) {
            throw SweepError(.invalidArgument, "\(name): \(problem)")
        }
        let number = value.number ?? 0
        do throws(ImagingError) {
            switch self {
            case let .rotate(interpolation, fill, crop):
                return try Rotation(degrees: number, interpolation: interpolation, fill: fill.fill,
                                    crop: crop.rotationCrop).apply(to: image)
            case .dihedral:
                let transform = DihedralName(rawValue: value.name ?? "")?.transform ?? .identity
                return image.transformed(by: transform)
            case .gaussianNoise:
                return try GaussianNoise(sigma: Float(number), seed: seed).apply(to: image)
            case .uniformNoise:
                return try UniformNoiseBlend(alpha: Float(number), seed: seed).apply(to: image)
            case let .blur(sigmaUnit, modelInputSize):
                let sigma: BlurSigma = sigmaUnit == .sourcePixels
                    ? .sourcePixels(number) : .modelInputPixels(number, modelInputSize: modelInputSize)
                return try GaussianBlur(sigma: sigma).apply(to: image)
            case let .shift(direction, interpolation, fill):
                let dx = direction == .vertical ? 0 : number
                let dy = direction == .horizontal ? 0 : number
                return try Shift(x: dx, y: dy, interpolation: interpolation, fill: fill.fill).apply(to: image)
            case .jpeg:
                return FloatImage(try JPEGCodec.reencode(image.quantized(), quality: Int(number)))
            case .brightness:
                return try Brightness(factor: Float(number)).apply(to: image)
            case .contrast:
                return try Contrast(factor: Float(number)).apply(to: image)
            case let .zoom(interpolation, fill):
                return try Zoom(factor: number, interpolation: interpolation, fill: fill.fill).apply(to: image)
            }
        } catch {
            throw SweepError(.invalidArgument, "\(name) \(value): \(error.message)")
        }
    }

    static func range(_ value: Double, _ range: ClosedRange<Double>, _ message: String) -> String? {
        range.contains(value) ? nil : "\(message), got \(ParameterValue.of(value))"
    }

    static func quoted(_ value: ParameterValue) -> String {
        switch value {
        case .name(let name): return "'\(name)'"
        case .number: return value.description
        }
    }
}
