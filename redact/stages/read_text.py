"""Read each region: upright line crops cut from the full-resolution photo, orientation, recognition,
character polygons; symbols on upright region crops and on the whole photo.

Every polygon is produced in photo coordinates exactly once, from the line's quad in reading order
(top-left, top-right, bottom-right, bottom-left of the upright text).
"""

from __future__ import annotations

import logging
from concurrent.futures import Executor
from typing import Callable, Dict, List, NamedTuple, Optional, Sequence, Tuple

import cv2
import numpy as np

from ..concurrency import run_all
from .locate import Region, box_geometry, overlap_groups, resize_long
from ..engines.base import RecResult, TextEngine
from .read_symbols import (LOOK, LOOK_2D, LookPrep, RawSymbol, SymbolEngine, bar_fields, find_by_look, inside_share,
                      is_two_d, look_prep, module_fields, quad_iou, widen_linear)
from ..types import Label, Polygon, Symbol, TextLine, Word, as_polygon

log = logging.getLogger(__name__)

REC_H = 48  # the recogniser's input height
ILLEGIBLE = "\u25a1"  # the text of a line that was detected but not read


def reading_quad(q: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Re-order a box's corners so that its top edge runs along reading direction ``d``."""
    u, long_, short = box_geometry(q)
    e1 = q[1] - q[0]
    e2 = q[3] - q[0]
    # pick the box edge most aligned with d as the reading axis
    a1 = abs(float(np.dot(e1, d))) / (np.linalg.norm(e1) + 1e-9)
    a2 = abs(float(np.dot(e2, d))) / (np.linalg.norm(e2) + 1e-9)
    e = e1 if a1 >= a2 else e2
    f = e2 if a1 >= a2 else e1
    if np.dot(e, d) < 0:
        e = -e
    el, fl = np.linalg.norm(e), np.linalg.norm(f)
    ue = e / (el + 1e-9)
    n = np.array([-ue[1], ue[0]])  # "down" for upright text (image y grows downwards)
    c = q.mean(axis=0)
    a, b = el / 2, fl / 2
    return np.array([c - a * ue - b * n, c + a * ue - b * n, c + a * ue + b * n, c - a * ue + b * n])


def flip(quad: np.ndarray) -> np.ndarray:
    return quad[[2, 3, 0, 1]]


def crop_quad(pixels: np.ndarray, quad: np.ndarray, target_h: int = REC_H) -> np.ndarray:
    """Warp a reading-order quad from the full-resolution photo to an upright crop ``target_h`` px high."""
    top = float(np.linalg.norm(quad[1] - quad[0]))
    side = float(np.linalg.norm(quad[3] - quad[0]))
    side = max(side, 1.0)
    H = int(np.clip(round(side), 16, 96)) if side < target_h else target_h
    W = max(8, int(round(top * H / side)))
    f = side / H
    src = quad.astype(np.float32)
    img = pixels
    if f > 1.6:  # area-downscale a local window first, so the warp does not alias
        x0, y0 = np.floor(src.min(axis=0)).astype(int) - 2
        x1, y1 = np.ceil(src.max(axis=0)).astype(int) + 2
        x0, y0 = max(0, x0), max(0, y0)
        x1, y1 = min(pixels.shape[1], x1), min(pixels.shape[0], y1)
        if x1 - x0 < 2 or y1 - y0 < 2:
            return np.zeros((H, W, 3), np.uint8)
        win = pixels[y0:y1, x0:x1]
        k = 1.0 / (f / 1.2)
        img = cv2.resize(win, (max(1, int((x1 - x0) * k)), max(1, int((y1 - y0) * k))), interpolation=cv2.INTER_AREA)
        src = (src - np.array([x0, y0], np.float32)) * k
    dst = np.array([[0, 0], [W, 0], [W, H], [0, H]], np.float32)
    M = cv2.getPerspectiveTransform(src, dst)
    return cv2.warpPerspective(img, M, (W, H), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def lerp(a: np.ndarray, b: np.ndarray, t: float) -> np.ndarray:
    return a + (b - a) * t


def span_polygon(quad: np.ndarray, x0: float, x1: float) -> Polygon:
    tl, tr, br, bl = quad
    return as_polygon([lerp(tl, tr, x0), lerp(tl, tr, x1), lerp(bl, br, x1), lerp(bl, br, x0)])


def char_fractions(res: RecResult) -> List[Tuple[float, float]]:
    n = len(res.text)
    if res.char_spans and len(res.char_spans) == n:
        return list(res.char_spans)
    # proportional fallback: CJK characters are about twice as wide as Latin ones
    w = [1.0 if ord(c) > 0x2E80 else (0.35 if c.isspace() else 0.55) for c in res.text]
    tot = sum(w) or 1.0
    out, acc = [], 0.0
    for wi in w:
        out.append((acc / tot, (acc + wi) / tot))
        acc += wi
    return out


class Reader:
    def __init__(self, engine: TextEngine):
        self.engine = engine

    def orient(self, pixels: np.ndarray,
               region: Region) -> Tuple[np.ndarray, List[np.ndarray], Dict[int, np.ndarray]]:
        """Settle 0 vs 180 for a region with the line classifier (weighted vote over its longest lines).
        Returns the direction, the reading quads, and the classifier's line crops by index when the
        direction stands (recognition reuses them)."""
        d = region.direction
        quads = [reading_quad(b, d) for b in region.boxes]
        cls = getattr(self.engine, "upside_down", None)
        if cls is None or not quads:
            return d, quads, {}
        lengths = [float(np.linalg.norm(q[1] - q[0])) for q in quads]
        order = np.argsort(lengths)[::-1][:16]
        crops = [crop_quad(pixels, quads[i]) for i in order]
        votes = cls(crops)
        score = 0.0
        for (up, conf), i in zip(votes, order):
            elong = lengths[i] / max(1.0, float(np.linalg.norm(quads[i][3] - quads[i][0])))
            wgt = conf * min(elong, 6.0)
            score += wgt if up else -wgt
        if score > 0:
            return -d, [flip(q) for q in quads], {}
        return d, quads, dict(zip((int(i) for i in order), crops))

    def read_region(self, pixels: np.ndarray, region: Region, label_index: int,
                    on_label: Optional[Callable[[Label], None]] = None) -> Tuple[Label, List[TextLine]]:
        """``on_label`` is called with the label as soon as its geometry is known, before recognition
        (the pipeline starts the label's symbol search then, beside the OCR)."""
        d, quads, done = self.orient(pixels, region)
        n = np.array([-d[1], d[0]])
        pts = np.concatenate(quads, axis=0) if quads else np.zeros((1, 2))
        proj_u = pts @ d
        proj_n = pts @ n
        origin = d * proj_u.min() + n * proj_n.min()
        # photo -> upright frame: p' = R (p - origin); R rows are d and n
        R = np.stack([d, n])
        to_up = np.eye(3)
        to_up[:2, :2] = R
        to_up[:2, 2] = -R @ origin
        to_photo = np.linalg.inv(to_up)
        w = float(proj_u.max() - proj_u.min())
        h = float(proj_n.max() - proj_n.min())
        corners = np.array([[0, 0], [w, 0], [w, h], [0, h]], float)
        quad_photo = (to_photo[:2, :2] @ corners.T).T + to_photo[:2, 2]
        ang = (np.degrees(np.arctan2(d[1], d[0])) + 360) % 360
        label = Label(
            quad=as_polygon(quad_photo),
            to_photo=to_photo,
            crop_size=(int(round(w)), int(round(h))),
            rotation=int(round(ang / 90.0)) % 4 * 90,
            score=float(np.mean(region.scores)) if region.scores else 0.0,
        )
        if on_label is not None:
            on_label(label)
        crops = [done[i] if i in done else crop_quad(pixels, q) for i, q in enumerate(quads)]
        results = self.engine.recognize(crops)
        lines: List[TextLine] = []
        for q, res, det_s in zip(quads, results, region.scores):
            if not res.text.strip():
                # detected but nothing recognised: keep it as an illegible line (the pipeline masks such
                # lines where personal fields stand, rather than let them slip)
                res = RecResult(text=ILLEGIBLE, score=0.0, char_spans=((0.0, 1.0),), char_scores=(0.0,))
            fr = char_fractions(res)
            words = tuple(
                Word(text=ch, start=i, end=i + 1, polygon=span_polygon(q, a, b))
                for i, (ch, (a, b)) in enumerate(zip(res.text, fr))
                if not ch.isspace()
            )
            up = (R @ (q - origin).T).T
            lines.append(
                TextLine(
                    text=res.text,
                    polygon=as_polygon(q),
                    score=float(res.score),
                    words=words,
                    upright=as_polygon(up),
                    label_index=label_index,
                    char_scores=tuple(res.char_scores),
                )
            )
        # reading order: top to bottom, left to right in the upright frame
        lines.sort(key=lambda ln: (round(min(p[1] for p in ln.upright) / max(4.0, ln.height * 0.6)),
                                   min(p[0] for p in ln.upright)))
        return label, lines


def upright_region_view(pixels: np.ndarray, label: Label, margin: float, max_side: int) -> Tuple[np.ndarray, np.ndarray]:
    """The label's upright frame rendered from the photo (with margin), and the 3x3 view->photo map."""
    w, h = label.crop_size
    m = margin
    W, H = w + 2 * m, h + 2 * m
    s = min(1.0, max_side / max(W, H, 1))
    # view pixel (x, y) -> upright (x/s - m, y/s - m) -> photo via to_photo
    S = np.array([[1 / s, 0, -m], [0, 1 / s, -m], [0, 0, 1]], float)
    view_to_photo = label.to_photo @ S
    photo_to_view = np.linalg.inv(view_to_photo)
    out = cv2.warpPerspective(pixels, photo_to_view, (max(1, int(W * s)), max(1, int(H * s))),
                              flags=cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                              borderValue=(255, 255, 255))
    return out, view_to_photo


def map_points(M: np.ndarray, pts) -> np.ndarray:
    p = np.asarray(pts, float)
    hom = np.concatenate([p, np.ones((len(p), 1))], axis=1) @ M.T
    return hom[:, :2] / hom[:, 2:3]


Found = List[Tuple[RawSymbol, np.ndarray]]  # (raw symbol, quad in photo coordinates)


class View(NamedTuple):
    gray: np.ndarray  # the upright label view, grey
    to_photo: np.ndarray  # 3x3 view -> photo map
    text_height: float  # in view px
    look: Optional[LookPrep] = None  # the look search's exclusion-free part, when made beside the OCR


def label_view(pixels: np.ndarray, lab: Label, height: float) -> View:
    """The label's upright grey view with a margin (codes often stand beside the text), at most 2000 px.
    ``pixels``: the photo, RGB or already grey (a third of the warping)."""
    th = height * 0.6  # det boxes are ~1.6x the text height
    margin = int(max(20, th * 6, 0.2 * max(lab.crop_size)))
    view, v2p = upright_region_view(pixels, lab, margin, 2000)
    gray = cv2.cvtColor(view, cv2.COLOR_RGB2GRAY) if view.ndim == 3 else view
    return View(gray, v2p, th * (gray.shape[1] / max(1.0, lab.crop_size[0] + 2 * margin)))


def decode_label(engine: SymbolEngine, pixels: np.ndarray, lab: Label, height: float,
                 look: bool = False) -> Tuple[Found, View]:
    """Decode symbols on the label's upright view (codes read best with their bars along a scan line).
    ``look``: also prepare the view's look search (``symbols.look_prep``), which needs no read lines."""
    view = label_view(pixels, lab, height)
    found = [(raw, map_points(view.to_photo, q)) for raw, q in _decode(engine, view.gray)]
    if look:
        view = view._replace(look=look_prep(view.gray, view.text_height))
    return found, view


def label_union(labels: Sequence[Label]) -> Label:
    """One label frame holding several (the parts of a label the reader took apart, e.g. the blocks of a
    curved label, whose directions differ): upright as the largest of them."""
    ref = max(labels, key=lambda lb: lb.crop_size[0] * lb.crop_size[1])
    to_up = np.linalg.inv(ref.to_photo)
    pts = map_points(to_up, np.concatenate([np.asarray(lb.quad, float) for lb in labels]))
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    shift = np.array([[1.0, 0, lo[0]], [0, 1.0, lo[1]], [0, 0, 1]])
    to_photo = ref.to_photo @ shift
    w, h = hi - lo
    quad = map_points(to_photo, np.array([[0, 0], [w, 0], [w, h], [0, h]], float))
    return Label(quad=as_polygon(quad), to_photo=to_photo, crop_size=(int(round(w)), int(round(h))),
                 rotation=ref.rotation, score=min(lb.score for lb in labels), kind=ref.kind)


def joined_views(pixels: np.ndarray, labels: Sequence[Label], heights: Sequence[float],
                 look: bool = False) -> List[View]:
    """Views of labels that sit close together, whole: a code between two parts of one label (a curved
    label the reader took apart) is cut at the edge of each part's own view, and found by its look in
    neither. One view per group of labels whose outlines overlap, grown by a fifth of their size or six
    of their line heights (a code is a few lines tall). ``look``: with each view's look search prepared."""
    if len(labels) < 2:
        return []
    rects = []
    for lb, ht in zip(labels, heights):
        q = np.asarray(lb.quad, float)
        lo, hi = q.min(axis=0), q.max(axis=0)
        g = max(0.2 * float((hi - lo).max()), 6.0 * ht)
        rects.append((lo[0] - g, lo[1] - g, hi[0] + g, hi[1] + g))
    out: List[View] = []
    for grp in overlap_groups(rects):
        if len(grp) > 1:
            v = label_view(pixels, label_union([labels[i] for i in grp]), min(heights[i] for i in grp))
            out.append(v._replace(look=look_prep(v.gray, v.text_height)) if look else v)
    return out


def _decode(engine: SymbolEngine, gray: np.ndarray) -> Found:
    """Every symbol decoded in ``gray``, 1-D codes widened along their bars to the whole symbol (view px)."""
    out: Found = []
    for raw in engine.read(gray):
        q = np.asarray(raw.quad, float)
        if not is_two_d(raw.format):
            q = np.asarray(widen_linear(gray, raw.quad), float)
        out.append((raw, q))
    return out


PHOTO_TEXT_PX = 12.0  # the scale of the whole-photo bar search (a small label's text at 2400 px)


def decode_photo(engine: SymbolEngine, pixels: np.ndarray, side: int = 2400) -> Found:
    """Decode symbols on the whole photo (codes off the labels found, or on a label the text missed).
    ``pixels``: RGB or grey."""
    # grey first: the area resize then averages one channel, not three (a third of the work, same grey)
    gray_all, s = resize_long(cv2.cvtColor(pixels, cv2.COLOR_RGB2GRAY) if pixels.ndim == 3 else pixels, side)
    found = [(raw, q / s) for raw, q in _decode(engine, gray_all)]
    # 1-D codes by their edges anywhere on the photo (a neighbour's label at the edge, a label the text
    # detector missed), decoded or not: ``merge_symbols`` keeps those that no read line or decoded code explains
    for fmt, polys in ((LOOK, bar_fields(gray_all, PHOTO_TEXT_PX)), (LOOK_2D, module_fields(gray_all, PHOTO_TEXT_PX))):
        for poly in polys:
            found.append((RawSymbol(format=fmt, payload="", quad=poly), np.asarray(poly, float) / s))
    return found


def merge_symbols(engine: SymbolEngine, found: Found, views: Sequence[View], lines: Sequence[TextLine],
                  look: bool = True, pool: Optional[Executor] = None) -> List[Symbol]:
    """One symbol per decoded code (the largest extent seen), plus undecodable look-alikes on the views
    (searched on ``pool``'s threads when given: one view each)."""
    out: List[Symbol] = []
    photo_looks = [as_polygon(q) for raw, q in found if raw.format == LOOK]
    # a 2-D look-alike off the labels counts beside text or a label only (a printed code stands by its
    # label's print; a keypad, a grille or a rug's pattern on a photo without a label does not)
    anchors = [np.asarray(ln.polygon, float) for ln in lines] + [_outline(v) for v in views]
    photo_looks += [as_polygon(q) for raw, q in found if raw.format == LOOK_2D and _near(q, anchors)]
    found = [(raw, q) for raw, q in found if raw.format not in (LOOK, LOOK_2D)]
    for raw, q in found:
        poly = as_polygon(q)
        dup = False
        for k, sym in enumerate(out):
            if sym.payload == raw.payload and quad_iou(sym.polygon, poly) > 0.2:
                # keep the larger extent
                if cv2.contourArea(np.float32(poly)) > cv2.contourArea(np.float32(sym.polygon)):
                    out[k] = Symbol(format=sym.format, payload=sym.payload, polygon=poly, engine=sym.engine)
                dup = True
                break
        if not dup:
            out.append(Symbol(format=raw.format, payload=raw.payload, polygon=poly, engine=getattr(engine, "name", "")))
    if look:
        # look-alikes from every view (a label's, or a group's): the largest first, and none that repeats a
        # decoded symbol or lies mostly inside a larger find (a part of a code seen at the edge of a view)
        decoded = list(out)
        # only confidently read lines rule a region out: the detector also "finds" lines inside 2-D codes
        sure = [ln.polygon for ln in lines if ln.score >= 0.75 and len(ln.text.strip()) >= 2]

        def search(view: View) -> List[Polygon]:
            v2p = view.to_photo
            p2v = np.linalg.inv(v2p)
            excl = [map_points(p2v, p) for p in sure] + [map_points(p2v, sym.polygon) for sym in decoded]
            return [as_polygon(map_points(v2p, poly))
                    for poly in find_by_look(view.gray, view.text_height, excl, prep=view.look)]

        # the biggest view in this thread, the others on the pool's; the finds in the views' order
        order = sorted(range(len(views)), key=lambda i: -views[i].gray.size)
        per_view: List[List[Polygon]] = [[] for _ in views]
        for i, ps in zip(order, run_all(pool, lambda i: search(views[i]), order)):
            per_view[i] = ps
        finds = [p for ps in per_view for p in ps]
        finds += [p for p in photo_looks if not _explained(p, sure)]
        finds.sort(key=lambda p: -abs(cv2.contourArea(np.float32(p))))
        kept: List[Polygon] = []
        for poly in finds:
            if any(inside_share(poly, s2.polygon) > 0.6 for s2 in decoded):  # (a larger find of a decoded code
                continue  # stays: the reader may have reported a part of it)
            if any(inside_share(poly, k) > 0.6 for k in kept):
                continue
            kept.append(poly)
            out.append(Symbol(format="unknown", payload="", polygon=poly, decoded=False, score=0.5, engine="look"))
    return out


def _outline(view: View) -> np.ndarray:
    """A view's outline in photo px (its label with the margin around it)."""
    h, w = view.gray.shape[:2]
    return map_points(view.to_photo, [[0, 0], [w, 0], [w, h], [0, h]])


def _near(quad: np.ndarray, anchors: Sequence[np.ndarray]) -> bool:
    """Some anchor (a detected text line, read or not; a label's view) lies within the find's own size of it."""
    q = np.asarray(quad, float)
    lo, hi = q.min(axis=0), q.max(axis=0)
    g = float((hi - lo).max())
    lo, hi = lo - g, hi + g
    return any(not ((p.min(axis=0) > hi).any() or (p.max(axis=0) < lo).any()) for p in anchors)


def _explained(poly: Polygon, lines: Sequence[Polygon]) -> bool:
    """A whole-photo bar find that read text lines explain (at least half of it lies in them)."""
    p = np.asarray(poly, float)
    lo, hi = p.min(axis=0), p.max(axis=0)
    share = 0.0
    for ln in lines:
        q = np.asarray(ln, float)
        if (q.min(axis=0) > hi).any() or (q.max(axis=0) < lo).any():
            continue
        share += inside_share(poly, ln)
        if share >= 0.5:
            return True
    return False


def read_symbols(engine: SymbolEngine, pixels: np.ndarray, labels: Sequence[Label], lines: Sequence[TextLine],
                 heights: Sequence[float], look: bool = True) -> List[Symbol]:
    """Decode symbols on each upright label view and on the whole photo; add undecodable look-alikes.
    (The pipeline runs the same steps concurrently with the OCR: see ``Redactor._analyze``.)"""
    found: Found = []
    views: List[View] = []
    for li, lab in enumerate(labels):
        f, v = decode_label(engine, pixels, lab, heights[li] if li < len(heights) else 20.0)
        found += f
        views.append(v)
    found += decode_photo(engine, pixels)
    return merge_symbols(engine, found, views, lines, look)
