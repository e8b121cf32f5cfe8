/// The one error type of the Sweeps layer: what went wrong, where, and what the user can do.
///
/// `description` is one line for the user: `"<path>: <message> (<location>)"`.
public struct SweepError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A machine-readable category, stable across releases.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// A file could not be read or written.
        public static let io = Code("io")
        /// Input is malformed: a preset or sweep definition that does not validate.
        public static let invalidInput = Code("invalid-input")
        /// An argument is outside its allowed range.
        public static let invalidArgument = Code("invalid-argument")
        /// Something asked for by name does not exist (a preset name, the bundled presets).
        public static let notFound = Code("not-found")
        /// The source image could not be read or decoded (the message is the codec's).
        public static let image = Code("image")
    }

    /// The category of the failure.
    public var code: Code
    /// What went wrong, in words a user understands.
    public var message: String
    /// The file involved, if any, as the user named it.
    public var path: String?
    /// Where in the input: a field, key or byte offset, if known.
    public var location: String?

    public init(_ code: Code, _ message: String, path: String? = nil, location: String? = nil) {
        self.code = code
        self.message = message
        self.path = path
        self.location = location
    }

    public var description: String {
        var text = ""
        if let path { text += "\(path): " }
        text += message
        if let location, !message.contains(location) { text += " (\(location))" }
        return text
    }
}
