"""Neighbour rules: what a line is, from the personal lines beside, above and below it.

Each rule is one function over the label's lines; ``neighbour_rules`` runs them in their fixed order, and
``sandwiched`` (a badly read line between two lines of one address block) runs after them."""

from __future__ import annotations

import re

from ...types import Category, Role
from . import en
from . import forms
from . import zh
from .captions import foreign_caption
from .hits import Hit, resolve
from .lines import (
    NAMEISH_EN,
    NAMEISH_ZH,
    Line,
    add_hit,
    meaningful,
    same_row,
    scan,
    sensitive_hits,
    uncovered,
)
from .text import fold, has_cjk, upper_same



def _mark_rest(L: Line, rest: str, category: Category, rule: str, role: Role, priority: int, score: float) -> None:
    """Add a hit over ``rest`` (the line's text with what is already claimed blanked out), trimmed."""
    s = len(rest) - len(rest.lstrip())
    L.hits = add_hit(L.hits, Hit(s, len(rest.rstrip()), category, rule, role=role, priority=priority, score=score),
                     L.text)

def neighbour_rules(ls: list[Line]) -> None:
    """Names beside phones (separate OCR boxes), values beside caption boxes, wrapped addresses, address
    pieces on one row, names above street lines and the lines stacked on a Western address, in this order."""
    names_beside_phones(ls)
    values_beside_caption_boxes(ls)
    wrapped_addresses(ls)
    address_pieces(ls)
    names_above_streets(ls)
    address_blocks_above(ls)


def _reading_order(ls: list[Line]) -> list[int]:
    return sorted(range(len(ls)), key=lambda j: (ls[j].y0, ls[j].x0))


def names_beside_phones(ls: list[Line]) -> None:
    """A short name-like line on a phone's row, beside it (a separate OCR box): the phone's owner."""
    for i, P in enumerate(ls):
        if not any(h.category == Category.PHONE and h.sensitive for h in P.hits):
            continue
        for j, L in enumerate(ls):
            if j == i or not same_row(P, L):
                continue
            dist = (P.x0 - L.x1) if L.x1 <= P.x0 + P.h else (L.x0 - P.x1)
            if dist < -P.h or dist > 8 * P.h:
                continue
            rest = uncovered(L.text, sensitive_hits(L.hits) + [h for h in L.hits if h.rule == "caption"])
            if (
                L.zh
                and NAMEISH_ZH.match(rest)
                and meaningful(rest)
                and not any(h.category == Category.NAME for h in L.hits)
            ):
                core = meaningful(rest)
                if core not in zh.NOT_NAMES and not zh.looks_like_address(core) and not zh.form_term(core):
                    _mark_rest(L, rest, Category.NAME, "name_beside_phone", P.role, 60, 0.7)


def values_beside_caption_boxes(ls: list[Line]) -> None:
    """A caption read as its own line ("邮编：" | "310012", "TEL:" | "212 555 0123"): read the value with it."""
    for A in ls:
        F = fold(A.text).rstrip()
        if not F.endswith(":") or len(F) > 24:
            continue
        for B in ls:
            if B is A or not same_row(A, B) or B.zh != A.zh:
                continue
            gap = B.x0 - A.x1
            if gap < -0.5 * A.h or gap > 3 * max(A.h, B.h) or sensitive_hits(B.hits):
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
                for h in scan(joined, B.zh, in_block=B.block is not None)
                if h.sensitive and h.start >= off
            ]
            if new:
                B.hits = resolve(B.hits + new, fold(B.text))


def wrapped_addresses(ls: list[Line]) -> None:
    """An address that wraps: the line just under an address line, aligned with it, continues it."""
    order = _reading_order(ls)
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
            rest = uncovered(B.text, [h for h in B.hits if h.sensitive or h.rule == "caption"])
            core = meaningful(rest)
            if not core or len(core) > 40:
                continue
            if A.zh:
                if (
                    zh.form_term(core)
                    or zh.HUB.search(core)
                    or not has_cjk(core)
                    and not re.search(r"\d", core)
                ):
                    continue
            else:
                if en.KEEP_WORDS.search(core.upper()):
                    continue
            _mark_rest(B, rest, Category.ADDRESS, "address_wrap", A.role, 5, 0.6)
            if B.role == Role.UNKNOWN:
                B.role = A.role
            break


def address_pieces(ls: list[Line]) -> None:
    """An address split by the reader into pieces on one row (curved labels, wide gaps): the pieces beside it."""
    for A in ls:
        if not any(h.category == Category.ADDRESS and h.sensitive for h in A.hits):
            continue
        for B in ls:
            if B is A or not same_row(A, B) or B.zh != A.zh:
                continue
            gap = B.x0 - A.x1 if B.x0 >= A.x1 - 0.5 * A.h else A.x0 - B.x1
            if gap < -0.5 * A.h or gap > 1.5 * max(A.h, B.h):
                continue
            rest = uncovered(B.text, [h for h in B.hits if h.sensitive or h.rule == "caption"])
            core = meaningful(rest)
            if not core or len(core) > 40 or B.caption_role is not None or foreign_caption(B.text):
                continue
            if A.zh and (zh.form_term(core) or zh.HUB.search(core)):
                continue
            if not A.zh and en.KEEP_WORDS.search(core.upper()):
                continue
            _mark_rest(B, rest, Category.ADDRESS, "address_piece", A.role, 5, 0.6)


def names_above_streets(ls: list[Line]) -> None:
    """A name-like line just above a street line is a name (a company line between them is kept)."""
    order = _reading_order(ls)
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
            if sensitive_hits(A.hits) or A.caption_role is not None:
                break
            if en.is_business(A.text) and NAMEISH_EN.match(A.text):
                B = A  # a company line between a name and its street: kept, the name is above it
                continue
            if (
                NAMEISH_EN.match(A.text)
                and not en.KEEP_WORDS.search(A.text.upper())
                and not en.is_country(A.text)
            ):
                s = len(A.text) - len(A.text.lstrip())
                A.hits = add_hit(
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


def address_blocks_above(ls: list[Line]) -> None:
    """A Western address block upwards: the lines stacked on an address line (street, name, company) belong to
    the same person, read well or not (a blurred street line matches no street pattern); up to three lines,
    stopping at a caption, label wording or a country."""
    order = _reading_order(ls)
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
            if B.caption_role is not None or foreign_caption(B.text):
                break
            if not sensitive_hits(B.hits):
                rest = uncovered(B.text, [h for h in B.hits if h.rule == "caption"])
                core = meaningful(rest)
                if not core or len(core) > 40 or en.KEEP_WORDS.search(B.text.upper()) or en.is_country(B.text):
                    break
                s0 = len(rest) - len(rest.lstrip())
                B.hits = add_hit(B.hits, Hit(s0, len(rest.rstrip()), Category.ADDRESS, "address_block_above",
                                          role=A.role, priority=4, score=0.55), B.text)
                if B.role == Role.UNKNOWN:
                    B.role = A.role
            top, n = B, n + 1
            if n >= 3:
                break


def sandwiched(ls: list[Line]) -> None:
    """A line read badly (blurred, creased) between two lines of one person's address block is part of it:
    a line with nothing personal found whose neighbours just above and just below, aligned with it, are that
    person's name or address lines."""
    def personal(L: Line) -> Role | None:
        for h in L.hits:
            if h.sensitive and h.category in (Category.NAME, Category.ADDRESS):
                return h.role
        return None

    for B in ls:
        if B.zh or sensitive_hits(B.hits) or B.caption_role is not None or foreign_caption(B.text):
            continue
        core = meaningful(B.text)
        if len(core) < 3 or en.KEEP_WORDS.search(upper_same(B.text)) or forms.is_caption_only(B.text):
            continue
        near = [A for A in ls if A is not B and not A.zh and abs(A.x0 - B.x0) < 3 * max(A.h, B.h)]
        above = [A for A in near if 0 < B.yc - A.yc < 1.6 * max(A.h, B.h) and personal(A) is not None]
        below = [C for C in near if 0 < C.yc - B.yc < 1.6 * max(C.h, B.h) and personal(C) is not None]
        if not above or not below:
            continue
        roles = {personal(A) for A in above + below} - {Role.UNKNOWN}
        role = roles.pop() if len(roles) == 1 else Role.UNKNOWN
        s = len(B.text) - len(B.text.lstrip())
        B.hits = add_hit(B.hits, Hit(s, len(B.text.rstrip()), Category.ADDRESS, "between_block_lines", role=role,
                                  priority=4, score=0.55), B.text)
