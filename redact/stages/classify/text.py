"""Shared text machinery: OCR-noise folding, hits, overlap resolution, and the locale-free detectors
(e-mails, phone numbers, ID numbers, tracking numbers, dates, weights, hotlines).

Every view of a line built here (``fold``, ``digitize``) has exactly the length of the original text, so a
match position in a view is a character position in the line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from ...types import Category, Role

# --------------------------------------------------------------------------------------------------
# Hits


@dataclass(frozen=True)
class Hit:
    """One detection inside one string: ``text[start:end]``."""

    start: int
    end: int
    category: Category
    rule: str
    sensitive: bool = True
    role: Role = Role.UNKNOWN
    score: float = 0.9
    priority: int = 50

    def overlaps(self, other: Hit) -> bool:
        return self.start < other.end and other.start < self.end

    def as_tuple(self) -> tuple[int, int, Category, str]:
        return (self.start, self.end, self.category, self.rule)


def resolve(hits: Iterable[Hit], text: str = "") -> list[Hit]:
    """Keep the best non-overlapping hits (priority, then length).

    Privacy first: a rejected *sensitive* hit that reaches beyond the accepted ones keeps its uncovered
    remainder when that remainder still holds at least 3 letters/digits."""
    ordered = sorted(hits, key=lambda h: (-h.priority, -(h.end - h.start), h.start))
    accepted: list[Hit] = []
    for h in ordered:
        clash = [a for a in accepted if a.overlaps(h)]
        if not clash:
            accepted.append(h)
            continue
        if not h.sensitive or not text:
            continue
        # uncovered remainders of a sensitive hit
        pieces = [(h.start, h.end)]
        for a in clash:
            nxt = []
            for s, e in pieces:
                if a.end <= s or a.start >= e:
                    nxt.append((s, e))
                    continue
                if s < a.start:
                    nxt.append((s, a.start))
                if a.end < e:
                    nxt.append((a.end, e))
            pieces = nxt
        for s, e in pieces:
            seg = text[s:e]
            if sum(ch.isalnum() for ch in seg) >= 3:
                s2 = s + (len(seg) - len(seg.lstrip(" -:")))
                e2 = e - (len(seg) - len(seg.rstrip(" -:")))
                if e2 > s2 and not any(a.start < e2 and s2 < a.end for a in accepted):
                    accepted.append(
                        Hit(
                            s2,
                            e2,
                            h.category,
                            h.rule + "+rest",
                            h.sensitive,
                            h.role,
                            h.score * 0.9,
                            h.priority,
                        )
                    )
    return sorted(accepted, key=lambda h: (h.start, h.end))


# --------------------------------------------------------------------------------------------------
# Views of a line


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
    return "".join(c for c in s if c.isdigit())


def has_cjk(s: str) -> bool:
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


# --------------------------------------------------------------------------------------------------
# Check digits


_ID_W = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_C = "10X98765432"


def valid_cn_id(s: str) -> bool:
    """An 18-character mainland ID number with a plausible birth date and a correct check character."""
    s = s.strip().upper()
    if not re.fullmatch(r"[1-9]\d{16}[\dX]", s):
        return False
    year, month, day = int(s[6:10]), int(s[10:12]), int(s[12:14])
    if not (1900 <= year <= 2099 and 1 <= month <= 12 and 1 <= day <= 31):
        return False
    total = sum(int(s[i]) * _ID_W[i] for i in range(17))
    return _ID_C[total % 11] == s[17]


def plausible_cn_id15(s: str) -> bool:
    if not re.fullmatch(r"[1-9]\d{14}", s):
        return False
    month, day = int(s[8:10]), int(s[10:12])
    return 1 <= month <= 12 and 1 <= day <= 31


def ups_check_digit_ok(s: str) -> bool:
    """UPS 1Z tracking number check digit (the 18th character)."""
    s = "".join(c for c in s.upper() if c.isalnum())
    if len(s) != 18 or not s.startswith("1Z"):
        return False
    body = s[2:17]
    total = 0
    for i, c in enumerate(body):
        if c.isdigit():
            v = int(c)
        else:
            v = (ord(c) - 63) % 10
        total += v * (2 if i % 2 else 1)
    check = (10 - total % 10) % 10
    return s[17].isdigit() and int(s[17]) == check


def mod10_usps_ok(digits: str) -> bool:
    """USPS IMpb / GS1 mod-10 check digit over a string of digits."""
    if not digits.isdigit() or len(digits) < 2:
        return False
    body, check = digits[:-1], int(digits[-1])
    total = 0
    for i, c in enumerate(reversed(body)):
        total += int(c) * (3 if i % 2 == 0 else 1)
    return (10 - total % 10) % 10 == check


def s10_check_ok(s: str) -> bool:
    """UPU S10 (EMS / registered post) check digit: 2 letters, 8 digits + check, 2 letters."""
    s = s.replace(" ", "").upper()
    if not re.fullmatch(r"[A-Z]{2}\d{9}[A-Z]{2}", s):
        return False
    w = (8, 6, 4, 2, 3, 5, 9, 7)
    total = sum(int(s[2 + i]) * w[i] for i in range(8))
    c = 11 - total % 11
    c = 5 if c == 10 else 0 if c == 11 else c
    return int(s[10]) == c


# --------------------------------------------------------------------------------------------------
# Locale-free detectors

_NB = r"(?<![0-9A-Za-z])"  # not preceded by a letter/digit
_NA = r"(?![0-9A-Za-z])"
_S = r"[ \-]?"  # one optional separator inside a number

EMAIL = re.compile(
    r"[A-Za-z0-9][A-Za-z0-9._%+\-]*\s?@\s?[A-Za-z0-9\-]+(?:\s?\.\s?[A-Za-z0-9\-]+)*\s?\.\s?[A-Za-z]{2,10}\b"
)

_EXT = r"(?:\s?(?:-|转|轉|分机|ext\.?|EXT\.?|Ext\.?|x|X|#|,)\s?\d{1,6})?"
CN_MOBILE = re.compile(
    _NB + r"(?:(?:\+|00)?\s?86[ \-]?)?1[3-9]\d[ \-]{0,2}\d{4}[ \-]{0,2}\d{4}(?!\d)" + _EXT + r"(?!\d)"
)
_MASK = r"[*xX#]"
CN_MOBILE_MASKED = re.compile(
    _NB
    + r"(?:(?:\+|00)?86[ \-]?)?1[3-9]\d{1,2}[ \-]?"
    + _MASK
    + r"{3,6}[ \-]?\d{3,4}(?!\d)"
    + _EXT
    + r"(?!\d)"
)
MASKED_DIGITS = re.compile(r"(?<![0-9A-Za-z*])\d{0,6}\*{3,12}\d{2,6}[\dXx]?(?![0-9A-Za-z*])")
# a number printed with most digits masked out (XXXXXXXXX1234, ******5678, 138XXXX5678, XX00X0XX1357 as read):
# its visible digits are still the person's (the end of a phone or account number), so the whole token goes
MASKED_TOKEN = re.compile(r"(?<![0-9A-Za-z*#])[0-9X*#O](?:[ \-]?[0-9X*#O]){5,30}(?![0-9A-Za-z*#])")


def masked_number_spans(U: str) -> list[tuple[int, int]]:
    """Spans of masked numbers in an upper-cased, folded line: at least 3 mask characters (X * #, one run of 2+)
    and at least 2 visible digits; a dimension (10X20X30) or a size is no masked number."""
    out = []
    for m in MASKED_TOKEN.finditer(U):
        tok = m.group(0)
        body = tok.replace(" ", "").replace("-", "")
        nmask = sum(c in "X*#" for c in body)
        ndig = sum(c.isdigit() for c in body)
        if nmask < 3 or ndig < 2 or not re.search(r"[X*#]{2}", body) or not body[-1].isdigit():
            continue
        if re.fullmatch(r"\d{1,4}(?:X\d{1,4}){1,2}", body):
            continue
        s, e = m.start(), m.end()
        # the token's tail may be digits only after the mask run: keep it whole (the visible digits)
        out.append((s, e))
    return out


# Indian GSTIN: 2-digit state code, PAN (5 letters, 4 digits, 1 letter), entity number, 'Z', check character
_GST_DIGIT = {"O": "0", "D": "0", "Q": "0", "I": "1", "L": "1", "S": "5", "B": "8", "Z": "2", "G": "6", "T": "7"}
_GST_LETTER = {"0": "O", "1": "I", "5": "S", "8": "B", "2": "Z", "6": "G", "4": "A", "7": "T"}
_GST_SHAPE = "DDLLLLLDDDDLAZA"  # D digit, L letter, A either, Z the letter Z
GSTIN_TOKEN = re.compile(r"(?<![0-9A-Z])[0-9A-Z](?:\s?[0-9A-Z]){14}(?![0-9A-Z])")


def gstin_ok(tok: str) -> bool:
    """A 15-character token that has the GSTIN's shape once the usual OCR confusions are undone (O/0, I/1,
    S/5, B/8, Z/2), with at most 3 characters corrected."""
    t = "".join(c for c in tok.upper() if c.isalnum())
    if len(t) != 15:
        return False
    fixes = 0
    for c, kind in zip(t, _GST_SHAPE):
        if kind == "D" and not c.isdigit():
            if c not in _GST_DIGIT:
                return False
            fixes += 1
        elif kind == "L" and not c.isalpha():
            if c not in _GST_LETTER:
                return False
            fixes += 1
        elif kind == "Z" and c not in "Z27":
            return False
    code = int("".join(_GST_DIGIT.get(c, c) for c in t[:2]))
    return fixes <= 3 and 1 <= code <= 38
CN_LANDLINE_MASKED = re.compile(
    _NB
    + r"(?:\(0?(?:10|2\d|[3-9]\d{2})\)|0(?:10|2\d|[3-9]\d{2}))\s?[ \-]?\s?[0-9]{0,4}[*xX]{3,5}[ \-]?\d{2,4}(?!\d)"
)
CN_LANDLINE = re.compile(
    _NB
    + r"(?:(?:\+|00)?86[ \-]?)?(?:\(0?(?:10|2\d|[3-9]\d{2})\)|0(?:10|2\d|[3-9]\d{2}))\s?[ \-]?\s?[1-9]\d{2,3}[ \-]?\d{4}(?!\d)"
    + _EXT
    + r"(?!\d)"
)
US_PHONE = re.compile(
    r"(?<![0-9A-Za-z+])(?<!\d[ \-.])(?:\+?1[ .\-]?)?(?:\(\s?[2-9]\d{2}\s?\)|[2-9]\d{2})[ .\-]?\s?[2-9]\d{2}[ .\-]?\d{4}(?!\d)"
    r"(?:\s?(?:x|X|ext\.?|EXT\.?|Ext\.?|#)\s?\d{1,6})?(?!\d)"
)
INTL_PHONE = re.compile(
    r"(?<![0-9A-Za-z])(?:\+|00)[1-9]\d{0,2}(?:[ .\-]?\(?0?\)?[ .\-]?\(?\d{1,5}\)?){2,6}(?!\d)"
)
IN_MOBILE = re.compile(r"(?<![0-9A-Za-z+])(?<!\d[ \-])(?:0)?[6-9]\d{4}[ \-]?\d{5}(?!\d)")
UK_PHONE = re.compile(r"(?<![0-9A-Za-z+])(?<!\d[ \-])0(?:\d[ \-]?){9,10}(?!\d)")

# kept (not personal)
HOTLINE = re.compile(
    r"(?<![0-9A-Za-z])(?:"
    r"95\d{3,4}"  # 95311 95546 9510...
    r"|1(?:0010|0086|0000|1183|1185|2315|2345)"
    r"|[48]00[ \-]?\d{3}[ \-]?\d{4}|[48]00\d[ \-]?\d{3}[ \-]?\d{3}"  # 400-820-8820, 4008-111-111, 800-...
    r"|(?:\+?1[ .\-]?)?\(?8(?:00|33|44|55|66|77|88)\)?[ .\-]?[0-9A-Z]{3}[ .\-]?[0-9A-Z]{4}"  # US toll free
    r")(?![0-9A-Za-z])"
)
DATE = re.compile(
    r"(?<!\d)(?:"
    r"(?:19|20)\d{2}\s?[-/.年]\s?\d{1,2}\s?[-/.月]\s?\d{1,2}\s?日?(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?"
    r"|\d{1,2}[-/.]\d{1,2}[-/.](?:19|20)?\d{2}(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?"
    r"|\d{1,2}:\d{2}(?::\d{2})?"
    r"|\d{1,2}月\d{1,2}日"
    r")(?!\d)"
)
WEIGHT = re.compile(
    r"(?<![0-9A-Za-z])\d{1,4}(?:\.\d{1,3})?\s?(?:kg|KG|Kg|公斤|千克|克|g|G|lbs?|LBS?|Lbs?|oz|OZ|cm|CM|mm|"
    r"IN|in)\b(?:\s?[xX*]\s?\d{1,4}(?:\.\d+)?(?:\s?(?:cm|CM|in|IN))?){0,2}"
    r"|(?<![0-9A-Za-z])\d{1,4}\s?[xX*]\s?\d{1,4}\s?[xX*]\s?\d{1,4}\s?(?:cm|CM|in|IN|mm)?"
)

# carrier-prefixed tracking numbers (on the folded, upper-cased view)
CARRIER_TRACKING: tuple[tuple[re.Pattern, str], ...] = tuple(
    (re.compile(p), rule)
    for p, rule in (
        (r"(?<![A-Z0-9])[1IL|]\s?[Z2]\s?(?:[0-9A-Z]\s?){15}[0-9A-Z](?![0-9A-Z])", "ups"),
        (r"(?<![A-Z0-9])SF\s?\d(?:[ \-]?\d){9,15}(?!\d)", "sf"),
        (r"(?<![A-Z0-9])JD[A-Z]{0,2}\s?\d(?:[ \-]?\d){9,15}(?:-\d{1,3}-\d{1,3}-?)?(?!\d)", "jd"),
        (r"(?<![A-Z0-9])YT\s?\d(?:[ \-]?\d){9,15}(?!\d)", "yto"),
        (r"(?<![A-Z0-9])JT\s?\d(?:[ \-]?\d){9,14}(?!\d)", "jt"),
        (r"(?<![A-Z0-9])DPK\s?\d(?:[ \-]?\d){7,15}(?!\d)", "deppon"),
        (r"(?<![A-Z0-9])(?:LP|CN|CNG|CNMM)\s?\d(?:[ \-]?\d){9,18}(?!\d)", "cainiao"),
        (r"(?<![A-Z0-9])TBA\s?\d(?:[ \-]?\d){9,14}(?!\d)", "amazon"),
        (r"(?<![A-Z0-9])(?:JJD|\(J\)\s?JD)\s?\d(?:[ \-]?\d){8,26}(?!\d)", "dhl"),
        (r"(?<![A-Z0-9])[A-Z]{2}\s?\d{3}\s?\d{3}\s?\d{3}\s?[A-Z]{2}(?![A-Z0-9])", "s10"),
        (r"(?<![A-Z0-9])[A-Z]{2,4}\d{10,22}[A-Z]{0,2}(?![A-Z0-9])", "alnum_tracking"),
    )
)
LONG_DIGITS = re.compile(r"(?<!\d)\d(?:[ \-]?\d){9,40}(?!\d)")


def tracking_rule(digits: str) -> str:
    """Name the likely carrier of an all-digit tracking number (for the report; the category is the same)."""
    n = len(digits)
    if digits.startswith("420") and n in (8, 12):
        return "usps_420zip"
    if digits.startswith("420") and n > 22:
        return "usps_420"
    if digits[:2] in ("91", "92", "93", "94", "95") and 20 <= n <= 26:
        return "usps"
    if n in (12, 15, 20, 22) and digits[0] in "3456789":
        if digits[0] == "7" and n in (12, 13, 14):
            return "zto_or_fedex"
        return "fedex" if n in (12, 15, 20) else "tracking_digits"
    if digits[0] == "7" and n in (12, 13, 14):
        return "zto"
    if digits[:2] in ("77", "66", "55") and n in (13, 15):
        return "sto"
    if digits[:2] in ("43", "46", "31", "46") and n == 13:
        return "yunda"
    if digits[0] == "1" and n == 13:
        return "ems"
    if n == 10:
        return "dhl_or_digits"
    return "tracking_digits"


def _hotline_ok(m: re.Match, D: str, locale: str) -> bool:
    v = m.group(0)
    if re.fullmatch(r"1[3-9]\d{9}", v):
        return False  # a Chinese mobile number, not a US toll-free one
    if locale != "zh" and re.fullmatch(r"\d{5,6}", v):
        return False  # 95xxx / 1xxxx service numbers are Chinese; on a Western label it is a ZIP
    before = D[max(0, m.start() - 6) : m.start()].rstrip(" -.")
    if re.search(r"\+\d{1,3}$", before):
        return False  # +91-800..., +44 800...: a country code makes it a personal number
    return True


def number_hits(F: str, D: str, locale: str = "zh", in_block: bool = False) -> list[Hit]:
    """Phones, IDs, e-mails, tracking numbers, and the kept look-alikes (hotlines, dates, weights).
    ``in_block``: the line stands in a person's block, where a toll-free-looking number is that person's."""
    hits = [_with_extension(h, D) for h in _number_hits(F, D, locale)]
    if in_block:
        hits = [
            Hit(h.start, h.end, Category.PHONE, "phone_in_block", True, h.role, 0.7, 86)
            if h.rule == "hotline"
            and len(digits_of(D[h.start : h.end])) >= 10
            and not HOTLINE_CAPTION.search(upper_same(F[max(0, h.start - 24) : h.start]))
            else h
            for h in hits
        ]
    return hits


# an extension spelled out after a number: a privacy waybill's virtual number (a shared number and the
# recipient's extension, "170 1234 5678 转 4321"): the extension is what reaches the person
EXTENSION_AFTER = re.compile(r"\s{0,2}(?:转|轉|分机|分機|EXT\.?|Ext\.?|ext\.?)\s{0,2}\d{1,6}(?!\d)")


def _with_extension(h: Hit, D: str) -> Hit:
    """A phone or a bare digit run followed by a spelled-out extension: one phone, the extension included."""
    if not h.sensitive or h.category not in (Category.PHONE, Category.TRACKING_NUMBER):
        return h
    m = EXTENSION_AFTER.match(D, h.end)
    if not m or len(digits_of(D[h.start : h.end])) < 7:
        return h
    if h.category == Category.PHONE:
        return replace(h, end=m.end())
    return replace(h, end=m.end(), category=Category.PHONE, rule="virtual_number")


# words that announce the courier's or the shop's own service number, in a block or not
HOTLINE_CAPTION = re.compile(
    r"(?:CARE|HELP\s?LINE|HELPDESK|TOLL[\s\-]?FREE|SUPPORT|CALL\s?US|CUSTOMER\s?SERVICE|客服|热线|服务电话|服务)\W*$"
)


def _number_hits(F: str, D: str, locale: str) -> list[Hit]:
    hits: list[Hit] = []
    U = upper_same(F)
    if "@" in F:
        for m in EMAIL.finditer(F):
            hits.append(Hit(m.start(), m.end(), Category.EMAIL, "email", priority=95, score=0.97))
    for m in GSTIN_TOKEN.finditer(U):
        if gstin_ok(m.group(0)):
            hits.append(Hit(m.start(), m.end(), Category.ID_NUMBER, "gstin", priority=93, score=0.9))
    nd = sum(c.isdigit() for c in D)
    masked = "*" in D or "x" in D or "X" in D or "#" in D
    if nd < 3:
        return hits
    if nd < 7 and not masked:
        # too few digits for a phone, an ID or a tracking number: only the kept look-alikes and postcodes
        for m in DATE.finditer(D):
            hits.append(Hit(m.start(), m.end(), Category.OTHER, "date", sensitive=False, priority=70))
        for m in WEIGHT.finditer(F):
            hits.append(Hit(m.start(), m.end(), Category.OTHER, "weight", sensitive=False, priority=70))
        for m in HOTLINE.finditer(D):
            if not _hotline_ok(m, D, locale):
                continue
            hits.append(Hit(m.start(), m.end(), Category.OTHER, "hotline", sensitive=False, priority=85))
        return hits
    for m in HOTLINE.finditer(D):
        if not _hotline_ok(m, D, locale):
            continue
        hits.append(Hit(m.start(), m.end(), Category.OTHER, "hotline", sensitive=False, priority=85))
    for m in DATE.finditer(D):
        hits.append(Hit(m.start(), m.end(), Category.OTHER, "date", sensitive=False, priority=70))
    for m in WEIGHT.finditer(F):
        hits.append(Hit(m.start(), m.end(), Category.OTHER, "weight", sensitive=False, priority=70))
    # ID numbers
    for m in re.finditer(r"(?<![0-9A-Za-z])[1-9]\d{5}[ ]?\d{4}[ ]?\d{4}[ ]?\d{3}[\dXx](?![0-9A-Za-z])", D):
        raw = m.group(0).replace(" ", "")
        if valid_cn_id(raw):
            hits.append(Hit(m.start(), m.end(), Category.ID_NUMBER, "cn_id18", priority=92, score=0.98))
    for m in re.finditer(r"(?<![0-9A-Za-z*])\d{4,6}\*{6,10}\d{2,4}[\dXx]?(?![0-9A-Za-z*])", D):
        if len(m.group(0)) in (15, 18):
            hits.append(Hit(m.start(), m.end(), Category.ID_NUMBER, "cn_id_masked", priority=91))
    # phones
    for m in CN_MOBILE.finditer(D):
        hits.append(Hit(m.start(), m.end(), Category.PHONE, "cn_mobile", priority=80, score=0.97))
    for m in CN_MOBILE_MASKED.finditer(D):
        hits.append(Hit(m.start(), m.end(), Category.PHONE, "cn_mobile_masked", priority=81, score=0.95))
    for m in MASKED_DIGITS.finditer(D):
        hits.append(Hit(m.start(), m.end(), Category.PHONE, "masked_digits", priority=45, score=0.7))
    for s, e in masked_number_spans(upper_same(F)):
        hits.append(Hit(s, e, Category.PHONE, "masked_number", priority=84, score=0.8))
    for m in CN_LANDLINE_MASKED.finditer(D):
        hits.append(Hit(m.start(), m.end(), Category.PHONE, "cn_landline_masked", priority=79, score=0.9))
    for m in CN_LANDLINE.finditer(D):
        hits.append(Hit(m.start(), m.end(), Category.PHONE, "cn_landline", priority=79, score=0.9))
    for m in US_PHONE.finditer(D):
        hits.append(Hit(m.start(), m.end(), Category.PHONE, "us_phone", priority=78, score=0.9))
    for m in INTL_PHONE.finditer(D):
        n = len(digits_of(m.group(0)))
        if 8 <= n <= 15 and (m.group(0).startswith("+") or n >= 11):
            hits.append(Hit(m.start(), m.end(), Category.PHONE, "intl_phone", priority=82, score=0.9))
    for m in IN_MOBILE.finditer(D):
        hits.append(Hit(m.start(), m.end(), Category.PHONE, "in_mobile", priority=76, score=0.85))
    for m in UK_PHONE.finditer(D):
        if not re.match(r"0(?:10|2\d|[3-9]\d\d)", m.group(0)):  # Chinese area codes are landline-ruled
            hits.append(Hit(m.start(), m.end(), Category.PHONE, "uk_phone", priority=74, score=0.8))
        elif len(digits_of(m.group(0))) in (10, 11, 12):
            hits.append(Hit(m.start(), m.end(), Category.PHONE, "zero_phone", priority=74, score=0.8))
    # tracking numbers
    UD = upper_same(D)
    for rx, rule in CARRIER_TRACKING:
        for m in list(rx.finditer(U)) + (list(rx.finditer(UD)) if UD != U else []):
            r = rule
            if rule == "ups":
                body = "".join(c for c in m.group(0) if c.isalnum())
                if body[1] == "2" and not any(c.isalpha() for c in body[2:]):
                    continue  # "12" + 16 digits is not a UPS number (an ID, a long digit run)
                if ups_check_digit_ok("1Z" + body[2:]):
                    r = "ups"
                else:
                    r = "ups_nocheck"
            hits.append(
                Hit(
                    m.start(),
                    m.end(),
                    Category.TRACKING_NUMBER,
                    r,
                    priority=90 if rule != "alnum_tracking" else 60,
                    score=0.95,
                )
            )
    for m in LONG_DIGITS.finditer(D):
        d = digits_of(m.group(0))
        groups = [len(g) for g in re.split(r"[ \-]", m.group(0)) if g]
        regular = len(groups) == 1 or len(set(groups[:-1])) == 1 and groups[-1] <= groups[0]
        hits.append(
            Hit(
                m.start(),
                m.end(),
                Category.TRACKING_NUMBER,
                tracking_rule(d),
                priority=83 if len(d) >= 16 and regular else 40,
                score=0.8,
            )
        )
    return hits


def merge_adjacent(
    hits: Sequence[Hit], text: str, categories=(Category.ADDRESS, Category.NAME), joiners: str = " ,;"
) -> list[Hit]:
    """Join hits of the same category separated only by spaces/commas (one street line, one name)."""
    out: list[Hit] = []
    for h in sorted(hits, key=lambda h: h.start):
        if (
            out
            and h.sensitive
            and out[-1].sensitive
            and h.category == out[-1].category
            and h.category in categories
            and h.start >= out[-1].end
            and all(c in joiners for c in text[out[-1].end : h.start])
        ):
            p = out[-1]
            out[-1] = Hit(
                p.start,
                h.end,
                p.category,
                p.rule,
                True,
                p.role if p.role != Role.UNKNOWN else h.role,
                max(p.score, h.score),
                max(p.priority, h.priority),
            )
        else:
            out.append(h)
    return out


def line_has(pattern: re.Pattern, text: str) -> bool:
    return pattern.search(text) is not None


def trim_span(text: str, start: int, end: int, chars: str = " \t:：,，;；|") -> tuple[int, int]:
    while start < end and text[start] in chars:
        start += 1
    while end > start and text[end - 1] in chars:
        end -= 1
    return start, end


def gaps(length: int, taken: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The character ranges of [0, length) not covered by ``taken``."""
    out = []
    pos = 0
    for s, e in sorted(taken):
        if s > pos:
            out.append((pos, s))
        pos = max(pos, e)
    if pos < length:
        out.append((pos, length))
    return out


def first_match(patterns: Sequence[re.Pattern], text: str) -> re.Match | None:
    for p in patterns:
        m = p.search(text)
        if m:
            return m
    return None
