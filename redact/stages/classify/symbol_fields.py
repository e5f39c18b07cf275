"""Symbols as fields: every symbol is a barcode / QR-code field; text that repeats a decoded payload is a
tracking number tied to that symbol; a short code printed beside a 2-D symbol is that symbol's id."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from ...types import Category, Field, Role, Span, Symbol, TextLine
from . import en
from .hits import Hit
from .leftover import symbol_neighbour_spans
from .lines import scan, trim_value
from .text import compact, compact_map, fold, has_cjk, upper_same


def symbol_fields(lines: Sequence[TextLine], symbols: Sequence[Symbol], fields: list[Field]) -> list[Field]:
    """``fields`` plus one field per symbol, and a tracking-number field (tied to the symbol) for text that
    repeats a decoded payload (merged into a tracking number already found there)."""
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


def symbol_neighbours(lines: Sequence[TextLine], symbols: Sequence[Symbol], fields: Sequence[Field]) -> list[Field]:
    """Short codes printed beside a 2-D symbol: that symbol's id (see ``leftover``)."""
    taken: dict[int, list[tuple[int, int]]] = {}
    for f in fields:
        if f.sensitive:
            for sp in f.spans:
                taken.setdefault(sp.line, []).append((sp.start, sp.end))

    def kept(text: str) -> list[Hit]:
        return scan(text, has_cjk(text))

    out = []
    for li, s, e in symbol_neighbour_spans(lines, symbols, taken, kept):
        s, e = trim_value(lines[li].text, s, e)
        if e > s:
            out.append(Field(category=Category.TRACKING_NUMBER, role=Role.UNKNOWN, spans=(Span(li, s, e),),
                             score=0.6, rule="code_beside_symbol", value=lines[li].text[s:e]))
    return out
