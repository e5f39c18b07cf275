"""The HTTP service for courier apps and the local web page for people.

A thin shell over :class:`redact.Redactor`: it parses requests, runs the API on a bounded worker pool, and
formats results. No redaction logic lives here.

    from redact.service import create_app, run
    app = create_app(api_key="secret", workers=2, queue=4)   # an ASGI app (FastAPI)
    run("127.0.0.1", 8000, api_key=None, workers=1)           # uvicorn, graceful shutdown on SIGINT/SIGTERM

Every setting, its default and its environment variable: :class:`ServiceSettings` (``settings.py``). The
keywords of ``create_app`` and ``run`` are its field names; ``settings=`` passes a whole one.

Modules: app (the app factory, ``serve``), routes (the endpoints), uploads (request parsing and header
checks), state (what a running service holds, the jobs a worker runs), pool (the bounded worker pool),
errors (errors as HTTP answers), middleware (security headers, logging), models (OpenAPI models).

FastAPI and uvicorn are imported only when these functions are called (the ``serve`` extra).
"""

from __future__ import annotations

from dataclasses import fields
from typing import TYPE_CHECKING, Any, Optional

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

SETTING_NAMES = frozenset(f.name for f in fields(ServiceSettings))


def create_app(
    config: "Config | None" = None, *, settings: Optional[ServiceSettings] = None, **changes: Any
) -> "FastAPI":
    """Build the ASGI app from ``settings`` (default: ``ServiceSettings()``) with ``changes`` (setting
    names: ``api_key``, ``workers``, ``queue``, ``max_body_bytes``, ...). Models load in the background at
    startup (``/readyz`` is 503 until warm)."""
    from .app import build_app

    unknown = set(changes) - SETTING_NAMES
    if unknown:
        raise TypeError(f"create_app() got unknown settings: {', '.join(sorted(unknown))}")
    s = settings or ServiceSettings()
    return build_app(config, s.with_(**changes) if changes else s)


def run(
    host: Optional[str] = None,
    port: Optional[int] = None,
    *,
    config: "Config | None" = None,
    settings: Optional[ServiceSettings] = None,
    **kw: Any,
) -> None:
    """Serve until SIGINT/SIGTERM; then stop accepting, finish in-flight requests, exit. Keywords that name
    a setting change it; any other keyword goes to ``uvicorn.Config``."""
    from .app import build_app, serve

    s = settings or ServiceSettings()
    changes = {k: kw.pop(k) for k in list(kw) if k in SETTING_NAMES}
    if host is not None:
        changes["host"] = host
    if port is not None:
        changes["port"] = port
    if changes:
        s = s.with_(**changes)
    serve(build_app(config, s), s, **kw)


__all__ = [
    "create_app",
    "run",
    "ServiceSettings",
    "DEFAULT_MAX_BODY_BYTES",
    "DEFAULT_MAX_PIXELS",
    "DEFAULT_QUEUE",
    "DEFAULT_WORKERS",
]
