"""The app factory: one :class:`ServiceState`, the middleware, the error mapping, the routes, the OpenAPI
schema; and ``serve`` (uvicorn). A shell over :class:`redact.Redactor`: no redaction logic lives here."""

from __future__ import annotations

import asyncio
import json
import logging
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Dict, Optional

from fastapi import FastAPI

from .. import __version__
from ..config import Config
from .errors import ServiceError, install_error_handlers
from .middleware import SecurityHeaders
from .routes import add_routes
from .settings import ServiceSettings
from .state import ReportStore, ServiceState

log = logging.getLogger("redact.service")

DESCRIPTION = (
    "Find and irreversibly redact personal data (names, phones, addresses, tracking and ID numbers, "
    "e-mails, postal codes, every barcode/QR) on shipping labels in parcel photos. Everything runs on "
    "this machine. Send a photo as the raw body (image/* or application/octet-stream) or as "
    'multipart/form-data field `file`. Errors are JSON `{"error": kind, "message": one line}` and '
    "never carry a personal value."
)


def build_app(config: Optional[Config], settings: ServiceSettings) -> FastAPI:
    """The ASGI app. ``config``: the Redactors' Config (default: the CPU cores shared among the workers);
    the settings' limits (and style, threads if set) apply on top. Models load in the background at startup
    (``/readyz`` is 503 until every worker is warm)."""
    state = ServiceState(config, settings)

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
        state.start()
        try:
            yield
        finally:
            log.info("shutting down: finishing %d admitted job(s)", state.pool.admitted)
            await asyncio.to_thread(state.close)
            log.info("stopped")

    app = FastAPI(
        title="parcel-redact",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # Swagger UI / ReDoc load assets from a CDN: this service stays offline
        redoc_url=None,
    )
    app.add_middleware(SecurityHeaders)
    install_error_handlers(app)
    app.state.service = state
    app.state.pool = state.pool
    app.state.reports = state.reports
    app.state.settings = settings
    add_routes(app, settings)

    def openapi() -> Dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = openapi_schema(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def openapi_schema(app: FastAPI) -> Dict[str, Any]:
    """FastAPI's schema, minus its default 422 bodies: validation errors here are 400 ErrorModel."""
    from fastapi.openapi.utils import get_openapi

    spec = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    for ops in spec.get("paths", {}).values():
        for op in ops.values():
            resp = op.get("responses", {})
            if "HTTPValidationError" in json.dumps(resp.get("422", {})):
                del resp["422"]
    schemas = spec.get("components", {}).get("schemas", {})
    if "HTTPValidationError" not in json.dumps(spec.get("paths", {})):
        schemas.pop("HTTPValidationError", None)
        schemas.pop("ValidationError", None)
    return spec


def serve(app: FastAPI, settings: ServiceSettings, **uvicorn_kwargs: Any) -> None:
    """Run uvicorn on the settings' host and port. SIGINT/SIGTERM: stop accepting, finish in-flight
    requests (up to ``settings.graceful_timeout`` seconds), let the pool finish admitted jobs, exit."""
    import uvicorn

    kw: Dict[str, Any] = dict(
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        timeout_graceful_shutdown=settings.graceful_timeout,
        server_header=False,
        proxy_headers=False,
        h11_max_incomplete_event_size=64 * 1024,
    )
    kw.update(uvicorn_kwargs)
    uvicorn.Server(uvicorn.Config(app, **kw)).run()


__all__ = ["build_app", "serve", "ServiceError", "ReportStore", "ServiceState"]
