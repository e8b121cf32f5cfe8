import Foundation

/// Escaping of untrusted text for XML/SVG and HTML, and for JSON inside an HTML `<script>`.
///
/// Everything a user supplies (captions, file names, model names, preset text) passes through
/// here before it reaches a report. Characters XML 1.0 forbids (C0 controls other than tab, line
/// feed and carriage return; U+FFFE, U+FFFF) become U+FFFD, so an SVG always parses.
public enum Markup {
    /// Text content of an element: `&`, `<`, `>` escaped; forbidden characters replaced.
    public static func text(_ raw: String) -> String {
        escape(raw, quotes: false)
    }

    /// An attribute value (to be written inside double or single quotes): also `"` and `'` escaped.
    public static func attribute(_ raw: String) -> String {
        escape(raw, quotes: true)
    }

    static func escape(_ raw: String, quotes: Bool) -> String {
        var out = String.UnicodeScalarView()
        out.reserveCapacity(raw.unicodeScalars.count)
        for scalar in raw.unicodeScalars {
            switch scalar {
            case "&": out.append(contentsOf: "&amp;".unicodeScalars)
            case "<": out.append(contentsOf: "&lt;".unicodeScalars)
            case ">": out.append(contentsOf: "&gt;".unicodeScalars)
            case "\"" where quotes: out.append(contentsOf: "&quot;".unicodeScalars)
            case "'" where quotes: out.append(contentsOf: "&#39;".unicodeScalars)
            default: out.append(isAllowedInXML(scalar) ? scalar : "\u{FFFD}")
            }
        }
        return String(out)
    }

    /// Whether XML 1.0 allows the character at all (its `Char` production).
    static func isAllowedInXML(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x9, 0xA, 0xD: return true
        case 0x20...0xD7FF: return true
        case 0xE000...0xFFFD: return true
        case 0x10000...0x10FFFF: return true
        default: return false
        }
    }

    /// JSON text made safe to place inside an HTML `<script>` element.
    ///
    /// `<`, `>`, `&` become `\u003c`, `\u003e`, `\u0026` (so neither `</script>` nor `<!--`
    /// can appear), U+2028 and U+2029 become `\u2028`, `\u2029` (line terminators in older
    /// JavaScript). Inside JSON strings these escapes decode to the same characters; outside
    /// strings JSON has none of them, so the value is unchanged.
    public static func scriptJSON(_ json: String) -> String {
        var out = String.UnicodeScalarView()
        out.reserveCapacity(json.unicodeScalars.count)
        for scalar in json.unicodeScalars {
            switch scalar {
            case "<": out.append(contentsOf: "\\u003c".unicodeScalars)
            case ">": out.append(contentsOf: "\\u003e".unicodeScalars)
            case "&": out.append(contentsOf: "\\u0026".unicodeScalars)
            case "\u{2028}": out.append(contentsOf: "\\u2028".unicodeScalars)
            case "\u{2029}": out.append(contentsOf: "\\u2029".unicodeScalars)
            default: out.append(scalar)
            }
        }
        return String(out)
    }

    /// `data:<mime>;base64,<bytes>`.
    public static func dataURI(mimeType: String, bytes: [UInt8]) -> String {
        "data:\(mimeType);base64," + Data(bytes).base64EncodedString()
    }
}

/// Number formatting for labels and coordinates: plain decimal, no exponent, no trailing zeros.
enum SVGFormat {
    /// `x` with at most `digits` decimals, trailing zeros removed ("0.5", "12", "-0.125");
    /// non-finite values print as "NaN", "inf", "-inf"; −0 prints as "0".
    static func number(_ x: Double, digits: Int = 2) -> String {
        guard x.isFinite else { return x.isNaN ? "NaN" : (x > 0 ? "inf" : "-inf") }
        var text = String(format: "%.\(max(0, min(12, digits)))f", x)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        if text == "-0" { text = "0" }
        return text
    }

    /// A p-value with 3 significant digits ("0.0204", "1.95e-06"): small p-values keep their
    /// magnitude instead of rounding to "0"; 1 prints as "1".
    static func pValue(_ p: Double) -> String {
        guard p.isFinite else { return number(p) }
        if p >= 0.001 || p == 0 { return number(p, digits: 4) }
        return String(format: "%.3g", p)
    }

    /// A coordinate with one decimal (enough for 1/10 px).
    static func coordinate(_ x: Double) -> String { number(x, digits: 1) }

    /// A value with `digits` significant digits for axis labels: 3 decimals below 1, fewer above.
    static func label(_ x: Double) -> String {
        let magnitude = abs(x)
        if magnitude >= 100 { return number(x, digits: 0) }
        if magnitude >= 10 { return number(x, digits: 1) }
        if magnitude >= 1 { return number(x, digits: 2) }
        return number(x, digits: 3)
    }
}
