/// The one error type of the Lab layer (the run orchestration): what went wrong, where, and what
/// the user can do.
///
/// `description` is one line for the user: `"<path>: <message> (<location>)"`. Errors of the
/// layers below (`SweepError`, `EncoderError`, `AnalysisError`, `ReportError`, …) are carried
/// with their own path and location.
public struct LabError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A machine-readable category, stable across releases.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// A file could not be read or written.
        public static let io = Code("io")
        /// Input is malformed: a variants.json or embeddings file that does not fit.
        public static let invalidInput = Code("invalid-input")
        /// An argument is outside its allowed range or contradicts another.
        public static let invalidArgument = Code("invalid-argument")
        /// Something asked for does not exist (a preset, an image, a model).
        public static let notFound = Code("not-found")
        /// A layer below failed (sweeps, encoders, analysis, reports); the message is its own.
        public static let layer = Code("layer")
    }

    /// The category of the failure.
    public var code: Code
    /// What went wrong, in words a user understands.
    public var message: String
    /// The file involved, if any, as the user named it.
    public var path: String?
    /// Where in the input: a field, key or index, if known.
    public var location: String?

    public init(_ code: Code, _ message: String, path: String? = nil, location: String? = nil) {
        self.code = code
        self.message = message
        self.path = path
        self.location = location
    }

    /// Wraps another layer's error, keeping its one-line description as the message.
    public init(wrapping error: any Error) {
        if let lab = error as? LabError {
            self = lab
        } else {
            self.init(.layer, String(describing: error))
        }
    }

    public var description: String {
        var text = ""
        if let path { text += "\(path): " }
        text += message
        if let location, !message.contains(location) { text += " (\(location))" }
        return text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
