"""Load: read the bytes (size limits), decode, apply the EXIF orientation to the pixels, check the pixel limit.

Loading applies the EXIF orientation to the pixels first, so everything downstream sees the photo as a person
does. ``preview`` gives a JPEG seen small, fast (a DCT-domain decode), for locating while the full decode runs.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path
from typing import Optional, Tuple, Union

import numpy as np
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from ..config import Config
from ..errors import InputNotFound, TooLarge, UnreadableInput, UnsupportedFormat
from ..types import Photo, PhotoMeta
from .formats import READ_FORMATS, SUPPORTED_NAMES
from .metadata import kept_exif, meta_of

try:  # HEIC/HEIF from phones
    import pillow_heif

    pillow_heif.register_heif_opener()
    _HEIF = True
except Exception:  # pragma: no cover - optional
    _HEIF = False

Image.MAX_IMAGE_PIXELS = None  # we enforce our own limit before decoding, with a clear error
ImageFile.LOAD_TRUNCATED_IMAGES = False

SUPPORTED = READ_FORMATS  # container formats Pillow may report for an input we decode

Source = Union[str, Path, bytes, bytearray, memoryview, np.ndarray, Image.Image]


def _read_bytes(src: Union[str, Path], config: Config) -> bytes:
    p = Path(src)
    if not p.exists():
        raise InputNotFound("no such file", path=str(src))
    if p.is_dir():
        raise UnsupportedFormat("is a directory, not an image", path=str(src))
    size = p.stat().st_size
    if size == 0:
        raise UnreadableInput("empty file (0 bytes)", path=str(src))
    if size > config.max_bytes:
        raise TooLarge(f"file is {size / 1e6:.1f} MB, over the {config.max_bytes / 1e6:.0f} MB limit", path=str(src))
    try:
        return p.read_bytes()
    except OSError as e:
        raise UnreadableInput(f"cannot read file ({e.strerror or type(e).__name__})", path=str(src)) from None


def _to_rgb(img: Image.Image) -> Tuple[np.ndarray, Optional[np.ndarray]]:
    """Any PIL mode to (HxWx3 uint8 RGB, optional HxW uint8 alpha)."""
    mode = img.mode
    alpha = None
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        a = np.asarray(img, dtype=np.float64)
        hi = 65535.0 if mode.startswith("I;16") or a.max() > 255 else 255.0
        g = np.clip(a * (255.0 / hi), 0, 255).astype(np.uint8)
        return np.repeat(g[:, :, None], 3, axis=2), None
    if mode == "F":
        a = np.asarray(img, dtype=np.float64)
        lo, hi = float(a.min()), float(a.max())
        g = np.zeros(a.shape, np.uint8) if hi <= lo else ((a - lo) * (255.0 / (hi - lo))).astype(np.uint8)
        return np.repeat(g[:, :, None], 3, axis=2), None
    if mode == "P" and "transparency" in img.info:
        img = img.convert("RGBA")
        mode = "RGBA"
    if mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = img.convert("RGBA")
        arr = np.asarray(rgba)
        alpha = np.ascontiguousarray(arr[:, :, 3])
        return np.ascontiguousarray(arr[:, :, :3]), alpha
    if mode != "RGB":
        img = img.convert("RGB")
    return np.asarray(img), None


def load(src: Source, config: Optional[Config] = None, *, name: str = "") -> Photo:
    """Decode an image from a path, bytes, a PIL image or an RGB array; apply EXIF orientation; check limits."""
    config = config or Config()
    if isinstance(src, np.ndarray):
        arr = src
        if arr.ndim == 2:
            arr = np.repeat(arr[:, :, None], 3, axis=2)
        if arr.ndim != 3 or arr.shape[2] not in (3, 4):
            raise UnsupportedFormat(f"array of shape {arr.shape} is not an RGB image", path=name or None)
        if arr.shape[0] * arr.shape[1] > config.max_pixels:
            raise TooLarge(f"{arr.shape[1]}x{arr.shape[0]} px is over the {config.max_pixels:,} pixel limit",
                           path=name or None)
        alpha = np.ascontiguousarray(arr[:, :, 3]) if arr.shape[2] == 4 else None
        rgb = np.ascontiguousarray(arr[:, :, :3]).astype(np.uint8, copy=False)
        return Photo(pixels=rgb, meta=PhotoMeta(format="PNG", mode="RGB"), alpha=alpha, name=name)
    if isinstance(src, Image.Image):
        return _from_image(src, config, name, name or None)
    data, name, label = read_source(src, config, name)
    return decode(data, config, name=name, label=label)


def read_source(src: Union[str, Path, bytes, bytearray, memoryview], config: Config,
                name: str = "") -> Tuple[bytes, str, Optional[str]]:
    """The encoded bytes of a path or a buffer (size limits checked), its name, and the label its errors carry."""
    if isinstance(src, (str, Path)):
        return _read_bytes(src, config), name or Path(src).name, str(src)
    label = name or None
    data = bytes(src)
    if not data:
        raise UnreadableInput("empty input (0 bytes)", path=label)
    if len(data) > config.max_bytes:
        raise TooLarge(f"input is {len(data) / 1e6:.1f} MB, over the {config.max_bytes / 1e6:.0f} MB limit",
                       path=label)
    return data, name, label


def decode(data: bytes, config: Config, *, name: str = "", label: Optional[str] = None) -> Photo:
    try:
        img = Image.open(io.BytesIO(data))
    except UnidentifiedImageError:
        raise UnsupportedFormat(f"not an image in a supported format ({SUPPORTED_NAMES})",
                                path=label) from None
    except Exception as e:  # corrupt headers
        raise UnreadableInput(f"corrupt image header ({type(e).__name__})", path=label) from None
    return _from_image(img, config, name, label, data)



PREVIEW_SLACK = 0.95  # a JPEG preview may be this much smaller than asked, when the DCT scale gives it for free


def preview(data: bytes, side: int, config: Config) -> Optional[Tuple[np.ndarray, float]]:
    """A JPEG seen small, fast: decoded at 1/2..1/8 scale in the DCT domain (a fraction of a full decode),
    EXIF orientation applied, resized so its long side is ``side``. ``(view, scale)`` as
    ``locate.resize_long`` would give from the full photo, or None (not a JPEG, small, odd, or broken: the
    full decode decides then)."""
    import cv2

    try:
        img = Image.open(io.BytesIO(data))
        if img.format not in ("JPEG", "MPO") or img.mode not in ("RGB", "L", "CMYK", "YCbCr"):
            return None
        w, h = img.size
        if w * h > config.max_pixels or max(w, h) < 2 * side:
            return None
        orientation = int(img.getexif().get(0x0112, 1) or 1)
        s = side / float(max(w, h))
        # a DCT scale that lands up to 5 % short of the side is taken as it is: 4000 px at 1/4 is 1000 px, a
        # third of the decoding time of 1/2 and no resize (a 2000 -> 1024 area resize costs as much again)
        img.draft("RGB", (max(1, int(w * s * PREVIEW_SLACK)), max(1, int(h * s * PREVIEW_SLACK))))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            img.load()
            if orientation not in (0, 1):
                img = ImageOps.exif_transpose(img)
        if img.mode != "RGB":
            img = img.convert("RGB")
        small = np.asarray(img)
        W, H = (h, w) if orientation in (5, 6, 7, 8) else (w, h)
        k = round(W / max(1, small.shape[1]))
        if (k in (2, 4, 8) and max(small.shape[:2]) <= side and small.shape[1] == -(-W // k)
                and small.shape[0] == -(-H // k)):
            return np.ascontiguousarray(small), 1.0 / k
        size = (max(1, round(W * s)), max(1, round(H * s)))
        if small.shape[1] < size[0] or small.shape[0] < size[1]:
            return None
        return cv2.resize(small, size, interpolation=cv2.INTER_AREA), s
    except Exception:
        return None


def _orient(a: np.ndarray, orientation: int) -> np.ndarray:
    """EXIF orientation applied to an HxWxC array, as ``ImageOps.exif_transpose`` does."""
    import cv2

    if orientation == 2:
        return cv2.flip(a, 1)
    if orientation == 3:
        return cv2.rotate(a, cv2.ROTATE_180)
    if orientation == 4:
        return cv2.flip(a, 0)
    if orientation == 5:
        return cv2.transpose(a)
    if orientation == 6:
        return cv2.rotate(a, cv2.ROTATE_90_CLOCKWISE)
    if orientation == 7:
        return cv2.rotate(cv2.transpose(a), cv2.ROTATE_180)
    if orientation == 8:
        return cv2.rotate(a, cv2.ROTATE_90_COUNTERCLOCKWISE)
    return a



def decode_jpeg(data: bytes, size: Tuple[int, int], orientation: int) -> Optional[np.ndarray]:
    """A colour JPEG decoded straight into an RGB array (libjpeg-turbo through OpenCV): PIL decodes into
    4 bytes a pixel and then copies out to 3, which costs as much as the decode. None: let PIL decode it
    (and name what is wrong)."""
    import cv2

    if not data.rstrip(b"\0").endswith(b"\xff\xd9"):  # no end marker (truncated, or a trailer): PIL decides
        return None
    rgb_flag = getattr(cv2, "IMREAD_COLOR_RGB", None)  # OpenCV >= 4.11 (the paddle extra pins an older one)
    try:
        a = cv2.imdecode(np.frombuffer(data, np.uint8),
                         (cv2.IMREAD_COLOR if rgb_flag is None else rgb_flag) | cv2.IMREAD_IGNORE_ORIENTATION)
        if rgb_flag is None and a is not None and a.ndim == 3:
            a = cv2.cvtColor(a, cv2.COLOR_BGR2RGB)
    except cv2.error:
        return None
    if a is None or a.ndim != 3 or a.shape[2] != 3 or a.dtype != np.uint8 or (a.shape[1], a.shape[0]) != size:
        return None
    return np.ascontiguousarray(_orient(a, orientation))


def _from_image(img: Image.Image, config: Config, name: str, label: Optional[str],
                data: Optional[bytes] = None) -> Photo:
    fmt = (img.format or "PNG").upper()
    if fmt not in SUPPORTED:
        raise UnsupportedFormat(f"format {fmt} is not supported ({SUPPORTED_NAMES})", path=label)
    w, h = img.size
    if w <= 0 or h <= 0:
        raise UnreadableInput("image has no pixels", path=label)
    if w * h > config.max_pixels:
        raise TooLarge(f"{w}x{h} px is over the {config.max_pixels:,} pixel limit", path=label)
    meta = meta_of(img, fmt)
    icc = img.info.get("icc_profile")
    exif = kept_exif(img, meta) if config.keep_metadata else None
    if data is not None and fmt in ("JPEG", "MPO") and img.mode == "RGB":  # MPO: the first picture
        rgb = decode_jpeg(data, (w, h), meta.exif_orientation)
        if rgb is not None:
            return Photo(pixels=rgb, meta=meta, alpha=None, icc_profile=icc, name=name, exif=exif)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            img.load()
            oriented = ImageOps.exif_transpose(img) if meta.exif_orientation not in (0, 1) else img
    except (OSError, SyntaxError, ValueError) as e:
        msg = str(e).lower()
        why = "truncated image data" if "truncat" in msg else f"corrupt image data ({type(e).__name__})"
        raise UnreadableInput(why, path=label) from None
    except Image.DecompressionBombError:
        raise TooLarge("decompression bomb", path=label) from None
    rgb, alpha = _to_rgb(oriented)
    return Photo(pixels=np.ascontiguousarray(rgb), meta=meta, alpha=alpha, icc_profile=icc, name=name, exif=exif)
