"""PP-OCR text detection (DB, "Differentiable Binarization"): pre-processing and post-processing.

The computation is PaddleOCR's DB detector as rapidocr 3.10 runs it (``ch_ppocr_det``), with our settings: the
image is never resized beyond rounding to multiples of 32 (the pipeline chooses the resolution), and a long
curved line gets its contour score as a second chance (see ``DBPostProcess.boxes``).
"""

from __future__ import annotations

import math

import cv2
import numpy as np

CURVED_ELONGATION = 6.0  # contours this much longer than wide get the contour score as a second chance


def det_input(rgb: np.ndarray, limit_side_len: int = 8192, limit_type: str = "max") -> np.ndarray | None:
    """The detector's input tensor (1x3xHxW float32, BGR channel order) from an RGB image: resized to
    multiples of 32, (x / 255 - 0.5) / 0.5. Bit for bit the tensor PaddleOCR's ``DetResizeForTest`` +
    ``NormalizeImage`` make from the BGR image in float64, but computed in float32 straight from the RGB
    array (~5 ms on a 1000 px overview instead of ~25 ms). None when the image rounds to nothing."""
    h, w = rgb.shape[:2]
    ratio = 1.0
    if limit_type == "max" and max(h, w) > limit_side_len:
        ratio = float(limit_side_len) / max(h, w)
    elif limit_type != "max" and min(h, w) < limit_side_len:
        ratio = float(limit_side_len) / min(h, w)
    rh, rw = int(round(int(h * ratio) / 32) * 32), int(round(int(w * ratio) / 32) * 32)
    if rh <= 0 or rw <= 0:
        return None
    img = rgb if (rh, rw) == (h, w) else cv2.resize(rgb, (rw, rh))
    out = np.empty((1, 3, rh, rw), np.float32)
    for co, ci in enumerate((2, 1, 0)):  # the model reads BGR
        ch = out[0, co]
        # (x * f32(1/255) - 0.5) is exact in float32 wherever float64 is, and / 0.5 is * 2: the same bits
        np.multiply(img[:, :, ci], np.float32(1 / 255.0), out=ch, dtype=np.float32)
        ch -= np.float32(0.5)
        ch *= np.float32(2.0)
    return out


def mini_box(contour: np.ndarray) -> tuple[np.ndarray, float]:
    """The contour's minimum-area rectangle as 4 points (top-left, top-right, bottom-right, bottom-left by
    the x-then-y rule of PaddleOCR's ``get_mini_boxes``) and its short side."""
    rect = cv2.minAreaRect(contour)
    pts = sorted(cv2.boxPoints(rect), key=lambda p: p[0])  # stable: ties keep boxPoints' order
    i1, i4 = (0, 1) if pts[1][1] > pts[0][1] else (1, 0)
    i2, i3 = (2, 3) if pts[3][1] > pts[2][1] else (3, 2)
    return np.array([pts[i1], pts[i2], pts[i3], pts[i4]]), min(rect[1])


def box_score(prob: np.ndarray, box: np.ndarray) -> float:
    """Mean probability inside a (float) quad, over its bounding rectangle's pixels filled by the quad."""
    h, w = prob.shape[:2]
    box = box.copy()
    xmin = np.clip(np.floor(box[:, 0].min()).astype(np.int32), 0, w - 1)
    xmax = np.clip(np.ceil(box[:, 0].max()).astype(np.int32), 0, w - 1)
    ymin = np.clip(np.floor(box[:, 1].min()).astype(np.int32), 0, h - 1)
    ymax = np.clip(np.ceil(box[:, 1].max()).astype(np.int32), 0, h - 1)
    mask = np.zeros((ymax - ymin + 1, xmax - xmin + 1), dtype=np.uint8)
    box[:, 0] = box[:, 0] - xmin
    box[:, 1] = box[:, 1] - ymin
    cv2.fillPoly(mask, box.reshape(1, -1, 2).astype(np.int32), 1)
    return cv2.mean(prob[ymin: ymax + 1, xmin: xmax + 1], mask)[0]


def contour_score(prob: np.ndarray, contour: np.ndarray) -> float:
    """Mean probability inside the contour itself (a curved line's rectangle is mostly paper)."""
    h, w = prob.shape[:2]
    c = np.reshape(contour.copy(), (-1, 2))
    xmin = np.clip(np.min(c[:, 0]), 0, w - 1)
    xmax = np.clip(np.max(c[:, 0]), 0, w - 1)
    ymin = np.clip(np.min(c[:, 1]), 0, h - 1)
    ymax = np.clip(np.max(c[:, 1]), 0, h - 1)
    mask = np.zeros((ymax - ymin + 1, xmax - xmin + 1), dtype=np.uint8)
    c[:, 0] = c[:, 0] - xmin
    c[:, 1] = c[:, 1] - ymin
    cv2.fillPoly(mask, c.reshape(1, -1, 2).astype(np.int32), 1)
    return cv2.mean(prob[ymin: ymax + 1, xmin: xmax + 1], mask)[0]


def ring_area_length(box: np.ndarray) -> tuple[float, float]:
    """Area and perimeter of a closed polygon, in float64, summed in the order GEOS (shapely) sums them
    (the unclip distance depends on them; the same order gives the same bits)."""
    p = [(float(x), float(y)) for x, y in box]
    p.append(p[0])
    x0 = p[0][0]
    s = 0.0
    for i in range(1, len(p) - 1):
        s += (p[i][0] - x0) * (p[i - 1][1] - p[i + 1][1])
    length = 0.0
    for i in range(1, len(p)):
        dx, dy = p[i][0] - p[i - 1][0], p[i][1] - p[i - 1][1]
        length += math.sqrt(dx * dx + dy * dy)
    return abs(s / 2.0), length


def unclip(box: np.ndarray, ratio: float) -> np.ndarray:
    """The shrunk text kernel grown back: offset outward by area * ratio / perimeter (round joins)."""
    import pyclipper

    area, length = ring_area_length(box)
    distance = area * ratio / length
    offset = pyclipper.PyclipperOffset()
    offset.AddPath(box, pyclipper.JT_ROUND, pyclipper.ET_CLOSEDPOLYGON)
    return np.array(offset.Execute(distance)).reshape((-1, 1, 2))


def order_clockwise(pts: np.ndarray) -> np.ndarray:
    """Top-left, top-right, bottom-right, bottom-left (left pair and right pair by x, each by y)."""
    xs = pts[np.argsort(pts[:, 0]), :]
    left, right = xs[:2, :], xs[2:, :]
    tl, bl = left[np.argsort(left[:, 1]), :]
    tr, br = right[np.argsort(right[:, 1]), :]
    return np.array([tl, tr, br, bl], dtype="float32")


class DBPostProcess:
    """Probability map -> text quads with scores, in the input image's coordinates."""

    def __init__(self, thresh: float = 0.3, box_thresh: float = 0.45, unclip_ratio: float = 1.6,
                 max_candidates: int = 1000, dilate: bool = True) -> None:
        self.thresh = thresh
        self.box_thresh = box_thresh
        self.unclip_ratio = unclip_ratio
        self.max_candidates = max_candidates
        self.min_size = 3
        self.kernel = np.array([[1, 1], [1, 1]]) if dilate else None

    def __call__(self, pred: np.ndarray, shape: tuple[int, int]) -> tuple[list[np.ndarray], list[float]]:
        """``pred``: the model's 1x1xhxw output; ``shape``: (H, W) of the image the caller passed."""
        src_h, src_w = shape
        prob = pred[0, 0, :, :]
        bitmap = prob > self.thresh
        if self.kernel is not None:
            bitmap = cv2.dilate(np.array(bitmap).astype(np.uint8), self.kernel)
        boxes, scores = self.boxes(prob, bitmap, src_w, src_h)
        out_boxes, out_scores = [], []
        for box, score in zip(boxes, scores):
            box = order_clockwise(box)
            for p in range(box.shape[0]):
                box[p, 0] = int(min(max(box[p, 0], 0), src_w - 1))
                box[p, 1] = int(min(max(box[p, 1], 0), src_h - 1))
            if int(np.linalg.norm(box[0] - box[1])) <= 3 or int(np.linalg.norm(box[0] - box[3])) <= 3:
                continue
            out_boxes.append(box)
            out_scores.append(score)
        return out_boxes, out_scores

    def boxes(self, prob: np.ndarray, bitmap: np.ndarray, dest_w: int, dest_h: int):
        """Contours of the binarised map -> min-area rectangles scored on the probability map, unclipped and
        scaled to the destination size. One change from PaddleOCR: a long contour whose rectangle scores
        under ``box_thresh`` is scored again on the contour itself (short blobs keep the rectangle's score, so
        texture specks stay out; a bent address line's rectangle is mostly paper and it vanished whole)."""
        height, width = bitmap.shape
        outs = cv2.findContours((bitmap * 255).astype(np.uint8), cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
        contours = outs[1] if len(outs) == 3 else outs[0]
        boxes, scores = [], []
        for contour in contours[: self.max_candidates]:
            points, sside = mini_box(contour)
            if sside < self.min_size:
                continue
            score = box_score(prob, points.reshape(-1, 2))
            if score < self.box_thresh:
                long_ = float(max(np.linalg.norm(points[1] - points[0]), np.linalg.norm(points[3] - points[0])))
                if long_ < CURVED_ELONGATION * sside:
                    continue
                score = contour_score(prob, contour)
                if score < self.box_thresh:
                    continue
            box, sside = mini_box(unclip(points, self.unclip_ratio))
            if sside < self.min_size + 2:
                continue
            box[:, 0] = np.clip(np.round(box[:, 0] / width * dest_w), 0, dest_w)
            box[:, 1] = np.clip(np.round(box[:, 1] / height * dest_h), 0, dest_h)
            boxes.append(box.astype(np.int32))
            scores.append(score)
        return boxes, scores
