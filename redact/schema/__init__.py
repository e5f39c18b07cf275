"""The report's one definition: pydantic models of the JSON that ``Report.to_dict()`` gives.

Every name, type, optionality and constraint of a report lives here, and only here:

- the JSON Schema file next to this module, ``report.schema.json``, is generated from these models
  (``python -m redact.schema`` writes it; ``python -m redact.schema --check`` fails when it is stale, and so
  does ``tests/test_schema.py``);
- the HTTP service's response models (``redact.service.models``) are these classes, so its OpenAPI schema
  documents the same report.

``Report.to_dict()`` (``redact/report.py``) still builds the plain dict itself: the core package does not
depend on pydantic (it comes with the ``serve`` extra), and the hot path stays a few dict literals. The tests
prove the two agree: every report the pipeline gives validates against these models and the generated
schema, in the models' key order.

Validate a report with :func:`validate_report` (strict, as the JSON text a surface prints). Personal values
(``FieldModel.value``, ``SymbolModel.payload``) are absent, never null, unless ``values_revealed`` is true.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.json_schema import GenerateJsonSchema, SkipJsonSchema

from ..types import Category, Role, Style

__all__ = [
    "SCHEMA_PATH", "CheckModel", "FieldModel", "MaskModel", "ReportModel", "SymbolModel", "json_schema",
    "schema_text", "validate_report",
]

SCHEMA_PATH = Path(__file__).with_name("report.schema.json")
SCHEMA_ID = "https://parcel-redact.invalid/schema/report.schema.json"
SCHEMA_TITLE = "parcel-redact report"

Point = tuple[float, float]
Polygon = Annotated[
    list[Point],
    Field(min_length=1, description="Points [x, y] in photo pixel coordinates (after EXIF orientation)."),
]
NonNegInt = Annotated[int, Field(ge=0)]
# the render styles (redact.types.Style), and "" for analyze (nothing rendered)
StyleName = Literal[("",) + tuple(s.value for s in Style)]  # type: ignore[valid-type]


def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def absent(description: str) -> Any:
    """A key that is either absent or set, never null: the schema shows its type only, no default."""
    return Field(None, description=description, json_schema_extra=_no_default)


def _not_null(v: Any) -> Any:
    if v is None:
        raise ValueError("absent or set, never null")
    return v


class _Model(BaseModel):
    # strict: a report is JSON; validate its text (validate_report), not a Python dict with enums in it
    model_config = ConfigDict(extra="forbid", strict=True)


class FieldModel(_Model):
    id: NonNegInt
    category: Category
    role: Role
    sensitive: bool
    masked: bool
    score: Annotated[float, Field(ge=0, le=1)]
    source: Literal["text", "symbol", "text+symbol"]
    rule: str = Field(description="Which rule fired; never a personal value.")
    polygons: list[Polygon]
    value: str | SkipJsonSchema[None] = absent(
        "The personal value: only with values_revealed (reveal=true, where allowed)."
    )

    _value_not_null = field_validator("value", mode="before")(_not_null)


class MaskModel(_Model):
    id: NonNegInt
    category: Category
    fields: list[NonNegInt]
    source: Literal["auto", "user"]
    polygon: Polygon


class SymbolModel(_Model):
    format: str
    decoded: bool
    polygon: Polygon
    engine: str
    payload: str | SkipJsonSchema[None] = absent(
        "The decoded payload: only with values_revealed (reveal=true, where allowed)."
    )

    _payload_not_null = field_validator("payload", mode="before")(_not_null)


class CheckModel(_Model):
    """What the post-render self-check did (re-read masked regions; widen/harden; fail closed)."""

    rounds: NonNegInt
    readable_after: NonNegInt
    widened: NonNegInt
    passed: bool


# what the models' own validators check, written for the JSON Schema too (and so for OpenAPI)
_RULES = [
    {
        "if": {"properties": {"values_revealed": {"const": False}}},
        "then": {
            "properties": {
                "fields": {"items": {"not": {"required": ["value"]}}},
                "symbols": {"items": {"not": {"required": ["payload"]}}},
            }
        },
    },
    {
        "if": {"properties": {"status": {"const": "failed"}}, "required": ["status"]},
        "then": {"required": ["error"]},
    },
]


class ReportModel(_Model):
    """What parcel-redact found and masked in one photo: categories, roles, polygons, scores, style,
    self-check result, metadata dropped and timings. Returned by every surface (Report.to_dict(), CLI --json,
    HTTP API, batch). Personal values (field 'value', symbol 'payload') appear only when values_revealed is
    true."""

    model_config = ConfigDict(json_schema_extra={"allOf": _RULES})

    # in the order Report.to_dict() writes them
    schema_version: str = Field(pattern=r"^1\.[0-9]+$")
    source: str = Field(description="The input's name (file name), or empty.")
    status: Literal["ok", "failed"]
    width: NonNegInt
    height: NonNegInt
    style: StyleName = Field(description="Empty for analyze (nothing rendered).")
    labels: NonNegInt = Field(description="Labels / text regions found.")
    lines: NonNegInt = Field(description="Text lines read.")
    counts: dict[Category, Annotated[int, Field(ge=1)]] = Field(description="Sensitive fields per category.")
    fields: list[FieldModel]
    masks: list[MaskModel]
    symbols: list[SymbolModel]
    metadata_dropped: list[Annotated[str, Field(max_length=64)]] = Field(
        description="Names of the metadata the output no longer carries (never their values).",
        json_schema_extra={"uniqueItems": True},
    )
    timings: dict[str, Annotated[float, Field(ge=0)]] = Field(
        description="Seconds per stage (load, locate, read, symbols, classify, plan, render, check, encode, "
        "total, ...)."
    )
    engines: dict[str, str]
    values_revealed: bool
    check: CheckModel | SkipJsonSchema[None] = absent("Present when the self-check ran.")
    error: str | SkipJsonSchema[None] = absent(
        "One line, no personal value; present when status is failed."
    )

    _check_not_null = field_validator("check", "error", mode="before")(_not_null)

    @field_validator("metadata_dropped")
    @classmethod
    def _unique(cls, v: list[str]) -> list[str]:
        if len(set(v)) != len(v):
            raise ValueError("names must be unique")
        return v

    @model_validator(mode="after")
    def _rules(self) -> ReportModel:
        if not self.values_revealed and (any(f.value is not None for f in self.fields)
                                         or any(s.payload is not None for s in self.symbols)):
            raise ValueError("a personal value without values_revealed")
        if self.status == "failed" and self.error is None:
            raise ValueError("a failed report says why (error)")
        return self


def validate_report(report: Mapping[str, Any] | str | bytes) -> ReportModel:
    """The report (a ``to_dict()`` dict or its JSON text) as a model; raises pydantic.ValidationError."""
    text = report if isinstance(report, (str, bytes)) else json.dumps(report, ensure_ascii=False)
    return ReportModel.model_validate_json(text)


class _Generate(GenerateJsonSchema):
    def field_title_should_be_set(self, schema: Any) -> bool:  # names are titles enough
        return False


_TOP_ORDER = ("$schema", "$id", "title", "description", "type", "required", "additionalProperties",
              "properties", "allOf", "$defs")


def json_schema() -> dict[str, Any]:
    """The report's JSON Schema (draft 2020-12), generated from :class:`ReportModel`."""
    s = ReportModel.model_json_schema(schema_generator=_Generate)
    for d in s.get("$defs", {}).values():
        d.pop("title", None)
    s.pop("title", None)
    s.update({"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID,
              "title": SCHEMA_TITLE})
    return {k: s[k] for k in sorted(s, key=lambda k: _TOP_ORDER.index(k) if k in _TOP_ORDER else 99)}


def schema_text() -> str:
    """The text of ``report.schema.json``: what :func:`json_schema` gives, formatted."""
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
