"""PP-OCR text recognition (SVTR + CTC): line pre-processing, batching by width, greedy CTC decoding, and the
position of every character (its CTC column) as a fraction of the line crop's width."""

from __future__ import annotations

import math
from collections.abc import Sequence

import cv2
import numpy as np

from ..base import RecResult
from .session import Model

REC_H = 48  # the recogniser's input height
REC_BATCH = 8  # lines per recognition batch at most
REC_WIDTH_TOL = 1.3  # lines batched together differ in width by at most this factor (padding is work)
# the narrowest input, as a width/height ratio: 1, i.e. short lines are not padded to 320 px (PaddleOCR's
# training width); they are batched with lines of similar width instead, which reads the same text for less
MIN_WH_RATIO = 1.0


def width_batches(ratios: Sequence[float], tol: float = REC_WIDTH_TOL, most: int = REC_BATCH) -> list[list[int]]:
    """Indices grouped into recognition batches of similar width (every line of a batch is padded to the
    widest): sorted by width, a batch closes at ``most`` lines or when a line is ``tol`` x its first."""
    order = sorted(range(len(ratios)), key=lambda i: ratios[i])
    batches: list[list[int]] = []
    for i in order:
        if batches and len(batches[-1]) < most and ratios[i] <= tol * max(1e-6, ratios[batches[-1][0]]):
            batches[-1].append(i)
        else:
            batches.append([i])
    return batches


def rec_input(bgr: np.ndarray, wh_ratio: float, height: int = REC_H) -> np.ndarray:
    """One line (BGR) as the recogniser reads it in a batch padded to ``wh_ratio``: resized to ``height``
    keeping its aspect, (x / 255 - 0.5) / 0.5 in float32, CHW, right-padded with zeros."""
    width = int(height * wh_ratio)
    ratio = bgr.shape[1] / float(bgr.shape[0])
    rw = min(math.ceil(height * ratio), width)
    img = cv2.resize(bgr, (rw, height)).astype("float32")
    img = img.transpose((2, 0, 1)) / 255
    img -= 0.5
    img /= 0.5
    out = np.zeros((bgr.shape[2], height, width), dtype=np.float32)
    out[:, :, 0:rw] = img
    return out


def model_charset(model: Model) -> list[str]:
    """The recogniser's classes: CTC blank, the dictionary stored in the model file, then a space."""
    chars = model.metadata("character").splitlines()
    if not chars:
        from ...errors import EngineError

        raise EngineError("the recognition model carries no character list")
    return ["blank"] + chars + [" "]


class CTCDecoder:
    """Greedy CTC: the best class per column, repeats merged, blanks dropped. A character's score is its
    column's probability (rounded to 5 places, as PaddleOCR reports them), the line's their mean."""

    def __init__(self, charset: Sequence[str]) -> None:
        self.charset = list(charset)

    def __call__(self, preds: np.ndarray, wh_ratios: Sequence[float], max_wh_ratio: float) -> list[RecResult]:
        idx = preds.argmax(axis=2)
        prob = np.take_along_axis(preds, idx[..., None], axis=2)[..., 0]
        out = []
        for b in range(len(idx)):
            tokens = idx[b]
            keep = np.ones(len(tokens), dtype=bool)
            keep[1:] = tokens[1:] != tokens[:-1]
            keep &= tokens != 0
            confs = [round(c, 5) for c in np.array(prob[b][keep]).tolist()]
            text = "".join(self.charset[t] for t in tokens[keep])
            score = float(np.mean(confs or [0]).round(5).tolist())
            cols = np.where(keep)[0]
            # the line's own width in columns (the batch is padded to its widest line)
            line_cols = len(tokens) * wh_ratios[b] / max_wh_ratio
            spans, cscores = char_spans(text, cols, line_cols, confs)
            out.append(RecResult(text=text, score=score, char_spans=spans, char_scores=cscores))
        return out


def char_spans(text: str, cols: np.ndarray, line_cols: float,
               confs: Sequence[float]) -> tuple[tuple[tuple[float, float], ...], tuple[float, ...]]:
    """Per-character (x0, x1) fractions of the crop width, from the CTC column of each decoded char, and the
    characters' scores (spaces: 1.0)."""
    if not text or len(cols) == 0 or not line_cols:
        return (), ()
    nonspace = [i for i, ch in enumerate(text) if not ch.isspace()]
    if not nonspace:
        return (), ()
    if len(cols) != len(text):
        return (), ()
    cols = [int(cols[i]) for i in nonspace]
    total = float(line_cols)
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
    cscores: list[float] = [1.0] * n
    # ``confs`` holds one score per decoded column, spaces included: it lines up with the non-space
    # characters only on a line without spaces (a line with spaces keeps 1.0 throughout, as before)
    if len(confs) == len(nonspace):
        for k, i in enumerate(nonspace):
            cscores[i] = float(confs[k])
    return tuple(zip(x0, x1)), tuple(cscores)


class Recognizer:
    def __init__(self, model: Model, height: int = REC_H) -> None:
        self.model = model
        self.height = height
        self.decode = CTCDecoder(model_charset(model))

    def __call__(self, bgr: Sequence[np.ndarray]) -> list[RecResult]:
        """Read one batch of lines (BGR), padded to the widest; narrowest first in the tensor."""
        ratios = [im.shape[1] / float(im.shape[0]) for im in bgr]
        order = np.argsort(np.array(ratios))
        max_wh = max([MIN_WH_RATIO] + ratios)
        x = np.concatenate([rec_input(bgr[i], max_wh, self.height)[np.newaxis, :] for i in order]).astype(np.float32)
        res = self.decode(self.model(x), [ratios[i] for i in order], max_wh)
        out: list[RecResult] = [RecResult(text="", score=0.0)] * len(bgr)
        for i, r in zip(order, res):
            out[i] = r
        return out
