"""Self-check after rendering: read every masked region again, as an attacker would (OCR on 2x-upscaled
crops, symbol decoding), and report which masks still give a masked value back.

A region is readable when the OCR finds, inside it, 4 consecutive digits of a masked value, 2 consecutive
CJK characters of one, or 4 consecutive letters/digits of one; or when a symbol decodes to a masked payload.
``harden`` is the check as the pipeline runs it: readable masks are grown and filled solid, at most twice, and
the output is refused (``UnsafeOutput``) when any is still readable then.
"""

from __future__ import annotations

import re
from concurrent.futures import Executor
from dataclasses import replace
from typing import List, Optional, Sequence, Set, Tuple

import cv2
import numpy as np

from ..concurrency import InlineExecutor, run_all
from ..errors import UnsafeOutput
from ..types import CheckResult, Mask, Style

STROKE_INSET = 5  # px (upright crop scale) in from a mask's edge where its own look is judged: half the
# stroke filter's 9 px kernel, so the photo around the mask does not count as the mask's strokes
SYMBOL_UPSCALE_BELOW = 320  # masked symbol regions this small (short side, px) are also decoded at 2x
_CJK = re.compile(r"[\u3400-\u9fff]")


def _norm(s: str) -> str:
    return re.sub(r"[\s\-_.,:;()（）：，/]", "", s).lower()


def leaks(read: str, value: str) -> bool:
    r, v = _norm(read), _norm(value)
    if not r or not v:
        return False
    rd, vd = re.sub(r"\D", "", r), re.sub(r"\D", "", v)
    if len(vd) >= 4:
        for i in range(len(vd) - 3):
            if vd[i:i + 4] in rd:
                return True
    vc = "".join(_CJK.findall(v))
    if len(vc) >= 2:
        for i in range(len(vc) - 1):
            if vc[i:i + 2] in r:
                return True
    if len(v) >= 4:
        for i in range(len(v) - 3):
            seg = v[i:i + 4]
            if "*" in seg or seg.isdigit():
                continue
            if seg in r:
                return True
    return False


def _crop(out: np.ndarray, poly: np.ndarray, margin: float):
    """(crop of the polygon's bounding box plus ``margin``, the polygon's pixels in it) or None."""
    x0, y0 = np.floor(poly.min(axis=0) - margin).astype(int)
    x1, y1 = np.ceil(poly.max(axis=0) + margin).astype(int)
    x0, y0 = max(0, x0), max(0, y0)
    x1, y1 = min(out.shape[1], x1), min(out.shape[0], y1)
    if x1 - x0 < 4 or y1 - y0 < 4:
        return None
    return out[y0:y1, x0:x1], interior((y1 - y0, x1 - x0), poly - np.array([x0, y0], float), 2)


def interior(shape: Tuple[int, int], poly: np.ndarray, inset: int) -> np.ndarray:
    """The pixels of ``poly`` (in a crop of ``shape``), ``inset`` px in from its edge: what the mask's own
    look is judged on (at the edge, a morphological filter also sees the photo around the mask)."""
    m = np.zeros(shape, np.uint8)
    cv2.fillPoly(m, [np.round(poly).astype(np.int32)], 1)
    if inset > 0:
        m = cv2.erode(m, cv2.getStructuringElement(cv2.MORPH_RECT, (2 * inset + 1, 2 * inset + 1)))
    return m.astype(bool)


def _upright_crop(out: np.ndarray, poly: np.ndarray, text_h: float,
                  target_h: float = 32.0) -> Tuple[np.ndarray, np.ndarray]:
    """The mask's region warped upright (along its own reading direction) at ~``target_h`` px text height,
    and the mask polygon's pixels in it."""
    if len(poly) == 4:
        quad = poly
    else:
        rect = cv2.minAreaRect(poly.astype(np.float32))
        quad = cv2.boxPoints(rect).astype(float)
    from ..geometry import reading_quad

    d = poly[1] - poly[0] if len(poly) == 4 else quad[1] - quad[0]
    d = d / (np.linalg.norm(d) + 1e-9)
    q = reading_quad(quad, d)
    w = float(np.linalg.norm(q[1] - q[0]))
    h = float(np.linalg.norm(q[3] - q[0]))
    k = float(np.clip(target_h / max(4.0, text_h), 0.25, 3.0))
    W, H = max(8, int(w * k)), max(8, int(h * k))
    if W * H > 4_000_000:
        f = (4_000_000 / (W * H)) ** 0.5
        W, H = max(8, int(W * f)), max(8, int(H * f))
    M = cv2.getPerspectiveTransform(q.astype(np.float32), np.float32([[0, 0], [W, 0], [W, H], [0, H]]))
    crop = cv2.warpPerspective(out, M, (W, H), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)
    inside = cv2.perspectiveTransform(poly.reshape(-1, 1, 2).astype(np.float32), M).reshape(-1, 2)
    return crop, interior((H, W), inside, STROKE_INSET)


def _pack(crops: Sequence[np.ndarray], gap: int = 24, width: int = 1600):
    """Shelf-pack crops into one white canvas; returns the canvas and each crop's (x, y, w, h)."""
    x = y = shelf = 0
    places = []
    for c in crops:
        h, w = c.shape[:2]
        if x > 0 and x + w > width:
            x, y, shelf = 0, y + shelf + gap, 0
        places.append((x, y, w, h))
        x += w + gap
        shelf = max(shelf, h)
    W = max([p[0] + p[2] for p in places] + [32])
    H = max([p[1] + p[3] for p in places] + [32])
    canvas = np.full((H + gap, W + gap, 3), 255, np.uint8)
    for c, (px, py, w, h) in zip(crops, places):
        canvas[py:py + h, px:px + w] = c
    return canvas, places


def _share(hits: np.ndarray, within: Optional[np.ndarray]) -> float:
    if within is None:
        return np.count_nonzero(hits) / hits.size if hits.size else float("nan")
    n = np.count_nonzero(within)  # counted, not gathered: a fraction of the time of hits[within]
    return np.count_nonzero(hits & within) / n if n else 0.0


def has_strokes(crop: np.ndarray, within: Optional[np.ndarray] = None) -> bool:
    """Could anything in this (upright, ~32 px text height) crop be read? Text needs strokes: small dark-
    on-light (or light-on-dark) structures with sharp edges. A crop whose local contrast never reaches a
    stroke's is unreadable by any OCR, and is not worth running one on. ``within``: judge these pixels only
    (the mask itself, not the photo around it)."""
    g = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY) if crop.ndim == 3 else crop
    if g.size == 0:
        return False
    # black-hat + top-hat at stroke scale: strokes stand out from their surroundings by > 60 levels
    k = cv2.getStructuringElement(cv2.MORPH_RECT, (9, 9))
    bh = cv2.morphologyEx(g, cv2.MORPH_BLACKHAT, k)
    th = cv2.morphologyEx(g, cv2.MORPH_TOPHAT, k)
    return _share(np.maximum(bh, th) > 60, within) > 0.004


def has_edges(crop: np.ndarray, step: int = 48, share: float = 0.001, within: Optional[np.ndarray] = None) -> bool:
    """Could a symbol be decoded from this crop? Bars and modules need sharp light/dark edges; a crop where
    fewer than ``share`` of the pixels (of ``within``) sit on an edge stronger than ``step`` grey levels has
    none to offer."""
    g = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY) if crop.ndim == 3 else crop
    if g.size == 0:
        return False
    k = np.ones((3, 3), np.uint8)
    grad = cv2.morphologyEx(g, cv2.MORPH_GRADIENT, k)
    return _share(grad > step, within) >= share


def readable_masks(ocr, sym, out: np.ndarray, masks: Sequence[Mask], analysis, heights: Sequence[float] = (),
                   pool: Optional[Executor] = None) -> Set[int]:
    """Indices of masks whose region still gives a masked value back (OCR or symbol decoding).
    ``pool``: threads for the symbol decoding, run beside the OCR."""
    fields = analysis.fields
    values: List[List[str]] = []
    payloads: List[Set[str]] = []
    for m in masks:
        vs, ps = [], set()
        fids = list(m.fields)
        if m.source == "user":  # values of the fields this user mask covers
            poly = np.asarray(m.polygon, np.float32)
            for fi, f in enumerate(fields):
                for p in f.polygons:
                    c = np.asarray(p, np.float32).mean(axis=0)
                    if cv2.pointPolygonTest(poly, (float(c[0]), float(c[1])), False) >= 0:
                        fids.append(fi)
        for fi in fids:
            f = fields[fi]
            if f.value:
                vs.append(f.value)
            for si in f.symbols:
                if 0 <= si < len(analysis.symbols) and analysis.symbols[si].payload:
                    ps.add(analysis.symbols[si].payload)
        values.append(vs)
        payloads.append(ps)
    bad: Set[int] = set()
    # symbols: each masked symbol region at 1x (and 2x when small), decoded on the pool's threads (zxing-cpp releases the
    # GIL) while the OCR below reads the text regions
    def sym_reads(i: int) -> bool:
        cut = _crop(out, np.asarray(masks[i].polygon, float), margin=4.0)
        if cut is None:
            return False
        crop, inside = cut
        if not has_edges(crop, within=inside):  # the mask left no edge to decode (the photo around it is
            return False                        # read with it when it did)
        if any(r.payload in payloads[i] for r in sym.read(crop)):
            return True
        if min(crop.shape[:2]) <= SYMBOL_UPSCALE_BELOW:  # small codes: an attacker would upscale too
            big = cv2.resize(crop, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)
            return any(r.payload in payloads[i] for r in sym.read(big))
        return False

    sym_idx = [i for i in range(len(masks)) if payloads[i]]
    pool = pool if pool is not None else InlineExecutor()
    sym_jobs = [(i, pool.submit(sym_reads, i)) for i in sym_idx]
    # text: every masked region upright at a legible scale, packed into one canvas, read once
    idx = [i for i in range(len(masks)) if values[i]]
    if idx:
        def upright(i: int) -> Tuple[np.ndarray, bool]:
            poly = np.asarray(masks[i].polygon, float)
            th = heights[i] if i < len(heights) and heights[i] else max(6.0, min(np.ptp(poly[:, 0]), np.ptp(poly[:, 1])) / 2)
            c, inside = _upright_crop(out, poly, th)
            # only a mask whose own pixels hold strokes can give text back (then it is read with its
            # surroundings)
            return c, has_strokes(c, inside)

        crops = run_all(pool, upright, idx)  # beside the symbol jobs (a busy pool: this thread does them)
        keep = [k for k, (_, strokes) in enumerate(crops) if strokes]
        idx = [idx[k] for k in keep]
        crops = [crops[k][0] for k in keep]
    if idx:
        canvas, places = _pack(crops)
        boxes = ocr.detect(canvas)
        if boxes:
            from ..geometry import crop_quad, reading_quad

            quads = [reading_quad(np.asarray(b.quad, float), np.array([1.0, 0.0])) for b in boxes]
            texts = [r.text for r in ocr.recognize([crop_quad(canvas, q) for q in quads])]
            for q, t in zip(quads, texts):
                c = q.mean(axis=0)
                for i, (px, py, w, h) in zip(idx, places):
                    if px - 12 <= c[0] <= px + w + 12 and py - 12 <= c[1] <= py + h + 12:
                        if any(leaks(t, v) for v in values[i]):
                            bad.add(i)
    for i, job in sym_jobs:
        if job.result():
            bad.add(i)
    return bad


MAX_ROUNDS = 3  # reads of the output (the first check and at most two hardenings) before failing closed
GROW_TEXT_HEIGHTS = 0.5  # a hardened mask grows by this many of its text heights (at least GROW_MIN_PX)
GROW_MIN_PX = 4.0


def harden(ocr, sym, pixels: np.ndarray, out: np.ndarray, masks: Sequence[Mask], analysis, style,
           heights: Sequence[float], seed: Optional[int], pool: Optional[Executor] = None,
           name: Optional[str] = None) -> Tuple[np.ndarray, List[Mask], CheckResult]:
    """The self-check and its hardening loop: read every mask of ``out`` again (``readable_masks``); while
    some still give a masked value back (at most ``MAX_ROUNDS`` reads), grow those masks, render all masks
    on ``pixels`` (the photo) again and fill the grown ones solid. Returns the output, the masks and the
    check's result; raises ``UnsafeOutput`` when masks are still readable after the last round (fail closed:
    nothing is written)."""
    from . import render as render_stage  # looked up at call time (tests replace the renderer)
    from .plan import pad_polygon

    planned = list(masks)
    rounds = 0
    widened = 0
    bad = readable_masks(ocr, sym, out, planned, analysis, heights, pool=pool)
    rounds += 1
    while bad and rounds < MAX_ROUNDS:
        grown = []
        for i, m in enumerate(planned):
            if i in bad:
                grow = max(GROW_MIN_PX, heights[i] * GROW_TEXT_HEIGHTS)
                grown.append(replace(m, polygon=tuple(map(tuple, pad_polygon(m.polygon, grow)))))
                widened += 1
            else:
                grown.append(m)
        planned = grown
        out = render_stage.render(pixels, [m.polygon for m in planned], style, text_heights=heights, seed=seed,
                                  pool=pool)
        hard = [m.polygon for i, m in enumerate(planned) if i in bad]
        out = render_stage.render(out, hard, Style.FILL, text_heights=[heights[i] for i in bad], seed=seed)
        bad = readable_masks(ocr, sym, out, planned, analysis, heights, pool=pool)
        rounds += 1
    res = CheckResult(rounds=rounds, readable_after=len(bad), widened=widened, passed=not bad)
    if bad:
        raise UnsafeOutput(f"self-check still reads {len(bad)} masked region(s) after hardening; nothing written",
                           path=name or None)
    return out, planned, res
