"""The distributed runner on a real local Ray cluster started here (no network): byte-identical outputs to
the batch runner on the same generated photos."""

from __future__ import annotations

import json

import pytest

ray = pytest.importorskip("ray", reason="the 'ray' extra is not installed")
pytest.importorskip("fsspec")

from test_batch import make_photos

from redact import Config
from redact.batch import REPORT_NAME, SUMMARY_NAME, run_batch
from redact.distributed import list_inputs, run_distributed, runtime_env
from redact.errors import UsageError


@pytest.fixture(scope="module")
def cluster():
    if ray.is_initialized():
        ray.shutdown()
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, runtime_env=runtime_env())
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def photos(tmp_path_factory):
    root = tmp_path_factory.mktemp("photos")
    values = make_photos(root, [(41, "zh_sf", "x.jpg"), (42, "us_fedex", "day1/y.png")])
    (root / "day1" / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 truncated")
    (root / "readme.txt").write_text("not an image")
    return root, values


def test_listing(photos):
    root, _ = photos
    rels = [r for _, r in list_inputs(str(root))]
    assert rels == ["day1/broken.jpg", "day1/y.png", "x.jpg"]
    one = list_inputs(str(root / "x.jpg"))
    assert [r for _, r in one] == ["x.jpg"]
    with pytest.raises(UsageError):
        list_inputs(str(root / "nope"))


def test_ray_outputs_byte_identical_to_batch(cluster, photos, tmp_path):
    root, values = photos
    cfg = Config()
    out_b = tmp_path / "batch"
    sb = run_batch([root], out_b, config=cfg, workers=2, threads_per_worker=1, progress=False)
    out_r = tmp_path / "ray"
    sr = run_distributed(f"file://{root}", str(out_r), config=cfg, num_actors=2, cpus_per_actor=1)

    st_b = {i.file: (i.status, i.output, dict(i.masked), i.error_kind) for i in sb.items}
    st_r = {i.file: (i.status, i.output, dict(i.masked), i.error_kind) for i in sr.items}
    assert st_r == st_b
    assert sr.ok == 2 and sr.failed == 1 and sr.exit_code == 9

    imgs_b = sorted(p.relative_to(out_b).as_posix() for p in out_b.rglob("*") if p.suffix in (".jpg", ".png"))
    imgs_r = sorted(p.relative_to(out_r).as_posix() for p in out_r.rglob("*") if p.suffix in (".jpg", ".png"))
    assert imgs_r == imgs_b == ["day1/y.png", "x.jpg"]
    for rel in imgs_b:
        assert (out_r / rel).read_bytes() == (out_b / rel).read_bytes(), rel
        assert (out_r / rel).read_bytes() != (root / rel).read_bytes()

    lines = [json.loads(x) for x in (out_r / REPORT_NAME).read_text().splitlines()]
    assert [d["file"] for d in lines] == ["day1/broken.jpg", "day1/y.png", "x.jpg"]
    text = (out_r / REPORT_NAME).read_text() + (out_r / SUMMARY_NAME).read_text()
    assert not [v for v in values if v in text]
