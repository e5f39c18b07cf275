"""The photo generator: determinism, schema, exact polygons through every transform, decodable symbols,
category coverage, EXIF, no-label photos. Real pixels, real zxing-cpp, no stubs."""

from __future__ import annotations

import io
import json
import re

import cv2
import numpy as np
import pytest
from PIL import Image

from benchmarks.generator import (
    CONDITIONS,
    LAYOUTS,
    SENSITIVE_CATEGORIES,
    full_set,
    label_items,
    make_photo,
    quick_set,
    validate_truth,
)
from benchmarks.generator import fake as F


def _poly_mask(poly, h, w, dilate=0):
    m = np.zeros((h, w), np.uint8)
    cv2.fillPoly(
        m, [np.round(np.asarray(poly, np.float64) * 16).astype(np.int32)], 1, lineType=cv2.LINE_8, shift=4
    )
    if dilate:
        m = cv2.dilate(m, np.ones((2 * dilate + 1, 2 * dilate + 1), np.uint8))
    return m.astype(bool)


# ------------------------------------------------------------------------------------------- determinism
def test_same_seed_same_bytes_and_different_seed_differs():
    a = make_photo(seed=5, layout="us_ups", conditions=("gps",), size="1mp")
    b = make_photo(seed=5, layout="us_ups", conditions=("gps",), size="1mp")
    c = make_photo(seed=6, layout="us_ups", conditions=("gps",), size="1mp")
    assert a.image_bytes == b.image_bytes
    assert json.dumps(a.truth) == json.dumps(b.truth)
    assert a.image_bytes != c.image_bytes
    assert [i["text"] for i in a.truth["items"]] != [i["text"] for i in c.truth["items"]]


def test_label_content_depends_on_seed_and_layout_only():
    a = make_photo(seed=9, layout="zh_privacy", conditions=("standard",), size="1mp")
    b = make_photo(seed=9, layout="zh_privacy", conditions=("rot90", "blur"), size="1mp")
    strip = lambda t: [
        (i["text"], i["category"], i.get("payload")) for i in t["items"] if i["source"] == "label"
    ]
    assert strip(a.truth) == strip(b.truth)
    assert strip(a.truth) == [
        (i["text"], i["category"], i["payload"] or None) for i in label_items(9, "zh_privacy")
    ]


# ------------------------------------------------------------------------------------------- schema
@pytest.mark.parametrize(
    "layout,conds",
    [
        ("zh_ecommerce", ("standard",)),
        ("us_fedex", ("exif_rot", "gps")),
        ("zh_form", ("curved", "png")),
        ("dhl_intl", ("nolabel",)),
    ],
)
def test_truth_schema_and_bounds(layout, conds):
    g = make_photo(seed=2, layout=layout, conditions=conds, size="1mp")
    t = g.truth
    validate_truth(t)
    assert (t["height"], t["width"]) == g.pixels.shape[:2]
    assert t["image"].endswith(".png" if "png" in conds else ".jpg")
    assert t["set"] == ("nolabel" if "nolabel" in conds else "hard" if "curved" in conds else "standard")
    assert t["gps"] == ("gps" in conds)
    for it in t["items"]:
        p = np.asarray(it["polygon"])
        assert p[:, 0].min() >= -1 and p[:, 0].max() <= t["width"]
        assert p[:, 1].min() >= -1 and p[:, 1].max() <= t["height"]
        if it["kind"] == "symbol":
            assert it["payload"] and it["category"] in ("barcode", "qrcode") and it["sensitive"]
        else:
            assert it["text"].strip()
    json.dumps(t, ensure_ascii=False)


def test_unknown_condition_layout_and_size_are_refused():
    with pytest.raises(ValueError, match="condition"):
        make_photo(conditions=("foggy",))
    with pytest.raises(ValueError, match="layout"):
        make_photo(layout="nope")
    with pytest.raises(ValueError, match="size"):
        make_photo(size="48mp")


# ------------------------------------------------------------------------------------------- polygons
@pytest.mark.parametrize(
    "layout,conds",
    [
        ("zh_ecommerce", ("standard",)),
        ("us_ups", ("perspective",)),
        ("zh_sf", ("rot90",)),
        ("us_usps", ("rot180",)),
        ("in_courier", ("rot270",)),
        pytest.param("zh_privacy", ("curved",), marks=pytest.mark.slow),
        ("dhl_intl", ("curved", "rot90")),
        ("amazon", ("chat1080",)),
        ("zh_form", ("exif_rot",)),
        ("us_fedex", ("small",)),
        ("zh_privacy", ("crumpled",)),
        ("us_ups", ("crumpled", "curved", "rot180")),
        ("zh_sf", ("tilt",)),
    ],
)
def test_polygons_follow_the_ink_through_transforms(layout, conds):
    """Every item's ink (an id map carried through the *same* pixel mappings, nearest-neighbour) lies inside
    its truth polygon, and the polygon is tight around it."""
    g = make_photo(seed=4, layout=layout, conditions=conds, size="2mp", ids=True)
    ids = g.id_map
    h, w = ids.shape
    assert (h, w) == (g.truth["height"], g.truth["width"])
    tol = 2 if "chat1080" in conds else 1
    checked = 0
    for it in g.truth["items"]:
        ink = ids == it["id"] + 1
        n = int(ink.sum())
        if n < 3:
            continue  # ink too small to be drawn at this resolution
        inside = _poly_mask(it["polygon"], h, w, dilate=tol)
        frac = (ink & inside).sum() / n
        assert frac >= 0.995, f"{layout}/{conds}: item {it['id']} ({it['category']}) only {frac:.3f} inside"
        # tight: the polygon is not much larger than the ink's own extent
        ys, xs = np.nonzero(ink)
        rect = cv2.minAreaRect(np.stack([xs, ys], 1).astype(np.float32))
        ink_area = (rect[1][0] + 2 * tol + 1) * (rect[1][1] + 2 * tol + 1)
        poly_area = _poly_mask(it["polygon"], h, w).sum()
        assert poly_area <= ink_area * 1.25 + 30, f"item {it['id']} polygon {poly_area} vs ink {ink_area:.0f}"
        checked += 1
    assert checked >= 10


def test_stickers_are_non_sensitive_items_with_exact_polygons():
    """Some photos carry a FRAGILE / 易碎物品 sticker beside the label: printed, non-personal, measured for
    over-redaction. Its polygons go through the same checks as the label's."""
    found = 0
    for seed in range(12):
        lay = ("zh_ecommerce", "us_usps")[seed % 2]
        g = make_photo(seed=seed, layout=lay, conditions=("standard",), size="1mp", ids=True)
        st = [it for it in g.truth["items"] if it["source"] == "sticker"]
        if not st:
            continue
        found += 1
        h, w = g.id_map.shape
        for it in st:
            assert not it["sensitive"] and it["category"] == "other" and it["role"] == "none"
            ink = g.id_map == it["id"] + 1
            assert ink.sum() > 10
            assert (ink & _poly_mask(it["polygon"], h, w, dilate=1)).sum() / ink.sum() >= 0.995
        if found >= 2:
            break
    assert found >= 1


def test_multi_parcel_photo_has_two_labels_with_exact_polygons():
    for seed in range(6):
        g = make_photo(seed=seed, layout="us_ups", conditions=("multi", "rot90"), size="2mp", ids=True)
        validate_truth(g.truth)
        if len(g.truth["layouts"]) < 2:
            continue
        assert len(g.truth["label_quads"]) == 2
        second = [it for it in g.truth["items"] if it["source"] == "label2"]
        assert any(it["sensitive"] for it in second)
        h, w = g.id_map.shape
        for it in second:
            ink = g.id_map == it["id"] + 1
            if ink.sum() >= 3:
                assert (ink & _poly_mask(it["polygon"], h, w, dilate=1)).sum() / ink.sum() >= 0.995
        return
    pytest.fail("no multi-parcel photo placed a second label in 6 seeds")


def test_displayed_pixels_match_truth_frame_with_exif_orientation():
    """exif_rot stores the pixels sideways with an orientation tag; g.pixels (tag applied) must be in the
    truth frame: ink pixels (from the id map) are darker than the label paper around them."""
    g = make_photo(seed=8, layout="us_usps", conditions=("exif_rot",), size="2mp", ids=True)
    im = Image.open(io.BytesIO(g.image_bytes))
    tag = im.getexif().get(0x0112)
    assert tag == g.truth["exif_orientation"] and tag in (3, 6, 8)
    stored = np.asarray(im)
    if tag in (6, 8):
        assert stored.shape[:2] == g.pixels.shape[:2][::-1]
    lum = g.pixels.astype(np.float32).mean(2)
    quad = g.truth["label_quad"]
    label = _poly_mask(quad, *lum.shape)
    ink = g.id_map > 0
    text_ink = np.zeros_like(ink)
    for it in g.truth["items"]:
        if it["kind"] == "text":
            text_ink |= g.id_map == it["id"] + 1
    paper = label & ~cv2.dilate(ink.astype(np.uint8), np.ones((9, 9), np.uint8)).astype(bool)
    assert lum[text_ink].mean() < lum[paper].mean() - 60


# ------------------------------------------------------------------------------------------- symbols
@pytest.mark.parametrize(
    "layout,size",
    [
        ("zh_ecommerce", "12mp"),
        ("us_ups", "8mp"),
        ("us_fedex", "8mp"),
        pytest.param("dhl_intl", "8mp", marks=pytest.mark.slow),
        pytest.param("zh_sf", "8mp", marks=pytest.mark.slow),
        pytest.param("amazon", "8mp", marks=pytest.mark.slow),
        pytest.param("zh_form", "8mp", marks=pytest.mark.slow),
        pytest.param("in_courier", "8mp", marks=pytest.mark.slow),
        pytest.param("us_usps", "8mp", marks=pytest.mark.slow),
    ],
)
def test_symbols_decode_at_their_truth_polygon(layout, size):
    """Every symbol (Code128, QR, DataMatrix, PDF417, MaxiCode) decodes from a standard photo when read at
    its truth polygon: the payload is real and the polygon is where the symbol is."""
    zxingcpp = pytest.importorskip("zxingcpp")
    g = make_photo(seed=1, layout=layout, conditions=("standard",), size=size)
    px = g.pixels
    syms = [it for it in g.truth["items"] if it["kind"] == "symbol"]
    assert syms
    for it in syms:
        p = np.asarray(it["polygon"], np.float32)
        wq = float(np.linalg.norm(p[1] - p[0]))
        hq = float(np.linalg.norm(p[3] - p[0]))
        fmt = getattr(zxingcpp.BarcodeFormat, it["symbology"])
        texts = []
        # rectify the symbol upright from its truth polygon, with a quiet zone (zxing-cpp reads MaxiCode only
        # from a tight, upright crop, hence the small pad first)
        for pad in (6.0, 0.15 * max(8.0, min(wq, hq)) + 12):
            dst = np.array([[pad, pad], [pad + wq, pad], [pad + wq, pad + hq], [pad, pad + hq]], np.float32)
            M = cv2.getPerspectiveTransform(p[:4], dst)
            crop = cv2.warpPerspective(
                px, M, (int(wq + 2 * pad), int(hq + 2 * pad)), borderValue=(255, 255, 255)
            )
            # Plain text mode: MaxiCode / PDF417 payloads carry GS/RS control characters (ANSI MH10.8.3)
            res = zxingcpp.read_barcodes(crop, formats=fmt, text_mode=zxingcpp.TextMode.Plain)
            texts += [r.text for r in res]
            if it["payload"] in texts:
                break
        assert it["payload"] in texts, f"{layout}: {it['symbology']} did not decode (got {len(texts)})"


def test_label_items_do_not_overlap_and_stay_on_the_label():
    """Layout sanity: no item's ink box overlaps another's (a symbol grown over a text line would corrupt
    both the picture and the truth), and everything is on the label."""
    from benchmarks.generator.canvas import LabelCanvas
    from benchmarks.generator.core import _crc

    for lay, L in LAYOUTS.items():
        for seed in range(3):
            c = LabelCanvas(L.width_mm, L.height_mm, 4.0, paper=L.paper, locale=L.locale)
            L.draw(c, np.random.default_rng([seed, _crc(lay)]))
            boxes = [it.box for it in c.items]
            for i, a in enumerate(boxes):
                assert a[0] >= -1 and a[1] >= -1 and a[2] <= c.w + 1 and a[3] <= c.h + 1, (lay, seed, i)
                for j in range(i + 1, len(boxes)):
                    b = boxes[j]
                    ix = min(a[2], b[2]) - max(a[0], b[0])
                    iy = min(a[3], b[3]) - max(a[1], b[1])
                    if ix > 0 and iy > 0:
                        amin = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
                        assert ix * iy / amin <= 0.02, f"{lay} seed {seed}: items {i} and {j} overlap"


def test_every_symbology_is_used():
    from benchmarks.generator.canvas import LabelCanvas
    from benchmarks.generator.core import _crc

    seen = set()
    for lay, L in LAYOUTS.items():
        c = LabelCanvas(L.width_mm, L.height_mm, 3.0, paper=L.paper, locale=L.locale)
        L.draw(c, np.random.default_rng([1, _crc(lay)]))
        seen |= {it.symbology for it in c.items if it.kind == "symbol"}
    assert {"Code128", "QRCode", "DataMatrix", "PDF417", "MaxiCode"} <= seen


# ------------------------------------------------------------------------------------------- coverage
def test_every_sensitive_category_and_role_across_the_quick_set():
    cats, roles, layouts, conds = set(), set(), set(), set()
    for lay, cs, seed in quick_set(0):
        layouts.add(lay)
        conds |= set(cs)
        if "nolabel" in cs:
            continue
        for it in label_items(seed, lay):
            if it["sensitive"]:
                cats.add(it["category"])
                roles.add(it["role"])
    assert cats == set(SENSITIVE_CATEGORIES)
    assert {"recipient", "sender"} <= roles
    assert layouts == set(LAYOUTS)
    assert conds == set(CONDITIONS)
    assert 16 <= len(quick_set(0)) <= 24


def test_full_set_size_and_mix():
    fs = full_set(0)
    assert len(fs) >= 200
    assert len({(lay, cs, s) for lay, cs, s in fs}) == len(fs)
    assert {c for _, cs, _ in fs for c in cs} == set(CONDITIONS)
    nolabel = sum("nolabel" in cs for _, cs, _ in fs)
    assert 5 <= nolabel <= 0.1 * len(fs)


def test_realistic_values():
    rng = np.random.default_rng(0)
    for _ in range(50):
        assert F.id_checksum_ok(F.zh_id_number(rng))
        assert F.ups_check_ok(F.ups_tracking(rng))
        assert re.fullmatch(r"1[3-9]\d{9}", F.zh_mobile(rng))
        assert re.fullmatch(r"1\d\d\*{4}\d{4}", F.zh_mask_mobile(F.zh_mobile(rng)))
        assert re.fullmatch(r"1[67]\d{9}(-|转)\d{4}", F.zh_virtual(rng))
        assert re.fullmatch(r"0\d{2,3}-[1-9]\d{6,7}", F.zh_landline(rng))
        assert re.fullmatch(r"SF\d{12,15}", F.zh_tracking(rng, "SF"))
        assert re.fullmatch(r"YT\d{13}", F.zh_tracking(rng, "YTO"))
        assert re.fullmatch(r"7\d{11,13}", F.zh_tracking(rng, "ZTO"))
        assert re.fullmatch(r"JD[A-Z]{0,2}\d{11,13}", F.zh_tracking(rng, "JD"))
        assert re.fullmatch(r"(1\d{12}|E[ABEM]\d{9}CN)", F.zh_tracking(rng, "EMS"))
        assert re.fullmatch(r"9\d{21}", F.usps_tracking(rng))
        assert "*" in F.zh_mask_name(F.zh_name(rng))
    assert F.ups_check_ok("1Z999AA10123456784")
    assert F.id_checksum_ok("11010519491231002X")


# ------------------------------------------------------------------------------------------- EXIF, no label
def test_gps_photo_carries_gps_thumbnail_and_make():
    g = make_photo(seed=3, layout="zh_privacy", conditions=("gps",), size="1mp")
    im = Image.open(io.BytesIO(g.image_bytes))
    ex = im.getexif()
    gps = ex.get_ifd(0x8825)
    assert gps and gps.get(1) in ("N", "S") and len(gps.get(2)) == 3
    assert ex.get(0x010F) and ex.get(0x0110)
    raw = im.info["exif"]
    assert raw.count(b"\xff\xd8") >= 1  # the IFD1 JPEG thumbnail
    thumb = Image.open(io.BytesIO(raw[raw.index(b"\xff\xd8") :]))
    assert max(thumb.size) <= 160
    png = make_photo(seed=3, layout="zh_privacy", conditions=("gps", "png"), size="1mp")
    assert png.image_bytes[:8] == b"\x89PNG\r\n\x1a\n"
    assert Image.open(io.BytesIO(png.image_bytes)).getexif().get_ifd(0x8825)


def test_plain_photo_has_no_gps():
    g = make_photo(seed=3, layout="us_usps", conditions=("standard",), size="1mp")
    assert not Image.open(io.BytesIO(g.image_bytes)).getexif().get_ifd(0x8825)


def test_nolabel_has_no_items_and_no_label():
    g = make_photo(seed=4, layout="us_ups", conditions=("nolabel", "gps"), size="1mp", ids=True)
    assert g.truth["items"] == [] and g.truth["label_quad"] is None and g.truth["set"] == "nolabel"
    assert not g.id_map.any()
    validate_truth(g.truth)


def test_missing_fonts_name_the_debian_package(monkeypatch):
    from benchmarks.generator import fonts

    fonts.font_path.cache_clear()
    monkeypatch.setattr(fonts, "FONT_DIRS", ("/nonexistent-fonts",))
    try:
        with pytest.raises(fonts.FontMissing, match="fonts-wqy-microhei"):
            fonts.font_path("zh")
    finally:
        fonts.font_path.cache_clear()


def test_cli_writes_photos_and_truth(tmp_path):
    from benchmarks.generate import main

    assert main(["--set", "samples", "--out", str(tmp_path), "--size", "1mp", "--limit", "2"]) == 0
    idx = json.loads((tmp_path / "index.json").read_text())
    assert len(idx["photos"]) == 2
    for p in idx["photos"]:
        t = json.loads((tmp_path / p["truth"]).read_text(encoding="utf-8"))
        validate_truth(t)
        im = Image.open(tmp_path / t["image"])
        assert im.size in ((t["width"], t["height"]), (t["height"], t["width"]))
