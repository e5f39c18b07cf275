"""Self-check after rendering: read every masked region again, as an attacker would (OCR on 2x-upscaled
crops, symbol decoding), and report which masks still give a masked value back.

A region is readable when the OCR finds, inside it, 4 consecutive digits of a masked value, 2 consecutive
CJK characters of one, or 4 consecutive letters/digits of one; or when a symbol decodes to a masked payload.
"""

from __future__ import annotations

import re
from typing import List, Sequence, Set

import cv2
import numpy as np

from .types import Mask

_CJK = re.compile(r"[\u3400-\u9fff]")


def _norm(s: str) -> str:
    return re.sub(r"[\s\-_.,:;()（）：，/]", "", s).lower()


def leaks(read: str, value: str) -> bool:
    r, v = _norm(read), _norm(value)
    if not r or not v:
        return False
    rd, vd = re.sub(r"\D", "", r), re.sub(r"\D", "", v)
    if len(vd) >= 4:
        for i in range(len(vd) - 3):
            if vd[i:i + 4] in rd:
                return True
    vc = "".join(_CJK.findall(v))
    if len(vc) >= 2:
        for i in range(len(vc) - 1):
            if vc[i:i + 2] in r:
                return True
    if len(v) >= 4:
        for i in range(len(v) - 3):
            seg = v[i:i + 4]
            if "*" in seg or seg.isdigit():
                continue
            if seg in r:
                return True
    return False


def _crop(out: np.ndarray, poly: np.ndarray, margin: float):
    x0, y0 = np.floor(poly.min(axis=0) - margin).astype(int)
    x1, y1 = np.ceil(poly.max(axis=0) + margin).astype(int)
    x0, y0 = max(0, x0), max(0, y0)
    x1, y1 = min(out.shape[1], x1), min(out.shape[0], y1)
    if x1 - x0 < 4 or y1 - y0 < 4:
        return None
    return out[y0:y1, x0:x1]


def readable_masks(ocr, sym, out: np.ndarray, masks: Sequence[Mask], analysis) -> Set[int]:
    fields = analysis.fields
    values: List[List[str]] = []
    payloads: List[Set[str]] = []
    for m in masks:
        vs, ps = [], set()
        fids = list(m.fields)
        if m.source == "user":  # values of the fields this user mask covers
            poly = np.asarray(m.polygon, np.float32)
            for fi, f in enumerate(fields):
                for p in f.polygons:
                    c = np.asarray(p, np.float32).mean(axis=0)
                    if cv2.pointPolygonTest(poly, (float(c[0]), float(c[1])), False) >= 0:
                        fids.append(fi)
        for fi in fids:
            f = fields[fi]
            if f.value:
                vs.append(f.value)
            for si in f.symbols:
                if 0 <= si < len(analysis.symbols) and analysis.symbols[si].payload:
                    ps.add(analysis.symbols[si].payload)
        values.append(vs)
        payloads.append(ps)
    bad: Set[int] = set()
    for i, m in enumerate(masks):
        if not values[i] and not payloads[i]:
            continue
        poly = np.asarray(m.polygon, float)
        side = float(min(np.ptp(poly[:, 0]), np.ptp(poly[:, 1])))
        crop = _crop(out, poly, margin=max(2.0, side * 0.05))
        if crop is None:
            continue
        k = 2.0 if max(crop.shape[:2]) * 2 <= 2400 else 2400.0 / max(crop.shape[:2])
        up = cv2.resize(crop, None, fx=k, fy=k, interpolation=cv2.INTER_CUBIC)
        if values[i]:
            texts = []
            boxes = ocr.detect(up)
            if boxes:
                from .read import crop_quad, reading_quad

                d = poly[1] - poly[0] if len(poly) == 4 else np.array([1.0, 0.0])
                d = d / (np.linalg.norm(d) + 1e-9)
                quads = [reading_quad(np.asarray(b.quad, float), d) for b in boxes]
                texts = [r.text for r in ocr.recognize([crop_quad(up, q) for q in quads])]
            if any(leaks(t, v) for t in texts for v in values[i]):
                bad.add(i)
                continue
        if payloads[i]:
            for k2 in (1.0, 2.0):
                view = crop if k2 == 1.0 else up
                if any(r.payload in payloads[i] for r in sym.read(view)):
                    bad.add(i)
                    break
    return bad
