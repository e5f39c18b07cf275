"""Views of a line: OCR-noise folding, case changes that keep positions, OCR digit confusions undone, and
compact forms for comparing values across lines.

Every view of a line built here (``fold``, ``digitize``) has exactly the length of the original text, so a
match position in a view is a character position in the line.
"""

from __future__ import annotations

import re
from functools import lru_cache


_FOLD = {i: i - 0xFEE0 for i in range(0xFF01, 0xFF5F)}
_FOLD.update(
    {
        0x3000: 0x20,
        0x00A0: 0x20,
        0x2002: 0x20,
        0x2003: 0x20,
        0x2009: 0x20,
        0x2010: 0x2D,
        0x2011: 0x2D,
        0x2012: 0x2D,
        0x2013: 0x2D,
        0x2014: 0x2D,
        0x2015: 0x2D,
        0x2212: 0x2D,
        0x30FC: 0x2D,
        0xFE63: 0x2D,
        0x3002: 0x2E,  # 。
        0x3010: 0x5B,
        0x3011: 0x5D,  # 【】
        0x3014: 0x28,
        0x3015: 0x29,  # 〔〕
        0x2018: 0x27,
        0x2019: 0x27,
        0x201C: 0x22,
        0x201D: 0x22,
        0x00D7: 0x2A,  # × used as a mask character
        0x25CF: 0x2A,
        0x2022: 0x2A,
        0x2217: 0x2A,
        0x2731: 0x2A,
        0x204E: 0x2A,
        0x00B7: 0x2E,
    }
)


_FOLD_T = str.maketrans({chr(k): chr(v) for k, v in _FOLD.items()})


def upper_same(s: str) -> str:
    """Upper case that keeps the length and every position (ß stays ß, ﬁ stays ﬁ)."""
    return "".join(c.upper() if len(c.upper()) == 1 else c for c in s)


def lower_same(s: str) -> str:
    """Lower case that keeps the length and every position (İ stays İ)."""
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in s)


def fold(text: str) -> str:
    """Full-width to ASCII, odd dashes to '-', mask bullets to '*'; same length as ``text``."""
    return text.translate(_FOLD_T)


_CONF = {
    "O": "0",
    "o": "0",
    "D": "0",
    "Q": "0",
    "U": "0",
    "I": "1",
    "l": "1",
    "|": "1",
    "i": "1",
    "!": "1",
    "L": "1",
    "S": "5",
    "s": "5",
    "B": "8",
    "Z": "2",
    "z": "2",
    "G": "6",
    "b": "6",
    "g": "9",
    "q": "9",
}
_TOKEN = re.compile(r"[0-9A-Za-z|!*]+")
_KNOWN_PREFIX = (
    "SF",
    "JD",
    "JDV",
    "JDVA",
    "JDVB",
    "JDVC",
    "YT",
    "JT",
    "LP",
    "CN",
    "TBA",
    "JJD",
    "DPK",
    "UPS",
)


def _numeric_parts(tok: str) -> tuple[int, int, int] | None:
    """(first, last+1, digits) of the convertible body of a token, or None when it is not a number."""
    first = next((k for k, c in enumerate(tok) if c.isdigit()), -1)
    if first < 0:
        return None
    last = max(k for k, c in enumerate(tok) if c.isdigit()) + 1
    # confusables at the end of a letter prefix belong to the number: EEl98081180CN, SFl234...
    while first > 2 and tok[first - 1] in _CONF and tok[: first - 1].isalpha():
        first -= 1
    prefix, body, suffix = tok[:first], tok[first:last], tok[last:]
    if any(not (c.isdigit() or c in _CONF or c == "*") for c in body):
        return None
    digits = sum(c.isdigit() for c in body)
    conf = sum(c in _CONF for c in body)
    if conf > max(1, len(body) // 2):
        return None
    # a confusable prefix (l303) or tail (...981O) that is no carrier prefix / S10 country suffix
    if (
        prefix
        and len(prefix) <= 2
        and all(c in _CONF for c in prefix)
        and prefix.upper() not in _KNOWN_PREFIX
    ):
        first = 0
    if suffix and len(suffix) <= 2 and all(c in _CONF for c in suffix) and not (len(suffix) == 2 and prefix):
        last = len(tok)
    return first, last, digits


@lru_cache(maxsize=8192)
def digitize(folded: str) -> str:
    """Undo the usual OCR letter/digit confusions inside numbers (O->0, l->1, S->5, B->8, Z->2, ...), also
    after a carrier prefix (YT2652B2... -> YT265282...) and across a number written in groups (02S-2918...,
    (7OZ) 421-5141); read a CJK '一' between digits as a dash. Same length as the input."""
    chars = list(folded)
    toks = [(m.start(), m.group(0)) for m in _TOKEN.finditer(folded)]
    parts = [_numeric_parts(t) for _, t in toks]
    # clusters of consecutive number-like tokens joined by one separator: 7O7-17O-8945, 3l1.606.8937
    clusters: list[list[int]] = []
    for k, p in enumerate(parts):
        if p is None:
            continue
        if clusters and clusters[-1][-1] == k - 1:
            a = k - 1
            gap = folded[toks[a][0] + len(toks[a][1]) : toks[k][0]]
            if len(gap) <= 2 and all(c in " -()." for c in gap):
                clusters[-1].append(k)
                continue
        clusters.append([k])
    for cl in clusters:
        total = sum(parts[k][2] for k in cl)  # type: ignore[index]
        for k in cl:
            pos, tok = toks[k]
            first, last, digits = parts[k]  # type: ignore[misc]
            # a house number at the start of a line with one confusable between digits: 3O9 N LAKE AVE
            inner = (
                digits >= 2 and tok[first].isdigit() and tok[last - 1].isdigit() and not folded[:pos].strip()
            )
            if first == last or (
                digits < 3 and total < 5 and not (digits >= 2 and last - first >= 4) and not inner
            ):
                continue
            for i in range(first, last):
                c = tok[i]
                if c in _CONF:
                    chars[pos + i] = _CONF[c]
    for i, c in enumerate(chars):
        if (
            c in "lIi|"
            and i > 0
            and chars[i - 1] == "+"
            and i + 1 < len(chars)
            and chars[i + 1] in " -(0123456789"
        ):
            chars[i] = "1"  # +l 212 ...
        if c == "一" and 0 < i < len(chars) - 1:
            left = chars[i - 1]
            right = chars[i + 1]
            if left.isdigit() and right.isdigit():
                chars[i] = "-"
    return "".join(chars)


def digits_of(s: str) -> str:
    """The digits of ``s``."""
    return "".join(c for c in s if c.isdigit())


def has_cjk(s: str) -> bool:
    """Whether ``s`` holds a CJK ideograph."""
    return any("\u4e00" <= c <= "\u9fff" for c in s)


def compact(s: str) -> str:
    """Letters and digits only, OCR digit confusions undone, upper case (for comparing values across lines)."""
    return compact_map(s)[0]


@lru_cache(maxsize=8192)
def compact_map(s: str) -> tuple[str, tuple[int, ...]]:
    """``compact(s)`` and, for each of its characters, the position in ``s``."""
    d = digitize(fold(s))
    chars: list[str] = []
    pos: list[int] = []
    for k, c in enumerate(d):
        if not c.isalnum():
            continue
        # one output character per position: str.upper() may expand a character ("ß" -> "SS", "ﬁ" -> "FI"),
        # which would shift every later position against ``pos`` (an IndexError in the callers)
        u = c.upper()
        chars.append(u if len(u) == 1 else c)
        pos.append(k)
    return "".join(chars), tuple(pos)
