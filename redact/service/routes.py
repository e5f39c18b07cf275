"""The FastAPI app: endpoints, limits, errors, the web page. A shell over :class:`redact.Redactor`."""

from __future__ import annotations

import asyncio
import base64
import hmac
import io
import json
import logging
import math
import traceback
import uuid
import warnings
from collections import OrderedDict
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, AsyncIterator, Dict, List, Literal, Optional, Sequence, Tuple

from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.security import APIKeyHeader
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.formparsers import MultiPartException, MultiPartParser

from .. import __version__
from ..config import Config, default_threads
from ..errors import RedactError, TooLarge, UnreadableInput, UnsupportedFormat
from ..types import Style
from .models import ErrorModel, Health, Limits, Ready, RedactJSON, ReportModel
from .pool import PoolClosed, WorkerPool
from .settings import MAX_FORM_FIELD_BYTES, MAX_MASK_POINTS, MAX_MASKS, ServiceSettings

log = logging.getLogger("redact.service")

STATIC = Path(__file__).with_name("static")
STYLES = [s.value for s in Style]
FORMATS = {
    "jpeg": ("JPEG", "image/jpeg", ".jpg"),
    "png": ("PNG", "image/png", ".png"),
    "webp": ("WEBP", "image/webp", ".webp"),
}
MEDIA = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
    "TIFF": "image/tiff",
    "BMP": "image/bmp",
}
# curl --data-binary sends application/x-www-form-urlencoded unless told otherwise: read it as raw bytes
RAW_TYPES = ("image/", "application/octet-stream", "application/x-www-form-urlencoded")
REPORT_ID_HEADER = "X-Redact-Report-Id"

StyleParam = Optional[Literal["fill", "noise", "pixelate", "blur"]]
FormatParam = Optional[Literal["jpeg", "png", "webp"]]


# ---------------------------------------------------------------------------------------------------------
# errors


class ServiceError(RedactError):
    """An HTTP-level refusal that is not a pipeline error (auth, busy, bad request shape)."""

    def __init__(self, status: int, kind: str, message: str, headers: Optional[Dict[str, str]] = None):
        super().__init__(message)
        self.http_status = status
        self.kind = kind
        self.headers = headers or {}


def _error(status: int, kind: str, message: str, headers: Optional[Dict[str, str]] = None) -> JSONResponse:
    return JSONResponse({"error": kind, "message": message}, status_code=status, headers=headers)


def _err_doc(desc: str) -> Dict[str, Any]:
    return {"model": ErrorModel, "description": desc}


COMMON_ERRORS: Dict[int | str, Dict[str, Any]] = {
    400: _err_doc("Bad request: an invalid parameter, form or masks list"),
    401: _err_doc("Missing or wrong X-API-Key (only when the server was started with an API key)"),
    403: _err_doc("reveal=true on a server that does not allow revealing values"),
    413: _err_doc("Body over the byte limit, or image over the pixel limit"),
    415: _err_doc(
        "Not a supported image format, or a request content type that is not an image or multipart"
    ),
    422: _err_doc("Empty, truncated or corrupt image data, or invalid parameters"),
    429: _err_doc("All workers busy and the queue is full: retry after the Retry-After header's seconds"),
    500: _err_doc("Engine failure, or the self-check could not make the output safe (nothing is returned)"),
    503: _err_doc("The server is shutting down"),
}


def _errors(*codes: int) -> Dict[int | str, Dict[str, Any]]:
    return {c: COMMON_ERRORS[c] for c in codes}


# ---------------------------------------------------------------------------------------------------------
# state


class ReportStore:
    """A small bounded LRU of reports (values always masked), keyed by a random id."""

    def __init__(self, size: int):
        self.size = size
        self._d: "OrderedDict[str, Dict[str, Any]]" = OrderedDict()

    def put(self, report: Dict[str, Any]) -> str:
        rid = uuid.uuid4().hex
        self._d[rid] = report
        while len(self._d) > self.size:
            self._d.popitem(last=False)
        return rid

    def get(self, rid: str) -> Optional[Dict[str, Any]]:
        d = self._d.get(rid)
        if d is not None:
            self._d.move_to_end(rid)
        return d

    def __len__(self) -> int:
        return len(self._d)


@dataclass
class Upload:
    data: bytes
    style: Optional[str] = None
    format: Optional[str] = None
    masks: Optional[List[List[Tuple[float, float]]]] = None


# ---------------------------------------------------------------------------------------------------------
# input


async def _read_body(request: Request, limit: int) -> bytes:
    cl = request.headers.get("content-length")
    if cl is not None:
        try:
            n = int(cl)
        except ValueError:
            raise ServiceError(400, "usage", "invalid Content-Length header") from None
        if n > limit:
            raise TooLarge(f"body is {n / 1e6:.1f} MB, over the {limit / 1e6:.1f} MB limit")
    chunks: List[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge(f"body is over the {limit / 1e6:.1f} MB limit")
        chunks.append(chunk)
    return b"".join(chunks)


def _content_type(request: Request) -> str:
    return (request.headers.get("content-type") or "").split(";", 1)[0].strip().lower()


async def _parse_multipart(request: Request, body: bytes) -> Dict[str, Any]:
    async def stream() -> AsyncIterator[bytes]:
        yield body

    parser = MultiPartParser(
        request.headers, stream(), max_files=1, max_fields=8, max_part_size=MAX_FORM_FIELD_BYTES
    )
    try:
        form = await parser.parse()
    except MultiPartException as e:
        raise ServiceError(400, "usage", f"malformed multipart body: {e.message}") from None
    except Exception:
        raise ServiceError(400, "usage", "malformed multipart body") from None
    out: Dict[str, Any] = {}
    try:
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                if key != "file":
                    raise ServiceError(
                        400, "usage", f"unexpected file field {key[:40]!r}: send the photo as 'file'"
                    )
                out["file"] = await value.read()
            else:
                out[key] = value
    finally:
        await form.close()
    return out


def _parse_masks(raw: Any) -> List[List[Tuple[float, float]]]:
    """A JSON list of polygons: ``[[[x, y], [x, y], [x, y], ...], ...]`` (or ``[{"polygon": [...]}, ...]``)."""
    if raw is None or raw == "":
        raise ServiceError(400, "usage", "form field 'masks' is required: a JSON list of polygons")
    try:
        data = json.loads(raw)
    except (ValueError, TypeError):
        raise ServiceError(400, "usage", "'masks' is not valid JSON") from None
    if not isinstance(data, list):
        raise ServiceError(400, "usage", "'masks' must be a JSON list of polygons")
    if len(data) > MAX_MASKS:
        raise ServiceError(400, "usage", f"too many masks ({len(data)}; at most {MAX_MASKS})")
    polys: List[List[Tuple[float, float]]] = []
    for i, item in enumerate(data):
        if isinstance(item, dict):
            item = item.get("polygon")
        if not isinstance(item, list) or not 3 <= len(item) <= MAX_MASK_POINTS:
            raise ServiceError(
                400, "usage", f"mask {i}: a polygon needs 3 to {MAX_MASK_POINTS} [x, y] points"
            )
        pts: List[Tuple[float, float]] = []
        for p in item:
            if (
                not isinstance(p, (list, tuple))
                or len(p) != 2
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in p)
                or not all(math.isfinite(float(v)) and abs(float(v)) < 1e7 for v in p)
            ):
                raise ServiceError(400, "usage", f"mask {i}: every point must be [x, y] with finite numbers")
            pts.append((float(p[0]), float(p[1])))
        polys.append(pts)
    return polys


def _check_choice(name: str, value: Any, choices: Sequence[str]) -> Optional[str]:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or value.lower() not in choices:
        raise ServiceError(400, "usage", f"{name} must be one of: {', '.join(choices)}")
    return value.lower()


async def read_upload(request: Request, settings: ServiceSettings, *, want_masks: bool = False) -> Upload:
    ctype = _content_type(request)
    if ctype == "multipart/form-data":
        body = await _read_body(request, settings.max_body_bytes)
        form = await _parse_multipart(request, body)
        del body
        if "file" not in form:
            raise ServiceError(400, "usage", "multipart body has no 'file' field with the photo")
        up = Upload(
            data=form["file"],
            style=_check_choice("style", form.get("style"), STYLES),
            format=_check_choice("format", form.get("format"), list(FORMATS)),
        )
        if want_masks:
            up.masks = _parse_masks(form.get("masks"))
    elif want_masks:
        raise ServiceError(
            415,
            "unsupported_media_type",
            "send multipart/form-data with a 'file' field (the photo) and a 'masks' field (JSON)",
        )
    elif ctype == "" or ctype.startswith(RAW_TYPES):
        up = Upload(data=await _read_body(request, settings.max_body_bytes))
    else:
        raise ServiceError(
            415,
            "unsupported_media_type",
            f"content type {ctype[:60]!r} is not an image: send the photo as the raw body "
            "(image/* or application/octet-stream) or as multipart/form-data field 'file'",
        )
    if not up.data:
        raise UnreadableInput("empty input (0 bytes)")
    if len(up.data) > settings.max_body_bytes:
        raise TooLarge(f"photo is over the {settings.max_body_bytes / 1e6:.1f} MB limit")
    _precheck_pixels(up.data, settings.max_pixels)
    return up


def _precheck_pixels(data: bytes, max_pixels: int) -> None:
    """Refuse an over-limit image from its header alone, before it takes a worker (the loader checks again)."""
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(data)) as im:
                w, h = im.size
    except Image.DecompressionBombError:
        raise TooLarge(f"image is over the {max_pixels:,} pixel limit") from None
    except Exception:
        return
    if w * h > max_pixels:
        raise TooLarge(f"{w}x{h} px is over the {max_pixels:,} pixel limit")


# ---------------------------------------------------------------------------------------------------------
# worker-side functions (run in the pool's threads; ``r`` is that worker's Redactor)


@dataclass
class Rendered:
    data: bytes
    format: str
    report: Any


def job_redact(
    r: Any, data: Any, style: Optional[str], masks: Optional[list], fmt: Optional[str]
) -> Rendered:
    res = r.redact(
        data,
        style=Style(style) if style else None,
        masks=masks,
        name="upload",
        fmt=FORMATS[fmt][0] if fmt else None,
    )
    return Rendered(res.data, res.format, res.report)


def job_analyze(r: Any, data: Any) -> Any:
    return r.analyze(data, name="upload")


def _warm_image() -> Any:
    import numpy as np
    from PIL import Image, ImageDraw, ImageFont

    im = Image.new("RGB", (640, 360), (235, 232, 225))
    d = ImageDraw.Draw(im)
    d.rectangle((60, 40, 580, 320), fill=(252, 252, 250), outline=(40, 40, 40), width=3)
    font = ImageFont.load_default(size=28) if hasattr(ImageFont, "load_default") else None
    for i, line in enumerate(["SHIP TO: SAMPLE PERSON", "100 EXAMPLE ST", "TEL 555 010 0199"]):
        d.text((90, 80 + 70 * i), line, fill=(10, 10, 10), font=font)
    return np.asarray(im)


def warm_redactor(r: Any) -> None:
    for name in ("warm", "warmup", "load"):
        fn = getattr(r, name, None)
        if callable(fn):
            fn()
            return
    r.analyze(_warm_image(), name="warm-up")


def make_factory(config: Optional[Config], settings: ServiceSettings) -> Tuple[Any, Config]:
    if config is None:
        config = Config(threads=max(1, default_threads() // settings.workers))
    config = config.with_(max_pixels=settings.max_pixels, max_bytes=settings.max_body_bytes)

    def factory() -> Any:
        from ..api import Redactor

        return Redactor(config)

    return factory, config


class Loader:
    """Checks an upload's header beside the OCR workers (limits, a known format), so that a file that is not
    an image gets its 4xx at once. It decodes nothing: the worker hands the upload's bytes to the API's one
    entry (``Redactor.redact``/``analyze``), the same way as the CLI and the batch runner (the same JPEG
    preview, the analysis cache that lets analyze-then-render read a photo once, the same noise seed)."""

    def __init__(self, config: Config):
        self._config = config

    def __call__(self, data: bytes) -> bytes:
        from PIL import Image, UnidentifiedImageError

        from ..io import photo as photo_mod

        data, _, label = photo_mod.read_source(data, self._config, "upload")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                with Image.open(io.BytesIO(data)):
                    pass
        except UnidentifiedImageError:
            raise UnsupportedFormat(
                "not an image in a supported format (JPEG, PNG, WebP, HEIC, TIFF, BMP)", path=label
            ) from None
        except Image.DecompressionBombError:
            raise TooLarge(f"image is over the {self._config.max_pixels:,} pixel limit", path=label) from None
        except Exception as e:  # noqa: BLE001 - corrupt headers
            raise UnreadableInput(f"corrupt image header ({type(e).__name__})", path=label) from None
        return data


# ---------------------------------------------------------------------------------------------------------
# the app


class SecurityHeaders:
    """Pure ASGI middleware: the page and the API only ever talk to this origin."""

    CSP = (
        "default-src 'self'; img-src 'self' blob: data:; connect-src 'self'; script-src 'self'; "
        "style-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    )

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: Dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_wrapper(message: Dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                extra = [
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"content-security-policy", self.CSP.encode()),
                    (b"cross-origin-resource-policy", b"same-origin"),
                ]
                headers += [(k, v) for k, v in extra if k not in names]
                if b"cache-control" not in names:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        started = False

        async def send_tracking(message: Dict[str, Any]) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send_wrapper(message)

        try:
            await self.app(scope, receive, send_tracking)
        except Exception as exc:
            log_unexpected(scope.get("method", ""), scope.get("path", ""), exc)
            if started:
                raise RuntimeError("response failed after it started") from None
            body = json.dumps({"error": "internal", "message": "internal error"}).encode()
            await send_wrapper(
                {
                    "type": "http.response.start",
                    "status": 500,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await send_wrapper({"type": "http.response.body", "body": body})


def build_app(config: Optional[Config], settings: ServiceSettings) -> FastAPI:
    factory, effective = make_factory(config, settings)
    pool = WorkerPool(factory, settings.workers, settings.queue)
    reports = ReportStore(settings.report_cache)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        log.info(
            "parcel-redact service: %d worker(s), queue %d, max %d bytes / %d px, api key %s",
            settings.workers,
            settings.queue,
            settings.max_body_bytes,
            settings.max_pixels,
            "on" if settings.api_key else "off",
        )
        if settings.warm:
            pool.warm_up(warm_redactor)
        else:
            pool.warm = True
        try:
            yield
        finally:
            log.info("shutting down: finishing %d admitted job(s)", pool.admitted)
            await asyncio.to_thread(pool.close, True)
            log.info("stopped")

    app = FastAPI(
        title="parcel-redact",
        version=__version__,
        description=(
            "Find and irreversibly redact personal data (names, phones, addresses, tracking and ID numbers, "
            "e-mails, postal codes, every barcode/QR) on shipping labels in parcel photos. Everything runs on "
            "this machine. Send a photo as the raw body (image/* or application/octet-stream) or as "
            'multipart/form-data field `file`. Errors are JSON `{"error": kind, "message": one line}` and '
            "never carry a personal value."
        ),
        lifespan=lifespan,
        docs_url=None,  # Swagger UI / ReDoc load assets from a CDN: this service stays offline
        redoc_url=None,
    )
    app.add_middleware(SecurityHeaders)

    def openapi() -> Dict[str, Any]:
        """FastAPI's schema, minus its default 422 bodies: validation errors here are 400 ErrorModel."""
        if app.openapi_schema:
            return app.openapi_schema
        from fastapi.openapi.utils import get_openapi

        spec = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        for ops in spec.get("paths", {}).values():
            for op in ops.values():
                resp = op.get("responses", {})
                if "HTTPValidationError" in json.dumps(resp.get("422", {})):
                    del resp["422"]
        schemas = spec.get("components", {}).get("schemas", {})
        if "HTTPValidationError" not in json.dumps(spec.get("paths", {})):
            schemas.pop("HTTPValidationError", None)
            schemas.pop("ValidationError", None)
        app.openapi_schema = spec
        return spec

    app.openapi = openapi  # type: ignore[method-assign]
    app.state.pool = pool
    app.state.reports = reports
    app.state.settings = settings

    # -- errors ------------------------------------------------------------------------------------------
    @app.exception_handler(RedactError)
    async def _redact_error(request: Request, exc: RedactError) -> JSONResponse:
        status = int(getattr(exc, "http_status", 500) or 500)
        if status >= 500:
            log.error("%s %s -> %d %s", request.method, request.url.path, status, exc.kind)
        else:
            log.info("%s %s -> %d %s", request.method, request.url.path, status, exc.kind)
        return _error(status, exc.kind, exc.message, getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        parts = []
        for e in exc.errors()[:3]:
            loc = ".".join(str(x) for x in e.get("loc", ()) if x not in ("query", "path", "body"))
            parts.append(f"{loc}: {e.get('msg', 'invalid')}")
        return _error(400, "usage", "; ".join(parts) or "invalid request")

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        kind = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http")
        msg = exc.detail if isinstance(exc.detail, str) else "request refused"
        return _error(exc.status_code, kind, msg, getattr(exc, "headers", None))

    # -- auth --------------------------------------------------------------------------------------------
    deps: List[Any] = []
    if settings.api_key:
        key_header = APIKeyHeader(
            name="X-API-Key", auto_error=False, description="The key given to `redact serve --api-key`"
        )

        async def require_key(key: Optional[str] = Depends(key_header)) -> None:
            if not key or not hmac.compare_digest(key.encode(), settings.api_key.encode()):  # type: ignore[union-attr]
                raise ServiceError(
                    401, "unauthorized", "missing or wrong X-API-Key header", {"WWW-Authenticate": "APIKey"}
                )

        deps.append(Depends(require_key))

    # -- running work ------------------------------------------------------------------------------------
    loader = Loader(effective)

    async def run_job(fn: Any, data: bytes, *args: Any) -> Any:
        try:
            admitted = pool.try_admit()
        except PoolClosed:
            raise ServiceError(
                503, "shutting_down", "the server is shutting down", {"Connection": "close"}
            ) from None
        if not admitted:
            ra = pool.retry_after()
            raise ServiceError(
                429,
                "busy",
                f"all workers busy and the queue is full; retry in {ra} s",
                {"Retry-After": str(ra)},
            )
        try:
            data = await pool.decode(loader, data)
            return await pool.run(fn, data, *args)
        except PoolClosed:
            raise ServiceError(
                503, "shutting_down", "the server is shutting down", {"Connection": "close"}
            ) from None

    def check_reveal(reveal: bool) -> None:
        if reveal and not settings.allow_reveal:
            raise ServiceError(
                403, "forbidden", "this server does not reveal personal values (start it with reveal allowed)"
            )

    def image_response(out: Rendered, rid: str, response: str, reveal: bool) -> Response:
        media = MEDIA.get(out.format, "application/octet-stream")
        if response == "json":
            body = {
                "report_id": rid,
                "format": out.format,
                "media_type": media,
                "image_base64": base64.b64encode(out.data).decode("ascii"),
                "report": out.report.to_dict(reveal=reveal),
            }
            return JSONResponse(body, headers={REPORT_ID_HEADER: rid})
        ext = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "TIFF": ".tif", "BMP": ".bmp"}.get(
            out.format, ".bin"
        )
        counts = out.report.counts() if hasattr(out.report, "counts") else {}
        return Response(
            out.data,
            media_type=media,
            headers={
                REPORT_ID_HEADER: rid,
                "X-Redact-Masks": str(len(getattr(out.report, "masks", ()))),
                "X-Redact-Fields": str(sum(counts.values())),
                "Content-Disposition": f'inline; filename="redacted{ext}"',
                "Access-Control-Expose-Headers": f"{REPORT_ID_HEADER}, X-Redact-Masks, X-Redact-Fields",
            },
        )

    image_content = {  # application/json (response=json) comes from the RedactJSON model
        "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
        "image/png": {"schema": {"type": "string", "format": "binary"}},
        "image/webp": {"schema": {"type": "string", "format": "binary"}},
        "image/tiff": {"schema": {"type": "string", "format": "binary"}},
        "image/bmp": {"schema": {"type": "string", "format": "binary"}},
    }
    photo_body = {
        "requestBody": {
            "required": True,
            "description": "The photo: raw bytes, or multipart/form-data with field `file` (and optional "
            "`style`, `format` fields, which override the query).",
            "content": {
                "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
                "image/png": {"schema": {"type": "string", "format": "binary"}},
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {
                            "file": {"type": "string", "format": "binary"},
                            "style": {"type": "string", "enum": STYLES},
                            "format": {"type": "string", "enum": list(FORMATS)},
                        },
                    }
                },
            },
        }
    }
    render_body = {
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
                            "style": {"type": "string", "enum": STYLES},
                            "format": {"type": "string", "enum": list(FORMATS)},
                        },
                    }
                },
            },
        }
    }

    # -- endpoints ---------------------------------------------------------------------------------------
    @app.post(
        "/v1/redact",
        tags=["redact"],
        summary="Redact a photo",
        description="Returns the redacted image (metadata stripped). The report is kept under the id in the "
        f"`{REPORT_ID_HEADER}` header (GET /v1/reports/{{id}}), or returned inline with "
        "`response=json`.",
        dependencies=deps,
        response_class=Response,
        responses={
            200: {
                "description": "The redacted image, or JSON with response=json",
                "model": RedactJSON,
                "content": image_content,
                "headers": {
                    REPORT_ID_HEADER: {
                        "schema": {"type": "string"},
                        "description": "id for GET /v1/reports/{id}",
                    }
                },
            },
            **_errors(400, 401, 403, 413, 415, 422, 429, 500, 503),
        },
        openapi_extra=photo_body,
    )
    async def redact_photo(
        request: Request,
        style: StyleParam = Query(None, description="fill | noise | pixelate | blur (default: the server's)"),
        format: FormatParam = Query(None, description="output format (default: same as the input)"),
        response: Literal["image", "json"] = Query(
            "image", description="image bytes, or JSON with base64 image"
        ),
        reveal: bool = Query(
            False, description="include values in an inline JSON report (if the server allows)"
        ),
    ) -> Response:
        check_reveal(reveal)
        up = await read_upload(request, settings)
        out: Rendered = await run_job(job_redact, up.data, up.style or style, None, up.format or format)
        rid = reports.put(out.report.to_dict(reveal=False))
        _log_done(request, out.report)
        return image_response(out, rid, response, reveal)

    @app.post(
        "/v1/render",
        tags=["redact"],
        summary="Render a photo with user-edited masks",
        description="Renders exactly the given polygons (used by the web page after the user removed or added "
        "masks). The self-check still runs on the final image.",
        dependencies=deps,
        response_class=Response,
        responses={
            200: {
                "description": "The redacted image, or JSON with response=json",
                "model": RedactJSON,
                "content": image_content,
            },
            **_errors(400, 401, 403, 413, 415, 422, 429, 500, 503),
        },
        openapi_extra=render_body,
    )
    async def render_photo(
        request: Request,
        style: StyleParam = Query(None, description="fill | noise | pixelate | blur"),
        format: FormatParam = Query(None, description="output format (default: same as the input)"),
        response: Literal["image", "json"] = Query("image"),
        reveal: bool = Query(False),
    ) -> Response:
        check_reveal(reveal)
        up = await read_upload(request, settings, want_masks=True)
        out = await run_job(job_redact, up.data, up.style or style, up.masks, up.format or format)
        rid = reports.put(out.report.to_dict(reveal=False))
        _log_done(request, out.report)
        return image_response(out, rid, response, reveal)

    @app.post(
        "/v1/analyze",
        tags=["redact"],
        summary="Find personal fields without rendering",
        description="Returns the report: fields, proposed masks (polygons in the photo's upright pixel "
        "coordinates), symbols, timings. Values are masked unless revealed.",
        dependencies=deps,
        response_model=ReportModel,
        response_model_exclude_none=True,
        responses={
            200: {"headers": {REPORT_ID_HEADER: {"schema": {"type": "string"}}}},
            **_errors(400, 401, 403, 413, 415, 422, 429, 500, 503),
        },
        openapi_extra=photo_body,
    )
    async def analyze_photo(
        request: Request,
        reveal: bool = Query(False, description="include values (only if the server allows it)"),
    ) -> JSONResponse:
        check_reveal(reveal)
        up = await read_upload(request, settings)
        report = await run_job(job_analyze, up.data)
        rid = reports.put(report.to_dict(reveal=False))
        _log_done(request, report)
        return JSONResponse(report.to_dict(reveal=reveal), headers={REPORT_ID_HEADER: rid})

    @app.get(
        "/v1/reports/{report_id}",
        tags=["redact"],
        summary="A recent report by id",
        description=f"Reports of recent requests are kept in memory (the last {settings.report_cache}); "
        "values are never stored.",
        dependencies=deps,
        response_model=ReportModel,
        response_model_exclude_none=True,
        responses={404: _err_doc("Unknown or expired report id"), **_errors(400, 401)},
    )
    async def get_report(report_id: str) -> JSONResponse:
        d = reports.get(report_id) if len(report_id) == 32 else None
        if d is None:
            raise ServiceError(404, "not_found", "no such report (unknown id, or expired from the cache)")
        return JSONResponse(d)

    @app.get(
        "/v1/limits", tags=["service"], summary="Limits and options of this server", response_model=Limits
    )
    async def limits() -> Limits:
        return Limits(
            max_body_bytes=settings.max_body_bytes,
            max_pixels=settings.max_pixels,
            workers=settings.workers,
            queue=settings.queue,
            api_key_required=bool(settings.api_key),
            reveal_allowed=settings.allow_reveal,
            styles=STYLES,
            formats=list(FORMATS),
            default_style=Style(effective.style).value,
        )

    @app.get("/healthz", tags=["service"], summary="Liveness", response_model=Health)
    async def healthz() -> Health:
        return Health(status="ok")

    @app.get(
        "/readyz",
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
    async def readyz() -> JSONResponse:
        ready = pool.warm and not pool.closing and pool.warm_error is None
        body = Ready(
            ready=ready,
            workers=settings.workers,
            queue=settings.queue,
            admitted=pool.admitted,
            error=pool.warm_error,
        )
        return JSONResponse(body.model_dump(exclude_none=True), status_code=200 if ready else 503)

    # -- the web page ------------------------------------------------------------------------------------
    @app.get("/", include_in_schema=False)
    async def index() -> FileResponse:
        return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")

    static_files = {
        "app.js": "text/javascript; charset=utf-8",
        "app.css": "text/css; charset=utf-8",
        "icon.svg": "image/svg+xml",
    }

    @app.get("/static/{name}", include_in_schema=False)
    async def static(name: str) -> FileResponse:
        if name not in static_files:
            raise ServiceError(404, "not_found", "no such file")
        return FileResponse(STATIC / name, media_type=static_files[name])

    return app


def log_unexpected(method: str, path: str, exc: BaseException) -> None:
    """The exception type and code location only: an exception's message may quote data."""
    where = traceback.extract_tb(exc.__traceback__)[-3:]
    log.error(
        "%s %s -> 500 %s at %s",
        method,
        path,
        type(exc).__name__,
        " <- ".join(f"{Path(f.filename).name}:{f.lineno}" for f in reversed(where)),
    )


def _log_done(request: Request, report: Any) -> None:
    counts = report.counts() if hasattr(report, "counts") else {}
    total = getattr(report, "timings", {}).get("total")
    log.info(
        "%s %s ok: %d field(s) %s%s",
        request.method,
        request.url.path,
        sum(counts.values()),
        ",".join(f"{k}={v}" for k, v in sorted(counts.items())),
        f" in {total:.2f}s" if isinstance(total, (int, float)) else "",
    )


def serve(
    app: FastAPI,
    host: str,
    port: int,
    *,
    log_level: str = "info",
    graceful_timeout: float = 60.0,
    **uvicorn_kwargs: Any,
) -> None:
    """Run uvicorn. SIGINT/SIGTERM: stop accepting, finish in-flight requests (up to ``graceful_timeout``
    seconds), let the pool finish admitted jobs, exit."""
    import uvicorn

    kw: Dict[str, Any] = dict(
        host=host,
        port=port,
        log_level=log_level,
        timeout_graceful_shutdown=graceful_timeout,
        server_header=False,
        proxy_headers=False,
        h11_max_incomplete_event_size=64 * 1024,
    )
    kw.update(uvicorn_kwargs)
    uvicorn.Server(uvicorn.Config(app, **kw)).run()


__all__ = ["build_app", "serve", "ServiceError", "ReportStore"]
