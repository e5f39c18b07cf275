"""Real, decodable symbols rendered with zxing-cpp's writer (module matrices, no quiet zone)."""

from __future__ import annotations

import functools

import numpy as np


@functools.lru_cache(maxsize=256)
def _render(payload: str, fmt: str) -> bytes:
    import zxingcpp

    f = getattr(zxingcpp.BarcodeFormat, fmt)
    kwargs = {}
    if fmt == "QRCode":
        kwargs["options"] = "ecLevel=M"
    try:
        bc = zxingcpp.create_barcode(payload, f, **kwargs)
    except (TypeError, ValueError, RuntimeError):  # older/newer option names: fall back to defaults
        bc = zxingcpp.create_barcode(payload, f)
    img = np.asarray(zxingcpp.write_barcode_to_image(bc, scale=1, add_hrt=False, add_quiet_zones=False))
    if img.ndim == 3:
        img = img[..., 0]
    dark = img < 128
    return (
        np.packbits(dark).tobytes()
        + dark.shape[0].to_bytes(4, "little")
        + dark.shape[1].to_bytes(4, "little")
    )


def render_symbol(payload: str, fmt: str) -> np.ndarray:
    """Bool module matrix (True = dark). 1-D symbols come back as a 1 x N row."""
    raw = _render(payload, fmt)
    h = int.from_bytes(raw[-8:-4], "little")
    w = int.from_bytes(raw[-4:], "little")
    dark = np.unpackbits(np.frombuffer(raw[:-8], np.uint8))[: h * w].reshape(h, w).astype(bool)
    if fmt in ("Code128", "Code39", "Code93", "ITF", "Codabar", "EAN13"):
        dark = dark[dark.shape[0] // 2 : dark.shape[0] // 2 + 1]
    return dark
