"""The pipeline's policies with fake engines (no models): when locate detects again, how the self-check
hardens and when it fails closed, the schedule's lifetime, the analysis cache. Every value here is made up."""

from __future__ import annotations

import hashlib
import io
from concurrent.futures import ThreadPoolExecutor

import cv2
import numpy as np
import pytest
from PIL import Image

from redact import Redactor
from redact.concurrency import InlineExecutor
from redact.engines.base import DetBox, RecResult
from redact.errors import UnsafeOutput
from redact.stages import check as check_stage
from redact.stages import locate as locate_stage
from redact.stages.check import MAX_ROUNDS, harden
from redact.types import Analysis, Category, Field, Mask, Photo, PhotoMeta, Role, Span, Style, TextLine

VALUE = "13800138000"  # a made-up phone number


def _quad(x0, y0, x1, y1):
    return ((float(x0), float(y0)), (float(x1), float(y0)), (float(x1), float(y1)), (float(x0), float(y1)))


class InkDetector:
    """Finds dark print as a detector would (whatever the scale): lines of ink joined along the row.
    ``first``: boxes to answer the first call with instead (the overview)."""

    name = "fake-ocr"

    def __init__(self, text: str = "Tel " + VALUE, first=None):
        self.text = text
        self.first = first
        self.calls = []  # shapes of the images detected on
        self.ink = []  # the median height of the print in each (px of that image)
        self.reads = 0

    def detect(self, image):
        self.calls.append(image.shape[:2])
        g = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY) if image.ndim == 3 else image
        ink = (g < 128).astype(np.uint8)
        ink = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (31, 3)))
        n, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
        out = []
        for x, y, w, h, area in stats[1:]:
            if w > 20 and h > 4:
                out.append(DetBox(quad=_quad(x - 2, y - 2, x + w + 2, y + h + 2), score=0.9))
        self.ink.append(float(np.median([b.quad[2][1] - b.quad[0][1] for b in out])) if out else 0.0)
        if self.first is not None and len(self.calls) == 1:
            return [DetBox(quad=q, score=0.9) for q in self.first]
        return out

    def recognize(self, crops):
        self.reads += 1
        return [RecResult(text=self.text, score=0.99) for _ in crops]


class NoSymbols:
    name = "fake-symbols"

    def read(self, image):
        return []


def _page(w=1600, h=1200, lines=5):
    img = np.full((h, w, 3), 235, np.uint8)
    for i in range(lines):
        cv2.putText(img, "Tel " + VALUE, (200, 200 + 90 * i), cv2.FONT_HERSHEY_SIMPLEX, 1.6, (20, 20, 20), 3)
    return img


def _png(img) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format="PNG")
    return buf.getvalue()


def _redactor(**kw) -> Redactor:
    return Redactor(ocr_engine=InkDetector(), symbol_engine=NoSymbols(), **kw)


# ------------------------------------------------------------------------------------------- locate


def test_clear_overview_is_detected_once():
    eng = InkDetector()
    regions = locate_stage.locate(eng, _page(), 1024)
    assert len(eng.calls) == 1 and max(eng.calls[0]) == 1024  # the overview only
    assert regions and sum(len(r.boxes) for r in regions) >= 5


def test_tiny_boxes_are_detected_again_larger():
    """Most overview boxes below MIN_OVERVIEW_TEXT_PX: the small-label fallback and the region's re-detection
    look again at a higher resolution."""
    page = _page(w=3000, h=2000)
    tiny = [_quad(60, 60 + 30 * i, 200, 64 + 30 * i) for i in range(4)]  # 4 px high on the overview
    eng = InkDetector(first=tiny)
    regions = locate_stage.locate(eng, page, 1024)
    assert len(eng.calls) > 1
    assert eng.ink[1] > 2 * eng.ink[0]  # the fallback's tiles: at 2.5x the overview's resolution
    assert regions and sum(len(r.boxes) for r in regions) > len(tiny)  # the print found there too


def test_small_label_is_detected_again_for_its_small_print():
    """A label spanning under SMALL_LABEL_FRAC of the overview: only its big print shows there; its window
    is detected again, enlarged for print a third of that size."""
    page = np.full((2000, 3000, 3), 235, np.uint8)
    for i in range(5):
        cv2.putText(page, "TEL " + VALUE[:4], (1300, 900 + 60 * i), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (20, 20, 20), 3)
    eng = InkDetector()
    locate_stage.locate(eng, page, 1024)
    assert len(eng.calls) == 2  # the overview, then one window around the label
    assert eng.ink[1] > 4 * eng.ink[0]  # ~2.2x the photo's resolution, ~6.5x the overview's
    assert max(eng.calls[1]) < max(page.shape[:2])  # where the print is, not the whole photo


# ------------------------------------------------------------------------------------------- check


def _analysis(img, box):
    x0, y0, x1, y1 = box
    line = TextLine(text="Tel " + VALUE, polygon=_quad(x0, y0, x1, y1), score=0.99, upright=_quad(x0, y0, x1, y1))
    f = Field(category=Category.PHONE, role=Role.RECIPIENT, spans=(Span(0, 4, 4 + len(VALUE)),), value=VALUE)
    photo = Photo(pixels=img, meta=PhotoMeta(format="PNG", mode="RGB"))
    return Analysis(photo, [], [line], [], [f], [0], {})


def test_harden_grows_and_fills_what_is_still_read():
    img = _page(lines=1)
    a = _analysis(img, (190, 160, 760, 215))
    mask = Mask(polygon=_quad(330, 165, 760, 212), fields=(0,), category=Category.PHONE)
    ocr = InkDetector()
    # the "render" left the print as it was: the first read gives the value back, the hardened one cannot
    out, masks, res = harden(ocr, NoSymbols(), img, img.copy(), [mask], a, Style.BLUR, [40.0], seed=1)
    assert res.passed and res.rounds == 2 and res.widened == 1 and res.readable_after == 0
    grown = np.asarray(masks[0].polygon)
    assert (grown.min(axis=0) < np.asarray(mask.polygon).min(axis=0) - 19).all()  # by half a text height
    inside = out[175:200, 350:740]
    assert inside.std() < 3  # filled solid


def test_harden_fails_closed_after_three_reads(monkeypatch):
    import redact.stages.render as R

    renders = []

    def keep(pixels, polys, style, **kw):  # a renderer that destroys nothing
        renders.append((Style(style), [np.asarray(p) for p in polys]))
        return pixels.copy()

    monkeypatch.setattr(R, "render", keep)
    img = _page(lines=1)
    a = _analysis(img, (190, 160, 760, 215))
    mask = Mask(polygon=_quad(330, 165, 760, 212), fields=(0,), category=Category.PHONE)
    ocr = InkDetector()
    with pytest.raises(UnsafeOutput):
        harden(ocr, NoSymbols(), img, img.copy(), [mask], a, Style.BLUR, [40.0], seed=1)
    assert ocr.reads == MAX_ROUNDS == 3  # one read of the output per round
    assert [s for s, _ in renders] == [Style.BLUR, Style.FILL] * (MAX_ROUNDS - 1)
    spans = [float(np.ptp(p[0][:, 1])) for _, p in renders[::2]]
    assert spans[0] < spans[1]  # grown again in each round


def test_pipeline_fails_closed_with_fake_engines(monkeypatch, tmp_path):
    import redact.stages.render as R

    monkeypatch.setattr(R, "render", lambda pixels, polys, style, **kw: pixels.copy())
    src = tmp_path / "in.png"
    src.write_bytes(_png(_page()))
    with _redactor() as r, pytest.raises(UnsafeOutput):
        r.redact_file(src, tmp_path / "out.png")
    assert not (tmp_path / "out.png").exists()
    assert check_stage.MAX_ROUNDS == 3


# ------------------------------------------------------------------------------------------- pipeline


def test_fake_engines_run_the_whole_pipeline():
    data = _png(_page())
    with _redactor() as r:
        res = r.redact(data, name="page.png")
    phones = [f for f in res.report.fields if f.category == Category.PHONE and f.sensitive]
    assert len(phones) >= 5 and len(res.report.masks) >= 5
    assert res.report.check is not None and res.report.check.passed
    assert res.report.engines == {"ocr": "fake-ocr", "symbols": "fake-symbols"}
    assert res.format == "PNG" and res.data[:4] == b"\x89PNG"


def test_the_schedule_never_changes_a_result():
    data = _png(_page())
    got = []
    for n in (0, 2):
        with _redactor(side_threads=n) as r:
            assert isinstance(r.schedule.pool, InlineExecutor if n == 0 else ThreadPoolExecutor)
            res = r.redact(data)
        got.append(([m.polygon for m in res.report.masks], hashlib.sha256(res.data).hexdigest()))
    assert got[0] == got[1]


def test_close_shuts_the_side_threads_down():
    r = _redactor(side_threads=2)
    pool = r.schedule.pool
    assert pool.submit(lambda: 1).result() == 1
    r.close()
    with pytest.raises(RuntimeError):
        pool.submit(lambda: 1)
    assert r.schedule.pool is not pool  # a later call starts new threads
    with r as same:
        assert same is r
        inner = r.schedule.pool
    with pytest.raises(RuntimeError):
        inner.submit(lambda: 1)


def test_the_cache_keeps_analyses_without_pixels_and_forgets_them_on_close():
    pages = [_png(_page(lines=k)) for k in (1, 2, 3, 4, 5, 6)]
    r = _redactor()
    r.analyze(pages[0])
    key = hashlib.sha256(pages[0]).hexdigest()
    assert list(r._recent) == [key]
    kept = r._recent[key]
    assert kept.photo.pixels.shape == (1, 1, 3)  # no pixels kept
    assert any(VALUE in ln.text for ln in kept.lines)  # the values are: the self-check needs them
    calls = len(r.ocr.calls)
    rep = r.redact(pages[0])  # analyze, then render: read once
    assert len(r.ocr.calls) == calls + 0 and rep.report.timings.get("cached") == 0.0
    for p in pages[1:]:
        r.analyze(p)
    assert len(r._recent) == Redactor.RECENT == 4  # bounded: the oldest go
    assert key not in r._recent
    r.close()
    assert not r._recent


def test_no_cache_keeps_nothing():
    r = _redactor(cache=0)
    r.analyze(_png(_page(lines=2)))
    assert not r._recent


def test_the_environment_is_read_once_into_config_defaults():
    """REDACT_* variables are the defaults of Config fields, read once (config.environment()); an explicit
    field wins; the schedule's side threads take the configured priority."""
    import subprocess
    import sys

    code = (
        "import os, threading\n"
        "from redact.config import Config\n"
        "from redact.schedule import Schedule\n"
        "c = Config()\n"
        "os.environ['REDACT_SIDE_NICE'] = '7'\n"  # read once: a later change is not seen
        "assert (c.side_nice, c.ort_spin, c.residual_scan) == (3, True, True), c\n"
        "assert Config().side_nice == 3 and Config(side_nice=0).side_nice == 0\n"
        "s = Schedule(1, c.side_nice)\n"
        "tid = s.submit(threading.get_native_id).result()\n"
        "main = os.getpriority(os.PRIO_PROCESS, 0)\n"
        "assert os.getpriority(os.PRIO_PROCESS, tid) == min(19, main + 3)\n"
        "s.close()\n"
        "print('ok')\n"
    )
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith("REDACT_")}
    env.update(REDACT_SIDE_NICE="3", REDACT_ORT_SPIN="1", REDACT_RESIDUAL_SCAN="1")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert out.stdout.strip() == "ok", out.stderr[-2000:]
