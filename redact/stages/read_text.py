"""Read each region: upright line crops cut from the full-resolution photo, orientation, recognition,
character polygons.

Every polygon is produced in photo coordinates exactly once, from the line's quad in reading order
(top-left, top-right, bottom-right, bottom-left of the upright text). The symbol stage is ``read_symbols``
(its entry points are re-exported here, where the pipeline imports them from); the geometry is
``redact.geometry``.
"""

from __future__ import annotations

import logging
from typing import Callable, Dict, List, Optional, Tuple

import numpy as np

from ..engines.base import RecResult, TextEngine
from ..geometry import REC_H, crop_quad, flip, map_points, reading_quad, span_polygon, upright_region_view
from ..types import Label, TextLine, Word, as_polygon
from .locate import Region
from .read_symbols import decode_label, decode_photo, joined_views, merge_symbols, read_symbols

log = logging.getLogger(__name__)

__all__ = [
    "ILLEGIBLE", "REC_H", "Reader", "char_fractions", "crop_quad", "decode_label", "decode_photo", "flip",
    "joined_views", "map_points", "merge_symbols", "read_symbols", "reading_quad", "span_polygon",
    "upright_region_view",
]

ILLEGIBLE = "\u25a1"  # the text of a line that was detected but not read


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
