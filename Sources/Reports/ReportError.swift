@_exported import Diagnostics

/// Marks errors of the Reports layer.
public enum ReportsLayer: ErrorLayer {}

/// The one error type of the Reports layer: run data that cannot be rendered or written.
///
/// See `LayerError`: a code, a one-line message, and the file and location involved.
public typealias ReportError = LayerError<ReportsLayer>
