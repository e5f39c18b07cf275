"""Reading a request's photo: the body within its limit, the content type, the multipart form, the user's
masks, and the header checks that refuse a non-image or an over-limit image before it takes a worker.

Nothing here decodes pixels: the worker hands the upload's bytes to the API (``Redactor.redact`` /
``analyze``), which decodes, applies the EXIF orientation and caches the analysis by the bytes' SHA-256.
"""

from __future__ import annotations

import io
import json
import math
import warnings
from dataclasses import dataclass
from typing import Any, AsyncIterator, Dict, List, Optional, Sequence, Tuple

from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request

from ..config import Config
from ..errors import TooLarge, UnreadableInput, UnsupportedFormat
from ..io.formats import SERVICE_FORMATS, SUPPORTED_NAMES
from .errors import ServiceError
from .settings import MAX_FORM_FIELD_BYTES, MAX_MASK_POINTS, MAX_MASKS, STYLES, ServiceSettings

# curl --data-binary sends application/x-www-form-urlencoded unless told otherwise: read it as raw bytes
RAW_TYPES = ("image/", "application/octet-stream", "application/x-www-form-urlencoded")

Polygon = List[Tuple[float, float]]


@dataclass
class Upload:
    data: bytes
    style: Optional[str] = None
    format: Optional[str] = None
    masks: Optional[List[Polygon]] = None


async def read_body(request: Request, limit: int) -> bytes:
    cl = request.headers.get("content-length")
    if cl is not None:
        try:
            n = int(cl)
        except ValueError:
            raise ServiceError(400, "usage", "invalid Content-Length header") from None
        if n > limit:
            raise TooLarge(f"body is {n / 1e6:.1f} MB, over the {limit / 1e6:.1f} MB limit")
    chunks: List[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge(f"body is over the {limit / 1e6:.1f} MB limit")
        chunks.append(chunk)
    return b"".join(chunks)


def content_type(request: Request) -> str:
    return (request.headers.get("content-type") or "").split(";", 1)[0].strip().lower()


async def parse_multipart(request: Request, body: bytes) -> Dict[str, Any]:
    async def stream() -> AsyncIterator[bytes]:
        yield body

    parser = MultiPartParser(
        request.headers, stream(), max_files=1, max_fields=8, max_part_size=MAX_FORM_FIELD_BYTES
    )
    try:
        form = await parser.parse()
    except MultiPartException as e:
        raise ServiceError(400, "usage", f"malformed multipart body: {e.message}") from None
    except Exception:
        raise ServiceError(400, "usage", "malformed multipart body") from None
    out: Dict[str, Any] = {}
    try:
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                if key != "file":
                    raise ServiceError(
                        400, "usage", f"unexpected file field {key[:40]!r}: send the photo as 'file'"
                    )
                out["file"] = await value.read()
            else:
                out[key] = value
    finally:
        await form.close()
    return out


def parse_masks(raw: Any) -> List[Polygon]:
    """A JSON list of polygons: ``[[[x, y], [x, y], [x, y], ...], ...]`` or ``[{"polygon": [...]}, ...]``."""
    if raw is None or raw == "":
        raise ServiceError(400, "usage", "form field 'masks' is required: a JSON list of polygons")
    try:
        data = json.loads(raw)
    except (ValueError, TypeError):
        raise ServiceError(400, "usage", "'masks' is not valid JSON") from None
    if not isinstance(data, list):
        raise ServiceError(400, "usage", "'masks' must be a JSON list of polygons")
    if len(data) > MAX_MASKS:
        raise ServiceError(400, "usage", f"too many masks ({len(data)}; at most {MAX_MASKS})")
    polys: List[Polygon] = []
    for i, item in enumerate(data):
        if isinstance(item, dict):
            item = item.get("polygon")
        if not isinstance(item, list) or not 3 <= len(item) <= MAX_MASK_POINTS:
            raise ServiceError(
                400, "usage", f"mask {i}: a polygon needs 3 to {MAX_MASK_POINTS} [x, y] points"
            )
        pts: Polygon = []
        for p in item:
            if (
                not isinstance(p, (list, tuple))
                or len(p) != 2
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in p)
                or not all(math.isfinite(float(v)) and abs(float(v)) < 1e7 for v in p)
            ):
                raise ServiceError(400, "usage", f"mask {i}: every point must be [x, y] with finite numbers")
            pts.append((float(p[0]), float(p[1])))
        polys.append(pts)
    return polys


def check_choice(name: str, value: Any, choices: Sequence[str]) -> Optional[str]:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or value.lower() not in choices:
        raise ServiceError(400, "usage", f"{name} must be one of: {', '.join(choices)}")
    return value.lower()


async def read_upload(request: Request, settings: ServiceSettings, *, want_masks: bool = False) -> Upload:
    ctype = content_type(request)
    if ctype == "multipart/form-data":
        body = await read_body(request, settings.max_body_bytes)
        form = await parse_multipart(request, body)
        del body
        if "file" not in form:
            raise ServiceError(400, "usage", "multipart body has no 'file' field with the photo")
        up = Upload(
            data=form["file"],
            style=check_choice("style", form.get("style"), STYLES),
            format=check_choice("format", form.get("format"), list(SERVICE_FORMATS)),
        )
        if want_masks:
            up.masks = parse_masks(form.get("masks"))
    elif want_masks:
        raise ServiceError(
            415,
            "unsupported_media_type",
            "send multipart/form-data with a 'file' field (the photo) and a 'masks' field (JSON)",
        )
    elif ctype == "" or ctype.startswith(RAW_TYPES):
        up = Upload(data=await read_body(request, settings.max_body_bytes))
    else:
        raise ServiceError(
            415,
            "unsupported_media_type",
            f"content type {ctype[:60]!r} is not an image: send the photo as the raw body "
            "(image/* or application/octet-stream) or as multipart/form-data field 'file'",
        )
    if not up.data:
        raise UnreadableInput("empty input (0 bytes)")
    if len(up.data) > settings.max_body_bytes:
        raise TooLarge(f"photo is over the {settings.max_body_bytes / 1e6:.1f} MB limit")
    precheck_pixels(up.data, settings.max_pixels)
    return up


def precheck_pixels(data: bytes, max_pixels: int) -> None:
    """Refuse an over-limit image from its header alone, before it takes a worker (``HeaderCheck`` and the
    API's decoder check again)."""
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(data)) as im:
                w, h = im.size
    except Image.DecompressionBombError:
        raise TooLarge(f"image is over the {max_pixels:,} pixel limit") from None
    except Exception:
        return
    if w * h > max_pixels:
        raise TooLarge(f"{w}x{h} px is over the {max_pixels:,} pixel limit")


class HeaderCheck:
    """Checks an admitted upload's header beside the OCR workers (the API's byte limits, a known format), so
    that a file that is not an image gets its 4xx at once instead of waiting behind photos being read. It
    decodes nothing and returns the bytes the worker hands to the API."""

    def __init__(self, config: Config):
        self._config = config

    def __call__(self, data: bytes) -> bytes:
        from PIL import Image, UnidentifiedImageError

        from ..io import photo as photo_mod

        data, _, label = photo_mod.read_source(data, self._config, "upload")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                with Image.open(io.BytesIO(data)):
                    pass
        except UnidentifiedImageError:
            raise UnsupportedFormat(
                f"not an image in a supported format ({SUPPORTED_NAMES})", path=label
            ) from None
        except Image.DecompressionBombError:
            raise TooLarge(f"image is over the {self._config.max_pixels:,} pixel limit", path=label) from None
        except Exception as e:  # noqa: BLE001 - corrupt headers
            raise UnreadableInput(f"corrupt image header ({type(e).__name__})", path=label) from None
        return data
