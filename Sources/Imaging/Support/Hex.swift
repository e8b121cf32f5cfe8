/// Lowercase hexadecimal text of bytes, for digests and for messages that show raw bytes.
public enum Hex {
    /// Two lowercase digits per byte, `separator` between bytes: `[0x89, 0x50]` → "8950" or "89 50".
    public static func string<Bytes: Sequence>(_ bytes: Bytes, separator: String = "") -> String
        where Bytes.Element == UInt8 {
        var text = ""
        for (index, byte) in bytes.enumerated() {
            if index > 0 { text += separator }
            text.unicodeScalars.append(digits[Int(byte >> 4)])
            text.unicodeScalars.append(digits[Int(byte & 0xF)])
        }
        return text
    }

    private static let digits = Array("0123456789abcdef".unicodeScalars)
}
