"""Western label rules (US / UK / Canada / Germany / India): captions, street and city lines, postcodes,
names after role captions, plus the shared number detectors.

``find(text)`` returns the personal items of one OCR line as ``(start, end, Category, rule)``;
``scan(text)`` returns every ``Hit`` including kept ones (captions, hotlines, dates, weights, references).
"""

from __future__ import annotations

import re

from ...types import Category, Role
from .data.en_places import (
    BUSINESS_WORDS,
    CA_PROVINCES,
    COUNTRIES,
    IN_STATES,
    STREET_WORDS,
    UNIT_WORDS,
    US_STATES,
)
from .checks import mod10_usps_ok, ups_check_digit_ok
from .hits import Hit, gaps, merge_adjacent, resolve, trim_span
from .numbers import number_hits
from .text import digitize, fold

__all__ = [
    "KEEP_WORDS",
    "ROLE_CAPTION",
    "caption_role",
    "find",
    "is_business",
    "is_country",
    "looks_like_city_line",
    "looks_like_street",
    "mod10_usps_ok",
    "scan",
    "ups_check_digit_ok",
]


def _upper(s: str) -> str:
    """Upper case that keeps the length (ß stays ß)."""
    return "".join(c.upper() if len(c.upper()) == 1 else c for c in s)


_ROLE_WORDS = (
    ("SHIP TO", Role.RECIPIENT),
    ("SHIPTO", Role.RECIPIENT),
    ("DELIVER TO", Role.RECIPIENT),
    ("DELIVERY TO", Role.RECIPIENT),
    ("DELIVERY ADDRESS", Role.RECIPIENT),
    ("SEND TO", Role.RECIPIENT),
    ("RECIPIENT", Role.RECIPIENT),
    ("CONSIGNEE", Role.RECIPIENT),
    ("ADDRESSEE", Role.RECIPIENT),
    ("BILL TO", Role.RECIPIENT),
    ("TO", Role.RECIPIENT),
    ("ATTN", Role.UNKNOWN),
    ("ATTENTION", Role.UNKNOWN),
    ("SHIP FROM", Role.SENDER),
    ("RETURN TO", Role.SENDER),
    ("RETURN ADDRESS", Role.SENDER),
    ("SHIPPER", Role.SENDER),
    ("SENDER", Role.SENDER),
    ("CONSIGNOR", Role.SENDER),
    ("FROM", Role.SENDER),
    ("PICKUP ADDRESS", Role.SENDER),
    ("PICKUP FROM", Role.SENDER),
    ("VENDOR NAME", Role.SENDER),
    ("VENDOR ADDRESS", Role.SENDER),
    ("VENDOR", Role.SENDER),
    ("SELLER NAME", Role.SENDER),
    ("SELLER ADDRESS", Role.SENDER),
    ("SELLER", Role.SENDER),
    ("SOLD BY", Role.SENDER),
    ("CUSTOMER NAME", Role.RECIPIENT),
    ("CUSTOMER ADDRESS", Role.RECIPIENT),
    ("CUSTOMER", Role.RECIPIENT),
    ("BUYER", Role.RECIPIENT),
    ("RETURN", Role.SENDER),
    ("NAME", Role.UNKNOWN),
    ("C/O", Role.UNKNOWN),
    ("CARE OF", Role.UNKNOWN),
)
_ROLE_OF = {w: r for w, r in _ROLE_WORDS}
ROLE_CAPTION = re.compile(
    r"^\s*("
    + "|".join(w.replace(" ", r"\s?") for w, _ in sorted(_ROLE_WORDS, key=lambda x: -len(x[0])))
    + r")(?![A-Z])(?!\s*(?:CARE|SUPPORT|SERVICE|HELP|DECLARATION|SIGNATURE|COPY|PORTAL|PANEL|CODE|POLICY|REASON)(?![A-Z]))"
    r"(?:\s*\(?(?:NAME|ADDRESS)\)?)?\s*[:.\-]*\s*"
)
# a role printed after the person's name: "A NAME (Customer)", "A SHOP (Seller)"
ROLE_SUFFIX = re.compile(
    r"[\s,]*[(\[{]\s*(CUSTOMER|SELLER|BUYER|VENDOR|CONSIGNEE|CONSIGNOR|SHIPPER|RECIPIENT|SENDER)\s*[)\]}]?\s*$"
)


def caption_role(word: str) -> Role:
    w = re.sub(r"\s+", " ", _upper(word).strip(" :.-"))
    if w.replace(" ", "") == "SHIPTO":
        return Role.RECIPIENT
    return _ROLE_OF.get(w, Role.UNKNOWN)


_CAP = r"\s*[:#.]?\s*"
PHONE_CAPTION = re.compile(
    r"(?<![A-Z])(?:TELEPHONE|PHONE\s?(?:NO\.?|NUMBER)?|TEL|PH|MOBILE|MOB|CELL|CONTACT(?:\s?NO\.?)?)(?![A-Z])"
    + _CAP
)
EMAIL_CAPTION = re.compile(r"(?<![A-Z])E-?MAIL(?![A-Z])" + _CAP)
TRACK_CAPTION = re.compile(
    r"(?<![A-Z])(?:USPS\s?TRACKING\s?(?:#|NO\.?|NUMBER)?|TRACKING\s?(?:#|NO\.?|NUMBER|ID)?|TRK\s?#?|WAYBILL(?:\s?NO\.?)?|"
    r"AWB(?:\s?NO\.?)?|SHIPMENT\s?(?:ID|NO\.?)(?:\s?NUMBER)?|PARCEL\s?(?:ID|NO\.?)|PACKET\s?(?:ID|NO\.?)|CONSIGNMENT\s?(?:NO\.?))(?![A-Z])" + _CAP
)
ORDER_CAPTION = re.compile(
    r"(?<![A-Z])(?:ORDER\s?(?:#|NO\.?|NUMBER|ID)?|PO\s?#|P\.O\.\s?#|REF(?:ERENCE)?\s?\d?\s?(?:#|NO\.?)?|"
    r"INVOICE\s?(?:#|NO\.?)?|INV\s?#|SKU|ITEM\s?#|CUST(?:OMER)?\s?(?:REF|#)|VAT\s?(?:NO\.?|ID)?|"
    r"EORI|CAD|ACCOUNT\s?(?:#|NO\.?)?|ACCT\s?#?)(?![A-Z])" + _CAP
)
# a line that gives the courier's or the shop's service number: it ends a person's block
SERVICE_LINE = re.compile(
    r"^\s*(?:CUSTOMER\s?CARE|HELP\s?LINE|HELPDESK|TOLL[\s\-]?FREE|CALL\s?US|CUSTOMER\s?SERVICE|SUPPORT)(?![A-Z])"
)
# a person's or a seller's tax number: GSTIN (India), PAN, a customs tax id
TAX_CAPTION = re.compile(r"(?<![A-Z])(?:G\s?S\s?T\s?I\s?N|GST\s?(?:NO\.?|NUMBER|#)|PAN\s?(?:NO\.?|#)|TAX\s?ID)(?![A-Z])" + _CAP)
ROUTING = re.compile(r"^\s*[A-Z]{2}\s?\d{3}\s?\d-\d{2}\s*$|^\s*J\d{12}\s*$")  # UPS routing, FedEx form id
_BUSINESS = re.compile(
    r"(?<![A-Z])(?:"
    + "|".join(re.escape(w) for w in sorted(BUSINESS_WORDS, key=len, reverse=True))
    + r")(?![A-Z])"
)


def is_business(text: str) -> bool:
    """A company line (ACME SUPPLY CO, Fabrikam Inc): kept, not a person's name."""
    return bool(_BUSINESS.search(_upper(fold(text))))


OTHER_CAPTION = re.compile(
    r"(?<![A-Z])(?:WEIGHT|WT|DATE|SHIP\s?DATE|SERVICE|DIMS?|PKG|PACKAGE|POSTAGE|PAID|US POSTAGE|PRIORITY MAIL|"
    r"GROUND|EXPRESS|RETURN SERVICE REQUESTED|BILLING|PREPAID|COD)(?![A-Z])" + _CAP
)

_SW = "|".join(sorted({re.escape(w) for w in STREET_WORDS}, key=len, reverse=True))
_UW = "|".join(sorted({re.escape(w) for w in UNIT_WORDS}, key=len, reverse=True))
STREET = re.compile(
    r"(?<![A-Z0-9])\d{1,6}[A-Z]?(?:[-/]\d{1,5}[A-Z]?)?,?\s+(?:[A-Z0-9.'&\-]+,?\s+){0,5}(?:"
    + _SW
    + r")\.?(?![A-Z])"
)
STREET_NAMED = re.compile(
    r"(?<![A-Z0-9])(?:[A-Z][A-Z.'\-]*\s+){1,4}(?:" + _SW + r")\.?,?\s+(?:NO\.?\s?)?\d{1,5}[A-Z]?(?![A-Z0-9])"
)
UNIT = re.compile(
    r"(?<![A-Z0-9])(?:"
    + _UW
    + r")(?![A-Z])\.?\s*(?:NO\.?\s*)?#?\s*[A-Z0-9][A-Z0-9\-/]*|(?<![A-Z0-9])#\s?\d[A-Z0-9\-]*"
)
POBOX = re.compile(r"(?<![A-Z])(?:P\.?\s?O\.?\s?BOX|POST\s?OFFICE\s?BOX|PO\s?BOX|GPO\s?BOX)\s*#?\s*\d+")
GERMAN_STREET = re.compile(
    r"(?<![A-Z])[A-ZÄÖÜ][A-ZÄÖÜß.\-]*(?:STRASSE|STRAßE|STR\.|WEG|PLATZ|ALLEE|GASSE|RING|DAMM|UFER|CHAUSSEE)\s*\d{1,4}\s?[A-Z]?(?![A-Z0-9])"
)
_STATES = "|".join(
    sorted(set(US_STATES) | set(US_STATES.values()) | set(CA_PROVINCES), key=len, reverse=True)
)
US_ZIP = r"\d{5}(?:\s?-\s?\d{4}|\s\d{4})?"
CITY_STATE_ZIP = re.compile(
    r"(?<![A-Z0-9])(?P<city>[A-Z][A-Z.'\-]*(?:\s[A-Z][A-Z.'\-]*){0,3}),?\s+(?P<state>"
    + _STATES
    + r")\.?,?\s+(?P<zip>"
    + US_ZIP
    + r"|[A-Z]\d[A-Z]\s?\d[A-Z]\d)(?![0-9A-Z])"
)
_ABBR = "|".join(sorted(set(US_STATES) | set(CA_PROVINCES), key=len, reverse=True))
CITY_STATE_END = re.compile(
    r"^\s*(?P<city>[A-Z][A-Z.'\-]*(?:\s[A-Z][A-Z.'\-]*){0,2}),?\s+(?P<state>"
    + _ABBR
    + r")\.?(?:\s+[A-Z0-9]{1,6})?\s*$"
)
STATE_ZIP = re.compile(r"(?<![A-Z0-9])(?P<state>" + _STATES + r")\.?,?\s+(?P<zip>" + US_ZIP + r")(?![0-9])")
ZIP4 = re.compile(r"(?<![0-9])\d{5}\s?-\s?\d{4}(?![0-9])")
CA_POST = re.compile(
    r"(?<![A-Z0-9])[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z]\s?\d[ABCEGHJ-NPRSTV-Z]\d(?![A-Z0-9])"
)
UK_POST = re.compile(r"(?<![A-Z0-9])(?:[A-Z]{1,2}\d[A-Z\d]?|GIR)\s?\d[ABD-HJLNP-UW-Z]{2}(?![A-Z0-9])")
DE_POST = re.compile(
    r"(?<![A-Z0-9\-])(?:D-)?(?P<zip>\d{5})\s+(?P<city>[A-ZÄÖÜ][A-ZÄÖÜß\-]+(?:\s[A-ZÄÖÜ][A-ZÄÖÜß\-]+)?)(?![A-Z0-9])"
)
_INS = "|".join(sorted(IN_STATES, key=len, reverse=True))
IN_PIN = re.compile(r"(?<![0-9])(?:PIN\s?(?:CODE)?\s*[:\-]?\s*)?(?P<zip>[1-9]\d{2}\s?\d{3})(?![0-9])")
IN_STATE = re.compile(r"(?<![A-Z])(?:" + _INS + r")(?![A-Z])")
_COUNTRIES = re.compile(
    r"^\s*(?:" + "|".join(re.escape(c) for c in sorted(COUNTRIES, key=len, reverse=True)) + r")\s*$"
)
# carrier, service and label wording (upper case): a line holding one is the label's, not a person's
KEEP_WORDS = re.compile(
    r"(?<![A-Z])(?:USPS|UPS|FEDEX|DHL|AMAZON|PRIME|POSTAGE|PRIORITY|MAIL|EXPRESS|GROUND|OVERNIGHT|SERVICE|"
    r"TRACKING|BILLING|P/P|PAID|WEIGHT|LBS|DELIVERY|SIGNATURE|REQUIRED|RETURN SERVICE|SCAN|BARCODE|CARRIER|"
    r"COMMERCIAL|INVOICE|FRAGILE|HANDLE|THIS SIDE|SHIP DATE|DIMS|ACTUAL|BLUE ?DART|DELHIVERY|ECOM|XPRESSBEES|"
    r"PREPAID|COD|SURFACE|AIR|ROUTING|SORT|ZONE|HUB|ORIGIN|DEST|INTERNATIONAL|CUSTOMS|DECLARATION|GIFT|DOCUMENTS)(?![A-Z])"
)


def looks_like_street(text: str) -> bool:
    U = _upper(digitize(fold(text)))
    return bool(
        STREET.search(U)
        or POBOX.search(U)
        or GERMAN_STREET.search(U)
        or STREET_NAMED.search(U)
        or re.match(r"^\s*(?:" + _UW + r")(?![A-Z])\.?\s*#?\s*[A-Z0-9]", U)
    )


def looks_like_city_line(text: str) -> bool:
    U = _upper(digitize(fold(text)))
    return bool(
        CITY_STATE_ZIP.search(U)
        or STATE_ZIP.search(U)
        or DE_POST.search(U)
        or UK_POST.search(U)
        or CA_POST.search(U)
        or (IN_STATE.search(U) and IN_PIN.search(U))
    )


def is_country(text: str) -> bool:
    return bool(_COUNTRIES.match(_upper(fold(text))))


def _caption_values(F: str, D: str, U: str) -> list[Hit]:
    out: list[Hit] = []

    def value_after(end: int, pattern: str) -> tuple[int, int] | None:
        mm = re.compile(pattern).match(_upper(D), end)
        if not mm:
            return None
        return trim_span(D, mm.start(), mm.end(), " -")

    for m in PHONE_CAPTION.finditer(U):
        out.append(Hit(m.start(), m.end(), Category.OTHER, "caption", sensitive=False, priority=98))
        v = value_after(m.end(), r"[+(0-9*X][0-9*X()+.\- ]{6,24}")
        if v and sum(c.isdigit() or c in "*xX" for c in D[v[0] : v[1]]) >= 7:
            out.append(Hit(v[0], v[1], Category.PHONE, "caption_phone", priority=77, score=0.9))
    for m in EMAIL_CAPTION.finditer(U):
        out.append(Hit(m.start(), m.end(), Category.OTHER, "caption", sensitive=False, priority=98))
    for m in TRACK_CAPTION.finditer(U):
        out.append(Hit(m.start(), m.end(), Category.OTHER, "caption", sensitive=False, priority=98))
        v = value_after(m.end(), r"[A-Z0-9][A-Z0-9 \-]{5,44}")
        if v and sum(c.isdigit() for c in D[v[0] : v[1]]) >= 6:
            out.append(
                Hit(v[0], v[1], Category.TRACKING_NUMBER, "tracking_by_caption", priority=100, score=0.95)
            )
    for m in TAX_CAPTION.finditer(U):
        out.append(Hit(m.start(), m.end(), Category.OTHER, "caption", sensitive=False, priority=98))
        v = value_after(m.end(), r"[A-Z0-9][A-Z0-9 \-]{7,24}")
        if v and sum(c.isdigit() for c in D[v[0] : v[1]]) >= 2:
            out.append(Hit(v[0], v[1], Category.ID_NUMBER, "tax_id_by_caption", priority=100, score=0.9))
    for m in ORDER_CAPTION.finditer(U):
        out.append(Hit(m.start(), m.end(), Category.OTHER, "caption", sensitive=False, priority=98))
        v = value_after(m.end(), r"[A-Z0-9][A-Z0-9\-/]{3,40}")
        if v and any(c.isdigit() for c in D[v[0] : v[1]]):
            out.append(Hit(v[0], v[1], Category.OTHER, "order_number", sensitive=False, priority=99))
    for m in OTHER_CAPTION.finditer(U):
        out.append(Hit(m.start(), m.end(), Category.OTHER, "caption", sensitive=False, priority=60))
    return out


# a US-style phone read badly (blur, glare): the (xxx) xxx-xxxx shape with a few characters misread
PHONE_SHAPE = re.compile(
    r"(?<![0-9A-Z])\(\s?[0-9A-Z]{2,3}\s?\)\s?[0-9A-Z)(]{1,4}\s?[-.]\s?\d{4}(?![0-9A-Z])"
    r"|(?<![0-9A-Z])[0-9A-Z]{3}[-.][0-9A-Z]{3}[-.]\d{4}(?![0-9A-Z])"
)


def _phone_shapes(U: str) -> list[Hit]:
    out = []
    for m in PHONE_SHAPE.finditer(U):
        if sum(c.isdigit() for c in m.group(0)) >= 6:
            out.append(Hit(m.start(), m.end(), Category.PHONE, "phone_shape", priority=42, score=0.55))
    return out


def _address_hits(U: str) -> list[Hit]:
    out: list[Hit] = []
    for rx, rule in (
        (STREET, "street"),
        (POBOX, "po_box"),
        (GERMAN_STREET, "street_de"),
        (STREET_NAMED, "street_named"),
    ):
        for m in rx.finditer(U):
            out.append(Hit(m.start(), m.end(), Category.ADDRESS, rule, priority=35, score=0.9))
    for m in CITY_STATE_ZIP.finditer(U):
        out.append(Hit(m.start(), m.start("zip"), Category.ADDRESS, "city_state", priority=36, score=0.9))
        out.append(
            Hit(
                m.start("zip"),
                m.end("zip"),
                Category.POSTAL_CODE,
                "us_zip" if m.group("zip")[0].isdigit() else "ca_postcode",
                priority=56,
                score=0.95,
            )
        )
    m = CITY_STATE_END.match(U)
    if (
        m
        and not CITY_STATE_ZIP.search(U)
        and not KEEP_WORDS.search(U)
        and not ORDER_CAPTION.search(U)
        and not ROLE_CAPTION.match(U)
        and m.group("city").split()[0] not in US_STATES
        and not is_business(U)
    ):
        # "SAN JOSE CA" with its ZIP lost by the reader: still a city line
        out.append(
            Hit(m.start("city"), m.end(), Category.ADDRESS, "city_state_nozip", priority=31, score=0.6)
        )
    for m in STATE_ZIP.finditer(U):
        out.append(Hit(m.start(), m.start("zip"), Category.ADDRESS, "state", priority=34, score=0.8))
        out.append(Hit(m.start("zip"), m.end("zip"), Category.POSTAL_CODE, "us_zip", priority=55, score=0.9))
    for m in ZIP4.finditer(U):
        out.append(Hit(m.start(), m.end(), Category.POSTAL_CODE, "zip4", priority=55, score=0.9))
    for m in CA_POST.finditer(U):
        out.append(Hit(m.start(), m.end(), Category.POSTAL_CODE, "ca_postcode", priority=54, score=0.85))
    for m in UK_POST.finditer(U):
        out.append(Hit(m.start(), m.end(), Category.POSTAL_CODE, "uk_postcode", priority=54, score=0.85))
    streets = [(m.start(), m.end()) for m in STREET.finditer(U)]
    for m in DE_POST.finditer(U):
        if m.group("city").strip() in ("LBS", "LB", "KG", "OZ", "IN", "CM"):
            continue
        if any(s <= m.start() < e for s, e in streets):
            continue  # a five-digit house number, not a German postcode
        out.append(
            Hit(m.start("zip"), m.end("zip"), Category.POSTAL_CODE, "de_postcode", priority=53, score=0.8)
        )
        out.append(Hit(m.start("city"), m.end("city"), Category.ADDRESS, "city_de", priority=33, score=0.7))
    m = re.fullmatch(r"\s*(\d{5}(?:\s?-\s?\d{4})?)\s*", U)
    if m:  # a ZIP alone on a line (the big routing ZIP of FedEx/UPS labels)
        out.append(Hit(m.start(1), m.end(1), Category.POSTAL_CODE, "zip_alone", priority=50, score=0.75))
    instate = IN_STATE.search(U)
    for m in IN_PIN.finditer(U):
        ctx = U[max(0, m.start() - 40) : m.start()]
        if instate or "PIN" in m.group(0) or re.search(r"[A-Z]{3,}\s*[-,]?\s*$", ctx):
            out.append(
                Hit(m.start("zip"), m.end("zip"), Category.POSTAL_CODE, "in_pin", priority=52, score=0.8)
            )
    if instate:
        out.append(Hit(instate.start(), instate.end(), Category.ADDRESS, "in_state", priority=32, score=0.8))
    return out


def _extend_streets(hits: list[Hit], U: str) -> list[Hit]:
    """A street line is personal to its end: carry a street hit over the directional/unit words after it."""
    out = []
    ordered = sorted(hits, key=lambda h: h.start)
    for k, h in enumerate(ordered):
        if (
            h.sensitive
            and h.category == Category.ADDRESS
            and h.rule not in ("city_state", "state", "city_de")
        ):
            nxt = ordered[k + 1].start if k + 1 < len(ordered) else len(U)
            tail = U[h.end : nxt]
            if (
                tail.strip(" ,.")
                and len(tail) <= 64
                and not KEEP_WORDS.search(tail)
                and not (ORDER_CAPTION.search(tail) or TRACK_CAPTION.search(tail) or OTHER_CAPTION.search(tail))
                and re.fullmatch(r"[\s,.]*[A-Z0-9#.\-/ ,]+", tail)
            ):
                h = Hit(
                    h.start,
                    h.end + len(tail.rstrip()),
                    h.category,
                    h.rule,
                    h.sensitive,
                    h.role,
                    h.score,
                    h.priority,
                )
        out.append(h)
    # a short lead before a street at the start of the line (a block letter, a flat number: "B 10 ...")
    for k, h in enumerate(out):
        if h.sensitive and h.category == Category.ADDRESS and h.start > 0:
            lead = U[: h.start]
            if (
                re.fullmatch(r"\s*[A-Z0-9]{1,4}[\s,\-/]*", lead)
                and not any(o.end <= h.start and o.end > 0 for o in out if o is not h)
            ):
                s0 = len(lead) - len(lead.lstrip())
                out[k] = Hit(s0, h.end, h.category, h.rule, h.sensitive, h.role, h.score, h.priority)
    return out


def scan(text: str, *, in_block: bool = False) -> list[Hit]:
    """All hits of one line. ``in_block``: the line stands in a person's block (layout), so a leftover
    word-like piece is read as part of that person's name/address rather than kept."""
    F = fold(text)
    D = digitize(F)
    U = _upper(D)
    hits = number_hits(F, D, "en", in_block) + _caption_values(F, D, U) + _address_hits(U) + _phone_shapes(U)
    if ROUTING.match(U) or is_country(U):
        return [
            Hit(
                0,
                len(text),
                Category.OTHER,
                "routing" if ROUTING.match(U) else "country",
                sensitive=False,
                priority=100,
            )
        ]
    role = Role.UNKNOWN
    rc = ROLE_CAPTION.match(U)
    if rc:
        role = caption_role(rc.group(1))
        hits.append(
            Hit(rc.start(1), rc.end(1), Category.OTHER, "caption", sensitive=False, role=role, priority=99)
        )
    sm = ROLE_SUFFIX.search(U)
    if sm and not rc:
        role = caption_role(sm.group(1))
        hits.append(Hit(sm.start(), sm.end(), Category.OTHER, "caption", sensitive=False, role=role, priority=99))
        s0, e0 = trim_span(U, 0, sm.start(), " \t,;:|/")
        if e0 > s0 and any(c.isalpha() for c in U[s0:e0]):
            hits.append(Hit(s0, e0, Category.NAME, "name_by_role_suffix", role=role, priority=58, score=0.85))
    accepted = resolve(hits, D)
    # a street line: the whole piece around the street match is the address (house number, unit, ...)
    extra: list[Hit] = []
    has_addr = any(h.category == Category.ADDRESS for h in accepted)
    has_postal = any(h.category == Category.POSTAL_CODE for h in accepted)
    for s, e in gaps(len(U), [(h.start, h.end) for h in accepted]):
        s, e = trim_span(U, s, e, " \t,;:|/")
        if e <= s:
            continue
        seg = U[s:e]
        if not any(c.isalnum() for c in seg):
            continue
        if KEEP_WORDS.search(seg) and not in_block:
            continue
        if rc and s >= rc.end(1) and seg.strip(" .:") not in _ROLE_OF:
            # "SHIP TO: JOHN SMITH" : the words after a role caption are the name (or company)
            if (
                re.fullmatch(r"[A-Z][A-Z.'&\-]*(?:[ ,]+[A-Z][A-Z.'&\-]*){0,5}", seg)
                and role != Role.UNKNOWN
                or rc.group(1) in ("ATTN", "ATTENTION", "NAME", "C/O", "CARE OF")
            ):
                extra.append(Hit(s, e, Category.NAME, "caption_name", role=role, priority=30, score=0.85))
                continue
        if has_postal and re.fullmatch(r"[A-Z][A-Z.'\-]*(?:[ ,]+[A-Z][A-Z.'\-]*){0,3}", seg):
            extra.append(Hit(s, e, Category.ADDRESS, "city", priority=20, score=0.8))
        elif has_addr and re.search(r"\d|(?<![A-Z])(?:" + _UW + r")(?![A-Z])", seg):
            extra.append(Hit(s, e, Category.ADDRESS, "address_rest", priority=20, score=0.7))
        elif re.match(r"^(?:" + _UW + r")(?![A-Z])\.?\s*#?\s*[A-Z0-9]", seg) or re.match(r"^#\s?\d", seg):
            extra.append(Hit(s, e, Category.ADDRESS, "unit", priority=20, score=0.8))
        elif in_block:
            extra.append(
                Hit(
                    s,
                    e,
                    Category.ADDRESS if re.search(r"\d", seg) else Category.NAME,
                    "block_text",
                    priority=10,
                    score=0.6,
                )
            )
    final = merge_adjacent(resolve(accepted + extra, D), U)
    final = _extend_streets(final, U)
    if role != Role.UNKNOWN:
        final = [
            Hit(
                h.start,
                h.end,
                h.category,
                h.rule,
                h.sensitive,
                role if h.sensitive else h.role,
                h.score,
                h.priority,
            )
            for h in final
        ]
    return final


def find(text: str) -> list[tuple[int, int, Category, str]]:
    """The personal items of one line: ``[(start, end, Category, rule), ...]``."""
    return [h.as_tuple() for h in scan(text) if h.sensitive]
