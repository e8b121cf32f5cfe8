@_exported import Diagnostics

/// Marks errors of the Imaging layer.
public enum ImagingLayer: ErrorLayer {}

/// The one error type of the Imaging layer: an image file that cannot be read or written, or an operation argument out of range.
///
/// See `LayerError`: a code, a one-line message, and the file and location involved.
public typealias ImagingError = LayerError<ImagingLayer>

extension ImagingError.Code {
    /// The bytes are not a format AugLab decodes (PNG or JPEG), or the file is empty.
    public static let unknownFormat = ImagingError.Code("unknown-format")
    /// The file is a PNG or JPEG but is corrupt or truncated.
    public static let corrupt = ImagingError.Code("corrupt")
    /// The file is valid but uses a feature AugLab does not support (e.g. 12-bit JPEG).
    public static let unsupported = ImagingError.Code("unsupported")
    /// The image declares more pixels than the configured limit.
    public static let tooLarge = ImagingError.Code("too-large")
    /// Encoding an image failed.
    public static let encode = ImagingError.Code("encode")
}
