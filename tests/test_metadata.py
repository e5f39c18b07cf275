"""Outputs carry no metadata that can identify a place, a device or the original pixels.

Inputs come from the project's generator (EXIF with GPS, an IFD1 thumbnail of the unredacted photo, a maker
note and an orientation tag), with XMP, IPTC, a comment and an ICC profile added by exiftool / Pillow. Every
output of ``Redactor().redact`` is checked three ways: its raw container structure (JPEG markers, PNG chunks,
WebP RIFF chunks), Pillow, and exiftool (Debian ``libimage-exiftool-perl``).
"""

from __future__ import annotations

import io
import json
import shutil
import struct
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageCms, ImageOps
from PIL.PngImagePlugin import PngInfo

EXIFTOOL = shutil.which("exiftool")
pytestmark = pytest.mark.skipif(EXIFTOOL is None, reason="exiftool (Debian libimage-exiftool-perl) not installed")

XMP = (b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
       b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" '
       b'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" '
       b'photoshop:City="Springfield"><dc:title><rdf:Alt><rdf:li xml:lang="x-default">Parcel for Jane Roe'
       b'</rdf:li></rdf:Alt></dc:title></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>')
ICC = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


# ------------------------------------------------------------------ container readers ----


def jpeg_segments(data: bytes) -> list[tuple[str, bytes]]:
    """(marker, first bytes of payload) for every segment before the scan."""
    assert data[:2] == b"\xff\xd8", "not a JPEG"
    out, i = [], 2
    while i + 4 <= len(data):
        assert data[i] == 0xFF
        m = data[i + 1]
        if m == 0xD9:
            break
        n = struct.unpack(">H", data[i + 2:i + 4])[0]
        name = f"APP{m - 0xE0}" if 0xE0 <= m <= 0xEF else {0xFE: "COM", 0xDA: "SOS"}.get(m, f"{m:02X}")
        out.append((name, data[i + 4:i + 4 + min(n - 2, 32)]))
        if m == 0xDA:
            break
        i += 2 + n
    return out


def png_chunks(data: bytes) -> list[str]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    out, i = [], 8
    while i + 8 <= len(data):
        n, t = struct.unpack(">I4s", data[i:i + 8])
        out.append(t.decode("latin-1"))
        i += 12 + n
    return out


def webp_chunks(data: bytes) -> list[str]:
    assert data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    out, i = [], 12
    while i + 8 <= len(data):
        t, n = struct.unpack("<4sI", data[i:i + 8])
        out.append(t.decode("latin-1"))
        i += 8 + n + (n & 1)
    return out


def exiftool(data: bytes, tmp: Path, ext: str) -> dict[str, object]:
    p = tmp / f"probe{ext}"
    p.write_bytes(data)
    r = subprocess.run([EXIFTOOL, "-j", "-a", "-u", "-G1", str(p)], capture_output=True, text=True, check=True)
    return json.loads(r.stdout)[0]


def exiftool_add(path: Path, *args: str) -> None:
    subprocess.run([EXIFTOOL, "-q", "-overwrite_original", *args, str(path)], check=True, capture_output=True)


FORBIDDEN_GROUPS = ("GPS", "IFD1", "MakerNotes", "XMP", "IPTC", "Photoshop")


def forbidden_tags(tags: dict[str, object]) -> list[str]:
    bad = []
    for k in tags:
        group, _, name = k.partition(":")
        if group.startswith(FORBIDDEN_GROUPS) or "MakerNote" in name or "Thumbnail" in name or name in ("Comment", "UserComment", "Orientation", "GPSPosition", "GPSLatitude", "Make", "Model",
                      "SerialNumber", "DateTimeOriginal", "Software"):
            bad.append(k)
        elif group.startswith("PNG") and name not in ("ImageWidth", "ImageHeight", "BitDepth", "ColorType",
                                                      "Compression", "Filter", "Interlace", "ProfileName",
                                                      "ProfileCMMType", "SRGBRendering", "Gamma",
                                                      "PixelsPerUnitX", "PixelsPerUnitY", "PixelUnits"):
            bad.append(k)  # any text chunk (tEXt/zTXt/iTXt) shows up as a PNG tag
    return bad


def has_icc(tags: dict[str, object]) -> bool:
    return any(k.split(":")[0].startswith("ICC") for k in tags)


# ------------------------------------------------------------------ fixtures ----


@pytest.fixture(scope="module")
def gen():
    return pytest.importorskip("benchmarks.generator")


@pytest.fixture(scope="module")
def redactor():
    from redact import Redactor

    return Redactor()


@pytest.fixture(scope="module")
def jpeg_in(gen, tmp_path_factory) -> tuple[bytes, object]:
    g = gen.make_photo(seed=5, layout="zh_ecommerce", conditions=("gps", "exif_rot"), size="1mp")
    tmp = tmp_path_factory.mktemp("jpeg")
    icc = tmp / "srgb.icc"
    icc.write_bytes(ICC)
    p = tmp / "in.jpg"
    p.write_bytes(g.image_bytes)
    exiftool_add(p, "-XMP-dc:Title=Parcel for Jane Roe", "-XMP-photoshop:City=Springfield",
                 "-IPTC:Keywords=home", "-IPTC:City=Springfield", "-Comment=shot at 12 Main St",
                 f"-ICC_Profile<={icc}")
    return p.read_bytes(), g


@pytest.fixture(scope="module")
def jpeg_out(jpeg_in, redactor):
    data, _ = jpeg_in
    return redactor.redact(data, name="in.jpg", style="fill", seed=0)


# ------------------------------------------------------------------ JPEG ----


def test_jpeg_input_carries_everything(jpeg_in, tmp_path):
    """Precondition: the input really has each kind of metadata (so the output checks can fail)."""
    data, _ = jpeg_in
    segs = [(m, p) for m, p in jpeg_segments(data)]
    assert any(m == "APP1" and p.startswith(b"Exif") for m, p in segs)
    assert any(m == "APP1" and p.startswith(b"http://ns.adobe.com/xap/1.0/") for m, p in segs)
    assert any(m == "APP13" and p.startswith(b"Photoshop 3.0") for m, p in segs)
    assert any(m == "COM" for m, _ in segs)
    assert any(m == "APP2" and p.startswith(b"ICC_PROFILE") for m, p in segs)
    im = Image.open(io.BytesIO(data))
    exif = im.getexif()
    assert exif.get(0x0112) in (3, 6, 8) and exif.get_ifd(0x8825) and exif.get_ifd(0x8769).get(0x927C)
    tags = exiftool(data, tmp_path, ".jpg")
    assert "GPS:GPSLatitude" in tags and ("IFD1:ThumbnailImage" in tags or "IFD1:ThumbnailLength" in tags)
    assert any("MakerNote" in k for k in tags) and "XMP-dc:Title" in tags and "IPTC:Keywords" in tags
    assert len(forbidden_tags(tags)) >= 8 and has_icc(tags)


def test_jpeg_output_has_no_metadata_but_icc(jpeg_out, tmp_path):
    out = jpeg_out.data
    assert jpeg_out.format == "JPEG"
    segs = jpeg_segments(out)
    names = [m for m, _ in segs]
    assert "COM" not in names and "APP13" not in names
    assert not any(m == "APP1" for m in names), "no EXIF/XMP APP1 segment at all"
    assert any(m == "APP2" and p.startswith(b"ICC_PROFILE") for m, p in segs), "ICC kept by default"
    assert {n for n in names if n.startswith("APP")} <= {"APP0", "APP2", "APP14"}

    im = Image.open(io.BytesIO(out))
    assert len(im.getexif()) == 0
    for k in ("exif", "xmp", "comment", "photoshop", "XML:com.adobe.xmp"):
        assert k not in im.info, k
    assert im.info.get("icc_profile") == ICC

    tags = exiftool(out, tmp_path, ".jpg")
    assert forbidden_tags(tags) == [], forbidden_tags(tags)
    assert has_icc(tags)


def test_jpeg_orientation_applied_to_pixels(jpeg_in, jpeg_out):
    data, g = jpeg_in
    im = Image.open(io.BytesIO(jpeg_out.data))
    assert im.size == (g.truth["width"], g.truth["height"])  # the displayed frame
    assert jpeg_out.pixels.shape[:2] == (g.truth["height"], g.truth["width"])
    shown = np.asarray(ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("RGB"), np.float32)
    got = np.asarray(im.convert("RGB"), np.float32)

    def small(a):
        return np.asarray(Image.fromarray(a.astype(np.uint8)).resize((60, 45) if a.shape[1] > a.shape[0] else (45, 60),
                                                                      Image.BILINEAR), np.float32)

    right = np.abs(small(got) - small(shown)).mean()
    wrong = np.abs(small(got) - small(np.ascontiguousarray(shown[::-1, ::-1]))).mean()
    assert right < 8.0 and wrong > right + 5.0, (right, wrong)


def test_jpeg_report_lists_what_was_dropped(jpeg_out):
    dropped = set(jpeg_out.report.metadata_dropped)
    for k in ("gps", "maker_note", "xmp", "iptc", "comment"):
        assert k in dropped, k
    assert any(d.startswith("orientation") for d in dropped)
    assert "icc_profile" not in dropped
    d = jpeg_out.report.to_dict()
    assert d["metadata_dropped"] == list(jpeg_out.report.metadata_dropped)


def test_jpeg_report_lists_the_dropped_thumbnail(jpeg_out):
    assert "exif_thumbnail" in set(jpeg_out.report.metadata_dropped)


# ------------------------------------------------------------------ PNG ----


@pytest.fixture(scope="module")
def png_case(gen, redactor):
    g = gen.make_photo(seed=6, layout="us_usps", conditions=("png", "gps"), size="1mp")
    src = Image.open(io.BytesIO(g.image_bytes))
    exif = src.getexif()
    assert exif.get_ifd(0x8825), "generator should have written GPS into the PNG"
    info = PngInfo()
    info.add_text("Comment", "shot at 12 Main St")
    info.add_text("Location", "Springfield", zip=True)
    info.add_itxt("XML:com.adobe.xmp", XMP.decode("utf-8"))
    buf = io.BytesIO()
    src.save(buf, "PNG", pnginfo=info, exif=exif, icc_profile=ICC)
    data = buf.getvalue()
    chunks = png_chunks(data)
    assert {"tEXt", "zTXt", "iTXt", "eXIf", "iCCP"} <= set(chunks), chunks
    return data, redactor.redact(data, name="in.png", style="noise", seed=0)


def test_png_output_has_no_text_or_exif_chunks(png_case, tmp_path):
    _, res = png_case
    assert res.format == "PNG"
    out_chunks = png_chunks(res.data)
    assert not {"tEXt", "zTXt", "iTXt", "eXIf", "tIME"} & set(out_chunks), out_chunks
    assert "iCCP" in out_chunks
    im = Image.open(io.BytesIO(res.data))
    assert len(im.getexif()) == 0 and not im.text and "exif" not in im.info
    tags = exiftool(res.data, tmp_path, ".png")
    assert forbidden_tags(tags) == [], forbidden_tags(tags)
    assert {"gps", "xmp"} <= set(res.report.metadata_dropped)


def test_png_report_lists_the_dropped_comment(png_case):
    assert "comment" in set(png_case[1].report.metadata_dropped)


# ------------------------------------------------------------------ WebP ----


def test_webp_output_has_no_exif_or_xmp_chunks(gen, tmp_path):
    from redact import Redactor

    g = gen.make_photo(seed=7, layout="zh_sf", conditions=("gps",), size="1mp")
    src = Image.open(io.BytesIO(g.image_bytes))
    exif = src.getexif()
    assert exif.get_ifd(0x8825)
    buf = io.BytesIO()
    src.convert("RGB").save(buf, "WEBP", quality=90, exif=exif.tobytes(), xmp=XMP, icc_profile=ICC)
    data = buf.getvalue()
    assert {"EXIF", "XMP ", "ICCP"} <= set(webp_chunks(data)), webp_chunks(data)

    res = Redactor(keep_icc=False).redact(data, name="in.webp", style="blur", seed=0)
    assert res.format == "WEBP"
    chunks = webp_chunks(res.data)
    assert not {"EXIF", "XMP ", "ICCP"} & set(chunks), chunks  # ICC dropped too when asked
    im = Image.open(io.BytesIO(res.data))
    assert len(im.getexif()) == 0 and "xmp" not in im.info and "icc_profile" not in im.info
    tags = exiftool(res.data, tmp_path, ".webp")
    assert forbidden_tags(tags) == [] and not has_icc(tags), tags
    assert {"gps", "xmp", "icc_profile"} <= set(res.report.metadata_dropped)
