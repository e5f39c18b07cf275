"""Plan masks: field spans and symbols -> padded photo-coordinate polygons, one shape per field where the
pieces touch.

Padding is proportional to the text height, so ascenders, descenders and box edges do not leak. The pieces of
one field on one label (e.g. the lines of a wrapped address) merge into one shape when they are adjacent, so
no visible gaps are left between words or lines.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np

from ..geometry import span_polygon
from ..types import Category, Field, Mask, Polygon, Symbol, TextLine, as_polygon


LINE_END_SLACK = 0.6  # text heights a line-end field is extended past its detected box


def _line_quad(line: TextLine) -> np.ndarray:
    return np.asarray(line.polygon, float)


def span_to_polygon(line: TextLine, start: int, end: int) -> Polygon:
    """The photo polygon covering characters [start, end) of ``line``."""
    q = _line_quad(line)
    n = len(line.text)
    start, end = max(0, start), min(n, end)
    if end <= start:
        return ()
    xs = []
    for w in line.words:
        if w.start < end and w.end > start:
            xs.append(w)
    if not xs:
        return span_polygon(q, start / max(1, n), end / max(1, n))
    tl, tr = q[0], q[1]
    length = float(np.linalg.norm(tr - tl)) or 1.0
    u = (tr - tl) / length

    def frac(p) -> float:
        return float(np.dot(np.asarray(p) - tl, u)) / length

    f0 = min(frac(w.polygon[0]) for w in xs)
    f1 = max(frac(w.polygon[1]) for w in xs)
    # half a character of slack on both sides, within the line
    nchar = max(1, end - start)
    slack = (f1 - f0) / nchar * 0.35
    # a field at either end of its line runs past the detected box by LINE_END_SLACK text heights: on a bent
    # (curved, crumpled) label the straight box cuts the line's last characters off
    ext = LINE_END_SLACK * line.height / length
    a = -ext if start == 0 else max(0.0, f0 - slack)
    b = 1.0 + ext if end >= n else min(1.0, f1 + slack)
    return span_polygon(q, a, b)


def pad_polygon(poly: Polygon, pad: float) -> np.ndarray:
    """Grow a convex quad outwards by ``pad`` px on every side."""
    p = np.asarray(poly, float)
    c = p.mean(axis=0)
    if len(p) == 4:
        u = p[1] - p[0]
        u /= np.linalg.norm(u) + 1e-9
        v = p[3] - p[0]
        v /= np.linalg.norm(v) + 1e-9
        sx = np.array([-1, 1, 1, -1])[:, None]
        sy = np.array([-1, -1, 1, 1])[:, None]
        return p + pad * (sx * u[None, :] + sy * v[None, :])
    # generic: push every vertex away from the centroid
    d = p - c
    nrm = np.linalg.norm(d, axis=1, keepdims=True) + 1e-9
    return p + d / nrm * pad * 1.41


INK_SEARCH = 0.8  # text heights searched above and below a line's box for the rest of its glyphs
INK_MARGIN = 0.08  # text heights of margin beyond the last inked row


def _ink_band(gray: np.ndarray, quad, height: float):
    """(ink map of the line's band, box rows r0:r1, px per band row) or None: the box and ``INK_SEARCH`` text
    heights on either side, warped upright, ink found with a threshold of the box itself (dark print, or light
    print on a dark ground)."""
    q = np.asarray(quad, float)
    if q.shape != (4, 2) or not np.isfinite(q).all():
        return None
    tl, tr, _, bl = q
    W = float(np.linalg.norm(tr - tl))
    H = float(np.linalg.norm(bl - tl))
    if W < 2 or H < 2:
        return None
    v = (bl - tl) / H
    ext = INK_SEARCH * H
    k = min(1.0, 32.0 / H)
    wo, ho = max(8, round(W * k)), max(8, round((H + 2 * ext) * k))
    src = np.float32([tl - v * ext, tr - v * ext, bl + v * ext])
    M = cv2.getAffineTransform(np.float32([[0, 0], [wo, 0], [0, ho]]), src)
    band = cv2.warpAffine(gray, M, (wo, ho), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                          borderMode=cv2.BORDER_REPLICATE)
    if band.ndim == 3:  # the photo itself: only the band is turned grey
        band = cv2.cvtColor(band, cv2.COLOR_RGB2GRAY)
    r0 = round(ext * k)
    r1 = max(r0 + 1, min(ho, round((ext + H) * k)))
    core = band[r0:r1]
    if core.size == 0 or int(core.max()) - int(core.min()) < 40:
        return None
    t, _ = cv2.threshold(np.ascontiguousarray(core), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    ink = band < t
    if ink[r0:r1].mean() > 0.55:  # light print on a dark ground
        ink = band > t
    return ink, r0, r1, k


def _reach(ink: np.ndarray, r0: int, r1: int, k: float) -> Tuple[float, float]:
    """Rows of ink above r0 and below r1 up to the first empty row (px); no empty row within reach: 0."""
    prof = ink.mean(axis=1)
    empty = 0.01

    def run(rows) -> float:
        for n, r in enumerate(rows):
            if prof[r] <= empty:
                return n / k
        return 0.0  # no gap within reach (touching lines, a textured ground): the plain padding

    return run(range(r0 - 1, -1, -1)), run(range(r1, ink.shape[0]))


def ink_extent(gray: np.ndarray, quad, height: float) -> Tuple[float, float]:
    """How far (px) the line's ink reaches above and below its box: the glyphs' own extent, followed row by
    row outwards from the box until the first empty row (the gap between two lines). Where no gap is found
    (touching lines, a textured ground), nothing beyond the plain padding."""
    b = _ink_band(gray, quad, height)
    return (0.0, 0.0) if b is None else _reach(*b)


def ink_extent_ends(gray: np.ndarray, quad, height: float) -> Tuple[Tuple[float, float], Tuple[float, float]]:
    """``ink_extent`` at the line's start and at its end ((up, down) each): on a tilted or bent line the ink
    leaves the straight box on one side more than on the other. Each end takes the larger of its own half's
    reach and the whole line's."""
    b = _ink_band(gray, quad, height)
    if b is None:
        return (0.0, 0.0), (0.0, 0.0)
    ink, r0, r1, k = b
    whole = _reach(ink, r0, r1, k)
    half = max(1, ink.shape[1] // 2)
    left = _reach(ink[:, :half], r0, r1, k)
    right = _reach(ink[:, half:], r0, r1, k) if ink.shape[1] > half else whole
    return ((max(whole[0], left[0]), max(whole[1], left[1])), (max(whole[0], right[0]), max(whole[1], right[1])))


def pad_sides(poly: Polygon, pad, top, bottom) -> np.ndarray:
    """Grow a quad (tl, tr, br, bl) by ``pad`` px along the line (a number, or a (left, right) pair) and
    ``top``/``bottom`` px across it (a number, or a (start, end) pair for the line's two ends)."""
    p = np.asarray(poly, float)
    u = p[1] - p[0]
    u /= np.linalg.norm(u) + 1e-9
    v = p[3] - p[0]
    v /= np.linalg.norm(v) + 1e-9
    t0, t1 = (top, top) if np.isscalar(top) else top
    b0, b1 = (bottom, bottom) if np.isscalar(bottom) else bottom
    left, right = (pad, pad) if np.isscalar(pad) else pad
    sx = np.array([-left, right, right, -left])[:, None]
    sy = np.array([-t0, -t1, b1, b0])[:, None]
    return p + sx * u[None, :] + sy * v[None, :]


def _symbol_piece(poly: Polygon, pad: float, kept: Sequence[np.ndarray]) -> np.ndarray:
    """A symbol's padded quad, its quiet-zone padding taken back on a side that faces the text of a field
    the policy keeps (``--keep tracking_number``: the number printed under its barcode stays readable).
    Only the padding: the symbol's own polygon stays masked whole, so no bar is uncovered; text printed
    inside it stays under the mask (keeping a value never un-masks a symbol)."""
    if len(poly) != 4 or not kept:
        return pad_polygon(poly, pad)
    p = np.asarray(poly, float)
    padded = pad_polygon(poly, pad)
    lo, hi = padded.min(axis=0), padded.max(axis=0)
    u = p[1] - p[0]
    u /= np.linalg.norm(u) + 1e-9
    v = p[3] - p[0]
    v /= np.linalg.norm(v) + 1e-9
    pads = [pad, pad, pad, pad]  # top, right, bottom, left
    for q in kept:
        if (q.max(axis=0) < lo).any() or (q.min(axis=0) > hi).any():
            continue  # not under the padded quad
        for side, (n, edge) in enumerate(((-v, p[[0, 1]]), (u, p[[1, 2]]), (v, p[[2, 3]]), (-u, p[[3, 0]]))):
            gap = float((q @ n).min() - (edge @ n).max())  # from the symbol's edge out to the text
            if gap > -0.5 * float(np.ptp(q @ n)):  # the text lies beyond this side (mostly)
                pads[side] = min(pads[side], max(0.0, gap - 1.0))
    top, right, bottom, left = pads
    return pad_sides(poly, (left, right), top, bottom)


def field_polygons(field: Field, lines: Sequence[TextLine], symbols: Sequence[Symbol]) -> Tuple[Polygon, ...]:
    if not field.spans and not field.symbols:  # an area field (a label's print area): its own polygons
        return tuple(field.polygons)
    polys: List[Polygon] = []
    for sp in field.spans:
        if 0 <= sp.line < len(lines):
            p = span_to_polygon(lines[sp.line], sp.start, sp.end)
            if p:
                polys.append(p)
    for si in field.symbols:
        if 0 <= si < len(symbols):
            polys.append(symbols[si].polygon)
    return tuple(polys)


def _hull(polys: Sequence[np.ndarray]) -> np.ndarray:
    pts = np.concatenate(polys, axis=0).astype(np.float32)
    return cv2.convexHull(pts)[:, 0, :].astype(float)


def _adjacent(a: np.ndarray, b: np.ndarray, gap: float) -> bool:
    ax0, ay0 = a.min(axis=0)
    ax1, ay1 = a.max(axis=0)
    bx0, by0 = b.min(axis=0)
    bx1, by1 = b.max(axis=0)
    dx = max(0.0, max(ax0, bx0) - min(ax1, bx1))
    dy = max(0.0, max(ay0, by0) - min(ay1, by1))
    return dx <= gap and dy <= gap


def plan(fields: Sequence[Field], selected: Sequence[int], lines: Sequence[TextLine], symbols: Sequence[Symbol],
         pad_ratio: float, quiet_zone: float, pixels: Optional[np.ndarray] = None) -> List[Mask]:
    """Padded mask polygons for the selected fields (indices into ``fields``). With the photo's ``pixels``, a
    text mask also reaches as far above and below its line as the line's own ink does (``ink_extent``): the
    tops and bottoms of glyphs outside the detector's box are covered too."""
    masks: List[Mask] = []
    chosen = set(selected)
    # text of the personal fields the policy keeps: a symbol's quiet zone must not cover it
    kept = [_line_quad(lines[sp.line]) for i, f in enumerate(fields) if f.sensitive and i not in chosen
            for sp in f.spans if 0 <= sp.line < len(lines)]
    gray = pixels if pixels is not None and pixels.ndim in (2, 3) and pixels.size else None
    for fi in selected:
        f = fields[fi]
        pieces: List[Tuple[np.ndarray, int]] = []  # (padded polygon, label index or -1 for symbols)
        for sp in f.spans:
            if not (0 <= sp.line < len(lines)):
                continue
            ln = lines[sp.line]
            p = span_to_polygon(ln, sp.start, sp.end)
            if not p:
                continue
            pad = pad_ratio * max(4.0, ln.height)
            if gray is not None and len(p) == 4:
                (u0, d0), (u1, d1) = ink_extent_ends(gray, p, float(ln.height))
                m = INK_MARGIN * float(ln.height)
                poly = pad_sides(p, pad, (max(pad, u0 + m), max(pad, u1 + m)), (max(pad, d0 + m), max(pad, d1 + m)))
            else:
                poly = pad_polygon(p, pad)
            pieces.append((poly, ln.label_index))
        for si in f.symbols:
            if not (0 <= si < len(symbols)):
                continue
            s = np.asarray(symbols[si].polygon, float)
            side = min(np.linalg.norm(s[1] - s[0]), np.linalg.norm(s[3] - s[0])) if len(s) == 4 else 20.0
            pieces.append((_symbol_piece(symbols[si].polygon, max(3.0, quiet_zone * side), kept), -1))
        if not f.spans and not f.symbols:  # an area field: its polygons as they are (padded already)
            pieces += [(np.asarray(p, float), -1) for p in f.polygons if len(p) >= 3]
        # merge adjacent pieces of the same label into one shape
        groups: Dict[int, List[List[np.ndarray]]] = {}
        for poly, lab in pieces:
            gl = groups.setdefault(lab, [])
            h = float(np.linalg.norm(poly[3] - poly[0])) if len(poly) == 4 else 10.0
            for g in gl:
                if lab >= 0 and any(_adjacent(poly, o, h * 0.6) for o in g):
                    g.append(poly)
                    break
            else:
                gl.append([poly])
        for lab, gl in groups.items():
            for g in gl:
                shape = _hull(g) if len(g) > 1 else g[0]
                masks.append(Mask(polygon=as_polygon(shape), fields=(fi,), category=f.category))
    return masks


def user_masks(polygons: Sequence[Sequence[Sequence[float]]]) -> List[Mask]:
    return [Mask(polygon=as_polygon(p), fields=(), category=Category.OTHER, source="user") for p in polygons if len(p) >= 3]


def mask_text_height(m: Mask, fields: Sequence[Field], lines: Sequence[TextLine]) -> float:
    """The text height a mask's look is scaled to: the median height of its fields' lines, else a third of
    its polygon's smaller extent (at least 6 px)."""
    hs = []
    for fi in m.fields:
        for sp in fields[fi].spans:
            if 0 <= sp.line < len(lines):
                hs.append(lines[sp.line].height)
    if hs:
        return float(np.median(hs))
    p = np.asarray(m.polygon, float)
    return float(max(6.0, min(np.ptp(p[:, 0]), np.ptp(p[:, 1])) / 3))


PROPOSAL_TOL = 0.0501  # px: a report gives polygons to 0.1 px


def kept_proposals(users: Sequence[Mask], proposed: Sequence[Mask]) -> List[Mask]:
    """User masks, each one that repeats a proposed mask (to the report's 0.1 px) replaced by that proposal:
    rendering the masks ``analyze`` proposed, as they came back, gives exactly ``redact``'s output (its
    fields' text heights set the look, and the self-check knows their values)."""
    out: List[Mask] = []
    used: set = set()
    for u in users:
        q = np.asarray(u.polygon, float)
        same = [i for i, m in enumerate(proposed) if len(m.polygon) == len(q)
                and float(np.abs(np.asarray(m.polygon, float) - q).max()) <= PROPOSAL_TOL]
        # masks of several fields may share one outline (a code and the number it carries): each in turn
        free = [i for i in same if i not in used]
        pick = free[0] if free else (same[0] if same else None)
        if pick is not None:
            used.add(pick)
        out.append(proposed[pick] if pick is not None else u)
    return out
