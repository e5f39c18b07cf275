"""parcel-redact: find and irreversibly redact personal data on shipping labels in parcel photos."""

from __future__ import annotations

__version__ = "0.1.0"

import os as _os

# Offline means offline: onnxruntime >= 1.29 on Linux resolves a telemetry host a few seconds after the
# first session starts unless this is set before it loads (see docs/backends.md).
_os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")

from .config import Config, Policy  # noqa: E402
from .errors import RedactError  # noqa: E402
from .types import Category, Role, Style  # noqa: E402


def __getattr__(name):  # lazy: nothing heavy at import time
    if name in ("Redactor", "RedactResult"):
        from . import api

        return getattr(api, name)
    raise AttributeError(name)


__all__ = ["Redactor", "RedactResult", "Config", "Policy", "RedactError", "Category", "Role", "Style"]
