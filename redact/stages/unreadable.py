"""Unreadable print: text the detector found but the recogniser cannot read, masked (a classify rule that
needs no engine: it sees only the read lines, the labels' geometry and the fields found so far).

Masking beats leaking. Two rules:

- **label level** (``illegible_label``): a label whose print is mostly not legible (low recognition scores,
  short or garbled reads, or text smaller than the recogniser reads: a small, far, blurred or dim label)
  is masked as a whole: one ``unreadable`` field over its print area (every line, every symbol-looking
  area between them), except big print that reads well (a brand, a service mark, a sorting code) and lines
  the classifier already found non-personal. A label whose only "lines" are a few big, unreadable boxes
  (texture: wood grain, a box's edge, a wet spot) is no small label and is left alone.
- **line level** (``low_ocr_confidence``): an illegible line near personal fields (within a few line
  heights, on any label) is masked.

Field polygons of the label rule are set here (``Field.polygons``, no spans): ``masks.plan`` renders them
as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np

from ..geometry import connected_groups
from ..types import Category, Field, Label, Polygon, Role, Span, TextLine, as_polygon

UNREADABLE_SCORE = 0.55  # a line recognised below this score is not read
MIN_CHARS = 3  # a line with fewer letters/digits than this is a fragment, not a read
MIN_READ_PX = 10.0  # photo px: text smaller than this is below what the recogniser reads reliably
SMALL_LABEL_FRAC = 0.22  # a label spanning less than this share of the photo's long side is small
SMALL_PRINT_PX = 16.0  # photo px: a small label's print at or below this height is small print
ILLEGIBLE_SHARE = 0.5  # a label with at least this share of its lines illegible is masked whole
SMALL_ILLEGIBLE_SHARE = 0.25  # ... a small label with small print: already at this share
BIG_PRINT_RATIO = 2.2  # a line this many times the label's small print is big print (brand, service)
TEXTURE_PX = 40.0  # photo px: lines this tall, none legible, few: texture rather than a far label
AREA_PAD = 0.6  # label text heights the print area is grown by on every side
MAX_AREA_FRAC = 0.12  # a label area above this share of the photo is never masked whole (not a small label)
FRAGMENT_FRAC = 0.1  # a label of at most 2 lines spanning less than this share of the long side: a fragment
PAPER_WINDOW = 3.0  # label extents searched around a small label for its paper
PAPER_MAX_FRAC = 0.04  # the paper found may be at most this share of the photo (a box face is no label)
PAPER_MIN_FILL = 0.45  # ... and fill this share of its rotated bounding rectangle (a sheet, not a smear)


@dataclass(frozen=True)
class LineLook:
    """What the rule knows about one line, without its text."""

    height: float  # photo px (distance between the long edges)
    score: float
    chars: int  # letters and digits read

    @property
    def legible(self) -> bool:
        return self.score >= UNREADABLE_SCORE and self.chars >= MIN_CHARS and self.height >= MIN_READ_PX


def photo_height(ln: TextLine) -> float:
    """The line's text height in photo px: between its quad's long edges (p0-p1 runs along the line)."""
    p = np.asarray(ln.polygon, float)
    if len(p) == 4:
        return float((np.linalg.norm(p[3] - p[0]) + np.linalg.norm(p[2] - p[1])) / 2)
    return float(np.ptp(p[:, 1]))


def look(ln: TextLine) -> LineLook:
    txt = ln.text.replace("\u25a1", "")
    return LineLook(height=photo_height(ln), score=float(ln.score), chars=sum(c.isalnum() for c in txt))


def unreadable_fields(lines: Sequence[TextLine], fields: Sequence[Field], labels: Sequence[Label] = (),
                      frame: Optional[Tuple[int, int]] = None, pixels: Optional[np.ndarray] = None) -> List[Field]:
    """The ``unreadable`` fields of a photo's read lines: label areas first, then single lines.
    ``frame``: the photo's (height, width); ``labels``: the labels the lines' ``label_index`` refers to;
    ``pixels`` (HxWx3 RGB): a small label's area grows to the paper it is printed on (the detector often
    finds only a fragment of a far label's print)."""
    looks = [look(ln) for ln in lines]
    covered = {sp.line for f in fields for sp in f.spans}
    kept = {sp.line for f in fields if not f.sensitive for sp in f.spans}
    out: List[Field] = []
    by_label: Dict[int, List[int]] = {}
    for i, ln in enumerate(lines):
        by_label.setdefault(ln.label_index, []).append(i)
    whole: set = set()
    long_side = float(max(frame)) if frame else 0.0
    for lab, ids in sorted(by_label.items()):
        quad = np.asarray(labels[lab].quad, float) if 0 <= lab < len(labels) else None
        sheet = _sheet_of_texture(pixels, [looks[i] for i in ids], quad, long_side)
        if sheet is not None:  # big unread boxes on a small sheet: a far label the detector saw as a blob
            whole.add(lab)
            out.append(Field(category=Category.UNREADABLE, role=Role.UNKNOWN, polygons=(sheet,), score=0.5,
                             rule="illegible_label", value=" ".join(lines[i].text for i in ids)))
            continue
        area, body = label_area(lines, looks, ids, kept, quad, long_side, frame)
        if not body:
            # a label that reads as a whole may hold a cluster of print that does not: a far label the
            # grouping joined to the legible print beside it (a box's tape, a neighbour's label)
            for cl in _clusters(lines, looks, ids):
                pts = np.concatenate([np.asarray(lines[i].polygon, np.float32) for i in cl], axis=0)
                c_quad = cv2.boxPoints(cv2.minAreaRect(pts)).astype(float)
                sheet = _sheet_of_texture(pixels, [looks[i] for i in cl], c_quad, long_side)
                if sheet is None and is_texture([looks[i] for i in cl]) and _is_small(as_polygon(c_quad), long_side):
                    pad = AREA_PAD * float(np.median([looks[i].height for i in cl]))
                    (cx, cy), (w, h), ang = cv2.minAreaRect(pts)
                    sheet = as_polygon(cv2.boxPoints(((cx, cy), (w + 2 * pad, h + 2 * pad), ang)).astype(float))
                if sheet is not None:  # a far label's codes and print seen as a few unread blobs, on its paper
                    covered.update(cl)
                    out.append(Field(category=Category.UNREADABLE, role=Role.UNKNOWN, polygons=(sheet,), score=0.5,
                                     rule="illegible_cluster", value=" ".join(lines[i].text for i in cl)))
                    continue
                c_area, c_body = label_area(lines, looks, cl, kept, None, long_side, frame)
                if c_area is None or not c_body or not _is_small(c_area, long_side):
                    continue
                if pixels is not None and len(c_body) == len(cl):
                    c_area = paper_area(pixels, c_area) or c_area
                covered.update(c_body)
                out.append(Field(category=Category.UNREADABLE, role=Role.UNKNOWN, polygons=(c_area,), score=0.5,
                                 rule="illegible_cluster", value=" ".join(lines[i].text for i in cl)))
            continue
        whole.add(lab)
        if area is not None:
            # a small label grows to its sheet, unless big print that reads well (a brand, a service mark)
            # is on it: that stays readable
            if pixels is not None and len(body) == len(ids) and _is_small(area, long_side):
                area = paper_area(pixels, area) or area
            out.append(Field(category=Category.UNREADABLE, role=Role.UNKNOWN, polygons=(area,), score=0.5,
                             rule="illegible_label", value=" ".join(lines[i].text for i in ids)))
            continue
        # a big label (no small one) mostly illegible: each of its ordinary lines (not its big print)
        med = float(np.median([looks[i].height for i in ids]))
        for i in body:
            if i not in covered and looks[i].height <= 1.8 * med:
                covered.add(i)
                out.append(Field(category=Category.UNREADABLE, role=Role.UNKNOWN,
                                 spans=(Span(i, 0, len(lines[i].text)),), score=0.5, rule="illegible_region",
                                 value=lines[i].text))
    out += _line_fields(lines, looks, fields, covered, whole)
    return out


CLUSTER_GAP = 1.5  # line heights between two lines' boxes that still join them in one cluster of print


def _clusters(lines: Sequence[TextLine], looks: Sequence[LineLook], ids: Sequence[int]) -> List[List[int]]:
    """The label's lines in clusters of print (boxes within ``CLUSTER_GAP`` line heights of each other),
    only when it has more than one, and only clusters of at least two lines."""
    boxes = []
    for i in ids:
        q = np.asarray(lines[i].polygon, float)
        boxes.append((q[:, 0].min(), q[:, 1].min(), q[:, 0].max(), q[:, 1].max(), looks[i].height))

    def near(a: int, b: int) -> bool:
        ga, gb = boxes[a], boxes[b]
        gap = CLUSTER_GAP * max(ga[4], gb[4])
        return ga[0] - gap <= gb[2] and gb[0] - gap <= ga[2] and ga[1] - gap <= gb[3] and gb[1] - gap <= ga[3]

    groups = connected_groups(len(ids), near)
    if len(groups) < 2:
        return []
    return [[ids[k] for k in g] for g in groups if len(g) >= 2]


def is_weak(looks: Sequence[LineLook], extent: float, long_side: float) -> bool:
    """Is this label's print mostly not legible (or small, far print a reader only guesses at)?"""
    if not looks:
        return False
    bad = [lk for lk in looks if not lk.legible]
    hs = np.array([lk.height for lk in looks])
    if is_texture(looks):
        return False  # (only a sheet around it makes it a label: ``_sheet_of_texture``)
    if len(looks) <= 2 and long_side > 0 and extent < FRAGMENT_FRAC * long_side \
            and all(lk.height < TEXTURE_PX for lk in looks):
        return True  # a small label of which the detector found a fragment only
    share = len(bad) / len(looks)
    small = long_side > 0 and extent < SMALL_LABEL_FRAC * long_side and float(np.median(hs)) <= SMALL_PRINT_PX
    return bool(bad) and (share >= ILLEGIBLE_SHARE or (small and share >= SMALL_ILLEGIBLE_SHARE))


def is_texture(looks: Sequence[LineLook]) -> bool:
    """A few big boxes, none read: texture (wood grain, a wet spot, a box's edge), big print out of focus,
    or a far label the detector took for one blob."""
    return bool(looks) and len(looks) <= 3 and all(lk.height >= TEXTURE_PX and not lk.legible for lk in looks)


def _sheet_of_texture(pixels: Optional[np.ndarray], looks: Sequence[LineLook], quad: Optional[np.ndarray],
                      long_side: float) -> Optional[Polygon]:
    """A texture-like label that stands on a small sheet of paper (``paper_area``): that sheet."""
    if pixels is None or quad is None or not is_texture(looks):
        return None
    if not _is_small(as_polygon(quad), long_side):
        return None
    return paper_area(pixels, as_polygon(quad))


def _is_small(area: Polygon, long_side: float) -> bool:
    return long_side > 0 and float(np.ptp(np.asarray(area, float), axis=0).max()) < SMALL_LABEL_FRAC * long_side


def paper_area(pixels: np.ndarray, area: Polygon) -> Optional[Polygon]:
    """The sheet a small label's print area lies on: the bright, unsaturated component around it (ink holes
    closed), as its rotated bounding rectangle, when that is a sheet (``PAPER_MIN_FILL``) of at most
    ``PAPER_MAX_FRAC`` of the photo and holds the print area; else None."""
    H, W = pixels.shape[:2]
    q = np.asarray(area, float)
    lo, hi = q.min(axis=0), q.max(axis=0)
    ext = float(max(hi - lo))
    m = max(ext * PAPER_WINDOW, 40.0)
    x0, y0 = np.maximum(0, np.floor(lo - m)).astype(int)
    x1, y1 = int(min(W, np.ceil(hi[0] + m))), int(min(H, np.ceil(hi[1] + m)))
    win = pixels[y0:y1, x0:x1]
    if win.size == 0:
        return None
    hsv = cv2.cvtColor(win, cv2.COLOR_RGB2HSV)
    g = hsv[..., 2]
    qm = np.zeros(g.shape, np.uint8)
    cv2.fillPoly(qm, [np.round(q - [x0, y0]).astype(np.int32)], 1)
    if not qm.any():
        return None
    # the sheet: as bright as the print area's own paper (its brighter pixels), unsaturated
    sheet = float(np.percentile(g[qm.astype(bool)], 75))
    bright = ((hsv[..., 1] < 70) & (g >= max(np.percentile(g, 50), 0.88 * sheet))).astype(np.uint8)
    k = max(3, int(ext * 0.05)) | 1
    closed = cv2.morphologyEx(bright, cv2.MORPH_CLOSE, np.ones((k, k), np.uint8))
    n, lab = cv2.connectedComponents(closed, connectivity=8)
    inside = lab[qm.astype(bool)]
    if n <= 1 or inside.size == 0:
        return None
    counts = np.bincount(inside, minlength=n)
    counts[0] = 0
    best = int(np.argmax(counts))
    if counts[best] < 0.3 * inside.size:
        return None
    comp = lab == best
    a = int(comp.sum())
    if a > PAPER_MAX_FRAC * H * W:
        return None
    # a sheet lies within the window: a component cut by the window's edge (inside the photo) runs on
    # beyond it (a wall, a box face)
    ys, xs = np.nonzero(comp)
    if (xs.min() == 0 and x0 > 0) or (ys.min() == 0 and y0 > 0) or (xs.max() == comp.shape[1] - 1 and x1 < W) \
            or (ys.max() == comp.shape[0] - 1 and y1 < H):
        return None
    pts = np.column_stack(np.nonzero(comp)[::-1]).astype(np.float32)
    rect = cv2.minAreaRect(pts)
    if a < PAPER_MIN_FILL * max(1.0, rect[1][0] * rect[1][1]):
        return None
    box = cv2.boxPoints(rect).astype(float) + [x0, y0]
    hull = cv2.convexHull(np.concatenate([box, q]).astype(np.float32))[:, 0, :].astype(float)
    return as_polygon(np.clip(hull, [0, 0], [W - 1, H - 1]))


def label_area(lines: Sequence[TextLine], looks: Sequence[LineLook], ids: Sequence[int], kept: set,
               quad: Optional[np.ndarray], long_side: float,
               frame: Optional[Tuple[int, int]]) -> Tuple[Optional[Polygon], List[int]]:
    """(the print area of a weak label: its quad, or its lines' extent, grown by ``AREA_PAD`` text heights,
    without big print that reads well; the lines it masks). ``(None, [])``: not a weak label; ``(None,
    lines)``: a weak label too big to mask whole (its lines are masked one by one)."""
    lk = [looks[i] for i in ids]
    pts = np.concatenate([np.asarray(lines[i].polygon, float) for i in ids], axis=0)
    extent = float(np.ptp(pts, axis=0).max())
    if not is_weak(lk, extent, long_side):
        return None, []
    small_print = float(np.percentile([x.height for x in lk], 25))
    # big print that reads well, or print the classifier keeps (a caption), stays out of the area when it
    # lies at the area's edge; what lies inside the area's hull is masked with it
    body = [i for i in ids if not (looks[i].legible and (looks[i].height >= BIG_PRINT_RATIO * small_print
                                                         or i in kept))]
    if not body:
        return None, []
    bpts = np.concatenate([np.asarray(lines[i].polygon, float) for i in body], axis=0)
    d = _direction(quad, lines[body[0]])
    n = np.array([-d[1], d[0]])
    if quad is not None and len(body) == len(ids):
        bpts = np.concatenate([bpts, quad], axis=0)
    u, v = bpts @ d, bpts @ n
    pad = AREA_PAD * float(np.median([looks[i].height for i in body]))
    pad = max(3.0, min(pad, 40.0))
    u0, u1, v0, v1 = u.min() - pad, u.max() + pad, v.min() - pad, v.max() + pad
    poly = np.array([d * u0 + n * v0, d * u1 + n * v0, d * u1 + n * v1, d * u0 + n * v1])
    if frame:
        H, W = frame
        poly = np.clip(poly, [0, 0], [W - 1, H - 1])
        if (u1 - u0) * (v1 - v0) > MAX_AREA_FRAC * H * W:
            return None, body
    return as_polygon(poly), body


def _direction(quad: Optional[np.ndarray], ln: TextLine) -> np.ndarray:
    q = quad if quad is not None and len(quad) == 4 else np.asarray(ln.polygon, float)
    d = q[1] - q[0]
    nrm = float(np.linalg.norm(d))
    return d / nrm if nrm > 1e-9 else np.array([1.0, 0.0])


def _line_fields(lines: Sequence[TextLine], looks: Sequence[LineLook], fields: Sequence[Field], covered: set,
                 whole: set) -> List[Field]:
    """Illegible lines near personal fields (labels masked whole aside)."""
    personal = [sp.line for f in fields if f.sensitive for sp in f.spans if 0 <= sp.line < len(lines)]
    if not personal:
        return []
    centers = np.array([np.asarray(ln.polygon, float).mean(axis=0) for ln in lines])
    heights = np.array([max(1.0, ln.height) for ln in lines])
    med = float(np.median(heights))
    pc = centers[personal]
    out: List[Field] = []
    for i, ln in enumerate(lines):
        if i in covered or ln.label_index in whole or heights[i] > med * 1.8:
            continue
        if not (ln.score < UNREADABLE_SCORE or not ln.text.strip("\u25a1")):
            continue
        near = float(np.min(np.linalg.norm(pc - centers[i], axis=1)))
        if near <= 8 * med:
            out.append(Field(category=Category.UNREADABLE, role=Role.UNKNOWN, spans=(Span(i, 0, len(ln.text)),),
                             score=1.0 - ln.score, rule="low_ocr_confidence", value=ln.text))
    return out
