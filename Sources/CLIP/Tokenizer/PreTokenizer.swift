/// open_clip's split of a cleaned caption into words: `regex.findall` with
/// `<start_of_text>|<end_of_text>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+`
/// and `IGNORECASE`, written out by hand.
///
/// At each position the alternatives are tried in order and the first that matches wins; a
/// position where none matches (whitespace) is skipped. Under `IGNORECASE` the `regex` module
/// matches a letter by simple case folding: `ſ` (U+017F) matches `s`, and U+0345 (combining
/// ypogegrammeni, which folds to the letter ι) belongs to none of the three classes, so it is
/// dropped like whitespace.
enum PreTokenizer {
    /// The special tokens, matched before anything else (ASCII, compared case-insensitively).
    static let specialTokens: [[Unicode.Scalar]] = ["<start_of_text>", "<end_of_text>"].map { Array($0.unicodeScalars) }
    /// The contraction suffixes after the apostrophe, in pattern order.
    private static let contractions: [[Unicode.Scalar]] = ["s", "t", "re", "ve", "m", "ll", "d"].map { Array($0.unicodeScalars) }

    enum CharacterClass {
        /// `\p{L}`
        case letter
        /// `\p{N}`
        case number
        /// `[^\s\p{L}\p{N}]`
        case other
        /// `\s`, or U+0345: matched by no alternative.
        case skipped
    }

    /// The class of `scalar` in the pattern (current Unicode categories, as the `regex` module has them).
    @inline(__always)
    static func characterClass(_ scalar: Unicode.Scalar) -> CharacterClass {
        let v = scalar.value
        if v < 0x80 {
            switch v {
            case 0x41...0x5A, 0x61...0x7A: return .letter
            case 0x30...0x39: return .number
            case 0x09...0x0D, 0x20: return .skipped
            default: return .other
            }
        }
        if v == 0x345 { return .skipped }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return .letter
        case .decimalNumber, .letterNumber, .otherNumber:
            return .number
        default:
            return scalar.properties.isWhitespace ? .skipped : .other
        }
    }

    /// The words of `text` as index ranges, in order.
    static func split(_ text: [Unicode.Scalar]) -> [Range<Int>] {
        var words: [Range<Int>] = []
        var i = 0
        let n = text.count
        while i < n {
            if text[i] == "<", let length = specialTokenLength(in: text, at: i) {
                words.append(i..<(i + length))
                i += length
                continue
            }
            if text[i] == "'", let length = contractionLength(in: text, at: i) {
                words.append(i..<(i + length))
                i += length
                continue
            }
            let kind = characterClass(text[i])
            switch kind {
            case .letter, .other:
                var j = i + 1
                while j < n && characterClass(text[j]) == kind { j += 1 }
                words.append(i..<j)
                i = j
            case .number:
                words.append(i..<(i + 1))
                i += 1
            case .skipped:
                i += 1
            }
        }
        return words
    }

    private static func specialTokenLength(in text: [Unicode.Scalar], at start: Int) -> Int? {
        for token in specialTokens where matches(token, in: text, at: start) {
            return token.count
        }
        return nil
    }

    private static func contractionLength(in text: [Unicode.Scalar], at start: Int) -> Int? {
        for suffix in contractions where matches(suffix, in: text, at: start + 1) {
            return suffix.count + 1
        }
        return nil
    }

    private static func matches(_ literal: [Unicode.Scalar], in text: [Unicode.Scalar], at start: Int) -> Bool {
        guard start + literal.count <= text.count else { return false }
        for (offset, expected) in literal.enumerated() where !matchesIgnoringCase(text[start + offset], expected) {
            return false
        }
        return true
    }

    /// Simple case folding for the ASCII characters of the pattern: a letter matches both cases,
    /// `s` also matches `ſ` (U+017F) and `k` the Kelvin sign (U+212A).
    @inline(__always)
    static func matchesIgnoringCase(_ scalar: Unicode.Scalar, _ expected: Unicode.Scalar) -> Bool {
        if scalar == expected { return true }
        let e = expected.value
        guard (0x61...0x7A).contains(e) else { return false }
        if scalar.value == e - 0x20 { return true }
        return (e == 0x73 && scalar.value == 0x17F) || (e == 0x6B && scalar.value == 0x212A)
    }
}
