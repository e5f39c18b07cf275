"""The report: categories, roles, polygons, scores, styles, check results, timings.

Personal values appear only when ``reveal=True`` is asked for explicitly. The shape of ``to_dict()`` is
defined once, by the pydantic models in :mod:`redact.schema`; ``redact/schema/report.schema.json`` is
generated from them (``python -m redact.schema``) and the service's OpenAPI uses them. ``to_dict`` builds the
plain dict itself (no pydantic on the core path); ``tests/test_schema.py`` proves every key here is a field
there, in the same order, and that every report validates against both.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence

from .types import CheckResult, Field, Mask, PhotoMeta, Polygon, Symbol

SCHEMA_VERSION = "1.0"


def _poly(p: Polygon) -> List[List[float]]:
    return [[round(float(x), 1), round(float(y), 1)] for x, y in p]


@dataclass(repr=False)
class Report:
    source: str
    width: int
    height: int
    fields: Sequence[Field] = ()
    masks: Sequence[Mask] = ()
    symbols: Sequence[Symbol] = ()
    labels: int = 0
    lines: int = 0
    style: str = ""
    check: Optional[CheckResult] = None
    meta: Optional[PhotoMeta] = None
    metadata_dropped: Sequence[str] = ()
    timings: Dict[str, float] = field(default_factory=dict)
    status: str = "ok"  # "ok" | "failed"
    error: str = ""
    engines: Dict[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:  # no value, ever: an integrator may log a report
        return (f"Report(source={self.source!r}, {self.width}x{self.height}, status={self.status!r}, "
                f"fields={len(self.fields)}, masks={len(self.masks)}, symbols={len(self.symbols)}, "
                f"masked={self.masked_counts()})")

    def masked_counts(self) -> Dict[str, int]:
        """Fields that are masked (some mask covers them), per category: what the output no longer shows."""
        masked = {i for m in self.masks for i in m.fields}
        out: Dict[str, int] = {}
        for i, f in enumerate(self.fields):
            if i in masked:
                out[f.category.value] = out.get(f.category.value, 0) + 1
        return out

    def counts(self) -> Dict[str, int]:
        """Sensitive fields found, per category (masked or kept by the policy)."""
        out: Dict[str, int] = {}
        for f in self.fields:
            if f.sensitive:
                out[f.category.value] = out.get(f.category.value, 0) + 1
        return out

    def to_dict(self, reveal: bool = False) -> Dict[str, Any]:
        fields = []
        for i, f in enumerate(self.fields):
            d: Dict[str, Any] = {
                "id": i,
                "category": f.category.value,
                "role": f.role.value,
                "sensitive": f.sensitive,
                "masked": any(i in m.fields for m in self.masks),
                "score": round(float(f.score), 3),
                "source": "symbol" if f.symbols and not f.spans else ("text+symbol" if f.symbols else "text"),
                "rule": f.rule,
                "polygons": [_poly(p) for p in f.polygons],
            }
            if reveal:
                d["value"] = f.value
            fields.append(d)
        symbols = []
        for s in self.symbols:
            d = {"format": s.format, "decoded": s.decoded, "polygon": _poly(s.polygon), "engine": s.engine}
            if reveal:
                d["payload"] = s.payload
            symbols.append(d)
        out: Dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "source": self.source,
            "status": self.status,
            "width": self.width,
            "height": self.height,
            "style": self.style,
            "labels": self.labels,
            "lines": self.lines,
            "counts": self.counts(),
            "fields": fields,
            "masks": [
                {"id": i, "category": m.category.value, "fields": list(m.fields), "source": m.source,
                 "polygon": _poly(m.polygon)}
                for i, m in enumerate(self.masks)
            ],
            "symbols": symbols,
            "metadata_dropped": list(self.metadata_dropped),
            "timings": {k: round(v, 4) for k, v in self.timings.items()},
            "engines": dict(self.engines),
            "values_revealed": bool(reveal),
        }
        if self.check is not None:
            out["check"] = {
                "rounds": self.check.rounds,
                "readable_after": self.check.readable_after,
                "widened": self.check.widened,
                "passed": self.check.passed,
            }
        if self.error:
            out["error"] = self.error
        return out

    def to_json(self, reveal: bool = False, **kw: Any) -> str:
        return json.dumps(self.to_dict(reveal=reveal), ensure_ascii=False, **kw)
