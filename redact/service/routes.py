"""The endpoints: each parses its request (``uploads``), runs the API on the pool (``state``), formats the
answer. ``add_routes`` registers them with their OpenAPI documentation."""

from __future__ import annotations

import base64
import hmac
from pathlib import Path
from typing import Any, Dict, List, Literal, Optional

from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.security import APIKeyHeader

from ..io.formats import EXTENSION, MEDIA_TYPE, SERVICE_FORMATS
from ..types import Style
from .errors import ServiceError, documented, error_doc
from .middleware import log_done
from .models import Health, Limits, Ready, RedactJSON, ReportModel
from .settings import STYLES, ServiceSettings
from .state import Rendered, ServiceState, job_analyze, job_redact
from .uploads import read_upload

STATIC = Path(__file__).with_name("static")
STATIC_FILES = {
    "app.js": "text/javascript; charset=utf-8",
    "app.css": "text/css; charset=utf-8",
    "icon.svg": "image/svg+xml",
}
REPORT_ID_HEADER = "X-Redact-Report-Id"

StyleParam = Optional[Literal["fill", "noise", "pixelate", "blur"]]
FormatParam = Optional[Literal["jpeg", "png", "webp"]]
ResponseParam = Literal["image", "json"]


def service_state(request: Request) -> ServiceState:
    return request.app.state.service


# ---------------------------------------------------------------------------------------------------------
# answers


def image_response(out: Rendered, rid: str, response: str, reveal: bool) -> Response:
    media = MEDIA_TYPE.get(out.format, "application/octet-stream")
    if response == "json":
        body = {
            "report_id": rid,
            "format": out.format,
            "media_type": media,
            "image_base64": base64.b64encode(out.data).decode("ascii"),
            "report": out.report.to_dict(reveal=reveal),
        }
        return JSONResponse(body, headers={REPORT_ID_HEADER: rid})
    ext = EXTENSION.get(out.format, ".bin")
    return Response(
        out.data,
        media_type=media,
        headers={
            REPORT_ID_HEADER: rid,
            "X-Redact-Masks": str(len(out.report.masks)),
            "X-Redact-Fields": str(sum(out.report.counts().values())),
            "Content-Disposition": f'inline; filename="redacted{ext}"',
            "Access-Control-Expose-Headers": f"{REPORT_ID_HEADER}, X-Redact-Masks, X-Redact-Fields",
        },
    )


# ---------------------------------------------------------------------------------------------------------
# endpoints


async def redact_photo(
    request: Request,
    style: StyleParam = Query(None, description="fill | noise | pixelate | blur (default: the server's)"),
    format: FormatParam = Query(None, description="output format (default: same as the input)"),
    response: ResponseParam = Query("image", description="image bytes, or JSON with base64 image"),
    reveal: bool = Query(False, description="include values in an inline JSON report (if the server allows)"),
    svc: ServiceState = Depends(service_state),
) -> Response:
    svc.check_reveal(reveal)
    up = await read_upload(request, svc.settings)
    out: Rendered = await svc.run(job_redact, up.data, up.style or style, None, up.format or format)
    rid = svc.reports.put(out.report.to_dict(reveal=False))
    log_done(request, out.report)
    return image_response(out, rid, response, reveal)


async def render_photo(
    request: Request,
    style: StyleParam = Query(None, description="fill | noise | pixelate | blur"),
    format: FormatParam = Query(None, description="output format (default: same as the input)"),
    response: ResponseParam = Query("image"),
    reveal: bool = Query(False),
    svc: ServiceState = Depends(service_state),
) -> Response:
    svc.check_reveal(reveal)
    up = await read_upload(request, svc.settings, want_masks=True)
    out: Rendered = await svc.run(job_redact, up.data, up.style or style, up.masks, up.format or format)
    rid = svc.reports.put(out.report.to_dict(reveal=False))
    log_done(request, out.report)
    return image_response(out, rid, response, reveal)


async def analyze_photo(
    request: Request,
    reveal: bool = Query(False, description="include values (only if the server allows it)"),
    svc: ServiceState = Depends(service_state),
) -> JSONResponse:
    svc.check_reveal(reveal)
    up = await read_upload(request, svc.settings)
    report = await svc.run(job_analyze, up.data)
    rid = svc.reports.put(report.to_dict(reveal=False))
    log_done(request, report)
    return JSONResponse(report.to_dict(reveal=reveal), headers={REPORT_ID_HEADER: rid})


async def get_report(report_id: str, svc: ServiceState = Depends(service_state)) -> JSONResponse:
    d = svc.reports.get(report_id) if len(report_id) == 32 else None
    if d is None:
        raise ServiceError(404, "not_found", "no such report (unknown id, or expired from the cache)")
    return JSONResponse(d)


async def limits(svc: ServiceState = Depends(service_state)) -> Limits:
    s = svc.settings
    return Limits(
        max_body_bytes=s.max_body_bytes,
        max_pixels=s.max_pixels,
        workers=s.workers,
        queue=s.queue,
        api_key_required=bool(s.api_key),
        reveal_allowed=s.allow_reveal,
        styles=list(STYLES),
        formats=list(SERVICE_FORMATS),
        default_style=Style(svc.config.style).value,
    )


async def healthz() -> Health:
    return Health(status="ok")


async def readyz(svc: ServiceState = Depends(service_state)) -> JSONResponse:
    pool = svc.pool
    ready = pool.warm and not pool.closing and pool.warm_error is None
    body = Ready(
        ready=ready,
        workers=svc.settings.workers,
        queue=svc.settings.queue,
        admitted=pool.admitted,
        error=pool.warm_error,
    )
    return JSONResponse(body.model_dump(exclude_none=True), status_code=200 if ready else 503)


async def index() -> FileResponse:
    return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")


async def static(name: str) -> FileResponse:
    if name not in STATIC_FILES:
        raise ServiceError(404, "not_found", "no such file")
    return FileResponse(STATIC / name, media_type=STATIC_FILES[name])


# ---------------------------------------------------------------------------------------------------------
# registration and documentation

BINARY = {"schema": {"type": "string", "format": "binary"}}
IMAGE_CONTENT = {  # application/json (response=json) comes from the RedactJSON model
    media: BINARY for media in ("image/jpeg", "image/png", "image/webp", "image/tiff", "image/bmp")
}
PHOTO_BODY = {
    "requestBody": {
        "required": True,
        "description": "The photo: raw bytes, or multipart/form-data with field `file` (and optional "
        "`style`, `format` fields, which override the query).",
        "content": {
            "image/jpeg": BINARY,
            "image/png": BINARY,
            "application/octet-stream": BINARY,
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "style": {"type": "string", "enum": list(STYLES)},
                        "format": {"type": "string", "enum": list(SERVICE_FORMATS)},
                    },
                }
            },
        },
    }
}
RENDER_BODY = {
    "requestBody": {
        "required": True,
        "description": "multipart/form-data: `file` (the photo), `masks` (JSON list of polygons in the "
        "photo's upright pixel coordinates, each `[[x, y], [x, y], [x, y], ...]`), optional "
        "`style` and `format`.",
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file", "masks"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "masks": {"type": "string", "description": "JSON: [[[x, y], ...], ...]"},
                        "style": {"type": "string", "enum": list(STYLES)},
                        "format": {"type": "string", "enum": list(SERVICE_FORMATS)},
                    },
                }
            },
        },
    }
}
PHOTO_ERRORS = documented(400, 401, 403, 413, 415, 422, 429, 500, 503)


def api_key_dependencies(settings: ServiceSettings) -> List[Any]:
    """With an API key: the X-API-Key check every photo and report endpoint depends on; else none."""
    if not settings.api_key:
        return []
    expected = settings.api_key.encode()
    key_header = APIKeyHeader(
        name="X-API-Key", auto_error=False, description="The key given to `redact serve --api-key`"
    )

    async def require_key(key: Optional[str] = Depends(key_header)) -> None:
        if not key or not hmac.compare_digest(key.encode(), expected):
            raise ServiceError(
                401, "unauthorized", "missing or wrong X-API-Key header", {"WWW-Authenticate": "APIKey"}
            )

    return [Depends(require_key)]


def add_routes(app: FastAPI, settings: ServiceSettings) -> None:
    deps = api_key_dependencies(settings)
    image_200: Dict[str, Any] = {
        "description": "The redacted image, or JSON with response=json",
        "model": RedactJSON,
        "content": IMAGE_CONTENT,
    }
    app.add_api_route(
        "/v1/redact",
        redact_photo,
        methods=["POST"],
        tags=["redact"],
        summary="Redact a photo",
        description="Returns the redacted image (metadata stripped). The report is kept under the id in the "
        f"`{REPORT_ID_HEADER}` header (GET /v1/reports/{{id}}), or returned inline with "
        "`response=json`.",
        dependencies=deps,
        response_class=Response,
        responses={
            200: {
                **image_200,
                "headers": {
                    REPORT_ID_HEADER: {
                        "schema": {"type": "string"},
                        "description": "id for GET /v1/reports/{id}",
                    }
                },
            },
            **PHOTO_ERRORS,
        },
        openapi_extra=PHOTO_BODY,
    )
    app.add_api_route(
        "/v1/render",
        render_photo,
        methods=["POST"],
        tags=["redact"],
        summary="Render a photo with user-edited masks",
        description="Renders exactly the given polygons (used by the web page after the user removed or "
        "added masks). The self-check still runs on the final image.",
        dependencies=deps,
        response_class=Response,
        responses={200: dict(image_200), **PHOTO_ERRORS},
        openapi_extra=RENDER_BODY,
    )
    app.add_api_route(
        "/v1/analyze",
        analyze_photo,
        methods=["POST"],
        tags=["redact"],
        summary="Find personal fields without rendering",
        description="Returns the report: fields, proposed masks (polygons in the photo's upright pixel "
        "coordinates), symbols, timings. Values are masked unless revealed.",
        dependencies=deps,
        response_model=ReportModel,
        response_model_exclude_none=True,
        responses={200: {"headers": {REPORT_ID_HEADER: {"schema": {"type": "string"}}}}, **PHOTO_ERRORS},
        openapi_extra=PHOTO_BODY,
    )
    app.add_api_route(
        "/v1/reports/{report_id}",
        get_report,
        methods=["GET"],
        tags=["redact"],
        summary="A recent report by id",
        description=f"Reports of recent requests are kept in memory (the last {settings.report_cache}); "
        "values are never stored.",
        dependencies=deps,
        response_model=ReportModel,
        response_model_exclude_none=True,
        responses={404: error_doc("Unknown or expired report id"), **documented(400, 401)},
    )
    app.add_api_route(
        "/v1/limits",
        limits,
        methods=["GET"],
        tags=["service"],
        summary="Limits and options of this server",
        response_model=Limits,
    )
    app.add_api_route(
        "/healthz", healthz, methods=["GET"], tags=["service"], summary="Liveness", response_model=Health
    )
    app.add_api_route(
        "/readyz",
        readyz,
        methods=["GET"],
        tags=["service"],
        summary="Readiness: models loaded in every worker",
        response_model=Ready,
        responses={
            503: {
                "model": Ready,
                "description": "Not ready yet (warming up), warm-up failed, or shutting down",
            }
        },
    )
    # the web page
    app.add_api_route("/", index, methods=["GET"], include_in_schema=False)
    app.add_api_route("/static/{name}", static, methods=["GET"], include_in_schema=False)
