"""Font lookup: Debian fonts only, nothing downloaded. Fails with a message naming the Debian package."""

from __future__ import annotations

import functools
import os

from PIL import ImageFont

FONT_DIRS = ("/usr/share/fonts/truetype", "/usr/share/fonts/opentype", "/usr/share/fonts")

# logical name -> (candidate files (relative to a font dir), collection index, Debian package)
_FONTS: dict[str, tuple[tuple[str, ...], int, str]] = {
    "zh": (("wqy/wqy-microhei.ttc",), 0, "fonts-wqy-microhei"),
    "zh_mono": (("wqy/wqy-microhei.ttc",), 1, "fonts-wqy-microhei"),
    "zh_heavy": (("wqy/wqy-zenhei.ttc",), 0, "fonts-wqy-zenhei"),
    "zh_sharp": (("wqy/wqy-zenhei.ttc",), 1, "fonts-wqy-zenhei"),
    "sans": (
        ("liberation2/LiberationSans-Regular.ttf", "liberation/LiberationSans-Regular.ttf"),
        0,
        "fonts-liberation2",
    ),
    "sans_bold": (
        ("liberation2/LiberationSans-Bold.ttf", "liberation/LiberationSans-Bold.ttf"),
        0,
        "fonts-liberation2",
    ),
    "narrow": (
        ("liberation/LiberationSansNarrow-Regular.ttf", "liberation2/LiberationSans-Regular.ttf"),
        0,
        "fonts-liberation2",
    ),
    "narrow_bold": (
        ("liberation/LiberationSansNarrow-Bold.ttf", "liberation2/LiberationSans-Bold.ttf"),
        0,
        "fonts-liberation2",
    ),
    "mono": (
        ("liberation2/LiberationMono-Regular.ttf", "liberation/LiberationMono-Regular.ttf"),
        0,
        "fonts-liberation2",
    ),
    "mono_bold": (
        ("liberation2/LiberationMono-Bold.ttf", "liberation/LiberationMono-Bold.ttf"),
        0,
        "fonts-liberation2",
    ),
    "dejavu": (("dejavu/DejaVuSans.ttf",), 0, "fonts-dejavu-core"),
    "dejavu_bold": (("dejavu/DejaVuSans-Bold.ttf",), 0, "fonts-dejavu-core"),
    "dejavu_cond_bold": (("dejavu/DejaVuSansCondensed-Bold.ttf",), 0, "fonts-dejavu-core"),
    "dejavu_mono": (("dejavu/DejaVuSansMono.ttf",), 0, "fonts-dejavu-core"),
    "dejavu_mono_bold": (("dejavu/DejaVuSansMono-Bold.ttf",), 0, "fonts-dejavu-core"),
    "serif": (
        ("liberation2/LiberationSerif-Regular.ttf", "liberation/LiberationSerif-Regular.ttf"),
        0,
        "fonts-liberation2",
    ),
}


class FontMissing(RuntimeError):
    pass


@functools.cache
def font_path(name: str) -> tuple[str, int]:
    files, index, package = _FONTS[name]
    for d in FONT_DIRS:
        for f in files:
            p = os.path.join(d, f)
            if os.path.exists(p):
                return p, index
    raise FontMissing(
        f"font '{name}' not found ({', '.join(files)} under {FONT_DIRS[0]}): "
        f"install the Debian package {package} (apt-get install -y {package})"
    )


@functools.lru_cache(maxsize=512)
def font(name: str, size_px: int) -> ImageFont.FreeTypeFont:
    path, index = font_path(name)
    return ImageFont.truetype(path, max(4, int(size_px)), index=index)


def check_fonts() -> None:
    """Raise FontMissing naming the Debian package for the first missing font."""
    for name in _FONTS:
        font_path(name)
