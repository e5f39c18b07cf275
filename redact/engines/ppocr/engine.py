"""The default OCR engine: PaddleOCR's PP-OCRv6 small det + rec and the text-line orientation classifier, run
with ONNX Runtime by our own thin PP-OCR code, over the model files the ``rapidocr`` 3.10 wheel ships (checked
against models/manifest.json). One session per model, created once.

Our settings differ from PaddleOCR's defaults: detection never resizes behind the caller's back (the pipeline
chooses the resolution), no line is dropped for a low score (privacy decides later, not the engine), short lines
are not padded to 320 px, and a long curved line gets a second chance in detection (det.py).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

import numpy as np

from ..base import DetBox, RecResult
from ..models import verify
from .cls import LineClassifier
from .det import DBPostProcess, det_input
from .rec import REC_H, Recognizer, width_batches
from .session import Model, ort_session

log = logging.getLogger(__name__)

DET_MODEL = "PP-OCRv6_det_small"
REC_MODEL = "PP-OCRv6_rec_small"
CLS_MODEL = "ch_ppocr_mobile_v2.0_cls"
DET_LIMIT_SIDE = 8192  # detection shrinks only images longer than this (then to this)


class PPOCREngine:
    name = "ppocr-onnx/PP-OCRv6-small"

    def __init__(self, threads: int = 2, det_box_thresh: float = 0.45, det_unclip: float = 1.6, spin: bool = False):
        paths = {m: verify(m) for m in (DET_MODEL, REC_MODEL, CLS_MODEL)}
        # the arena keeps the largest block it ever served: right for rec and cls (small inputs of similar
        # size), wrong for det (see session.ort_session)
        self._det = Model(ort_session(paths[DET_MODEL], threads, arena=False, spin=spin))
        self._rec = Recognizer(Model(ort_session(paths[REC_MODEL], threads, arena=True, spin=spin)), REC_H)
        self._cls = LineClassifier(Model(ort_session(paths[CLS_MODEL], threads, arena=True, spin=spin)))
        self._post = DBPostProcess(thresh=0.3, box_thresh=det_box_thresh, unclip_ratio=det_unclip)
        self._lock = threading.Lock()  # one model runs at a time (the cores are shared)

    # -- detection -------------------------------------------------------------------------------
    def detect(self, image: np.ndarray) -> list[DetBox]:
        """Text line quads (clockwise from top-left) with their scores, in detection order (unsorted)."""
        with self._lock:
            x = det_input(image, DET_LIMIT_SIDE, "max")
            if x is None:
                return []
            pred = self._det(x)
            boxes, scores = self._post(pred, image.shape[:2])
        return [
            DetBox(quad=tuple((float(x), float(y)) for x, y in box), score=float(s))
            for box, s in zip(boxes, scores)
        ]

    # -- 0/180 classification ------------------------------------------------------------------------
    def upside_down(self, crops: Sequence[np.ndarray]) -> list[tuple[bool, float]]:
        """For each horizontal line crop (RGB): (is it upside down, confidence)."""
        if not crops:
            return []
        bgr = [np.ascontiguousarray(c[:, :, ::-1]) for c in crops]
        with self._lock:
            res = self._cls(bgr)
        return [("180" in lab, float(sc)) for lab, sc in res]

    # -- recognition ---------------------------------------------------------------------------------
    def recognize(self, crops: Sequence[np.ndarray]) -> list[RecResult]:
        """Read line crops (RGB); lines of similar width share a batch. An empty crop reads as nothing."""
        if not crops:
            return []
        bgr = [np.ascontiguousarray(c[:, :, ::-1]) for c in crops]
        results: list[RecResult] = [RecResult(text="", score=0.0)] * len(bgr)
        live = [i for i, c in enumerate(bgr) if c.shape[0] > 0 and c.shape[1] > 0]
        for batch in width_batches([bgr[i].shape[1] / bgr[i].shape[0] for i in live]):
            idx = [live[k] for k in batch]
            with self._lock:
                out = self._rec([bgr[i] for i in idx])
            for i, r in zip(idx, out):
                results[i] = r
        return results
