"""Default OCR backend: PaddleOCR's PP-OCRv6 small det + rec and the text-line orientation classifier,
run with ONNX Runtime through ``rapidocr`` 3.10, whose wheel carries the model files.

rapidocr's own defaults are overridden: it never resizes behind our back (the pipeline chooses the
resolution), and no line is dropped for a low score (privacy decides later, not the engine).
"""

from __future__ import annotations

import logging
import os
import threading
import types
from typing import List, Sequence, Tuple

import numpy as np

from .models import verify, verify_rapidocr_models
from .base import DetBox, RecResult

log = logging.getLogger(__name__)

REC_H = 48  # the recogniser's input height
REC_BATCH = 8  # lines per recognition batch at most
SPIN = os.environ.get("REDACT_ORT_SPIN", "0") == "1"  # ONNX Runtime's busy-waiting threads (its default)
REC_WIDTH_TOL = 1.3  # lines batched together differ in width by at most this factor (padding is work)


class RapidEngine:
    name = "rapidocr-3.10/PP-OCRv6-small"

    def __init__(self, threads: int = 2, det_box_thresh: float = 0.45, det_unclip: float = 1.6, spin: bool = SPIN):
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
            # rapidocr's own sessions are kept only with spin=True (otherwise replaced below, see _session)
            "EngineConfig.onnxruntime.enable_cpu_mem_arena": True,
            # no padding of short lines to 320 px (PaddleOCR's training width): they are batched with
            # lines of similar width instead (see recognize), which reads the same text for less work
            "Rec.rec_img_shape": [3, REC_H, REC_H],
            "Rec.rec_batch_num": REC_BATCH,
        }
        self._ocr = RapidOCR(params=params)
        self._det = self._ocr._load_det_model()
        self._cls = self._ocr._load_cls_model()
        self._rec = self._ocr._load_rec_model()
        if not spin:
            # the arena keeps the largest block it ever served: right for rec and cls (small inputs of similar
            # size), wrong for det, whose inputs range from a 1024 px overview to 2400 px windows (the arena
            # held ~1 GB after one big window)
            for part, name, arena in ((self._det, "PP-OCRv6_det_small", False),
                                      (self._rec, "PP-OCRv6_rec_small", True),
                                      (self._cls, "ch_ppocr_mobile_v2.0_cls", True)):
                part.session.session = _session(verify(name), threads, arena)
        # a long line's score from its own contour when its bounding rectangle's falls short: a curved
        # line's rectangle is mostly paper (a bent address line vanished whole)
        post = self._det.postprocess_op
        post.boxes_from_bitmap = types.MethodType(_boxes_from_bitmap, post)
        # the CTC decoder's best score per column read off at the best index (one pass over the ~18,700
        # classes less than rapidocr's argmax + max; the same numbers)
        self._rec.postprocess_op = _CTCDecode(self._rec.postprocess_op)
        self._lock = threading.Lock()

    # -- detection -------------------------------------------------------------------------------
    def detect(self, image: np.ndarray) -> List[DetBox]:
        # rapidocr's TextDetector sorts its boxes but not their scores: run its stages ourselves, unsorted
        with self._lock:
            pre = self._det_input(image)
            if pre is None:
                return []
            preds = self._det.session(pre)
            boxes, scores = self._det.postprocess_op(preds, image.shape[:2])
        if boxes is None or len(boxes) == 0:
            return []
        return [
            DetBox(quad=tuple((float(x), float(y)) for x, y in box), score=float(s))
            for box, s in zip(boxes, scores)
        ]

    def _det_input(self, rgb: np.ndarray):
        """The detector's input tensor, as rapidocr's ``DetPreProcess`` makes it from the BGR image (resized to
        multiples of 32, (x / 255 - 0.5) / 0.5, CHW), bit for bit, but in float32 and straight from the RGB
        array: rapidocr computes it in float64 and transposes it to a strided copy (~25 ms on a 1000 px
        overview, on the critical path; this takes ~5 ms)."""
        pre = self._det.get_preprocess()
        if not (np.all(pre.mean == 0.5) and np.all(pre.std == 0.5) and pre.scale == 1 / 255.0):
            return pre(np.ascontiguousarray(rgb[:, :, ::-1]))  # other normalisations: rapidocr's own path
        h, w = rgb.shape[:2]
        ratio = 1.0
        if pre.limit_type == "max" and max(h, w) > pre.limit_side_len:
            ratio = float(pre.limit_side_len) / max(h, w)
        elif pre.limit_type != "max" and min(h, w) < pre.limit_side_len:
            ratio = float(pre.limit_side_len) / min(h, w)
        rh, rw = int(round(int(h * ratio) / 32) * 32), int(round(int(w * ratio) / 32) * 32)
        if rh <= 0 or rw <= 0:
            return None
        import cv2

        img = rgb if (rh, rw) == (h, w) else cv2.resize(rgb, (rw, rh))
        out = np.empty((1, 3, rh, rw), np.float32)
        for co, ci in enumerate((2, 1, 0)):  # the model reads BGR
            ch = out[0, co]
            # (x * f32(1/255) - 0.5) is exact in float32 wherever float64 is, and / 0.5 is * 2: the same bits
            np.multiply(img[:, :, ci], np.float32(pre.scale), out=ch, dtype=np.float32)
            ch -= np.float32(0.5)
            ch *= np.float32(2.0)
        return out

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
        results: List[RecResult] = [RecResult(text="", score=0.0)] * len(bgr)
        for batch in width_batches([c.shape[1] / max(1, c.shape[0]) for c in bgr]):
            with self._lock:
                out = self._rec(TextRecInput(img=[bgr[i] for i in batch], return_word_box=True))
            for i, txt, score, winfo in zip(batch, out.txts, out.scores, out.word_results):
                spans, cscores = _char_spans(txt, winfo)
                results[i] = RecResult(text=txt, score=float(score), char_spans=spans, char_scores=cscores)
        return results


class _CTCDecode:
    """rapidocr 3.10's ``CTCLabelDecode.__call__``, with the column maxima read off at the argmax."""

    def __init__(self, inner) -> None:
        self.inner = inner

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def __call__(self, preds: np.ndarray, return_word_box: bool = False, **kwargs):
        idx = preds.argmax(axis=2)
        prob = np.take_along_axis(preds, idx[..., None], axis=2)[..., 0]
        return self.inner.decode(idx, prob, return_word_box, kwargs.get("wh_ratio_list", (1.0,)),
                                 kwargs.get("max_wh_ratio", 1.0), remove_duplicate=True)


CURVED_ELONGATION = 6.0  # contours this much longer than wide get the contour score as a second chance


def _boxes_from_bitmap(self, pred: np.ndarray, bitmap: np.ndarray, dest_width: int, dest_height: int):
    """rapidocr 3.10's ``DBPostProcess.boxes_from_bitmap`` with one change: a long contour whose rectangle
    scores under ``box_thresh`` is scored again on the contour itself (short blobs keep the rectangle's
    score, so texture specks stay out)."""
    import cv2

    height, width = bitmap.shape
    outs = cv2.findContours((bitmap * 255).astype(np.uint8), cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    contours = outs[1] if len(outs) == 3 else outs[0]
    boxes, scores = [], []
    for contour in contours[: self.max_candidates]:
        points, sside = self.get_mini_boxes(contour)
        if sside < self.min_size:
            continue
        score = self.box_score_fast(pred, points.reshape(-1, 2))
        if score < self.box_thresh:
            long_ = float(max(np.linalg.norm(points[1] - points[0]), np.linalg.norm(points[3] - points[0])))
            if long_ < CURVED_ELONGATION * sside:
                continue
            score = self.box_score_slow(pred, contour)
            if score < self.box_thresh:
                continue
        box, sside = self.get_mini_boxes(self.unclip(points))
        if sside < self.min_size + 2:
            continue
        box[:, 0] = np.clip(np.round(box[:, 0] / width * dest_width), 0, dest_width)
        box[:, 1] = np.clip(np.round(box[:, 1] / height * dest_height), 0, dest_height)
        boxes.append(box.astype(np.int32))
        scores.append(score)
    return np.array(boxes, dtype=np.int32), scores


def _session(path, threads: int, arena: bool = True):
    """An ONNX Runtime session whose idle threads sleep rather than spin: the symbol decoding, the renderer
    and the encoder run beside the OCR on the same cores, and spinning threads only take their time."""
    from onnxruntime import GraphOptimizationLevel, InferenceSession, SessionOptions

    so = SessionOptions()
    so.log_severity_level = 4
    so.enable_cpu_mem_arena = bool(arena)
    so.graph_optimization_level = GraphOptimizationLevel.ORT_ENABLE_ALL
    so.intra_op_num_threads = int(threads)
    so.inter_op_num_threads = 1
    so.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return InferenceSession(str(path), sess_options=so, providers=["CPUExecutionProvider"])


def width_batches(ratios: Sequence[float], tol: float = REC_WIDTH_TOL, most: int = REC_BATCH) -> List[List[int]]:
    """Indices grouped into recognition batches of similar width (every line of a batch is padded to the
    widest): sorted by width, a batch closes at ``most`` lines or when a line is ``tol`` x its first."""
    order = sorted(range(len(ratios)), key=lambda i: ratios[i])
    batches: List[List[int]] = []
    for i in order:
        if batches and len(batches[-1]) < most and ratios[i] <= tol * max(1e-6, ratios[batches[-1][0]]):
            batches[-1].append(i)
        else:
            batches.append([i])
    return batches


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
