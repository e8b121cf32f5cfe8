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

    /// The three per-reader functions of a C decoder; PNG's and JPEG's have the same signatures.
    struct Decoder {
        /// The format the decoder reads (for messages and the pixel-limit location).
        let format: ImageFormat
        /// `ic_*_read_rgb8`: decodes the whole image into an RGB8 buffer.
        let readRGB8: @convention(c) (OpaquePointer?, UnsafeMutablePointer<UInt8>?, Int,
                                      UnsafeMutablePointer<CChar>?, Int) -> Int32
        /// `ic_*_warnings`: the number of library warnings and the first one.
        let warnings: @convention(c) (OpaquePointer?, UnsafeMutablePointer<CChar>?, Int) -> Int32
        /// `ic_*_close`: destroys the reader.
        let close: @convention(c) (OpaquePointer?) -> Void

        static let png = Decoder(format: .png, readRGB8: ic_png_read_rgb8, warnings: ic_png_warnings, close: ic_png_close)
        static let jpeg = Decoder(format: .jpeg, readRGB8: ic_jpeg_read_rgb8, warnings: ic_jpeg_warnings,
                                  close: ic_jpeg_close)
    }

    /// The stored pixels of a decoded file, with what the decoder reported along the way.
    struct StoredImage {
        /// The pixels as stored (no orientation applied).
        var image: RGBImage
        /// What the header said.
        var info: ic_image_info
        /// The library's warnings.
        var warnings: DecodedImage.Warnings
    }

    /// The decode sequence both formats share: `open` the C reader (it reads the header into
    /// `ic_image_info`), refuse a header over `options.maxPixels` before any pixel memory is
    /// allocated, decode into a fresh RGB buffer, collect the warnings, close the reader.
    ///
    /// `open` gets the reader and header to fill in and a message buffer with its capacity, and
    /// returns the shim's status.
    static func decodeStored(
        _ decoder: Decoder, options: DecodeOptions,
        open: (UnsafeMutablePointer<OpaquePointer?>, UnsafeMutablePointer<ic_image_info>,
               UnsafeMutablePointer<CChar>, Int) -> Int32
    ) -> Result<StoredImage, ImagingError> {
        var message = messageBuffer()
        var reader: OpaquePointer?
        var info = ic_image_info()
        let openStatus = open(&reader, &info, &message, message.count)
        guard openStatus == ok, let reader else {
            return .failure(error(status: openStatus, message: text(message), format: decoder.format))
        }
        defer { decoder.close(reader) }
        do {
            try ImageDecoder.checkPixelLimit(width: info.width, height: info.height, format: decoder.format, options: options)
        } catch {
            return .failure(error)
        }
        let width = Int(info.width), height = Int(info.height)
        let count = width * height * 3
        var readStatus = ok
        let pixels = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            readStatus = decoder.readRGB8(reader, buffer.baseAddress, count, &message, message.count)
            initialized = readStatus == ok ? count : 0
        }
        guard readStatus == ok else {
            return .failure(error(status: readStatus, message: text(message), format: decoder.format))
        }
        var warning = messageBuffer()
        let warningCount = Int(decoder.warnings(reader, &warning, warning.count))
        return .success(StoredImage(
            image: RGBImage(width: width, height: height, pixels: pixels), info: info,
            warnings: .init(first: warningCount > 0 ? text(warning) : nil, count: warningCount)))
    }

    /// The bytes an `ic_*_encode_rgb8` call produces: `encode` gets the output pointer and length
    /// to fill in and a message buffer with its capacity, and returns the shim's status. The C
    /// buffer is copied and freed.
    ///
    /// - Throws: the shim's failure as an `ImagingError` (no format: encoder messages need none).
    static func encoded(
        _ encode: (UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>, UnsafeMutablePointer<Int>,
                   UnsafeMutablePointer<CChar>, Int) -> Int32
    ) throws(ImagingError) -> [UInt8] {
        var message = messageBuffer()
        var output: UnsafeMutablePointer<UInt8>?
        var length = 0
        let status = encode(&output, &length, &message, message.count)
        defer { ic_free(output) }
        guard status == ok, let output else {
            throw error(status: status, message: text(message), format: nil)
        }
        return Array(UnsafeBufferPointer(start: output, count: length))
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
