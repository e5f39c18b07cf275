"""Read symbols: decode codes on each label's upright view and on the whole photo, widen 1-D codes to the
whole symbol, add undecodable look-alikes, and merge it all into one ``Symbol`` per code, in photo px.

The engines are in ``engines/symbols.py``, the widening in ``symbol_widen.py``, the look search in
``symbol_look.py``; their public names are re-exported here, where callers have imported them from.
"""

from __future__ import annotations

import logging
from concurrent.futures import Executor
from typing import List, NamedTuple, Optional, Sequence, Tuple

import cv2
import numpy as np

from ..concurrency import run_all
from ..engines.symbols import TWO_D, RawSymbol, SymbolEngine, ZbarEngine, ZxingEngine, is_two_d, make_engine
from ..geometry import inside_share, map_points, quad_iou, upright_region_view
from ..types import Label, Polygon, Symbol, TextLine, as_polygon
from .locate import overlap_groups, resize_long
from .symbol_look import LookPrep, bar_fields, find_by_look, look_prep, module_fields
from .symbol_widen import widen_linear

log = logging.getLogger(__name__)

__all__ = [
    "LOOK", "LOOK_2D", "TWO_D", "Found", "LookPrep", "RawSymbol", "SymbolEngine", "View", "ZbarEngine",
    "ZxingEngine", "bar_fields", "decode_label", "decode_photo", "find_by_look", "inside_share", "is_two_d",
    "joined_views", "label_union", "label_view", "look_prep", "make_engine", "merge_symbols", "module_fields",
    "quad_iou", "read_symbols", "widen_linear",
]

LOOK = "look"  # the format of a 1-D symbol found by its look alone (not decoded)
LOOK_2D = "look-2d"  # the same, 2-D

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
