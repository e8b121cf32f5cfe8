#!/usr/bin/env python3
"""Reference token ids for captions that exercise every rule of open_clip's tokenizer that the
fixture cases (../shared/fixtures/clip/tokenizer_cases.json) do not: ftfy's deterministic fixes,
html.unescape's edge cases, Python's whitespace and lower-case rules, the pattern's classes.

Writes Tests/CLIPTests/References/tokenizer_extra_cases.json with, per case: the text, open_clip's
cleaned text, BPE pieces, ids (with SOT/EOT, untruncated), the 77-wide row and open_clip's
decode of the ids. Each case is checked
here to be one where ftfy's encoding heuristics (which AugLab does not reproduce) change nothing,
except the cases marked "mojibake", which document that difference: for them (and for the fixture
cases ftfy changes) the file also holds `ids_without_encoding_fix`, the ids open_clip gives when
ftfy runs with fix_encoding=False, which is what AugLab reproduces.

Usage: [AUGLAB_SHARED=/path/to/shared] python3 scripts/reference/tokenizer_cases.py
"""
import functools
import json
import os
import random
import sys

import ftfy
import open_clip
import open_clip.tokenizer as oc_tokenizer

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "Tests", "CLIPTests", "References", "tokenizer_extra_cases.json")
SHARED = os.environ.get("AUGLAB_SHARED") or os.path.join(os.path.dirname(ROOT), "shared")
FIXTURE = os.path.join(SHARED, "fixtures", "clip", "tokenizer_cases.json")

LONG = ("one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen twenty ") * 4

_rng = random.Random(31337)
LONG_WORD = "".join(_rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(3000))

# (name, text, kind): kind "handled" must not depend on ftfy.fix_encoding; "mojibake" must.
CASES = [
    ("curly quotes", "\u201cSmart\u201d quotes and it\u2019s \u2018fine\u2019 \u201ewhy\u201f \u02bcok", "handled"),
    ("entities unescaped by ftfy then uncurled", "isn&rsquo;t &eacute;t&eacute; &#x2019;s &#8217;ll &hellip;", "handled"),
    ("nested escapes", "&amp;amp;amp;lt;b&amp;amp;amp;gt; &amp;amp;quot;x&amp;amp;quot;", "handled"),
    ("all-caps entities", "P&EACUTE;REZ &AMP; SONS &SZLIG; &NTILDE;", "handled"),
    ("a '<' turns ftfy's unescaping off", "a <b> &rsquo; &amp;amp;amp; x", "handled"),
    ("'<' on a later line", "first &rsquo; line\nsecond <tag> &rsquo;\nthird &rsquo;", "handled"),
    ("legacy entities without ';'", "&copy2024 &notit; &ampx &lt3 &AMP &Eacute &eacutex &notin; &nbsp&nbsp", "handled"),
    ("numeric references", "&#0; &#128; &#x80; &#150; &#xD800; &#x110000; &#1114112; &#65 &#x41 &#X41; "
     "&#; &#x; &#1; &#x7f; &#xFDD0; &#99999999999999999999; &#59; &#x1F600; &#13;x", "handled"),
    ("long entity names", "&abcdefghijklmnopqrstuvwxyzabcdefgh; &ampabcdefghijklmnopqrstuvwxyzabcdefgh;", "handled"),
    ("ligatures and widths", "\ufb01sh \ufb02u\ufb03est \uff26\uff55\uff4c\uff4c\uff57\uff49\uff44\uff54\uff48\u3000"
     "\uff7d\uff8d\uff9f\uff70\uff7d \u0132ssel \u01c4 \uffe5100", "handled"),
    ("C1 controls", "price \x80 5 \x93quoted\x94 and\x85more \x81\x8d", "handled"),
    ("control characters", "\ufeffbom\x00null\x07bell \u206adeprecated \ufffcobject \x7fdel\x1c", "handled"),
    ("terminal escapes", "\x1b[31mred\x1b[0m and \x1b[1;4mbold\x1b[m \x1b[\u0663m \x1b[x", "handled"),
    ("whitespace", "a\u00a0b\u2009c\u3000d\x1ce\u200bf\u202fg\u180eh \x85i\u2028j\u2029k\x0bl\x0cm\r\nn\ro", "handled"),
    ("lower case", "\u0130STANBUL \u039f\u0394\u039f\u03a3 \u03a3 \u0391\u03a3. \u0391\u03a3\u0391 \u0391'\u03a3' "
     "\u1fbc \u01c5 \u1e9e \u2126 \u212a \u2160", "handled"),
    ("numbers", "\u0663\u0664 \u00bd \u216b \u2466 \U0001d7d8 \u00b2 \u4e09 12\u2009345", "handled"),
    ("combining marks", "e\u0301 a\u0345b \u0345 n\u0303o\u0308 \u0915\u094d\u0937", "handled"),
    ("special tokens in text", "<start_of_text> hello <end_of_text> <\u017ftart_of_text> x<end_of_text>y !<end_of_text>", "handled"),
    ("contractions", "'S '\u017f ''s 'LL rock'n'roll I'D can't'VE", "handled"),
    ("emoji sequences", "\U0001f469\u200d\U0001f469\u200d\U0001f467 \U0001f1ef\U0001f1f5 "
     "\U0001f3f4\U000e0067\U000e0062\U000e0077\U000e006c\U000e0073\U000e007f \u2764\ufe0f", "handled"),
    ("scripts", "\ud55c\uad6d\uc5b4 \ud14d\uc2a4\ud2b8 \u0645\u0631\u062d\u0628\u0627 \u0928\u092e\u0938\u094d\u0924\u0947 "
     "\u0e2a\u0e27\u0e31\u0e2a\u0e14\u0e35 \u0416\u0443\u043a", "handled"),
    ("punctuation runs", "...!!!??? --- ***a*** __init__ <<>> @#$%^&*() \u00ab\u00bb \u2014\u2013", "handled"),
    ("letters newer than Python's Unicode 14", "\ua7cb\ua7dc \U00010d50x \u1c89", "handled"),
    ("only control characters", "\x00\x01\x02", "handled"),
    ("truncated", LONG, "handled"),
    ("long word", LONG_WORD, "handled"),
    ("repeated letters", "a" * 1001 + " " + "ab" * 700 + " " + "\u00e9" * 301, "handled"),
    ("mojibake", "caf\u00c3\u00a9 na\u00c3\u00afve \u00e2\u0080\u0099", "mojibake"),
]


class _FtfyWithoutEncodingFix:
    """Stands in for the ftfy module inside open_clip.tokenizer."""
    fix_text = staticmethod(functools.partial(ftfy.fix_text, fix_encoding=False))


def describe(tok, text):
    ids = [tok.sot_token_id] + tok.encode(text) + [tok.eot_token_id]
    row = tok([text])[0].tolist()
    pieces = [tok.decoder[i] for i in ids[1:-1]]
    return {"cleaned": tok.clean_fn(text), "bpe_pieces": pieces, "ids": ids, "ids77": row,
            "decoded": tok.decode(ids[1:-1])}


def without_encoding_fix(tok, text):
    real = oc_tokenizer.ftfy
    oc_tokenizer.ftfy = _FtfyWithoutEncodingFix
    try:
        tok.cache = {t: t for t in ["<start_of_text>", "<end_of_text>"]}
        return [tok.sot_token_id] + tok.encode(text) + [tok.eot_token_id]
    finally:
        oc_tokenizer.ftfy = real
        tok.cache = {t: t for t in ["<start_of_text>", "<end_of_text>"]}


def main():
    tok = open_clip.get_tokenizer("ViT-B-32")
    assert isinstance(tok, oc_tokenizer.SimpleTokenizer)
    cases = []
    for name, text, kind in CASES:
        entry = {"name": name, "text": text, "kind": kind,
                 "ftfy_changes_text": ftfy.fix_text(text) != text}
        entry.update(describe(tok, text))
        encoding_matters = ftfy.fix_text(text) != ftfy.fix_text(text, fix_encoding=False)
        if kind == "handled":
            assert not encoding_matters, name
        else:
            assert encoding_matters, name
            entry["ids_without_encoding_fix"] = without_encoding_fix(tok, text)
            assert entry["ids_without_encoding_fix"] != entry["ids"], name
        cases.append(entry)
    assert any(len(c["ids"]) > 77 for c in cases)

    fixture_exceptions = []
    with open(FIXTURE, encoding="utf-8") as f:
        fixture = json.load(f)
    for case in fixture["cases"]:
        text = case["text"]
        if ftfy.fix_text(text) != ftfy.fix_text(text, fix_encoding=False):
            ids = without_encoding_fix(tok, text)
            fixture_exceptions.append({"text": text, "ids": case["ids"], "ids_without_encoding_fix": ids})

    out = {
        "generator": "scripts/reference/tokenizer_cases.py",
        "versions": {"python": sys.version.split()[0], "open_clip": open_clip.__version__, "ftfy": ftfy.__version__},
        "tokenizer": "open_clip.get_tokenizer('ViT-B-32'), context_length 77, clean='lower'",
        "cases": cases,
        "fixture_cases_needing_ftfy_fix_encoding": fixture_exceptions,
    }
    with open(OUT, "w", encoding="utf-8") as f:
        # One case per line: compact, and a changed case shows as one changed line.
        f.write("{\n")
        for i, (key, value) in enumerate(out.items()):
            if isinstance(value, list):
                f.write(' "%s": [\n  %s\n ]' % (key, ",\n  ".join(json.dumps(v, separators=(",", ":")) for v in value)))
            else:
                f.write(' "%s": %s' % (key, json.dumps(value, separators=(",", ":"))))
            f.write(",\n" if i < len(out) - 1 else "\n")
        f.write("}\n")
    print("wrote %s: %d cases, %d fixture cases need fix_encoding" % (os.path.relpath(OUT, ROOT), len(cases), len(fixture_exceptions)))


if __name__ == "__main__":
    main()
