"""Widening a 1-D code's reader quad to the whole symbol.

A Code128 polygon from a reader covers only the band of rows it scanned (and sometimes only a part of the
code's length): the mask is widened along the bars to their tops and bottoms and along the scan to the last
bar, plus the quiet zone (``widen_linear``, ``_bar_run``). ../shared/ENGINES.md has the measurements.
"""

from __future__ import annotations

from typing import Tuple

import cv2
import numpy as np

from ..types import Polygon

SHEAR_COS = float(np.cos(np.radians(12.0)))  # bars within this of square to the print line: sheared, not turned


def widen_linear(gray: np.ndarray, quad: Polygon, scan: "np.ndarray | None" = None) -> Polygon:
    """Extend a 1-D barcode's quad along its bars to the symbol's full extent.

    Readers report the band of rows they scanned, axis-aligned even when the symbol is tilted. The bar
    direction is measured from the image (structure tensor of the band), then the bar profile is followed
    along the bars while it stays the same as in the band; a quiet-zone margin is added at both ends.
    """
    q = np.asarray(quad, np.float64)
    if len(q) != 4:
        return quad
    h, w = gray.shape[:2]
    e1 = q[1] - q[0]
    e2 = q[3] - q[0]
    if np.linalg.norm(e1) < np.linalg.norm(e2):
        q = q[[1, 2, 3, 0]]
        e1 = q[1] - q[0]
    length = float(np.linalg.norm(e1))
    if length < 8 or float(np.linalg.norm(q[3] - q[0])) < 2:
        q = _seed_quad(gray, q.mean(axis=0))  # a reader gave (almost) a point or a segment: find the bars
        if q is None:
            return quad
        e1 = q[1] - q[0]
        length = float(np.linalg.norm(e1))
    center = q.mean(axis=0)
    band = max(4.0, float(np.linalg.norm(q[3] - q[0])))
    # bar direction from the structure tensor inside the band (plus a little around it)
    r = int(max(band, length * 0.1))
    x0, y0 = np.floor(q.min(axis=0)).astype(int) - r // 4
    x1, y1 = np.ceil(q.max(axis=0)).astype(int) + r // 4
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
    u = e1 / length
    if x1 - x0 > 8 and y1 - y0 > 4:
        win = gray[y0:y1, x0:x1].astype(np.float32)
        gx = cv2.Sobel(win, cv2.CV_32F, 1, 0, ksize=3)
        gy = cv2.Sobel(win, cv2.CV_32F, 0, 1, ksize=3)
        jxx, jyy, jxy = float((gx * gx).sum()), float((gy * gy).sum()), float((gx * gy).sum())
        ang = 0.5 * np.arctan2(2 * jxy, jxx - jyy)  # dominant gradient direction = across the bars
        g = np.array([np.cos(ang), np.sin(ang)])
        ambiguous = length < 2.0 * band  # a near-square reader quad says little about the scan direction
        if ambiguous or abs(float(np.dot(g, u))) > 0.8:  # else trust it only near the reader's direction
            u = g if np.dot(g, u) > 0 else -g
            if ambiguous:  # the extent across the bars: the quad's projection on the measured direction
                proj = (q - center) @ u
                length = max(8.0, float(proj.max() - proj.min()))
    n = np.array([-u[1], u[0]])
    half = length / 2 * 1.02
    m = int(max(32, min(2048, length)))
    ts = np.linspace(-half, half, m)

    def profile(offset: float) -> np.ndarray:
        pts = center[None, :] + ts[:, None] * u[None, :] + offset * n[None, :]
        xs = np.clip(pts[:, 0], 0, w - 1).astype(np.float32)
        ys = np.clip(pts[:, 1], 0, h - 1).astype(np.float32)
        return cv2.remap(gray, xs[None, :], ys[None, :], cv2.INTER_LINEAR)[0].astype(np.float64)

    ref = profile(0.0)
    ref = ref - ref.mean()
    refn = np.linalg.norm(ref) + 1e-6
    step = max(1.0, length / 200)
    ext = {}
    for sign in (-1, 1):
        off = 0.0
        misses = 0
        last_good = 0.0
        while abs(off) < length * 1.5:
            off += sign * step
            c = center + off * n
            if not (0 <= c[1] < h and 0 <= c[0] < w):
                break
            p = profile(off)
            p = p - p.mean()
            corr = float(np.dot(p, ref) / (np.linalg.norm(p) * refn + 1e-6))
            if corr > 0.5:
                last_good = off
                misses = 0
            else:
                misses += 1
                if misses > 4:
                    break
        ext[sign] = abs(last_good)
    top = max(ext[-1], band / 2) + step * 2
    bot = max(ext[1], band / 2) + step * 2
    if scan is not None:  # the line the code was printed along (a label view's axis)
        sv = np.asarray(scan, float) / (float(np.linalg.norm(scan)) + 1e-9)
        cs = float(np.dot(sv, u))
        if abs(cs) >= SHEAR_COS:  # bars sheared against it (a bent label, an oblique photo): a parallelogram,
            sv = sv if cs > 0 else -sv  # its ends along the bars, its top and bottom along the print line
            lo, hi = _bar_run(gray, center, sv, n, half / abs(cs), top, bot)
            quiet = (hi - lo) * 0.045
            a, b = center + sv * (lo - quiet), center + sv * (hi + quiet)
            return tuple((float(x), float(y)) for x, y in (a - n * top, b - n * top, b + n * bot, a + n * bot))
    lo, hi = _bar_run(gray, center, u, n, half, top, bot)  # a reader may report a part of the code's length
    quiet = (hi - lo) * 0.045  # Code128's quiet zone is 10 modules, ~4-5 % of a label code's length
    a = center + u * (lo - quiet)
    b = center + u * (hi + quiet)
    out = (a - n * top, b - n * top, b + n * bot, a + n * bot)
    return tuple((float(x), float(y)) for x, y in out)


def _bar_run(gray: np.ndarray, center: np.ndarray, u: np.ndarray, n: np.ndarray, half: float, top: float,
             bot: float) -> Tuple[float, float]:
    """The run of bars along ``u`` through ``center`` (from -``half`` to ``half`` at least): the bar edges
    are followed outward while the next edge comes within a few bar spacings (the quiet zone ends them)."""
    h, w = gray.shape[:2]
    reach = half + max(2.0 * half, 64.0)
    ts = np.arange(-reach, reach, 0.5 if half < 200 else 1.0)
    acc = np.zeros(len(ts), np.float32)
    for off in np.linspace(-0.6 * top, 0.6 * bot, 5):  # the mean over the bars' middle rows
        pts = center[None, :] + ts[:, None] * u[None, :] + off * n[None, :]
        acc += cv2.remap(gray, np.clip(pts[:, 0], 0, w - 1).astype(np.float32)[None, :],
                         np.clip(pts[:, 1], 0, h - 1).astype(np.float32)[None, :], cv2.INTER_LINEAR)[0]
    inside_img = (center[0] + ts * u[0] >= 0) & (center[0] + ts * u[0] < w) & \
                 (center[1] + ts * u[1] >= 0) & (center[1] + ts * u[1] < h)
    prof = acc / 5.0
    inner = np.abs(ts) <= half
    if inner.sum() < 16:
        return -half, half
    contrast = float(np.percentile(prof[inner], 90) - np.percentile(prof[inner], 10))
    if contrast < 16:
        return -half, half
    k = int(max(9, 0.25 * half / (ts[1] - ts[0]))) | 1  # the local paper/ink level: wider than any bar
    dark = (prof - cv2.blur(prof[None, :], (k, 1))[0]) < -0.15 * contrast
    e = np.nonzero(np.diff(dark.astype(np.int8)) & inside_img[1:])[0]
    if len(e) < 8:
        return -half, half
    edges = ts[1:][e]
    ins = edges[np.abs(edges) <= half]
    if len(ins) < 8:
        return -half, half
    # a code's widest element is 4 modules, its quiet zone at least 10: a run past 1.6x the widest inner one ends it
    gap = max(3.0, 1.6 * float(np.percentile(np.diff(ins), 95)) + 1.0)
    i0 = int(np.searchsorted(edges, ins[0]))
    i1 = int(np.searchsorted(edges, ins[-1]))
    while i0 > 0 and edges[i0] - edges[i0 - 1] <= gap:
        i0 -= 1
    while i1 < len(edges) - 1 and edges[i1 + 1] - edges[i1] <= gap:
        i1 += 1
    return min(-half, float(edges[i0])), max(half, float(edges[i1]))


def _seed_quad(gray: np.ndarray, c: np.ndarray, radius: int = 48) -> "np.ndarray | None":
    """A thin quad along the scan line through ``c``, spanning the run of bars around it."""
    h, w = gray.shape[:2]
    x0, y0 = int(max(0, c[0] - radius)), int(max(0, c[1] - radius))
    x1, y1 = int(min(w, c[0] + radius)), int(min(h, c[1] + radius))
    if x1 - x0 < 8 or y1 - y0 < 8:
        return None
    win = gray[y0:y1, x0:x1].astype(np.float32)
    gx = cv2.Sobel(win, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(win, cv2.CV_32F, 0, 1, ksize=3)
    ang = 0.5 * np.arctan2(2 * float((gx * gy).sum()), float((gx * gx).sum() - (gy * gy).sum()))
    u = np.array([np.cos(ang), np.sin(ang)])
    span = float(min(3000, max(h, w)))
    ts = np.arange(-span, span, 1.0)
    pts = c[None, :] + ts[:, None] * u[None, :]
    ok = (pts[:, 0] >= 0) & (pts[:, 0] < w - 1) & (pts[:, 1] >= 0) & (pts[:, 1] < h - 1)
    ts, pts = ts[ok], pts[ok]
    if len(ts) < 16:
        return None
    prof = cv2.remap(gray, pts[:, 0].astype(np.float32)[None, :], pts[:, 1].astype(np.float32)[None, :],
                     cv2.INTER_LINEAR)[0].astype(np.float32)
    local = cv2.blur(prof[None, :], (31, 1))[0]
    dark = prof < local - 8
    edges = ts[1:][np.diff(dark.astype(np.int8)) != 0]
    if len(edges) < 8:
        return None
    near = edges[np.argsort(np.abs(edges))[:12]]
    gap = max(4.0, float(np.median(np.diff(np.sort(near)))) * 4)
    i = int(np.argmin(np.abs(edges)))
    lo = hi = i
    while lo > 0 and edges[lo] - edges[lo - 1] <= gap:
        lo -= 1
    while hi < len(edges) - 1 and edges[hi + 1] - edges[hi] <= gap:
        hi += 1
    t0, t1 = float(edges[lo]), float(edges[hi])
    if t1 - t0 < 16:
        return None
    n = np.array([-u[1], u[0]])
    a, b = c + u * t0, c + u * t1
    return np.array([a - n, b - n, b + n, a + n])
