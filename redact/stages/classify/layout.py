"""Layout: from per-line hits to fields, using where lines stand on the label.

- Captions (收件人 / 寄 / SHIP TO / FROM ...) open a person's block: the lines beside and below a caption
  belong to it until the next caption, a column edge or a vertical gap. Everything personal-looking in a block
  takes the caption's role; leftover text in a block is that person's name (short, first) or address.
- A phone number makes the short line beside it a name; an address that wraps continues on the next line; a
  line above a street line is a name.
- The stub at the bottom of a Chinese waybill repeats the persons: values seen elsewhere on the label are
  matched again.
- Every symbol is a field; text that repeats a symbol's payload is a tracking number tied to it.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

from ...types import Category, Field, Role, Span, Symbol, TextLine
from . import en
from . import forms
from . import zh
from .leftover import leftover_rules, symbol_neighbour_spans
from .text import Hit, compact, compact_map, fold, has_cjk, resolve, upper_same

log = logging.getLogger(__name__)

LOW_SCORE = 0.5  # lines read with less confidence than this inside a person's block are masked whole


@dataclass
class _Line:
    idx: int
    line: TextLine
    x0: float
    y0: float
    x1: float
    y1: float
    h: float
    zh: bool = False
    hits: list[Hit] = field(default_factory=list)
    caption_role: Role | None = None  # a role caption starts this line
    caption_only: bool = False  # the line is nothing but the caption
    caption_suffix: bool = False  # the role is printed after the person's name ("A NAME (Customer)")
    block: int | None = None  # index of the owning caption line (in the label's list)
    role: Role = Role.UNKNOWN

    @property
    def yc(self) -> float:
        return (self.y0 + self.y1) / 2

    @property
    def text(self) -> str:
        return self.line.text


def _box(line: TextLine, angle: float | None = None) -> tuple[float, float, float, float, float]:
    """The line's box in its layout frame: the label's upright frame (``angle`` None), or the photo frame turned
    by ``-angle`` degrees (the common frame of several regions read from one physical label)."""
    if angle is None and line.upright:
        xs = [p[0] for p in line.upright]
        ys = [p[1] for p in line.upright]
        return (min(xs), min(ys), max(xs), max(ys), max(max(ys) - min(ys), 1.0))
    poly = line.polygon or line.upright
    if not poly:
        return (0.0, 0.0, 0.0, 0.0, 1.0)
    a = math.radians(-(angle or 0.0))
    ca, sa = math.cos(a), math.sin(a)
    xs = [x * ca - y * sa for x, y in poly]
    ys = [x * sa + y * ca for x, y in poly]
    h = float(line.height) if len(poly) == 4 else max(ys) - min(ys)
    return (min(xs), min(ys), max(xs), max(ys), max(h, 1.0))


def _angle(line: TextLine) -> float | None:
    """Reading direction of a line in the photo (degrees), when its polygon says so reliably."""
    p = line.polygon
    if len(p) != 4 or len(line.text.strip()) < 3:
        return None
    dx, dy = p[1][0] - p[0][0], p[1][1] - p[0][1]
    if math.hypot(dx, dy) < 1.2 * float(line.height):
        return None
    return math.degrees(math.atan2(dy, dx))


def _adiff(a: float, b: float) -> float:
    return abs((a - b + 180.0) % 360.0 - 180.0)


def _circ_median(angles: Sequence[float]) -> float:
    ref = angles[0]
    rel = sorted(((a - ref + 180.0) % 360.0) - 180.0 for a in angles)
    return ref + rel[len(rel) // 2]


def layout_groups(lines: Sequence[TextLine]) -> list[tuple[list[int], float | None]]:
    """Groups of lines reasoned about together, each with its frame.

    A reader may split one physical label into several regions (several ``label_index`` values): lines that
    read in the same direction in the photo form one group in the photo frame turned upright, so captions, blocks
    and repeated values work across regions. A group from a single region keeps that region's upright frame."""
    angles = [_angle(ln) for ln in lines]
    centers: list[list[float]] = []
    members: list[list[int]] = []
    for i in sorted(range(len(lines)), key=lambda i: -len(lines[i].text)):
        a = angles[i]
        if a is None:
            continue
        for k, c in enumerate(centers):
            if _adiff(a, c[0]) <= 25.0:  # the group's first (longest) line sets its direction
                c.append(a)
                members[k].append(i)
                break
        else:
            centers.append([a])
            members.append([i])
    if not members:
        by_label: dict[int, list[int]] = {}
        for i, ln in enumerate(lines):
            by_label.setdefault(ln.label_index, []).append(i)
        return [(idx, None) for _, idx in sorted(by_label.items())]
    for i, a in enumerate(angles):
        if a is not None:
            continue
        # an unreliable line joins the group holding most lines of its region (else the biggest group)
        best = max(
            range(len(members)),
            key=lambda k: (
                sum(1 for j in members[k] if lines[j].label_index == lines[i].label_index),
                len(members[k]),
            ),
        )
        members[best].append(i)
    out: list[tuple[list[int], float | None]] = []
    for k, idx in enumerate(members):
        idx.sort()
        regions = {lines[i].label_index for i in idx}
        if len(regions) == 1 and all(lines[i].upright for i in idx):
            out.append((idx, None))
        else:
            out.append((idx, _circ_median(centers[k])))
    return out


@lru_cache(maxsize=4096)
def _scan_cached(text: str, is_zh: bool, in_block: bool) -> tuple[Hit, ...]:
    return tuple(zh.scan(text, in_block=in_block) if is_zh else en.scan(text, in_block=in_block))


def _scan(text: str, is_zh: bool, in_block: bool = False) -> list[Hit]:
    return list(_scan_cached(text, is_zh, in_block))


def _sensitive(hits: Sequence[Hit]) -> list[Hit]:
    return [h for h in hits if h.sensitive]


def _uncovered(text: str, hits: Sequence[Hit]) -> str:
    chars = list(text)
    for h in hits:
        for k in range(h.start, min(h.end, len(chars))):
            chars[k] = " "
    return "".join(chars)


_PUNCT = " \t:：,，;；|/\\-()（）[]【】<>·.。*"


def _meaningful(s: str) -> str:
    return "".join(c for c in s if c not in _PUNCT)


# ----------------------------------------------------------------------------------------------- captions
def _role_caption(L: _Line) -> tuple[Role | None, bool]:
    """(role of a caption that starts this line, whether the line is only that caption)."""
    F = fold(L.text).strip()
    if L.zh:
        m = zh.ROLE_CAPTION.match(F)
        if m:
            word = m.group(1) or m.group(2)
            role = zh.caption_role(word)
            rest = _meaningful(F[m.end() :])
            if word in ("联系人", "姓名") and role == Role.UNKNOWN:
                return (None, False)
            return (role, rest == "" or rest in ("方", "人", "件"))
        return (None, False)
    m = en.ROLE_CAPTION.match(upper_same(F))
    if m:
        role = en.caption_role(m.group(1))
        if role == Role.UNKNOWN:
            return (None, False)
        rest = _meaningful(F[m.end() :])
        return (role, rest == "")
    sm = en.ROLE_SUFFIX.search(upper_same(F))
    if sm and _meaningful(F[: sm.start()]):
        return (en.caption_role(sm.group(1)), False)  # "A NAME (Customer)": the block of that person
    ws = forms.caption_words(F)  # a form's cell title, misread or cut at the edge ("Vendr", "Custome")
    if ws and ws[0] in _FORM_ROLES:
        return (_FORM_ROLES[ws[0]], True)
    return (None, False)


_FORM_ROLES = {
    "VENDOR": Role.SENDER,
    "SELLER": Role.SENDER,
    "SHIPPER": Role.SENDER,
    "SENDER": Role.SENDER,
    "CONSIGNOR": Role.SENDER,
    "CUSTOMER": Role.RECIPIENT,
    "BUYER": Role.RECIPIENT,
    "RECIPIENT": Role.RECIPIENT,
    "CONSIGNEE": Role.RECIPIENT,
    "ADDRESSEE": Role.RECIPIENT,
}


_PERSON_CAPTION_WORDS = re.compile(
    r"地址|电话|手机|联系|姓名|邮编|邮政|身份证|证件|单位|公司|收件|寄件|收货|发件|发货|TEL|PHONE|MOBILE|EMAIL|E-MAIL|ATTN|"
    r"NAME|ADDRESS|CONTACT|PIN|ZIP|POSTAL|CELL|PH"
)
_ANY_CAPTION = re.compile(r"^\s*(?:([\u4e00-\u9fff]{2,6})\s*[:：]|([A-Za-z][A-Za-z .#/]{1,20}?)\s*:)")


def _foreign_caption(text: str) -> bool:
    """A line opened by a caption that is not a person's field (付款方式：, 托寄物：, WEIGHT:)."""
    m = _ANY_CAPTION.match(fold(text))
    if not m:
        return False
    word = (m.group(1) or m.group(2) or "").upper()
    return not _PERSON_CAPTION_WORDS.search(word)


def _assign_blocks(ls: list[_Line]) -> None:
    caps = [i for i, L in enumerate(ls) if L.caption_role is not None]
    if not caps:
        return
    hmed = sorted(L.h for L in ls)[len(ls) // 2]
    claims: dict[int, tuple[float, int]] = {}

    def claim(j: int, c: int, dist: float) -> None:
        if j not in claims or dist < claims[j][0]:
            claims[j] = (dist, c)

    same_row: dict[int, list[int]] = {}
    for c in caps:
        C = ls[c]
        rows = []
        for j, L in enumerate(ls):
            if j == c or L.caption_role is not None:
                continue
            band_lo, band_hi = C.y0 - 0.3 * L.h, C.y1 + 0.3 * L.h
            gap = L.x0 - C.x1
            # beside a bare caption, its values; beside a caption line that holds values, only a near piece
            near = gap < (12 * hmed if C.caption_only else 2.5 * max(hmed, L.h))
            if (
                band_lo <= L.yc <= band_hi
                and L.x0 >= C.x0 + 0.3 * min(C.h, L.h)
                and near
                and not _foreign_caption(L.text)
            ):
                rows.append(j)
        if C.caption_only and rows:
            # beside a bare caption: its cell, not the next column's cells (a chain of near pieces)
            chain, edge = [], C.x1
            for j in sorted(rows, key=lambda j: ls[j].x0):
                limit = 12 * hmed if not chain else 2.5 * max(hmed, ls[j].h)
                if ls[j].x0 - edge > limit:
                    break
                chain.append(j)
                edge = max(edge, ls[j].x1)
            rows = chain
        same_row[c] = rows
    row_owner: dict[int, int] = {}
    for c, rows in same_row.items():
        for j in rows:
            if j not in row_owner or ls[c].x1 > ls[row_owner[j]].x1:  # nearest caption to the left
                row_owner[j] = c
    for c in caps:
        C = ls[c]
        # column limits: other captions on the same row bound this block on the right
        xmin = C.x0 - 1.5 * max(C.h, hmed)
        xmax = float("inf")
        for o in caps:
            if o != c and ls[o].x0 > C.x0 + C.h and ls[o].yc > C.y0 - C.h and ls[o].yc < C.y1 + C.h:
                xmax = min(xmax, ls[o].x0 - 0.2 * hmed)
        members = [j for j in same_row[c] if row_owner.get(j) == c and ls[j].x0 < xmax]
        for j in members:
            claim(j, c, abs(ls[j].x0 - C.x1) * 0.01)
        bottom = max([C.y1] + [ls[j].y1 for j in members])
        bx1 = max([C.x1] + [ls[j].x1 for j in members])
        below = sorted(
            (
                j
                for j, L in enumerate(ls)
                if L.y0 > C.y0 + 0.5 * min(C.h, L.h) and j not in members and j != c
            ),
            key=lambda j: (ls[j].y0, ls[j].x0),
        )
        count = 0
        # the rows of form cells that caption no person (a hub, a client): the block ends at them
        enders = [E for E in ls if E.y0 > C.y1 - 0.2 * C.h and forms.ends_block(E.text)]
        for j in below:
            L = ls[j]
            if L.x1 < xmin or L.x0 >= xmax:
                continue
            if any(E.y0 - 0.5 * E.h <= L.yc <= E.y1 for E in enders):
                break
            if L.y0 - bottom > (1.0 if C.caption_suffix else 1.6) * max(hmed, 0.5 * L.h) + 0.2 * C.h:
                break
            if L.caption_role is not None or forms.ends_block(L.text):
                break
            if not L.zh and en.SERVICE_LINE.match(upper_same(fold(L.text))):
                break  # "Customer care 1800 ...": the courier's line, the person's block is over
            if j in row_owner and row_owner[j] != c:
                break
            if _foreign_caption(L.text):
                if L.x0 <= bx1 + 2 * hmed:
                    break  # 付款方式： / 托寄物： / WEIGHT: ... under the block: the person's block is over
                continue  # a caption line off to the side is no part of the block
            # a much bigger or smaller line (barcode digits, a 三段码, a footer) ends the block
            if L.h > 2.2 * hmed or (count and L.h < 0.45 * hmed):
                break
            claim(j, c, 1.0 + (L.y0 - C.y1) / max(hmed, 1.0))
            bottom = max(bottom, L.y1)
            bx1 = max(bx1, L.x1)
            count += 1
            if count >= (3 if C.caption_suffix else 7):
                break
    for j, (_, c) in claims.items():
        ls[j].block = c
        ls[j].role = ls[c].caption_role or Role.UNKNOWN
    for c in caps:
        ls[c].block = c
        ls[c].role = ls[c].caption_role or Role.UNKNOWN


# ----------------------------------------------------------------------------------------------- fields
_NAMEISH_ZH = re.compile(r"^\s*\*{0,2}[\u4e00-\u9fff·]{1,4}\*{0,3}\s*$")
_NAMEISH_EN = re.compile(r"^\s*[A-Za-z][A-Za-z.'\-]*(?:[ ,]+[A-Za-z][A-Za-z.'&\-]*){0,4}\s*$")


def _add(hits: list[Hit], new: Hit, text: str) -> list[Hit]:
    return resolve(hits + [new], fold(text))


def _block_rules(ls: list[_Line]) -> None:
    """Rescan block members as such, then name the short first line and wrap addresses."""
    blocks: dict[int, list[int]] = {}
    for j, L in enumerate(ls):
        if L.block is not None:
            blocks.setdefault(L.block, []).append(j)
    for c, members in blocks.items():
        role = ls[c].caption_role or Role.UNKNOWN
        members.sort(key=lambda j: (ls[j].y0, ls[j].x0))
        seen_street = False
        for pos, j in enumerate(members):
            L = ls[j]
            if j == c and L.caption_only:
                continue
            left = _meaningful(
                _uncovered(
                    L.text,
                    [
                        h
                        for h in L.hits
                        if h.sensitive
                        or h.rule in ("caption", "address_caption", "date", "weight", "order_number")
                    ],
                )
            )
            if not L.zh and any(h.sensitive and h.category in (Category.ADDRESS, Category.POSTAL_CODE) for h in L.hits):
                seen_street = True  # a street or city line read whole: the lines after it are no name
            if j == c or not left:
                hits = L.hits  # nothing left to read differently in a block (or the caption line itself)
            else:
                hits = _scan(L.text, L.zh, in_block=True)
                soft = ("block_address", "block_text")
                rest = _uncovered(
                    L.text,
                    [
                        h
                        for h in hits
                        if (h.sensitive and h.rule not in soft) or h.rule in ("caption", "address_caption")
                    ],
                )
                core = _meaningful(rest)
                if L.zh:
                    if (
                        core
                        and _NAMEISH_ZH.match(rest)
                        and not zh.looks_like_address(core)
                        and not any(h.category == Category.NAME for h in hits)
                    ):
                        s = len(rest) - len(rest.lstrip())
                        e = len(rest.rstrip())
                        hits = [h for h in hits if not (h.start < e and s < h.end and h.rule in soft)]
                        hits = _add(
                            hits, Hit(s, e, Category.NAME, "block_name", priority=60, score=0.75), L.text
                        )
                else:
                    street = en.looks_like_street(L.text) or en.looks_like_city_line(L.text)
                    seen_street = seen_street or street
                    if not seen_street and core and _NAMEISH_EN.match(L.text) and not en.is_country(L.text):
                        s = len(L.text) - len(L.text.lstrip())
                        hits = _add(
                            [h for h in hits if h.rule not in soft],
                            Hit(
                                s, len(L.text.rstrip()), Category.NAME, "block_name", priority=60, score=0.75
                            ),
                            L.text,
                        )
                    elif seen_street and re.fullmatch(r"\s*[A-Z]{2,5}\s*", L.text):
                        # a short code in capitals after the address (a client or service code): no one's
                        hits = [h for h in hits if h.rule not in soft]
                    elif seen_street:
                        hits = [
                            replace(h, category=Category.ADDRESS)
                            if (h.category == Category.NAME and h.rule == "block_text")
                            else h
                            for h in hits
                        ]
            if L.line.score < LOW_SCORE:
                core = _meaningful(_uncovered(L.text, _sensitive(hits)))
                if core:
                    hits = [h for h in hits if not h.sensitive] + [
                        Hit(
                            0,
                            len(L.text),
                            Category.UNREADABLE,
                            "low_confidence_in_block",
                            priority=1,
                            score=L.line.score,
                        )
                    ]
                    hits = _replace_all(hits, L.text)
            L.hits = [
                replace(h, role=role)
                if h.sensitive and h.role == Role.UNKNOWN and h.category not in _PARCEL
                else h
                for h in hits
            ]


_PARCEL = (Category.TRACKING_NUMBER, Category.BARCODE, Category.QRCODE)


def _replace_all(hits: list[Hit], text: str) -> list[Hit]:
    """An unreadable line: one span over the whole line, captions aside."""
    caps = [h for h in hits if not h.sensitive and h.rule in ("caption",)]
    un = [h for h in hits if h.category == Category.UNREADABLE]
    if not caps:
        return un
    end = max(h.end for h in caps)
    return (
        caps + [Hit(end, len(text), Category.UNREADABLE, un[0].rule, priority=1, score=un[0].score)]
        if end < len(text)
        else caps
    )


def _same_row(a: _Line, b: _Line) -> bool:
    lo = max(a.y0, b.y0)
    hi = min(a.y1, b.y1)
    return hi - lo >= 0.5 * min(a.h, b.h)


def _neighbour_rules(ls: list[_Line]) -> None:
    """Names beside phones (separate OCR boxes), names above street lines, wrapped addresses."""
    for i, P in enumerate(ls):
        if not any(h.category == Category.PHONE and h.sensitive for h in P.hits):
            continue
        for j, L in enumerate(ls):
            if j == i or not _same_row(P, L):
                continue
            dist = (P.x0 - L.x1) if L.x1 <= P.x0 + P.h else (L.x0 - P.x1)
            if dist < -P.h or dist > 8 * P.h:
                continue
            rest = _uncovered(L.text, _sensitive(L.hits) + [h for h in L.hits if h.rule == "caption"])
            if (
                L.zh
                and _NAMEISH_ZH.match(rest)
                and _meaningful(rest)
                and not any(h.category == Category.NAME for h in L.hits)
            ):
                core = _meaningful(rest)
                if core not in zh.NOT_NAMES and not zh.looks_like_address(core):
                    s = len(rest) - len(rest.lstrip())
                    L.hits = _add(
                        L.hits,
                        Hit(
                            s,
                            len(rest.rstrip()),
                            Category.NAME,
                            "name_beside_phone",
                            role=P.role,
                            priority=60,
                            score=0.7,
                        ),
                        L.text,
                    )
    # a caption read as its own line ("邮编：" | "310012", "TEL:" | "212 555 0123"): read the value with it
    for A in ls:
        F = fold(A.text).rstrip()
        if not F.endswith(":") or len(F) > 24:
            continue
        for B in ls:
            if B is A or not _same_row(A, B) or B.zh != A.zh:
                continue
            gap = B.x0 - A.x1
            if gap < -0.5 * A.h or gap > 3 * max(A.h, B.h) or _sensitive(B.hits):
                continue
            cap = F.split()[-1] if F.split() else F
            joined = cap + " " + B.text
            off = len(cap) + 1
            new = [
                Hit(
                    h.start - off,
                    h.end - off,
                    h.category,
                    h.rule + "_by_caption_box",
                    h.sensitive,
                    h.role,
                    h.score,
                    h.priority,
                )
                for h in _scan(joined, B.zh, in_block=B.block is not None)
                if h.sensitive and h.start >= off
            ]
            if new:
                B.hits = resolve(B.hits + new, fold(B.text))
    # wrapped addresses and names above streets
    order = sorted(range(len(ls)), key=lambda j: (ls[j].y0, ls[j].x0))
    for a_pos, a in enumerate(order):
        A = ls[a]
        a_addr = any(h.category == Category.ADDRESS and h.sensitive for h in A.hits)
        if not a_addr:
            continue
        for b in order[a_pos + 1 :]:
            B = ls[b]
            if B.y0 - A.y1 > 0.9 * max(A.h, B.h):
                break
            if B.y0 < A.yc or abs(B.x0 - A.x0) > 3 * A.h or B.zh != A.zh:
                continue
            rest = _uncovered(B.text, [h for h in B.hits if h.sensitive or h.rule == "caption"])
            core = _meaningful(rest)
            if not core or len(core) > 40:
                continue
            if A.zh:
                if (
                    zh._KEEP_TEXT.search(core)
                    or zh._HUB.search(core)
                    or not has_cjk(core)
                    and not re.search(r"\d", core)
                ):
                    continue
            else:
                if en._KEEP_WORDS.search(core.upper()):
                    continue
            s = len(rest) - len(rest.lstrip())
            B.hits = _add(
                B.hits,
                Hit(
                    s,
                    len(rest.rstrip()),
                    Category.ADDRESS,
                    "address_wrap",
                    role=A.role,
                    priority=5,
                    score=0.6,
                ),
                B.text,
            )
            if B.role == Role.UNKNOWN:
                B.role = A.role
            break
    # an address split by the reader into pieces on one row (curved labels, wide gaps): the pieces beside it
    for A in ls:
        if not any(h.category == Category.ADDRESS and h.sensitive for h in A.hits):
            continue
        for B in ls:
            if B is A or not _same_row(A, B) or B.zh != A.zh:
                continue
            gap = B.x0 - A.x1 if B.x0 >= A.x1 - 0.5 * A.h else A.x0 - B.x1
            if gap < -0.5 * A.h or gap > 1.5 * max(A.h, B.h):
                continue
            rest = _uncovered(B.text, [h for h in B.hits if h.sensitive or h.rule == "caption"])
            core = _meaningful(rest)
            if not core or len(core) > 40 or B.caption_role is not None or _foreign_caption(B.text):
                continue
            if A.zh and (zh._KEEP_TEXT.search(core) or zh._HUB.search(core)):
                continue
            if not A.zh and en._KEEP_WORDS.search(core.upper()):
                continue
            s = len(rest) - len(rest.lstrip())
            B.hits = _add(
                B.hits,
                Hit(
                    s,
                    len(rest.rstrip()),
                    Category.ADDRESS,
                    "address_piece",
                    role=A.role,
                    priority=5,
                    score=0.6,
                ),
                B.text,
            )
    for b_pos, b in enumerate(order):
        B = ls[b]
        if B.zh or not (en.looks_like_street(B.text)):
            continue
        for a in reversed(order[:b_pos]):
            A = ls[a]
            if B.y0 - A.y1 > 1.0 * max(A.h, B.h):
                break
            if A.y1 > B.yc or abs(B.x0 - A.x0) > 3 * B.h:
                continue
            if _sensitive(A.hits) or A.caption_role is not None:
                break
            if en.is_business(A.text) and _NAMEISH_EN.match(A.text):
                B = A  # a company line between a name and its street: kept, the name is above it
                continue
            if (
                _NAMEISH_EN.match(A.text)
                and not en._KEEP_WORDS.search(A.text.upper())
                and not en.is_country(A.text)
            ):
                s = len(A.text) - len(A.text.lstrip())
                A.hits = _add(
                    A.hits,
                    Hit(
                        s,
                        len(A.text.rstrip()),
                        Category.NAME,
                        "name_above_street",
                        role=B.role,
                        priority=5,
                        score=0.6,
                    ),
                    A.text,
                )
                B = A  # the line above a name (a company, a second name line) too
                continue
            break

    # a Western address block upwards: the lines stacked on an address line (street, name, company) belong
    # to the same person, read well or not (a blurred street line matches no street pattern); up to three
    # lines, stopping at a caption, label wording or a country
    for a_pos, a in enumerate(order):
        A = ls[a]
        if A.zh or not any(h.category == Category.ADDRESS and h.sensitive for h in A.hits):
            continue
        top, n = A, 0
        for b in reversed(order[:a_pos]):
            B = ls[b]
            if top.y0 - B.y1 > 1.0 * max(top.h, B.h):
                break
            if B.yc > top.yc - 0.5 * top.h or abs(B.x0 - top.x0) > 3 * top.h or B.zh or B.h > 1.6 * top.h:
                continue
            if B.caption_role is not None or _foreign_caption(B.text):
                break
            if not _sensitive(B.hits):
                rest = _uncovered(B.text, [h for h in B.hits if h.rule == "caption"])
                core = _meaningful(rest)
                if not core or len(core) > 40 or en._KEEP_WORDS.search(B.text.upper()) or en.is_country(B.text):
                    break
                s0 = len(rest) - len(rest.lstrip())
                B.hits = _add(B.hits, Hit(s0, len(rest.rstrip()), Category.ADDRESS, "address_block_above",
                                          role=A.role, priority=4, score=0.55), B.text)
                if B.role == Role.UNKNOWN:
                    B.role = A.role
            top, n = B, n + 1
            if n >= 3:
                break


def _stub_rules(ls: list[_Line]) -> None:
    """Values already known on this label (names, phones, addresses) found again elsewhere."""
    known: list[tuple[str, Category, Role]] = []
    for L in ls:
        for h in L.hits:
            if h.sensitive and h.category in (
                Category.NAME,
                Category.PHONE,
                Category.ADDRESS,
                Category.ID_NUMBER,
                Category.POSTAL_CODE,
            ):
                v = compact(L.text[h.start : h.end])
                if (L.zh and len(v) >= 2) or len(v) >= 4:
                    known.append((v, h.category, h.role))
    if not known:
        return
    known = list(dict.fromkeys(known))
    _repeated_pieces(ls, known)
    for L in ls:
        comp, comp_map = compact_map(L.text)
        if len(comp) < 2:
            continue
        for v, cat, role in known:
            if v not in comp:
                continue
            start = comp.find(v)
            while start >= 0:
                s, e = comp_map[start], comp_map[start + len(v) - 1] + 1
                latin_edge = (s > 0 and L.text[s - 1].isalnum() and not has_cjk(L.text[s - 1])) or (
                    e < len(L.text) and L.text[e].isalnum() and not has_cjk(L.text[e])
                )
                if latin_edge:
                    start = comp.find(v, start + 1)
                    continue
                if not any(h.sensitive and h.start <= s and h.end >= e for h in L.hits):
                    if not any(h.rule == "caption" and h.start < e and s < h.end for h in L.hits):
                        L.hits = _add(
                            L.hits, Hit(s, e, cat, "repeated_value", role=role, priority=3, score=0.8), L.text
                        )
                start = comp.find(v, start + 1)


def _sandwiched(ls: list[_Line]) -> None:
    """A line read badly (blurred, creased) between two lines of one person's address block is part of it:
    a line with nothing personal found whose neighbours just above and just below, aligned with it, are that
    person's name or address lines."""
    def personal(L: _Line) -> Role | None:
        for h in L.hits:
            if h.sensitive and h.category in (Category.NAME, Category.ADDRESS):
                return h.role
        return None

    for B in ls:
        if B.zh or _sensitive(B.hits) or B.caption_role is not None or _foreign_caption(B.text):
            continue
        core = _meaningful(B.text)
        if len(core) < 3 or en._KEEP_WORDS.search(upper_same(B.text)) or forms.is_caption_only(B.text):
            continue
        near = [A for A in ls if A is not B and not A.zh and abs(A.x0 - B.x0) < 3 * max(A.h, B.h)]
        above = [A for A in near if 0 < B.yc - A.yc < 1.6 * max(A.h, B.h) and personal(A) is not None]
        below = [C for C in near if 0 < C.yc - B.yc < 1.6 * max(C.h, B.h) and personal(C) is not None]
        if not above or not below:
            continue
        roles = {personal(A) for A in above + below} - {Role.UNKNOWN}
        role = roles.pop() if len(roles) == 1 else Role.UNKNOWN
        s = len(B.text) - len(B.text.lstrip())
        B.hits = _add(B.hits, Hit(s, len(B.text.rstrip()), Category.ADDRESS, "between_block_lines", role=role,
                                  priority=4, score=0.55), B.text)


def _form_wording(ls: list[_Line]) -> None:
    """A line that is only pre-printed form wording (a caption, a cell title) is nobody's name or address,
    whatever block it stands in."""
    for L in ls:
        if L.zh or not forms.is_caption_only(L.text):
            continue
        L.hits = [h for h in L.hits if not (h.sensitive and h.category in (Category.NAME, Category.ADDRESS))]
    # a postage indicia (PRESORTED / U.S. POSTAGE PAID / CITY, ST / PERMIT NO. 123): the permit office's city
    # and the permit number are the mailer's licence, not anyone's address
    for P in ls:
        if P.zh or not _PERMIT.search(upper_same(fold(P.text))):
            continue
        for L in ls:
            near = L is P or (abs(L.x0 - P.x0) < 3 * P.h and -0.5 * P.h < P.y0 - L.y1 < 1.2 * max(P.h, L.h))
            if near and not any(h.sensitive and h.category in (Category.PHONE, Category.EMAIL) for h in L.hits):
                L.hits = [h for h in L.hits if not (h.sensitive and h.category in (Category.ADDRESS,
                                                                                    Category.POSTAL_CODE))]


_PERMIT = re.compile(r"(?<![A-Z])PERMIT\s*(?:NO\.?|#|NUMBER)?\s*\d{1,6}\s*$")


REPEAT_MIN = 8  # characters (letters and digits) a piece shares with a known address or name to be its copy


def _repeated_pieces(ls: list[_Line], known: Sequence[tuple[str, Category, Role]]) -> None:
    """A second copy of an address printed elsewhere on the label, cut into other pieces by its own column
    (a form's client copy, a stub): a line with nothing personal found that shares a long run of characters
    with a known address is that address too."""
    addrs = [(v, r) for v, c, r in known if c in (Category.ADDRESS, Category.NAME) and len(v) >= REPEAT_MIN]
    if not addrs:
        return
    import difflib

    for L in ls:
        if L.zh or any(h.sensitive for h in L.hits) or forms.is_caption_only(L.text):
            continue
        comp = compact(L.text)
        if len(comp) < REPEAT_MIN:
            continue
        for v, role in addrs:
            m = difflib.SequenceMatcher(None, comp, v, autojunk=False).find_longest_match(0, len(comp), 0, len(v))
            if m.size >= REPEAT_MIN:
                s = len(L.text) - len(L.text.lstrip())
                L.hits = _add(L.hits, Hit(s, len(L.text.rstrip()), Category.ADDRESS, "repeated_address",
                                          role=role, priority=3, score=0.7), L.text)
                break


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s] in " \t,，;；:：":
        s += 1
    while e > s and text[e - 1] in " \t,，;；:：":
        e -= 1
    return s, e


def _to_fields(ls: list[_Line]) -> list[Field]:
    fields: list[Field] = []
    # addresses of one block (or of consecutive wrapped lines) become one field with one span per line
    addr_groups: dict[tuple, list[tuple[_Line, Hit]]] = {}
    for L in sorted(ls, key=lambda L: (L.y0, L.x0)):
        for h in L.hits:
            if not h.sensitive and h.rule not in ("hotline", "order_number"):
                continue
            if h.category == Category.ADDRESS:
                key = ("block", L.block, h.role) if L.block is not None else ("line", L.idx, h.start)
                # a wrap continuation joins the address of the line above it
                if h.rule == "address_wrap" and L.block is None:
                    for k2 in list(addr_groups):
                        last_L = addr_groups[k2][-1][0]
                        if last_L.y1 <= L.y0 + 0.5 * L.h and L.y0 - last_L.y1 < 1.0 * L.h and last_L is not L:
                            key = k2
                addr_groups.setdefault(key, []).append((L, h))
                continue
            s, e = _trim(L.text, h.start, h.end)
            if e <= s:
                continue
            fields.append(
                Field(
                    category=h.category,
                    role=h.role,
                    spans=(Span(L.idx, s, e),),
                    score=round(h.score, 3),
                    rule=h.rule,
                    sensitive=h.sensitive,
                    value=L.text[s:e],
                )
            )
    for key, items in addr_groups.items():
        items = [
            (L, replace(h, start=_trim(L.text, h.start, h.end)[0], end=_trim(L.text, h.start, h.end)[1]))
            for L, h in items
        ]
        items = [(L, h) for L, h in items if h.end > h.start]
        if not items:
            continue
        role = next((h.role for _, h in items if h.role != Role.UNKNOWN), Role.UNKNOWN)
        fields.append(
            Field(
                category=Category.ADDRESS,
                role=role,
                spans=tuple(Span(L.idx, h.start, h.end) for L, h in items),
                score=round(min(h.score for _, h in items), 3),
                rule=items[0][1].rule,
                value="\n".join(L.text[h.start : h.end] for L, h in items),
            )
        )
    return fields


def classify_label(
    lines: Sequence[TextLine], indices: Sequence[int], angle: float | None = None
) -> list[Field]:
    ls: list[_Line] = []
    for i in indices:
        x0, y0, x1, y1, h = _box(lines[i], angle)
        ls.append(_Line(i, lines[i], x0, y0, x1, y1, h))
    if not ls:
        return []
    n_cjk = sum(1 for L in ls if has_cjk(L.text))
    is_zh = n_cjk >= max(1, int(0.15 * len(ls)))
    for L in ls:
        L.zh = is_zh
        L.hits = _scan(L.text, is_zh)
        L.caption_role, L.caption_only = _role_caption(L)
        L.caption_suffix = (
            L.caption_role is not None and not L.zh and en.ROLE_SUFFIX.search(upper_same(fold(L.text))) is not None
        )
    _assign_blocks(ls)
    _block_rules(ls)
    _neighbour_rules(ls)
    _sandwiched(ls)
    _stub_rules(ls)
    leftover_rules(ls)
    _form_wording(ls)
    # Western labels: a caption-less block above the recipient's caption is the return address (sender)
    if not is_zh:
        rc = [L for L in ls if L.caption_role == Role.RECIPIENT]
        if rc and not any(L.caption_role == Role.SENDER for L in ls):
            top = min(L.y0 for L in rc)
            for L in ls:
                if L.block is None and L.y1 <= top:
                    L.hits = [
                        replace(h, role=Role.SENDER)
                        if h.sensitive and h.role == Role.UNKNOWN and h.category not in _PARCEL
                        else h
                        for h in L.hits
                    ]
    # roles for lines outside blocks come from their own captions; low-confidence lines full of digits
    for L in ls:
        if L.block is None and L.line.score < 0.35:
            rest = _meaningful(_uncovered(L.text, _sensitive(L.hits)))
            if sum(c.isdigit() for c in rest) >= 5:
                L.hits = _add(
                    [h for h in L.hits if not h.sensitive] + _sensitive(L.hits),
                    Hit(
                        0,
                        len(L.text),
                        Category.UNREADABLE,
                        "low_confidence_digits",
                        priority=0,
                        score=L.line.score,
                    ),
                    L.text,
                )
    return _to_fields(ls)


# ----------------------------------------------------------------------------------------------- symbols
def symbol_fields(lines: Sequence[TextLine], symbols: Sequence[Symbol], fields: list[Field]) -> list[Field]:
    out = list(fields)
    for si, sym in enumerate(symbols):
        cat = Category.QRCODE if sym.is_2d else Category.BARCODE
        rule = ("symbol_2d" if sym.is_2d else "symbol_1d") if sym.decoded else "symbol_undecoded"
        out.append(
            Field(
                category=cat,
                role=Role.UNKNOWN,
                symbols=(si,),
                score=float(sym.score),
                rule=rule,
                value=sym.payload,
            )
        )
        pay = compact(sym.payload) if sym.decoded else ""
        if len(pay) < 6:
            continue
        for li, line in enumerate(lines):
            comp, comp_map = compact_map(line.text)
            if len(comp) < 6 or en.ROUTING.match(upper_same(fold(line.text))):
                continue  # a routing code printed as text and as a postal barcode: the text is kept
            # the longest digit/letter run of the line that is a part of the payload (or holds it)
            span = None
            pos = comp.find(pay)
            if pos >= 0:
                span = (pos, pos + len(pay))
            else:
                for m in re.finditer(r"[A-Z0-9]{6,}", comp):
                    tok = m.group(0)
                    if len(tok) >= 8 and tok in pay and sum(c.isdigit() for c in tok) >= 6:
                        span = (m.start(), m.end())
                        break
            if span is None:
                continue
            s, e = comp_map[span[0]], comp_map[span[1] - 1] + 1
            merged = False
            for fi, f in enumerate(out):
                if f.category == Category.TRACKING_NUMBER and any(
                    sp.line == li and sp.start <= s and sp.end >= e - 1 for sp in f.spans
                ):
                    out[fi] = replace(
                        f, symbols=tuple(sorted(set(f.symbols) | {si})), rule=f.rule + "+symbol"
                    )
                    merged = True
                    break
            if merged:
                continue
            # it may overlap a field of another category (a 12-digit run read as a phone): keep both
            out.append(
                Field(
                    category=Category.TRACKING_NUMBER,
                    role=Role.UNKNOWN,
                    spans=(Span(li, s, e),),
                    symbols=(si,),
                    score=0.95,
                    rule="repeats_symbol",
                    value=line.text[s:e],
                )
            )
    return out


def _symbol_neighbours(lines: Sequence[TextLine], symbols: Sequence[Symbol], fields: Sequence[Field]) -> list[Field]:
    """Short codes printed beside a 2-D symbol: that symbol's id (see ``leftover``)."""
    taken: dict[int, list[tuple[int, int]]] = {}
    for f in fields:
        if f.sensitive:
            for sp in f.spans:
                taken.setdefault(sp.line, []).append((sp.start, sp.end))

    def kept(text: str) -> list[Hit]:
        return _scan(text, has_cjk(text))

    out = []
    for li, s, e in symbol_neighbour_spans(lines, symbols, taken, kept):
        s, e = _trim(lines[li].text, s, e)
        if e > s:
            out.append(Field(category=Category.TRACKING_NUMBER, role=Role.UNKNOWN, spans=(Span(li, s, e),),
                             score=0.6, rule="code_beside_symbol", value=lines[li].text[s:e]))
    return out


def classify_lines(lines: Sequence[TextLine], symbols: Sequence[Symbol] = ()) -> list[Field]:
    fields: list[Field] = []
    try:
        for idx, angle in layout_groups(lines):
            fields.extend(classify_label(lines, idx, angle))
        fields = symbol_fields(lines, symbols, fields)
        fields += _symbol_neighbours(lines, symbols, fields)
    finally:
        _forget()
    if log.isEnabledFor(logging.DEBUG):
        counts: dict[str, int] = {}
        for f in fields:
            if f.sensitive:
                counts[f.category.value] = counts.get(f.category.value, 0) + 1
        log.debug("classified %d lines, %d symbols: %s", len(lines), len(symbols), counts)  # counts only
    return fields


def _forget() -> None:
    """Drop the per-string memos: recognised text must not outlive the call that needed it."""
    from . import text as _text

    _scan_cached.cache_clear()
    _text.digitize.cache_clear()
    _text.compact_map.cache_clear()
    zh.address_score.cache_clear()
