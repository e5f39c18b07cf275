"""Text masks grown from the glyphs' own extent: a detector box that cuts off the tops or bottoms of a line's
glyphs still gets a mask over all of the line's ink, and the mask stops at the gap to the next line."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from redact.stages.plan import ink_extent, plan
from redact.types import Category, Field, Role, Span, TextLine


def page():
    img = np.full((260, 520, 3), 250, np.uint8)
    cv2.putText(img, "Hlgh Tbpqy", (20, 110), cv2.FONT_HERSHEY_SIMPLEX, 1.5, (10, 10, 10), 3)
    cv2.putText(img, "Next line", (20, 200), cv2.FONT_HERSHEY_SIMPLEX, 1.5, (10, 10, 10), 3)
    return img


def ink_rows(img, x0=0, x1=None, y0=0, y1=None):
    g = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)[y0:y1, x0:x1]
    ys = np.where((g < 128).any(axis=1))[0]
    return ys.min() + y0, ys.max() + y0


def test_ink_extent_reaches_tops_and_bottoms():
    img = page()
    top, bottom = ink_rows(img, y1=150)
    gray = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
    quad = [(15, 84), (320, 84), (320, 108), (15, 108)]  # cuts both the ascenders and the descenders
    up, down = ink_extent(gray, quad, 24)
    assert 84 - up <= top + 1 and 108 + down >= bottom - 1, (up, down, top, bottom)
    assert 108 + down < 160  # stops at the gap: the next line (from about row 170) is not reached


def test_ink_extent_on_a_tight_box_and_on_blank_paper():
    img = page()
    gray = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
    top, bottom = ink_rows(img, y1=150)
    up, down = ink_extent(gray, [(15, top - 3), (320, top - 3), (320, bottom + 3), (15, bottom + 3)], bottom - top + 6)
    assert up == 0 and down == 0
    blank = np.full((100, 300), 240, np.uint8)
    assert ink_extent(blank, [(10, 40), (200, 40), (200, 60), (10, 60)], 20) == (0.0, 0.0)
    assert ink_extent(blank, [(10, 40), (10, 40), (10, 40), (10, 40)], 20) == (0.0, 0.0)


def test_plan_with_pixels_covers_the_whole_line_and_spares_the_next():
    img = page()
    top, bottom = ink_rows(img, y1=150)
    ntop, _ = ink_rows(img, y0=150)
    text = "Hlgh Tbpqy"
    line = TextLine(text=text, polygon=((15, 84), (320, 84), (320, 108), (15, 108)), score=0.9)
    f = Field(Category.NAME, Role.RECIPIENT, spans=(Span(0, 0, len(text)),), score=0.9, rule="t", value=text)
    plain = plan([f], [0], [line], [], 0.25, 0.2)
    grown = plan([f], [0], [line], [], 0.25, 0.2, pixels=img)
    ys_plain = [p[1] for p in plain[0].polygon]
    ys = [p[1] for p in grown[0].polygon]
    assert min(ys_plain) > top or max(ys_plain) < bottom  # the box's own padding misses some ink
    assert min(ys) <= top and max(ys) >= bottom, (min(ys), max(ys), top, bottom)
    assert max(ys) < ntop  # the next line is untouched


def test_tilted_line_grows_more_at_the_end_that_leaves_the_box():
    from redact.stages.plan import ink_extent_ends

    img = np.full((300, 700), 250, np.uint8)
    # a line drawn with a slope: its right end sits lower than its straight box
    for i, ch in enumerate("Tilted line of text"):
        cv2.putText(img, ch, (20 + 32 * i, 120 + i), cv2.FONT_HERSHEY_SIMPLEX, 1.2, 0, 3)
    quad = [(15, 92), (640, 92), (640, 122), (15, 122)]
    (_, d0), (_, d1) = ink_extent_ends(img, quad, 30)
    ys = np.where((img[:, 560:640] < 128).any(axis=1))[0]
    assert 122 + d1 >= ys.max() - 1, (d1, ys.max())
    assert d1 > d0


def test_generator_label_masks_cover_ink_a_short_box_cuts_off():
    """On a generator label (real glyphs, exact ink boxes), each sensitive line gets a detector box that cuts
    off the top 30 % of its ink: with the photo's pixels the mask still covers the line's ink, without them it
    does not; the ink of the non-sensitive items is hardly touched more than before."""
    gen = pytest.importorskip("benchmarks.generator.core")
    from benchmarks.generator.canvas import LabelCanvas

    L_ = gen.LAYOUTS["in_courier"]
    c = LabelCanvas(L_.width_mm, L_.height_mm, 10.0, paper=L_.paper, locale=L_.locale)
    L_.draw(c, np.random.default_rng([3, gen._crc("in_courier")]))
    img = c.image_rgb()
    texts = [it for it in c.items if it.kind == "text" and it.quad is None and it.text.strip()]
    sens = [it for it in texts if it.sensitive]
    lines, fields = [], []
    for it in sens:
        x0, y0, x1, y1 = it.box
        h = y1 - y0
        top = y0 + 0.3 * h  # the box misses the glyph tops
        lines.append(TextLine(text=it.text, polygon=((x0, top), (x1, top), (x1, y1), (x0, y1)), score=0.9))
        fields.append(Field(Category.NAME, Role.UNKNOWN, spans=(Span(len(lines) - 1, 0, len(it.text)),),
                            score=0.9, rule="t", value=""))

    def covered(masks, items):
        m = np.zeros(img.shape[:2], np.uint8)
        for mk in masks:
            cv2.fillPoly(m, [np.round(np.asarray(mk.polygon)).astype(np.int32)], 1)
        ink = np.isin(c.ids, [it.id + 1 for it in items])  # the canvas marks ink with id + 1
        return float((m.astype(bool) & ink).sum()) / max(1, int(ink.sum()))

    sel = list(range(len(fields)))
    plain = plan(fields, sel, lines, [], 0.25, 0.2)
    grown = plan(fields, sel, lines, [], 0.25, 0.2, pixels=img)
    others = [it for it in texts if not it.sensitive]
    assert covered(grown, sens) >= 0.995, (covered(grown, sens), covered(plain, sens))
    assert covered(plain, sens) < 0.99, covered(plain, sens)
    assert covered(grown, others) - covered(plain, others) < 0.03
