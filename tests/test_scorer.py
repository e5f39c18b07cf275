"""The scorer's self-check, on generator photos with known truth.

- JPEG re-encoding alone (q = 75..95) is not change: 0 coverage, nothing covered.
- An unchanged copy scores ~100 % leaked; a copy with only the truth polygons filled scores ~0 %.
- A weak Gaussian blur over the truth polygons still leaks (the OCR attacker reads through it, zxing decodes).
- The value rules (what counts as reading back a real part of a value) and the aggregation.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repo root: the benchmarks package
cv2 = pytest.importorskip("cv2")
from PIL import Image  # noqa: E402

from benchmarks import score as S  # noqa: E402

PHOTOS = [("zh_privacy", ("standard",), 21), ("us_ups", ("standard",), 22)]


@pytest.fixture(scope="module")
def truth_dir(tmp_path_factory) -> Path:
    from benchmarks.generator import make_photo

    d = tmp_path_factory.mktemp("truth")
    for layout, conds, seed in PHOTOS:
        g = make_photo(seed=seed, layout=layout, conditions=conds, size="2mp")
        (d / g.truth["image"]).write_bytes(g.image_bytes)
        (d / f"{g.name}.json").write_text(json.dumps(g.truth, ensure_ascii=False), encoding="utf-8")
    return d


@pytest.fixture(scope="module")
def truths(truth_dir):
    t = S.load_truth(truth_dir)
    assert len(t) == len(PHOTOS)
    assert all(sum(it.sensitive for it in x.items) >= 5 for x in t)
    return t


@pytest.fixture(scope="module")
def attacker():
    return S.Attacker(threads=2)


def _save(arr: np.ndarray, path: Path, quality: int = 92) -> Path:
    Image.fromarray(arr).save(path, "JPEG", quality=quality)
    return path


def _sensitive_mask(t: S.Truth, shape) -> np.ndarray:
    m = np.zeros(shape[:2], np.uint8)
    for it in t.items:
        if it.sensitive:
            cv2.fillPoly(m, [np.round(np.asarray(it.polygon)).astype(np.int32)], 1)
    return m.astype(bool)


def _leak_rate(results) -> float:
    agg = S.aggregate(results)
    assert agg["sensitive_items"] > 0
    return agg["leak_rate"]


@pytest.mark.parametrize("quality", [75, 85, 95])
def test_jpeg_reencode_alone_is_not_change(truths, tmp_path, quality):
    for t in truths:
        orig = S.load_rgb(t.image)
        buf = io.BytesIO()
        Image.fromarray(orig).save(buf, "JPEG", quality=quality)
        again = np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))
        assert (again != orig).any(axis=2).mean() > 0.05  # the re-encode did alter many pixels
        changed = S.change_mask(orig, again)
        assert changed.sum() == 0, f"{t.name}: {int(changed.sum())} pixels flagged after q={quality}"
        res = S.score_photo(t, _save(again, tmp_path / f"{t.name}.jpg", quality), ocr=False)
        covs = [it["coverage"] for it in res["items"]]
        assert max(covs) == 0.0
        assert res["changed_share"] == 0.0
        assert all(it["leaked"] and it["reason"] == "uncovered" for it in res["items"] if it["sensitive"])


def test_unchanged_copy_scores_all_leaked(truths, tmp_path, attacker):
    results = []
    for t in truths:
        out = _save(S.load_rgb(t.image), tmp_path / f"{t.name}.jpg")
        results.append(S.score_photo(t, out, attacker))
    assert _leak_rate(results) >= 0.99
    agg = S.aggregate(results)
    assert agg["clean_photo_rate"] == 0.0
    assert agg["over_outside_share"] == 0.0


def test_truth_polygons_filled_scores_zero(truths, tmp_path, attacker):
    results = []
    for t in truths:
        img = S.load_rgb(t.image).copy()
        img[_sensitive_mask(t, img.shape)] = (0, 0, 0)
        results.append(S.score_photo(t, _save(img, tmp_path / f"{t.name}.jpg"), attacker))
    assert _leak_rate(results) <= 0.02
    agg = S.aggregate(results)
    # only the sensitive polygons changed: nothing outside them (+ margin), little non-sensitive ink
    assert agg["over_outside_share"] < 0.002
    assert agg["over_nonsensitive_text"] < 0.05
    # and a paper-coloured fill (changes the ink, not the paper) is covered too
    for t in truths:
        img = S.load_rgb(t.image).copy()
        img[_sensitive_mask(t, img.shape)] = (235, 232, 225)
        r = S.score_photo(t, _save(img, tmp_path / f"{t.name}.jpg"), ocr=False)
        sens = [it for it in r["items"] if it["sensitive"]]
        assert sum(it["covered"] for it in sens) >= 0.95 * len(sens)


def _small_text(kind: str, seed: int = 0) -> tuple:
    """A 6 px line of thin dark strokes on grey paper (the low-resolution label of a real photo), its
    polygon, and an output: ``fill`` = the line wiped with an ink-grey fill plus noise (destroyed, although the
    fill is far from the paper colour), ``half`` = only its left half wiped, ``ghost`` = a 50 % blend."""
    rng = np.random.default_rng(seed)
    g = np.full((40, 120), 200, np.uint8)
    for x in range(12, 108, 4):  # one-pixel vertical strokes: the glyphs of a tiny line
        g[17:23, x] = 120
    img = np.repeat(g[:, :, None], 3, axis=2)
    poly = np.array([[10, 16], [110, 16], [110, 24], [10, 24]], float)
    out = img.copy().astype(np.float32)
    if kind in ("fill", "half"):
        x1 = 110 if kind == "fill" else 60
        out[15:26, 9:x1 + 1] = 170 + rng.normal(0, 5, (11, x1 - 8, 3))
    elif kind == "ghost":
        out[16:25, 10:111] = 0.5 * out[16:25, 10:111] + 0.5 * 200
    return img, poly, np.clip(out, 0, 255).astype(np.uint8)


@pytest.mark.parametrize("kind,lo,hi", [("fill", 0.95, 1.0), ("half", 0.3, 0.7), ("ghost", 0.0, 0.2), ("none", 0.0, 0.0)])
def test_coverage_of_thin_small_text(kind, lo, hi):
    """Each ink pixel counts as destroyed when its contrast to the paper around it is gone (residual test),
    besides the smoothed difference: a wholly wiped 6 px line is covered whatever the fill colour; half a
    wipe covers half; a 50 % ghost and an untouched line cover nothing."""
    img, poly, out = _small_text(kind)
    gray = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
    cov, _ = S.coverage(poly, gray, S.diff_map(img, out), cv2.cvtColor(out, cv2.COLOR_RGB2GRAY))
    assert lo <= cov <= hi, (kind, cov)


def test_weak_blur_over_truth_polygons_leaks(truths, tmp_path, attacker):
    results = []
    for t in truths:
        img = S.load_rgb(t.image)
        blurred = cv2.GaussianBlur(img, (0, 0), 1.2)
        out = img.copy()
        m = _sensitive_mask(t, img.shape)
        out[m] = blurred[m]
        results.append(S.score_photo(t, _save(out, tmp_path / f"{t.name}.jpg"), attacker))
    agg = S.aggregate(results)
    assert agg["leak_rate"] >= 0.3, agg["leak_reasons"]


def test_changed_but_legible_is_caught_by_the_attackers(truths, tmp_path, attacker):
    """Inverted text changes every pixel (so it is 'covered'), yet stays legible: OCR and zxing read it."""
    results = []
    for t in truths:
        img = S.load_rgb(t.image)
        out = img.copy()
        m = _sensitive_mask(t, img.shape)
        out[m] = 255 - img[m]
        results.append(S.score_photo(t, _save(out, tmp_path / f"{t.name}.jpg"), attacker))
    items = [it for r in results for it in r["items"] if it["sensitive"]]
    assert sum(it["covered"] for it in items) >= 0.9 * len(items)
    agg = S.aggregate(results)
    assert agg["leak_rate"] >= 0.5, agg["leak_reasons"]
    assert agg["leak_reasons"].get("ocr", 0) >= 0.4 * len(items)


def test_barcode_attacker_decodes_symbols_until_masked(truths, attacker):
    decoded = filled_decoded = symbols = 0
    for t in truths:
        img = S.load_rgb(t.image)
        filled = img.copy()
        filled[_sensitive_mask(t, img.shape)] = (0, 0, 0)
        for it in t.items:
            if it.kind == "symbol" and it.payload:
                symbols += 1
                decoded += S.attack_item(it, img, attacker)[1]
                filled_decoded += S.attack_item(it, filled, attacker)[1]
    assert symbols >= 4
    assert decoded >= 0.6 * symbols  # Code128 / QR decode from their crops (MaxiCode does not)
    assert filled_decoded == 0


def test_missing_output_is_a_failure_not_clean(truths):
    r = S.score_photo(truths[0], None)
    assert not r["ok"] and r["error_kind"] == "missing_output"
    agg = S.aggregate([r])
    assert agg["failures"] == 1 and agg["clean_photo_rate"] == 0.0 and agg["leak_rate"] is None


def test_results_carry_no_personal_value(truths, tmp_path):
    t = truths[0]
    r = S.score_photo(t, _save(S.load_rgb(t.image), tmp_path / "x.jpg"), ocr=False)
    blob = json.dumps(r, ensure_ascii=False)
    for it in t.items:
        if it.sensitive and len(it.text) >= 4:
            assert it.text not in blob
        if it.payload:
            assert it.payload not in blob


@pytest.mark.parametrize(
    "category,value,reads,leak",
    [
        ("phone", "186****9635", ["电话 186****9635"], True),
        ("phone", "186****9635", ["186"], False),  # 3 digits are not a leak
        ("phone", "13812345678", ["138 1234 5678"], True),
        ("phone", "(555) 123-4567", ["555-12"], True),
        ("phone", "(555) 123-4567", ["555"], False),
        ("tracking_number", "1Z 999 AA1 01 2345 6784", ["1Z999AA1O"], True),  # O read for 0
        ("name", "陆*勇", ["陆*勇"], True),
        ("name", "陆*勇", ["勇"], False),
        ("name", "张*", ["张"], True),  # whole visible name when shorter than 2
        ("name", "欧阳娜娜", ["阳娜"], True),
        ("name", "欧阳娜娜", ["欧"], False),
        ("name", "John Smith", ["SHIP TO: JOHN"], True),
        ("name", "Jo Li", ["JOLLY"], False),
        ("address", "天津市河西区新桥镇北京路12号", ["河西区新"], True),
        ("address", "天津市河西区新桥镇北京路12号", ["天津市"], False),
        ("address", "1234 Maple Ave Apt 5", ["MAPLE"], True),
        ("email", "john.doe88@acme-corp.com", ["doe8"], True),
        ("email", "jd@gmail.com", ["gmail.com"], False),
        ("postal_code", "SW1A 1AA", ["SW1A 1AA"], True),
        ("id_number", "11010519491231002X", ["1231"], True),
        ("phone", "13812345678", [], False),
    ],
)
def test_value_rules(category, value, reads, leak):
    assert S.value_leaks(category, value, reads) is leak
