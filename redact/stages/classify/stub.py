"""The stub: values already known on a label (names, phones, addresses, IDs, postcodes) found again
elsewhere on it (the stub at the bottom of a Chinese waybill, a form's client copy), whole or as long
pieces of an address."""

from __future__ import annotations

from collections.abc import Sequence

from ...types import Category, Role
from . import forms
from .hits import Hit
from .lines import Line, add_hit
from .text import compact, compact_map, has_cjk


def stub_rules(ls: list[Line]) -> None:
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
                        L.hits = add_hit(
                            L.hits, Hit(s, e, cat, "repeated_value", role=role, priority=3, score=0.8), L.text
                        )
                start = comp.find(v, start + 1)


REPEAT_MIN = 8  # characters (letters and digits) a piece shares with a known address or name to be its copy


def _repeated_pieces(ls: list[Line], known: Sequence[tuple[str, Category, Role]]) -> None:
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
                L.hits = add_hit(L.hits, Hit(s, len(L.text.rstrip()), Category.ADDRESS, "repeated_address",
                                          role=role, priority=3, score=0.7), L.text)
                break
