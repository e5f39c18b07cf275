"""Default OCR backend: PaddleOCR's PP-OCRv6 small det + rec and the text-line orientation classifier,
run with ONNX Runtime through ``rapidocr`` 3.10, whose wheel carries the model files.

rapidocr's own defaults are overridden: it never resizes behind our back (the pipeline chooses the
resolution), and no line is dropped for a low score (privacy decides later, not the engine).
"""

from __future__ import annotations

import logging
import threading
from typing import List, Sequence, Tuple

import numpy as np

from ..models import verify_rapidocr_models
from .base import DetBox, RecResult

log = logging.getLogger(__name__)


class RapidEngine:
    name = "rapidocr-3.10/PP-OCRv6-small"

    def __init__(self, threads: int = 2, det_box_thresh: float = 0.45, det_unclip: float = 1.6):
        verify_rapidocr_models()
        logging.getLogger("RapidOCR").setLevel(logging.ERROR)
        from rapidocr import RapidOCR

        params = {
            "Global.log_level": "error",
            "Global.text_score": 0.0,
            "Global.use_preprocess_img": False,
            "Det.limit_type": "max",
            "Det.limit_side_len": 8192,
            "Det.box_thresh": det_box_thresh,
            "Det.unclip_ratio": det_unclip,
            "EngineConfig.onnxruntime.intra_op_num_threads": int(threads),
            "EngineConfig.onnxruntime.inter_op_num_threads": 1,
        }
        self._ocr = RapidOCR(params=params)
        self._det = self._ocr._load_det_model()
        self._cls = self._ocr._load_cls_model()
        self._rec = self._ocr._load_rec_model()
        self._lock = threading.Lock()

    # -- detection -------------------------------------------------------------------------------
    def detect(self, image: np.ndarray) -> List[DetBox]:
        # rapidocr's TextDetector sorts its boxes but not their scores: run its stages ourselves, unsorted
        bgr = np.ascontiguousarray(image[:, :, ::-1])
        with self._lock:
            pre = self._det.get_preprocess()(bgr)
            if pre is None:
                return []
            preds = self._det.session(pre)
            boxes, scores = self._det.postprocess_op(preds, bgr.shape[:2])
        if boxes is None or len(boxes) == 0:
            return []
        return [
            DetBox(quad=tuple((float(x), float(y)) for x, y in box), score=float(s))
            for box, s in zip(boxes, scores)
        ]

    # -- 0/180 classification ------------------------------------------------------------------------
    def upside_down(self, crops: Sequence[np.ndarray]) -> List[Tuple[bool, float]]:
        """For each horizontal line crop (RGB): (is it upside down, confidence)."""
        if not crops:
            return []
        bgr = [np.ascontiguousarray(c[:, :, ::-1]) for c in crops]
        with self._lock:
            res = self._cls(bgr)
        return [("180" in lab, float(sc)) for lab, sc in res.cls_res]

    # -- recognition ---------------------------------------------------------------------------------
    def recognize(self, crops: Sequence[np.ndarray]) -> List[RecResult]:
        if not crops:
            return []
        from rapidocr.ch_ppocr_rec import TextRecInput

        bgr = [np.ascontiguousarray(c[:, :, ::-1]) for c in crops]
        with self._lock:
            out = self._rec(TextRecInput(img=bgr, return_word_box=True))
        results = []
        for txt, score, winfo in zip(out.txts, out.scores, out.word_results):
            spans, cscores = _char_spans(txt, winfo)
            results.append(RecResult(text=txt, score=float(score), char_spans=spans, char_scores=cscores))
        return results


def _char_spans(text: str, winfo) -> Tuple[Tuple[Tuple[float, float], ...], Tuple[float, ...]]:
    """Per-character (x0, x1) fractions of the crop width, from the CTC column of each decoded char."""
    if not text or winfo is None or not getattr(winfo, "word_cols", None) or not winfo.line_txt_len:
        return (), ()
    cols = [c for wc in winfo.word_cols for c in wc]
    nonspace = [i for i, ch in enumerate(text) if not ch.isspace()]
    if len(cols) != len(nonspace):
        return (), ()
    total = float(winfo.line_txt_len)
    centers = [(c + 0.5) / total for c in cols]
    gaps = np.diff(centers) if len(centers) > 1 else np.array([1.0 / max(1, len(text))])
    typical = float(np.median(gaps)) if len(gaps) else 0.05
    n = len(text)
    x0 = [0.0] * n
    x1 = [0.0] * n
    for k, i in enumerate(nonspace):
        left = (centers[k - 1] + centers[k]) / 2 if k > 0 else centers[k] - typical / 2
        right = (centers[k] + centers[k + 1]) / 2 if k + 1 < len(centers) else centers[k] + typical / 2
        # a character after a wide gap (space) is not wider than a typical one
        left = max(left, centers[k] - typical * 0.75)
        right = min(right, centers[k] + typical * 0.75)
        x0[i], x1[i] = max(0.0, left), min(1.0, right)
    for i in range(n):  # spaces fill the gap between neighbours
        if text[i].isspace():
            prev_end = x1[i - 1] if i > 0 else 0.0
            nxt = next((x0[j] for j in range(i + 1, n) if not text[j].isspace()), 1.0)
            x0[i], x1[i] = prev_end, max(prev_end, nxt)
    confs = list(getattr(winfo, "confs", []) or [])
    cscores: List[float] = [1.0] * n
    if len(confs) == len(nonspace):
        for k, i in enumerate(nonspace):
            cscores[i] = float(confs[k])
    return tuple(zip(x0, x1)), tuple(cscores)
