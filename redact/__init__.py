"""parcel-redact: find and irreversibly redact personal data on shipping labels in parcel photos."""

from __future__ import annotations

__version__ = "0.1.0"

from .config import Config, Policy  # noqa: E402
from .errors import RedactError  # noqa: E402
from .types import Category, Role, Style  # noqa: E402


def __getattr__(name):  # lazy: nothing heavy at import time
    if name in ("Redactor", "RedactResult"):
        from . import api

        return getattr(api, name)
    raise AttributeError(name)


__all__ = ["Redactor", "RedactResult", "Config", "Policy", "RedactError", "Category", "Role", "Style"]
