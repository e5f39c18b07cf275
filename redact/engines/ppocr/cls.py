"""PP-OCR text-line orientation classifier (0 vs 180 degrees), as PaddleOCR's ``TextClassifier`` runs it."""

from __future__ import annotations

import math
from collections.abc import Sequence

import cv2
import numpy as np

from .session import Model

CLS_SHAPE = (3, 48, 192)  # the classifier's input (channels, height, width): lines are resized into it
CLS_BATCH = 6  # lines per batch
LABELS = ("0", "180")


def cls_input(bgr: np.ndarray, shape: tuple[int, int, int] = CLS_SHAPE) -> np.ndarray:
    """One line (BGR) as the classifier reads it: resized to the input height keeping its aspect (at most
    the input width), (x / 255 - 0.5) / 0.5 in float32, CHW, right-padded with zeros."""
    c, h, w = shape
    ratio = bgr.shape[1] / float(bgr.shape[0])
    rw = min(math.ceil(h * ratio), w)
    img = cv2.resize(bgr, (rw, h), interpolation=cv2.INTER_LINEAR).astype("float32")
    img = img.transpose((2, 0, 1)) / 255
    img -= 0.5
    img /= 0.5
    out = np.zeros((c, h, w), dtype=np.float32)
    out[:, :, :rw] = img
    return out


class LineClassifier:
    def __init__(self, model: Model, batch: int = CLS_BATCH) -> None:
        self.model = model
        self.batch = batch

    def __call__(self, bgr: Sequence[np.ndarray]) -> list[tuple[str, float]]:
        """(label, probability) per line; lines are batched by aspect ratio, narrowest first."""
        order = np.argsort(np.array([im.shape[1] / float(im.shape[0]) for im in bgr]))
        out: list[tuple[str, float]] = [("", 0.0)] * len(bgr)
        for beg in range(0, len(bgr), self.batch):
            idx = order[beg: beg + self.batch]
            x = np.concatenate([cls_input(bgr[i])[np.newaxis, :] for i in idx]).astype(np.float32)
            prob = self.model(x)
            for i, p in zip(idx, prob):
                k = int(p.argmax())
                out[i] = (LABELS[k], float(p[k]))
        return out
