@_exported import Diagnostics

/// Marks errors of the Sweeps layer.
public enum SweepsLayer: ErrorLayer {}

/// The one error type of the Sweeps layer: a preset or sweep definition that does not validate, or a source that cannot be used.
///
/// See `LayerError`: a code, a one-line message, and the file and location involved.
public typealias SweepError = LayerError<SweepsLayer>

extension SweepError.Code {
    /// Something asked for by name does not exist (a preset name, the bundled presets).
    public static let notFound = SweepError.Code("not-found")
    /// The source image could not be read or decoded (the message is the codec's).
    public static let image = SweepError.Code("image")
}
