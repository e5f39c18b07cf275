"""Hits: one detection inside one string, the resolution of overlapping hits, and span helpers."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ...types import Category, Role


@dataclass(frozen=True)
class Hit:
    """One detection inside one string: ``text[start:end]``."""

    start: int
    end: int
    category: Category
    rule: str
    sensitive: bool = True
    role: Role = Role.UNKNOWN
    score: float = 0.9
    priority: int = 50

    def overlaps(self, other: Hit) -> bool:
        return self.start < other.end and other.start < self.end

    def as_tuple(self) -> tuple[int, int, Category, str]:
        return (self.start, self.end, self.category, self.rule)


def resolve(hits: Iterable[Hit], text: str = "") -> list[Hit]:
    """Keep the best non-overlapping hits (priority, then length).

    Privacy first: a rejected *sensitive* hit that reaches beyond the accepted ones keeps its uncovered
    remainder when that remainder still holds at least 3 letters/digits."""
    ordered = sorted(hits, key=lambda h: (-h.priority, -(h.end - h.start), h.start))
    accepted: list[Hit] = []
    for h in ordered:
        clash = [a for a in accepted if a.overlaps(h)]
        if not clash:
            accepted.append(h)
            continue
        if not h.sensitive or not text:
            continue
        # uncovered remainders of a sensitive hit
        pieces = [(h.start, h.end)]
        for a in clash:
            nxt = []
            for s, e in pieces:
                if a.end <= s or a.start >= e:
                    nxt.append((s, e))
                    continue
                if s < a.start:
                    nxt.append((s, a.start))
                if a.end < e:
                    nxt.append((a.end, e))
            pieces = nxt
        for s, e in pieces:
            seg = text[s:e]
            if sum(ch.isalnum() for ch in seg) >= 3:
                s2 = s + (len(seg) - len(seg.lstrip(" -:")))
                e2 = e - (len(seg) - len(seg.rstrip(" -:")))
                if e2 > s2 and not any(a.start < e2 and s2 < a.end for a in accepted):
                    accepted.append(
                        Hit(
                            s2,
                            e2,
                            h.category,
                            h.rule + "+rest",
                            h.sensitive,
                            h.role,
                            h.score * 0.9,
                            h.priority,
                        )
                    )
    return sorted(accepted, key=lambda h: (h.start, h.end))


def merge_adjacent(
    hits: Sequence[Hit], text: str, categories=(Category.ADDRESS, Category.NAME), joiners: str = " ,;"
) -> list[Hit]:
    """Join hits of the same category separated only by spaces/commas (one street line, one name)."""
    out: list[Hit] = []
    for h in sorted(hits, key=lambda h: h.start):
        if (
            out
            and h.sensitive
            and out[-1].sensitive
            and h.category == out[-1].category
            and h.category in categories
            and h.start >= out[-1].end
            and all(c in joiners for c in text[out[-1].end : h.start])
        ):
            p = out[-1]
            out[-1] = Hit(
                p.start,
                h.end,
                p.category,
                p.rule,
                True,
                p.role if p.role != Role.UNKNOWN else h.role,
                max(p.score, h.score),
                max(p.priority, h.priority),
            )
        else:
            out.append(h)
    return out


def line_has(pattern: re.Pattern, text: str) -> bool:
    """Whether ``pattern`` occurs in ``text``."""
    return pattern.search(text) is not None


def trim_span(text: str, start: int, end: int, chars: str = " \t:：,，;；|") -> tuple[int, int]:
    """The span without ``chars`` at its ends."""
    while start < end and text[start] in chars:
        start += 1
    while end > start and text[end - 1] in chars:
        end -= 1
    return start, end


def gaps(length: int, taken: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The character ranges of [0, length) not covered by ``taken``."""
    out = []
    pos = 0
    for s, e in sorted(taken):
        if s > pos:
            out.append((pos, s))
        pos = max(pos, e)
    if pos < length:
        out.append((pos, length))
    return out


def first_match(patterns: Sequence[re.Pattern], text: str) -> re.Match | None:
    """The first match of the first pattern that occurs in ``text``."""
    for p in patterns:
        m = p.search(text)
        if m:
            return m
    return None
