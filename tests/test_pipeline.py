"""End to end on photos rendered by the project's generator, with the real models, scored by the project's
scorer (the attacker: OCR on 2x-upscaled upright crops, zxing-cpp on symbol crops)."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from PIL import Image

from benchmarks.generator import make_photo
from benchmarks.score import load_truth, score_photo

CASES = [
    ("zh_ecommerce", ("standard",), 101, "12mp"),
    ("zh_privacy", ("gps",), 102, "12mp"),
    ("us_ups", ("standard",), 103, "12mp"),
    ("zh_sf", ("rot90",), 104, "12mp"),
    ("amazon", ("rot180",), 105, "12mp"),
]


def _write(tmp, name, g):
    ext = ".png" if g.image_bytes[:4] == b"\x89PNG" else ".jpg"
    (tmp / f"{name}{ext}").write_bytes(g.image_bytes)
    t = dict(g.truth)
    t["image"] = f"{name}{ext}"
    (tmp / f"{name}.json").write_text(json.dumps(t))
    return ext


@pytest.mark.parametrize("layout,conditions,seed,size",
                         CASES + [("zh_sf", ("curved",), 13, "12mp")],  # a bent address line, once lost whole
                         ids=[f"{c[0]}-{'+'.join(c[1])}" for c in CASES] + ["zh_sf-curved-12mp"])
def test_no_sensitive_item_leaks(tmp_path, redactor, attacker, layout, conditions, seed, size):
    g = make_photo(seed=seed, layout=layout, conditions=conditions, size=size)
    ext = _write(tmp_path, "photo", g)
    res = redactor.redact(g.image_bytes, name="photo")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / f"photo{res.extension}"
    out.write_bytes(res.data)
    truth = load_truth(tmp_path)[0]
    scored = score_photo(truth, out, attacker)
    assert scored["ok"] and not scored["size_mismatch"]
    leaks = [(it["category"], it["role"], it["reason"]) for it in scored["items"] if it.get("leaked")]
    assert not leaks, f"leaked: {leaks}"
    # keep the rest useful: most non-sensitive text ink is untouched
    free = [it for it in scored["items"] if "free_changed" in it]
    area = sum(it["free_area"] for it in free)
    over = sum(it["free_area"] * it["free_changed"] for it in free) / max(1, area)
    assert over < 0.25, f"non-sensitive text area masked: {over:.0%}"
    assert scored["changed_outside_share"] < 0.08
    # metadata
    assert not scored["gps_out"] and not scored["thumbnail_out"]
    assert res.report.check is not None and res.report.check.passed
    # the report carries no personal value
    blob = res.report.to_json()
    for it in g.truth["items"]:
        if it["sensitive"] and len(it.get("text", "")) >= 5:
            assert it["text"] not in blob


def test_no_label_photo_comes_back_unchanged(redactor):
    g = make_photo(seed=7, layout="zh_ecommerce", conditions=("nolabel",))
    res = redactor.redact(g.image_bytes)
    a = np.asarray(Image.open(io.BytesIO(g.image_bytes)).convert("RGB"), dtype=np.int16)
    b = res.pixels.astype(np.int16)
    changed = (np.abs(a - b).max(axis=2) > 40).mean()
    assert changed < 0.002, f"{changed:.2%} of a label-free photo changed"
    assert not [m for m in res.report.masks]


def test_analyze_finds_roles_and_categories(redactor):
    g = make_photo(seed=21, layout="zh_ecommerce", conditions=("standard",))
    rep = redactor.analyze(g.image_bytes).to_dict()
    got = {(f["category"], f["role"]) for f in rep["fields"] if f["sensitive"]}
    assert ("phone", "recipient") in got and ("phone", "sender") in got
    assert ("name", "recipient") in got and ("address", "recipient") in got
    cats = {f["category"] for f in rep["fields"]}
    assert {"barcode", "qrcode"} <= cats
    assert all(f["polygons"] for f in rep["fields"])
    assert rep["timings"]["total"] > 0 and "value" not in json.dumps(rep["fields"])


def test_user_masks_replace_automatic_ones(redactor):
    g = make_photo(seed=22, layout="us_usps", conditions=("standard",))
    a = np.asarray(Image.open(io.BytesIO(g.image_bytes)).convert("RGB"), dtype=np.int16)
    item = next(it for it in g.truth["items"] if it["category"] == "name" and it["sensitive"])
    p = np.asarray(item["polygon"], float)
    x0, y0 = p.min(axis=0) - 6
    x1, y1 = p.max(axis=0) + 6
    box = [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]
    res = redactor.redact(g.image_bytes, masks=[box], style="fill")
    b = res.pixels.astype(np.int16)
    inside = (slice(int(y0) + 3, int(y1) - 3), slice(int(x0) + 3, int(x1) - 3))
    dark_before = (a[inside].mean(axis=2) < 100).mean()
    dark_after = (b[inside].mean(axis=2) < 100).mean()
    assert dark_before > 0.03 and dark_after < 0.005  # the ink under the user's mask is gone
    diff = np.abs(a - b).max(axis=2) > 40
    far = np.ones(diff.shape, bool)
    far[max(0, int(y0) - 20):int(y1) + 20, max(0, int(x0) - 20):int(x1) + 20] = False
    assert diff[far].mean() < 0.001  # nothing else masked: the automatic masks were replaced
    assert len(res.report.masks) == 1 and res.report.masks[0].source == "user"


def test_side_threads_yield_to_the_ocr():
    """Symbol decoding and encoding run on side threads at a lower priority than the OCR's own threads
    (the OCR splits each layer over both cores: a side job at equal priority stalls it)."""
    import os
    import threading

    from redact import Redactor
    from redact.api import SIDE_NICE

    if not hasattr(os, "getpriority"):
        pytest.skip("no thread priorities here")
    r = Redactor(side_threads=2)
    main = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    with r:
        side = r.schedule.submit(lambda: os.getpriority(os.PRIO_PROCESS, threading.get_native_id())).result()
    assert side == min(19, main + SIDE_NICE) and main == os.getpriority(os.PRIO_PROCESS, 0)
