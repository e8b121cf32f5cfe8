import Foundation

/// A resampling filter of Pillow's `Image.resize`, computed as Pillow computes it.
///
/// All filters except `nearest` are convolutions whose support widens with the reduction
/// factor when shrinking (antialiasing): `support × max(in/out, 1)` source pixels each side.
public enum ResampleFilter: String, Sendable, CaseIterable, Codable {
    /// Nearest neighbour (Pillow `NEAREST`): the source pixel under each output pixel's centre.
    case nearest
    /// Box (Pillow `BOX`): mean of the source pixels an output pixel covers; support 0.5.
    case box
    /// Triangle (Pillow `BILINEAR`); support 1.
    case bilinear
    /// Hamming-windowed sinc (Pillow `HAMMING`); support 1.
    case hamming
    /// Keys cubic with a = −0.5 (Pillow `BICUBIC`, CLIP's filter); support 2.
    case bicubic
    /// Lanczos-3 windowed sinc (Pillow `LANCZOS`); support 3.
    case lanczos

    /// Half-width of the kernel in source pixels when not shrinking (0 for `nearest`).
    public var support: Double {
        switch self {
        case .nearest: return 0
        case .box: return 0.5
        case .bilinear, .hamming: return 1
        case .bicubic: return 2
        case .lanczos: return 3
        }
    }

    /// The kernel at distance `x` (source pixels at scale 1), exactly as Pillow's Resample.c evaluates it.
    func weight(_ x: Double) -> Double {
        switch self {
        case .nearest:
            return x > -0.5 && x <= 0.5 ? 1 : 0
        case .box:
            return x > -0.5 && x <= 0.5 ? 1 : 0
        case .bilinear:
            let ax = abs(x)
            return ax < 1 ? 1 - ax : 0
        case .hamming:
            let ax = abs(x)
            if ax == 0 { return 1 }
            if ax >= 1 { return 0 }
            let px = ax * Double.pi
            // Pillow writes the window's constants as C floats: 0.54f and 0.46f.
            return sin(px) / px * (Self.hammingA + Self.hammingB * cos(px))
        case .bicubic:
            let a = -0.5
            let ax = abs(x)
            if ax < 1 { return ((a + 2) * ax - (a + 3)) * ax * ax + 1 }
            if ax < 2 { return (((ax - 5) * ax + 8) * ax - 4) * a }
            return 0
        case .lanczos:
            return -3 <= x && x < 3 ? Self.sinc(x) * Self.sinc(x / 3) : 0
        }
    }

    private static let hammingA = Double(Float(0.54))
    private static let hammingB = Double(Float(0.46))

    private static func sinc(_ x: Double) -> Double {
        if x == 0 { return 1 }
        let px = x * Double.pi
        return sin(px) / px
    }
}
