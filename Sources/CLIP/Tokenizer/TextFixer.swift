import Foundation

/// The part of `ftfy.fix_text` (ftfy 6.3, default settings) that AugLab reproduces.
///
/// open_clip runs every caption through `ftfy.fix_text` before tokenizing. ftfy's fixes are
/// of two kinds, and AugLab does the deterministic ones exactly as ftfy does, in ftfy's order,
/// per line, repeated until the text stops changing:
///
/// - HTML entities with a ';' (`&rsquo;`, `&#x2019;`, ALL-CAPS `&EACUTE;`), unless the line
///   or an earlier one contains '<' (ftfy's `unescape_html="auto"`);
/// - C1 control characters read as windows-1252 (`\u{80}` → €);
/// - Latin ligatures split (`ﬁ` → fi), half- and fullwidth forms to normal width (`Ａ` → A,
///   U+3000 → space);
/// - curly quotes straightened (‘ ’ ‚ ‛ ʼ → ', “ ” „ ‟ → ");
/// - line breaks unified (CRLF, CR, U+2028, U+2029, U+0085 → LF);
/// - ANSI terminal escapes removed, unintended control characters removed (C0 controls other than
///   tab, LF, FF, CR; DEL; U+206A–U+206F; BOM; U+FFF9–U+FFFC);
/// - NFC normalisation.
///
/// Not reproduced: ftfy's `fix_encoding` heuristics (mojibake repair such as `cafÃ©` → café,
/// `restore_byte_a0`, `replace_lossy_sequences`, `decode_inconsistent_utf8`), which guess at
/// the encoding history of a string. Text that ftfy would repair this way tokenizes as it is
/// written, so its ids differ from open_clip's. `fix_surrogates` has no counterpart: a Swift
/// string cannot hold unpaired surrogates. Nested escapes deeper than `maximumRounds` stop
/// unescaping there (ftfy would keep going; each round is a pass over the line). NFC uses the
/// platform's Unicode data, newer than Python 3.11's 14.0: text with characters assigned after
/// Unicode 14 could normalise differently.
enum TextFixer {
    /// ftfy's `max_decode_length`: longer lines are fixed in pieces of this many characters.
    static let maximumSegmentLength = 1_000_000
    /// Upper bound on fixing rounds per line (ftfy has none); reached only by deeply nested escapes.
    static let maximumRounds = 64

    /// `ftfy.fix_text(text)` without the encoding heuristics (see the type's documentation).
    static func fix(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(text.count)
        var unescapeHTML = true
        var start = 0
        while start < text.count {
            var end = text[start...].firstIndex(of: "\n").map { $0 + 1 } ?? text.count
            end = min(end, start + maximumSegmentLength)
            let segment = Array(text[start..<end])
            // "auto": once a line contains '<', the text is taken to be HTML and left escaped.
            if unescapeHTML && segment.contains("<") { unescapeHTML = false }
            out.append(contentsOf: fixSegment(segment, unescapeHTML: unescapeHTML))
            start = end
        }
        return out
    }

    /// ftfy's `fix_and_explain` loop for one line.
    static func fixSegment(_ segment: [Unicode.Scalar], unescapeHTML: Bool) -> [Unicode.Scalar] {
        var text = segment
        for _ in 0..<maximumRounds {
            let before = text
            if unescapeHTML { text = HTMLUnescape.ftfyUnescape(text) }
            text = fixC1Controls(text)
            text = fixLatinLigatures(text)
            text = fixCharacterWidth(text)
            text = uncurlQuotes(text)
            text = fixLineBreaks(text)
            text = removeTerminalEscapes(text)
            text = removeControlCharacters(text)
            text = normalizeNFC(text)
            if text == before { break }
        }
        return text
    }

    static func fixC1Controls(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        map(text) { scalar in
            guard (0x80...0x9F).contains(scalar.value) else { return nil }
            return TextTables.c1Controls[scalar.value].flatMap(Unicode.Scalar.init).map { [$0] }
        }
    }

    static func fixLatinLigatures(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        map(text) { scalar in
            guard scalar.value >= 0x132 else { return nil }
            return TextTables.ligatures[scalar.value].map(scalars)
        }
    }

    static func fixCharacterWidth(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        map(text) { scalar in
            guard scalar.value == 0x3000 || (0xFF01...0xFFEF).contains(scalar.value) else { return nil }
            return TextTables.widthMap[scalar.value].map(scalars)
        }
    }

    static func uncurlQuotes(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        map(text) { scalar in
            switch scalar.value {
            case 0x2BC, 0x2018...0x201B: return ["'"]
            case 0x201C...0x201F: return ["\""]
            default: return nil
            }
        }
    }

    /// CRLF, CR, U+2028, U+2029 and U+0085 → LF.
    static func fixLineBreaks(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        guard text.contains(where: { ["\r", "\u{2028}", "\u{2029}", "\u{85}"].contains($0) }) else { return text }
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(text.count)
        var i = 0
        while i < text.count {
            switch text[i] {
            case "\r":
                out.append("\n")
                if i + 1 < text.count && text[i + 1] == "\n" { i += 1 }
            case "\u{2028}", "\u{2029}", "\u{85}":
                out.append("\n")
            default:
                out.append(text[i])
            }
            i += 1
        }
        return out
    }

    /// Removes `ESC [ (digit | ;)* letter` (ftfy's `ANSI_RE`; digits are Unicode decimal digits as in Python's `\d`).
    static func removeTerminalEscapes(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        guard text.contains("\u{1B}") else { return text }
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(text.count)
        var i = 0
        while i < text.count {
            if text[i] == "\u{1B}", i + 1 < text.count, text[i + 1] == "[" {
                var j = i + 2
                while j < text.count && (text[j] == ";" || PythonUnicode.isDecimalDigit(text[j])) { j += 1 }
                if j < text.count && isASCIILetter(text[j]) {
                    i = j + 1
                    continue
                }
            }
            out.append(text[i])
            i += 1
        }
        return out
    }

    private static func isASCIILetter(_ scalar: Unicode.Scalar) -> Bool {
        (0x41...0x5A).contains(scalar.value) || (0x61...0x7A).contains(scalar.value)
    }

    static func removeControlCharacters(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        map(text) { scalar in
            TextTables.controlCharacters.contains(where: { $0.contains(scalar.value) }) ? [] : nil
        }
    }

    /// Unicode NFC (Foundation's canonical composition).
    static func normalizeNFC(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        // ASCII and text with nothing to compose or reorder is already NFC; skip Foundation then.
        if text.allSatisfy({ $0.value < 0x300 }) { return text }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: text)
        return Array(String(view).precomposedStringWithCanonicalMapping.unicodeScalars)
    }

    private static func scalars(_ values: [UInt32]) -> [Unicode.Scalar] {
        values.compactMap(Unicode.Scalar.init)
    }

    /// Replaces every scalar for which `replacement` returns a value; copies only when something changes.
    private static func map(_ text: [Unicode.Scalar], _ replacement: (Unicode.Scalar) -> [Unicode.Scalar]?) -> [Unicode.Scalar] {
        guard let first = text.firstIndex(where: { replacement($0) != nil }) else { return text }
        var out = Array(text[..<first])
        out.reserveCapacity(text.count)
        for scalar in text[first...] {
            if let replaced = replacement(scalar) { out.append(contentsOf: replaced) } else { out.append(scalar) }
        }
        return out
    }
}
