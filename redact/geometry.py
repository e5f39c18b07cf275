"""Plane geometry of the pipeline, one implementation of each: box and quad helpers, reading order, warps to
upright crops, span polygons, projective maps, and polygon overlap.

Two overlap measures are kept, on purpose (each stage's thresholds were tuned on its own):

- ``convex_overlap``: the exact intersection area of two convex quads (``cv2.intersectConvexConvex``), used
  by the detector's de-duplication (``locate.dedupe``);
- ``raster_overlap`` (and ``quad_iou`` / ``inside_share`` on it): the intersection of any two polygons,
  rasterised at most 512 px across, used by the symbol stages (look-alikes, merging decoded codes). Its
  areas are quantised (and count boundary pixels), so it is not the exact measure.

Measured (issue 18) with the exact measure in place of the raster one, on the generated quick set: the masks
and output pixels stay the same on all 24 photos, but 2 of the 378 overlaps measured there land on the other
side of a threshold the symbol stages use (0.2, 0.3, 0.5, 0.6; the values differ by up to 0.023). So the two
stay until a same-masks check on the full set says the exact one changes nothing.
"""

from __future__ import annotations

from typing import Callable, List, Sequence, Tuple

import cv2
import numpy as np

from .types import Label, Polygon, as_polygon

REC_H = 48  # the recogniser's input height (px): the height of a line crop (``crop_quad``)


# -- boxes and quads ---------------------------------------------------------------------------------------

def box_geometry(q: np.ndarray) -> Tuple[np.ndarray, float, float]:
    """(unit long-edge direction, long length, short length) of a 4-point box."""
    e1 = q[1] - q[0]
    e2 = q[3] - q[0]
    l1, l2 = float(np.linalg.norm(e1)), float(np.linalg.norm(e2))
    if l1 >= l2:
        return e1 / (l1 + 1e-9), l1, l2
    return e2 / (l2 + 1e-9), l2, l1


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


def lerp(a: np.ndarray, b: np.ndarray, t: float) -> np.ndarray:
    return a + (b - a) * t


def span_polygon(quad: np.ndarray, x0: float, x1: float) -> Polygon:
    tl, tr, br, bl = quad
    return as_polygon([lerp(tl, tr, x0), lerp(tl, tr, x1), lerp(bl, br, x1), lerp(bl, br, x0)])


# -- warps and maps ------------------------------------------------------------------------------------------

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


# -- rectangles ------------------------------------------------------------------------------------------------

def connected_groups(n: int, joined: Callable[[int, int], bool]) -> List[List[int]]:
    """Indices 0..n-1 grouped where ``joined(i, j)`` (i < j) holds, directly or through others; groups in
    the order of their first member, members in index order."""
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(n):
        for j in range(i + 1, n):
            if joined(i, j):
                parent[root(j)] = root(i)
    groups: dict = {}
    for i in range(n):
        groups.setdefault(root(i), []).append(i)
    return list(groups.values())


def overlap_groups(rects: Sequence[Sequence[float]]) -> List[List[int]]:
    """Indices of rectangles (x0, y0, x1, y1) grouped where they overlap, directly or through others."""
    def overlap(i: int, j: int) -> bool:
        a, b = rects[i], rects[j]
        return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]

    return connected_groups(len(rects), overlap)


def union_rect(rects: Sequence[Sequence[float]]) -> Tuple[int, int, int, int]:
    return (int(min(r[0] for r in rects)), int(min(r[1] for r in rects)),
            int(max(r[2] for r in rects)), int(max(r[3] for r in rects)))


# -- overlap ---------------------------------------------------------------------------------------------------

def convex_overlap(a: np.ndarray, b: np.ndarray) -> float:
    """The exact area two quads share, each taken as its convex hull."""
    inter, _ = cv2.intersectConvexConvex(_convex(a), _convex(b))
    return float(inter)


def _convex(q: np.ndarray) -> np.ndarray:
    return cv2.convexHull(np.ascontiguousarray(q, np.float32))


def raster_overlap(a: Polygon, b: Polygon) -> Tuple[int, int, int]:
    """(intersection, area of a, area of b) of two polygons, rasterised at most 512 px across."""
    pa = np.asarray(a, np.float32)
    pb = np.asarray(b, np.float32)
    x0 = int(min(pa[:, 0].min(), pb[:, 0].min()))
    y0 = int(min(pa[:, 1].min(), pb[:, 1].min()))
    x1 = int(max(pa[:, 0].max(), pb[:, 0].max())) + 2
    y1 = int(max(pa[:, 1].max(), pb[:, 1].max())) + 2
    scale = min(1.0, 512.0 / max(1, x1 - x0, y1 - y0))
    W, H = max(1, int((x1 - x0) * scale) + 1), max(1, int((y1 - y0) * scale) + 1)
    ma = np.zeros((H, W), np.uint8)
    mb = np.zeros((H, W), np.uint8)
    cv2.fillPoly(ma, [np.round((pa - [x0, y0]) * scale).astype(np.int32)], 1)
    cv2.fillPoly(mb, [np.round((pb - [x0, y0]) * scale).astype(np.int32)], 1)
    return int((ma & mb).sum()), int(ma.sum()), int(mb.sum())


def quad_iou(a: Polygon, b: Polygon) -> float:
    inter, sa, sb = raster_overlap(a, b)
    union = sa + sb - inter
    return inter / union if union else 0.0


def inside_share(a: Polygon, b: Polygon) -> float:
    """How much of ``a`` lies inside ``b`` (0..1)."""
    inter, sa, _ = raster_overlap(a, b)
    return inter / sa if sa else 0.0
