"""What is left over on a label once every rule has spoken.

The rules before this one find fields by what they look like or by their caption. Real labels carry numbers no
rule names: an order number equal to the waybill number, a form's serial number, a packet id printed under a
QR code, a small vertical copy of the waybill id along the edge. A label-level rule catches them as a class:

- a run of at least 8 digits (spaces and dashes inside allowed) is a tracking number;
- a token of at least 8 letters and digits, with at least 5 digits and a letter (UTAB00012345, 4455 9K2D H7M)
  is a tracking number;

unless the characters are already claimed by a known non-personal reading (a date, a weight, a price, a
courier's hotline, a sort or route code, a caption): those hits cover them and this rule reads only what no
hit covers. A captioned order number stays kept, unless it repeats a tracking number of the same label.

Also: a six-digit Indian PIN code standing in a cell of its own beside or under a "Pincode" caption; and
(``symbol_neighbour_spans``) a short code (5+ characters, 4+ digits) printed beside a 2-D symbol.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

from ...types import Category
from .hits import Hit, resolve
from .text import compact, fold, upper_same

MIN_DIGITS = 8  # a digit run this long is a tracking-like number
MIN_CODE = 8  # a letter+digit token this long ...
MIN_CODE_DIGITS = 5  # ... with this many digits

# groups of letters/digits joined by one space, dash, underscore or slash: one token as printed
_TOKEN = re.compile(r"[A-Z0-9](?:[ \-_]?[A-Z0-9])*")
_PRICE = re.compile(r"(?:RS\.?|INR|USD|EUR|GBP|CNY|RMB|\$|€|£|¥|₹)\s*$")
# numbers a carrier or a seller prints about itself: postage permits, licences, company registrations
_KEPT_BEFORE = re.compile(
    r"(?:APPROVED|PERMIT|LICEN[CS]E|LIC|MODEL|PATENT|FSSAI|CIN|IEC|REG(?:ISTRATION)?|BATCH|LOT|MFG|HSN|SAC)"
    r"\s*(?:NO\.?|NUMBER|#)?\s*[:#.\-]?\s*$"
)
_PIN_CAPTION = re.compile(r"PIN\s?CODE|PINCODE|PIN\s*[:\-]|POSTAL\s?CODE|ZIP", re.IGNORECASE)
_PIN = re.compile(r"^\s*[:\-]*\s*([1-9]\d{2}\s?\d{3})\s*$")
BIG_PRINT = 1.8  # lines this many times the label's median height are big print
# a Chinese sort code (三段码): short groups (310-W01 00, 755W-01-03)
_SORT_CODE = re.compile(r"[A-Z0-9]{1,4}(?:[ \-][A-Z0-9]{1,4}){1,3}")


class _LineLike(Protocol):
    text: str
    hits: list[Hit]
    x0: float
    x1: float
    y0: float
    y1: float
    h: float
    zh: bool


def _free_view(text: str, hits: Sequence[Hit]) -> str:
    """The folded, upper-cased line with every character some hit already claims blanked out."""
    chars = list(upper_same(fold(text)))
    for h in hits:
        for k in range(max(0, h.start), min(h.end, len(chars))):
            chars[k] = " "
    return "".join(chars)


def _tracking_like(tok: str) -> bool:
    body = "".join(c for c in tok if c.isalnum())
    nd = sum(c.isdigit() for c in body)
    if body.isdigit():
        return nd >= MIN_DIGITS
    groups = tok.split(" ")
    if len(groups) > 1 and not all(3 <= len(g) <= 6 for g in groups):
        return False  # words and numbers side by side (AWB 1234..., XB-31 Q407 2): each is read alone
    # letters and digits mixed (a word followed by a number is split by a space, and read alone)
    return len(body) >= MIN_CODE and nd >= MIN_CODE_DIGITS and any(c.isalpha() for c in body)


def leftover_hits(text: str, hits: Sequence[Hit], sort_codes: bool = False) -> list[Hit]:
    """Tracking-like tokens of one line that no hit (personal or kept) covers. ``sort_codes``: a Chinese
    label, whose short-grouped codes are sort codes."""
    V = _free_view(text, hits)
    out: list[Hit] = []
    for m in _TOKEN.finditer(V):
        tok = m.group(0)
        if sort_codes and _SORT_CODE.fullmatch(tok) and not tok.replace(" ", "").replace("-", "").isdigit():
            continue
        if not _tracking_like(tok):
            # a token may hold a word and a number joined by a space: try the digit-bearing pieces alone
            for p in re.finditer(r"[A-Z0-9](?:[\-_]?[A-Z0-9])*", tok) if " " in tok else ():
                if _tracking_like(p.group(0)):
                    out.append(_hit(m.start() + p.start(), m.start() + p.end(), p.group(0)))
            continue
        before = upper_same(fold(text[max(0, m.start() - 24) : m.start()]))
        if _KEPT_BEFORE.search(before):
            continue
        if _PRICE.search(V[max(0, m.start() - 5) : m.start()]) or re.search(r"\d[.,]\d{2}$", text[: m.end() + 3]):
            continue
        out.append(_hit(m.start(), m.end(), tok))
    return out


def _hit(s: int, e: int, tok: str) -> Hit:
    rule = "leftover_digits" if tok.replace(" ", "").replace("-", "").isdigit() else "leftover_code"
    return Hit(s, e, Category.TRACKING_NUMBER, rule, priority=20, score=0.6)


def _same_row(a: _LineLike, b: _LineLike) -> bool:
    return abs((a.y0 + a.y1) / 2 - (b.y0 + b.y1) / 2) < 0.6 * max(a.h, b.h)


def _pin_hits(ls: Sequence[_LineLike]) -> None:
    """A six-digit PIN alone in its cell, with a PIN caption on its row (to the left) or just above it."""
    for L in ls:
        m = _PIN.match(fold(L.text))
        if not m or any(h.sensitive for h in L.hits):
            continue
        for C in ls:
            if C is L or not _PIN_CAPTION.search(fold(C.text)):
                continue
            beside = _same_row(C, L) and C.x1 <= L.x0 + 0.5 * L.h
            above = 0 <= L.y0 - C.y1 < 1.5 * max(L.h, C.h) and abs(C.x0 - L.x0) < 4 * L.h
            if beside or above:
                L.hits = resolve(
                    list(L.hits) + [Hit(m.start(1), m.end(1), Category.POSTAL_CODE, "in_pin_cell", priority=52,
                                        score=0.8)],
                    fold(L.text),
                )
                break


# what an order or packet id glues to a waybill number: a copy index and a short check code (…_1_ab, …-1-0zk)
_ID_TAIL = re.compile(r"^[\s_\-\]\)\[(|]{0,3}[A-Za-z0-9]{0,4}(?:[\s_\-\]\)|]{1,3}[A-Za-z0-9]{1,4}){0,2}[\s\]\)|.,']*$")
_ID_HEAD = re.compile(r"(?:^|(?<=[\s:]))[A-Za-z]{1,3}[\[(|]?$")
# the cell of a masked phone number's visible digits on Indian courier forms ("Flyer Code", misread "Fller Code")
_FLYER_CAPTION = re.compile(r"(?<![A-Z])F[A-Z]{0,2}[IYE]{0,2}E?R\s*[:\-]?\s*CODE(?![A-Z])|(?<![A-Z])FL[IY]ER(?![A-Z])")
_FLYER_VALUE = re.compile(r"^\s*(\d{3,6})\s*$")


def _whole_ids(L: _LineLike) -> None:
    """A long tracking number read with a glued head or tail (K0012…, …_1_ab, …-1-0zk): the whole token."""
    new = []
    for h in L.hits:
        if not (h.sensitive and h.category == Category.TRACKING_NUMBER) or sum(
            c.isdigit() for c in L.text[h.start : h.end]
        ) < 10:
            new.append(h)
            continue
        s, e = h.start, h.end
        if _ID_TAIL.match(L.text[e:]) and not any(o.start >= e and (o.sensitive or o.rule == "caption")
                                                  for o in L.hits if o is not h):
            e = len(L.text.rstrip())
        m = _ID_HEAD.search(L.text[:s])
        if m and not any(o.end <= s and o.end > m.start() for o in L.hits if o is not h):
            s = m.start()
        new.append(Hit(s, e, h.category, h.rule, h.sensitive, h.role, h.score, h.priority) if (s, e) != (h.start, h.end) else h)
    L.hits = new


def _flyer_codes(ls: Sequence[_LineLike]) -> None:
    """The digits in a Flyer/Flier Code cell (under or beside its caption) are the end of a masked phone."""
    caps = [C for C in ls if _FLYER_CAPTION.search(upper_same(fold(C.text)))]
    for L in ls:
        m = _FLYER_VALUE.match(fold(L.text))
        if not m or not caps or any(h.sensitive for h in L.hits):
            continue
        for C in caps:
            below = 0 <= L.y0 - C.y1 < 2.5 * max(L.h, C.h) and L.x0 < C.x1 + L.h and L.x1 > C.x0 - L.h
            beside = _same_row(C, L) and 0 <= L.x0 - C.x1 < 4 * max(L.h, C.h)
            if below or beside:
                L.hits = resolve(list(L.hits) + [Hit(m.start(1), m.end(1), Category.PHONE, "flyer_code",
                                                     priority=90, score=0.75)], fold(L.text))
                break


def leftover_rules(ls: Sequence[_LineLike]) -> None:
    """Label-level: mask tracking-like numbers nothing else claimed, and order numbers that repeat a tracking
    number of the label (in place, on each line's hits)."""
    if not ls:
        return
    _pin_hits(ls)
    _flyer_codes(ls)
    for L in ls:
        _whole_ids(L)
    hmed = sorted(L.h for L in ls)[len(ls) // 2]
    tracking = {
        compact(L.text[h.start : h.end])
        for L in ls
        for h in L.hits
        if h.sensitive and h.category == Category.TRACKING_NUMBER
    }
    tracking = {t for t in tracking if sum(c.isdigit() for c in t) >= MIN_CODE_DIGITS}
    for L in ls:
        new: list[Hit] = []
        kept = []
        for h in L.hits:
            if h.rule == "order_number" and not h.sensitive:
                v = compact(L.text[h.start : h.end])
                if len(v) >= MIN_CODE and any(v in t or t in v for t in tracking):
                    new.append(Hit(h.start, h.end, Category.TRACKING_NUMBER, "order_repeats_tracking",
                                   priority=100, score=0.85))
                    continue
            kept.append(h)
        if L.h <= BIG_PRINT * hmed:  # big print: sort, route and hub codes (a long number is read by others)
            new += leftover_hits(L.text, kept + new, sort_codes=L.zh)
        if new:
            L.hits = resolve(kept + new, fold(L.text))


# ----------------------------------------------------------------------------------------------- beside symbols
NEAR_SYMBOL = 0.75  # symbol sides around a 2-D symbol where a short code is its id
SHORT_CODE = 5  # letters and digits of a code printed beside a symbol ...
SHORT_CODE_DIGITS = 4  # ... with this many digits
_SHORT = re.compile(r"[A-Z0-9](?:[\-_]?[A-Z0-9])*")


def _bbox(poly) -> tuple[float, float, float, float] | None:
    if not poly:
        return None
    xs = [float(p[0]) for p in poly]
    ys = [float(p[1]) for p in poly]
    return min(xs), min(ys), max(xs), max(ys)


def symbol_neighbour_spans(lines: Sequence, symbols: Sequence, taken: dict[int, list[tuple[int, int]]],
                           scan) -> list[tuple[int, int, int]]:
    """(line, start, end) of short codes printed beside a 2-D symbol (a packet id under a QR code, a vertical
    id beside a row of Data Matrix codes): at least 5 letters/digits with 4 digits, in
    characters no field (``taken``) and no kept reading (``scan(text)``: dates, weights, hotlines, captions)
    already claims. Photo coordinates."""
    boxes = []
    for s in symbols:
        if not s.is_2d or s.format == "PDF417":
            continue  # square codes only (a look-found region or a wide PDF417 spans whole print areas)
        b = _bbox(s.polygon)
        if b is None:
            continue
        side = max(b[2] - b[0], b[3] - b[1])
        m = NEAR_SYMBOL * side
        boxes.append((b[0] - m, b[1] - m, b[2] + m, b[3] + m))
    if not boxes:
        return []
    out = []
    heights: dict[int, list[float]] = {}
    cjk: set[int] = set()
    for ln in lines:
        heights.setdefault(ln.label_index, []).append(float(ln.height))
        if any("\u4e00" <= c <= "\u9fff" for c in ln.text):
            cjk.add(ln.label_index)
    hmed = {k: sorted(v)[len(v) // 2] for k, v in heights.items()}
    for li, ln in enumerate(lines):
        b = _bbox(ln.polygon)
        if b is None or float(ln.height) > BIG_PRINT * hmed[ln.label_index]:
            continue
        cx, cy = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
        if not any(x0 <= cx <= x1 and y0 <= cy <= y1 for x0, y0, x1, y1 in boxes):
            continue
        kept = [h for h in scan(ln.text)]
        V = list(_free_view(ln.text, kept))
        for s, e in taken.get(li, ()):
            for k in range(max(0, s), min(e, len(V))):
                V[k] = " "
        view = "".join(V)
        for m in _SHORT.finditer(view):
            tok = m.group(0)
            body = tok.replace("-", "").replace("_", "")
            if ln.label_index in cjk and _SORT_CODE.fullmatch(tok) and not body.isdigit():
                continue  # a sort code (三段码) beside a Chinese waybill's QR code
            if len(body) >= SHORT_CODE and sum(c.isdigit() for c in body) >= SHORT_CODE_DIGITS:
                out.append((li, m.start(), m.end()))
    return out
