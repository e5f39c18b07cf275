"""The look search: symbols found by their texture, decoded or not.

An undecodable code is not a safe code: ``find_by_look`` finds symbol-like regions by their texture (dense
parallel bars, dense 2-D modules) so they are masked whether or not they decode. 1-D codes are also found by
their edges at a scale fine enough for their bars (``bar_fields``), on every label view and on the whole
photo; 2-D look-alikes on the whole photo by ``module_fields``. ``look_prep`` is the part that needs no read
lines, so it can run beside the recognition.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Sequence, Tuple

import cv2
import numpy as np

from ..geometry import inside_share, quad_iou
from ..types import Polygon
from .symbol_widen import widen_linear

TWO_D_MAX_ASPECT = 6.0  # a dense 2-D block as long as this against its width (PDF417 runs 3-5:1) still counts


@dataclass
class LookPrep:
    """The part of ``find_by_look`` that does not depend on what is excluded (the read lines, the decoded
    symbols), so that it can run early, beside the recognition: ``look_prep``."""

    f: float  # working scale (text ~12 px high there) over the view's
    th: float  # text height at the working scale
    binv: np.ndarray  # ink (1) / paper (0), adaptive threshold at the working scale
    bars: List[Polygon]  # chains of parallel bars (1-D candidates), working px
    dx: np.ndarray  # box-filtered densities of ink/paper transitions along x, along y, and of ink
    dy: np.ndarray
    ink: np.ndarray
    half: "Tuple[np.ndarray, np.ndarray, np.ndarray] | None"  # the same at half scale (2-D codes, big modules)
    bar_fields: List[Polygon] = field(default_factory=list)  # 1-D codes by their edges (``bar_fields``), view px


def look_prep(gray: np.ndarray, text_height: float) -> "LookPrep | None":
    """Threshold, bar chains and transition densities of ``gray`` for ``find_by_look`` (None: no pixels)."""
    if gray.size == 0:
        return None
    fields = bar_fields(gray, text_height)  # before the text scale: fine bars merge there
    f = min(1.0, 12.0 / max(1.0, float(text_height)))  # work where text is ~12 px high: fast, scale-free
    if f < 0.95:
        gray = cv2.resize(gray, (max(1, int(gray.shape[1] * f)), max(1, int(gray.shape[0] * f))),
                          interpolation=cv2.INTER_AREA)
        text_height = text_height * f
    else:
        f = 1.0
    h, w = gray.shape
    th = max(6.0, float(text_height))
    block = int(max(15, th * 2)) | 1
    binv = cv2.adaptiveThreshold(gray, 1, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 12)

    # -- 1-D: chains of parallel bars --------------------------------------------------------
    bars: List[Polygon] = []
    n, lab, stats, _ = cv2.connectedComponentsWithStats(binv, 8)
    for vertical in (True, False):
        cands = []
        for i in range(1, n):
            x, y, bw, bh, area = stats[i]
            if not vertical:
                x, y, bw, bh = y, x, bh, bw  # work in a transposed frame
            if bh >= 1.5 * th and bh >= 2.5 * bw and bh <= 14 * th and (area >= 0.5 * bw * bh or bh >= 6 * bw):
                cands.append((x, y, bw, bh))
        if len(cands) < 8:
            continue
        cands.sort()
        used = [False] * len(cands)
        for i0 in range(len(cands)):
            if used[i0]:
                continue
            chain = [cands[i0]]
            used[i0] = True
            last = cands[i0]
            for j in range(i0 + 1, len(cands)):
                if used[j]:
                    continue
                x, y, bw, bh = cands[j]
                lx, ly, lw, lh = last
                if x - (lx + lw) > 1.5 * th:
                    if x > lx + lw + 3 * th:
                        break
                    continue
                ov = min(y + bh, ly + lh) - max(y, ly)
                if ov < 0.7 * min(bh, lh) or not (0.6 <= bh / lh <= 1.67):
                    continue
                chain.append(cands[j])
                used[j] = True
                last = cands[j]
            if len(chain) < 8:
                continue
            xs0 = min(c[0] for c in chain)
            xs1 = max(c[0] + c[2] for c in chain)
            ys0 = min(c[1] for c in chain)
            ys1 = max(c[1] + c[3] for c in chain)
            if xs1 - xs0 < 3 * th:
                continue
            box = [(xs0, ys0), (xs1, ys0), (xs1, ys1), (xs0, ys1)]
            if not vertical:
                box = [(b, a) for a, b in box]
            bars.append(tuple((float(a), float(b)) for a, b in box))

    # -- transition densities, at this scale and at half of it (2-D codes with big modules) ----------
    win = int(max(9, th * 1.5)) | 1
    dx, dy, ink = _transitions(binv, win)
    half = None
    if min(h, w) >= 16 * th:
        hg = cv2.resize(gray, (w // 2, h // 2), interpolation=cv2.INTER_AREA)
        hb = cv2.adaptiveThreshold(hg, 1, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 12)
        half = _transitions(hb, win)
    return LookPrep(f=f, th=th, binv=binv, bars=bars, dx=dx, dy=dy, ink=ink, half=half, bar_fields=fields)


def find_by_look(gray: "np.ndarray | None", text_height: float, exclude: Sequence[np.ndarray] = (),
                 prep: "LookPrep | None" = None) -> List[Polygon]:
    """Symbol-like regions (1-D bars or 2-D modules) found by texture alone, in ``gray`` coordinates.

    ``text_height``: typical text height in px at this scale (sets the scale of bars and modules).
    ``exclude``: polygons (recognised text lines, decoded symbols) that are not candidates.
    ``prep``: ``look_prep(gray, text_height)`` when it was made already (then ``gray`` is not read).
    1-D: at least 8 parallel bars (thin, tall ink components of similar height, side by side).
    2-D: a compact, square-ish block of dense ink texture in both directions, outside any text line.
    """
    if prep is None:
        prep = look_prep(gray, text_height) if gray is not None else None
        if prep is None:  # no pixels
            return []
    f, th, binv = prep.f, prep.th, prep.binv
    h, w = binv.shape
    excl = np.zeros((h, w), np.uint8)
    for poly in exclude:
        q = np.asarray(poly, float) * f if f != 1.0 else np.asarray(poly)
        cv2.fillPoly(excl, [np.round(q).astype(np.int32)], 1)
    out: List[Polygon] = []

    # -- 1-D: chains of parallel bars, unless mostly excluded ----------------------------------------
    for box in prep.bars:
        bx = np.array(box, float)
        x0, y0 = bx.min(axis=0).astype(int)
        x1, y1 = bx.max(axis=0).astype(int)
        covered = float(excl[max(0, y0):y1, max(0, x0):x1].mean()) if (y1 > y0 and x1 > x0) else 1.0
        if covered >= 0.5:
            continue
        out.append(box)

    # -- 1-D by their edges, already widened to the whole symbol (view px), unless mostly excluded --------
    for poly in prep.bar_fields:
        if _excluded_share(excl, np.asarray(poly, float) * f) < 0.5:
            out.append(tuple((x * f, y * f) for x, y in poly))

    # -- 2-D: dense modules both ways (at this scale, and at half of it for codes with big modules) ----------
    dx, dy, ink = prep.dx, prep.dy, prep.ink
    lo = 1.2 / th  # at least ~one transition per module-ish step at any module size up to ~th
    k = int(max(3, th * 0.6)) | 1
    out += _dense_blocks(dx, dy, ink, excl, th)
    if prep.half is not None:
        he = cv2.resize(excl, (w // 2, h // 2), interpolation=cv2.INTER_NEAREST)
        for p in _dense_blocks(*prep.half, he, th):
            out.append(tuple((2.0 * a, 2.0 * b) for a, b in p))

    # -- 1-D again, as texture: bars too fine to separate still make many transitions one way only ----
    for axis, (a, b) in enumerate(((dx, dy), (dy, dx))):
        tex = ((a > lo * 1.5) & (b < lo * 0.5) & (ink > 0.2) & (ink < 0.85) & (excl == 0)).astype(np.uint8)
        tex = cv2.morphologyEx(tex, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
        tex = cv2.morphologyEx(tex, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
        tex[excl > 0] = 0

        def accept_tex(x, y, bw, bh, area, axis=axis):
            if not (max(bw, bh) >= 4 * th and min(bw, bh) >= 1.5 * th and area >= 0.5 * bw * bh):
                return False
            sub = binv[y:y + bh, x:x + bw].astype(np.float32)
            prof = sub.mean(axis=axis) > 0.5  # across the bars
            return int(np.count_nonzero(np.diff(prof.astype(np.int8)) == 1)) >= 10

        out += _component_boxes(tex, accept_tex)
    # overlapping finds of the same symbol: keep the larger
    out.sort(key=lambda p: -cv2.contourArea(np.float32(p)))
    kept: List[Polygon] = []
    for p in out:
        if not any(quad_iou(p, k2) > 0.3 for k2 in kept):
            kept.append(p)
    if f != 1.0:
        kept = [tuple((x / f, y / f) for x, y in p) for p in kept]
    return kept


def _excluded_share(excl: np.ndarray, poly: np.ndarray) -> float:
    """The share of ``poly``'s bounding box (clipped to the image) that ``excl`` marks."""
    h, w = excl.shape
    x0, y0 = np.maximum(0, np.floor(poly.min(axis=0)).astype(int))
    x1, y1 = np.ceil(poly.max(axis=0)).astype(int)
    x1, y1 = min(w, x1), min(h, y1)
    return float(excl[y0:y1, x0:x1].mean()) if (y1 > y0 and x1 > x0) else 1.0


BAR_TEXT_PX = 16.0  # the bar search works where text is about this high (bars of a label code stay >= ~1.5 px)
BAR_COHERENCE = 3.0  # edges across the bars outweigh edges along them at least this much (text: ~1-2)
BAR_MIN_EDGES = 36  # ink/paper edges along a candidate's middle (a 6-character Code128 has ~70; a word of capitals ~30)


def bar_fields(gray: np.ndarray, text_height: float) -> List[Polygon]:
    """1-D codes found by their edges, each widened along its bars to the whole symbol (``widen_linear``).

    Works where text is ``BAR_TEXT_PX`` high (not at the text scale of the rest of the look search: a label
    code's bars are finer than a text stroke and merge there). A field where the gradient across one axis
    outweighs the other ``BAR_COHERENCE`` times, wide enough, with many edges along its middle whose profile
    repeats from its upper to its lower part (bars are straight; text is not), is a 1-D code, decoded or not.
    ``gray``: grey uint8; polygons in its px. Both orientations (bars upright or lying) are searched."""
    if gray.size == 0 or min(gray.shape[:2]) < 16:
        return []
    th0 = max(4.0, float(text_height))
    f = min(1.0, BAR_TEXT_PX / th0)
    g = cv2.resize(gray, (max(1, int(gray.shape[1] * f)), max(1, int(gray.shape[0] * f))),
                   interpolation=cv2.INTER_AREA) if f < 0.95 else gray
    if g is gray:
        f = 1.0
    th = th0 * f
    gf = g.astype(np.float32)
    win = int(max(7, th * 0.8)) | 1
    ex = cv2.boxFilter(np.abs(cv2.Sobel(gf, cv2.CV_32F, 1, 0, ksize=3)), -1, (win, win))
    ey = cv2.boxFilter(np.abs(cv2.Sobel(gf, cv2.CV_32F, 0, 1, ksize=3)), -1, (win, win))
    out: List[Polygon] = []
    k = int(max(3, th * 0.5)) | 1
    kl = int(max(5, th)) | 1
    for axis in (0, 1):  # 0: bars upright (edges along x), 1: bars lying
        a, b = (ex, ey) if axis == 0 else (ey, ex)
        m = ((a > BAR_COHERENCE * b) & (a > 12.0)).astype(np.uint8)
        m = cv2.morphologyEx(m, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (kl, 3) if axis == 0 else (3, kl)))
        m = cv2.morphologyEx(m, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
        n, _, st, _ = cv2.connectedComponentsWithStats(m, 8)
        for i in range(1, n):
            x, y, w, h, area = (int(v) for v in st[i])
            long_, short = (w, h) if axis == 0 else (h, w)
            if long_ < 3 * th or short < 0.6 * th or area < 0.5 * w * h:
                continue
            sub = gf[y:y + h, x:x + w] if axis == 0 else gf[y:y + h, x:x + w].T
            if not _bars_repeat(sub):
                continue
            box = np.array([[x, y], [x + w, y], [x + w, y + h], [x, y + h]], float) / f
            if axis == 1:  # long edge first: widen_linear takes it as the scan direction
                box = box[[1, 2, 3, 0]]
            out.append(widen_linear(gray, tuple(map(tuple, box)), scan=np.array([1.0, 0.0] if axis == 0 else [0.0, 1.0])))
    return out


MODULE_MIN_CONTRAST = 80.0  # a printed 2-D code: dark modules on light paper (p90 - p10 of its grey levels)
MODULE_MAX_GREY = 0.35  # at most this share of a code's pixels sits in the middle third between ink and paper
MODULE_MAX_SIDE = 0.2  # a code off every label is small against the photo (not a patterned bag or a rug)


def module_fields(gray: np.ndarray, text_height: float) -> List[Polygon]:
    """2-D codes by their look on a view with no read lines to rule text out (the whole photo): dense
    blocks both ways (``_dense_blocks``) that are also printed codes: high contrast, ink and paper with
    little grey between, small against the image. ``gray``: grey uint8; polygons in its px."""
    if gray.size == 0 or min(gray.shape[:2]) < 16:
        return []
    th = max(6.0, float(text_height))
    block = int(max(15, th * 2)) | 1
    win = int(max(9, th * 1.5)) | 1
    cands: List[Polygon] = []
    for k in (1, 2):  # at this scale and at half of it (codes with big modules)
        g = gray if k == 1 else cv2.resize(gray, (gray.shape[1] // 2, gray.shape[0] // 2), interpolation=cv2.INTER_AREA)
        if min(g.shape[:2]) < 16 * th:
            break
        binv = cv2.adaptiveThreshold(g, 1, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 12)
        for poly in _dense_blocks(*_transitions(binv, win), np.zeros(binv.shape, np.uint8), th):
            p = tuple((k * a, k * b) for a, b in poly)
            if not any(inside_share(p, c) > 0.6 or inside_share(c, p) > 0.6 for c in cands):
                cands.append(p)
    out: List[Polygon] = []
    side_max = MODULE_MAX_SIDE * max(gray.shape[:2])
    for poly in cands:
        q = np.asarray(poly, float)
        x0, y0 = np.maximum(0, np.floor(q.min(axis=0)).astype(int))
        x1, y1 = np.ceil(q.max(axis=0)).astype(int)
        if max(x1 - x0, y1 - y0) > side_max:
            continue
        sub = gray[y0:y1, x0:x1]
        if sub.size == 0:
            continue
        p10, p90 = np.percentile(sub, [10, 90])
        if p90 - p10 < MODULE_MIN_CONTRAST:
            continue
        lo, hi = p10 + (p90 - p10) / 3, p90 - (p90 - p10) / 3
        if float(((sub > lo) & (sub < hi)).mean()) > MODULE_MAX_GREY:
            continue
        out.append(poly)
    return out


def _bars_repeat(sub: np.ndarray) -> bool:
    """``sub`` (rows across upright bars): many edges along its middle, the same in its upper and lower part."""
    h = sub.shape[0]
    if h < 3 or sub.shape[1] < 16:
        return False
    third = max(1, h // 3)
    prof = [sub[i * third:(i + 1) * third].mean(axis=0) for i in range(3)]
    mid = prof[1] - cv2.blur(prof[1][None, :], (9, 1))[0]
    contrast = float(np.percentile(prof[1], 90) - np.percentile(prof[1], 10))
    if contrast < 20:
        return False
    dark = mid < -0.1 * contrast
    edges = int(np.count_nonzero(np.diff(dark.astype(np.int8))))
    if edges < BAR_MIN_EDGES:
        return False
    # the same bars above and below, allowing for a slant (a tilted code in the text's upright frame)
    a = prof[0] - cv2.blur(prof[0][None, :], (9, 1))[0]
    c = prof[2] - cv2.blur(prof[2][None, :], (9, 1))[0]
    lag_max = max(2, int(0.25 * 2 * third))  # up to ~14 degrees between the upper and the lower third
    best = -1.0
    n = len(a)
    for lag in range(-lag_max, lag_max + 1):
        x, y = (a[lag:], c[:n - lag]) if lag >= 0 else (a[:n + lag], c[-lag:])
        if len(x) < 16:
            continue
        best = max(best, float(np.dot(x, y) / (np.linalg.norm(x) * np.linalg.norm(y) + 1e-6)))
    return best > 0.5


def _dense_blocks(dx: np.ndarray, dy: np.ndarray, ink: np.ndarray, excl: np.ndarray, th: float) -> List[Polygon]:
    """2-D codes by their look: compact, square-ish (PDF417: oblong) blocks that change between ink and
    paper often both ways (``dx``, ``dy``: transition densities; ``ink``: ink share; all box-filtered)."""
    lo = 1.2 / th  # at least ~one transition per module-ish step at any module size up to ~th
    k = int(max(3, th * 0.6)) | 1
    kc = int(max(3, th * 1.5)) | 1  # bridge scratches and torn strips across a code
    # keep a margin around text and decoded symbols, so bridging cannot join a code to them
    excl_wide = cv2.dilate(excl, cv2.getStructuringElement(cv2.MORPH_RECT, (kc, kc))) if excl.any() else excl
    dense = ((dx > lo) & (dy > lo) & (ink > 0.25) & (ink < 0.8) & (excl_wide == 0)).astype(np.uint8)
    dense = cv2.morphologyEx(dense, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (kc, kc)))
    dense = cv2.morphologyEx(dense, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    dense[excl > 0] = 0

    def accept(x, y, bw, bh, area) -> bool:
        return not (min(bw, bh) < 3.5 * th or max(bw, bh) > TWO_D_MAX_ASPECT * min(bw, bh) or area < 0.55 * bw * bh)

    return _component_boxes(dense, accept)


def _transitions(binv: np.ndarray, win: int) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Box-filtered (``win`` px) densities of ink/paper transitions along x and along y, and of ink."""
    tx = np.zeros(binv.shape, np.float32)
    ty = np.zeros(binv.shape, np.float32)
    tx[:, 1:] = binv[:, 1:] != binv[:, :-1]
    ty[1:, :] = binv[1:, :] != binv[:-1, :]
    return (cv2.boxFilter(tx, -1, (win, win)), cv2.boxFilter(ty, -1, (win, win)),
            cv2.boxFilter(binv.astype(np.float32), -1, (win, win)))


def _component_boxes(mask: np.ndarray, accept) -> List[Polygon]:
    """The minimum-area box of each connected component of ``mask`` that ``accept(x, y, w, h, area)`` takes."""
    out: List[Polygon] = []
    n, lab, stats, _ = cv2.connectedComponentsWithStats(mask, 8)
    for i in range(1, n):
        x, y, bw, bh, area = stats[i]
        if not accept(x, y, bw, bh, area):
            continue
        ys, xs = np.nonzero(lab[y:y + bh, x:x + bw] == i)
        pts = np.stack([xs + x, ys + y], axis=1).astype(np.float32)
        out.append(tuple((float(a), float(b)) for a, b in cv2.boxPoints(cv2.minAreaRect(pts))))
    return out
