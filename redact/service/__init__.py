"""The HTTP service for courier apps and the local web page for people.

A thin shell over :class:`redact.Redactor`: it parses requests, runs the API on a bounded worker pool, and
formats results. No redaction logic lives here.

    from redact.service import create_app, run
    app = create_app(api_key="secret", workers=2, queue=4)   # an ASGI app (FastAPI)
    run("127.0.0.1", 8000, api_key=None, workers=1)           # uvicorn, graceful shutdown on SIGINT/SIGTERM

FastAPI and uvicorn are imported only when these functions are called (the ``serve`` extra).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .settings import (
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_PIXELS,
    DEFAULT_QUEUE,
    DEFAULT_WORKERS,
    ServiceSettings,
)

if TYPE_CHECKING:  # pragma: no cover
    from fastapi import FastAPI

    from ..config import Config


def create_app(
    config: "Config | None" = None,
    *,
    api_key: str | None = None,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    workers: int = DEFAULT_WORKERS,
    queue: int = DEFAULT_QUEUE,
    allow_reveal: bool = False,
    report_cache: int = 256,
    warm: bool = True,
) -> "FastAPI":
    """Build the ASGI app. Models load in the background at startup (``/readyz`` is 503 until warm)."""
    from .routes import build_app

    settings = ServiceSettings(
        api_key=api_key or None,
        max_body_bytes=max_body_bytes,
        max_pixels=max_pixels,
        workers=workers,
        queue=queue,
        allow_reveal=allow_reveal,
        report_cache=report_cache,
        warm=warm,
    )
    return build_app(config, settings)


def run(
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    config: "Config | None" = None,
    api_key: str | None = None,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    workers: int = DEFAULT_WORKERS,
    queue: int = DEFAULT_QUEUE,
    allow_reveal: bool = False,
    report_cache: int = 256,
    warm: bool = True,
    log_level: str = "info",
    graceful_timeout: float = 60.0,
    **uvicorn_kwargs: Any,
) -> None:
    """Serve until SIGINT/SIGTERM; then stop accepting, finish in-flight requests, exit."""
    from .routes import serve

    app = create_app(
        config,
        api_key=api_key,
        max_body_bytes=max_body_bytes,
        max_pixels=max_pixels,
        workers=workers,
        queue=queue,
        allow_reveal=allow_reveal,
        report_cache=report_cache,
        warm=warm,
    )
    serve(app, host, port, log_level=log_level, graceful_timeout=graceful_timeout, **uvicorn_kwargs)


__all__ = ["create_app", "run", "ServiceSettings"]
