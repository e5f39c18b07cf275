"""Symbols: full-extent masks for tilted 1-D codes, undecodable codes found by their look, both backends."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import zxingcpp

from redact.stages.read_symbols import ZbarEngine, ZxingEngine, find_by_look, quad_iou, widen_linear


def _scene(angle: float, payload: str = "SF1234567890123", fmt=zxingcpp.BarcodeFormat.Code128, scale: int = 4):
    code = np.asarray(zxingcpp.create_barcode(payload, fmt).to_image(scale=scale, add_quiet_zones=False))
    if fmt == zxingcpp.BarcodeFormat.Code128:
        code = np.repeat(code[:1], 140, axis=0)  # bars 140 px tall
    h, w = code.shape
    canvas = np.full((h + 600, w + 600), 245, np.uint8)
    canvas[300:300 + h, 300:300 + w] = code
    truth = np.array([[300, 300], [300 + w, 300], [300 + w, 300 + h], [300, 300 + h]], np.float64)
    M = cv2.getRotationMatrix2D((canvas.shape[1] / 2, canvas.shape[0] / 2), angle, 1.0)
    out = cv2.warpAffine(canvas, M, (canvas.shape[1], canvas.shape[0]), borderValue=245)
    truth = (M[:, :2] @ truth.T).T + M[:, 2]
    return out, truth


def _covers(poly, truth, gray_shape) -> float:
    a = np.zeros(gray_shape, np.uint8)
    b = np.zeros(gray_shape, np.uint8)
    cv2.fillPoly(a, [np.round(np.asarray(poly)).astype(np.int32)], 1)
    cv2.fillPoly(b, [np.round(truth).astype(np.int32)], 1)
    return float((a & b).sum()) / float(b.sum())


@pytest.mark.parametrize("angle", [0.0, 5.0, -9.0])
def test_reader_band_is_widened_to_the_whole_tilted_symbol(angle):
    img, truth = _scene(angle)
    found = ZxingEngine().read(img)
    assert found and found[0].format == "Code128"
    band = found[0].quad
    wide = widen_linear(img, band)
    assert _covers(wide, truth, img.shape) > 0.97
    area_t = cv2.contourArea(truth.astype(np.float32))
    assert cv2.contourArea(np.float32(wide)) < 1.8 * area_t  # not the whole photo


def test_zbar_segment_is_widened_too():
    pytest.importorskip("pyzbar")
    img, truth = _scene(4.0)
    found = [s for s in ZbarEngine().read(img) if s.format == "Code128"]
    assert found
    wide = widen_linear(img, found[0].quad)
    assert _covers(wide, truth, img.shape) > 0.97


def test_undecodable_codes_are_found_by_their_look():
    img, truth = _scene(3.0)
    dam = img.copy()
    # scratch the code so no reader decodes it
    c = truth.mean(axis=0).astype(int)
    cv2.rectangle(dam, (c[0] - 40, 0), (c[0] + 40, dam.shape[0]), 245, -1)
    assert not ZxingEngine().read(dam)
    polys = find_by_look(dam, text_height=24)
    assert polys and max(_covers(p, truth, dam.shape) for p in polys) > 0.4  # both halves are bars
    qr, qtruth = _scene(0.0, "https://t.example/q/123456", zxingcpp.BarcodeFormat.QRCode, scale=8)
    c = qtruth.mean(axis=0).astype(int)
    dq = qr.copy()
    for k in range(-3, 4):  # a scratch across the finder patterns
        cv2.line(dq, (int(qtruth[0][0]) - 20, int(qtruth[0][1]) + 10 + k * 6),
                 (int(qtruth[2][0]) + 20, int(qtruth[2][1]) - 10 + k * 6), 245, 3)
    assert not ZxingEngine().read(dq)
    polys = find_by_look(dq, text_height=24)
    assert polys and max(quad_iou(p, tuple(map(tuple, qtruth))) for p in polys) > 0.6


def test_look_search_prepared_early_finds_the_same():
    """The look search's exclusion-free half (made beside the OCR) gives the same finds as one call."""
    from redact.stages.read_symbols import look_prep

    img, truth = _scene(3.0)
    dam = img.copy()
    c = truth.mean(axis=0).astype(int)
    cv2.rectangle(dam, (c[0] - 40, 0), (c[0] + 40, dam.shape[0]), 245, -1)
    big = cv2.resize(dam, None, fx=2.0, fy=2.0, interpolation=cv2.INTER_CUBIC)  # works at a smaller scale
    excl = [np.array([[0, 0], [200, 0], [200, 120], [0, 120]], float)]
    for gray, th in ((dam, 24.0), (big, 48.0)):
        one = find_by_look(gray, th, excl)
        assert one
        assert find_by_look(None, th, excl, prep=look_prep(gray, th)) == one
        # what is excluded still rules a find out: a mask over the whole view leaves nothing
        whole = [np.array([[0, 0], [gray.shape[1], 0], [gray.shape[1], gray.shape[0]], [0, gray.shape[0]]], float)]
        assert find_by_look(None, th, whole, prep=look_prep(gray, th)) == []
    assert look_prep(np.zeros((0, 0), np.uint8), 20.0) is None


def test_plain_text_is_not_a_symbol():
    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("L", (1200, 400), 245)
    d = ImageDraw.Draw(img)
    f = ImageFont.truetype("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 30)
    for i, line in enumerate(["浙江省杭州市西湖区文三路88号3栋201室", "收件人：张伟 13812345678", "SHIP TO: JOHN SMITH",
                              "1234 MAIN ST APT 5", "NEW YORK NY 10001-1234"]):
        d.text((30, 30 + i * 60), line, font=f, fill=20)
    assert find_by_look(np.asarray(img), text_height=30) == []


def test_rec_width_batches_group_similar_widths():
    from redact.engines.rapid import width_batches

    ratios = [1.0, 30.0, 1.1, 8.0, 9.5, 1.2, 31.0, 2.0, 8.2, 1.05, 1.15, 1.1, 1.12, 1.0, 1.01, 1.02]
    batches = width_batches(ratios, tol=1.3, most=8)
    assert sorted(i for b in batches for i in b) == list(range(len(ratios)))
    for b in batches:
        assert len(b) <= 8
        rs = [ratios[i] for i in b]
        assert max(rs) <= 1.3 * min(rs)  # padding to the widest costs at most 30 %
    # the ten short lines need two batches (at most 8 each), the two long ones share one
    assert sum(1 for b in batches if ratios[b[0]] < 1.3) == 2
    assert any(sorted(b) == [1, 6] for b in batches)


def _ink_covered(polys, truth, img) -> float:
    """The share of the symbol's ink (dark pixels inside its outline) under the union of ``polys``."""
    inside = np.zeros(img.shape[:2], np.uint8)
    cv2.fillPoly(inside, [np.round(truth).astype(np.int32)], 1)
    ink = (inside > 0) & (img < 128)
    cover = np.zeros(img.shape[:2], np.uint8)
    for p in polys:
        cv2.fillPoly(cover, [np.round(np.asarray(p)).astype(np.int32)], 1)
    return float((ink & (cover > 0)).sum()) / float(ink.sum())


def _damaged(angle: float, fmt=zxingcpp.BarcodeFormat.Code128, payload: str = "SF1234567890123", scale: int = 4):
    """A code no reader decodes: a paper-coloured strip drawn across it (a torn or smeared label)."""
    img, truth = _scene(angle, payload, fmt, scale)
    c = truth.mean(axis=0).astype(int)
    if fmt == zxingcpp.BarcodeFormat.Code128:
        cv2.rectangle(img, (c[0] - 30, 0), (c[0] + 30, img.shape[0]), 245, -1)
    else:  # a marker stroke across the L-shaped finder of a Data Matrix
        q = truth.astype(int)
        cv2.line(img, tuple(q[3] + (q[0] - q[3]) // 3), tuple(q[2] + (q[1] - q[2]) // 3), 245, 9)
        cv2.line(img, tuple(q[0] + (q[1] - q[0]) // 3), tuple(q[3] + (q[2] - q[3]) // 3), 245, 9)
    assert not ZxingEngine().read(img)
    return img, truth


@pytest.mark.parametrize("angle", [0.0, 4.0, -7.0])
def test_undecodable_1d_code_found_by_its_edges_covers_the_whole_bar_height(angle):
    """Bars found by their look are widened along the bars too: the mask holds the whole symbol (bar tops and
    bottoms, quiet zone), not the band the detector saw, and not the whole photo."""
    from redact.stages.read_symbols import bar_fields

    img, truth = _damaged(angle)
    polys = bar_fields(img, 24.0)  # the two halves either side of the strip
    assert polys and _ink_covered(polys, truth, img) > 0.99
    area = sum(cv2.contourArea(np.float32(p)) for p in polys)
    assert area < 1.8 * cv2.contourArea(truth.astype(np.float32))  # not the whole photo
    # and through the whole look search, with a text line next to it excluded
    found = find_by_look(img, 24.0, [np.array([[0, 0], [200, 0], [200, 40], [0, 40]], float)])
    assert _ink_covered(found, truth, img) > 0.99


@pytest.mark.parametrize("scale", [6, 8, 10])
def test_undecodable_datamatrix_is_still_masked(scale):
    """A Data Matrix whose finder is crossed out (no reader decodes it) is found by its look; with the quiet
    zone every symbol mask gets (``Config.symbol_quiet_zone``) its ink is all under the mask."""
    from redact.config import Config

    img, truth = _damaged(0.0, zxingcpp.BarcodeFormat.DataMatrix, "RVP1234567890XYZ0001IN-12345678", scale=scale)
    polys = find_by_look(img, 24.0)
    assert polys

    def padded(p):
        q = np.asarray(p, float)
        c = q.mean(axis=0)
        side = min(np.linalg.norm(q[1] - q[0]), np.linalg.norm(q[3] - q[0]))
        return c + (q - c) * (1 + 2 * Config().symbol_quiet_zone * side / np.maximum(1.0, np.abs(q - c).max()))

    assert _ink_covered([padded(p) for p in polys], truth, img) > 0.99
    assert sum(cv2.contourArea(np.float32(p)) for p in polys) < 1.5 * cv2.contourArea(truth.astype(np.float32))


def test_whole_photo_search_finds_bars_off_every_label_and_not_text():
    """A code the text detector gave no label for (a neighbour's parcel at the photo's edge) is masked from
    the whole-photo pass; lines of text are not bars."""
    from PIL import Image, ImageDraw, ImageFont

    from redact.stages.read_symbols import LOOK, decode_photo, merge_symbols

    code, truth = _damaged(3.0)
    photo = np.full((1800, 3000), 235, np.uint8)
    photo[1800 - code.shape[0]:, 3000 - code.shape[1]:] = code  # at the bottom-right corner
    truth = truth + [3000 - code.shape[1], 1800 - code.shape[0]]
    page = Image.fromarray(photo)
    d = ImageDraw.Draw(page)
    f = ImageFont.truetype("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 34)
    # (words: a long run of digits with upright strokes can pass for bars at this scale; read lines rule
    # those out in ``merge_symbols``)
    for i, line in enumerate(["SHIP TO: JOHN SMITH", "MAIN STREET APT FIVE", "NEW YORK NY 10001-1234",
                              "TRACKING NUMBER BELOW", "WEIGHT: ONE KILO"]):
        d.text((80, 80 + i * 70), line, font=f, fill=20)
    rgb = cv2.cvtColor(np.asarray(page), cv2.COLOR_GRAY2RGB)
    found = decode_photo(ZxingEngine(), rgb)
    looks = [q for raw, q in found if raw.format == LOOK]
    assert looks and _ink_covered(looks, truth, photo) > 0.99
    assert all(np.asarray(q)[:, 1].min() > 600 for q in looks)  # nothing on the text
    syms = merge_symbols(ZxingEngine(), found, [], [])
    assert _ink_covered([s.polygon for s in syms if not s.decoded], truth, photo) > 0.99


@pytest.mark.parametrize("angle", [0.0, 6.0])
def test_a_reader_quad_over_part_of_the_code_is_widened_to_its_whole_length(angle):
    """Readers sometimes report a part of a 1-D code (here: its middle half, as a thin band): the mask runs
    along the bars to the code's ends, plus the quiet zone, and along the bars to their tops and bottoms."""
    img, truth = _scene(angle)
    q = np.asarray(ZxingEngine().read(img)[0].quad, float)
    c = q.mean(axis=0)
    u = (truth[1] - truth[0]) / np.linalg.norm(truth[1] - truth[0])
    n = np.array([-u[1], u[0]])
    L = np.linalg.norm(truth[1] - truth[0])
    part = [c - 0.25 * L * u - 3 * n, c + 0.25 * L * u - 3 * n, c + 0.25 * L * u + 3 * n, c - 0.25 * L * u + 3 * n]
    wide = widen_linear(img, tuple(map(tuple, part)))
    assert _ink_covered([wide], truth, img) > 0.99
    assert cv2.contourArea(np.float32(wide)) < 1.8 * cv2.contourArea(truth.astype(np.float32))


def test_whole_photo_2d_look_alike_counts_beside_text_only():
    """A 2-D code no reader decodes, off every label (printed on the bag beside its id), is masked from the
    whole-photo pass when some text line stands by it; the same block alone on the photo is not (a keypad,
    a grille)."""
    from redact.stages.read_symbols import LOOK_2D, decode_photo, merge_symbols
    from redact.types import TextLine

    code, truth = _damaged(0.0, zxingcpp.BarcodeFormat.DataMatrix, "RVP1234567890XYZ0001IN-12345678", scale=8)
    photo = np.full((2000, 3000), 200, np.uint8)
    y0, x0 = 300, 400
    photo[y0:y0 + code.shape[0], x0:x0 + code.shape[1]] = code
    truth = truth + [x0, y0]
    rgb = cv2.cvtColor(photo, cv2.COLOR_GRAY2RGB)
    found = decode_photo(ZxingEngine(), rgb)
    looks = [q for raw, q in found if raw.format == LOOK_2D]
    assert looks and max(_covers(q, truth, photo.shape) for q in looks) > 0.5
    assert not [s for s in merge_symbols(ZxingEngine(), found, [], []) if not s.decoded]  # no text near it
    t = truth.mean(axis=0)
    beside = ((t[0] + 120, t[1] - 80), (t[0] + 160, t[1] - 80), (t[0] + 160, t[1] + 80), (t[0] + 120, t[1] + 80))
    line = TextLine(text="\u25a1", polygon=beside, score=0.0, words=(), upright=beside, label_index=0, char_scores=(0.0,))
    syms = [s for s in merge_symbols(ZxingEngine(), found, [], [line]) if not s.decoded]
    assert syms and max(_covers(s.polygon, truth, photo.shape) for s in syms) > 0.5
