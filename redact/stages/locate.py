"""Find labels (regions of printed text) at low resolution, and their reading direction.

Text is detected on an overview of the photo (long side ``Config.locate_side``). Detected line boxes are
grouped into regions by proximity; each region gets its text direction from its boxes' long edges (a circular
mean of the doubled angle, so 0/180 and 90/270 are one family); the 0-vs-180 ambiguity is settled later by
the text-line orientation classifier. When the overview finds (almost) nothing, or only text too small to
read, the photo is detected again in tiles at a higher resolution, so that a small label is not missed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, List, Optional, Sequence, Tuple

import cv2
import numpy as np

from ..engines.base import TextEngine
from ..geometry import box_geometry, convex_overlap, overlap_groups, union_rect


@dataclass
class Region:
    boxes: List[np.ndarray]  # 4x2 float quads in photo coordinates
    scores: List[float]
    direction: np.ndarray  # unit vector of the reading direction (photo coords), up to 180 deg
    text_height: float  # median line height, photo px

    @property
    def small_height(self) -> float:
        """The smaller print of the region (25th percentile of line heights): stubs, footers."""
        return float(np.percentile([line_height(b) for b in self.boxes], 25)) if self.boxes else self.text_height

    @property
    def points(self) -> np.ndarray:
        return np.concatenate(self.boxes, axis=0)


def resize_long(pixels: np.ndarray, side: int) -> Tuple[np.ndarray, float]:
    h, w = pixels.shape[:2]
    s = min(1.0, side / float(max(h, w)))
    if s >= 1.0:
        return pixels, 1.0
    out = cv2.resize(pixels, (max(1, round(w * s)), max(1, round(h * s))), interpolation=cv2.INTER_AREA)
    return out, s


def dominant_direction(boxes: Sequence[np.ndarray]) -> np.ndarray:
    acc = np.zeros(2)
    for q in boxes:
        u, long_, short = box_geometry(q)
        elong = long_ / max(short, 1e-6)
        if elong < 1.3:
            continue  # square boxes (one character) say nothing about direction
        ang = np.arctan2(u[1], u[0])
        wgt = long_ * min(elong, 8.0)
        acc += wgt * np.array([np.cos(2 * ang), np.sin(2 * ang)])
    if np.linalg.norm(acc) < 1e-9:
        return np.array([1.0, 0.0])
    ang = np.arctan2(acc[1], acc[0]) / 2
    d = np.array([np.cos(ang), np.sin(ang)])
    if d[0] < -1e-9 or (abs(d[0]) < 1e-9 and d[1] < 0):
        d = -d
    return d


def line_height(q: np.ndarray) -> float:
    return box_geometry(q)[2]


def group(boxes: Sequence[np.ndarray], scores: Sequence[float], shape: Tuple[int, int], scale: float) -> List[Region]:
    """Group photo-coordinate boxes into regions; ``shape``/``scale``: the overview's size and scale."""
    if not boxes:
        return []
    h, w = shape
    canvas = np.zeros((h, w), np.uint8)
    hts = np.array([line_height(q) for q in boxes]) * scale
    for q, ht in zip(boxes, hts):
        pts = np.round(q * scale).astype(np.int32)
        cv2.fillPoly(canvas, [pts], 255)
    med = float(np.median(hts)) if len(hts) else 8.0
    k = int(max(5, min(120, med * 4.0))) | 1  # blocks of one label stay one region
    grown = cv2.dilate(canvas, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    n, lab = cv2.connectedComponents(grown, connectivity=8)
    regions: List[Region] = []
    members: List[List[int]] = [[] for _ in range(n)]
    for i, q in enumerate(boxes):
        c = np.clip(np.round(q.mean(axis=0) * scale).astype(int), 0, [w - 1, h - 1])
        members[int(lab[c[1], c[0]])].append(i)
    for ids in members:
        if not ids:
            continue
        bs = [boxes[i] for i in ids]
        regions.append(
            Region(
                boxes=bs,
                scores=[scores[i] for i in ids],
                direction=dominant_direction(bs),
                text_height=float(np.median([line_height(b) for b in bs])),
            )
        )
    return merge_regions(regions)


def merge_regions(regions: List[Region]) -> List[Region]:
    """Join regions that read in the same direction and sit close together: the blocks of one label
    (sender, recipient, barcode band, stub) are one label for layout and symbol search."""
    regs = list(regions)
    changed = True
    while changed and len(regs) > 1:
        changed = False
        boxes = []
        for r in regs:
            p = r.points
            lo, hi = p.min(axis=0), p.max(axis=0)
            grow = max(3.0 * r.text_height, 0.15 * float((hi - lo).max()))
            boxes.append((lo - grow, hi + grow))
        for i in range(len(regs)):
            for j in range(i + 1, len(regs)):
                a, b = regs[i], regs[j]
                if abs(float(a.direction[0] * b.direction[1] - a.direction[1] * b.direction[0])) > 0.2:
                    continue  # more than ~12 degrees apart
                (al, ah), (bl, bh) = boxes[i], boxes[j]
                if np.any(ah < bl) or np.any(bh < al):
                    continue
                bs = a.boxes + b.boxes
                merged = Region(boxes=bs, scores=a.scores + b.scores, direction=dominant_direction(bs),
                                text_height=float(np.median([line_height(q) for q in bs])))
                regs = [r for k, r in enumerate(regs) if k not in (i, j)] + [merged]
                changed = True
                break
            if changed:
                break
    return regs


def implausible(q: np.ndarray, shape: Tuple[int, int], whole: bool = True) -> bool:
    """A "line" no text line can be: taller than a quarter of the image, or a tall, squat blob (the
    detector answers cardboard texture, tape or a whole small label seen from afar with such boxes). Kept,
    they swallow the real lines around them (grouping, de-duplication) and hide a small label.
    ``whole``: the image is a view of the whole photo (on a window around a label, big print is big)."""
    _, long_, short = box_geometry(q)
    side = float(min(shape[:2]))
    if not whole:
        return short > 0.4 * side and long_ < 2.0 * short
    return short > 0.25 * side or (short > 0.12 * side and long_ < 2.0 * short)


def detect_boxes(engine: TextEngine, image: np.ndarray, scale: float, offset=(0.0, 0.0),
                 whole: bool = True, frame: Optional[Tuple[int, int]] = None) -> Tuple[List[np.ndarray], List[float]]:
    """Detect on ``image`` (a resized view of the photo, or a window of it when ``whole`` is false) and
    return quads in photo coordinates, without boxes no text line can make (``implausible`` in ``frame``,
    the shape of the view ``image`` is cut from; default: ``image`` itself)."""
    out_b, out_s = [], []
    for d in engine.detect(image):
        if implausible(np.asarray(d.quad, np.float64), frame or image.shape, whole):
            continue
        q = np.asarray(d.quad, np.float64) / scale + np.asarray(offset, np.float64)
        out_b.append(q)
        out_s.append(d.score)
    return out_b, out_s


STROKE_CONTRAST = 32  # grey levels a stroke stands out from its surroundings by (dim, blurred print included)
STROKE_CELL = 64  # px of the tile view: the grain at which print is looked for
MIN_CELL_STROKES = 24  # stroke pixels that make a cell worth reading (a few characters' worth)


def stroke_map(view: np.ndarray) -> np.ndarray:
    """Pixels of thin dark-on-light or light-on-dark structures (ink strokes, bars) at the view's scale:
    black-hat and top-hat at stroke scale, over ``STROKE_CONTRAST``. Bare cardboard, walls and tape (broad
    and low in contrast) give almost none; any print, however small or dim, gives thousands."""
    g = cv2.cvtColor(view, cv2.COLOR_RGB2GRAY) if view.ndim == 3 else view
    k = cv2.getStructuringElement(cv2.MORPH_RECT, (9, 9))
    bh = cv2.morphologyEx(g, cv2.MORPH_BLACKHAT, k)
    th = cv2.morphologyEx(g, cv2.MORPH_TOPHAT, k)
    return (np.maximum(bh, th) > STROKE_CONTRAST).astype(np.uint8)


def print_windows(strokes: np.ndarray, cell: int = STROKE_CELL, min_strokes: int = MIN_CELL_STROKES) -> List[Tuple[int, int, int, int]]:
    """Windows (x0, y0, x1, y1) of the view that hold print: cells of ``cell`` px with strokes, grown by a
    cell on every side (a line is never cut at a window's edge), joined where they touch."""
    H, W = strokes.shape[:2]
    gh, gw = -(-H // cell), -(-W // cell)
    pad = np.zeros((gh * cell, gw * cell), np.uint8)
    pad[:H, :W] = strokes
    counts = pad.reshape(gh, cell, gw, cell).sum(axis=(1, 3))
    occ = (counts >= min_strokes).astype(np.uint8)
    if not occ.any():
        return []
    occ = cv2.dilate(occ, np.ones((3, 3), np.uint8))
    n, _, stats, _ = cv2.connectedComponentsWithStats(occ, connectivity=8)
    wins = []
    for i in range(1, n):
        x, y, w, h = stats[i, :4]
        wins.append((int(x * cell), int(y * cell), int(min(W, (x + w) * cell)), int(min(H, (y + h) * cell))))
    return wins


def join_groups(rects: Sequence[Sequence[float]]) -> List[List[int]]:
    """Indices of rectangles to join: overlapping ones, until the joined rectangles overlap no other."""
    groups = [[i] for i in range(len(rects))]
    while True:
        joined = overlap_groups([union_rect([rects[i] for i in g]) for g in groups])
        if len(joined) == len(groups):
            return groups
        groups = [[i for gi in j for i in groups[gi]] for j in joined]


def print_areas(view: np.ndarray, known: Sequence[np.ndarray], cell: int = STROKE_CELL) -> List[Tuple[int, int, int, int]]:
    """The parts of a re-detection view worth detecting in: where it has print-like strokes, and wherever
    the text already found lies (``known``: quads in view px), each grown by a cell; overlapping parts
    joined. A small label's window is mostly cardboard and floor around it."""
    H, W = view.shape[:2]
    rects: List[Tuple[int, int, int, int]] = list(print_windows(stroke_map(view), cell))
    for q in known:
        lo = np.floor(np.asarray(q, float).min(axis=0)) - cell
        hi = np.ceil(np.asarray(q, float).max(axis=0)) + cell
        rects.append((int(max(0, lo[0])), int(max(0, lo[1])), int(min(W, hi[0])), int(min(H, hi[1]))))
    rects = [r for r in rects if r[2] > r[0] and r[3] > r[1]]
    return [union_rect([rects[i] for i in g]) for g in join_groups(rects)]


def tiled_detect(engine: TextEngine, pixels: np.ndarray, side: int, tile: int = 1600,
                 overlap: int = 160) -> Tuple[List[np.ndarray], List[float]]:
    """Detect at a higher resolution (the small-label fallback), only where the view has print-like
    strokes (``print_windows``): each window in as few tiles as cover it with ``overlap`` px shared, spread
    evenly (detection costs by the pixel, so the tiles' total area stays near the windows' own)."""
    view, s = resize_long(pixels, side)
    H, W = view.shape[:2]
    boxes, scores = [], []
    for wx0, wy0, wx1, wy1 in print_windows(stroke_map(view)):
        whole = (wx1 - wx0) * (wy1 - wy0) >= 0.5 * H * W  # a window that is most of the view
        b, sc = detect_in_tiles(engine, view[wy0:wy1, wx0:wx1], s, (wx0 / s, wy0 / s), whole, tile, overlap)
        boxes += b
        scores += sc
    return dedupe(boxes, scores)


def tile_starts(n: int, tile: int, overlap: int) -> Tuple[List[int], int]:
    """As few tiles of at most ``tile`` px as cover ``n`` px with ``overlap`` shared: (starts, tile size)."""
    k = max(1, int(np.ceil((n - overlap) / float(tile - overlap))))
    size = min(n, int(np.ceil((n + (k - 1) * overlap) / k)))
    return [round(i * (n - size) / max(1, k - 1)) for i in range(k)], size


def detect_in_tiles(engine: TextEngine, view: np.ndarray, scale: float, offset=(0.0, 0.0), whole: bool = False,
                    tile: int = 1600, overlap: int = 160,
                    frame: Optional[Tuple[int, int]] = None) -> Tuple[List[np.ndarray], List[float]]:
    """``detect_boxes`` on a big view in tiles of at most ``tile`` px: the detector's memory grows with its
    input (about 1.2 GB at 2400 x 2400 px), and its time does not shrink by taking the view whole.
    ``frame``: the shape boxes are judged plausible against (default: each tile's own)."""
    ys, th = tile_starts(view.shape[0], tile, overlap)
    xs, tw = tile_starts(view.shape[1], tile, overlap)
    boxes, scores = [], []
    for y0 in ys:
        for x0 in xs:
            b, sc = detect_boxes(engine, np.ascontiguousarray(view[y0:y0 + th, x0:x0 + tw]), scale,
                                 (offset[0] + x0 / scale, offset[1] + y0 / scale), whole=whole, frame=frame)
            boxes += b
            scores += sc
    return (dedupe(boxes, scores) if len(ys) * len(xs) > 1 else (boxes, scores))


def dedupe(boxes: List[np.ndarray], scores: List[float]) -> Tuple[List[np.ndarray], List[float]]:
    """Drop boxes that repeat a larger one (tile overlaps, a second detection pass): mostly inside it (by
    the quads themselves, not their bounding rectangles, which overlap widely on tilted text) and of a
    similar line height (a big box never stands in for the small print inside or beside it)."""
    if not boxes:
        return boxes, scores
    quads = [np.asarray(b, np.float32).reshape(4, 2) for b in boxes]
    areas = [abs(float(cv2.contourArea(q))) for q in quads]
    hts = [line_height(np.asarray(b, np.float64)) for b in boxes]
    rects = [cv2.boundingRect(np.round(q).astype(np.float32)) for q in quads]
    order = sorted(range(len(boxes)), key=lambda i: -areas[i])
    keep: List[int] = []
    for i in order:
        x, y, w, h = rects[i]
        dup = False
        for j in keep:
            X, Y, Wd, Hd = rects[j]
            if x > X + Wd or X > x + w or y > Y + Hd or Y > y + h:
                continue
            if not (hts[i] <= 1.6 * hts[j] and hts[j] <= 1.6 * hts[i]):
                continue
            inter = convex_overlap(quads[i], quads[j])
            if inter > 0.6 * max(1.0, areas[i]):
                dup = True
                break
        if not dup:
            keep.append(i)
    keep.sort()
    return [boxes[i] for i in keep], [scores[i] for i in keep]


# -- the small-label re-detection policy -------------------------------------------------------------
MIN_OVERVIEW_TEXT_PX = 9.0  # below this line height on the overview, a region is re-detected at higher resolution
TARGET_TEXT_PX = 26.0  # line height the re-detection aims for
SMALL_LABEL_FRAC = 0.25  # no region spans this much of the overview's long side: a small (far) label
SMALL_PRINT_RATIO = 3.0  # a label's small print is about this much smaller than its big print
REDETECT_VIEW = 2000.0  # long-side cap of a re-detection view (detection costs by the pixel)
SMALL_LABEL_VIEW = 2400.0  # the same around a small label's big print (a wider window, same small print)
FALLBACK_SCALE = 2.5  # the small-label fallback's tiles: up to this many times the overview's long side
MIN_BOXES = 4  # an overview with fewer boxes than this (or with mostly small ones) takes the fallback


def locate(engine: TextEngine, pixels: "np.ndarray | Callable[[], np.ndarray]", locate_side: int,
           overview: Optional[Tuple[np.ndarray, float]] = None) -> List[Region]:
    """The photo's regions of text (labels), found on an overview (long side ``locate_side``) and detected
    again where its text is too small to read there.

    ``pixels``: the full-resolution photo, or a function giving it (its full decode may still be under way
    while the overview is detected: it is asked for only after that). ``overview``: (the overview, its
    scale) when it came first (a JPEG's preview); else it is resized from ``pixels``.

    - Few boxes, or mostly tiny ones: the small-label fallback (tiles at up to 2.5x the overview's resolution).
    - A region whose small print is below ``MIN_OVERVIEW_TEXT_PX`` on the overview, or every region when none
      spans ``SMALL_LABEL_FRAC`` of the overview (a far label shows only its big print there): detected again
      in a window around it (overlapping windows joined), scaled for its small print to be ``TARGET_TEXT_PX``
      high, only where that window holds print."""
    full = pixels if callable(pixels) else (lambda: pixels)
    if overview is None:
        overview = resize_long(full(), locate_side)
    ov, s = overview
    boxes, scores = detect_boxes(engine, ov, s)
    px = full()  # the full decode ran beside the overview's detection
    small = [b for b in boxes if line_height(b) * s < MIN_OVERVIEW_TEXT_PX]
    if len(boxes) < MIN_BOXES or len(small) > 0.5 * max(1, len(boxes)):
        side = int(min(max(px.shape[:2]), locate_side * FALLBACK_SCALE))
        if side > locate_side * 1.2:
            tb, ts = tiled_detect(engine, px, side)
            boxes, scores = dedupe(boxes + tb, scores + ts)
    regions = group(boxes, scores, ov.shape[:2], s)
    # A label that spans little of the overview shows only its big print there: its small print (the
    # addresses, the stub) is below what the overview can detect, whatever the big print's height.
    extent = [float(np.ptp(r.points, axis=0).max()) * s for r in regions]
    small_label = bool(regions) and max(extent) < SMALL_LABEL_FRAC * locate_side
    out_b: List[np.ndarray] = []
    out_s: List[float] = []
    wins = []  # [x0, y0, x1, y1, k, cap, [(region, fine)]]
    for r in regions:
        fine = r.small_height * s < MIN_OVERVIEW_TEXT_PX
        if (not fine and not small_label) or r.text_height <= 0:
            out_b += r.boxes
            out_s += r.scores
            continue
        wins.append(_window(r, fine, px.shape[:2]))
    wins = [[*union_rect([wins[i] for i in g]), max(wins[i][4] for i in g), max(wins[i][5] for i in g),
             [m for i in g for m in wins[i][6]]] for g in join_groups(wins)]
    for x0, y0, x1, y1, k, cap, members in wins:
        b2, s2 = _redetect(engine, px, (x0, y0, x1, y1), min(k, cap / max(1, x1 - x0, y1 - y0)), members)
        out_b += b2
        out_s += s2
    return group(out_b, out_s, ov.shape[:2], s) if out_b else []


def _window(r: Region, fine: bool, shape: Tuple[int, int]) -> list:
    """The re-detection window around a region: [x0, y0, x1, y1, scale, long-side cap, [(region, fine)]]."""
    pts = r.points
    span = float(np.ptp(pts, axis=0).max())
    # the boxes found may be only part of a small label (its big print: maybe less than half of it)
    m = max(r.text_height * 4, span * (0.6 if fine else 1.0))
    x0, y0 = np.maximum(0, np.floor(pts.min(axis=0) - m)).astype(int)
    x1 = int(min(shape[1], np.ceil(pts[:, 0].max() + m)))
    y1 = int(min(shape[0], np.ceil(pts[:, 1].max() + m)))
    # aim at the small print: the region's own smallest lines, or (big print only) a third of it
    target = r.small_height if fine else r.small_height / SMALL_PRINT_RATIO
    k = min(2.5, TARGET_TEXT_PX / max(1.0, target))
    return [int(x0), int(y0), x1, y1, k, REDETECT_VIEW if fine else SMALL_LABEL_VIEW, [(r, fine)]]


def _redetect(engine: TextEngine, pixels: np.ndarray, rect: Tuple[int, int, int, int], k: float,
              members: Sequence[Tuple[Region, bool]]) -> Tuple[List[np.ndarray], List[float]]:
    """Detect again in ``rect`` of the photo at scale ``k``, only where the view holds print (a small
    label's window is mostly its surroundings); the members' own boxes when nothing is found there."""
    x0, y0, x1, y1 = rect
    view = cv2.resize(pixels[y0:y1, x0:x1], (max(1, int((x1 - x0) * k)), max(1, int((y1 - y0) * k))),
                      interpolation=cv2.INTER_AREA if k < 1 else cv2.INTER_CUBIC)
    known = [(q - np.array([x0, y0], float)) * k for r, _ in members for q in r.boxes]
    b2: List[np.ndarray] = []
    s2: List[float] = []
    areas = print_areas(view, known)
    for ax0, ay0, ax1, ay1 in areas:
        b, sc = detect_in_tiles(engine, view[ay0:ay1, ax0:ax1], k, (x0 + ax0 / k, y0 + ay0 / k),
                                frame=view.shape[:2])
        b2 += b
        s2 += sc
    if len(areas) > 1:
        b2, s2 = dedupe(b2, s2)
    old_b = [q for r, _ in members for q in r.boxes]
    old_s = [v for r, _ in members for v in r.scores]
    if not b2:
        return old_b, old_s
    if not all(fine for _, fine in members):  # keep the overview's big print too (it may be cut at the
        return dedupe(b2 + old_b, s2 + old_s)  # window's edge)
    return b2, s2
