"""Classification: which characters of which lines, and which symbols, on a label are personal.

    from redact.stages.classify import classify, apply_policy
    fields = classify(lines, symbols)          # every personal item (+ a few kept ones, sensitive=False)
    selected = apply_policy(fields, policy)    # the ones to mask

Engine-independent (pure Python + stdlib): the rules per locale are in ``zh`` and ``en`` (``find(text)`` gives
the personal items of one string) over the locale-free ``numbers`` and ``checks`` and the line views of
``text``; the layout rules are one module each (``captions``, ``blocks``, ``neighbours``, ``stub``,
``leftover``, ``fields``, ``symbol_fields`` over the line model in ``lines``), run in order by ``layout``; the
policy is in ``policy``. No personal value is ever logged, and no recognised text outlives a call.
"""

from __future__ import annotations

from collections.abc import Sequence

from ...types import Field, Symbol, TextLine
from . import en
from . import zh
from .layout import classify_lines
from .policy import apply_policy
from .checks import mod10_usps_ok, s10_check_ok, ups_check_digit_ok, valid_cn_id


def classify(lines: Sequence[TextLine], symbols: Sequence[Symbol] = ()) -> list[Field]:
    """Every personal item on the labels of one photo, as fields with exact character spans.

    Lines are grouped by ``label_index``; layout reasoning uses each line's ``upright`` polygon (its photo
    polygon when the upright one is missing). Every symbol becomes a barcode/qrcode field, and text repeating a
    decoded payload becomes a tracking-number field tied to that symbol."""
    return classify_lines(lines, symbols)


__all__ = [
    "apply_policy",
    "classify",
    "en",
    "mod10_usps_ok",
    "s10_check_ok",
    "ups_check_digit_ok",
    "valid_cn_id",
    "zh",
]
