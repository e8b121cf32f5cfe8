/// The one error type of the Imaging layer: what went wrong, where, and what the user can do.
///
/// `description` is a single line meant for the user, in the form `"<path>: <message>"`
/// (for example `"x.png: CRC error in IDAT chunk"`), so a command-line tool can print it as is.
public struct ImagingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A machine-readable category, stable across releases.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The file could not be opened or read.
        public static let io = Code("io")
        /// The bytes are not a format AugLab decodes (PNG or JPEG), or the file is empty.
        public static let unknownFormat = Code("unknown-format")
        /// The file is a PNG or JPEG but is corrupt or truncated.
        public static let corrupt = Code("corrupt")
        /// The file is valid but uses a feature AugLab does not support (e.g. 12-bit JPEG).
        public static let unsupported = Code("unsupported")
        /// The image declares more pixels than the configured limit.
        public static let tooLarge = Code("too-large")
        /// Encoding an image failed.
        public static let encode = Code("encode")
        /// An argument is outside its allowed range (e.g. JPEG quality 0, negative sigma).
        public static let invalidArgument = Code("invalid-argument")
    }

    /// The category of the failure.
    public var code: Code
    /// What went wrong, in words a user understands.
    public var message: String
    /// The file involved, if any, as the user named it.
    public var path: String?
    /// Where in the file or which field, if known (for example `"IDAT chunk"` or `"offset 1234"`).
    public var location: String?

    public init(_ code: Code, _ message: String, path: String? = nil, location: String? = nil) {
        self.code = code
        self.message = message
        self.path = path
        self.location = location
    }

    /// The same error attributed to `path` (used when a decoder working on bytes learns the file name).
    public func at(path: String) -> ImagingError {
        var copy = self
        copy.path = path
        return copy
    }

    public var description: String {
        var text = ""
        if let path { text += "\(path): " }
        text += message
        if let location, !message.contains(location) { text += " (\(location))" }
        return text
    }
}
