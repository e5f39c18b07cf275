"""Typed request/response models for the OpenAPI schema.

The report models are the report's one definition, :mod:`redact.schema` (the same classes generate
``redact/schema/report.schema.json``), so OpenAPI documents exactly what ``Report.to_dict()`` gives."""

from __future__ import annotations

from typing import List, Optional

from pydantic import BaseModel, Field

from ..schema import CheckModel, FieldModel, MaskModel, ReportModel, SymbolModel

__all__ = [
    "CheckModel", "ErrorModel", "FieldModel", "Health", "Limits", "MaskModel", "Ready", "RedactJSON",
    "ReportModel", "SymbolModel",
]


class RedactJSON(BaseModel):
    report_id: str
    format: str = Field(description="JPEG, PNG or WEBP")
    media_type: str
    image_base64: str
    report: ReportModel


class ErrorModel(BaseModel):
    error: str = Field(
        description="a short kind: unreadable, unsupported_format, too_large, busy, unauthorized, ..."
    )
    message: str = Field(description="one line, never a personal value")


class Health(BaseModel):
    status: str


class Ready(BaseModel):
    ready: bool
    workers: int
    queue: int
    admitted: int
    error: Optional[str] = None


class Limits(BaseModel):
    max_body_bytes: int
    max_pixels: int
    workers: int
    queue: int
    api_key_required: bool
    reveal_allowed: bool
    styles: List[str]
    default_style: str
    formats: List[str]
