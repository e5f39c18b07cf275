"""The web page, driven in a real headless Chromium (Debian's /usr/bin/chromium through Playwright) against the
real service on loopback: upload a generated photo, remove one proposed mask, draw one, download, and check
the downloaded pixels (the removed field is visible again, the drawn area is destroyed, the rest exactly as
proposed). Also: the page only ever talks to its own origin, switches language, and is screenshotted at
desktop and phone widths (``REDACT_SCREENSHOTS=1`` writes them to docs/screenshots/).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sys
import zipfile
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
import pytest

pytest.importorskip("fastapi")
sync_api = pytest.importorskip("playwright.sync_api")
httpx = pytest.importorskip("httpx")
from PIL import Image

from redact.service.testing import ServerProcess, label_photo

CHROMIUM = os.environ.get("REDACT_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "docs" / "screenshots"
if str(ROOT) not in sys.path:  # benchmarks/ (the generator) is not an installed package
    sys.path.insert(0, str(ROOT))

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium not installed")


def _generated_photo(tmp: Path):
    """A generated Chinese waybill (1 MP), saved as PNG so pixel equality is exact; with its truth."""
    try:
        from benchmarks.generator import make_photo
    except ImportError:  # pragma: no cover - the generator ships with the repo
        data, boxes = label_photo(1200, 900)
        p = tmp / "label.png"
        p.write_bytes(data)
        items = [
            {
                "kind": "text",
                "sensitive": k.startswith(("phone", "address", "tracking")),
                "category": "other" if k.startswith("free") else k,
                "polygon": [[b[0], b[1]], [b[2], b[1]], [b[2], b[3]], [b[0], b[3]]],
            }
            for k, b in boxes.items()
        ]
        return p, {"items": items}
    g = make_photo(seed=5, layout="zh_ecommerce", conditions=("standard",), size="1mp")
    p = tmp / "waybill.png"
    Image.fromarray(g.pixels).save(p)
    return p, g.truth


def _bbox(poly):
    xs = [q[0] for q in poly]
    ys = [q[1] for q in poly]
    return min(xs), min(ys), max(xs), max(ys)


def _overlap(a, b, pad=0.0) -> bool:
    return not (a[2] + pad < b[0] or b[2] + pad < a[0] or a[3] + pad < b[1] or b[3] + pad < a[1])


def _px(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB")).astype(np.int16)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    log = tmp_path_factory.mktemp("web") / "server.log"
    srv = ServerProcess("--workers", "1", "--queue", "4", "--style", "blur", threads=2, log_path=log)
    srv.start()
    try:
        srv.wait_ready(240)
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


def _open(browser, server, width, height, locale="en-US"):
    ctx = browser.new_context(
        viewport={"width": width, "height": height},
        locale=locale,
        accept_downloads=True,
        device_scale_factor=1,
    )
    page = ctx.new_page()
    origins = set()
    page.on("request", lambda r: origins.add(urlparse(r.url).netloc or urlparse(r.url).scheme))
    page.on("pageerror", lambda e: origins.add(f"JS error: {e}"))  # any script error fails the origin check
    page.goto(server.url + "/")
    page.wait_for_selector("body[data-ready='1']")
    return ctx, page, origins


def test_edit_masks_download_and_zip(server, browser, tmp_path):
    photo, truth = _generated_photo(tmp_path)
    second = tmp_path / "second.png"
    second.write_bytes(label_photo(800, 600)[0])
    orig = _px(photo.read_bytes())
    H, W = orig.shape[:2]
    ctx, page, origins = _open(browser, server, 1280, 800)
    try:
        page.set_input_files("#file", [str(photo), str(second)])
        page.wait_for_function(
            "() => document.querySelectorAll('.card .status.ok').length === 2", timeout=300_000
        )
        page.evaluate("() => window.scrollTo(0, 0)")
        page.locator('input[name="style"][value="fill"]').check()  # a deterministic style: exact comparisons
        assert page.locator('input[name="style"][value="fill"]').is_checked()
        card = page.locator(".card").first
        item = page.evaluate("() => window.parcelRedact.state.items[0]")
        assert (item["W"], item["H"]) == (W, H)
        masks = item["masks"]
        assert len(masks) >= 4 and card.locator(".overlay polygon.mask").count() == len(masks)
        tags = card.locator(".tag").evaluate_all("els => els.map((e) => e.textContent)")
        assert "Phone" in tags and "Name" in tags  # labelled by category
        boxes = [_bbox(m["polygon"]) for m in masks]

        # -- remove one mask (a phone if possible), clicked where no other mask lies over it
        stage = card.locator(".stage").bounding_box()
        sx, sy = stage["width"] / W, stage["height"] / H

        def to_screen(x, y):
            return stage["x"] + x * sx, stage["y"] + y * sy

        def box_mask(b, pad):
            m = np.zeros((H, W), bool)
            m[
                max(0, int(b[1] - pad)) : int(b[3] + pad) + 1, max(0, int(b[0] - pad)) : int(b[2] + pad) + 1
            ] = True
            return m

        def uncovered(i):  # the part of mask i that no other proposed mask (or its feather) reaches
            others = np.zeros((H, W), bool)
            for j, b in enumerate(boxes):
                if j != i:
                    others |= box_mask(b, 10)
            return box_mask(boxes[i], -2) & ~others

        removed = None
        order = sorted(
            range(len(masks)), key=lambda i: (masks[i]["category"] != "phone", -uncovered(i).sum())
        )
        for i in order[:6]:
            free = uncovered(i)
            if free.sum() < 300:
                continue
            ys, xs = np.nonzero(free)
            k = int(np.argmin((xs - xs.mean()) ** 2 + (ys - ys.mean()) ** 2))
            cx, cy = to_screen(xs[k], ys[k])
            hit = page.evaluate(
                "([x, y]) => document.elementFromPoint(x, y)?.closest('[data-idx]')?.dataset.idx", [cx, cy]
            )
            if hit == str(i):
                removed = i
                page.mouse.click(cx, cy)
                break
        assert removed is not None, "no proposed mask with a free area to click"
        assert (
            card.locator(f'.overlay polygon[data-idx="{removed}"]').get_attribute("class") == "mask removed"
        )

        # -- add one: drag over a printed, non-personal line that no proposed mask covers
        target = None
        for it in truth["items"]:
            if it["kind"] != "text" or it["sensitive"]:
                continue
            b = _bbox(it["polygon"])
            if (
                (b[2] - b[0]) * sx >= 40
                and (b[3] - b[1]) * sy >= 10
                and not any(_overlap(b, mb, 12) for mb in boxes)
            ):
                target = b
                break
        assert target is not None, "no unmasked printed line to draw over"
        x0, y0 = to_screen(target[0] - 3, target[1] - 3)
        x1, y1 = to_screen(target[2] + 3, target[3] + 3)
        page.mouse.move(x0, y0)
        page.mouse.down()
        page.mouse.move((x0 + x1) / 2, (y0 + y1) / 2, steps=4)
        page.mouse.move(x1, y1, steps=4)
        page.mouse.up()
        item = page.evaluate("() => window.parcelRedact.state.items[0]")
        user = [m for m in item["masks"] if m["source"] == "user"]
        assert len(user) == 1 and sum(m["removed"] for m in item["masks"]) == 1
        ub = _bbox(user[0]["polygon"])
        assert (
            ub[0] <= target[0] + 1
            and ub[2] >= target[2] - 1
            and ub[1] <= target[1] + 1
            and ub[3] >= target[3] - 1
        )
        assert card.locator(".tag", has_text="Added by you").count() == 1

        # -- download
        with page.expect_download(timeout=240_000) as dl:
            card.locator(".download").click()
        d = dl.value
        assert d.suggested_filename == f"{photo.stem}.redacted.png"
        single = Path(d.path()).read_bytes()
        out = _px(single)
        assert out.shape == orig.shape

        # the proposed result, rendered by the same server from the same proposed masks
        kept_auto = [m["polygon"] for m in masks]
        with photo.open("rb") as f:
            r = httpx.post(
                server.url + "/v1/render",
                params={"style": "fill"},
                timeout=300,
                files={"file": ("p.png", f, "image/png")},
                data={"masks": json.dumps(kept_auto)},
            )
        assert r.status_code == 200, r.text[:300]
        proposed = _px(r.content)

        # 1. the removed field is visible again: equal to the original wherever no other mask reaches
        rb = boxes[removed]
        field = uncovered(removed) & ~box_mask(ub, 10)
        assert field.sum() > 200
        assert np.array_equal(out[field], orig[field])
        ink = field & (orig.mean(axis=2) < 110)  # ... where the proposal had destroyed its printed strokes
        assert ink.sum() > 20
        assert np.abs(proposed[ink] - orig[ink]).mean() > 40
        # 2. the drawn area is destroyed
        drawn = box_mask(ub, -3)
        assert np.abs(out[drawn] - orig[drawn]).mean() > 20
        assert out[drawn].std(axis=0).mean() < 0.5 * orig[drawn].std(axis=0).mean()
        # 3. masks touching the removed one are rendered as one group (their look may change): still destroyed;
        #    everything else is exactly as proposed
        group = {removed}
        while True:
            more = {
                j
                for j in range(len(boxes))
                if j not in group and any(_overlap(boxes[j], boxes[g], 10) for g in group)
            }
            if not more:
                break
            group |= more
        for j in group - {removed}:
            inner = box_mask(boxes[j], -2) & ~box_mask(rb, 4) & ~box_mask(ub, 4)
            if inner.sum() > 100:
                assert np.abs(out[inner] - orig[inner]).mean() > 15, j
        rest = ~box_mask(ub, 12)
        for j in group:
            rest &= ~box_mask(boxes[j], 12)
        assert rest.mean() > 0.5
        same = np.all(out[rest] == proposed[rest], axis=1).mean()
        assert same > 0.9999, same

        # preview shows the same rendered result in place (no new render: the edit is unchanged)
        card.locator(".preview").click()
        page.wait_for_function(
            "() => { const i = document.querySelector('.card .photo'), it = window.parcelRedact.state.items[0];"
            " return document.querySelector('.card').classList.contains('previewing') && it.result"
            " && i.src === it.result.url && i.complete && i.naturalWidth > 0; }"
        )
        shown = page.evaluate(
            "() => [document.querySelector('.card .photo').naturalWidth,"
            " document.querySelector('.card .photo').naturalHeight]"
        )
        assert shown == [W, H]
        card.locator(".preview").click()
        assert "previewing" not in (card.get_attribute("class") or "")

        # download all: a valid zip of both results; the edited photo is the very file downloaded above
        with page.expect_download(timeout=300_000) as dl:
            page.click("#zip")
        z = zipfile.ZipFile(dl.value.path())
        assert z.testzip() is None
        assert sorted(z.namelist()) == sorted(["second.redacted.png", f"{photo.stem}.redacted.png"])
        assert z.read(f"{photo.stem}.redacted.png") == single
        im = Image.open(io.BytesIO(z.read("second.redacted.png")))
        im.load()
        assert im.format == "PNG" and im.size == (800, 600)

        # language toggle: page text and category labels
        page.click("#lang")
        assert page.locator("h1").inner_text() == "遮盖快递面单上的个人信息"
        assert "电话" in card.locator(".tag").evaluate_all("els => els.map((e) => e.textContent)")
        page.click("#lang")
        assert page.locator("h1").inner_text() == "Hide personal data on parcel labels"

        # only same-origin requests (plus blob: URLs of local files)
        here = urlparse(server.url).netloc
        assert origins <= {here, "blob", "data"}, origins
        _screenshot(page, tmp_path, "desktop")
    finally:
        ctx.close()


def _screenshot(page, tmp_path, name):
    page.wait_for_timeout(300)
    p = tmp_path / f"web-{name}.png"
    page.screenshot(path=str(p), full_page=True)
    if os.environ.get("REDACT_SCREENSHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(p, SHOTS / p.name)


def test_phone_width_and_default_language(server, browser, tmp_path):
    files = [tmp_path / "second.png"]
    files[0].write_bytes(label_photo(800, 600)[0])
    if os.environ.get("REDACT_SCREENSHOTS") == "1":  # the README picture shows the generated waybill too
        files.insert(0, _generated_photo(tmp_path)[0])
    ctx, page, origins = _open(browser, server, 390, 844, "zh-CN")
    try:
        assert page.locator("h1").inner_text() == "遮盖快递面单上的个人信息"  # from navigator.language
        page.set_input_files("#file", [str(f) for f in files])
        page.wait_for_function(
            f"() => document.querySelectorAll('.card .status.ok').length === {len(files)}", timeout=300_000
        )
        assert (
            page.evaluate("() => document.documentElement.scrollWidth") <= 390
        )  # nothing overflows sideways
        for sel in (".card .download", ".card .draw", "#zip"):
            box = page.locator(sel).first.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390 and box["height"] >= 32, sel
        stage = page.locator(".card .stage").first.bounding_box()
        assert stage["width"] <= 390 and stage["width"] >= 300
        assert origins <= {urlparse(server.url).netloc, "blob", "data"}, origins
        _screenshot(page, tmp_path, "phone")
    finally:
        ctx.close()
