#!/usr/bin/env python3
"""Per-code-point reference for the Unicode rules of open_clip's tokenizer under Python 3.11:

  - `classes`: for every code point (surrogates excluded), which part of open_clip's pattern
    takes it under regex.IGNORECASE: 1 = [\\p{L}], 2 = [\\p{N}], 4 = [^\\s\\p{L}\\p{N}], 8 = \\s,
    0 = none of them; as runs [first, last, class].
  - `isspace`: the code points where str.isspace() is true (whitespace_clean splits on them).
  - `lower`: every code point whose str.lower() differs from itself, with that lower case
    (single characters, so without the final-sigma context rule).
  - `ignorecase_letters`: the code points regex.IGNORECASE matches for each ASCII letter of the pattern.

Writes Tests/CLIPTests/References/tokenizer_unicode.json. Usage: python3 scripts/reference/tokenizer_unicode.py
"""
import json
import os
import sys
import unicodedata

import regex

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "Tests", "CLIPTests", "References", "tokenizer_unicode.json")


def main():
    letter = regex.compile(r"[\p{L}]", regex.IGNORECASE)
    number = regex.compile(r"[\p{N}]", regex.IGNORECASE)
    other = regex.compile(r"[^\s\p{L}\p{N}]", regex.IGNORECASE)
    space = regex.compile(r"\s", regex.IGNORECASE)
    runs = []
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        ch = chr(cp)
        cls = (1 if letter.match(ch) else 0) | (2 if number.match(ch) else 0) \
            | (4 if other.match(ch) else 0) | (8 if space.match(ch) else 0)
        assert cls in (0, 1, 2, 4, 8), (hex(cp), cls)
        if runs and runs[-1][2] == cls and runs[-1][1] == cp - 1:
            runs[-1][1] = cp
        else:
            runs.append([cp, cp, cls])
    isspace = [cp for cp in range(0x110000) if chr(cp).isspace()]
    lower = [[cp, [ord(c) for c in chr(cp).lower()]] for cp in range(0x110000)
             if not 0xD800 <= cp <= 0xDFFF and chr(cp).lower() != chr(cp)]
    letters = sorted(set("start_of_text" + "end_of_text" + "strevmld") - set("_"))
    ignorecase = {c: [cp for cp in range(0x110000) if not 0xD800 <= cp <= 0xDFFF
                      and regex.fullmatch(c, chr(cp), regex.IGNORECASE)] for c in letters}
    out = {
        "generator": "scripts/reference/tokenizer_unicode.py",
        "versions": {"python": sys.version.split()[0], "unicodedata": unicodedata.unidata_version,
                     "regex": regex.__version__},
        "classes": runs,
        "isspace": isspace,
        "lower": lower,
        "ignorecase_letters": ignorecase,
    }
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")
    print("wrote %s: %d runs, %d isspace, %d lower" % (os.path.relpath(OUT, ROOT), len(runs), len(isspace), len(lower)))


if __name__ == "__main__":
    main()
