"""The HTTP service, tested as a real server process on loopback with the real models.

Photos are rendered with known boxes (``redact.service.testing.label_photo``); every assertion is on real
pixels or real responses.
"""

from __future__ import annotations

import base64
import io
import json
import re
import struct
import threading
import time
import zlib
from pathlib import Path

import numpy as np
import pytest

httpx = pytest.importorskip("httpx")
pytest.importorskip("fastapi")
from PIL import Image

from redact.service.testing import ServerProcess, label_photo

KEY = "test-key-123"
PERSONAL = ("13812345678", "13987654321", "张伟", "李娜", "SF1234567890123", "科技园路")
STATIC = Path(__file__).resolve().parents[1] / "redact" / "service" / "static"


# ------------------------------------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def photo():
    data, boxes = label_photo(960, 720)
    return data, boxes


@pytest.fixture(scope="module")
def small_photo():
    return label_photo(640, 480)[0]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    log = tmp_path_factory.mktemp("svc") / "server.log"
    srv = ServerProcess(
        "--api-key",
        KEY,
        "--workers",
        "1",
        "--queue",
        "1",
        "--max-body-bytes",
        "4000000",
        "--max-pixels",
        "20000000",
        "--style",
        "fill",
        threads=2,
        log_path=log,
    )
    srv.start()
    try:
        srv.wait_ready(240)
        yield srv
    finally:
        srv.stop()
        text = log.read_text(errors="replace")
        leaked = [v for v in PERSONAL if v in text]
        assert not leaked, "personal values in the server log"


@pytest.fixture()
def client(server):
    with httpx.Client(base_url=server.url, headers={"X-API-Key": KEY}, timeout=180) as c:
        yield c


def pixels(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB")).astype(np.int16)


def region(a: np.ndarray, box, shrink: int = 0) -> np.ndarray:
    x0, y0, x1, y1 = box
    return a[y0 + shrink : y1 - shrink, x0 + shrink : x1 - shrink]


def assert_error(r, status: int, kind: str | None = None) -> dict:
    assert r.status_code == status, (r.status_code, r.text[:300])
    body = r.json()
    assert set(body) == {"error", "message"}, body
    assert body["message"] and "\n" not in body["message"]
    if kind:
        assert body["error"] == kind, body
    return body


# ---------------------------------------------------------------------------------------- basic contract
def test_health_ready_openapi_and_page(server, client):
    assert httpx.get(server.url + "/healthz").json() == {"status": "ok"}  # no key needed
    r = httpx.get(server.url + "/readyz")
    assert r.status_code == 200 and r.json()["ready"] is True
    spec = httpx.get(server.url + "/openapi.json").json()
    paths = spec["paths"]
    for p in ("/v1/redact", "/v1/analyze", "/v1/render", "/v1/reports/{report_id}", "/healthz", "/readyz"):
        assert p in paths, p
    redact = paths["/v1/redact"]["post"]
    for code in ("400", "401", "413", "415", "422", "429", "500"):
        assert code in redact["responses"], code
        assert redact["responses"][code]["content"]["application/json"]["schema"]["$ref"].endswith(
            "/ErrorModel"
        )
    assert "image/jpeg" in redact["responses"]["200"]["content"]
    assert "multipart/form-data" in redact["requestBody"]["content"]
    assert paths["/v1/analyze"]["post"]["responses"]["200"]["content"]["application/json"]["schema"][
        "$ref"
    ].endswith("/ReportModel")
    assert "X-API-Key" in json.dumps(spec["components"]["securitySchemes"])
    limits = httpx.get(server.url + "/v1/limits").json()
    assert limits["api_key_required"] is True and limits["max_pixels"] == 20_000_000
    # the page: served, same-origin only, no external asset anywhere
    page = httpx.get(server.url + "/")
    assert page.status_code == 200 and "/static/app.js" in page.text
    csp = page.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "connect-src 'self'" in csp
    for name in ("app.js", "app.css", "icon.svg"):
        assert httpx.get(f"{server.url}/static/{name}").status_code == 200
    for f in STATIC.iterdir():
        urls = re.findall(r"https?://[^\s\"')]+", f.read_text(encoding="utf-8"))
        assert all(u.startswith("http://www.w3.org/") for u in urls), (f.name, urls)
    assert httpx.get(server.url + "/docs").status_code == 404  # Swagger UI would load a CDN


def test_redact_raw_body_returns_image_and_report(client, photo):
    data, boxes = photo
    r = client.post("/v1/redact", content=data, headers={"content-type": "image/png"})
    assert r.status_code == 200, r.text[:300]
    assert r.headers["content-type"] == "image/png"
    out, orig = pixels(r.content), pixels(data)
    assert out.shape == orig.shape
    for key in ("phone", "phone2"):  # both phone numbers destroyed
        diff = np.abs(region(out, boxes[key]) - region(orig, boxes[key])).mean()
        assert diff > 25, (key, diff)
    assert np.array_equal(out[:40, :40], orig[:40, :40])  # cardboard corner untouched (PNG is lossless)
    rid = r.headers["x-redact-report-id"]
    rep = client.get(f"/v1/reports/{rid}")
    assert rep.status_code == 200
    report = rep.json()
    assert report["status"] == "ok" and report["width"] == 960 and report["height"] == 720
    assert report["counts"].get("phone", 0) >= 2
    assert report["values_revealed"] is False and report["check"]["passed"] is True
    assert not any(v in rep.text for v in PERSONAL)
    assert int(r.headers["x-redact-masks"]) == len(report["masks"]) > 0


def test_redact_multipart_json_response_and_format(client, photo):
    data, boxes = photo
    r = client.post(
        "/v1/redact",
        params={"response": "json"},
        files={"file": ("p.png", data, "image/png")},
        data={"style": "noise", "format": "jpeg"},
    )
    assert r.status_code == 200, r.text[:300]
    body = r.json()
    assert body["format"] == "JPEG" and body["media_type"] == "image/jpeg"
    img = base64.b64decode(body["image_base64"])
    assert img[:3] == b"\xff\xd8\xff"
    assert body["report"]["style"] == "noise"
    assert r.headers["x-redact-report-id"] == body["report_id"]
    assert client.get(f"/v1/reports/{body['report_id']}").json()["masks"] == body["report"]["masks"]
    out, orig = pixels(img), pixels(data)
    assert np.abs(region(out, boxes["phone"]) - region(orig, boxes["phone"])).mean() > 25


def test_analyze_then_render_user_masks(client, photo):
    data, boxes = photo
    r = client.post("/v1/analyze", content=data, headers={"content-type": "application/octet-stream"})
    assert r.status_code == 200, r.text[:300]
    rep = r.json()
    assert not any("value" in f for f in rep["fields"]) and not any("payload" in s for s in rep["symbols"])
    assert not any(v in r.text for v in PERSONAL)
    px0, py0, px1, py1 = boxes["phone"]

    def covers_phone(m):
        xs = [p[0] for p in m["polygon"]]
        ys = [p[1] for p in m["polygon"]]
        return min(xs) <= (px0 + px1) / 2 <= max(xs) and min(ys) <= (py0 + py1) / 2 <= max(ys)

    phone_masks = [m for m in rep["masks"] if covers_phone(m)]
    assert phone_masks, "no proposed mask over the recipient phone"
    kept = [m["polygon"] for m in rep["masks"] if not covers_phone(m)]
    fx0, fy0, fx1, fy1 = boxes["free2"]
    user = [[fx0 - 4, fy0 - 4], [fx1 + 4, fy0 - 4], [fx1 + 4, fy1 + 4], [fx0 - 4, fy1 + 4]]
    r2 = client.post(
        "/v1/render",
        params={"style": "fill"},
        files={"file": ("p.png", data, "image/png")},
        data={"masks": json.dumps(kept + [user])},
    )
    assert r2.status_code == 200, r2.text[:300]
    out, orig = pixels(r2.content), pixels(data)
    # the removed mask's phone is visible again, except where another kept mask overlaps it
    others = np.zeros(orig.shape[:2], bool)
    for poly in kept:
        xs = [p[0] for p in poly]
        ys = [p[1] for p in poly]
        others[max(0, int(min(ys)) - 6) : int(max(ys)) + 6, max(0, int(min(xs)) - 6) : int(max(xs)) + 6] = (
            True
        )
    sel = ~others[py0:py1, px0:px1]
    assert sel.mean() > 0.5
    assert np.array_equal(region(out, boxes["phone"])[sel], region(orig, boxes["phone"])[sel])
    # the user's rectangle is destroyed
    assert np.abs(region(out, boxes["free2"]) - region(orig, boxes["free2"])).mean() > 25
    rid = r2.headers["x-redact-report-id"]
    rep2 = client.get(f"/v1/reports/{rid}").json()
    assert any(m["source"] == "user" for m in rep2["masks"])
    assert rep2["check"]["passed"] is True


def test_reveal_needs_permission(client, photo):
    assert_error(client.post("/v1/analyze", params={"reveal": "true"}, content=photo[0]), 403, "forbidden")


# ------------------------------------------------------------------------------------------- bad inputs
def _png_header(w: int, h: int) -> bytes:
    def chunk(kind: bytes, payload: bytes) -> bytes:
        return (
            struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))
        )

    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def _jpeg(photo_bytes: bytes) -> bytes:
    buf = io.BytesIO()
    Image.open(io.BytesIO(photo_bytes)).convert("RGB").save(buf, "JPEG", quality=85)
    return buf.getvalue()


@pytest.mark.parametrize(
    "case",
    [
        "empty",
        "truncated_jpeg",
        "text_as_jpeg",
        "text_plain",
        "json_type",
        "huge_header",
        "over_pixels",
        "over_bytes",
        "multipart_no_file",
        "multipart_bad_style",
        "query_bad_style",
        "render_bad_json",
        "render_not_list",
        "render_two_points",
        "render_nan",
        "render_raw_body",
        "unknown_report",
        "wrong_method",
    ],
)
def test_bad_inputs_get_clear_4xx(client, photo, case):
    data = photo[0]
    png = {"content-type": "image/png"}
    if case == "empty":
        assert_error(client.post("/v1/redact", content=b"", headers=png), 422, "unreadable")
    elif case == "truncated_jpeg":
        j = _jpeg(data)
        body = assert_error(
            client.post("/v1/redact", content=j[: len(j) // 2], headers={"content-type": "image/jpeg"}),
            422,
            "unreadable",
        )
        assert "upload" in body["message"] or body["message"]
    elif case == "text_as_jpeg":
        assert_error(
            client.post(
                "/v1/redact", content=b"just some text\n" * 20, headers={"content-type": "image/jpeg"}
            ),
            415,
            "unsupported_format",
        )
    elif case == "text_plain":
        assert_error(
            client.post("/v1/redact", content=data, headers={"content-type": "text/plain"}),
            415,
            "unsupported_media_type",
        )
    elif case == "json_type":
        assert_error(client.post("/v1/analyze", json={"image": "x"}), 415, "unsupported_media_type")
    elif case == "huge_header":
        body = assert_error(
            client.post("/v1/redact", content=_png_header(100_000, 100_000), headers=png), 413, "too_large"
        )
        assert "pixel" in body["message"]
    elif case == "over_pixels":
        body = assert_error(
            client.post("/v1/analyze", content=_png_header(5000, 5000), headers=png), 413, "too_large"
        )
        assert "20,000,000" in body["message"]
    elif case == "over_bytes":
        assert_error(client.post("/v1/redact", content=b"\xff" * 4_500_000, headers=png), 413, "too_large")
    elif case == "multipart_no_file":
        assert_error(
            client.post("/v1/redact", data={"style": "fill"}, files={"other": ("x.txt", b"x", "text/plain")}),
            400,
            "usage",
        )
    elif case == "multipart_bad_style":
        assert_error(
            client.post("/v1/redact", files={"file": ("p.png", data, "image/png")}, data={"style": "paint"}),
            400,
            "usage",
        )
    elif case == "query_bad_style":
        assert_error(
            client.post("/v1/redact", params={"style": "paint"}, content=data, headers=png), 400, "usage"
        )
    elif case.startswith("render_") and case != "render_raw_body":
        masks = {
            "render_bad_json": "[[[1,2],",
            "render_not_list": '{"a": 1}',
            "render_two_points": "[[[1,2],[3,4]]]",
            "render_nan": "[[[1,2],[3,NaN],[5,6]]]",
        }[case]
        assert_error(
            client.post("/v1/render", files={"file": ("p.png", data, "image/png")}, data={"masks": masks}),
            400,
            "usage",
        )
    elif case == "render_raw_body":
        assert_error(client.post("/v1/render", content=data, headers=png), 415, "unsupported_media_type")
    elif case == "unknown_report":
        assert_error(client.get("/v1/reports/" + "0" * 32), 404, "not_found")
    elif case == "wrong_method":
        assert_error(client.get("/v1/redact"), 405, "method_not_allowed")


def test_api_key_required(server, photo):
    for headers in ({}, {"X-API-Key": "wrong"}):
        r = httpx.post(server.url + "/v1/analyze", content=photo[0], headers=headers, timeout=60)
        assert_error(r, 401, "unauthorized")
    assert httpx.get(server.url + "/healthz").status_code == 200


def test_429_when_saturated(server, small_photo):
    """1 worker + queue 1: of 6 simultaneous requests some are refused with 429 + Retry-After, none fails."""
    results: list = []

    def one():
        try:
            r = httpx.post(
                server.url + "/v1/analyze",
                content=small_photo,
                headers={"X-API-Key": KEY, "content-type": "image/png"},
                timeout=180,
            )
            results.append((r.status_code, r.headers.get("retry-after"), r.json().get("error")))
        except Exception as e:
            results.append((0, None, type(e).__name__))

    threads = [threading.Thread(target=one) for _ in range(6)]
    for t in threads:
        t.start()
    time.sleep(0.5)
    t0 = time.perf_counter()  # the event loop stays responsive while the workers are busy
    assert httpx.get(server.url + "/healthz", timeout=10).status_code == 200
    assert time.perf_counter() - t0 < 2.0
    for t in threads:
        t.join(240)
    codes = [c for c, _, _ in results]
    assert len(codes) == 6 and set(codes) <= {200, 429}, results
    assert codes.count(200) >= 1 and codes.count(429) >= 1, results
    for c, ra, kind in results:
        if c == 429:
            assert kind == "busy" and ra is not None and int(ra) >= 1
    # nothing queued up behind the refusals: the server is free again right away
    r = httpx.get(server.url + "/readyz").json()
    assert r["admitted"] == 0


def test_graceful_shutdown_finishes_in_flight(tmp_path, small_photo):
    srv = ServerProcess(
        "--workers", "1", "--queue", "2", "--allow-reveal", threads=2, log_path=tmp_path / "s.log"
    )
    srv.start()
    try:
        srv.wait_ready(240)
        # a server started with reveal allowed shows values inline, and still never stores them
        r = httpx.post(srv.url + "/v1/analyze", params={"reveal": "true"}, content=small_photo, timeout=180)
        assert r.status_code == 200 and r.json()["values_revealed"] is True
        assert any(f.get("value") for f in r.json()["fields"])
        stored = httpx.get(f"{srv.url}/v1/reports/{r.headers['x-redact-report-id']}").json()
        assert stored["values_revealed"] is False and not any("value" in f for f in stored["fields"])
        out: dict = {}
        # another photo for the request in flight: the one just analysed would come from the analysis cache
        # (one upload is read once), too quickly to be caught in flight
        buf = io.BytesIO()
        mirrored = Image.open(io.BytesIO(small_photo)).convert("RGB").transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        mirrored.save(buf, format="PNG")
        fresh = buf.getvalue()

        def slow():
            r = httpx.post(
                srv.url + "/v1/redact",
                content=fresh,
                headers={"content-type": "image/png"},
                timeout=180,
            )
            out["status"], out["type"], out["body"] = r.status_code, r.headers.get("content-type"), r.content

        t = threading.Thread(target=slow)
        t.start()
        deadline = time.monotonic() + 30
        while httpx.get(srv.url + "/readyz").json()["admitted"] < 1:  # the request is in a worker
            assert time.monotonic() < deadline
            time.sleep(0.05)
        srv.terminate()  # SIGTERM while the redaction runs
        t.join(180)
        assert out.get("status") == 200 and out["type"] == "image/png", out.get("status")
        assert pixels(out["body"]).shape == (480, 640, 3)
        with pytest.raises(httpx.HTTPError):  # and nothing new is accepted
            for _ in range(100):
                httpx.get(srv.url + "/healthz", timeout=2)
                time.sleep(0.05)
        # uvicorn re-raises the SIGTERM it handled once shut down: -15 after a clean lifespan shutdown
        assert srv.proc.wait(60) in (0, -15)
        log = (tmp_path / "s.log").read_text(errors="replace")
        assert "shutting down: finishing" in log and "stopped" in log and "Traceback" not in log
    finally:
        srv.stop()
