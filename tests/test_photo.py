"""Load and write: formats, modes, EXIF orientation, limits, errors, atomic writes. Real files, no mocks."""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from redact.io import photo
from redact.config import Config
from redact.errors import InputNotFound, TooLarge, UnreadableInput, UnsupportedFormat
from redact.types import PhotoMeta, Photo


def _gradient(w=320, h=200) -> np.ndarray:
    y, x = np.mgrid[0:h, 0:w]
    return np.stack([(x * 255 // w), (y * 255 // h), ((x + y) * 255 // (w + h))], axis=2).astype(np.uint8)


def _encode(img: Image.Image, fmt: str, **kw) -> bytes:
    b = io.BytesIO()
    img.save(b, format=fmt, **kw)
    return b.getvalue()


@pytest.mark.parametrize("fmt,out_fmt", [("JPEG", "JPEG"), ("PNG", "PNG"), ("WEBP", "WEBP"), ("TIFF", "TIFF"),
                                         ("BMP", "BMP"), ("HEIF", "JPEG")])
def test_formats_roundtrip_same_size_and_format(fmt, out_fmt):
    arr = _gradient()
    kw = {"quality": 95} if fmt in ("JPEG", "WEBP", "HEIF") else {}
    data = _encode(Image.fromarray(arr), fmt, **kw)
    ph = photo.load(data)
    assert ph.pixels.shape == arr.shape and ph.pixels.dtype == np.uint8
    tol = 0 if fmt in ("PNG", "TIFF", "BMP") else 24
    assert np.abs(ph.pixels.astype(int) - arr).mean() <= tol
    out, f = photo.encode(ph, ph.pixels)
    assert f == out_fmt
    again = Image.open(io.BytesIO(out))
    assert again.size == (arr.shape[1], arr.shape[0]) and again.format == out_fmt


@pytest.mark.parametrize("sub", [0, 1, 2])
def test_jpeg_output_keeps_the_inputs_chroma_subsampling(sub):
    from PIL import JpegImagePlugin

    data = _encode(Image.fromarray(_gradient()), "JPEG", quality=95, subsampling=sub)
    ph = photo.load(data)
    assert ph.meta.jpeg_subsampling == sub
    out, _ = photo.encode(ph, ph.pixels)
    assert JpegImagePlugin.get_sampling(Image.open(io.BytesIO(out))) == sub
    # written straight from the array: the very bytes PIL's encoder gives
    assert out == _encode(Image.fromarray(ph.pixels), "JPEG", quality=92, optimize=False, subsampling=sub)
    # not from a JPEG: 4:4:4 at the default quality (>= 90)
    png = photo.load(_encode(Image.fromarray(_gradient()), "PNG"))
    out, _ = photo.encode(png, png.pixels, fmt="JPEG")
    assert png.meta.jpeg_subsampling == -1 and JpegImagePlugin.get_sampling(Image.open(io.BytesIO(out))) == 0


@pytest.mark.parametrize("sub", [0, 1, 2])
def test_big_jpeg_encoded_in_stripes_decodes_to_the_same_pixels(sub):
    """A big JPEG is encoded in stripes on threads and joined with restart markers: one valid JPEG that
    decodes (PIL and OpenCV alike) to exactly the pixels of the one-piece encoding, at any size."""
    import cv2

    rng = np.random.default_rng(sub)
    for h, w in ((1603, 1250), (2001, 1499)):
        base = cv2.resize(_gradient(), (w, h), interpolation=cv2.INTER_LINEAR)
        noise = rng.integers(0, 40, (h, w, 1), dtype=np.uint8)
        px = np.ascontiguousarray(base // 2 + noise)  # detail in every block: real entropy-coded data
        whole = photo.encode_jpeg(px, 92, sub, stripes=1)
        ref = np.asarray(Image.open(io.BytesIO(whole)).convert("RGB"))
        for n in (2, 3):
            data = photo.encode_jpeg(px, 92, sub, stripes=n)
            assert data != whole and b"\xff\xdd" in data  # a restart interval is declared
            im = Image.open(io.BytesIO(data))
            im.load()
            assert im.size == (w, h) and im.format == "JPEG"
            assert np.array_equal(np.asarray(im.convert("RGB")), ref)
            cv = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
            assert np.array_equal(cv[:, :, ::-1], ref)
    # through encode(): a 12 MP photo is striped on a multi-core machine (same pixels as one piece)
    ph = photo.load(_encode(Image.fromarray(np.zeros((3000, 4000, 3), np.uint8)), "JPEG", subsampling=sub))
    out, _ = photo.encode(ph, ph.pixels)
    assert (b"\xff\xdd" in out) == ((os.cpu_count() or 1) > 1)
    assert Image.open(io.BytesIO(out)).size == (4000, 3000)


def test_modes_cmyk_16bit_gray_alpha_palette():
    arr = _gradient()
    cmyk = photo.load(_encode(Image.fromarray(arr).convert("CMYK"), "JPEG", quality=95))
    assert cmyk.pixels.shape == arr.shape and cmyk.meta.mode == "CMYK"
    g16 = (np.arange(200 * 320, dtype=np.uint32).reshape(200, 320) % 65536).astype(np.uint16)
    p16 = photo.load(_encode(Image.fromarray(g16), "PNG"))
    assert p16.pixels.shape == (200, 320, 3) and p16.pixels.max() > 200  # scaled to 8 bits, not clipped
    gray = photo.load(_encode(Image.fromarray(arr[:, :, 0]), "PNG"))
    assert gray.pixels.shape == (200, 320, 3)
    rgba = np.dstack([arr, np.full(arr.shape[:2], 128, np.uint8)])
    pa = photo.load(_encode(Image.fromarray(rgba, "RGBA"), "PNG"))
    assert pa.alpha is not None and int(pa.alpha[0, 0]) == 128
    out, fmt = photo.encode(pa, pa.pixels)
    assert Image.open(io.BytesIO(out)).mode == "RGBA"  # transparency kept
    pal = Image.fromarray(arr).convert("P")
    assert photo.load(_encode(pal, "PNG")).pixels.shape == arr.shape


@pytest.mark.parametrize("orientation,rot", [(3, 180), (6, 270), (8, 90)])
def test_exif_orientation_applied_and_dropped(orientation, rot):
    arr = _gradient(300, 160)
    img = Image.fromarray(arr)
    exif = Image.Exif()
    exif[0x0112] = orientation
    data = _encode(img, "JPEG", quality=95, exif=exif.tobytes())
    ph = photo.load(data)
    expected = np.asarray(img.rotate(rot, expand=True))
    assert ph.pixels.shape == expected.shape
    assert np.abs(ph.pixels.astype(int) - expected).mean() < 12
    assert ph.meta.exif_orientation == orientation
    out, _ = photo.encode(ph, ph.pixels)
    assert 0x0112 not in Image.open(io.BytesIO(out)).getexif()
    assert any("orientation" in d for d in photo.dropped_metadata(ph.meta, Config()))


@pytest.mark.parametrize("orientation", range(1, 9))
def test_fast_jpeg_decode_is_pils_decode_oriented(orientation):
    """Colour JPEGs are decoded by OpenCV's libjpeg-turbo (no 4-to-3-byte copy): the same pixels as
    PIL's decode with ``ImageOps.exif_transpose``, for all eight EXIF orientations."""
    from PIL import ImageOps

    rng = np.random.default_rng(orientation)
    arr = np.clip(_gradient(301, 163).astype(int) + rng.integers(-40, 40, (163, 301, 3)), 0, 255).astype(np.uint8)
    exif = Image.Exif()
    exif[0x0112] = orientation
    data = _encode(Image.fromarray(arr), "JPEG", quality=90, exif=exif.tobytes())
    assert photo.decode_jpeg(data, (301, 163), orientation) is not None  # the fast path is taken
    ph = photo.load(data)
    ref = np.asarray(ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("RGB"))
    assert ph.pixels.shape == ref.shape and ph.pixels.flags.c_contiguous
    assert np.abs(ph.pixels.astype(int) - ref).max() <= 1  # same decoder (IDCT rounding at most)
    # a truncated JPEG is not half-decoded: PIL names the problem
    with pytest.raises(UnreadableInput):
        photo.load(data[: len(data) // 2])


def test_metadata_flags_gps_thumbnail(tmp_path):
    img = Image.fromarray(_gradient())
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (31.0, 14.0, 0.0)
    data = _encode(img, "JPEG", quality=90, exif=exif.tobytes())
    ph = photo.load(data)
    assert ph.meta.had_exif and ph.meta.had_gps
    out, _ = photo.encode(ph, ph.pixels)
    back = Image.open(io.BytesIO(out))
    assert not back.getexif() and "exif" not in back.info
    assert "gps" in photo.dropped_metadata(ph.meta, Config())


def test_errors_are_specific(tmp_path):
    with pytest.raises(InputNotFound):
        photo.load(tmp_path / "missing.jpg")
    (tmp_path / "empty.jpg").write_bytes(b"")
    with pytest.raises(UnreadableInput):
        photo.load(tmp_path / "empty.jpg")
    (tmp_path / "text.jpg").write_text("this is not an image\n")
    with pytest.raises(UnsupportedFormat):
        photo.load(tmp_path / "text.jpg")
    full = _encode(Image.fromarray(_gradient(800, 600)), "JPEG", quality=90)
    (tmp_path / "trunc.jpg").write_bytes(full[: len(full) // 3])
    with pytest.raises(UnreadableInput) as e:
        photo.load(tmp_path / "trunc.jpg")
    assert "truncated" in str(e.value) and "trunc.jpg" in str(e.value)
    with pytest.raises(TooLarge):
        photo.load(full, Config(max_pixels=1000))
    with pytest.raises(UnsupportedFormat):
        photo.load(tmp_path)


def test_pixel_limit_checked_before_decoding():
    # a PNG header claiming 60000 x 60000 px: refused from the header, without allocating 10 GB
    big = Image.new("L", (1, 1))
    data = bytearray(_encode(big, "PNG"))
    import struct
    import zlib

    ihdr = struct.pack(">IIBBBBB", 60000, 60000, 8, 0, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    data[8:33] = struct.pack(">I", 13) + chunk + struct.pack(">I", zlib.crc32(chunk))
    with pytest.raises(TooLarge):
        photo.load(bytes(data))


def test_write_atomic_leaves_no_partial(tmp_path):
    dst = tmp_path / "out" / "a.jpg"
    photo.write_atomic(dst, b"abc")
    assert dst.read_bytes() == b"abc"
    assert [p.name for p in dst.parent.iterdir()] == ["a.jpg"]

    class Boom(bytes):
        pass

    with pytest.raises(TypeError):
        photo.write_atomic(dst, None)  # type: ignore[arg-type]
    assert dst.read_bytes() == b"abc" and [p.name for p in dst.parent.iterdir()] == ["a.jpg"]


@pytest.mark.parametrize("h,alpha,icc", [(1, False, False), (100, False, False), (1000, True, True)])
def test_png_writer_is_lossless_and_standard(h, alpha, icc):
    """The striped, threaded PNG writer: a valid file (Pillow verifies every CRC; OpenCV decodes it too), the
    exact pixels and alpha back, the ICC profile kept when asked, nothing else written."""
    import cv2
    from PIL import ImageCms

    rng = np.random.default_rng(h)
    px = rng.integers(0, 256, (h, 257, 3), dtype=np.uint8)
    px[: h // 2] //= 7  # some compressible rows too
    a = rng.integers(0, 256, (h, 257), dtype=np.uint8) if alpha else None
    prof = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes() if icc else None
    data = photo.encode_png(px, a, prof)
    Image.open(io.BytesIO(data)).verify()
    img = Image.open(io.BytesIO(data))
    got = np.asarray(img)
    assert got.shape == (h, 257, 4 if alpha else 3)
    assert np.array_equal(got[:, :, :3], px)
    if alpha:
        assert np.array_equal(got[:, :, 3], a)
    assert set(img.info) == ({"icc_profile"} if icc else set())
    if icc:
        assert img.info["icc_profile"] == prof
    back = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    assert back.shape[:2] == (h, 257) and np.array_equal(back[:, :, 2::-1][:, :, :3], px)


@pytest.mark.parametrize("orientation", [1, 2, 3, 4, 5, 6, 7, 8])
@pytest.mark.parametrize("mode", ["RGB", "L", "CMYK"])
def test_jpeg_preview_is_the_photo_seen_small(orientation, mode):
    """The fast overview of a big JPEG (DCT-scaled decode) is the full decode resized: same size, same
    orientation, the same pixels within resampling error; anything else gets no preview."""
    from redact.stages.locate import resize_long

    y, x = np.mgrid[0:1800, 0:2400]
    arr = np.stack([(x // 150 % 2) * 200 + 20, (y // 150 % 2) * 200 + 20, ((x + y) // 300 % 2) * 200 + 20],
                   axis=2).astype(np.uint8)
    arr[:200, :300] = 255  # a corner that shows orientation
    img = Image.fromarray(arr).convert(mode)
    exif = Image.Exif()
    exif[0x0112] = orientation
    data = _encode(img, "JPEG", quality=92, exif=exif.tobytes())
    cfg = Config()
    got = photo.preview(data, 800, cfg)
    assert got is not None
    view, s = got
    want, s2 = resize_long(photo.load(data).pixels, 800)
    assert s == pytest.approx(s2) and view.shape == want.shape
    assert np.abs(view.astype(int) - want).mean() < 6
    # a DCT scale just short of the side is taken as decoded (2400 / 4 = 600 for 620): no resize
    view, s = photo.preview(data, 620, cfg)
    want, s2 = resize_long(photo.load(data).pixels, 600)
    assert s == pytest.approx(0.25) and s2 == pytest.approx(0.25) and view.shape == want.shape
    assert np.abs(view.astype(int) - want).mean() < 6
    assert photo.preview(data, 1600, cfg) is None  # not big enough to gain
    assert photo.preview(_encode(img.convert("RGB"), "PNG"), 800, cfg) is None
    assert photo.preview(data[: len(data) // 2], 800, cfg) is None  # truncated: the full decode says so


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_stripes_on_a_pool_or_inline_give_the_same_bytes(fmt):
    """The encoder owns no threads: a big image's stripes are cut the same way with or without an executor,
    and compressed on its threads or one after the other in the caller's, to the very same bytes."""
    from concurrent.futures import ThreadPoolExecutor

    from redact.concurrency import InlineExecutor

    rng = np.random.default_rng(7)
    px = rng.integers(0, 256, (1800, 1400, 3), dtype=np.uint8)
    px[:900] //= 5
    ph = Photo(pixels=px, meta=PhotoMeta(format=fmt, mode="RGB", jpeg_subsampling=2 if fmt == "JPEG" else -1))
    inline, _ = photo.encode(ph, px)
    with ThreadPoolExecutor(2) as pool:
        threaded, _ = photo.encode(ph, px, pool=pool)
    assert threaded == inline == photo.encode(ph, px, pool=InlineExecutor())[0]
    if fmt == "JPEG":
        with ThreadPoolExecutor(2) as pool:
            assert photo.encode_jpeg(px, 92, 2, stripes=3) == photo.encode_jpeg(px, 92, 2, stripes=3, pool=pool)
