"""The layout's line model: one recognised line with its box in the layout frame, its hits, its caption
and block, and the small helpers every layout rule shares (scan, uncovered text, adding a hit, rows)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from ...types import Category, Role, TextLine
from . import en
from . import zh
from .hits import Hit, resolve
from .text import fold


@dataclass
class Line:
    """One recognised line as the layout rules see it; the rules rewrite ``hits``, ``block`` and ``role``."""

    idx: int  # index in the photo's lines
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


@lru_cache(maxsize=4096)
def scan_cached(text: str, is_zh: bool, in_block: bool) -> tuple[Hit, ...]:
    """The locale scanner's hits, memoised for one classify call (``layout._forget`` clears it)."""
    return tuple(zh.scan(text, in_block=in_block) if is_zh else en.scan(text, in_block=in_block))


def scan(text: str, is_zh: bool, in_block: bool = False) -> list[Hit]:
    """The hits of one line by its locale's scanner (``in_block``: the line stands in a person's block)."""
    return list(scan_cached(text, is_zh, in_block))


def sensitive_hits(hits: Sequence[Hit]) -> list[Hit]:
    """The personal ones of ``hits``."""
    return [h for h in hits if h.sensitive]


def uncovered(text: str, hits: Sequence[Hit]) -> str:
    """``text`` with the characters of ``hits`` blanked out (same length)."""
    chars = list(text)
    for h in hits:
        for k in range(h.start, min(h.end, len(chars))):
            chars[k] = " "
    return "".join(chars)


_PUNCT = " \t:：,，;；|/\\-()（）[]【】<>·.。*"


def meaningful(s: str) -> str:
    """``s`` without spaces and punctuation."""
    return "".join(c for c in s if c not in _PUNCT)


# a line that could be a name by its shape alone (Chinese: 1-4 characters, maybe masked; Western: 1-5 words)
NAMEISH_ZH = re.compile(r"^\s*\*{0,2}[\u4e00-\u9fff·]{1,4}\*{0,3}\s*$")
NAMEISH_EN = re.compile(r"^\s*[A-Za-z][A-Za-z.'\-]*(?:[ ,]+[A-Za-z][A-Za-z.'&\-]*){0,4}\s*$")


def add_hit(hits: list[Hit], new: Hit, text: str) -> list[Hit]:
    """``hits`` with ``new`` added, overlaps resolved."""
    return resolve(hits + [new], fold(text))


# categories that belong to the parcel, not to a person: they never take a block's role
PARCEL = (Category.TRACKING_NUMBER, Category.BARCODE, Category.QRCODE)


def same_row(a: Line, b: Line) -> bool:
    """The two lines overlap vertically by at least half the smaller height."""
    lo = max(a.y0, b.y0)
    hi = min(a.y1, b.y1)
    return hi - lo >= 0.5 * min(a.h, b.h)


def trim_value(text: str, s: int, e: int) -> tuple[int, int]:
    """The span ``s:e`` without spaces and separators at its ends."""
    while s < e and text[s] in " \t,，;；:：":
        s += 1
    while e > s and text[e - 1] in " \t,，;；:：":
        e -= 1
    return s, e
