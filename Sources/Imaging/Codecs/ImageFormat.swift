/// An image file format AugLab decodes, recognised from the file's first bytes (never its name).
public enum ImageFormat: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    /// PNG (any colour type and bit depth, read as 8-bit RGB).
    case png
    /// JPEG (baseline, progressive or arithmetic-coded, 8-bit).
    case jpeg

    /// "PNG" or "JPEG", for messages.
    public var displayName: String {
        switch self {
        case .png: return "PNG"
        case .jpeg: return "JPEG"
        }
    }

    /// "PNG" or "JPEG" (`displayName`).
    public var description: String { displayName }

    /// The format whose signature `bytes` starts with, or nil.
    ///
    /// PNG: the 8-byte signature `89 50 4E 47 0D 0A 1A 0A`. JPEG: `FF D8` (the SOI marker; what
    /// follows it is libjpeg's to judge, so garbage after SOI is reported as a corrupt JPEG).
    public static func detect<Bytes: Collection>(_ bytes: Bytes) -> ImageFormat? where Bytes.Element == UInt8 {
        let head = Array(bytes.prefix(8))
        if head == pngSignature { return .png }
        if head.count >= 2, head[0] == 0xFF, head[1] == 0xD8 { return .jpeg }
        return nil
    }

    /// Why `bytes` is not a PNG or JPEG, for the error message: "the file is empty", "it is a
    /// GIF file", or its first bytes in hexadecimal.
    static func unrecognisedReason<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        let head = Array(bytes.prefix(12))
        if head.isEmpty { return "the file is empty" }
        func starts(_ prefix: [UInt8]) -> Bool { head.starts(with: prefix) }
        let ascii = { (text: String) in Array(text.utf8) }
        let other: String?
        if starts(ascii("GIF87a")) || starts(ascii("GIF89a")) {
            other = "GIF"
        } else if head.count >= 12, starts(ascii("RIFF")), Array(head[8..<12]) == ascii("WEBP") {
            other = "WebP"
        } else if starts(ascii("BM")) {
            other = "BMP"
        } else if starts([0x49, 0x49, 0x2A, 0x00]) || starts([0x4D, 0x4D, 0x00, 0x2A]) {
            other = "TIFF"
        } else if head.count >= 8, Array(head[4..<8]) == ascii("ftyp") {
            other = "ISO media (HEIF/AVIF)"
        } else if head.count >= 4, head[0] == 0x89, Array(head[1..<4]) == ascii("PNG") {
            other = "damaged PNG (its signature is altered, e.g. by a text-mode transfer)"
        } else {
            other = nil
        }
        if let other { return "it looks like a \(other) file" }
        return "it starts with bytes \(Hex.string(head.prefix(8), separator: " "))"
    }

    static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
}
