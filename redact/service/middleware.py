"""What wraps every request: the security headers, and the log lines (never a personal value: counts,
timings, exception types and code locations only)."""

from __future__ import annotations

import json
import logging
import traceback
from pathlib import Path
from typing import Any, Dict

from starlette.requests import Request

from ..report import Report

log = logging.getLogger("redact.service")


class SecurityHeaders:
    """Pure ASGI middleware: the page and the API only ever talk to this origin. An exception that escapes
    the app is logged (type and place) and answered with a bare 500."""

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


def log_done(request: Request, report: Report) -> None:
    """One line per answered photo: the counts per category and the time, no value."""
    counts = report.counts()
    total = report.timings.get("total")
    log.info(
        "%s %s ok: %d field(s) %s%s",
        request.method,
        request.url.path,
        sum(counts.values()),
        ",".join(f"{k}={v}" for k, v in sorted(counts.items())),
        f" in {total:.2f}s" if isinstance(total, (int, float)) else "",
    )
