/// Python 3.11's string semantics that open_clip's tokenizer relies on, over Unicode scalars
/// (Python strings are sequences of code points; Swift `String` compares by canonical
/// equivalence, so all text processing here works on `[Unicode.Scalar]`).
///
/// Python 3.11 ships Unicode 14.0 data while Swift's standard library carries a newer version
/// (17.0 in Swift 6.3): characters assigned after 14.0 are unassigned to Python, so `str.lower`
/// leaves them unchanged and they are neither cased nor case-ignorable. `isKnownToPython`
/// applies that rule. The `regex` module open_clip uses has its own, current tables; the
/// pre-tokenizer therefore uses Swift's categories unfiltered (checked against `regex` over
/// every code point by `TokenizerUnicodeTests`).
enum PythonUnicode {
    /// Unicode version of Python 3.11's `unicodedata` (and so of `str.lower` and `str.isspace`).
    static let unicodeVersion = (major: 14, minor: 0)

    /// Whether `scalar` was assigned in Python's Unicode version.
    @inline(__always)
    static func isKnownToPython(_ scalar: Unicode.Scalar) -> Bool {
        guard let age = scalar.properties.age else { return false }
        return age.major < unicodeVersion.major || (age.major == unicodeVersion.major && age.minor <= unicodeVersion.minor)
    }

    /// Python's `str.isspace()` for one character: bidirectional class WS, B or S, or category Zs.
    ///
    /// Unlike Unicode's White_Space property this includes U+001C...U+001F.
    @inline(__always)
    static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }

    /// Python's `\d` in a `re` str pattern: a decimal digit (category Nd) of Python's Unicode version.
    static func isDecimalDigit(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII { return scalar.value >= 0x30 && scalar.value <= 0x39 }
        return scalar.properties.generalCategory == .decimalNumber && isKnownToPython(scalar)
    }

    /// `str.strip()`: drops leading and trailing `isSpace` characters.
    static func strip(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        guard let first = text.firstIndex(where: { !isSpace($0) }),
              let last = text.lastIndex(where: { !isSpace($0) }) else { return [] }
        return Array(text[first...last])
    }

    /// `" ".join(text.split())`: runs of `isSpace` characters become one space, none at the ends.
    static func collapseWhitespace(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(text.count)
        var pendingSpace = false
        for scalar in text {
            if isSpace(scalar) {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.append(" "); pendingSpace = false }
                out.append(scalar)
            }
        }
        return out
    }

    /// `str.lower()`: the full lowercase mapping of every character Python knows, with Python's
    /// Final_Sigma rule for U+03A3 (Σ becomes ς at the end of a word, σ elsewhere).
    static func lowercased(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(text.count)
        for (index, scalar) in text.enumerated() {
            if scalar.value == 0x3A3 {
                out.append(isFinalSigma(in: text, at: index) ? "\u{3C2}" : "\u{3C3}")
            } else {
                appendLowercase(of: scalar, to: &out)
            }
        }
        return out
    }

    /// Appends `scalar.lower()` (for Σ this is σ; `lowercased` applies the final-sigma rule).
    @inline(__always)
    static func appendLowercase(of scalar: Unicode.Scalar, to out: inout [Unicode.Scalar]) {
        let v = scalar.value
        if v < 0x80 {
            out.append(v >= 0x41 && v <= 0x5A ? Unicode.Scalar(UInt8(v + 0x20)) : scalar)
        } else if scalar.properties.changesWhenLowercased && isKnownToPython(scalar) {
            out.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
        } else {
            out.append(scalar)
        }
    }

    /// CPython's `handle_capital_sigma`: `\p{cased}\p{case-ignorable}*Σ!(\p{case-ignorable}*\p{cased})`.
    private static func isFinalSigma(in text: [Unicode.Scalar], at index: Int) -> Bool {
        var j = index - 1
        while j >= 0 && isCaseIgnorable(text[j]) { j -= 1 }
        guard j >= 0 && isCased(text[j]) else { return false }
        j = index + 1
        while j < text.count && isCaseIgnorable(text[j]) { j += 1 }
        return j == text.count || !isCased(text[j])
    }

    private static func isCased(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isCased && isKnownToPython(scalar)
    }

    private static func isCaseIgnorable(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isCaseIgnorable && isKnownToPython(scalar)
    }
}
