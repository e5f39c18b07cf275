"""The unreadable-print rules (redact/unreadable.py): model-free on made-up lines, and on a generator photo of
a small, far label with the real models."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from redact.stages.plan import field_polygons, plan
from redact.types import Category, Field, Label, Role, Span, TextLine
from redact.stages.unreadable import paper_area, unreadable_fields

FRAME = (900, 1200)  # (height, width)


def _line(x: float, y: float, w: float, h: float, text: str, score: float, label: int = 0) -> TextLine:
    poly = ((x, y), (x + w, y), (x + w, y + h), (x, y + h))
    return TextLine(text=text, polygon=poly, score=score, upright=poly, label_index=label)


def _label(lines) -> Label:
    pts = np.concatenate([np.asarray(ln.polygon, float) for ln in lines])
    x0, y0 = pts.min(axis=0)
    x1, y1 = pts.max(axis=0)
    return Label(quad=((x0, y0), (x1, y0), (x1, y1), (x0, y1)), to_photo=np.eye(3), crop_size=(int(x1 - x0), int(y1 - y0)))


def _inside(poly, pt) -> bool:
    return cv2.pointPolygonTest(np.asarray(poly, np.float32), (float(pt[0]), float(pt[1])), False) >= 0


def _far_label():
    """A small label (150 px of a 1200 px frame): 7 lines of 7 px print, most read badly."""
    reads = [("x1", 0.3), ("7k#", 0.4), ("ab", 0.62), ("mn", 0.2), ("JOHN SM1TH", 0.9), ("4l", 0.35), ("..", 0.1)]
    return [_line(500, 400 + 11 * i, 120, 7, t, s) for i, (t, s) in enumerate(reads)]


def test_small_illegible_label_is_masked_whole():
    lines = _far_label()
    out = unreadable_fields(lines, [], [_label(lines)], FRAME)
    whole = [f for f in out if f.rule == "illegible_label"]
    assert len(whole) == 1 and not whole[0].spans and whole[0].category == Category.UNREADABLE
    area = whole[0].polygons[0]
    for ln in lines:  # every line, the legible one too, lies under the one area
        assert all(_inside(area, p) for p in ln.polygon)
    # no per-line duplicates for a label masked whole
    assert not [f for f in out if f.spans and lines[f.spans[0].line].label_index == 0]
    # the mask planner renders the area as it is
    assert field_polygons(whole[0], lines, []) == (area,)
    masks = plan(out, list(range(len(out))), lines, [], 0.3, 0.1)
    assert any(np.allclose(np.asarray(m.polygon), np.asarray(area)) for m in masks)


def test_legible_label_is_left_alone():
    lines = [_line(100, 100 + 30 * i, 500, 22, "1600 AMPHITHEATRE PKWY", 0.95) for i in range(8)]
    lines[3] = _line(100, 190, 500, 22, "x", 0.3)  # one bad line of eight
    assert not [f for f in unreadable_fields(lines, [], [_label(lines)], FRAME) if f.rule == "illegible_label"]


def test_texture_boxes_are_no_label():
    """A few big boxes, none read (wood grain, a wet spot, a box edge): no small label."""
    lines = [_line(900, 500, 150, 150, "I", 0.32)]
    assert unreadable_fields(lines, [], [_label(lines)], FRAME) == []
    lines = [_line(10, 370, 170, 150, "ABCD", 0.51), _line(890, 670, 70, 69, "1", 0.5, label=1)]
    assert unreadable_fields(lines, [], [_label(lines[:1]), _label(lines[1:])], FRAME) == []


def test_fragment_of_a_far_label():
    """One line found on a small region (the detector saw a fragment of a far label): masked whole."""
    lines = [_line(590, 240, 60, 20, "1Z999AA1", 0.69)]
    out = unreadable_fields(lines, [], [_label(lines)], FRAME)
    assert [f.rule for f in out] == ["illegible_label"]


def test_big_legible_print_stays_out():
    """A legible brand line at the top of a weak label is not masked with its small print."""
    brand = _line(500, 360, 120, 28, "PRIORITY MAIL", 0.97)
    lines = [brand] + _far_label()
    out = unreadable_fields(lines, [], [_label(lines)], FRAME)
    area = [f for f in out if f.rule == "illegible_label"][0].polygons[0]
    assert not _inside(area, np.asarray(brand.polygon).mean(axis=0))
    assert all(_inside(area, np.asarray(ln.polygon).mean(axis=0)) for ln in lines[1:])


def test_illegible_line_near_personal_field():
    """On a legible label, an illegible line beside a name is masked (line rule); far away it is not."""
    lines = [_line(100, 100 + 30 * i, 500, 22, "LINE OF TEXT", 0.95) for i in range(10)]
    lines[1] = _line(100, 130, 500, 22, "q#", 0.3)
    lines[9] = _line(100, 800, 500, 22, "q#", 0.3)
    name = Field(category=Category.NAME, role=Role.RECIPIENT, spans=(Span(0, 0, 12),), value="LINE OF TEXT")
    out = unreadable_fields(lines, [name], [_label(lines)], FRAME)
    assert [(f.rule, f.spans[0].line) for f in out] == [("low_ocr_confidence", 1)]


def test_big_weak_label_masks_its_lines():
    """A big label (most of the frame) mostly illegible: its ordinary lines one by one, not one huge area."""
    lines = [_line(50, 50 + 80 * i, 1100, 30, "zz" if i % 3 else "READABLE LINE", 0.3 if i % 3 else 0.95)
             for i in range(10)]
    out = unreadable_fields(lines, [], [_label(lines)], FRAME)
    assert out and all(f.rule == "illegible_region" and f.spans for f in out)


def test_paper_growth():
    """The print area found on a far label grows to the white sheet around it, not to the box."""
    img = np.full((900, 1200, 3), (150, 110, 70), np.uint8)  # cardboard
    cv2.rectangle(img, (480, 220), (780, 330), (245, 245, 240), -1)  # the sheet
    rng = np.random.default_rng(1)
    for _ in range(60):  # print on it
        x, y = int(rng.integers(490, 760)), int(rng.integers(230, 320))
        cv2.rectangle(img, (x, y), (x + int(rng.integers(4, 20)), y + 2), (20, 20, 20), -1)
    grown = paper_area(img, ((590.0, 240.0), (650.0, 240.0), (650.0, 280.0), (590.0, 280.0)))
    assert grown is not None
    for corner in ((482, 222), (778, 222), (778, 328), (482, 328)):
        assert _inside(grown, corner)
    assert not _inside(grown, (470, 210)) and not _inside(grown, (800, 350))
    # a print area on plain cardboard: no sheet
    assert paper_area(np.full((900, 1200, 3), (150, 110, 70), np.uint8), ((590.0, 240.0), (650.0, 240.0),
                                                                          (650.0, 280.0), (590.0, 280.0))) is None


@pytest.mark.slow
def test_small_far_label_photo(tmp_path, redactor, attacker):
    """A generator photo of a small, far label: its weak print is masked as a label
    area, nothing sensitive leaks, and the photo around the label is not masked."""
    from benchmarks.generator import make_photo
    from benchmarks.score import load_truth, score_photo

    g = make_photo(seed=2105, layout="dhl_intl", conditions=("small",))
    ext = ".png" if g.image_bytes[:4] == b"\x89PNG" else ".jpg"
    (tmp_path / f"photo{ext}").write_bytes(g.image_bytes)
    truth = dict(g.truth)
    truth["image"] = f"photo{ext}"
    (tmp_path / "photo.json").write_text(json.dumps(truth))
    res = redactor.redact(g.image_bytes, name="photo")
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / f"photo{res.extension}"
    out.write_bytes(res.data)
    scored = score_photo(load_truth(tmp_path)[0], out, attacker)
    sens = [it for it in scored["items"] if it.get("sensitive")]
    assert len(sens) >= 5
    assert not [(it["category"], it["reason"]) for it in sens if it.get("leaked")]
    assert any(f.rule == "illegible_label" and f.polygons for f in res.report.fields)
    free = [it for it in scored["items"] if "free_changed" in it]
    over = sum(it["free_area"] * it["free_changed"] for it in free) / max(1, sum(it["free_area"] for it in free))
    assert over < 0.35, f"non-sensitive text area masked: {over:.0%}"
    # what changed lies on the label (its quad grown by a tenth of its size), not on the parcel around it
    changed = np.any(res.pixels != np.asarray(redactor.load(g.image_bytes).pixels), axis=2)
    quad = np.asarray(g.truth["label_quad"], float)
    c = quad.mean(axis=0)
    on_label = np.zeros(changed.shape, np.uint8)
    cv2.fillPoly(on_label, [np.round(c + (quad - c) * 1.1).astype(np.int32)], 1)
    off = np.count_nonzero(changed & ~on_label.astype(bool)) / max(1, np.count_nonzero(changed))
    assert off < 0.03, f"{off:.1%} of the changed pixels lie off the label"


def _sheet_photo(sheet: bool) -> np.ndarray:
    img = np.full((900, 1200, 3), (150, 110, 70), np.uint8)  # cardboard
    if sheet:
        cv2.rectangle(img, (580, 470), (735, 575), (245, 245, 240), -1)
    else:  # a white wall: far more than a label's sheet
        img[:, :] = (240, 240, 238)
    rng = np.random.default_rng(2)
    for _ in range(50):
        x, y = int(rng.integers(590, 720)), int(rng.integers(480, 565))
        cv2.rectangle(img, (x, y), (x + int(rng.integers(3, 12)), y + 1), (25, 25, 25), -1)
    return img


def test_blob_on_a_sheet_is_a_far_label():
    """One big unread box (the detector took a far label for one blob): masked as the sheet it lies on
    when there is a sheet; on a wall (no sheet, or one running on past the search window) it is texture
    and left alone."""
    lines = [_line(600, 485, 110, 70, "1I", 0.35)]
    labs = [_label(lines)]
    out = unreadable_fields(lines, [], labs, FRAME, _sheet_photo(True))
    assert [f.rule for f in out] == ["illegible_label"]
    assert all(_inside(out[0].polygons[0], c) for c in ((583, 473), (732, 572)))
    assert unreadable_fields(lines, [], labs, FRAME, _sheet_photo(False)) == []
    assert unreadable_fields(lines, [], labs, FRAME) == []  # without pixels: no sheet known
    wall = np.full((3000, 4000, 3), (150, 110, 70), np.uint8)
    wall[:1400, :] = (235, 235, 232)  # a bright wall above the parcel, far wider than the window
    blob = [_line(800, 900, 140, 90, "", 0.0)]
    assert unreadable_fields(blob, [], [_label(blob)], (3000, 4000), wall) == []


def test_an_unread_cluster_joined_to_legible_print_is_masked():
    """A far label's codes seen as two big unread blobs, grouped into one region with the legible print of the
    box's tape beside it: the label as a whole reads, the cluster does not: the cluster is masked."""
    tape = [_line(600 + 40 * i, 300 + 30 * i, 260, 26, "prime video streaming", 0.99) for i in range(6)]
    blobs = [_line(120, 500, 110, 48, "x", 0.3), _line(190, 470, 70, 45, "#", 0.28)]
    lines = tape + blobs
    out = unreadable_fields(lines, [], [_label(lines)], FRAME)
    cl = [f for f in out if f.rule == "illegible_cluster"]
    assert len(cl) == 1 and cl[0].category == Category.UNREADABLE
    for ln in blobs:
        assert all(_inside(cl[0].polygons[0], p) for p in ln.polygon)
    for ln in tape:  # the legible print stays
        assert not any(_inside(cl[0].polygons[0], p) for p in ln.polygon)
    # the tape alone: nothing to mask
    assert not [f for f in unreadable_fields(tape, [], [_label(tape)], FRAME) if f.rule == "illegible_cluster"]
