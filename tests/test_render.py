"""Rendering destroys what is under a mask, for every style, and nothing else.

Ground truth comes from a label drawn here with PIL (a Debian CJK font) plus real Code128 and QR symbols
written by zxing-cpp; the attacker is the scorer's: rapidocr on 2x-upscaled crops, zxing-cpp on crops.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from redact.stages.render import render
from redact.types import Style

FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
STYLES = list(Style)
PAPER = (244, 242, 235)


@dataclass(frozen=True)
class Item:
    value: str
    kind: str  # "text" | "symbol"
    polygon: tuple[tuple[float, float], ...]
    height: float


def _pad_box(x0, y0, x1, y1, pad) -> tuple[tuple[float, float], ...]:
    return ((x0 - pad, y0 - pad), (x1 + pad, y0 - pad), (x1 + pad, y1 + pad), (x0 - pad, y1 + pad))


def make_label(
    name: str = "张伟明",
    phone: str = "13812345678",
    address: str = "深圳市南山区科技园路88号",
    tracking: str = "SF1234567890123",
    qr: str = "https://t.example.com/p?id=YT8812345567",
    gray: bool = False,
    seed: int = 0,
    angle: float = 0.0,
) -> tuple[np.ndarray, dict[str, Item]]:
    """A waybill-like label on cardboard, with its personal items and padded mask polygons."""
    import zxingcpp

    W, H = 1100, 760
    bg = (128, 128, 128) if gray else (176, 136, 92)
    img = Image.new("RGB", (W, H), bg)
    d = ImageDraw.Draw(img)
    paper = (240, 240, 240) if gray else PAPER
    d.rectangle((40, 30, W - 40, H - 30), fill=paper)
    font = ImageFont.truetype(FONT, 34)
    ink = (25, 25, 25)
    items: dict[str, Item] = {}

    def field(key: str, caption: str, value: str, x: int, y: int) -> None:
        d.text((x, y), caption, font=font, fill=ink)
        vx = x + d.textlength(caption, font=font)
        d.text((vx, y), value, font=font, fill=ink)
        x0, y0, x1, y1 = d.textbbox((vx, y), value, font=font)
        h = y1 - y0
        items[key] = Item(value, "text", _pad_box(x0, y0, x1, y1, 0.3 * h), float(h))

    field("name", "收件人：", name, 80, 60)
    field("phone", "电话：", phone, 80, 120)
    field("address", "地址：", address, 80, 180)
    d.text((80, 250), "寄件人：顺丰速运 客服热线", font=font, fill=ink)  # kept text (not masked)

    bar = np.asarray(zxingcpp.write_barcode_to_image(zxingcpp.create_barcode(tracking, zxingcpp.BarcodeFormat.Code128), scale=3))
    bar = np.ascontiguousarray(bar[:110] if bar.shape[0] > 110 else bar)
    qrim = np.asarray(zxingcpp.write_barcode_to_image(zxingcpp.create_barcode(qr, zxingcpp.BarcodeFormat.QRCode), scale=5))
    for key, sym, (px, py), val in (("barcode", bar, (80, 330), tracking), ("qrcode", qrim, (800, 320), qr)):
        sym3 = np.repeat(sym[..., None], 3, axis=2) if sym.ndim == 2 else sym[..., :3]
        img.paste(Image.fromarray(sym3.astype(np.uint8)), (px, py))
        dark = np.argwhere(sym < 128)
        (r0, c0), (r1, c1) = dark.min(0), dark.max(0)
        x0, y0, x1, y1 = px + c0, py + r0, px + c1 + 1, py + r1 + 1
        q = 0.12 * min(x1 - x0, y1 - y0) + 4
        items[key] = Item(val, "symbol", _pad_box(x0, y0, x1, y1, q), float(y1 - y0))

    a = np.asarray(img).astype(np.float32)
    rng = np.random.default_rng(seed)
    a += rng.normal(0, 2.5, a.shape[:2] + (1,)).astype(np.float32)  # sensor-like grain
    a = np.clip(a, 0, 255).astype(np.uint8)
    if angle:
        M = cv2.getRotationMatrix2D((W / 2, H / 2), angle, 1.0)
        a = cv2.warpAffine(a, M, (W, H), flags=cv2.INTER_CUBIC, borderValue=bg)
        rot = {}
        for k, it in items.items():
            p = np.asarray(it.polygon, np.float64)
            q = p @ M[:, :2].T + M[:, 2]
            rot[k] = Item(it.value, it.kind, tuple(map(tuple, q.tolist())), it.height)
        items = rot
    return a, items


def masks_of(items: dict[str, Item]) -> tuple[list, list[float]]:
    return [it.polygon for it in items.values()], [it.height for it in items.values()]


def inside_mask(shape, polys) -> np.ndarray:
    m = np.zeros(shape[:2], np.uint8)
    for p in polys:
        cv2.fillPoly(m, [np.round(np.asarray(p) * 16).astype(np.int32)], 1, shift=4)
    return m.astype(bool)


def distance_to_masks(shape, polys) -> np.ndarray:
    m = inside_mask(shape, polys)
    return cv2.distanceTransform((~m).astype(np.uint8), cv2.DIST_L2, 5)


@pytest.fixture(scope="module")
def label():
    return make_label(angle=6.0)


# ------------------------------------------------------------------ masked pixels are independent ----


def _scramble_inside(a: np.ndarray, polys, seed: int) -> np.ndarray:
    """The same image with everything under the masks replaced (other secrets, random pixels)."""
    b, _ = make_label(name="李秀英", phone="15999887766", address="北京市朝阳区建国路1号院",
                      tracking="JT9988776655443", qr="other-payload-0042", seed=0, angle=6.0)
    m = inside_mask(a.shape, polys)
    out = a.copy()
    noise = np.random.default_rng(seed).integers(0, 256, a.shape, dtype=np.uint8)
    mix = np.where((np.arange(a.shape[1]) // 7 % 2 == 0)[None, :, None], b, noise)
    out[m] = mix[m]
    return out


@pytest.mark.parametrize("style", STYLES, ids=lambda s: s.value)
def test_output_does_not_depend_on_masked_pixels(label, style):
    a, items = label
    polys, hs = masks_of(items)
    b = _scramble_inside(a, polys, seed=3)
    assert not np.array_equal(a, b)
    ra = render(a, polys, style, text_heights=hs, seed=11)
    rb = render(b, polys, style, text_heights=hs, seed=11)
    # the whole output is identical: masked pixels, feather and the untouched rest
    assert np.array_equal(ra, rb)
    # and it did change the masked region
    m = inside_mask(a.shape, polys)
    assert np.mean(np.any(ra[m] != a[m], axis=1)) > 0.5


@pytest.mark.parametrize("style", STYLES, ids=lambda s: s.value)
def test_independence_holds_at_the_border_overlaps_and_tiny_masks(style):
    rng = np.random.default_rng(5)
    a = rng.integers(0, 256, (300, 400, 3), dtype=np.uint8)
    polys = [
        ((-40, -30), (120, -30), (120, 50), (-40, 50)),  # over the top-left corner
        ((350, 250), (460, 250), (460, 330), (350, 330)),  # over the bottom-right corner
        ((150, 100), (260, 90), (270, 160), (160, 170)),  # tilted
        ((200, 120), (300, 120), (300, 200), (200, 200)),  # overlaps the tilted one
        ((50.2, 220.3), (50.8, 220.3), (50.8, 220.9), (50.2, 220.9)),  # smaller than a pixel
        ((80, 250), (140, 250)),  # degenerate (a line): no crash, line pixels destroyed
        ((900, 900), (950, 900), (950, 950)),  # entirely outside: ignored
    ]
    b = a.copy()
    m = inside_mask(a.shape, polys[:5])
    m[220, 50] = True
    m[250, 80:141] = True  # the degenerate line's pixels are destroyed too
    b[m] = 255 - a[m]
    ra = render(a, polys, style, seed=2)
    rb = render(b, polys, style, seed=2)
    assert np.array_equal(ra, rb)
    assert ra[220, 50].tolist() != a[220, 50].tolist() or ra[220, 50].tolist() != b[220, 50].tolist()


@pytest.mark.parametrize("style", STYLES, ids=lambda s: s.value)
def test_whole_image_mask_keeps_nothing(style):
    rng = np.random.default_rng(1)
    a = rng.integers(0, 256, (120, 160, 3), dtype=np.uint8)
    b = rng.integers(0, 256, (120, 160, 3), dtype=np.uint8)
    poly = [((-5, -5), (170, -5), (170, 130), (-5, 130))]
    assert np.array_equal(render(a, poly, style, seed=4), render(b, poly, style, seed=4))


# ------------------------------------------------------------------ the rest of the photo is untouched ----


@pytest.mark.parametrize("style", STYLES, ids=lambda s: s.value)
def test_threads_render_the_same_image(label, style):
    """Groups of masks are rendered on a pool's threads (and the copy made in halves): the same pixels."""
    from concurrent.futures import ThreadPoolExecutor

    a, items = label
    polys, hs = masks_of(items)
    assert len(polys) >= 4
    with ThreadPoolExecutor(2) as pool:
        ra = render(a, polys, style, text_heights=hs, seed=5)
        rb = render(a, polys, style, text_heights=hs, seed=5, pool=pool)
        rc = render(a, [], style, pool=pool)
    assert np.array_equal(ra, rb)
    assert not np.array_equal(ra, a)
    assert np.array_equal(rc, a) and rc is not a


@pytest.mark.parametrize("style", STYLES, ids=lambda s: s.value)
def test_outside_unchanged_beyond_feather(label, style):
    a, items = label
    polys, hs = masks_of(items)
    a_before = a.copy()
    out = render(a, polys, style, text_heights=hs, seed=1)
    assert np.array_equal(a, a_before), "render must not modify its input"
    assert out.shape == a.shape and out.dtype == np.uint8
    dist = distance_to_masks(a.shape, polys)
    feather = 14 if style is Style.BLUR else 4
    far = dist > feather
    assert np.array_equal(out[far], a[far])
    changed = np.any(out != a, axis=2)
    assert changed[dist > 0].sum() < 0.2 * changed.sum()  # most changes are inside the polygons


def test_no_masks_returns_a_copy():
    a = np.zeros((10, 10, 3), np.uint8)
    out = render(a, [], Style.BLUR)
    assert np.array_equal(out, a) and out is not a


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        render(np.zeros((10, 10), np.uint8), [((0, 0), (5, 0), (5, 5))], Style.FILL)
    with pytest.raises(ValueError):
        render(np.zeros((10, 10, 3), np.float32), [((0, 0), (5, 0), (5, 5))], Style.FILL)
    with pytest.raises(ValueError):
        render(np.zeros((10, 10, 3), np.uint8), [((0, 0), (float("nan"), 0), (5, 5))], Style.FILL)


# ------------------------------------------------------------------ looks ----


def test_fill_sits_on_the_paper(label):
    a, items = label
    polys, hs = masks_of(items)
    out = render(a, polys, Style.FILL, text_heights=hs, seed=0)
    m = inside_mask(a.shape, [items["phone"].polygon])
    vals = out[m].astype(int)
    assert np.all(np.abs(vals - np.array(PAPER)).max(axis=1) <= 8)
    assert vals.std(axis=0).max() < 1.0  # solid


@pytest.mark.parametrize("style", STYLES, ids=lambda s: s.value)
def test_gray_label_stays_gray(style):
    a, items = make_label(gray=True, angle=-4.0)
    polys, hs = masks_of(items)
    out = render(a, polys, style, text_heights=hs, seed=0).astype(int)
    m = inside_mask(a.shape, polys)
    spread = out[m].max(axis=1) - out[m].min(axis=1)
    assert np.percentile(spread, 95) <= 12


@pytest.mark.parametrize("style", [Style.NOISE, Style.PIXELATE, Style.BLUR], ids=lambda s: s.value)
def test_seed_controls_the_random_look(label, style):
    a, items = label
    polys, hs = masks_of(items)
    r1 = render(a, polys, style, text_heights=hs, seed=1)
    r1b = render(a, polys, style, text_heights=hs, seed=1)
    r2 = render(a, polys, style, text_heights=hs, seed=2)
    assert np.array_equal(r1, r1b)
    assert not np.array_equal(r1, r2)


def test_looks_differ_as_named(label):
    """pixelate is blocky, blur is smooth, noise is rough, fill is flat (on the phone mask)."""
    a, items = label
    polys, hs = masks_of(items)
    p = np.asarray(items["phone"].polygon)
    x0, y0 = np.ceil(p.min(0)).astype(int) + 6
    x1, y1 = np.floor(p.max(0)).astype(int) - 6
    # inner rectangle of the (slightly tilted) mask
    cx, cy = (x0 + x1) // 2, (y0 + y1) // 2
    sl = np.s_[cy - 6:cy + 6, cx - 80:cx + 80]
    stats = {}
    for s in Style:
        g = render(a, polys, s, text_heights=hs, seed=3)[sl].astype(float).mean(axis=2)
        stats[s] = (np.abs(np.diff(g, axis=1)).mean(), (np.diff(g, axis=1) == 0).mean(), g.std())
    assert stats[Style.FILL][2] < 0.5
    assert stats[Style.NOISE][0] > 10  # rough pixel to pixel
    assert stats[Style.BLUR][0] < 2.0 and stats[Style.BLUR][2] > 0.5  # smooth, not flat
    assert stats[Style.PIXELATE][1] > 0.7 and stats[Style.PIXELATE][2] > 3  # constant runs, visible blocks


def test_speed_12mp_30_masks():
    rng = np.random.default_rng(0)
    a = np.full((3000, 4000, 3), 235, np.uint8)
    a[::7] = 30  # some structure
    masks, hs = [], []
    for _ in range(30):
        x, y = rng.uniform(0, 3600), rng.uniform(0, 2900)
        w, h = rng.uniform(150, 450), rng.uniform(30, 80)
        masks.append(((x, y), (x + w, y + 6), (x + w, y + h + 6), (x, y + h)))
        hs.append(h / 1.6)
    best = {}
    for s in Style:
        ts = []
        for _ in range(3):
            t = time.process_time()  # CPU time: less sensitive to the other jobs on a shared machine
            render(a, masks, s, text_heights=hs, seed=0)
            ts.append(time.process_time() - t)
        best[s] = min(ts)
    # target < 0.1 s on an idle machine; the bound leaves room for a busy shared CI box
    assert max(best.values()) < 0.4, best


# ------------------------------------------------------------------ the attacker reads nothing ----


@pytest.fixture(scope="module")
def ocr():
    from rapidocr import RapidOCR

    return RapidOCR(params={"Global.text_score": 0.0, "Global.log_level": "error", "Global.max_side_len": 4000})


def _crop2x(img: np.ndarray, poly, margin: float) -> np.ndarray:
    p = np.asarray(poly)
    x0, y0 = np.floor(p.min(0) - margin).astype(int)
    x1, y1 = np.ceil(p.max(0) + margin).astype(int)
    x0, y0 = max(0, x0), max(0, y0)
    c = img[y0:y1, x0:x1]
    return cv2.resize(c, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)


def _read(ocr, img) -> str:
    r = ocr(img)
    return "".join(r.txts or ()) if r is not None else ""


def _leaks(value: str, text: str, n: int = 3) -> bool:
    """True if any n consecutive characters of the value appear in the read text."""
    v = value.replace(" ", "")
    t = text.replace(" ", "")
    n = min(n, len(v))
    return any(v[i:i + n] in t for i in range(len(v) - n + 1))


def _texts(items):
    return {k: it for k, it in items.items() if it.kind == "text"}


def _montage(img: np.ndarray, items) -> np.ndarray:
    """The 2x-upscaled crop of every masked text (with a text height of context), stacked: one OCR call."""
    crops = [_crop2x(img, it.polygon, it.height) for it in _texts(items).values()]
    w = max(c.shape[1] for c in crops)
    rows = []
    for c in crops:
        row = np.full((c.shape[0] + 40, w, 3), PAPER, np.uint8)
        row[20:20 + c.shape[0], : c.shape[1]] = c
        rows.append(row)
    return np.vstack(rows)


def test_ocr_reads_the_unmasked_label(label, ocr):
    """Precondition: the attacker works on the original (otherwise the next test proves nothing)."""
    a, items = label
    text = _read(ocr, _montage(a, items))
    for k, it in _texts(items).items():
        assert _leaks(it.value, text, n=len(it.value) - 1), k


@pytest.mark.parametrize("style", STYLES, ids=lambda s: s.value)
def test_ocr_cannot_read_masked_text(label, ocr, style):
    a, items = label
    polys, hs = masks_of(items)
    out = render(a, polys, style, text_heights=hs, seed=7)
    text = _read(ocr, _montage(out, items))
    for k, it in _texts(items).items():
        assert not _leaks(it.value, text), (style.value, k)


def _decode(img: np.ndarray, thorough: bool = True) -> list[str]:
    import zxingcpp

    gray = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
    out = [r.text for r in zxingcpp.read_barcodes(gray, try_rotate=True, try_downscale=True)]
    if not thorough:
        return out
    for im in (gray, cv2.equalizeHist(gray), cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C,
                                                                   cv2.THRESH_BINARY, 31, 5)):
        for up in (1, 2):
            if im is gray and up == 1:
                continue  # read above
            x = cv2.resize(im, None, fx=up, fy=up, interpolation=cv2.INTER_CUBIC) if up > 1 else im
            out += [r.text for r in zxingcpp.read_barcodes(x, try_rotate=True, try_downscale=True)]
    return out


def test_symbols_decode_on_the_original(label):
    a, items = label
    for k in ("barcode", "qrcode"):
        assert items[k].value in _decode(_crop2x(a, items[k].polygon, 20)), k


@pytest.mark.parametrize("style", STYLES, ids=lambda s: s.value)
def test_masked_symbols_do_not_decode(label, style):
    a, items = label
    polys, hs = masks_of(items)
    out = render(a, polys, style, text_heights=hs, seed=7)
    found = _decode(out)
    for k in ("barcode", "qrcode"):
        found += _decode(_crop2x(out, items[k].polygon, 20))
    assert not any(items[k].value in f for f in found for k in ("barcode", "qrcode")), style.value


# ------------------------------------------------------------------ on the project's generator photos ----


def _padded(poly, kind: str):
    """Pad a truth polygon the way the planner does: a fraction of the text height (quiet zone for symbols)."""
    rect = cv2.minAreaRect(np.asarray(poly, np.float32))
    (cx, cy), (w, h), ang = rect
    t = min(w, h)
    pad = (0.12 * t + 4) if kind == "symbol" else 0.3 * t
    box = cv2.boxPoints(((cx, cy), (w + 2 * pad, h + 2 * pad), ang))
    return tuple(map(tuple, box.astype(float).tolist())), float(t)


@pytest.fixture(scope="module")
def gen_photo():
    import benchmarks.generator as gen
    g = gen.make_photo(seed=1, layout="zh_ecommerce", conditions=("standard",), size="2mp")
    items = {}
    for it in g.truth["items"]:
        if not it["sensitive"]:
            continue
        poly, t = _padded(it["polygon"], it["kind"])
        value = it.get("payload") if it["kind"] == "symbol" else it["text"]
        items[f"{it['id']}_{it['category']}"] = Item(value or "", it["kind"], poly, t)
    return np.ascontiguousarray(g.pixels), items


def _montage_all(img, items, ids):
    crops = [_crop2x(img, items[k].polygon, items[k].height) for k in ids]
    w = max(c.shape[1] for c in crops)
    rows = []
    for c in crops:
        row = np.full((c.shape[0] + 30, w, 3), 245, np.uint8)
        row[15:15 + c.shape[0], : c.shape[1]] = c
        rows.append(row)
    return np.vstack(rows)


def _gen_text_ids(items):
    """Masked text items, one per distinct value (stubs repeat the name and phone): one OCR montage."""
    seen, ids = set(), []
    for k, it in items.items():
        if it.kind == "text" and len(it.value) >= 2 and it.value not in seen:
            seen.add(it.value)
            ids.append(k)
    return ids


def test_generator_photo_precondition(gen_photo, ocr):
    """The attacker reads most personal values and decodes the symbols on the unmasked photo."""
    a, items = gen_photo
    ids = _gen_text_ids(items)
    text = _read(ocr, _montage_all(a, items, ids))
    read = [k for k in ids if _leaks(items[k].value, text, n=min(4, len(items[k].value)))]
    assert len(read) >= 0.7 * len(ids), (len(read), len(ids))
    payloads = [it.value for it in items.values() if it.kind == "symbol"]
    assert any(p in _decode(a, thorough=False) for p in payloads)


@pytest.mark.parametrize(
    "style",
    [pytest.param(s, marks=() if s is Style.BLUR else pytest.mark.slow) for s in STYLES],  # blur: the default
    ids=lambda s: s.value,
)
def test_generator_photo_nothing_readable(gen_photo, ocr, style):
    a, items = gen_photo
    polys, hs = masks_of(items)
    out = render(a, polys, style, text_heights=hs, seed=5)
    ids = _gen_text_ids(items)
    text = _read(ocr, _montage_all(out, items, ids))
    leaked = [k for k in ids if _leaks(items[k].value, text, n=min(4, len(items[k].value)))]
    assert leaked == [], (style.value, leaked)
    found = _decode(out, thorough=False)
    for it in items.values():
        if it.kind == "symbol":
            found += _decode(_crop2x(out, it.polygon, 20))
    payloads = [it.value for it in items.values() if it.kind == "symbol" and it.value]
    assert not any(p in f for p in payloads for f in found), style.value
    # independence on the real photo too: other pixels under the masks, the same output
    b = a.copy()
    m = inside_mask(a.shape, polys)
    b[m] = np.random.default_rng(0).integers(0, 256, (int(m.sum()), 3), dtype=np.uint8)
    assert np.array_equal(render(b, polys, style, text_heights=hs, seed=5), out)


def test_strided_input_views_render_the_same():
    a = np.random.default_rng(0).integers(0, 255, (100, 120, 3), dtype=np.uint8)
    v = a[::-1, ::-1]  # e.g. a rotated/flipped view the caller did not copy
    poly = [((10, 10), (50, 10), (50, 40), (10, 40))]
    for s in Style:
        assert np.array_equal(render(v, poly, s, seed=1), render(np.ascontiguousarray(v), poly, s, seed=1))


# ------------------------------------------------------------------ end to end through the Redactor ----


@pytest.mark.slow
@pytest.mark.parametrize("style", STYLES, ids=lambda s: s.value)
def test_redactor_output_nothing_masked_is_readable(ocr, style):
    """The issue's bar on one generator photo: every truth item the pipeline masked (>= 90 % covered) is
    unreadable to the scorer's attacker (OCR on 2x crops, zxing-cpp) in the written output."""
    import io

    from redact import Redactor

    import benchmarks.generator as gen
    g = gen.make_photo(seed=11, layout="zh_sf", conditions=("standard",), size="2mp")
    res = Redactor().redact(g.image_bytes, style=style, seed=3)
    out = np.asarray(Image.open(io.BytesIO(res.data)).convert("RGB"))  # what is written, after JPEG
    covered = inside_mask(out.shape, [m.polygon for m in res.report.masks])
    items = {}
    for it in g.truth["items"]:
        m = inside_mask(out.shape, [it["polygon"]])
        if not it["sensitive"] or m.sum() == 0 or (covered & m).sum() < 0.9 * m.sum():
            continue
        poly, t = _padded(it["polygon"], it["kind"])
        value = it.get("payload") if it["kind"] == "symbol" else it["text"]
        items[str(it["id"])] = Item(value or "", it["kind"], poly, t)
    ids = _gen_text_ids(items)
    assert len(ids) >= 5, "the pipeline should mask most personal text on this label"
    if style is Style.FILL:  # precondition, once: the attacker reads these values on the original
        before = _read(ocr, _montage_all(np.ascontiguousarray(g.pixels), items, ids))
        assert sum(_leaks(items[k].value, before, n=min(4, len(items[k].value))) for k in ids) >= 0.7 * len(ids)
    text = _read(ocr, _montage_all(out, items, ids))
    leaked = [k for k in ids if _leaks(items[k].value, text, n=min(4, len(items[k].value)))]
    assert leaked == [], (style.value, leaked)
    payloads = [it.value for it in items.values() if it.kind == "symbol" and it.value]
    found = _decode(out, thorough=False)
    assert not any(p in f for p in payloads for f in found), style.value


def test_huge_group_stays_bounded():
    """A mask over the whole 12 MP photo with a tiny text height (worst case for block/texture grids)."""
    a = np.random.default_rng(0).integers(0, 255, (3000, 4000, 3), dtype=np.uint8)
    poly = [((-5, -5), (4005, -5), (4005, 3005), (-5, 3005))]
    for s in Style:
        t = time.process_time()
        out = render(a, poly, s, text_heights=[4], seed=1)
        assert time.process_time() - t < 3.0, s
        assert out.shape == a.shape
