@_exported import Diagnostics

/// Marks errors of the Analysis layer.
public enum AnalysisLayer: ErrorLayer {}

/// The one error type of the Analysis layer: matrices or parameter axes that do not fit the analysis.
///
/// See `LayerError`: a code, a one-line message, and the file and location involved.
public typealias AnalysisError = LayerError<AnalysisLayer>
