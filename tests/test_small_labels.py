"""Small, far labels (tilted or turned 270 degrees), on photos rendered by the project's generator, with the
real models, scored by the project's scorer: no sensitive item may leak.

On such photos the 1024 px overview sees only a label's big print, or nothing but texture boxes (the
detector answers cardboard and tape with huge boxes that used to swallow the real lines): the small-label
path must find and read the small print too (issue #3)."""

from __future__ import annotations

import json

import pytest

from benchmarks.generator import make_photo
from benchmarks.score import load_truth, score_photo

CASES = [
    ("dhl_intl", ("tilt", "small"), 2037),
    ("zh_ecommerce", ("small", "rot270"), 2070),
]


@pytest.mark.slow
@pytest.mark.parametrize("layout,conditions,seed", CASES, ids=[f"{c[0]}-{'+'.join(c[1])}" for c in CASES])
def test_small_label_leaks_nothing(tmp_path, redactor, attacker, layout, conditions, seed):
    g = make_photo(seed=seed, layout=layout, conditions=conditions)
    ext = ".png" if g.image_bytes[:4] == b"\x89PNG" else ".jpg"
    (tmp_path / f"photo{ext}").write_bytes(g.image_bytes)
    truth = dict(g.truth)
    truth["image"] = f"photo{ext}"
    (tmp_path / "photo.json").write_text(json.dumps(truth))
    res = redactor.redact(g.image_bytes, name="photo")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / f"photo{res.extension}"
    out.write_bytes(res.data)
    scored = score_photo(load_truth(tmp_path)[0], out, attacker)
    assert scored["ok"] and not scored["size_mismatch"]
    sens = [it for it in scored["items"] if it.get("sensitive")]
    assert len(sens) >= 8
    leaks = [(it["category"], it["role"], it["reason"]) for it in sens if it.get("leaked")]
    assert not leaks, f"leaked: {leaks}"
    # not a blanket mask: most non-sensitive text stays readable
    free = [it for it in scored["items"] if "free_changed" in it]
    area = sum(it["free_area"] for it in free)
    over = sum(it["free_area"] * it["free_changed"] for it in free) / max(1, area)
    assert over < 0.35, f"non-sensitive text area masked: {over:.0%}"
