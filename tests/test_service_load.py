"""A bounded load test of the real service on loopback: p50/p95 latency and errors at concurrency 1, 2, 4.

Mixed traffic: valid photos (redact raw / redact multipart JSON / analyze) and invalid requests (text, truncated
JPEG, empty body, bad style, wrong content type, unknown report). An *error* is any response whose status is
not the one that request must get (200 for a valid photo, its documented 4xx for a bad one), any 5xx, or any
transport failure. Results go to ``benchmarks/results/service_load.json`` when REDACT_WRITE_BENCH=1 (a plain
test run leaves the published numbers alone).

The default run is small (30 requests per level); ``-m slow`` runs 1,000 mixed requests at concurrency 4 and
also checks that the server's memory stays flat.
"""

from __future__ import annotations

import io
import json
import os
import platform
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, List

import pytest

httpx = pytest.importorskip("httpx")
pytest.importorskip("fastapi")
from PIL import Image

from redact.service.testing import ServerProcess, label_photo, rss_bytes

RESULTS = Path(__file__).resolve().parents[1] / "benchmarks" / "results" / "service_load.json"


def _requests(photo: bytes) -> List[dict]:
    """The request mix: (name, expected status, httpx.request kwargs). Every 5th request is a valid photo."""
    buf = io.BytesIO()
    Image.open(io.BytesIO(photo)).convert("RGB").save(buf, "JPEG", quality=85)
    jpeg = buf.getvalue()
    png = {"content-type": "image/png"}
    valid = [
        (
            "redact_raw",
            200,
            dict(method="POST", url="/v1/redact", content=photo, headers=png, params={"style": "fill"}),
        ),
        (
            "analyze",
            200,
            dict(method="POST", url="/v1/analyze", content=jpeg, headers={"content-type": "image/jpeg"}),
        ),
        (
            "redact_json",
            200,
            dict(
                method="POST",
                url="/v1/redact",
                params={"response": "json", "style": "noise"},
                files={"file": ("p.png", photo, "image/png")},
            ),
        ),
    ]
    invalid = [
        (
            "text_as_jpeg",
            415,
            dict(
                method="POST",
                url="/v1/redact",
                content=b"not an image\n" * 30,
                headers={"content-type": "image/jpeg"},
            ),
        ),
        (
            "truncated",
            422,
            dict(
                method="POST",
                url="/v1/redact",
                content=jpeg[: len(jpeg) // 3],
                headers={"content-type": "image/jpeg"},
            ),
        ),
        ("empty", 422, dict(method="POST", url="/v1/analyze", content=b"", headers=png)),
        (
            "bad_style",
            400,
            dict(method="POST", url="/v1/redact", params={"style": "paint"}, content=photo, headers=png),
        ),
        (
            "text_plain",
            415,
            dict(method="POST", url="/v1/analyze", content=b"hello", headers={"content-type": "text/plain"}),
        ),
        (
            "bad_masks",
            400,
            dict(
                method="POST",
                url="/v1/render",
                files={"file": ("p.png", photo, "image/png")},
                data={"masks": "[[[0,0],[1,1]]]"},
            ),
        ),
        ("no_report", 404, dict(method="GET", url="/v1/reports/" + "f" * 32)),
        ("health", 200, dict(method="GET", url="/healthz")),
    ]
    out = []
    vi = ii = 0
    for i in range(10_000):
        if i % 5 == 0:
            out.append(valid[vi % len(valid)])
            vi += 1
        else:
            out.append(invalid[ii % len(invalid)])
            ii += 1
    return out


def _pct(xs: List[float], q: float) -> float:
    if not xs:
        return 0.0
    xs = sorted(xs)
    k = max(0, min(len(xs) - 1, int(round(q * (len(xs) - 1)))))
    return round(xs[k], 4)


def run_load(
    server: ServerProcess,
    photo: bytes,
    n: int,
    concurrency: int,
    *,
    budget_s: float = 900.0,
    sample_every: int = 0,
) -> Dict:
    """Send ``n`` requests of the mix with ``concurrency`` clients; stop early if ``budget_s`` is spent."""
    mix = _requests(photo)[:n]
    deadline = time.monotonic() + budget_s
    lock = threading.Lock()
    rows: List[dict] = []
    rss: List[int] = []
    local = threading.local()

    def client() -> "httpx.Client":
        if not hasattr(local, "c"):
            local.c = httpx.Client(base_url=server.url, timeout=300)
        return local.c

    def one(i: int) -> None:
        name, expect, kw = mix[i]
        if time.monotonic() > deadline:
            with lock:
                rows.append(
                    dict(
                        name=name,
                        valid=expect == 200 and name != "health",
                        status=-1,
                        ok=False,
                        s=0.0,
                        skipped=True,
                    )
                )
            return
        t0 = time.perf_counter()
        try:
            r = client().request(**kw)
            status = r.status_code
            ok = status == expect
            if ok and name != "health" and status == 200 and not r.content:
                ok = False
        except httpx.HTTPError:
            status, ok = 0, False
        dt = time.perf_counter() - t0
        with lock:
            rows.append(dict(name=name, valid=expect == 200 and name != "health", status=status, ok=ok, s=dt))
            if sample_every and len(rows) % sample_every == 0:
                rss.append(rss_bytes(server.pid))

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as ex:
        list(ex.map(one, range(len(mix))))
    wall = time.perf_counter() - t0
    done = [r for r in rows if not r.get("skipped")]
    valid = [r["s"] for r in done if r["valid"] and r["ok"]]
    invalid = [r["s"] for r in done if not r["valid"] and r["ok"]]
    errors = [r for r in rows if not r["ok"]]
    return {
        "concurrency": concurrency,
        "requests": len(rows),
        "completed": len(done),
        "valid_requests": sum(1 for r in done if r["valid"]),
        "errors": len(errors),
        "server_errors_5xx": sum(1 for r in rows if r["status"] >= 500),
        "error_kinds": sorted({f"{r['name']}:{r['status']}" for r in errors}),
        "wall_s": round(wall, 2),
        "throughput_rps": round(len(done) / wall, 2) if wall else 0.0,
        "valid_photos_per_s": round(len(valid) / wall, 3) if wall else 0.0,
        "latency_valid_s": {
            "p50": _pct(valid, 0.5),
            "p95": _pct(valid, 0.95),
            "max": _pct(valid, 1.0),
            "mean": round(statistics.fmean(valid), 4) if valid else 0.0,
        },
        "latency_invalid_s": {
            "p50": _pct(invalid, 0.5),
            "p95": _pct(invalid, 0.95),
            "max": _pct(invalid, 1.0),
        },
        "latency_all_s": {
            "p50": _pct([r["s"] for r in done], 0.5),
            "p95": _pct([r["s"] for r in done], 0.95),
        },
        "rss_mb_samples": [round(x / 2**20, 1) for x in rss],
    }


def _save(key: str, payload: Dict) -> None:
    if os.environ.get("REDACT_WRITE_BENCH") != "1":
        return
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    try:
        data = json.loads(RESULTS.read_text())
    except (OSError, ValueError):
        data = {}
    data[key] = payload
    data["note"] = (
        "Loopback, real models (PP-OCRv6 small via rapidocr), server `python -m redact.service "
        "--workers 2 --queue 4 --threads 1`; photos are 640x480 PNG labels rendered by "
        "redact.service.testing.label_photo; 1 request in 5 is a valid photo, the rest are invalid "
        "requests that must get their documented 4xx. Latencies in seconds on a shared 2-core machine."
    )
    RESULTS.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


@pytest.fixture(scope="module")
def load_server(tmp_path_factory):
    log = tmp_path_factory.mktemp("load") / "server.log"
    srv = ServerProcess(
        "--workers",
        "2",
        "--queue",
        "4",
        "--max-pixels",
        "20000000",
        "--log-level",
        "warning",
        threads=1,
        log_path=log,
    )
    srv.start()
    try:
        srv.wait_ready(240)
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def small_photo():
    return label_photo(640, 480)[0]


def test_load_concurrency_1_2_4(load_server, small_photo):
    n = int(os.environ.get("REDACT_LOAD_N", "30"))
    levels = []
    for c in (1, 2, 4):
        res = run_load(load_server, small_photo, n, c, budget_s=300)
        levels.append(res)
        assert res["server_errors_5xx"] == 0, res
        assert res["errors"] == 0, res
        assert res["completed"] == n, res
        assert res["latency_valid_s"]["p50"] > 0
    _save(
        "default",
        {
            "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "requests_per_level": n,
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
            "levels": levels,
        },
    )


@pytest.mark.slow
def test_load_1000_mixed_concurrency_4_flat_memory(load_server, small_photo):
    run_load(load_server, small_photo, 40, 4)  # warm every worker's arenas before measuring memory
    rss0 = rss_bytes(load_server.pid)
    res = run_load(load_server, small_photo, 1000, 4, budget_s=3600, sample_every=100)
    rss1 = rss_bytes(load_server.pid)
    res["rss_mb_start"] = round(rss0 / 2**20, 1)
    res["rss_mb_end"] = round(rss1 / 2**20, 1)
    _save("slow_1000_c4", {"when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), **res})
    assert res["completed"] == 1000, res
    assert res["server_errors_5xx"] == 0 and res["errors"] == 0, res
    # flat memory: the second half of the run does not grow (allocator noise allowed)
    samples = res["rss_mb_samples"]
    assert len(samples) >= 8
    half = samples[len(samples) // 2 - 1 :]
    assert max(half) - half[0] < 64, samples
    assert rss1 - rss0 < 200 * 2**20, (rss0, rss1)
