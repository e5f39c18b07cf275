"""Errors as HTTP answers, mapped once: a :class:`redact.errors.RedactError` answers with its class's
``http_status`` and ``kind``; every error body is ``{"error": kind, "message": one line}``."""

from __future__ import annotations

import logging
from typing import Any, Dict, Optional

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import RedactError
from .models import ErrorModel

log = logging.getLogger("redact.service")


class ServiceError(RedactError):
    """An HTTP-level refusal that is not a pipeline error (auth, busy, bad request shape)."""

    def __init__(self, status: int, kind: str, message: str, headers: Optional[Dict[str, str]] = None):
        super().__init__(message)
        self.http_status = status
        self.kind = kind
        self.headers = headers or {}


def error_response(
    status: int, kind: str, message: str, headers: Optional[Dict[str, str]] = None
) -> JSONResponse:
    return JSONResponse({"error": kind, "message": message}, status_code=status, headers=headers)


def error_doc(desc: str) -> Dict[str, Any]:
    return {"model": ErrorModel, "description": desc}


COMMON_ERRORS: Dict[int | str, Dict[str, Any]] = {
    400: error_doc("Bad request: an invalid parameter, form or masks list"),
    401: error_doc("Missing or wrong X-API-Key (only when the server was started with an API key)"),
    403: error_doc("reveal=true on a server that does not allow revealing values"),
    413: error_doc("Body over the byte limit, or image over the pixel limit"),
    415: error_doc(
        "Not a supported image format, or a request content type that is not an image or multipart"
    ),
    422: error_doc("Empty, truncated or corrupt image data, or invalid parameters"),
    429: error_doc("All workers busy and the queue is full: retry after the Retry-After header's seconds"),
    500: error_doc("Engine failure, or the self-check could not make the output safe (nothing is returned)"),
    503: error_doc("The server is shutting down"),
}


def documented(*codes: int) -> Dict[int | str, Dict[str, Any]]:
    """The OpenAPI ``responses`` entries of these error statuses."""
    return {c: COMMON_ERRORS[c] for c in codes}


async def on_redact_error(request: Request, exc: RedactError) -> JSONResponse:
    status = int(exc.http_status or 500)
    if status >= 500:
        log.error("%s %s -> %d %s", request.method, request.url.path, status, exc.kind)
    else:
        log.info("%s %s -> %d %s", request.method, request.url.path, status, exc.kind)
    headers = exc.headers if isinstance(exc, ServiceError) else None
    return error_response(status, exc.kind, exc.message, headers)


async def on_validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    parts = []
    for e in exc.errors()[:3]:
        loc = ".".join(str(x) for x in e.get("loc", ()) if x not in ("query", "path", "body"))
        parts.append(f"{loc}: {e.get('msg', 'invalid')}")
    return error_response(400, "usage", "; ".join(parts) or "invalid request")


async def on_http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    kind = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http")
    msg = exc.detail if isinstance(exc.detail, str) else "request refused"
    return error_response(exc.status_code, kind, msg, exc.headers)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RedactError, on_redact_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, on_validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, on_http_error)  # type: ignore[arg-type]
