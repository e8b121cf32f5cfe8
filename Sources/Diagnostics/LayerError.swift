/// Marks which layer an error belongs to (`ImagingLayer`, `CLIPLayer`, ...).
///
/// Each layer of AugLab has one error type, `LayerError<ItsLayer>`, under a typealias such as
/// `ImagingError`; the marker keeps the layers' errors distinct types (so `throws(ImagingError)`
/// says which layer can fail) while they share one implementation.
public protocol ErrorLayer: Sendable {}

/// An AugLab error: what went wrong, where (file, field or offset), and in what category.
///
/// `description` is one line meant for the user, in the form `"<path>: <message> (<location>)"`
/// (for example `"x.png: CRC error in IDAT chunk"`), so a command-line tool can print it as is.
/// The location is left out when the message already names it.
public struct LayerError<Layer: ErrorLayer>: Error, Sendable, Equatable, CustomStringConvertible {
    /// A machine-readable category, stable across releases. Layers add their own codes in
    /// constrained extensions (`extension ImagingError.Code { static let corrupt = ... }`).
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The stable text of the code, e.g. `corrupt`.
        public let rawValue: String
        /// A code with the given text (layers declare theirs as static members).
        public init(_ rawValue: String) { self.rawValue = rawValue }
        /// The code's text.
        public var description: String { rawValue }

        /// A file could not be opened, read or written.
        public static var io: Code { Code("io") }
        /// Input is malformed: a file, definition or value that does not validate.
        public static var invalidInput: Code { Code("invalid-input") }
        /// An argument is outside its allowed range.
        public static var invalidArgument: Code { Code("invalid-argument") }
    }

    /// The category of the failure.
    public var code: Code
    /// What went wrong, in words a user understands.
    public var message: String
    /// The file involved, if any, as the user named it.
    public var path: String?
    /// Where in the input: a field, key, chunk or byte offset, if known.
    public var location: String?

    /// An error with a code, a one-line message and, if known, the file and the place in it.
    public init(_ code: Code, _ message: String, path: String? = nil, location: String? = nil) {
        self.code = code
        self.message = message
        self.path = path
        self.location = location
    }

    /// The same error from another layer, with its message, path and location kept; its code is kept
    /// where this layer has the same one (`io`, `invalid-argument`), else it becomes `invalid-input`.
    /// `context`, if given, is put in front of the message ("context: message").
    public init<Other>(_ other: LayerError<Other>, context: String? = nil) {
        let code: Code = switch other.code.rawValue {
        case Code.io.rawValue: .io
        case Code.invalidArgument.rawValue: .invalidArgument
        default: .invalidInput
        }
        self.init(code, context.map { "\($0): \(other.message)" } ?? other.message,
                  path: other.path, location: other.location)
    }

    /// The same error attributed to `path` (used when code working on bytes learns the file name).
    public func at(path: String) -> LayerError {
        var copy = self
        copy.path = path
        return copy
    }

    /// The one line for the user: "path: message (location)".
    public var description: String {
        var text = ""
        if let path { text += "\(path): " }
        text += message
        if let location, !message.contains(location) { text += " (\(location))" }
        return text
    }
}
