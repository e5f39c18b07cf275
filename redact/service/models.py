"""Typed request/response models for the OpenAPI schema (mirrors ``Report.to_dict``)."""

from __future__ import annotations

from typing import Dict, List, Optional

from pydantic import BaseModel, ConfigDict, Field

PointModel = List[float]
PolygonModel = List[PointModel]


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class FieldModel(_Open):
    id: int
    category: str = Field(
        description="name, phone, address, id_number, tracking_number, email, postal_code, "
        "barcode, qrcode, unreadable, other"
    )
    role: str = Field(description="recipient, sender or unknown")
    sensitive: bool
    masked: bool
    score: float
    source: str
    rule: str
    polygons: List[PolygonModel]
    value: Optional[str] = Field(None, description="only with reveal=true on a server that allows it")


class MaskModel(_Open):
    id: int
    category: str
    fields: List[int]
    source: str = Field(description="auto or user")
    polygon: PolygonModel


class SymbolModel(_Open):
    format: str
    decoded: bool
    polygon: PolygonModel
    engine: str
    payload: Optional[str] = Field(None, description="only with reveal=true on a server that allows it")


class CheckModel(_Open):
    rounds: int
    readable_after: int
    widened: int
    passed: bool


class ReportModel(_Open):
    """The redaction report. Personal values are omitted unless revealed."""

    schema_version: str
    source: str
    status: str
    width: int
    height: int
    style: str
    labels: int
    lines: int
    counts: Dict[str, int]
    fields: List[FieldModel]
    masks: List[MaskModel]
    symbols: List[SymbolModel]
    metadata_dropped: List[str]
    timings: Dict[str, float]
    engines: Dict[str, str]
    values_revealed: bool
    check: Optional[CheckModel] = None
    error: Optional[str] = None


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
