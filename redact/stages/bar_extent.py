"""A 1-D code's whole extent from its bars, at any tilt (read_symbols' widening searches along the axes of
the view the code was found on: on a tilted or curved label a code found by its look, or decoded on a view
whose frame is not the code's own, comes back as a quad turned against its bars, and the bars' ends stay
outside the mask).

``bar_extent(gray, quad)`` looks around ``quad`` for pixels whose local gradients all point one way (the
structure tensor's coherence), in the direction the bars inside ``quad`` share, and returns the quad's
hull with the minimum-area box of those bar pixels that touch it. The result only ever grows the quad, and
only as far as the bars go: a quad with no coherent bars in it comes back unchanged.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Sequence, Tuple

import cv2
import numpy as np

from ..engines.symbols import is_two_d

if TYPE_CHECKING:
    from ..types import Symbol

Polygon = Tuple[Tuple[float, float], ...]

MARGIN = 0.6  # the search window: the quad grown by this share of its long side on every side
MAX_SIDE = 700  # the window is searched at most this large (px), downscaled beyond
COHERENCE = 0.75  # a bar pixel's local gradients agree at least this much (text strokes: ~0.3-0.6)
ANGLE_TOL = np.radians(10.0)  # ... and point within this of the bars' shared direction
MAX_GROWTH = 4.0  # the grown quad may be at most this many times the quad's area (else: not the same code)


def _quad(poly: Sequence[Sequence[float]]) -> np.ndarray:
    return np.asarray(poly, np.float64).reshape(-1, 2)


def bar_extent(gray: np.ndarray, quad: Sequence[Sequence[float]]) -> Polygon:
    """``quad`` (photo px of ``gray``, a grey uint8 image) grown to the bars of the 1-D code it lies on."""
    q = _quad(quad)
    keep = tuple((float(x), float(y)) for x, y in q)
    if gray.ndim != 2 or len(q) < 3:
        return keep
    area = float(cv2.contourArea(q.astype(np.float32)))
    if area < 16.0:
        return keep
    H, W = gray.shape
    span = float(np.ptp(q, axis=0).max())
    m = MARGIN * span
    x0, y0 = (int(max(0, np.floor(v - m))) for v in q.min(axis=0))
    x1 = int(min(W, np.ceil(q[:, 0].max() + m)))
    y1 = int(min(H, np.ceil(q[:, 1].max() + m)))
    if x1 - x0 < 8 or y1 - y0 < 8:
        return keep
    k = min(1.0, MAX_SIDE / max(x1 - x0, y1 - y0))
    win = gray[y0:y1, x0:x1].astype(np.float32)
    if k < 1.0:
        win = cv2.resize(win, (max(8, int((x1 - x0) * k)), max(8, int((y1 - y0) * k))), interpolation=cv2.INTER_AREA)
    gx = cv2.Sobel(win, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(win, cv2.CV_32F, 0, 1, ksize=3)
    # the tensor's window: a few bars wide (a code's bars are finer than its quad's short side / 8)
    side = float(min(np.linalg.norm(q[1] - q[0]), np.linalg.norm(q[2] - q[1]))) * k
    w = int(max(5, min(31, side / 4))) | 1
    jxx = cv2.boxFilter(gx * gx, -1, (w, w))
    jyy = cv2.boxFilter(gy * gy, -1, (w, w))
    jxy = cv2.boxFilter(gx * gy, -1, (w, w))
    energy = jxx + jyy
    coh = np.sqrt((jxx - jyy) ** 2 + 4 * jxy**2) / (energy + 1e-6)
    ang2 = np.arctan2(2 * jxy, jxx - jyy)  # twice the gradient direction (bars' normal), in (-pi, pi]
    inside = np.zeros(win.shape, np.uint8)
    cv2.fillPoly(inside, [np.round((q - [x0, y0]) * k).astype(np.int32)], 1)
    sel = inside.astype(bool) & (coh > COHERENCE)
    if int(sel.sum()) < 0.2 * int(inside.sum()) or not sel.any():
        return keep  # no bars in the quad: nothing to follow
    wts = energy[sel]
    mean2 = np.arctan2(float((np.sin(ang2[sel]) * wts).sum()), float((np.cos(ang2[sel]) * wts).sum()))
    e_ref = float(np.median(energy[sel]))
    d = np.abs(np.angle(np.exp(1j * (ang2 - mean2)))) / 2.0
    bars = ((coh > COHERENCE) & (d < ANGLE_TOL) & (energy > 0.15 * e_ref)).astype(np.uint8)
    # join bars across their gaps (along the normal) and keep what touches the quad
    bars = cv2.morphologyEx(bars, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (w, w)))
    n, lab = cv2.connectedComponents(bars, connectivity=8)
    hit = np.unique(lab[(inside > 0) & (bars > 0)])
    hit = hit[hit > 0]
    if hit.size == 0:
        return keep
    ys, xs = np.nonzero(np.isin(lab, hit))
    pts = np.stack([xs, ys], axis=1).astype(np.float32) / k + np.float32([x0, y0])
    box = cv2.boxPoints(cv2.minAreaRect(pts))
    hull = cv2.convexHull(np.concatenate([q.astype(np.float32), box.astype(np.float32)]))[:, 0, :]
    grown = cv2.minAreaRect(hull)
    out = cv2.boxPoints(grown)
    if float(cv2.contourArea(out)) > MAX_GROWTH * area:
        return keep
    return tuple((float(x), float(y)) for x, y in out)


def grow_bars(gray: np.ndarray, symbols: Sequence["Symbol"]) -> list:
    """Every 1-D symbol's polygon grown to its bars (``bar_extent``); 2-D symbols as they are."""
    return [s if is_two_d(s.format) else replace(s, polygon=bar_extent(gray, s.polygon)) for s in symbols]
