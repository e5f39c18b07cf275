"""Pre-printed form wording: captions, cell titles and terms that stand on a label whatever is written in it.

A line made only of such words (a vendor or customer cell title, a name or address title, a pincode or hub
title, "Ship To") is never personal, even inside a person's block, and even cut at the label's edge or misread
by one letter ("Addres", "Custorner"). On a blank form these lines are all there is; masking them hides nothing and costs the user the
form.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .text import fold, upper_same

# words of captions and cell titles (English forms; upper case)
CAPTION_WORDS = frozenset(
    ["VENDOR", "SELLER", "CUSTOMER", "CLIENT", "BUYER", "SHIPPER", "SENDER", "RECIPIENT", "CONSIGNEE", "CONSIGNOR", "ADDRESSEE", "NAME", "ADDRESS", "ADDR", "PINCODE", "PIN", "CODE", "ZIP", "ZIPCODE", "POSTCODE", "POSTAL", "CITY", "STATE", "COUNTRY", "DISTRICT", "PHONE", "MOBILE", "MOB", "TEL", "TELEPHONE", "CONTACT", "EMAIL", "E-MAIL", "NUMBER", "NO", "ID", "SHIP", "DELIVER", "DELIVERY", "TO", "FROM", "RETURN", "PICKUP", "SOLD", "BY", "DESTINATION", "ORIGIN", "HUB", "ROUTE", "SORT", "ZONE", "AREA", "BRANCH", "STATION", "ORDER", "PO", "AWB", "WAYBILL", "TRACKING", "SHIPMENT", "PACKET", "PARCEL", "REFERENCE", "REF", "INVOICE", "REMARKS", "REMARK", "FLYER", "FLIER", "LAST", "WH", "WAREHOUSE", "HANDOVER", "DATE", "TIME", "E-WAY", "EWAY", "BILL", "WEIGHT", "DIMENSIONS", "DIMS", "QTY", "QUANTITY", "VALUE", "AMOUNT", "COD", "PREPAID", "MODE", "SERVICE", "TYPE", "PRINTED", "ON", "SIGNATURE", "SIGN", "RECEIVED", "THE", "OF", "AND"]
)
# the ones that caption a person's own data (a block goes on below them); the others end a block
PERSON_WORDS = frozenset(
    ["VENDOR", "SELLER", "CUSTOMER", "BUYER", "SHIPPER", "SENDER", "RECIPIENT", "CONSIGNEE", "CONSIGNOR", "ADDRESSEE", "NAME", "ADDRESS", "ADDR", "PHONE", "MOBILE", "MOB", "TEL", "TELEPHONE", "CONTACT", "EMAIL", "E-MAIL", "SHIP", "DELIVER", "TO", "FROM", "RETURN", "PICKUP", "SOLD", "BY"]
)
_LONG = sorted((w for w in CAPTION_WORDS if len(w) >= 4), key=len)
_WORD = re.compile(r"[A-Z][A-Z\-]*")


def _near(a: str, b: str) -> bool:
    """One edit apart (a letter misread, dropped or added)."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) <= 1
    if len(a) > len(b):
        a, b = b, a
    return any(b[:k] + b[k + 1 :] == a for k in range(len(b)))


@lru_cache(maxsize=2048)
def caption_word(w: str) -> str | None:
    """The caption word ``w`` stands for (exact, one edit off, or cut at either end), or None."""
    if w in CAPTION_WORDS:
        return w
    w2 = w.replace("RN", "M").replace("VV", "W").replace("CL", "D")  # the OCR's usual letter pairs
    if w2 in CAPTION_WORDS:
        return w2
    if len(w) < 4:
        return None
    for c in _LONG:
        if _near(w, c) and len(c) >= 5:
            return c
        # cut at the label's (or the photo's) edge: "DRESS", "DESTINATIO", "ELLER"
        if len(w) >= 5 and len(c) - len(w) <= 2 and (c.endswith(w) or c.startswith(w)):
            return c
    return None


def caption_words(text: str) -> list[str] | None:
    """The caption words of a line made only of caption words and punctuation, else None."""
    U = upper_same(fold(text))
    if re.search(r"\d", U):
        return None
    rest = _WORD.sub(" ", U)
    if any(c.isalnum() for c in rest):
        return None  # letters of another script, ...
    words = _WORD.findall(U)
    if not words:
        return None
    out = []
    for w in words:
        c = caption_word(w.strip("-"))
        if c is None:
            return None
        out.append(c)
    # a lone word is a title when it says so (a colon or dash after it) or is long; a short one alone may
    # be a value (a person called Bill, a code)
    if len(out) == 1:
        w = words[0].strip("-")
        punct = bool(re.search(r"[:\-.]\s*$", U))
        if not punct and len(w) < (5 if w != out[0] else 6):
            return None
    return out


def is_caption_only(text: str) -> bool:
    return caption_words(text) is not None


def ends_block(text: str) -> bool:
    """A caption-only line that captions no person's data (a hub, client or remarks cell title)."""
    ws = caption_words(text)
    return ws is not None and not any(w in PERSON_WORDS for w in ws)
