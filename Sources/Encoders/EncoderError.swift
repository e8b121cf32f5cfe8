@_exported import Diagnostics

/// Marks errors of the Encoders layer.
public enum EncodersLayer: ErrorLayer {}

/// The one error type of the Encoders layer: an encoder specification, embeddings file or cache that cannot be used.
///
/// See `LayerError`: a code, a one-line message, and the file and location involved.
public typealias EncoderError = LayerError<EncodersLayer>
