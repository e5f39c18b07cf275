"""Layout: from per-line hits to fields, using where lines stand on the label.

The rules, in the order ``classify_label`` runs them, each in its own module:

- ``groups``: which lines are reasoned about together (one physical label), in which frame;
- ``lines``: the line model every rule reads and writes (box, hits, caption, block, role);
- ``captions``: captions (收件人 / 寄 / SHIP TO / FROM ...) open a person's block; form wording is nobody's;
- ``blocks``: the lines beside and below a caption belong to it until the next caption, a column edge or a
  vertical gap; everything personal-looking in a block takes the caption's role; leftover text in a block is
  that person's name (short, first) or address;
- ``neighbours``: a phone number makes the short line beside it a name; an address that wraps continues on the
  next line; a line above a street line is a name;
- ``stub``: the stub at the bottom of a Chinese waybill repeats the persons: values seen elsewhere on the
  label are matched again;
- ``leftover``: long digit runs and tracking-like tokens no rule claimed;
- ``fields``: hits become fields (an address block one multi-line field);
- ``symbol_fields``: every symbol is a field; text that repeats a symbol's payload is a tracking number tied
  to it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from ...types import Category, Field, Symbol, TextLine
from . import en
from . import forms
from . import text
from . import zh
from .blocks import assign_blocks, block_rules, return_address_above
from .captions import form_wording, role_caption
from .fields import to_fields
from .groups import layout_groups, line_box
from .hits import Hit
from .leftover import leftover_rules
from .lines import Line, add_hit, meaningful, scan, scan_cached, sensitive_hits, uncovered
from .neighbours import neighbour_rules, sandwiched
from .stub import stub_rules
from .symbol_fields import symbol_fields, symbol_neighbours
from .text import fold, has_cjk, upper_same

log = logging.getLogger(__name__)

__all__ = ["classify_label", "classify_lines", "layout_groups", "symbol_fields"]


def classify_label(
    lines: Sequence[TextLine], indices: Sequence[int], angle: float | None = None
) -> list[Field]:
    """The fields of one layout group (``indices`` into ``lines``), in the frame turned by ``-angle`` degrees
    (the label's upright frame when ``angle`` is None)."""
    ls: list[Line] = []
    for i in indices:
        x0, y0, x1, y1, h = line_box(lines[i], angle)
        ls.append(Line(i, lines[i], x0, y0, x1, y1, h))
    if not ls:
        return []
    n_cjk = sum(1 for L in ls if has_cjk(L.text))
    is_zh = n_cjk >= max(1, int(0.15 * len(ls)))
    for L in ls:
        L.zh = is_zh
        L.hits = scan(L.text, is_zh)
        L.caption_role, L.caption_only = role_caption(L)
        L.caption_suffix = (
            L.caption_role is not None and not L.zh and en.ROLE_SUFFIX.search(upper_same(fold(L.text))) is not None
        )
    assign_blocks(ls)
    block_rules(ls)
    neighbour_rules(ls)
    sandwiched(ls)
    stub_rules(ls)
    leftover_rules(ls)
    form_wording(ls)
    if not is_zh:
        return_address_above(ls)
    _low_confidence_digits(ls)
    return to_fields(ls)


def _low_confidence_digits(ls: list[Line]) -> None:
    """Roles for lines outside blocks come from their own captions; a low-confidence line outside any block
    whose uncovered rest holds 5+ digits is unreadable as a whole."""
    for L in ls:
        if L.block is None and L.line.score < 0.35:
            rest = meaningful(uncovered(L.text, sensitive_hits(L.hits)))
            if sum(c.isdigit() for c in rest) >= 5:
                L.hits = add_hit(
                    [h for h in L.hits if not h.sensitive] + sensitive_hits(L.hits),
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


def classify_lines(lines: Sequence[TextLine], symbols: Sequence[Symbol] = ()) -> list[Field]:
    """Every field of the photo's lines and symbols (see ``classify``)."""
    fields: list[Field] = []
    try:
        for idx, angle in layout_groups(lines):
            fields.extend(classify_label(lines, idx, angle))
        fields = symbol_fields(lines, symbols, fields)
        fields += symbol_neighbours(lines, symbols, fields)
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
    scan_cached.cache_clear()
    text.digitize.cache_clear()
    text.compact_map.cache_clear()
    zh.address_score.cache_clear()
    forms.caption_word.cache_clear()
