"""The real-photo benchmark (benchmarks/real): its committed annotations and its scorer.

- Every committed annotation follows the format, holds no field that could carry text (only lengths and
  SHA-256 of normalised text), and matches its photo (hash, oriented size) when the photo is on this machine.
- The validator refuses text fields, bad hashes, notes with values.
- The scorer, on a GENERATOR photo turned into a fake "real" annotation (known truth): an unredacted output is
  all legible, an output whose ink changed but stays readable is legible by OCR read-back / decoding, a fully
  filled output has nothing legible, and an item marked not legible in the original is never read back.
"""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repo root: the benchmarks package
cv2 = pytest.importorskip("cv2")
from PIL import Image  # noqa: E402

from benchmarks import real as R  # noqa: E402
from benchmarks import score as S  # noqa: E402

ANN_FILES = sorted(R.ANNOTATIONS.glob("*.json"))
ALLOWED_STRINGS = {"image", "image_sha256", "source", "kind", "type", "category", "role", "text_sha256", "note",
                   "symbology", "annotator"}


def _strings(obj, key=None):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _strings(v, k)
    elif isinstance(obj, list):
        for v in obj:
            yield from _strings(v, key)
    elif isinstance(obj, str):
        yield key, obj


@pytest.mark.parametrize("path", ANN_FILES, ids=[p.stem for p in ANN_FILES])
def test_annotation_file_follows_the_format_and_holds_no_text(path):
    raw = json.loads(path.read_text(encoding="utf-8"))
    ann = R.parse_annotation(path, raw)  # schema: raises on any unknown field
    assert ann.items or ann.kind == "no_label", "a label photo with no item"
    for key, s in _strings(raw):
        assert key in ALLOWED_STRINGS or key == "conditions", f"a string in field {key!r}"
        assert not any("\u3400" <= c <= "\u9fff" for c in s), f"CJK text in {key!r}"
        if key in ("image_sha256", "text_sha256"):
            assert len(s) == 64
    for it, d in zip(ann.items, raw["items"]):
        if it.type == "text":
            assert it.text_len >= 1 and len(it.text_sha256) == 64
        assert set(d) <= R.ITEM_KEYS
    photo = R.find_photo(ann.image)
    if photo is not None:  # the photo is on this machine: it is the one annotated
        R.check_photo(ann, photo)
        assert R.oriented_size(photo) == (ann.width, ann.height)


def test_annotation_files_are_ascii_and_carry_no_photo_bytes():
    assert len(ANN_FILES) >= 12  # the committed real set (Indian reverse-pickup labels and the others)
    for p in ANN_FILES:
        b = p.read_bytes()
        assert b.isascii() and len(b) < 200_000, p.name


def _doc(**over):
    d = {"image": "x.jpg", "image_sha256": "0" * 64, "width": 100, "height": 80, "source": "s", "kind": "label",
         "conditions": ["tilt"], "items": [
             {"id": 0, "type": "text", "polygon": [[1, 1], [50, 1], [50, 20], [1, 20]], "category": "phone",
              "role": "recipient", "sensitive": True, "text_len": 4, "text_sha256": "a" * 64,
              "legible_in_original": True}]}
    d.update(over)
    return d


@pytest.mark.parametrize("mutate, msg", [
    (lambda d: d["items"][0].update(text="1234"), "unknown field"),
    (lambda d: d["items"][0].update(payload="1234"), "unknown field"),
    (lambda d: d.update(texts=["1234"]), "unknown top-level"),
    (lambda d: d["items"][0].update(text_sha256="xyz"), "text_sha256"),
    (lambda d: d["items"][0].update(note="the number 98765 on the left"), "note"),
    (lambda d: d["items"][0].update(category="secret"), "category"),
    (lambda d: d["items"][0].update(type="symbol"), "symbol"),
    (lambda d: d.update(image_sha256="1" * 10), "image_sha256"),
    (lambda d: d["items"].append(dict(d["items"][0])), "unique"),
])
def test_validator_refuses_fields_that_could_hold_values(mutate, msg):
    d = _doc()
    mutate(d)
    with pytest.raises(R.AnnotationError, match=msg):
        R.parse_annotation(Path("x.json"), d)


def test_photo_hash_and_size_are_checked(tmp_path):
    photo = tmp_path / "x.jpg"
    Image.fromarray(np.full((80, 100, 3), 200, np.uint8)).save(photo, "JPEG")
    ok = R.parse_annotation(tmp_path / "x.json", _doc(image_sha256=R.file_sha256(photo)))
    R.check_photo(ok, photo)
    with pytest.raises(R.AnnotationError, match="SHA-256"):
        R.check_photo(R.parse_annotation(tmp_path / "x.json", _doc()), photo)
    with pytest.raises(R.AnnotationError, match="size"):
        R.check_photo(R.parse_annotation(tmp_path / "x.json", _doc(image_sha256=R.file_sha256(photo), width=80,
                                                                    height=100)), photo)


def test_search_path_order_and_env(tmp_path, monkeypatch):
    monkeypatch.setenv(R.ENV_DIRS, str(tmp_path))
    d = R.search_dirs()
    assert d[0] == R.ROOT.parent / "shared" / "eval" / "real-dev"
    assert d[1] == R.LOCAL_PHOTOS and d[-1] == tmp_path
    (tmp_path / "only_here_zz.jpg").write_bytes(b"x")
    assert R.find_photo("only_here_zz.jpg") == tmp_path / "only_here_zz.jpg"


def test_local_photo_folder_is_git_ignored():
    lines = (R.ROOT / ".gitignore").read_text().splitlines()
    assert "/benchmarks/real/photos/" in lines


def test_finalize_replaces_text_by_length_and_hash():
    from benchmarks.real.__main__ import finalize

    draft = _doc()
    draft["items"][0] = {k: v for k, v in draft["items"][0].items() if k not in ("text_len", "text_sha256")}
    draft["items"][0]["text"] = " ab 12 "
    draft["items"].append({"id": 1, "type": "symbol", "polygon": [[1, 30], [30, 30], [30, 60], [1, 60]],
                           "category": "datamatrix", "role": "unknown", "sensitive": True, "payload": "P1",
                           "symbology": "DataMatrix"})
    draft["items"].append({"id": 2, "type": "text", "polygon": [[1, 1], [9, 1], [9, 9]], "drop": True,
                           "text": "x"})
    out = finalize(draft)
    assert all("text" not in it and "payload" not in it for it in out["items"])
    assert "P1" not in json.dumps(out) and "AB12" not in json.dumps(out).upper()
    assert [it["id"] for it in out["items"]] == [0, 1]
    assert out["items"][0]["text_len"] == 4 and out["items"][0]["text_sha256"] == R.text_digest("AB12")[1]
    assert out["items"][1]["decodes_in_original"] is True
    R.parse_annotation(Path("x.json"), out)


# ------------------------------------------------------------------------------ the scorer, known truth
@pytest.fixture(scope="module")
def fake_real(tmp_path_factory):
    """A generator photo with its truth rewritten as a real-photo annotation (text only as length + hash)."""
    from benchmarks.generator import make_photo

    d = tmp_path_factory.mktemp("fake_real")
    g = make_photo(seed=22, layout="us_ups", conditions=("standard",), size="2mp")
    photo = d / g.truth["image"]
    photo.write_bytes(g.image_bytes)
    items = []
    for i, it in enumerate(g.truth["items"]):
        sym = it.get("kind") == "symbol"
        cat = it["category"] if it["category"] in R.CATEGORIES else "other"
        if sym and cat not in R.SYMBOL_CATEGORIES:
            cat = "barcode"
        n, sha = (None, None) if sym else R.text_digest(it.get("text") or "")
        if not sym and not n:
            continue
        items.append({"id": i, "type": "symbol" if sym else "text", "polygon": it["polygon"], "category": cat,
                      "role": it["role"] if it["role"] in R.ROLES else "unknown", "sensitive": bool(it["sensitive"]),
                      "text_len": n, "text_sha256": sha, "legible_in_original": True})
    doc = {"image": photo.name, "image_sha256": R.file_sha256(photo), "width": g.truth["width"],
           "height": g.truth["height"], "source": "generator", "kind": "label", "conditions": [], "items": items}
    ann = R.parse_annotation(d / f"{photo.stem}.json", doc)
    R.check_photo(ann, photo)
    assert len(ann.sensitive) >= 8 and any(it.type == "symbol" for it in ann.sensitive)
    return ann, photo, doc


def _save(arr, path):
    Image.fromarray(arr).save(path, "JPEG", quality=92)
    return path


def test_unredacted_output_is_all_legible(fake_real, attacker, tmp_path):
    ann, photo, _ = fake_real
    r = R.score_real_photo(ann, photo, _save(S.load_rgb(photo), tmp_path / "o.jpg"), attacker)
    sens = [it for it in r["items"] if it["sensitive"]]
    assert sens and all(it["legible"] for it in sens)
    agg = R.aggregate_real([r])
    assert agg["legible_rate"] == 1.0 and agg["clean_photos"] == 0 and agg["photos_with_sensitive"] == 1
    assert agg["nonsensitive_masked"] == 0


def _lightened(ann, img):
    """Every sensitive item's ink changed (dark pixels lifted by 90 levels) yet still plainly readable."""
    out = img.astype(np.int16)
    m = np.zeros(img.shape[:2], np.uint8)
    for it in ann.sensitive:
        cv2.fillPoly(m, [np.round(np.asarray(it.polygon)).astype(np.int32)], 1)
    dark = (cv2.cvtColor(img, cv2.COLOR_RGB2GRAY) < 150) & m.astype(bool)
    out[dark] += 90
    return np.clip(out, 0, 255).astype(np.uint8)


def test_changed_but_readable_output_is_legible_by_read_back(fake_real, attacker, tmp_path):
    ann, photo, _ = fake_real
    r = R.score_real_photo(ann, photo, _save(_lightened(ann, S.load_rgb(photo)), tmp_path / "o.jpg"), attacker)
    sens = [it for it in r["items"] if it["sensitive"]]
    covered = [it for it in sens if it["coverage"] >= R.COVER_MIN]
    assert len(covered) >= 0.8 * len(sens)  # the ink changed: only read-back can find them
    text = [it for it in covered if it["type"] == "text"]
    with_ref = [it for it in text if it["reference"] != "none"]
    assert len(with_ref) >= 0.8 * len(text)
    assert sum(it["reason"] == "ocr" for it in with_ref) >= 0.8 * len(with_ref)
    syms = [it for it in covered if it["type"] == "symbol" and it["reference"] == "decoded"]
    assert syms and all(it["reason"] == "barcode" for it in syms)


def test_item_not_legible_in_original_is_not_read_back(fake_real, attacker, tmp_path):
    ann, photo, doc = fake_real
    d = copy.deepcopy(doc)
    for it in d["items"]:
        if it["type"] == "text" and it["sensitive"]:
            it["legible_in_original"] = False
    ann2 = R.parse_annotation(ann.path, d)
    r = R.score_real_photo(ann2, photo, _save(_lightened(ann, S.load_rgb(photo)), tmp_path / "o.jpg"), attacker)
    text = [it for it in r["items"] if it["sensitive"] and it["type"] == "text"]
    assert text and not any(it["reason"] == "ocr" for it in text)


def test_fully_filled_output_has_nothing_legible(fake_real, attacker, tmp_path):
    ann, photo, _ = fake_real
    out = np.zeros_like(S.load_rgb(photo))
    out[:] = (255, 0, 255)  # a flat fill far (>= 127 levels in some channel) from every grey, black or white
    r = R.score_real_photo(ann, photo, _save(out, tmp_path / "o.jpg"), attacker)
    agg = R.aggregate_real([r])
    assert agg["sensitive_items"] == len(ann.sensitive) and agg["legible_items"] == 0, agg["legible_reasons"]
    assert agg["clean_photos"] == 1 and agg["nonsensitive_masked_rate"] == 1.0


def test_missing_output_is_a_failure_not_clean(fake_real):
    ann, photo, _ = fake_real
    r = R.score_real_photo(ann, photo, None)
    agg = R.aggregate_real([r])
    assert agg["failures"] == 1 and agg["clean_photos"] == 0 and agg["photos_with_sensitive"] == 1


def test_results_carry_no_text(fake_real, attacker, tmp_path):
    ann, photo, _ = fake_real
    r = R.score_real_photo(ann, photo, _save(S.load_rgb(photo), tmp_path / "o.jpg"), attacker)
    blob = json.dumps([r, R.aggregate_real([r]), R.per_photo_summary(r)])
    from benchmarks.generator import make_photo

    g = make_photo(seed=22, layout="us_ups", conditions=("standard",), size="2mp")
    for it in g.truth["items"]:
        v = (it.get("text") or it.get("payload") or "").strip()
        if it["sensitive"] and len(v) >= 4:
            assert v not in blob


def test_scanline_of_a_linear_barcode_becomes_a_box():
    from benchmarks.real.__main__ import _area, _widen_scanline

    line = np.array([[100.0, 50.0], [400.0, 52.0], [400.0, 52.0], [100.0, 50.0]])
    box = _widen_scanline(line)
    assert _area(box) > 0.2 * 300 * 45
    sq = np.array([[0.0, 0.0], [50.0, 0.0], [50.0, 50.0], [0.0, 50.0]])
    assert np.array_equal(_widen_scanline(sq), sq)


def test_draft_then_finalize_on_a_generator_photo(fake_real, tmp_path):
    """The draft reads the photo's text and symbols (outside the repository); finalize keeps only hashes."""
    from benchmarks.real.__main__ import main

    ann, photo, doc = fake_real
    assert main(["draft", str(photo), "--out", str(tmp_path / "drafts"), "--threads", "2"]) == 0
    draft = json.loads((tmp_path / "drafts" / f"{photo.stem}.json").read_text(encoding="utf-8"))
    texts = [it for it in draft["items"] if it["type"] == "text"]
    truth_texts = [it for it in doc["items"] if it["type"] == "text"]
    assert len(texts) >= 0.5 * len(truth_texts)
    assert any(it["type"] == "symbol" and it["payload"] for it in draft["items"])
    hashes = {it["text_sha256"] for it in truth_texts}
    assert sum(R.text_digest(it["text"])[1] in hashes for it in texts) >= 0.3 * len(truth_texts)
    monkey_dir = tmp_path / "ann"
    assert main(["finalize", str(tmp_path / "drafts" / f"{photo.stem}.json"), "--out", str(monkey_dir)]) == 0
    out = json.loads((monkey_dir / f"{photo.stem}.json").read_text(encoding="utf-8"))
    R.parse_annotation(monkey_dir / f"{photo.stem}.json", out)
    blob = json.dumps(out)
    assert all(it["text"] not in blob for it in texts if len(it["text"]) >= 4)


def test_draft_refuses_a_folder_inside_the_repository(fake_real):
    from benchmarks.real.__main__ import main

    _, photo, _ = fake_real
    assert main(["draft", str(photo), "--out", str(R.ROOT / "benchmarks" / "real" / "drafts")]) == 2
    assert not (R.ROOT / "benchmarks" / "real" / "drafts").exists()
