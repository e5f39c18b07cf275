"""Locale-free detectors: e-mails, phone numbers, ID numbers, GSTINs, masked numbers, tracking numbers,
and the kept look-alikes (dates, weights, hotlines). They read the folded view ``F`` and the digitized
view ``D`` of a line (see ``text``), both as long as the line."""

from __future__ import annotations

import re
from dataclasses import replace

from ...types import Category
from .checks import gstin_ok, ups_check_digit_ok, valid_cn_id
from .hits import Hit
from .text import digits_of, upper_same


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


# a GSTIN as printed (15 characters, single spaces allowed); ``checks.gstin_ok`` tells its shape
GSTIN_TOKEN = re.compile(r"(?<![0-9A-Z])[0-9A-Z](?:\s?[0-9A-Z]){14}(?![0-9A-Z])")
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
