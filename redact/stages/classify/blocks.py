"""Persons' blocks: the lines beside and below a role caption belong to it until the next caption, a
column edge, a vertical gap or a line of another kind; everything personal-looking in a block takes the
caption's role, and leftover text in it is that person's name (short, first) or address."""

from __future__ import annotations

import re
from dataclasses import replace

from ...types import Category, Role
from . import en
from . import forms
from . import zh
from .captions import foreign_caption
from .hits import Hit
from .lines import NAMEISH_EN, NAMEISH_ZH, PARCEL, Line, add_hit, meaningful, scan, sensitive_hits, uncovered
from .text import fold, upper_same

LOW_SCORE = 0.5  # lines read with less confidence than this inside a person's block are masked whole


def assign_blocks(ls: list[Line]) -> None:
    """Give every line the caption whose block it stands in (``block``) and that caption's role: the lines on
    a caption's row to its right, then the lines below it down to the first gap, column edge, other caption or
    line of another kind."""
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
                and not foreign_caption(L.text)
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
            if foreign_caption(L.text):
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


def block_rules(ls: list[Line]) -> None:
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
            left = meaningful(
                uncovered(
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
                hits = scan(L.text, L.zh, in_block=True)
                soft = ("block_address", "block_text")
                rest = uncovered(
                    L.text,
                    [
                        h
                        for h in hits
                        if (h.sensitive and h.rule not in soft) or h.rule in ("caption", "address_caption")
                    ],
                )
                core = meaningful(rest)
                if L.zh:
                    if (
                        core
                        and NAMEISH_ZH.match(rest)
                        and not zh.looks_like_address(core)
                        and not zh.form_term(core)
                        and not any(h.category == Category.NAME for h in hits)
                    ):
                        s = len(rest) - len(rest.lstrip())
                        e = len(rest.rstrip())
                        hits = [h for h in hits if not (h.start < e and s < h.end and h.rule in soft)]
                        hits = add_hit(
                            hits, Hit(s, e, Category.NAME, "block_name", priority=60, score=0.75), L.text
                        )
                else:
                    street = en.looks_like_street(L.text) or en.looks_like_city_line(L.text)
                    seen_street = seen_street or street
                    if not seen_street and core and NAMEISH_EN.match(L.text) and not en.is_country(L.text):
                        s = len(L.text) - len(L.text.lstrip())
                        hits = add_hit(
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
                core = meaningful(uncovered(L.text, sensitive_hits(hits)))
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
                if h.sensitive and h.role == Role.UNKNOWN and h.category not in PARCEL
                else h
                for h in hits
            ]


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


def return_address_above(ls: list[Line]) -> None:
    """Western labels: a caption-less block above the recipient's caption is the return address (sender)."""
    rc = [L for L in ls if L.caption_role == Role.RECIPIENT]
    if rc and not any(L.caption_role == Role.SENDER for L in ls):
        top = min(L.y0 for L in rc)
        for L in ls:
            if L.block is None and L.y1 <= top:
                L.hits = [
                    replace(h, role=Role.SENDER)
                    if h.sensitive and h.role == Role.UNKNOWN and h.category not in PARCEL
                    else h
                    for h in L.hits
                ]
