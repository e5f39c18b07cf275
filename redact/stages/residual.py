"""The residual scan: after masking, read the label areas of the *output* again (not only the masks), with
the detector, the recogniser and the symbol decoders, classify again, and return whatever personal is still
found there, so that it is masked too (its fields' rule is ``residual/<rule>``).

The first pass reads the lines its detector found on the original; masks change what a detector sees next to
them (a merged box splits, print beside a barcode stands alone), and a decoder may now read a code the
first pass could not place. Only new text counts: a box under a mask, or one the first pass read already
(same place, similar height), is not read again.

Deterministic: views, scales and the order of everything follow the labels and the output's pixels only.
"""

from __future__ import annotations

import logging
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any, List, Optional, Sequence, Tuple

import cv2
import numpy as np

from .locate import Region, detect_in_tiles, dominant_direction, line_height
from .read_text import Reader
from ..types import Field, Label, Mask, Symbol, TextLine, as_polygon

log = logging.getLogger(__name__)

TARGET_TEXT_PX = 26.0  # the label's small print is looked at this height (as the first pass's re-detection)
MAX_VIEW = 2000.0  # long-side cap of a label's view (detection costs by the pixel)
MARGIN = 2.0  # text heights around a label's quad
KNOWN_IOU = 0.7  # a box overlapping a first-pass line this much (intersection over union) is that line


@dataclass
class Residual:
    lines: List[TextLine] = field(default_factory=list)  # new lines (label indices after the analysis')
    labels: List[Label] = field(default_factory=list)
    symbols: List[Symbol] = field(default_factory=list)  # symbols decoded in the output, outside every mask
    boxes: int = 0  # text boxes detected in the label areas (before dropping masked and known ones)


def _inside_any(pt: np.ndarray, polys: Sequence[np.ndarray]) -> bool:
    p = (float(pt[0]), float(pt[1]))
    return any(cv2.pointPolygonTest(q, p, False) >= 0 for q in polys)


def _known(box: np.ndarray, lines: Sequence[np.ndarray]) -> bool:
    """Is this box one the first pass read already (the same box: it would read the same)? A piece of a
    line (the part a mask left, a split box) is new."""
    b = np.ascontiguousarray(box, np.float32)
    ab = abs(float(cv2.contourArea(b)))
    lo, hi = b.min(axis=0), b.max(axis=0)
    for q in lines:
        if (q.min(axis=0) > hi).any() or (q.max(axis=0) < lo).any():
            continue
        inter, _ = cv2.intersectConvexConvex(cv2.convexHull(b), cv2.convexHull(q))
        aq = abs(float(cv2.contourArea(q)))
        if inter > KNOWN_IOU * max(1.0, ab + aq - inter):
            return True
    return False


def _photo_height(ln: TextLine) -> float:
    p = np.asarray(ln.polygon, float)
    return float((np.linalg.norm(p[3] - p[0]) + np.linalg.norm(p[2] - p[1])) / 2) if len(p) == 4 else 0.0


def scan(ocr, sym, out: np.ndarray, labels: Sequence[Label], lines: Sequence[TextLine],
         masks: Sequence[Mask]) -> Residual:
    """Read every label area of ``out`` (the rendered output) again; return the new lines and symbols."""
    H, W = out.shape[:2]
    polys = [np.asarray(m.polygon, np.float32) for m in masks]
    res = Residual()
    reader = Reader(ocr)
    by_label: dict = {}
    for ln in lines:
        by_label.setdefault(ln.label_index, []).append(ln)
    for li, lab in enumerate(labels):
        own = by_label.get(li, [])
        if not own:
            continue
        hs = [h for h in (_photo_height(ln) for ln in own) if h > 0]
        h = float(np.percentile(hs, 25)) if hs else 10.0
        q = np.asarray(lab.quad, float)
        m = MARGIN * h
        x0, y0 = np.maximum(0, np.floor(q.min(axis=0) - m)).astype(int)
        x1, y1 = int(min(W, np.ceil(q[:, 0].max() + m))), int(min(H, np.ceil(q[:, 1].max() + m)))
        if x1 - x0 < 8 or y1 - y0 < 8:
            continue
        k = min(2.5, TARGET_TEXT_PX / max(1.0, h))
        k = min(k, MAX_VIEW / max(1, x1 - x0, y1 - y0))
        view = cv2.resize(out[y0:y1, x0:x1], (max(1, int((x1 - x0) * k)), max(1, int((y1 - y0) * k))),
                          interpolation=cv2.INTER_AREA if k < 1 else cv2.INTER_CUBIC)
        # symbols first (the decoder sees the whole area, masks and all)
        for raw in sym.read(view):
            qq = np.asarray(raw.quad, float) / k + [x0, y0]
            if raw.payload and not _inside_any(qq.mean(axis=0), polys):
                res.symbols.append(Symbol(format=raw.format, payload=raw.payload, polygon=as_polygon(qq),
                                          decoded=True, engine=getattr(sym, "name", "")))
        boxes, scores = detect_in_tiles(ocr, view, k, (float(x0), float(y0)), frame=view.shape[:2])
        res.boxes += len(boxes)
        known = [np.asarray(ln.polygon, np.float32) for ln in lines]
        new = [(b, s) for b, s in zip(boxes, scores)
               if not _inside_any(b.mean(axis=0), polys) and not _known(b, known)]
        if not new:
            continue
        bs = [b for b, _ in new]
        region = Region(boxes=bs, scores=[s for _, s in new], direction=dominant_direction(bs),
                        text_height=float(np.median([line_height(b) for b in bs])))
        lab2, lns = reader.read_region(out, region, len(labels) + len(res.labels))
        res.labels.append(lab2)
        res.lines += [ln for ln in lns if ln.text.strip()]
    return res


def residual_fields(fields: Sequence[Field], first_lines: int, first_symbols: int) -> List[Field]:
    """The sensitive fields of a re-classification that stand on new evidence only: every span on a new line
    (index >= ``first_lines``) and every symbol a new one (index >= ``first_symbols``), renamed
    ``residual/<rule>``."""
    from dataclasses import replace

    out: List[Field] = []
    for f in fields:
        if not f.sensitive or not (f.spans or f.symbols):
            continue
        if all(sp.line >= first_lines for sp in f.spans) and all(si >= first_symbols for si in f.symbols):
            out.append(replace(f, rule=f"residual/{f.rule}"))
    return out


def mask_residual(ocr, sym, out: np.ndarray, masks: Sequence[Mask], heights: Sequence[float], analysis, style,
                  seed: Optional[int], policy, pad_ratio: float, quiet_zone: float,
                  pool: Optional[Executor] = None) -> Tuple[np.ndarray, List[Mask], List[float], Any]:
    """The residual pass: ``scan`` the output, classify again, and mask on ``out`` what is still personal.
    Returns the output, the masks, their text heights and the analysis with the new labels, lines, symbols
    and fields (the report shows them); all as they were when nothing new is found."""
    from dataclasses import replace

    from . import render as render_stage  # looked up at call time (tests replace the renderer)
    from .classify import apply_policy, classify
    from .plan import field_polygons, mask_text_height, plan

    a = analysis
    r = scan(ocr, sym, out, a.labels, a.lines, masks)
    if not r.lines and not r.symbols:
        return out, list(masks), list(heights), a
    lines = list(a.lines) + r.lines
    syms = list(a.symbols) + r.symbols
    found = residual_fields(classify(lines, syms), len(a.lines), len(a.symbols))
    chosen = apply_policy(found, policy, lines=lines)
    if not chosen:
        return out, list(masks), list(heights), a
    fields = list(a.fields) + [replace(f, polygons=field_polygons(f, lines, syms)) for f in chosen]
    new_idx = list(range(len(a.fields), len(fields)))
    a = replace(a, labels=list(a.labels) + r.labels, lines=lines, symbols=syms, fields=fields,
                selected=sorted(set(a.selected) | set(new_idx)))
    extra = plan(fields, new_idx, lines, syms, pad_ratio, quiet_zone)
    hx = [mask_text_height(m, a.fields, a.lines) for m in extra]
    out = render_stage.render(out, [m.polygon for m in extra], style, text_heights=hx, seed=seed, pool=pool)
    log.info("residual scan: %d more field(s) masked", len(chosen))
    return out, list(masks) + extra, list(heights) + hx, a
