"""Both OCR backends (rapidocr, PaddleOCR 3.7) and both symbol backends (zxing-cpp, zbar) on the same real
pixels: rendered text lines with known positions and photos from the project's generator (ground truth).

The PaddleOCR backend is an optional extra (``pip install 'parcel-redact[paddle]'``); its tests are skipped
with that reason when ``paddleocr`` is not importable. zbar needs ``pyzbar`` and Debian's ``libzbar0``.

Default tests: engine level on rendered lines and on generator label lines, and one full redaction per OCR
backend on a 1 MP photo. ``-m slow``: the full matrix (2 OCR x 2 symbol backends x 3 photos incl. 12 MP),
with the time per photo printed (``-s``).
"""

from __future__ import annotations

import importlib.util
import os
import socket
import time
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Tuple

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from benchmarks.generator import make_photo
from redact import Config, Redactor
from redact.engines.base import TextEngine

FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"


def _paddle_available() -> bool:
    return importlib.util.find_spec("paddleocr") is not None


def _zbar_available() -> bool:
    try:
        from pyzbar import pyzbar  # noqa: F401
    except Exception:
        return False
    return True


PADDLE_REASON = "paddleocr is not installed: the PaddleOCR backend is the optional extra parcel-redact[paddle]"
ZBAR_REASON = "the zbar backend needs pyzbar (extra parcel-redact[zbar]) and Debian's libzbar0"
needs_paddle = pytest.mark.skipif(not _paddle_available(), reason=PADDLE_REASON)
needs_zbar = pytest.mark.skipif(not _zbar_available(), reason=ZBAR_REASON)
needs_font = pytest.mark.skipif(not os.path.exists(FONT), reason="Debian fonts-wqy-microhei is not installed")

OCR_BACKENDS = [pytest.param("rapid", id="rapid"), pytest.param("paddle", id="paddle", marks=needs_paddle)]


# --------------------------------------------------------------------------------------------- fixtures
class _NetworkAttempts:
    """Blocks and records every outgoing connection / name lookup made from Python."""

    def __init__(self) -> None:
        self.attempts: List[str] = []

    def __enter__(self):
        self._conn, self._gai = socket.socket.connect, socket.getaddrinfo
        attempts = self.attempts

        def connect(sock, addr):
            if sock.family in (socket.AF_INET, socket.AF_INET6):
                attempts.append(f"connect {addr!r}")
                raise OSError("network disabled by test_backends")
            return self._conn(sock, addr)

        def getaddrinfo(host, *a, **k):
            attempts.append(f"getaddrinfo {host!r}")
            raise socket.gaierror("network disabled by test_backends")

        socket.socket.connect = connect  # type: ignore[method-assign]
        socket.getaddrinfo = getaddrinfo  # type: ignore[assignment]
        return self

    def __exit__(self, *exc):
        socket.socket.connect = self._conn  # type: ignore[method-assign]
        socket.getaddrinfo = self._gai  # type: ignore[assignment]
        return False


_LOAD: Dict[str, Tuple[float, List[str]]] = {}
_fixture_cache: List[str] = []


@pytest.fixture(scope="module")
def redactors(tmp_path_factory):
    """One Redactor per OCR backend, built lazily. The PaddleOCR one is built with an empty model cache and
    every Python-level network call blocked and recorded."""
    made: Dict[str, Redactor] = {}
    cache = tmp_path_factory.mktemp("paddle-cache")
    _fixture_cache[:] = [str(cache)]

    def get(ocr: str, sym: str = "zxing") -> Redactor:
        key = f"{ocr}+{sym}"
        if key not in made:
            with pytest.MonkeyPatch.context() as mp:
                mp.setenv("PARCEL_REDACT_CACHE", str(cache))
                with _NetworkAttempts() as net:
                    t0 = time.perf_counter()
                    r = Redactor(Config(ocr_backend=ocr, symbol_backend=sym, threads=2, seed=0))
                    r.warm()
                    r.ocr.detect(np.full((64, 256, 3), 255, np.uint8))
                    _LOAD[key] = (time.perf_counter() - t0, list(net.attempts))
            made[key] = r
        return made[key]

    return get


@lru_cache(maxsize=None)
def _photo(layout: str, seed: int, size: str = "1mp"):
    return make_photo(seed=seed, layout=layout, conditions=("standard",), size=size)


def _font(px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(FONT, px)


def _line_image(text: str, px: int = 40, pad: int = 10) -> Tuple[np.ndarray, ImageFont.FreeTypeFont]:
    f = _font(px)
    w = int(f.getlength(text)) + 2 * pad
    im = Image.new("RGB", (w, px + 2 * pad // 2 + 8), "white")
    ImageDraw.Draw(im).text((pad, 4), text, font=f, fill="black")
    return np.asarray(im), f


# --------------------------------------------------------------------------------------------- engine level
@needs_paddle
def test_paddle_engine_loads_offline_and_follows_the_protocol(redactors):
    r = redactors("paddle")
    eng = r.ocr
    _, attempts = _LOAD["paddle+zxing"]
    assert not attempts, f"network attempted while loading PaddleOCR: {attempts}"
    assert isinstance(eng, TextEngine) and callable(getattr(eng, "upside_down", None))
    assert eng.name.startswith("paddleocr-3.7.0/")
    # the model folders were built in the (empty) cache we pointed it at, from the verified rapidocr files
    from redact.engines.models import verify

    root = Path(_fixture_cache[0])
    folders = list(root.glob("paddle-models/*/PP-OCRv6_small_rec"))
    assert folders, f"no PaddleX model folder under {root}"
    onnx = folders[0] / "inference.onnx"
    assert onnx.resolve() == verify("PP-OCRv6_rec_small").resolve()
    yml = (folders[0] / "inference.yml").read_text(encoding="utf-8")
    assert "model_name: PP-OCRv6_small_rec" in yml and "CTCLabelDecode" in yml
    # ONNX Runtime's usage upload is off (set before onnxruntime started in this process, or by the user)
    assert os.environ.get("ORT_DISABLE_TELEMETRY") == "1"
    # a degenerate (empty) crop reads as nothing instead of failing its whole batch
    res = eng.recognize([np.zeros((0, 12, 3), np.uint8), np.full((40, 200, 3), 255, np.uint8)])
    assert len(res) == 2 and res[0].text == "" and res[0].char_spans == ()


_fixture_cache: List[str] = []


@pytest.mark.parametrize("ocr", OCR_BACKENDS)
@needs_font
def test_detect_at_full_resolution_no_hidden_resizing(redactors, ocr):
    """Small text (about 15 px) on a 3600 px wide image: an engine that shrank the image to its default
    960 px would see 4 px text and find nothing. Every line must be found where it was drawn."""
    eng = redactors(ocr).ocr
    W, H = 3600, 900
    im = Image.new("RGB", (W, H), "white")
    d = ImageDraw.Draw(im)
    f = _font(16)
    spots = [(40, 40), (1700, 420), (3050, 820), (600, 700)]
    texts = ["Ship to 221B Baker Street", "收件人 王小明 13912345678", "Tracking 1Z999AA10123456784", "上海市浦东新区世纪大道100号"]
    drawn = []
    for (x, y), t in zip(spots, texts):
        d.text((x, y), t, font=f, fill="black")
        drawn.append(d.textbbox((x, y), t, font=f))
    boxes = eng.detect(np.asarray(im))
    assert boxes, "nothing detected: the image was shrunk before detection"
    for x0, y0, x1, y1 in drawn:
        hits = []
        for b in boxes:
            q = np.asarray(b.quad)
            bx0, by0 = q.min(axis=0)
            bx1, by1 = q.max(axis=0)
            ix = max(0.0, min(x1, bx1) - max(x0, bx0))
            iy = max(0.0, min(y1, by1) - max(y0, by0))
            hits.append(ix * iy / max(1.0, (x1 - x0) * (y1 - y0)))
        assert max(hits) > 0.8, f"line drawn at {(x0, y0)} not found at full resolution ({ocr})"
    # coordinates are in the input's own pixels: no quad leaves the image, and they are not scaled
    allq = np.concatenate([np.asarray(b.quad) for b in boxes])
    assert allq[:, 0].max() <= W + 2 and allq[:, 1].max() <= H + 2
    assert allq[:, 0].max() > 3000  # the rightmost line was placed beyond x=3050


def test_ppocr_detector_input_is_rapidocrs_own_bit_for_bit():
    """engines/ppocr builds the detector's input itself (float32, from RGB, no strided copies): the tensor must
    be the one rapidocr 3.10's ``DetPreProcess`` (the reference the engine replaced) makes from the BGR image,
    bit for bit, at sizes that are multiples of 32 and at sizes it resizes; a photo region (a non-contiguous
    view) too."""
    from rapidocr.ch_ppocr_det.utils import DetPreProcess

    from redact.engines.ppocr.det import det_input

    g = _photo("zh_sf", 3)
    rgb = np.ascontiguousarray(g.pixels)
    for limit, kind in ((8192, "max"), (640, "max"), (736, "min")):
        ref = DetPreProcess(limit, kind, [0.5, 0.5, 0.5], [0.5, 0.5, 0.5])
        for img in (rgb[:736, :992], rgb[:750, :1000], rgb[13:500, 7:777], rgb[:40, :33]):
            ours = det_input(img, limit, kind)
            theirs = ref(np.ascontiguousarray(img[:, :, ::-1]))
            assert ours.dtype == np.float32 and ours.flags["C_CONTIGUOUS"]
            assert ours.shape == theirs.shape and np.array_equal(ours, theirs)


_ONE_LOAD = """
import sys
import numpy as np
import onnxruntime
made = []
class Counting(onnxruntime.InferenceSession):
    def __init__(self, path, *a, **k):
        made.append(str(path).rsplit("/", 1)[-1])
        super().__init__(path, *a, **k)
onnxruntime.InferenceSession = Counting
from redact import Config, Redactor
r = Redactor(Config(threads=2))
r.ocr.detect(np.full((64, 256, 3), 255, np.uint8))
r.ocr.recognize([np.full((40, 200, 3), 255, np.uint8)])
r.ocr.upside_down([np.full((40, 200, 3), 255, np.uint8)])
print(sorted(made), "rapidocr" in sys.modules)
"""


def test_default_engine_loads_each_model_once_without_rapidocr():
    """The default engine ("rapid") is our own PP-OCR code: one ONNX Runtime session per model file, and
    rapidocr (whose wheel only ships the files) is never imported, let alone patched."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", _ONE_LOAD], capture_output=True, text=True, timeout=300,
                         cwd=str(Path(__file__).resolve().parents[1]))
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split("]")[0] + "]" == str(sorted(["PP-OCRv6_det_small.onnx", "PP-OCRv6_rec_small.onnx",
                                                          "ch_ppocr_mobile_v2.0_cls_mobile.onnx"]))
    assert out.stdout.strip().endswith("False"), out.stdout


def test_default_engine_follows_the_protocol(redactors):
    eng = redactors("rapid").ocr
    assert isinstance(eng, TextEngine) and callable(getattr(eng, "upside_down", None))
    # a degenerate (empty) crop reads as nothing instead of failing its whole batch
    res = eng.recognize([np.zeros((0, 12, 3), np.uint8), np.full((40, 200, 3), 255, np.uint8)])
    assert len(res) == 2 and res[0].text == "" and res[0].char_spans == ()


@needs_paddle
@needs_font
def test_detection_scores_belong_to_their_boxes(redactors):
    """Same model, same post-processing: a line found by both engines has the same score in both. Lines of
    different contrast get clearly different scores, so a mix-up shows (rapidocr 3.10 sorts its boxes
    top-to-bottom but not their scores; engines/ppocr keeps the detector's order and the pairs)."""
    im = Image.new("RGB", (1400, 520), "white")
    d = ImageDraw.Draw(im)
    f = _font(30)
    for i, (t, ink) in enumerate([("收件人 王小明 13912345678", 0), ("Ship to 221B Baker Street", 150),
                                  ("上海市浦东新区世纪大道100号", 60), ("Tracking 1Z999AA10123456784", 185)]):
        d.text((40 + 200 * (i % 2), 40 + 120 * i), t, font=f, fill=(ink, ink, ink))
    img = np.asarray(im)
    got = {ocr: redactors(ocr).ocr.detect(img) for ocr in ("rapid", "paddle")}
    assert len(got["rapid"]) == len(got["paddle"]) == 4

    def centre(b):
        return np.asarray(b.quad).mean(axis=0)

    spread = np.ptp([b.score for b in got["paddle"]])
    assert spread > 0.02  # the test image does separate the lines by score
    for b in got["paddle"]:
        twin = min(got["rapid"], key=lambda r: float(np.linalg.norm(centre(r) - centre(b))))
        assert np.linalg.norm(centre(twin) - centre(b)) < 4
        assert abs(twin.score - b.score) < 0.01, (twin.score, b.score)


@pytest.mark.parametrize("ocr", OCR_BACKENDS)
@needs_font
def test_recognize_text_and_character_positions(redactors, ocr):
    """Rendered lines read exactly; the characters of the phone number are placed where they were drawn,
    also when lines of very different widths share one batch (PaddleX pads a batch to its widest line)."""
    eng = redactors(ocr).ocr
    a, f = _line_image("收件人：张伟 13812345678")
    b, _ = _line_image("Ship to: John Smith 555-123-4567")
    c, _ = _line_image("SN")
    long_text = "Return address: Parcel Redact Test Warehouse, Unit 7, 1200 Industrial Parkway, Springfield 62704"
    d, _ = _line_image(long_text)
    res = eng.recognize([d, a, c, b])
    assert [r.text.replace(" ", "") for r in res[1:2] + res[3:]] == ["收件人：张伟13812345678",
                                                                      "Shipto:JohnSmith555-123-4567"]
    r = res[1]
    assert r.score > 0.9
    assert len(r.char_spans) == len(r.text)
    # per-character confidences: one per character, and high on clean print
    assert len(r.char_scores) == len(r.text)
    assert all(0.5 < c <= 1.0 + 1e-6 for ch, c in zip(r.text, r.char_scores) if not ch.isspace())
    if ocr == "paddle":  # PaddleX's line score is the mean over the same CTC columns: they line up
        assert abs(float(np.mean(r.char_scores)) - r.score) < 1e-3
    # the phone number: where it was drawn vs where the engine puts it (fractions of the crop width)
    pad = 10
    prefix = "收件人：张伟 "
    x0 = (pad + f.getlength(prefix)) / a.shape[1]
    x1 = (pad + f.getlength(prefix + "13812345678")) / a.shape[1]
    k = r.text.index("138")
    got0 = r.char_spans[k][0]
    got1 = r.char_spans[k + 10][1]
    assert abs(got0 - x0) < 0.03 and abs(got1 - x1) < 0.03, (ocr, (got0, got1), (x0, x1))
    spans = np.asarray(r.char_spans)
    assert (np.diff(spans[:, 0]) >= -1e-6).all() and (spans[:, 1] >= spans[:, 0]).all()
    # the long line (wider than PaddleX's 3200 px recogniser limit at 48 px height) is read and placed too
    assert "Springfield" in res[0].text
    rl = res[0]
    if rl.char_spans:
        j = rl.text.index("Springfield")
        want = (10 + _font(40).getlength(long_text[: long_text.index("Springfield")])) / d.shape[1]
        assert abs(rl.char_spans[j][0] - want) < 0.03, (ocr, rl.char_spans[j][0], want)


@pytest.mark.parametrize("ocr", OCR_BACKENDS)
@needs_font
def test_upside_down_lines(redactors, ocr):
    eng = redactors(ocr).ocr
    crops = []
    for t in ["收件人：张伟 13812345678", "Ship to: John Smith", "上海市浦东新区", "TRACKING #: 9400 1000 0000"]:
        im, _ = _line_image(t, 32)
        crops += [im, np.ascontiguousarray(im[::-1, ::-1])]
    got = eng.upside_down(crops)
    assert [u for u, _ in got] == [False, True] * 4
    assert min(c for _, c in got) > 0.8


def _upright_crop(pixels: np.ndarray, poly) -> np.ndarray:
    p = np.asarray(poly, np.float32)
    rect = cv2.minAreaRect(p)
    (cx, cy), (w, h), ang = rect
    if w < h:
        w, h, ang = h, w, ang + 90
    w, h = w + 0.5 * h, h * 1.5  # a margin like the detector's unclip
    M = cv2.getRotationMatrix2D((cx, cy), ang, 1.0)
    M[:, 2] += (w / 2 - cx, h / 2 - cy)
    return cv2.warpAffine(pixels, M, (int(round(w)), int(round(h))), flags=cv2.INTER_CUBIC,
                          borderMode=cv2.BORDER_REPLICATE)


def _char_acc(got: str, want: str) -> float:
    import difflib

    g, w = got.replace(" ", ""), want.replace(" ", "")
    return difflib.SequenceMatcher(None, g, w, autojunk=False).ratio() if w else 1.0


@needs_paddle
def test_both_ocr_backends_read_generator_lines_alike(redactors):
    """The truth text lines of a generated waybill, cropped upright from the photo, read by both engines:
    both are accurate and they mostly agree character for character."""
    g = _photo("zh_ecommerce", 101, "2mp")
    items = [it for it in g.truth["items"] if it["kind"] == "text" and len(it["text"]) >= 2]
    crops = [_upright_crop(g.pixels, it["polygon"]) for it in items]
    # read at a legible height, as the pipeline does
    crops = [cv2.resize(c, None, fx=max(1.0, 40 / c.shape[0]), fy=max(1.0, 40 / c.shape[0]),
                        interpolation=cv2.INTER_CUBIC) for c in crops]
    reads = {ocr: redactors(ocr).ocr.recognize(crops) for ocr in ("rapid", "paddle")}
    acc = {ocr: float(np.mean([_char_acc(r.text, it["text"]) for r, it in zip(rs, items)])) for ocr, rs in reads.items()}
    same = np.mean([a.text == b.text for a, b in zip(reads["rapid"], reads["paddle"])])
    print(f"\ngenerator lines: {len(items)}  char accuracy rapid {acc['rapid']:.3f} paddle {acc['paddle']:.3f}  "
          f"identical reads {same:.0%}")
    assert acc["rapid"] > 0.85 and acc["paddle"] > 0.85
    assert abs(acc["rapid"] - acc["paddle"]) < 0.05
    assert same >= 0.8


# --------------------------------------------------------------------------------------------- pipeline
def _poly_mask(poly, shape, dilate: int = 0) -> np.ndarray:
    m = np.zeros(shape[:2], np.uint8)
    cv2.fillPoly(m, [np.round(np.asarray(poly, np.float64)).astype(np.int32)], 1)
    if dilate:
        m = cv2.dilate(m, np.ones((2 * dilate + 1, 2 * dilate + 1), np.uint8))
    return m.astype(bool)


def _ink(gray: np.ndarray, mask: np.ndarray) -> Tuple[np.ndarray, float]:
    """Ink pixels of a text item: clearly darker than the paper around it."""
    paper = float(np.percentile(gray[mask], 90))
    thr = paper - max(40.0, 0.35 * paper)
    return mask & (gray < thr), thr


def _ink_left(before: np.ndarray, after: np.ndarray, poly) -> Tuple[float, int]:
    """Share of the item's ink pixels still dark after redaction, and how many ink pixels it had."""
    g0 = cv2.cvtColor(before, cv2.COLOR_RGB2GRAY).astype(np.float32)
    g1 = cv2.cvtColor(after, cv2.COLOR_RGB2GRAY).astype(np.float32)
    m = _poly_mask(poly, before.shape)
    ink, thr = _ink(g0, m)
    n = int(ink.sum())
    if n == 0:
        return 1.0, 0
    return float((g1[ink] < thr).mean()), n


_RUNS: Dict[Tuple[str, str, str, int, str], dict] = {}


def _run(redactors, ocr: str, sym: str, layout: str, seed: int, size: str) -> dict:
    key = (ocr, sym, layout, seed, size)
    if key not in _RUNS:
        r = redactors(ocr, sym)
        g = _photo(layout, seed, size)
        t0 = time.perf_counter()
        res = r.redact(g.image_bytes, style="fill", seed=0)
        dt = time.perf_counter() - t0
        _RUNS[key] = {"g": g, "res": res, "seconds": dt, "report": res.report.to_dict()}
        tm = {k: round(v, 2) for k, v in res.report.timings.items()}
        print(f"\n[{ocr}+{sym}] {layout} {size}: {dt:.1f} s  {tm}")
    return _RUNS[key]


def _check_redaction(run: dict) -> Dict[str, float]:
    g, res = run["g"], run["res"]
    before, after = g.pixels, res.pixels
    assert after.shape == before.shape
    out = {}
    # every phone number and name (both parties) lost its ink
    for it in g.truth["items"]:
        if it["category"] in ("phone", "name") and it["sensitive"] and it["kind"] == "text":
            left, n = _ink_left(before, after, it["polygon"])
            if n < 15:
                continue
            assert left < 0.1, f"{it['category']}/{it['role']} item {it['id']}: {left:.0%} of its ink still there"
            out.setdefault(it["category"], 0.0)
            out[it["category"]] = max(out[it["category"]], left)
    # every symbol lost its bars/modules (visible Code128 bars spell out part of the payload)
    for it in g.truth["items"]:
        if it["kind"] == "symbol":
            left, n = _ink_left(before, after, it["polygon"])
            assert left < 0.1, f"symbol {it['symbology']} item {it['id']}: {left:.0%} of its bars still there"
    # captions and other non-personal text mostly keep their ink (a few border on masked fields)
    kept, total = 0.0, 0
    for it in g.truth["items"]:
        if it["category"] == "other" and it["kind"] == "text":
            left, n = _ink_left(before, after, it["polygon"])
            kept += left * n
            total += n
    assert total > 0
    out["caption_ink_kept"] = kept / total
    assert kept / total > 0.75, f"only {kept / total:.0%} of the captions' ink kept"
    # nothing far from the label changed
    lq = g.truth.get("label_quad")
    if lq:
        far = ~_poly_mask(lq, before.shape, dilate=30)
        d = np.abs(before.astype(np.int16) - after.astype(np.int16)).max(axis=2) > 30
        assert d[far].mean() < 0.002
    assert res.report.check is not None and res.report.check.passed
    return out


def _categories(run: dict) -> set:
    return {f["category"] for f in run["report"]["fields"] if f["sensitive"] and f["category"] != "unreadable"}


def _truth_categories(g) -> set:
    return {it["category"] for it in g.truth["items"] if it["sensitive"]}


DEFAULT_COMBOS = [pytest.param("rapid", "zxing", id="rapid+zxing"),
                  pytest.param("paddle", "zbar", id="paddle+zbar", marks=[needs_paddle, needs_zbar])]


@pytest.mark.parametrize("ocr,sym", DEFAULT_COMBOS)
def test_pipeline_redacts_with_each_backend(redactors, ocr, sym):
    run = _run(redactors, ocr, sym, "zh_ecommerce", 101, "1mp")
    _check_redaction(run)
    rep = run["report"]
    assert rep["engines"]["ocr"].startswith("paddleocr" if ocr == "paddle" else "ppocr-onnx/")
    assert rep["engines"]["symbols"] == ("pyzbar" if sym == "zbar" else "zxing-cpp")
    assert _truth_categories(run["g"]) <= _categories(run) | {"postal_code", "email", "id_number"}
    assert {s["format"] for s in rep["symbols"] if s["decoded"]} >= {"QRCode", "Code128"}


@needs_paddle
@needs_zbar
def test_backends_agree_on_what_they_found(redactors):
    a = _run(redactors, "rapid", "zxing", "zh_ecommerce", 101, "1mp")
    b = _run(redactors, "paddle", "zbar", "zh_ecommerce", 101, "1mp")
    assert _categories(a) == _categories(b)
    ra = {(f["category"], f["role"]) for f in a["report"]["fields"] if f["sensitive"]}
    rb = {(f["category"], f["role"]) for f in b["report"]["fields"] if f["sensitive"]}
    assert {("phone", "recipient"), ("phone", "sender"), ("name", "recipient"), ("name", "sender")} <= ra & rb
    # the decoded symbols are the same ones, in the same places
    sa = sorted((s["format"], tuple(np.round(np.mean(s["polygon"], axis=0) / 20))) for s in a["report"]["symbols"]
                if s["decoded"])
    sb = sorted((s["format"], tuple(np.round(np.mean(s["polygon"], axis=0) / 20))) for s in b["report"]["symbols"]
                if s["decoded"])
    assert [f for f, _ in sa] == [f for f, _ in sb]
    for (_, ca), (_, cb) in zip(sa, sb):
        assert np.abs(np.subtract(ca, cb)).max() <= 1


# --------------------------------------------------------------------------------------------- the matrix
MATRIX_PHOTOS = [("zh_ecommerce", 101, "1mp"), ("us_ups", 103, "1mp"), ("zh_privacy", 102, "12mp")]
MATRIX_COMBOS = [pytest.param("rapid", "zxing", id="rapid+zxing"),
                 pytest.param("rapid", "zbar", id="rapid+zbar", marks=needs_zbar),
                 pytest.param("paddle", "zxing", id="paddle+zxing", marks=needs_paddle),
                 pytest.param("paddle", "zbar", id="paddle+zbar", marks=[needs_paddle, needs_zbar])]


@pytest.mark.slow
@pytest.mark.parametrize("layout,seed,size", MATRIX_PHOTOS, ids=[f"{p[0]}-{p[2]}" for p in MATRIX_PHOTOS])
@pytest.mark.parametrize("ocr,sym", MATRIX_COMBOS)
def test_matrix_each_backend_pair_redacts(redactors, ocr, sym, layout, seed, size):
    run = _run(redactors, ocr, sym, layout, seed, size)
    _check_redaction(run)
    assert _truth_categories(run["g"]) - {"email", "id_number"} <= _categories(run) | {"postal_code"}


@pytest.mark.slow
@pytest.mark.parametrize("layout,seed,size", MATRIX_PHOTOS, ids=[f"{p[0]}-{p[2]}" for p in MATRIX_PHOTOS])
def test_matrix_backends_agree(redactors, layout, seed, size):
    combos = [("rapid", "zxing")]
    if _zbar_available():
        combos.append(("rapid", "zbar"))
    if _paddle_available():
        combos.append(("paddle", "zxing"))
    if len(combos) < 2:
        pytest.skip(f"{PADDLE_REASON}; {ZBAR_REASON}")
    runs = [_run(redactors, o, s, layout, seed, size) for o, s in combos]
    cats = [_categories(r) for r in runs]
    assert all(c == cats[0] for c in cats), dict(zip([f"{o}+{s}" for o, s in combos], map(sorted, cats)))
    print("\n" + "  ".join(f"{o}+{s}: {r['seconds']:.1f} s" for (o, s), r in zip(combos, runs)))
