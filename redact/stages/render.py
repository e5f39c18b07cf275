"""Draw masks so that nothing under them depends on the original pixels.

Every style works in two steps, on a bounding-box crop around each group of overlapping masks:

1. **Destroy.** Every pixel inside (or touching) a mask polygon is zeroed in a working copy of the crop and
   given zero weight; what follows reads only that copy, the median colour of a ring of pixels just
   *outside every mask*, and a seeded random generator. From here on nothing holds information from under
   the mask.
2. **Look.** The requested style is computed from the destroyed copy, the ring colour and the seed only:

   - ``fill``: a solid colour (the ring's median, i.e. the label's paper colour);
   - ``noise``: random luminance noise around the ring colour;
   - ``pixelate``: a mosaic of random blocks around the colours of the surroundings;
   - ``blur``: a smooth field interpolated from the surroundings plus heavily blurred random texture.

   The look is blended in with a feather that lies entirely *outside* the polygon (alpha is 1 on every
   masked pixel), so the feather never brings an original masked pixel back; it only softens a few pixels
   of the surroundings.

Because step 2 only reads step 1's output, two images that differ only under the masks render to exactly
the same masked pixels for the same seed: blur and mosaic here are a look, not a transform of the secret,
so reconstruction attacks (Depix, Unredacter, HMM attacks on mosaic/blur) have nothing to invert.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass

import numpy as np

from ..concurrency import run_all
from ..types import Polygon, Style

log = logging.getLogger(__name__)

_SHIFT = 4  # fixed-point bits for sub-pixel polygon rasterisation
_FIELD_MAX_CELLS = 250_000  # the smooth surrounding field is never computed on more cells than this
_SPLIT_PX = 400_000  # a group crop this big shares its per-pixel blending with the pool's threads


@dataclass(frozen=True)
class _Group:
    """Masks whose neighbourhoods touch, rendered together from one crop."""

    x0: int
    y0: int
    x1: int
    y1: int
    members: tuple[int, ...]


def _cv2():
    import cv2  # local import: nothing heavy at import time

    return cv2


def _as_array(poly: Polygon) -> np.ndarray:
    a = np.asarray(poly, dtype=np.float64).reshape(-1, 2)
    if not np.all(np.isfinite(a)):
        raise ValueError("mask polygon has non-finite coordinates")
    return a


def _estimate_height(poly: np.ndarray) -> float:
    """Text height guess from the polygon: the short side of its minimum-area rectangle."""
    if len(poly) < 3:
        return 8.0
    (_, _), (w, h), _ = _cv2().minAreaRect(poly.astype(np.float32))
    short = float(min(w, h))
    return max(4.0, short / 1.5)  # masks are padded by ~25 % of text height on each side


def _short_side(polys: Sequence[np.ndarray]) -> float:
    """Median short side of the masks' minimum-area rectangles (px)."""
    cv2 = _cv2()
    sides = [min(cv2.minAreaRect(p.astype(np.float32))[1]) for p in polys if len(p) >= 3]
    return float(np.median(sides)) if sides else 1e9


def _feather_px(style: Style, h: float) -> float:
    if style is Style.FILL:
        return 1.5
    if style is Style.NOISE:
        return 1.0
    if style is Style.PIXELATE:
        return 1.0
    return float(min(10.0, max(2.0, 0.2 * h)))  # blur


def _fill_enclosed(m: np.ndarray, q: np.ndarray) -> None:
    """Mark every pixel the (possibly self-intersecting) polygon encloses or touches.

    ``cv2.fillPoly`` uses the even-odd rule, which leaves holes in self-intersecting or doubled-back
    polygons: there, draw the outline and flood the outside instead (4-connected, so an 8-connected
    outline cannot be crossed); everything the flood does not reach is inside.
    """
    cv2 = _cv2()
    h, w = m.shape
    pts = q.reshape(-1, 2)
    x0 = max(0, int(pts[:, 0].min()) >> _SHIFT) - 1
    y0 = max(0, int(pts[:, 1].min()) >> _SHIFT) - 1
    x1 = min(w, (int(pts[:, 0].max()) >> _SHIFT) + 2)
    y1 = min(h, (int(pts[:, 1].max()) >> _SHIFT) + 2)
    x0, y0 = max(0, x0), max(0, y0)
    if x1 <= x0 or y1 <= y0:
        return
    bw, bh = x1 - x0, y1 - y0
    canvas = np.zeros((bh + 2, bw + 2), np.uint8)  # one free pixel of border all round: the flood seed
    off = np.array([(x0 - 1) << _SHIFT, (y0 - 1) << _SHIFT], np.int32)
    qq = (q.reshape(-1, 2) - off).reshape(-1, 1, 2).astype(np.int32)
    cv2.polylines(canvas, [qq], True, 1, thickness=1, lineType=cv2.LINE_8, shift=_SHIFT)
    canvas[0, :] = 0
    canvas[-1, :] = 0
    canvas[:, 0] = 0
    canvas[:, -1] = 0
    flood = np.zeros((bh + 4, bw + 4), np.uint8)
    cv2.floodFill(canvas, flood, (0, 0), 2, flags=4)
    inside = (canvas[1:-1, 1:-1] != 2).astype(np.uint8)
    sub = m[y0:y1, x0:x1]
    np.maximum(sub, inside, out=sub)


def _rasterize(polys: Sequence[np.ndarray], x0: int, y0: int, h: int, w: int) -> np.ndarray:
    """uint8 mask (0/1) of every pixel whose square intersects one of the polygons (conservative)."""
    cv2 = _cv2()
    m = np.zeros((h, w), np.uint8)
    scale = float(1 << _SHIFT)
    lim = 1 << 26  # clamp far-away coordinates so the int32 fixed point cannot overflow
    for p in polys:
        q = np.clip(np.round((p - (x0, y0)) * scale), -lim, lim).astype(np.int32).reshape(-1, 1, 2)
        # one call per polygon: a single fillPoly over several polygons leaves their overlaps unfilled
        cv2.fillPoly(m, [q], 1, lineType=cv2.LINE_8, shift=_SHIFT)
        # a pentagram turns one way at every vertex, so "convex" is only trusted for quadrilaterals
        if len(q) > 4 or (len(q) == 4 and not cv2.isContourConvex(q)):
            _fill_enclosed(m, q)
    # pixel centres sit at integer coordinates: the filled set covers pixels whose centre lies inside.
    # Pixels the boundary merely crosses are destroyed too: grow by one pixel (cheap and conservative).
    return cv2.dilate(m, np.ones((3, 3), np.uint8))


def _groups(polys: Sequence[np.ndarray], margins: Sequence[int], width: int, height: int) -> list[_Group]:
    rects = []
    for i, (p, mg) in enumerate(zip(polys, margins)):
        if len(p) == 0:
            continue
        x0 = math.floor(p[:, 0].min()) - mg - 1
        y0 = math.floor(p[:, 1].min()) - mg - 1
        x1 = math.ceil(p[:, 0].max()) + mg + 2
        y1 = math.ceil(p[:, 1].max()) + mg + 2
        x0, y0 = max(0, x0), max(0, y0)
        x1, y1 = min(width, x1), min(height, y1)
        if x1 <= x0 or y1 <= y0:
            continue  # entirely outside the image
        rects.append([x0, y0, x1, y1, [i]])
    # merge until no two rectangles intersect (n is small: tens of masks)
    changed = True
    while changed:
        changed = False
        out: list[list] = []
        for r in rects:
            for o in out:
                if r[0] < o[2] and o[0] < r[2] and r[1] < o[3] and o[1] < r[3]:
                    o[0], o[1] = min(o[0], r[0]), min(o[1], r[1])
                    o[2], o[3] = max(o[2], r[2]), max(o[3], r[3])
                    o[4] = o[4] + r[4]
                    changed = True
                    break
            else:
                out.append(r)
        rects = out
    return [_Group(r[0], r[1], r[2], r[3], tuple(sorted(r[4]))) for r in rects]


def _ring_colour(crop: np.ndarray, ring: np.ndarray) -> np.ndarray:
    """Per-channel median colour of the ``ring`` pixels (uint8 0/1 mask lying outside every mask)."""
    cv2 = _cv2()
    if ring.size > 1 << 20:  # a big crop: every other pixel each way tells the median as well
        crop, ring = crop[::2, ::2], ring[::2, ::2]
    ys, xs = np.nonzero(ring)  # the ring is a thin band: gather its pixels rather than scan the crop
    total = len(ys)
    if total == 0:  # the masks cover the whole crop (and the image): nothing outside to borrow
        return np.array([128.0, 128.0, 128.0], np.float32)
    vals = crop[ys, xs]
    k = (total + 1) // 2 - 1  # the lower median: the first value with at least half the ring at or below it
    return np.array([float(np.partition(vals[:, c], k)[k]) for c in range(3)], np.float32)


def _smooth_field(work: np.ndarray, known: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Push-pull interpolation of the known (outside) pixels, at ``size`` = (w, h). float32 hxwx3.

    ``work`` is zero on every masked pixel and the weights are ``known`` (0 there), so the field under the
    masks is built from the surroundings alone.
    """
    cv2 = _cv2()
    h, w = known.shape
    cap = _FIELD_MAX_CELLS
    if size[0] * size[1] > cap:  # the field is smooth: compute it coarser, then upsample
        k = math.sqrt(cap / (size[0] * size[1]))
        coarse = (max(1, int(size[0] * k)), max(1, int(size[1] * k)))
        f = _smooth_field(work, known, coarse)
        return cv2.resize(f, size, interpolation=cv2.INTER_LINEAR).reshape(size[1], size[0], 3)
    if size != (w, h):
        src_v, src_w = work, known * np.uint8(255)
        k = int(min(w / size[0], h / size[1]) / 2)
        if k >= 2:  # most of the way by a whole factor first (OpenCV's fast area path: a third of the time)
            wk, hk = w // k, h // k
            src_v = cv2.resize(src_v[: hk * k, : wk * k], (wk, hk), interpolation=cv2.INTER_AREA)
            src_w = cv2.resize(src_w[: hk * k, : wk * k], (wk, hk), interpolation=cv2.INTER_AREA)
        val = cv2.resize(src_v, size, interpolation=cv2.INTER_AREA).astype(np.float32)
        wgt = cv2.resize(src_w, size, interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0
    else:
        val = work.astype(np.float32)
        wgt = known.astype(np.float32)
    val = val.reshape(wgt.shape[0], wgt.shape[1], 3)
    levels = [(val, wgt)]
    while max(levels[-1][1].shape) > 1:
        v, g = levels[-1]
        nh, nw = max(1, g.shape[0] // 2), max(1, g.shape[1] // 2)
        levels.append((cv2.resize(v, (nw, nh), interpolation=cv2.INTER_AREA).reshape(nh, nw, 3),
                       cv2.resize(g, (nw, nh), interpolation=cv2.INTER_AREA).reshape(nh, nw)))
    v, g = levels[-1]
    tot = float(g.sum())
    mean = v.reshape(-1, 3).sum(axis=0) / tot if tot > 1e-6 else np.array([128.0, 128.0, 128.0], np.float32)
    field = np.empty(v.shape, np.float32)
    field[...] = mean
    for v, g in reversed(levels):
        up = cv2.resize(field, (g.shape[1], g.shape[0]), interpolation=cv2.INTER_LINEAR).reshape(v.shape)
        a = np.clip(g * 4.0, 0.0, 1.0)[..., None]
        own = v / np.maximum(g, 1e-6)[..., None]
        field = a * own + (1.0 - a) * up
    return field


def _lum_noise(rng: np.random.Generator, h: int, w: int, sigma: float, chroma: float = 0.1) -> np.ndarray:
    """Mostly luminance noise (sits quietly on grey and coloured labels alike). float32 hxwx3."""
    n = rng.standard_normal((h, w, 1), dtype=np.float32) * sigma
    if chroma > 0:
        return n + rng.standard_normal((h, w, 3), dtype=np.float32) * (sigma * chroma)
    return np.repeat(n, 3, axis=2)


def _to_u8(a: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(a), 0, 255).astype(np.uint8)


def _look(style: Style, work: np.ndarray | None, known: np.ndarray, ring: np.ndarray, th: float,
          rng: np.random.Generator, short: float = 1e9) -> np.ndarray:
    """The style's look over the whole crop (uint8 hxwx3), from destroyed pixels, the ring and the seed."""
    cv2 = _cv2()
    h, w = known.shape
    if style is Style.FILL:
        out = np.empty((h, w, 3), np.uint8)
        out[...] = _to_u8(ring)
        return out
    if style is Style.NOISE:
        lum = rng.standard_normal((h, w), dtype=np.float32)
        lum *= 28.0
        out = np.empty((h, w, 3), np.uint8)
        for c in range(3):
            out[..., c] = _to_u8(lum + ring[c])
        return out
    if work is None:
        raise ValueError("pixelate and blur need the destroyed crop")
    if style is Style.PIXELATE:
        # blocks of about half the text height; at least ~3 blocks across the mask's short side
        b = int(max(4, min(48, round(0.45 * th), round(short / 3))))
        b = max(b, math.ceil(math.sqrt(h * w / _FIELD_MAX_CELLS)))  # huge groups: at most that many blocks
        bh, bw = -(-h // b), -(-w // b)
        field = _smooth_field(work, known, (bw, bh))
        small = 0.5 * field + 0.5 * ring + _lum_noise(rng, bh, bw, 18.0, chroma=0.06)
        big = cv2.resize(_to_u8(small), (bw * b, bh * b), interpolation=cv2.INTER_NEAREST)
        return np.ascontiguousarray(big[:h, :w])
    # BLUR: a smooth field from the surroundings plus blurred random texture, built at low resolution
    s = float(max(2.0, min(40.0, 0.35 * th)))
    cell = max(1.0, s / 2.0, math.sqrt(h * w / _FIELD_MAX_CELLS))  # huge groups: coarser texture grid
    lw, lh = max(2, math.ceil(w / cell)), max(2, math.ceil(h / cell))
    field = _smooth_field(work, known, (lw, lh))
    tex = _lum_noise(rng, lh, lw, 1.0, chroma=0.1)
    tex = cv2.GaussianBlur(tex, (0, 0), 1.2).reshape(lh, lw, 3)
    tex *= 8.0 / (float(tex.std()) or 1.0)
    small = 0.6 * field + 0.4 * ring + tex
    return cv2.resize(_to_u8(small), (w, h), interpolation=cv2.INTER_LINEAR).reshape(h, w, 3)


def _render_group(
    src: np.ndarray,
    out: np.ndarray,
    g: _Group,
    polys: Sequence[np.ndarray],
    heights: Sequence[float],
    style: Style,
    rng: np.random.Generator,
    split: Executor | None = None,
) -> None:
    """Render one group into ``out``. ``split``: threads to share the big per-pixel steps with."""
    cv2 = _cv2()
    x0, y0, x1, y1 = g.x0, g.y0, g.x1, g.y1
    h, w = y1 - y0, x1 - x0
    crop = src[y0:y1, x0:x1]
    inside = _rasterize(polys, x0, y0, h, w)  # groups are disjoint: these are all masks in the crop
    if not inside.any():
        return
    th = float(np.median(heights)) if len(heights) else 8.0
    ring_px = int(max(2, min(12, round(0.3 * th))))
    known = 1 - inside
    dist = cv2.distanceTransform(known, cv2.DIST_L2, 3)  # 0 on masked pixels, distance to them outside
    ring = _ring_colour(crop, cv2.inRange(dist, 0.5, float(ring_px)))  # outside (dist >= 1), near

    # ---- 1. destroy: `work` is the crop with every masked pixel set to 0 (the smooth field weights them
    # 0 as well). The look below is built from `work`, the ring colour and the seed only; `crop` is read
    # again only at feather pixels, which all lie outside the masks.
    work = cv2.bitwise_and(crop, crop, mask=known) if style in (Style.PIXELATE, Style.BLUR) else None

    # ---- 2. the look ---------------------------------------------------------------------------------
    look = _look(style, work, known, ring, th, rng, short=_short_side(polys))

    # ---- 3. alpha = 1 on every masked pixel, feather only outwards -----------------------------------
    region = out[y0:y1, x0:x1]
    fpx = _feather_px(style, th)

    def blend(rows: tuple[int, int]) -> None:
        r0, r1 = rows
        if fpx > 0:
            # one blend over the rows: weight 1 on masked pixels (dist 0), falling to 0 at fpx + 1 outside
            b = dist[r0:r1] * np.float32(1.0 / (fpx + 1.0))
            np.minimum(b, np.float32(1.0), out=b)  # the original's weight: 0 on masked pixels
            region[r0:r1] = cv2.blendLinear(look[r0:r1], crop[r0:r1], np.float32(1.0) - b, b)  # into `out`
        cv2.copyTo(look[r0:r1], inside[r0:r1], region[r0:r1])  # masked pixels are the look's, exactly

    if split is not None and h * w >= _SPLIT_PX:  # per pixel: two halves on two threads, the same pixels
        run_all(split, blend, [(0, h // 2), (h // 2, h)])
    else:
        blend((0, h))


def render(
    pixels: np.ndarray,
    masks: Sequence[Polygon],
    style: Style | str,
    *,
    text_heights: Sequence[float | None] | None = None,
    seed: int | None = None,
    pool: Executor | None = None,
) -> np.ndarray:
    """Return a new HxWx3 uint8 image with every mask polygon destroyed, then drawn in ``style``.

    ``pixels`` is never modified. ``text_heights[i]`` (px) sets the scale of mask ``i``'s look (mosaic
    block size, blur radius); when missing it is estimated from the polygon. ``seed`` makes the random
    parts reproducible (``None``: fresh randomness). ``pool``: threads to copy the image and render the
    groups of masks on (they are disjoint; the output is the same as without).
    """
    if pixels.ndim != 3 or pixels.shape[2] != 3 or pixels.dtype != np.uint8:
        raise ValueError("render expects an HxWx3 uint8 RGB array")
    style = Style(style)
    if pool is None or pixels.shape[0] < 2:
        out = pixels.copy()
    else:  # a 12 MP copy is ~10-25 ms (fresh pages): in two halves, the other on the pool's thread
        out = np.empty_like(pixels)
        cut = pixels.shape[0] // 2
        run_all(pool, lambda r: np.copyto(out[r[0]:r[1]], pixels[r[0]:r[1]]), [(0, cut), (cut, pixels.shape[0])])
    if not masks:
        return out
    H, W = pixels.shape[:2]
    polys = [_as_array(p) for p in masks]
    heights: list[float] = []
    for i, p in enumerate(polys):
        t = None
        if text_heights is not None and i < len(text_heights):
            t = text_heights[i]
        heights.append(float(t) if t and t > 0 else _estimate_height(p))
    margins = [math.ceil(max(2, min(12, 0.3 * t)) + _feather_px(style, t) + 3) for t in heights]
    rng = np.random.default_rng(None if seed is None else int(seed) % (2**63))
    jobs = []
    for g in _groups(polys, margins, W, H):
        gp = [polys[i] for i in g.members if len(polys[i]) >= 1]  # lines and points: their pixels
        if not gp:
            continue
        # each group gets its own stream, so adding a far-away mask does not change this group's look
        key = int(rng.integers(0, 2**63 - 1)) if seed is None else int(seed) % (2**63)
        jobs.append((g, gp, [heights[i] for i in g.members], np.random.default_rng([key, g.x0, g.y0])))

    def one(job) -> None:
        g, gp, hs, grng, split = job
        _render_group(pixels, out, g, gp, hs, style, grng, split)

    # groups are disjoint rectangles: each reads its own crop of `pixels` and writes its own of `out`. The
    # biggest is rendered in this thread (sharing its per-pixel steps with the pool), the others on the pool.
    jobs.sort(key=lambda j: -(j[0].x1 - j[0].x0) * (j[0].y1 - j[0].y0))
    run_all(pool, one, [(*j, pool if i == 0 else None) for i, j in enumerate(jobs)])
    return out
