"""``python -m redact.service``: start the HTTP service (the same as ``redact serve``, more knobs)."""

from __future__ import annotations

import argparse
import logging
import os

from . import run
from .settings import DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_PIXELS, DEFAULT_QUEUE, DEFAULT_WORKERS


def main(argv: "list[str] | None" = None) -> None:
    p = argparse.ArgumentParser(prog="python -m redact.service", description=__doc__)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=DEFAULT_WORKERS)
    p.add_argument("--queue", type=int, default=DEFAULT_QUEUE)
    p.add_argument("--api-key", default=os.environ.get("REDACT_API_KEY"))
    p.add_argument("--max-body-bytes", type=int, default=DEFAULT_MAX_BODY_BYTES)
    p.add_argument("--max-pixels", type=int, default=DEFAULT_MAX_PIXELS)
    p.add_argument("--allow-reveal", action="store_true")
    p.add_argument("--no-warm", action="store_true", help="do not load models at start-up (lazy)")
    p.add_argument("--style", default=None, choices=["fill", "noise", "pixelate", "blur"])
    p.add_argument("--threads", type=int, default=None, help="OCR threads per worker")
    p.add_argument("--graceful-timeout", type=float, default=60.0)
    p.add_argument("--log-level", default="info")
    a = p.parse_args(argv)
    logging.basicConfig(level=a.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    config = None
    if a.style or a.threads:
        from ..config import Config, default_threads
        from ..types import Style

        kw = {"threads": a.threads or max(1, default_threads() // a.workers)}
        if a.style:
            kw["style"] = Style(a.style)
        config = Config(**kw)
    run(
        a.host,
        a.port,
        config=config,
        api_key=a.api_key,
        max_body_bytes=a.max_body_bytes,
        max_pixels=a.max_pixels,
        workers=a.workers,
        queue=a.queue,
        allow_reveal=a.allow_reveal,
        warm=not a.no_warm,
        log_level=a.log_level,
        graceful_timeout=a.graceful_timeout,
    )


if __name__ == "__main__":
    main()
