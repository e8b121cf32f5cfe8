/// open_clip's caption cleaning (`clean="lower"`, the default of every CLIP tokenizer).
///
/// Steps, as open_clip's `whitespace_clean(basic_clean(text)).lower()`:
/// 1. `ftfy.fix_text`: AugLab applies ftfy's deterministic fixes exactly (HTML entities, C1
///    controls, ligatures, character width, curly quotes, line breaks, terminal escapes,
///    control characters, NFC); it does **not** repair mojibake (`cafÃ©` stays as written, where
///    open_clip would read café). See `TextFixer`.
/// 2. `html.unescape` twice (Python's rules: HTML5 names, legacy names without ';', numeric
///    references with Python's replacements).
/// 3. Strip, then collapse every run of whitespace to one space (Python's `str.isspace` set,
///    which includes U+001C–U+001F, U+0085, U+00A0, U+2000–U+200A, U+3000, ...).
/// 4. Lower-case with Python's `str.lower`: full case mappings (İ → i̇) and the final-sigma rule
///    (ΟΔΟΣ → οδος), using Python 3.11's Unicode 14.0 repertoire.
public enum CLIPTextCleaner {
    /// The cleaned caption, as open_clip's tokenizer sees it before splitting.
    public static func clean(_ text: String) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: clean(Array(text.unicodeScalars)))
        return String(view)
    }

    /// `clean` over Unicode scalars (Python code points).
    static func clean(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var scalars = TextFixer.fix(text)
        scalars = HTMLUnescape.unescape(HTMLUnescape.unescape(scalars))
        scalars = PythonUnicode.collapseWhitespace(scalars)
        return PythonUnicode.lowercased(scalars)
    }
}
