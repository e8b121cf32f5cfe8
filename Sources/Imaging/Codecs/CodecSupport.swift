import CImageCodecs

extension ImagingError.Code {
    /// Memory for the image (or a buffer the codec library needed) could not be allocated.
    public static let outOfMemory = ImagingError.Code("out-of-memory")
}

/// Glue between the C shim's status codes and message buffers and `ImagingError`.
enum CodecCall {
    /// The C shim's success status.
    static let ok = Int32(IC_OK)

    /// Capacity of the message buffers handed to the C shim (bytes, NUL included).
    static let messageCapacity = 256

    /// A zeroed message buffer for one C call.
    static func messageBuffer() -> [CChar] { [CChar](repeating: 0, count: messageCapacity) }

    /// The NUL-terminated text in `buffer`.
    static func text(_ buffer: [CChar]) -> String {
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Turns a failing status of the C shim into an `ImagingError` for `format`.
    ///
    /// Library messages are reworded for users: libpng's "IDAT: CRC error" becomes
    /// "CRC error in IDAT chunk" (location "IDAT chunk"), and a leading capital of a library
    /// message is lowered so it reads as the continuation of "file: ".
    static func error(status: Int32, message raw: String, format: ImageFormat?) -> ImagingError {
        var message = raw.isEmpty ? "unknown codec failure (status \(status))" : raw
        var location: String?
        if format == .png, let (chunk, rest) = splitChunkPrefix(message) {
            message = "\(rest) in \(chunk) chunk"
            location = "\(chunk) chunk"
        }
        message = lowercasingFirstWord(message)
        let code: ImagingError.Code
        switch Int(status) {
        case Int(IC_ERR_ARGUMENT): code = .invalidArgument
        case Int(IC_ERR_UNSUPPORTED): code = .unsupported
        case Int(IC_ERR_LIMIT): code = .tooLarge
        case Int(IC_ERR_NOMEM): code = .outOfMemory
        case Int(IC_ERR_ENCODE): code = .encode
        default: code = .corrupt
        }
        if code == .corrupt, let format, !message.lowercased().hasPrefix("corrupt") {
            message = "corrupt \(format.displayName): \(message)"
        }
        return ImagingError(code, message, location: location)
    }

    /// Splits libpng's "XXXX: message" (a four-letter chunk name first) into its two parts.
    static func splitChunkPrefix(_ message: String) -> (chunk: String, rest: String)? {
        let scalars = Array(message.unicodeScalars)
        guard scalars.count > 6, scalars[4] == ":", scalars[5] == " " else { return nil }
        let name = scalars[0..<4]
        guard name.allSatisfy({ ($0 >= "A" && $0 <= "Z") || ($0 >= "a" && $0 <= "z") }) else { return nil }
        return (String(String.UnicodeScalarView(name)), String(String.UnicodeScalarView(scalars[6...])))
    }

    /// "Premature end" → "premature end"; words in capitals ("IDAT", "JPEG") are kept.
    static func lowercasingFirstWord(_ message: String) -> String {
        let scalars = Array(message.unicodeScalars)
        guard scalars.count >= 2, scalars[0].properties.isUppercase, scalars[1].properties.isLowercase else {
            return message
        }
        return String(scalars[0]).lowercased() + String(String.UnicodeScalarView(scalars[1...]))
    }
}
