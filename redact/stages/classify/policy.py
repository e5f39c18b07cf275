"""Which fields to mask: categories x roles, the allow list (never masked) and the deny list (always)."""

from __future__ import annotations

from collections.abc import Sequence

from ...config import Policy
from ...types import Category, Field, Role, Span, TextLine
from .text import fold, lower_same


def _norm(s: str) -> str:
    return "".join(fold(s).lower().split())


def _deny_fields(lines: Sequence[TextLine], deny: Sequence[str]) -> list[Field]:
    """Every occurrence of a deny literal in the lines (case and width insensitive, spaces kept as read)."""
    out: list[Field] = []
    for li, line in enumerate(lines):
        F = lower_same(fold(line.text))
        # positions of non-space characters, to match literals whatever the spacing read by the OCR
        pos = [k for k, c in enumerate(F) if not c.isspace()]
        flat = "".join(F[k] for k in pos)
        for d in deny:
            start = flat.find(d)
            while start >= 0:
                s, e = pos[start], pos[start + len(d) - 1] + 1
                out.append(
                    Field(
                        Category.OTHER,
                        Role.UNKNOWN,
                        spans=(Span(li, s, e),),
                        score=1.0,
                        rule="deny_list",
                        sensitive=True,
                        value=line.text[s:e],
                    )
                )
                start = flat.find(d, start + 1)
    return out


def apply_policy(
    fields: Sequence[Field], policy: Policy, lines: Sequence[TextLine] | None = None
) -> list[Field]:
    """The fields to mask.

    - a sensitive field is masked when its category is in ``policy.categories`` and its role in
      ``policy.roles``;
    - a field whose text lies entirely within an ``allow`` literal is never masked (for a multi-line field,
      only the allowed lines are left out);
    - a field whose text contains a ``deny`` literal is always masked (deny beats allow), and, when the
      ``lines`` are given, every occurrence of a deny literal in them becomes a masked field too.
    """
    cats = {str(getattr(c, "value", c)) for c in policy.categories}
    roles = {str(getattr(r, "value", r)) for r in policy.roles}
    allow = [a for a in (_norm(x) for x in policy.allow) if a]
    deny = [d for d in (_norm(x) for x in policy.deny) if d]
    out: list[Field] = []
    for f in fields:
        v = _norm(f.value)
        if deny and v and any(d in v for d in deny):
            out.append(f)
            continue
        if not f.sensitive:
            continue
        if f.category.value not in cats or f.role.value not in roles:
            continue
        if allow and v:
            if any(v in a for a in allow):
                continue
            if len(f.spans) > 1 and lines is not None:
                keep = tuple(
                    sp
                    for sp in f.spans
                    if not any(_norm(lines[sp.line].text[sp.start : sp.end]) in a for a in allow)
                )
                if not keep and not f.symbols:
                    continue
                # partly allowed: the field stays whole (callers select fields by identity)
            elif len(f.spans) > 1:
                parts = [p for p in f.value.split("\n") if _norm(p)]
                if parts and all(any(_norm(p) in a for a in allow) for p in parts):
                    continue
        out.append(f)
    if deny and lines is not None:
        covered = {(sp.line, sp.start, sp.end) for f in out for sp in f.spans}
        for f in _deny_fields(lines, deny):
            sp = f.spans[0]
            if not any(c[0] == sp.line and c[1] <= sp.start and c[2] >= sp.end for c in covered):
                out.append(f)
    return out
