"""The `redact` command as a user runs it: a real subprocess, real files, real models."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

REDACT = [sys.executable, "-m", "redact.cli"]
ENV = {**os.environ, "OMP_NUM_THREADS": "2"}


def run(*args, cwd=None):
    return subprocess.run([*REDACT, *map(str, args)], capture_output=True, text=True, cwd=cwd, env=ENV, timeout=600)


@pytest.fixture(scope="module")
def label_photo(tmp_path_factory) -> Path:
    from benchmarks.generator import make_photo

    g = make_photo(seed=11, layout="zh_ecommerce", conditions=("standard",), size="2mp")
    d = tmp_path_factory.mktemp("cli")
    p = d / "parcel.jpg"
    p.write_bytes(g.image_bytes)
    (d / "parcel.truth.json").write_text(json.dumps(g.truth))
    return p


def _one_line_error(res, code: int, *needles: str):
    assert res.returncode == code, (res.returncode, res.stderr)
    err = res.stderr.strip().splitlines()
    assert len(err) == 1, res.stderr  # one line, no traceback
    assert err[0].startswith("redact: error: ")
    assert "Traceback" not in res.stderr
    for n in needles:
        assert n in err[0]


def test_bad_inputs_one_line_and_documented_codes(tmp_path):
    _one_line_error(run(tmp_path / "missing.jpg"), 3, "missing.jpg", "no such file")
    (tmp_path / "zero.jpg").write_bytes(b"")
    _one_line_error(run(tmp_path / "zero.jpg"), 4, "zero.jpg", "empty")
    (tmp_path / "notes.jpg").write_text("shopping list\n")
    _one_line_error(run(tmp_path / "notes.jpg"), 5, "notes.jpg")
    img = Image.fromarray(np.random.default_rng(0).integers(0, 255, (600, 800, 3), dtype=np.uint8))
    img.save(tmp_path / "full.jpg", quality=90)
    data = (tmp_path / "full.jpg").read_bytes()
    (tmp_path / "trunc.jpg").write_bytes(data[: len(data) // 2])
    _one_line_error(run(tmp_path / "trunc.jpg"), 4, "trunc.jpg", "truncated")
    # nothing written for failures
    assert not list(tmp_path.glob("*.redacted.*"))
    empty = tmp_path / "empty_dir"
    empty.mkdir()
    res = run(empty, "-o", tmp_path / "out")
    _one_line_error(res, 2, "no images found", "empty_dir")


def test_single_photo_redacted_beside_original(label_photo):
    before = label_photo.read_bytes()
    res = run(label_photo)
    assert res.returncode == 0, res.stderr
    out = label_photo.with_name("parcel.redacted.jpg")
    assert out.exists() and label_photo.read_bytes() == before  # original untouched
    a = np.asarray(Image.open(label_photo).convert("RGB"), dtype=int)
    b = np.asarray(Image.open(out).convert("RGB"), dtype=int)
    assert a.shape == b.shape
    truth = json.loads(label_photo.with_name("parcel.truth.json").read_text())
    import cv2

    for it in truth["items"]:
        if it["sensitive"] and it["category"] == "phone":
            m = np.zeros(a.shape[:2], np.uint8)
            cv2.fillPoly(m, [np.round(np.asarray(it["polygon"])).astype(np.int32)], 1)
            diff = np.abs(a - b).sum(axis=2)[m > 0]
            assert (diff > 30).mean() > 0.3, "a phone number region was not changed"
    # no personal value in what the command printed
    for it in truth["items"]:
        if it["sensitive"] and len(it["text"]) >= 4:
            assert it["text"] not in res.stdout + res.stderr


def test_inspect_masks_values_unless_revealed(label_photo):
    res = run("inspect", label_photo, "--json")
    assert res.returncode == 0, res.stderr
    rep = json.loads(res.stdout)
    assert rep["fields"] and all("value" not in f for f in rep["fields"])
    cats = {f["category"] for f in rep["fields"]}
    assert "phone" in cats
    truth = json.loads(label_photo.with_name("parcel.truth.json").read_text())
    phones = [it["text"] for it in truth["items"] if it["category"] == "phone" and it["sensitive"]]
    assert not any(p in res.stdout for p in phones)
    shown = run("inspect", label_photo, "--json", "--reveal")
    revealed = json.loads(shown.stdout)
    assert any("value" in f for f in revealed["fields"]) and revealed["values_revealed"] is True
    table = run("inspect", label_photo)
    assert table.returncode == 0 and "category" in table.stdout and "phone" in table.stdout


def test_folder_run_keeps_tree_and_reports_failures(tmp_path, label_photo):
    src = tmp_path / "photos"
    (src / "a" / "b").mkdir(parents=True)
    (src / "a" / "b" / "one.jpg").write_bytes(label_photo.read_bytes())
    (src / "two.jpg").write_text("not an image")
    res = run(src, "-o", tmp_path / "clean", "--workers", "1")
    assert res.returncode == 9, (res.returncode, res.stdout, res.stderr)  # some failed, the rest done
    assert (tmp_path / "clean" / "a" / "b" / "one.jpg").exists()
    assert not (tmp_path / "clean" / "two.jpg").exists()
    assert "Traceback" not in res.stderr
