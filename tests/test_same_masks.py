"""No behaviour change goes unnoticed: three photos of the quick set, generated here, masked through the public
API, give the masks recorded in benchmarks/results/masks_quick.json (``python -m benchmarks.same_masks``). A
change meant to change what is masked re-records the file (and masks_full.json) in the same commit:

    python -m benchmarks.same_masks record --photos <quick set> --out benchmarks/results/masks_quick.json
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import same_masks
from benchmarks.generator import make_photo, quick_set

RECORD = Path(__file__).resolve().parents[1] / "benchmarks" / "results" / "masks_quick.json"


@pytest.mark.parametrize("index", [0, 9, 17])
def test_quick_photo_masks_as_recorded(index, redactor, tmp_path):
    layout, conds, seed = quick_set(0)[index]
    g = make_photo(seed=seed, layout=layout, conditions=tuple(conds), size="12mp")
    path = tmp_path / g.truth["image"]
    path.write_bytes(g.image_bytes)
    rec = json.loads(RECORD.read_text())["fingerprints"]
    assert path.stem in rec, f"{path.stem} is not in {RECORD.name}: re-record it"
    now = same_masks.fingerprint(redactor, path)
    assert same_masks.same(rec[path.stem], now), (
        f"{path.stem}: the masks differ from {RECORD.name} (a behaviour change: re-record the file if meant)")
