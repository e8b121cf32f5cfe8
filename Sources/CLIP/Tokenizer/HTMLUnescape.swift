/// Python 3.11's `html.unescape`, and ftfy's stricter `unescape_html`, over Unicode scalars.
enum HTMLUnescape {
    /// `html.entities.html5`: names (with or without the trailing ';') → replacement text.
    static let html5: [String: [Unicode.Scalar]] = parseEntityTable(TextTables.html5Entities)

    /// `ftfy.chardata.HTML_ENTITIES` without the leading '&': the html5 names that end in ';'
    /// plus ftfy's ALL-CAPS spellings (`EACUTE;` → É).
    static let ftfyEntities: [String: [Unicode.Scalar]] = {
        var table = html5.filter { $0.key.hasSuffix(";") }
        for (name, value) in parseEntityTable(TextTables.ftfyExtraEntities) { table[name] = value }
        return table
    }()

    /// Longest entity name `html.unescape` looks at (its pattern reads at most 32 characters).
    private static let maximumNameLength = 32

    /// `html.unescape(text)`: replaces `&name;`, `&#123;` and `&#x7B;` references as Python does.
    ///
    /// Named references are looked up in the HTML5 table, including the legacy names that need no
    /// ';' (`&amp` → &) and the longest-known-prefix rule (`&notit;` → ¬it;). Numeric references
    /// follow Python's rules: the windows-1252 table for 0x80–0x9F and 0, U+FFFD for surrogates
    /// and values above U+10FFFF, nothing for the code points HTML forbids. Python raises on a
    /// decimal reference of more than 4300 digits; here it is simply out of range (U+FFFD).
    static func unescape(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        guard text.contains("&") else { return text }
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(text.count)
        var i = 0
        while i < text.count {
            guard text[i] == "&", let (replacement, end) = reference(in: text, at: i) else {
                out.append(text[i])
                i += 1
                continue
            }
            out.append(contentsOf: replacement)
            i = end
        }
        return out
    }

    /// Matches `&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)` at `start` (the '&')
    /// and returns the replacement and the index after the match.
    private static func reference(in text: [Unicode.Scalar], at start: Int) -> ([Unicode.Scalar], Int)? {
        let i = start + 1
        guard i < text.count else { return nil }
        if text[i] == "#" {
            return numericReference(in: text, hashAt: i)
        }
        var end = i
        while end < text.count, end - i < maximumNameLength, isNameCharacter(text[end]) { end += 1 }
        guard end > i else { return nil }
        if end < text.count && text[end] == ";" { end += 1 }
        return (namedReplacement(Array(text[i..<end])), end)
    }

    private static func isNameCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "\t", "\n", "\u{0C}", " ", "<", "&", "#", ";": return false
        default: return true
        }
    }

    private static func numericReference(in text: [Unicode.Scalar], hashAt hash: Int) -> ([Unicode.Scalar], Int)? {
        var i = hash + 1
        var hexadecimal = false
        if i < text.count && (text[i] == "x" || text[i] == "X") {
            hexadecimal = true
            i += 1
        }
        let digitsStart = i
        // Values above 0x10FFFF all give U+FFFD, so the value saturates there (no overflow).
        let cap: UInt32 = 0x11_0000
        var value: UInt32 = 0
        while i < text.count, let digit = digitValue(text[i], hexadecimal: hexadecimal) {
            value = min(cap, value * (hexadecimal ? 16 : 10) + digit)
            i += 1
        }
        guard i > digitsStart else {
            // "&#x" without hex digits: the decimal form needs digits right after '#', and 'x'
            // is not one, so nothing matches at this '&'.
            return nil
        }
        if i < text.count && text[i] == ";" { i += 1 }
        return (numericReplacement(value), i)
    }

    private static func digitValue(_ scalar: Unicode.Scalar, hexadecimal: Bool) -> UInt32? {
        switch scalar.value {
        case 0x30...0x39: return scalar.value - 0x30
        case 0x41...0x46 where hexadecimal: return scalar.value - 0x41 + 10
        case 0x61...0x66 where hexadecimal: return scalar.value - 0x61 + 10
        default: return nil
        }
    }

    private static func numericReplacement(_ value: UInt32) -> [Unicode.Scalar] {
        if let fixed = TextTables.invalidCharacterReferences[value], let scalar = Unicode.Scalar(fixed) {
            return [scalar]
        }
        if (0xD800...0xDFFF).contains(value) || value > 0x10FFFF { return ["\u{FFFD}"] }
        if TextTables.invalidCodePoints.contains(where: { $0.contains(value) }) { return [] }
        return Unicode.Scalar(value).map { [$0] } ?? ["\u{FFFD}"]
    }

    /// Python's `_replace_charref` for a name (as matched, possibly ending in ';').
    private static func namedReplacement(_ name: [Unicode.Scalar]) -> [Unicode.Scalar] {
        if let value = lookup(name[...], in: html5) { return value }
        // Longest prefix of at least two characters that is an entity (only the legacy,
        // semicolon-free names can match, since ';' can only be the last character).
        if name.count > 2 {
            for length in stride(from: name.count - 1, through: 2, by: -1) {
                if let value = lookup(name[..<length], in: html5) {
                    return value + name[length...]
                }
            }
        }
        return ["&"] + name
    }

    /// Entity names are ASCII: anything else cannot match (and skipping the String keeps
    /// Swift's canonical-equivalence comparison out of the lookup).
    private static func lookup(_ name: ArraySlice<Unicode.Scalar>, in table: [String: [Unicode.Scalar]]) -> [Unicode.Scalar]? {
        guard name.allSatisfy(\.isASCII) else { return nil }
        var key = String.UnicodeScalarView()
        key.append(contentsOf: name)
        return table[String(key)]
    }

    /// ftfy's `unescape_html`: replaces `&#?[0-9A-Za-z]{1,24};` when the whole reference is
    /// known (ftfy's entity table, or a numeric reference `html.unescape` consumes entirely).
    static func ftfyUnescape(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        guard text.contains("&") else { return text }
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(text.count)
        var i = 0
        while i < text.count {
            guard text[i] == "&", let end = ftfyReferenceEnd(in: text, at: i) else {
                out.append(text[i])
                i += 1
                continue
            }
            let reference = Array(text[i..<end])
            out.append(contentsOf: ftfyReplacement(reference))
            i = end
        }
        return out
    }

    /// The end (after ';') of a match of `&#?[0-9A-Za-z]{1,24};` starting at `start`, if any.
    private static func ftfyReferenceEnd(in text: [Unicode.Scalar], at start: Int) -> Int? {
        var i = start + 1
        if i < text.count && text[i] == "#" { i += 1 }
        let runStart = i
        while i < text.count, i - runStart < 25, isASCIIAlphanumeric(text[i]) { i += 1 }
        let run = i - runStart
        guard run >= 1, run <= 24, i < text.count, text[i] == ";" else { return nil }
        return i + 1
    }

    private static func isASCIIAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
        default: return false
        }
    }

    /// ftfy's `_unescape_fixup` for a matched reference `&...;`.
    private static func ftfyReplacement(_ reference: [Unicode.Scalar]) -> [Unicode.Scalar] {
        if let value = lookup(reference[1...], in: ftfyEntities) { return value }
        if reference.count > 1 && reference[1] == "#" {
            let unescaped = unescape(reference)
            return unescaped.contains(";") ? reference : unescaped
        }
        return reference
    }

    /// Parses the generated `name HEX HEX...` lines.
    private static func parseEntityTable(_ packed: String) -> [String: [Unicode.Scalar]] {
        var table: [String: [Unicode.Scalar]] = [:]
        for line in packed.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard let name = fields.first, fields.count >= 2 else { continue }
            let value = fields.dropFirst().compactMap { UInt32($0, radix: 16).flatMap(Unicode.Scalar.init) }
            table[String(name)] = value
        }
        return table
    }
}
