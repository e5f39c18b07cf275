"""From per-line hits to fields: one field per hit, and one multi-span field per address block (or per run of
wrapped address lines)."""

from __future__ import annotations

from dataclasses import replace

from ...types import Category, Field, Role, Span
from .hits import Hit
from .lines import Line, trim_value


def to_fields(ls: list[Line]) -> list[Field]:
    """The fields of a label's lines: one per hit (trimmed), one per address block with a span per line."""
    fields: list[Field] = []
    # addresses of one block (or of consecutive wrapped lines) become one field with one span per line
    addr_groups: dict[tuple, list[tuple[Line, Hit]]] = {}
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
            s, e = trim_value(L.text, h.start, h.end)
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
            (L, replace(h, start=trim_value(L.text, h.start, h.end)[0], end=trim_value(L.text, h.start, h.end)[1]))
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
