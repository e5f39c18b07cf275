"""The one Python API every shell (CLI, HTTP service, batch runner, web page) calls.

    from redact import Redactor
    with Redactor() as r:                    # models load lazily, once, and are reused
        result = r.redact("photo.jpg")       # -> RedactResult(data=bytes, format, pixels, report)
        report = r.analyze(open("photo.jpg", "rb").read())   # -> Report, nothing rendered

Inputs may be a path, bytes, a PIL image or an HxWx3 uint8 RGB array. ``close()`` (or leaving the ``with``
block) shuts the side threads down and forgets the analyses cached for "analyze, then render".

This module is the front door only: the stage sequence is ``redact.pipeline``, the side threads
``redact.schedule``, the stages ``redact.stages``.
"""

from __future__ import annotations

from .pipeline import Redactor
from .result import ImageInput, RedactResult, default_output_path, photo_seed, pixels_digest
from .schedule import SIDE_NICE
from .stages.plan import PROPOSAL_TOL, kept_proposals
from .types import Analysis

__all__ = [
    "Analysis",
    "ImageInput",
    "PROPOSAL_TOL",
    "RedactResult",
    "Redactor",
    "SIDE_NICE",
    "default_output_path",
    "kept_proposals",
    "photo_seed",
    "pixels_digest",
]
