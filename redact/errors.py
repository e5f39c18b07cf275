"""One small error hierarchy, mapped once to CLI exit codes and HTTP status codes.

Messages never carry a personal value: they name the file and the reason only.
"""

from __future__ import annotations


class RedactError(Exception):
    """Base class. ``exit_code`` for the CLI, ``http_status`` for the service."""

    exit_code = 1
    http_status = 500
    kind = "error"

    def __init__(self, message: str, *, path: str | None = None):
        super().__init__(message)
        self.message = message
        self.path = path

    def __str__(self) -> str:  # one line, file first
        return f"{self.path}: {self.message}" if self.path else self.message


class InputNotFound(RedactError):
    exit_code = 3
    http_status = 404
    kind = "not_found"


class UnreadableInput(RedactError):
    """Empty, truncated or corrupt image data."""

    exit_code = 4
    http_status = 422
    kind = "unreadable"


class UnsupportedFormat(RedactError):
    """Not an image format we read (a text file named .jpg, a PDF, ...)."""

    exit_code = 5
    http_status = 415
    kind = "unsupported_format"


class TooLarge(RedactError):
    """Over the pixel or byte limit."""

    exit_code = 6
    http_status = 413
    kind = "too_large"


class EngineError(RedactError):
    """An OCR / symbol engine or its model files failed (missing or altered model file, runtime error)."""

    exit_code = 7
    http_status = 500
    kind = "engine"


class UnsafeOutput(RedactError):
    """Fail closed: the self-check still read a masked value after hardening; nothing is written."""

    exit_code = 8
    http_status = 500
    kind = "unsafe"


class UsageError(RedactError):
    exit_code = 2
    http_status = 400
    kind = "usage"


EXIT_CODES = {
    cls.kind: cls.exit_code
    for cls in (RedactError, InputNotFound, UnreadableInput, UnsupportedFormat, TooLarge, EngineError, UnsafeOutput, UsageError)
}
