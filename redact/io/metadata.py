"""What a photo's file carried (EXIF, GPS, thumbnail, maker note, XMP, IPTC, comments, ICC: yes or no, never
the values), the EXIF block written back with ``--keep-metadata``, and the names of what an output drops.

Writing never passes the input's EXIF/XMP/IPTC/comments on: the output carries pixels and, by default, the ICC
colour profile only.
"""

from __future__ import annotations

import logging
from typing import List, Optional

from PIL import Image

from ..config import Config
from ..types import PhotoMeta
from .formats import EXIF_FORMATS, OUTPUT_FOR_INPUT

log = logging.getLogger(__name__)

_EXIF_IFD, _GPS_IFD = 0x8769, 0x8825
try:
    from PIL.ExifTags import IFD as _IFDS

    _IFD1 = int(_IFDS.IFD1)
except Exception:  # pragma: no cover - older Pillow
    _IFD1 = -1
_MAKERNOTE = 0x927C


def meta_of(img: Image.Image, fmt: str) -> PhotoMeta:
    had_exif = had_gps = had_thumb = had_maker = False
    orientation = 1
    try:
        exif = img.getexif()
        if exif:
            had_exif = True
            orientation = int(exif.get(0x0112, 1) or 1)
            try:
                had_gps = bool(exif.get_ifd(_GPS_IFD))
            except Exception:
                had_gps = _GPS_IFD in exif
            try:
                had_maker = _MAKERNOTE in exif.get_ifd(_EXIF_IFD)
            except Exception:
                pass
            try:
                had_thumb = bool(exif.get_ifd(_IFD1))
            except Exception:
                pass
    except Exception:
        had_exif = "exif" in img.info
    info = img.info
    had_xmp = bool(info.get("xmp") or info.get("XML:com.adobe.xmp"))
    app = getattr(img, "applist", None) or []
    if any(m == "APP1" and b"http://ns.adobe.com/xap" in d[:64] for m, d in app):
        had_xmp = True
    had_iptc = bool(info.get("photoshop")) or any(m == "APP13" for m, _ in app)
    technical = {"dpi", "gamma", "transparency", "icc_profile", "exif", "xmp", "XML:com.adobe.xmp", "photoshop",
                 "jfif", "jfif_version", "jfif_unit", "jfif_density", "progressive", "progression", "adobe",
                 "adobe_transform", "interlace", "compression", "loop", "duration", "background", "aspect",
                 "srgb", "chromaticity", "dpc", "resolution", "mp", "mpoffset", "mpinfo"}
    text_chunks = [k for k, v in info.items() if isinstance(v, str) and k not in technical]
    had_comment = bool(info.get("comment")) or any(m == "COM" for m, _ in app) or bool(text_chunks)
    return PhotoMeta(
        format=fmt,
        mode=img.mode,
        exif_orientation=orientation,
        had_exif=had_exif,
        had_gps=had_gps,
        had_thumbnail=had_thumb,
        had_makernote=had_maker,
        had_xmp=had_xmp,
        had_iptc=had_iptc,
        had_comment=had_comment,
        had_icc=bool(info.get("icc_profile")),
        jpeg_subsampling=_jpeg_subsampling(img, fmt),
    )


def _jpeg_subsampling(img: Image.Image, fmt: str) -> int:
    if fmt not in ("JPEG", "MPO"):
        return -1
    try:
        from PIL import JpegImagePlugin

        return int(JpegImagePlugin.get_sampling(img))
    except Exception:
        return -1




def kept_exif(img: Image.Image, meta: PhotoMeta) -> Optional[bytes]:
    """The EXIF block written back with ``--keep-metadata``: every tag of IFD0 and its Exif and GPS
    sub-IFDs (the user asked to keep them, GPS included), but the orientation reset to 1 (the pixels are
    already turned), the image size of the turned pixels, and no thumbnail (IFD1 shows the photo before
    redaction: it is never written). None when there is nothing to keep or it cannot be re-serialised."""
    if not meta.had_exif:
        return None
    try:
        exif = img.getexif()
        exif[0x0112] = 1
        for tag in (0x0201, 0x0202):  # a thumbnail's offset/length in IFD0 (old-style)
            exif.pop(tag, None)
        sub = exif.get_ifd(_EXIF_IFD)
        if sub and meta.exif_orientation in (5, 6, 7, 8):
            w, h = img.size
            if 0xA002 in sub:
                sub[0xA002], sub[0xA003] = h, w
        data = exif.tobytes()  # IFD0 + Exif + GPS sub-IFDs; IFD1 (the thumbnail) is not written
    except Exception as e:  # a malformed EXIF block: dropped (reported), never a failure
        log.info("EXIF block could not be kept (%s): dropped", type(e).__name__)
        return None
    return data if len(data) + 2 <= 0xFFFF else None




def dropped_metadata(meta: PhotoMeta, config: Config, fmt: Optional[str] = None) -> List[str]:
    """Names of what the output no longer carries (no values). With ``keep_metadata`` the EXIF block (GPS
    and maker note included) is kept where the output format can carry it; the EXIF thumbnail (the photo
    before redaction), XMP, IPTC and comments are dropped all the same."""
    out = []
    if meta.exif_orientation not in (0, 1):
        out.append("orientation (applied to pixels)")
    out_fmt = (fmt or OUTPUT_FOR_INPUT.get(meta.format, "JPEG")).upper().replace("JPG", "JPEG")
    keep = config.keep_metadata and out_fmt in EXIF_FORMATS
    for flag, label in (
        (meta.had_gps and not keep, "gps"),
        (meta.had_thumbnail, "exif_thumbnail"),
        (meta.had_makernote and not keep, "maker_note"),
        (meta.had_exif and not keep, "exif"),
        (meta.had_xmp, "xmp"),
        (meta.had_iptc, "iptc"),
        (meta.had_comment, "comment"),
    ):
        if flag:
            out.append(label)
    if meta.had_icc and not config.keep_icc:
        out.append("icc_profile")
    return out

