"""The OCR engine protocol. A backend is one file (or one folder) implementing ``TextEngine``.

The pipeline detects text on a low-resolution overview (to find labels), then detects and recognises on
rectified, upright label crops at reading resolution. Engines therefore expose detection and recognition
separately; all images are HxWx3 uint8 RGB numpy arrays.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Protocol, Sequence, Tuple, runtime_checkable

import numpy as np


@dataclass(frozen=True)
class DetBox:
    quad: Tuple[Tuple[float, float], ...]  # 4 points, image coords, clockwise from top-left of the text
    score: float


@dataclass(frozen=True)
class RecResult:
    text: str
    score: float
    # For each character of ``text``: (x0, x1) as fractions [0, 1] of the line crop's width.
    # Empty when the engine gives no positions (the pipeline then splits proportionally).
    char_spans: Tuple[Tuple[float, float], ...] = ()
    char_scores: Tuple[float, ...] = ()


@runtime_checkable
class TextEngine(Protocol):
    name: str

    def detect(self, image: np.ndarray) -> List[DetBox]:
        """Text line quads in ``image`` coordinates, at the image's own resolution (no hidden resizing
        beyond what the engine needs; callers choose the resolution)."""
        ...

    def recognize(self, crops: Sequence[np.ndarray]) -> List[RecResult]:
        """Read horizontal line crops (already upright or 180-flipped; the engine may fix 180)."""
        ...

    def upside_down(self, crops: Sequence[np.ndarray]) -> List[Tuple[bool, float]]:
        """For each horizontal line crop: (is it upside down, the classifier's confidence). The reader votes
        with it on a region's direction (0 vs 180 degrees)."""
        ...
