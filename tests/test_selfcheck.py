"""The post-render self-check reads masked regions again, and the pipeline fails closed when it still can."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from redact import Redactor
from redact.errors import UnsafeOutput
from redact.engines.rapid import RapidEngine
from redact.stages.render import render
from redact.stages.check import has_strokes, leaks, readable_masks
from redact.stages.read_symbols import ZxingEngine
from redact.types import Category, Field, Mask, Role, Span, Style

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
PHONE = "13812345678"


@pytest.fixture(scope="module")
def engines():
    return RapidEngine(threads=2), ZxingEngine()


def _page():
    img = Image.new("RGB", (900, 200), (246, 245, 240))
    d = ImageDraw.Draw(img)
    d.text((40, 70), f"Tel: {PHONE}", font=ImageFont.truetype(FONT, 48), fill=(20, 20, 20))
    return np.asarray(img)


def _mask():
    return Mask(polygon=((150.0, 60.0), (620.0, 60.0), (620.0, 135.0), (150.0, 135.0)), fields=(0,),
                category=Category.PHONE)


def _analysis():
    f = Field(Category.PHONE, Role.RECIPIENT, spans=(Span(0, 5, 16),), value=PHONE)
    return SimpleNamespace(fields=[f], symbols=[])


def test_leak_rule():
    assert leaks("Tel 1381234", PHONE) and leaks("x2345y", PHONE)
    assert not leaks("Tel 138", PHONE) and not leaks("", PHONE)
    assert leaks("张伟", "张伟") and not leaks("张", "张伟")


def test_unmasked_text_is_readable_and_destroyed_text_is_not(engines):
    ocr, sym = engines
    page = _page()
    m = _mask()
    assert readable_masks(ocr, sym, page, [m], _analysis(), [48.0]) == {0}
    for style in Style:
        out = render(page, [m.polygon], style, text_heights=[48.0], seed=1)
        assert readable_masks(ocr, sym, out, [m], _analysis(), [48.0]) == set(), style


def test_weak_blur_is_caught(engines):
    import cv2

    ocr, sym = engines
    page = _page().copy()
    y0, y1, x0, x1 = 60, 135, 150, 620
    page[y0:y1, x0:x1] = cv2.GaussianBlur(page[y0:y1, x0:x1], (0, 0), 1.2)  # a "blur" that keeps digits legible
    assert readable_masks(ocr, sym, page, [_mask()], _analysis(), [48.0]) == {0}


def test_has_strokes():
    page = _page()
    assert has_strokes(page[50:150, 100:700])
    out = render(page, [_mask().polygon], Style.BLUR, text_heights=[48.0], seed=3)
    assert not has_strokes(out[62:133, 152:618])


def test_fails_closed_when_render_does_not_destroy(monkeypatch, tmp_path):
    """Fault injection: a renderer that leaves the pixels as they were must not produce an output file."""
    from benchmarks.generator import make_photo

    g = make_photo(seed=5, layout="zh_ecommerce", conditions=("standard",), size="2mp")
    src = tmp_path / "in.jpg"
    src.write_bytes(g.image_bytes)
    import redact.stages.render as R

    monkeypatch.setattr(R, "render", lambda pixels, masks, style, **kw: pixels.copy())
    r = Redactor()
    with pytest.raises(UnsafeOutput):
        r.redact_file(src, tmp_path / "out.jpg")
    assert not (tmp_path / "out.jpg").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jpg"]


def test_mask_is_judged_on_its_own_pixels():
    """The check's gates look inside the mask: text or bars just outside it (kept, not sensitive) do not make
    a destroyed mask worth reading, and a mask that kept its text still is."""
    from redact.stages.check import _crop, _upright_crop, has_edges

    page = _page()
    wide = np.array([[40.0, 60.0], [860.0, 60.0], [860.0, 135.0], [40.0, 135.0]])  # "Tel: " + number
    m = _mask()
    out = render(page, [m.polygon], Style.BLUR, text_heights=[48.0], seed=2)
    crop, inside = _upright_crop(out, wide, 48.0)
    assert has_strokes(crop)  # the crop holds "Tel:" beside the mask
    poly = np.asarray(m.polygon, float)
    crop, inside = _upright_crop(out, poly, 48.0)
    assert not has_strokes(crop, inside)
    crop, inside = _upright_crop(page, poly, 48.0)
    assert has_strokes(crop, inside)
    bars = page.copy()
    bars[60:135, 100:148:4] = 0  # bars just left of the mask
    crop, inside = _crop(render(bars, [m.polygon], Style.BLUR, text_heights=[48.0], seed=2), poly, 4.0)
    assert not has_edges(crop, within=inside)
    crop, inside = _crop(bars, np.array([[90.0, 60.0], [620.0, 60.0], [620.0, 135.0], [90.0, 135.0]]), 4.0)
    assert has_edges(crop, within=inside)
