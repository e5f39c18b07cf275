"""The small-label fallback reads only where the photo has print: bare cardboard gets no detection at all,
and the windows of a small far-away label cover every printed item on it (generator photos, known truth)."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.generator import make_photo
from redact.stages.locate import print_windows, resize_long, stroke_map


def _windows(g):
    side = int(min(max(g.pixels.shape[:2]), 2560))
    view, s = resize_long(g.pixels, side)
    return print_windows(stroke_map(view)), s, view.shape


@pytest.mark.parametrize("layout,seed", [("dhl_intl", 18), ("zh_ecommerce", 23)])
def test_bare_cardboard_has_no_print_windows(layout, seed):
    g = make_photo(seed=seed, layout=layout, conditions=("nolabel",), size="12mp")
    wins, s, shape = _windows(g)
    area = sum((x1 - x0) * (y1 - y0) for x0, y0, x1, y1 in wins)
    assert area <= 0.02 * shape[0] * shape[1]  # at most a stray speck, never the photo


@pytest.mark.parametrize("layout,seed", [("us_ups", 14), ("zh_ecommerce", 70)])
def test_small_label_print_is_inside_the_windows(layout, seed):
    g = make_photo(seed=seed, layout=layout, conditions=("small",), size="12mp")
    wins, s, shape = _windows(g)
    area = sum((x1 - x0) * (y1 - y0) for x0, y0, x1, y1 in wins)
    assert wins and area < 0.5 * shape[0] * shape[1]  # the label, not the whole photo
    items = [it for it in g.truth["items"] if it["sensitive"]]
    assert items
    for it in items:
        p = np.asarray(it["polygon"], float) * s
        inside = any(x0 <= p[:, 0].min() and p[:, 0].max() <= x1 and y0 <= p[:, 1].min() and p[:, 1].max() <= y1
                     for x0, y0, x1, y1 in wins)
        assert inside, it["category"]
