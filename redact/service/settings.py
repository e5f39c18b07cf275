"""Every setting of the service in one place: its default, its environment variable, its command-line help.

``ServiceSettings`` is the one definition. ``create_app`` and ``run`` take it (or its fields as keywords);
``python -m redact.service`` and ``redact serve`` build their options from :data:`OPTIONS` and read the
environment once, through :meth:`ServiceSettings.from_env`. Nothing else spells a default or reads a variable.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any, Dict, Mapping, Optional, Tuple

from ..types import Style

if TYPE_CHECKING:  # pragma: no cover
    from ..config import Config

DEFAULT_MAX_BODY_BYTES = 25_000_000  # 25 MB (10^6 bytes); a 12 MP phone JPEG is 3-8 MB; HEIC less
DEFAULT_MAX_PIXELS = 50_000_000  # 50 MP: every phone camera, not a decompression bomb
DEFAULT_WORKERS = 1  # one Redactor per worker (models loaded once each); each uses Config.threads
DEFAULT_QUEUE = 4  # requests waiting beyond the workers; more get 429 + Retry-After
MAX_MASKS = 500  # user-edited masks per /v1/render request
MAX_MASK_POINTS = 64  # points per user polygon
MAX_FORM_FIELD_BYTES = 1024 * 1024  # the JSON masks field of a multipart request
STYLES: Tuple[str, ...] = tuple(s.value for s in Style)


@dataclass(frozen=True)
class Option:
    """How a setting appears on a command line: its help, its value type, its environment variable."""

    help: str
    type: type = str
    env: Optional[str] = None
    choices: Tuple[str, ...] = ()

    def parse_env(self, raw: str) -> Any:
        if self.type is bool:
            return raw.strip().lower() in ("1", "true", "yes", "on")
        return self.type(raw)


def _setting(default: Any, help: str, **kw: Any) -> Any:
    return field(default=default, metadata={"option": Option(help, **kw)})


@dataclass(frozen=True)
class ServiceSettings:
    api_key: Optional[str] = _setting(
        None, "Require this X-API-Key (env REDACT_API_KEY).", env="REDACT_API_KEY"
    )
    max_body_bytes: int = _setting(
        DEFAULT_MAX_BODY_BYTES, "Largest request body in bytes (413 beyond it).", type=int
    )
    max_pixels: int = _setting(DEFAULT_MAX_PIXELS, "Largest image in pixels (413 beyond it).", type=int)
    workers: int = _setting(DEFAULT_WORKERS, "Concurrent redactions (models loaded once each).", type=int)
    queue: int = _setting(DEFAULT_QUEUE, "Requests that may wait for a worker; beyond it: 429.", type=int)
    allow_reveal: bool = _setting(False, "Allow ?reveal=true on /v1/analyze.", type=bool)
    report_cache: int = _setting(256, "Reports kept in memory for GET /v1/reports/{id}.", type=int)
    warm: bool = _setting(
        True, "Do not load the models at start-up (they load at the first request).", type=bool
    )
    host: str = _setting("127.0.0.1", "Address to listen on.")
    port: int = _setting(8000, "TCP port (1-65535).", type=int)
    style: Optional[str] = _setting(
        None, "Default look of the masks (default: blur); a request's own style wins.", choices=STYLES
    )
    threads: Optional[int] = _setting(
        None, "OCR threads per worker (default: the CPU cores divided by --workers).", type=int
    )
    log_level: str = _setting("info", "Log level (debug, info, warning, error).")
    graceful_timeout: float = _setting(
        60.0, "Seconds to finish in-flight requests after SIGINT/SIGTERM.", type=float
    )

    def __post_init__(self) -> None:
        if not self.api_key:
            object.__setattr__(self, "api_key", None)
        if self.workers < 1:
            raise ValueError("workers must be >= 1")
        if self.queue < 0:
            raise ValueError("queue must be >= 0")
        if self.max_body_bytes < 1 or self.max_pixels < 1:
            raise ValueError("limits must be positive")
        if self.report_cache < 1:
            raise ValueError("report_cache must be >= 1")
        if not 0 <= self.port <= 65535:
            raise ValueError(f"port {self.port} is not a TCP port (1-65535)")
        if self.style is not None and self.style not in STYLES:
            raise ValueError(f"style must be one of: {', '.join(STYLES)}")
        if self.threads is not None and self.threads < 1:
            raise ValueError("threads must be >= 1")

    @classmethod
    def from_env(cls, environ: Optional[Mapping[str, str]] = None, **given: Any) -> "ServiceSettings":
        """The defaults, then the environment variables of the settings that have one, then ``given``
        (what a command line said; None means not said). The one place the environment is read."""
        env = os.environ if environ is None else environ
        values: Dict[str, Any] = {}
        for f in fields(cls):
            opt: Option = f.metadata["option"]
            if opt.env and env.get(opt.env):
                values[f.name] = opt.parse_env(env[opt.env])
        values.update({k: v for k, v in given.items() if v is not None})
        return cls(**values)

    def with_(self, **changes: Any) -> "ServiceSettings":
        return replace(self, **changes)

    def redactor_config(self, config: "Optional[Config]" = None) -> "Config":
        """The Config each worker's Redactor runs with: ``config`` (default: the CPU cores shared among the
        workers), with this server's style and threads if set, and its limits."""
        from ..config import Config, default_threads

        if config is None:
            config = Config(threads=max(1, default_threads() // self.workers))
        changes: Dict[str, Any] = {"max_pixels": self.max_pixels, "max_bytes": self.max_body_bytes}
        if self.style is not None:
            changes["style"] = Style(self.style)
        if self.threads is not None:
            changes["threads"] = self.threads
        return config.with_(**changes)


# shown in this order on the command line: what most people set first
CLI_ORDER: Tuple[str, ...] = (
    "host",
    "port",
    "workers",
    "queue",
    "api_key",
    "allow_reveal",
    "style",
    "threads",
    "max_body_bytes",
    "max_pixels",
    "report_cache",
    "warm",
    "log_level",
    "graceful_timeout",
)
# name -> (default, Option) of every setting
OPTIONS: Dict[str, Tuple[Any, Option]] = {
    f.name: (f.default, f.metadata["option"])
    for f in sorted(fields(ServiceSettings), key=lambda f: CLI_ORDER.index(f.name))
}


def flag(name: str) -> str:
    """The command-line flag of a setting: ``--max-body-bytes``; a setting that is on by default is
    turned off with ``--no-NAME``."""
    default, opt = OPTIONS[name]
    dashed = name.replace("_", "-")
    return f"--no-{dashed}" if opt.type is bool and default else f"--{dashed}"
