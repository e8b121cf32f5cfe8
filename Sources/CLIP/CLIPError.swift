@_exported import Diagnostics

/// Marks errors of the CLIP layer.
public enum CLIPLayer: ErrorLayer {}

/// The one error type of the CLIP layer: a checkpoint, config, vocabulary or input that does not fit the model.
///
/// See `LayerError`: a code, a one-line message, and the file and location involved.
public typealias CLIPError = LayerError<CLIPLayer>
