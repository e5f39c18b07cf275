"""Every limit of the service in one place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

DEFAULT_MAX_BODY_BYTES = 25_000_000  # 25 MB (10^6 bytes); a 12 MP phone JPEG is 3-8 MB; HEIC less
DEFAULT_MAX_PIXELS = 50_000_000  # 50 MP: every phone camera, not a decompression bomb
DEFAULT_WORKERS = 1  # one Redactor per worker (models loaded once each); each uses Config.threads
DEFAULT_QUEUE = 4  # requests waiting beyond the workers; more get 429 + Retry-After
MAX_MASKS = 500  # user-edited masks per /v1/render request
MAX_MASK_POINTS = 64  # points per user polygon
MAX_FORM_FIELD_BYTES = 1024 * 1024  # the JSON masks field of a multipart request


@dataclass(frozen=True)
class ServiceSettings:
    api_key: Optional[str] = None
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    max_pixels: int = DEFAULT_MAX_PIXELS
    workers: int = DEFAULT_WORKERS
    queue: int = DEFAULT_QUEUE
    allow_reveal: bool = False  # may clients ask for personal values (?reveal=true)?
    report_cache: int = 256  # reports kept for GET /v1/reports/{id} (LRU, in memory)
    warm: bool = True  # load models in the background at startup

    def __post_init__(self) -> None:
        if self.workers < 1:
            raise ValueError("workers must be >= 1")
        if self.queue < 0:
            raise ValueError("queue must be >= 0")
        if self.max_body_bytes < 1 or self.max_pixels < 1:
            raise ValueError("limits must be positive")
        if self.report_cache < 1:
            raise ValueError("report_cache must be >= 1")
