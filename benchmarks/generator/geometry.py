"""Geometric mappings shared by pixels and points (so truth polygons move exactly with the ink).

Convention: OpenCV pixel-centre coordinates (pixel (i, j) has its centre at x=j, y=i).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


def apply_h(H: np.ndarray, pts: np.ndarray) -> np.ndarray:
    pts = np.asarray(pts, np.float64).reshape(-1, 2)
    p = np.hstack([pts, np.ones((len(pts), 1))]) @ H.T
    return p[:, :2] / p[:, 2:3]


def translation(tx: float, ty: float) -> np.ndarray:
    return np.array([[1, 0, tx], [0, 1, ty], [0, 0, 1]], np.float64)


def camera_quad(
    w: float, h: float, roll: float, pitch: float, yaw: float, fov_deg: float = 65.0
) -> np.ndarray:
    """Project a w x h flat rectangle seen by a pinhole camera after 3-D rotation (degrees).
    Returns 4 image points (TL, TR, BR, BL), centred near the origin, unscaled."""
    r, p, y = np.radians([roll, pitch, yaw])
    Rx = np.array([[1, 0, 0], [0, np.cos(p), -np.sin(p)], [0, np.sin(p), np.cos(p)]])
    Ry = np.array([[np.cos(y), 0, np.sin(y)], [0, 1, 0], [-np.sin(y), 0, np.cos(y)]])
    Rz = np.array([[np.cos(r), -np.sin(r), 0], [np.sin(r), np.cos(r), 0], [0, 0, 1]])
    R = Rz @ Ry @ Rx
    pts = np.array([[-w / 2, -h / 2, 0], [w / 2, -h / 2, 0], [w / 2, h / 2, 0], [-w / 2, h / 2, 0]])
    f = (max(w, h) * 0.9) / np.tan(np.radians(fov_deg) / 2)
    cam = pts @ R.T + np.array([0, 0, f * 1.1])
    return cam[:, :2] * f / cam[:, 2:3]


@dataclass(frozen=True)
class Curve:
    """A label wrapped on a cylinder (bag / bottle), seen from slightly above or below.

    axis "x": the label bends left-right (cylinder axis vertical). ``radius`` and ``sag`` in label pixels;
    (cx, cy) is the label centre. Forward and inverse are analytic.
    """

    radius: float
    sag: float
    cx: float
    cy: float
    axis: str = "x"
    wobble: float = 0.0  # amplitude (px) of a gentle wave along the other axis
    wobble_period: float = 1.0

    def _fwd(self, u: np.ndarray, v: np.ndarray, cu: float) -> tuple[np.ndarray, np.ndarray]:
        th = (u - cu) / self.radius
        u2 = cu + self.radius * np.sin(th)
        v2 = v + self.sag * (1 - np.cos(th)) + self.wobble * np.sin(2 * np.pi * u / self.wobble_period)
        return u2, v2

    def _inv(self, u2: np.ndarray, v2: np.ndarray, cu: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        s = (u2 - cu) / self.radius
        valid = np.abs(s) < 1
        th = np.arcsin(np.clip(s, -1, 1))
        u = cu + self.radius * th
        v = v2 - self.sag * (1 - np.cos(th)) - self.wobble * np.sin(2 * np.pi * u / self.wobble_period)
        return u, v, valid

    def forward(self, pts: np.ndarray) -> np.ndarray:
        pts = np.asarray(pts, np.float64).reshape(-1, 2)
        if self.axis == "x":
            u2, v2 = self._fwd(pts[:, 0], pts[:, 1], self.cx)
            return np.stack([u2, v2], 1)
        u2, v2 = self._fwd(pts[:, 1], pts[:, 0], self.cy)
        return np.stack([v2, u2], 1)

    def inverse_maps(self, out_w: int, out_h: int, ox: float, oy: float):
        """Maps for cv2.remap: output pixel (curved plane, shifted by (ox, oy)) -> label pixel, and the
        cylinder angle per pixel (for shading). Solved on a half-resolution grid placed exactly where
        cv2.resize's linear interpolation expects its samples, then upsampled (the maps are smooth).
        Points outside the label map outside it too (no mask needed: the alpha remap gives 0 there)."""
        sw, sh = (out_w + 1) // 2, (out_h + 1) // 2
        xs = (np.arange(sw, dtype=np.float32) + 0.5) * np.float32(out_w / sw) - 0.5 - np.float32(ox)
        ys = (np.arange(sh, dtype=np.float32) + 0.5) * np.float32(out_h / sh) - 0.5 - np.float32(oy)
        X, Y = np.meshgrid(xs, ys)
        if self.axis == "x":
            u, v, _ = self._inv(X, Y, self.cx)
            mx, my = u, v
            th = np.arcsin(np.clip((X - self.cx) / self.radius, -1, 1))
        else:
            u, v, _ = self._inv(Y, X, self.cy)
            mx, my = v, u
            th = np.arcsin(np.clip((Y - self.cy) / self.radius, -1, 1))

        def up(a: np.ndarray) -> np.ndarray:
            return cv2.resize(a.astype(np.float32), (out_w, out_h), interpolation=cv2.INTER_LINEAR)

        return up(mx), up(my), up(th)

    def extent(self, w: int, h: int) -> tuple[float, float, float, float]:
        """Bounding box of the curved label (x0, y0, x1, y1) in curved-plane coordinates."""
        n = 64
        edge = np.concatenate(
            [
                np.stack([np.linspace(0, w - 1, n), np.zeros(n)], 1),
                np.stack([np.linspace(0, w - 1, n), np.full(n, h - 1.0)], 1),
                np.stack([np.zeros(n), np.linspace(0, h - 1, n)], 1),
                np.stack([np.full(n, w - 1.0), np.linspace(0, h - 1, n)], 1),
            ]
        )
        p = self.forward(edge)
        return float(p[:, 0].min()), float(p[:, 1].min()), float(p[:, 0].max()), float(p[:, 1].max())


def densify(poly: np.ndarray, step: float) -> np.ndarray:
    """Insert points along each edge every ``step`` pixels (so a curved mapping keeps the shape)."""
    out = []
    n = len(poly)
    for i in range(n):
        a, b = poly[i], poly[(i + 1) % n]
        k = max(1, int(np.ceil(np.linalg.norm(b - a) / step)))
        for t in range(k):
            out.append(a + (b - a) * (t / k))
    return np.asarray(out)


def rot_matrix(k: int, w: int, h: int) -> np.ndarray:
    """Point mapping for ``np.rot90(img, k)`` on an image of width w, height h (k in 0..3, CCW)."""
    k %= 4
    if k == 0:
        return np.eye(3)
    if k == 1:  # (x, y) -> (y, w-1-x)
        return np.array([[0, 1, 0], [-1, 0, w - 1], [0, 0, 1]], np.float64)
    if k == 2:
        return np.array([[-1, 0, w - 1], [0, -1, h - 1], [0, 0, 1]], np.float64)
    return np.array([[0, -1, h - 1], [1, 0, 0], [0, 0, 1]], np.float64)  # k == 3: (x, y) -> (h-1-y, x)


def resize_matrix(w0: int, h0: int, w1: int, h1: int) -> np.ndarray:
    sx, sy = w1 / w0, h1 / h0
    return np.array([[sx, 0, 0.5 * sx - 0.5], [0, sy, 0.5 * sy - 0.5], [0, 0, 1]], np.float64)


def simplify(poly: np.ndarray, eps: float = 0.35) -> np.ndarray:
    if len(poly) <= 4:
        return poly
    p = cv2.approxPolyDP(poly.astype(np.float32).reshape(-1, 1, 2), eps, True).reshape(-1, 2)
    return p.astype(np.float64) if len(p) >= 4 else poly


def warp_into(
    src: np.ndarray, M: np.ndarray, bbox: tuple[int, int, int, int], interp: int = cv2.INTER_LINEAR, border=0
) -> np.ndarray:
    """Warp ``src`` with M (src -> frame) into the frame region bbox=(x0, y0, x1, y1) (exclusive)."""
    x0, y0, x1, y1 = bbox
    Mr = translation(-x0, -y0) @ M
    return cv2.warpPerspective(
        src, Mr, (x1 - x0, y1 - y0), flags=interp, borderMode=cv2.BORDER_CONSTANT, borderValue=border
    )


def quad_bbox(pts: np.ndarray, w: int, h: int, pad: int = 4) -> tuple[int, int, int, int] | None:
    x0 = max(0, int(np.floor(pts[:, 0].min())) - pad)
    y0 = max(0, int(np.floor(pts[:, 1].min())) - pad)
    x1 = min(w, int(np.ceil(pts[:, 0].max())) + pad + 1)
    y1 = min(h, int(np.ceil(pts[:, 1].max())) + pad + 1)
    if x1 <= x0 or y1 <= y0:
        return None
    return x0, y0, x1, y1


class Crumple:
    """A crumpled / wrinkled label: a smooth height map with a few creases. Points move forward by the
    displacement field E (bilinear on a full-resolution grid: exact for truth polygons); pixels are pulled
    back by solving A = B - E(A) with a few fixed-point iterations (|grad E| << 1)."""

    def __init__(self, rng: np.random.Generator, w: int, h: int, ppm: float) -> None:
        from .scene import smooth_noise

        self.w, self.h = w, h
        sw, sh = max(8, w // 8), max(8, h // 8)
        hm = 0.7 * smooth_noise(rng, sh, sw, max(2, sw // 3)) + 0.3 * smooth_noise(
            rng, sh, sw, max(2, sw // 8)
        )
        yy, xx = np.mgrid[0:sh, 0:sw].astype(np.float32)
        for _ in range(int(rng.integers(1, 4))):  # creases: tent-shaped ridges / valleys along random lines
            ang = rng.uniform(0, np.pi)
            c = np.array([rng.uniform(0, sw), rng.uniform(0, sh)])
            d = (xx - c[0]) * np.sin(ang) - (yy - c[1]) * np.cos(ang)
            hm += rng.choice([-1, 1]) * rng.uniform(0.3, 0.7) * np.exp(-np.abs(d) / rng.uniform(1.5, 4.0))
        # displacement from a smoothed height map (continuous: paper does not tear), shading from the sharp
        # one (creases show as light/dark lines)
        soft = cv2.GaussianBlur(hm.astype(np.float32), (0, 0), 2.5)
        soft = cv2.resize(soft, (w, h), interpolation=cv2.INTER_CUBIC)
        gy, gx = np.gradient(soft)
        gmax = float(np.sqrt(gx**2 + gy**2).max()) + 1e-9
        amp = rng.uniform(0.35, 0.8) * ppm  # largest displacement, in label pixels (0.35-0.8 mm)
        self.ex = (-gx / gmax * amp).astype(np.float32)
        self.ey = (-gy / gmax * amp).astype(np.float32)
        hy, hx = np.gradient(
            cv2.resize(hm.astype(np.float32), (sw * 4, sh * 4), interpolation=cv2.INTER_LINEAR)
        )
        hg = float(np.sqrt(hx**2 + hy**2).max()) + 1e-9
        ang = rng.uniform(0, 2 * np.pi)
        sh_small = 1 + rng.uniform(0.08, 0.16) * (hx * np.cos(ang) + hy * np.sin(ang)) / hg
        self.shade = cv2.resize(sh_small.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)
        self.margin = int(np.ceil(amp)) + 2

    def _sample(self, f: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        x = np.clip(x, 0, self.w - 1.001)
        y = np.clip(y, 0, self.h - 1.001)
        x0, y0 = np.floor(x).astype(np.int64), np.floor(y).astype(np.int64)
        fx, fy = x - x0, y - y0
        return (
            f[y0, x0] * (1 - fx) * (1 - fy)
            + f[y0, x0 + 1] * fx * (1 - fy)
            + f[y0 + 1, x0] * (1 - fx) * fy
            + f[y0 + 1, x0 + 1] * fx * fy
        )

    def forward(self, pts: np.ndarray) -> np.ndarray:
        p = np.asarray(pts, np.float64).reshape(-1, 2)
        return p + np.stack(
            [self._sample(self.ex, p[:, 0], p[:, 1]), self._sample(self.ey, p[:, 0], p[:, 1])], 1
        )

    def inverse_maps(self, iters: int = 6):
        """Maps for cv2.remap from an output canvas (w + 2m, h + 2m; plane coords shifted by m) to the label,
        and the shading of that canvas."""
        m = self.margin
        ow, oh = self.w + 2 * m, self.h + 2 * m
        # solve on a half-resolution grid (the displacement is smooth), then upsample the maps
        sw, sh = (ow + 1) // 2, (oh + 1) // 2
        bx, by = np.meshgrid(  # sample positions exactly where cv2.resize (linear) expects them
            (np.arange(sw, dtype=np.float32) + 0.5) * np.float32(ow / sw) - 0.5 - m,
            (np.arange(sh, dtype=np.float32) + 0.5) * np.float32(oh / sh) - 0.5 - m,
        )
        ax, ay = bx.copy(), by.copy()
        for _ in range(iters):
            ex = cv2.remap(self.ex, ax, ay, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
            ey = cv2.remap(self.ey, ax, ay, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
            ax, ay = bx - ex, by - ey
        dx = cv2.resize(ax - bx, (ow, oh), interpolation=cv2.INTER_LINEAR)
        dy = cv2.resize(ay - by, (ow, oh), interpolation=cv2.INTER_LINEAR)
        fx, fy = np.meshgrid(np.arange(ow, dtype=np.float32) - m, np.arange(oh, dtype=np.float32) - m)
        ax, ay = fx + dx, fy + dy
        shade = cv2.remap(self.shade, ax, ay, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        return ax, ay, shade
