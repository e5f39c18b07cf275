"""The photographed scene: parcel surfaces, floor, tape, clutter, lighting and camera effects."""

from __future__ import annotations

import cv2
import numpy as np

Rng = np.random.Generator

CARDBOARD = [(178, 136, 92), (192, 152, 104), (165, 124, 82), (200, 165, 118), (150, 112, 74)]
POLYBAG = [
    (188, 190, 196),
    (228, 228, 232),
    (52, 54, 60),
    (226, 170, 186),
    (236, 214, 120),
    (96, 120, 170),
    (210, 210, 205),
]
FLOORS = [(150, 112, 78), (186, 160, 128), (120, 120, 118), (168, 168, 160), (92, 70, 52), (200, 196, 186)]


def smooth_noise(rng: Rng, h: int, w: int, cell: int) -> np.ndarray:
    """Low-frequency noise in [-1, 1] at size (h, w) with features about ``cell`` pixels wide."""
    gh, gw = max(2, h // cell + 2), max(2, w // cell + 2)
    g = rng.standard_normal((gh, gw)).astype(np.float32)
    out = cv2.resize(g, (w, h), interpolation=cv2.INTER_CUBIC)
    m = np.abs(out).max() + 1e-6
    return out / m


def _aa_mask(shape, poly: np.ndarray) -> np.ndarray:
    """Anti-aliased polygon coverage in [0, 1] (OpenCV anti-aliases 8-bit images only; sub-pixel shift)."""
    m = np.zeros(shape, np.uint8)
    cv2.fillPoly(m, [np.round(np.asarray(poly) * 16).astype(np.int32)], 255, lineType=cv2.LINE_AA, shift=4)
    return m.astype(np.float32) / 255.0


def _fill_poly(img: np.ndarray, poly: np.ndarray, color, alpha: float = 1.0, blur: float = 0.0) -> None:
    mask = _aa_mask(img.shape[:2], poly)
    if blur > 0:
        mask = cv2.GaussianBlur(mask, (0, 0), blur)
    mask *= alpha
    img += (np.asarray(color, np.float32) - img) * mask[..., None]


def _texture(rng: Rng, h: int, w: int, base, kind: str) -> np.ndarray:
    img = np.empty((h, w, 3), np.float32)
    img[:] = base
    lum = 1 + 0.06 * smooth_noise(rng, h, w, max(8, w // 6)) + 0.025 * smooth_noise(rng, h, w, 6)
    if kind == "cardboard":
        ang = rng.uniform(0, np.pi)
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        period = rng.uniform(5, 9)
        lum += 0.012 * np.sin((xx * np.cos(ang) + yy * np.sin(ang)) * 2 * np.pi / period)
        lum += 0.03 * (rng.random((h, w)).astype(np.float32) - 0.5)
    elif kind == "polybag":
        # wrinkles: a few smooth ridges with specular highlights
        for _ in range(int(rng.integers(3, 7))):
            n = smooth_noise(rng, h, w, max(6, w // int(rng.integers(2, 5))))
            ridge = np.exp(-((n * rng.uniform(3, 6)) ** 2))
            lum += rng.uniform(0.03, 0.09) * ridge - 0.02
        lum -= 0.05 * np.abs(smooth_noise(rng, h, w, max(6, w // 3)))
    elif kind == "floor":
        if rng.random() < 0.5:  # planks
            ang = rng.choice([0.0, np.pi / 2]) + rng.uniform(-0.05, 0.05)
            yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
            t = xx * np.cos(ang) + yy * np.sin(ang)
            plank = np.floor(t / rng.uniform(w / 10, w / 5))
            lum += 0.08 * np.sin(plank * 12.9898) + 0.03 * np.sin(t * 0.7 + 3 * smooth_noise(rng, h, w, 10))
        lum += 0.04 * (rng.random((h, w)).astype(np.float32) - 0.5)
    return img * lum[..., None]


def background(
    rng: Rng,
    W: int,
    H: int,
    label_quad: np.ndarray | None,
    small: bool,
    extra: tuple[np.ndarray, Rng] | None = None,
) -> np.ndarray:
    """Full-resolution RGB uint8 scene (parcel + surroundings), without the label. ``extra``: (the quad of a
    second label, its rng): a second box is drawn under it."""
    s = 4  # work at 1/4 resolution, then upscale
    w, h = W // s, H // s
    floor = _texture(rng, h, w, FLOORS[int(rng.integers(len(FLOORS)))], "floor")
    if label_quad is None:
        c = np.array([w / 2 + rng.uniform(-w, w) * 0.1, h / 2 + rng.uniform(-h, h) * 0.1])
        u = np.array([np.cos(rng.uniform(-0.3, 0.3)), np.sin(rng.uniform(-0.3, 0.3))])
        half = np.array([w, h]) * (rng.uniform(0.22, 0.35) if small else rng.uniform(0.4, 0.7))
    else:
        q = label_quad / s
        c = q.mean(0) + rng.uniform(-0.15, 0.15, 2) * (q.max(0) - q.min(0))
        d = q[1] - q[0]
        u = d / (np.linalg.norm(d) + 1e-9)
        ext = np.abs(q - q.mean(0)).max(0)
        half = ext * (rng.uniform(1.5, 2.1) if small else rng.uniform(1.3, 2.6))
    v = np.array([-u[1], u[0]])
    box = np.array(
        [
            c - u * half[0] - v * half[1],
            c + u * half[0] - v * half[1],
            c + u * half[0] + v * half[1],
            c - u * half[0] + v * half[1],
        ]
    )
    poly = rng.random() < 0.3 and not small
    surf = _texture(
        rng, h, w, (POLYBAG if poly else CARDBOARD)[int(rng.integers(5))], "polybag" if poly else "cardboard"
    )
    img = floor
    if small:
        # doorstep: door mat and a wall strip
        mat = box.mean(0) + (box - box.mean(0)) * 1.7
        _fill_poly(img, mat, (60, 58, 56), 0.95, 1.5)
        wall_h = rng.uniform(0.1, 0.25) * h
        _fill_poly(
            img,
            np.array([[0, 0], [w, 0], [w, wall_h], [0, wall_h * rng.uniform(0.8, 1.2)]]),
            (215, 210, 200),
            1.0,
            1.0,
        )
    if extra is not None:  # a second parcel under the second label
        q2, r2 = extra
        q2 = q2 / s
        c2 = q2.mean(0)
        box2 = c2 + (q2 - c2) * r2.uniform(1.4, 2.0)
        _fill_poly(img, box2 + np.array([w, h]) * 0.03, (0, 0, 0), 0.3, 5)
        _fill_poly(img, box2, CARDBOARD[int(r2.integers(5))], 1.0, 0.6)
    # side face of the box (3-D look) and soft contact shadow
    shift = np.array([rng.uniform(-0.08, 0.08), rng.uniform(0.04, 0.12)]) * np.array([w, h])
    _fill_poly(img, box + shift * 0.6, (0, 0, 0), 0.35, 6)
    if not poly:
        side = np.array([box[3], box[2], box[2] + shift, box[3] + shift])
        _fill_poly(img, side, np.asarray(CARDBOARD[int(rng.integers(5))]) * 0.72, 1.0, 0.7)
    mask = _aa_mask((h, w), box)
    img += (surf - img) * mask[..., None]
    # tape strips along the box axis (under the label, like a label stuck over tape)
    for _ in range(int(rng.integers(0, 3))):
        along = u if rng.random() < 0.5 else v
        across = v if along is u else u
        off = rng.uniform(-0.6, 0.6) * (half[1] if along is u else half[0])
        width = rng.uniform(0.035, 0.07) * max(w, h)
        p0 = c + across * off - along * max(w, h) * 2
        p1 = c + across * off + along * max(w, h) * 2
        strip = np.array(
            [
                p0 - across * width / 2,
                p1 - across * width / 2,
                p1 + across * width / 2,
                p0 + across * width / 2,
            ]
        )
        tape = _aa_mask((h, w), strip) * mask
        col = np.asarray(
            [(196, 160, 104), (230, 228, 220), (210, 190, 150)][int(rng.integers(3))], np.float32
        )
        img += (col - img) * (tape * 0.55)[..., None]
        img += 18 * tape[..., None] * (0.5 + 0.5 * smooth_noise(rng, h, w, 12))[..., None]
    # clutter outside the box
    for _ in range(int(rng.integers(1, 4))):
        cc = np.array([rng.uniform(0, w), rng.uniform(0, h)])
        if cv2.pointPolygonTest(box.astype(np.float32), tuple(map(float, cc)), False) >= 0:
            continue
        r1, r2 = rng.uniform(0.03, 0.12) * w, rng.uniform(0.02, 0.08) * w
        col = rng.uniform(30, 220, 3)
        ell = cv2.ellipse2Poly(
            (int(cc[0]), int(cc[1])), (int(r1), int(r2)), int(rng.uniform(0, 180)), 0, 360, 10
        )
        _fill_poly(img, ell.astype(np.float64) + shift * 0.2, (0, 0, 0), 0.3, 4)
        _fill_poly(img, ell.astype(np.float64), col, 1.0, 0.8)
    small_u8 = np.clip(img + 0.5, 0, 255).astype(np.uint8)
    return cv2.resize(small_u8, (W, H), interpolation=cv2.INTER_LINEAR)


def apply_gain(img: np.ndarray, g: np.ndarray, cast: np.ndarray) -> np.ndarray:
    """Multiply a uint8 image by a low-resolution gain field (h x w) and a colour cast, in uint8 (fast)."""
    H, W = img.shape[:2]
    g3 = g[..., None] * np.asarray(cast, np.float32)[None, None, :]
    f = float(np.floor(255.0 / max(1e-3, float(g3.max()))))
    g8 = np.clip(g3 * f + 0.5, 0, 255).astype(np.uint8)
    g8 = cv2.resize(g8, (W, H), interpolation=cv2.INTER_LINEAR)
    return cv2.multiply(img, g8, scale=1.0 / f)


def gain_field(rng: Rng, W: int, H: int, shadow_quad: np.ndarray | None, lowlight: bool) -> np.ndarray:
    """Multiplicative lighting (exposure, gradient, vignetting, optional cast shadow) at 1/8 size."""
    s = 8
    w, h = max(2, W // s), max(2, H // s)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    xx = xx / w - 0.5
    yy = yy / h - 0.5
    ang = rng.uniform(0, 2 * np.pi)
    g = rng.uniform(0.92, 1.04) * (1 + rng.uniform(0.05, 0.18) * (xx * np.cos(ang) + yy * np.sin(ang)) * 2)
    g *= 1 - rng.uniform(0.08, 0.28) * (xx**2 + yy**2) * 2
    if shadow_quad is not None:
        m = _aa_mask((h, w), shadow_quad / s)
        m = cv2.GaussianBlur(m, (0, 0), rng.uniform(1.5, 5.0))
        g *= 1 - m * rng.uniform(0.38, 0.55)
    if lowlight:
        g *= rng.uniform(0.28, 0.42)
    return g.astype(np.float32)


def shadow_polygon(rng: Rng, label_quad: np.ndarray) -> np.ndarray:
    """A soft cast shadow (hand / phone / another box) covering part of the label."""
    c = label_quad.mean(0)
    ext = np.abs(label_quad - c).max()
    ang = rng.uniform(0, 2 * np.pi)
    d = np.array([np.cos(ang), np.sin(ang)])
    n = np.array([-d[1], d[0]])
    edge = c + d * rng.uniform(-0.3, 0.3) * ext
    far = edge + d * ext * 4
    wob = rng.uniform(-0.3, 0.3) * ext
    return np.array([edge - n * ext * 4, edge + n * ext * 4 + d * wob, far + n * ext * 4, far - n * ext * 4])


def noise_field(
    rng: Rng, H: int, W: int, sigma: float, tile: int = 512, corr: float = 0.0, channels: int = 1
) -> np.ndarray:
    """Zero-mean Gaussian-like noise (float32, H x W [x C]) tiled from one random tile at a random offset:
    far cheaper than drawing 12 M normals, and not visibly periodic under the photo content. ``corr``
    blurs the tile (spatially correlated noise, like demosaicing and denoising leave)."""
    t = rng.standard_normal((tile, tile, channels)).astype(np.float32)
    if corr > 0:
        t = cv2.GaussianBlur(t, (0, 0), corr)
        t = t.reshape(tile, tile, channels)
        t /= t.std() + 1e-6
    t *= sigma
    big = np.tile(t, (H // tile + 2, W // tile + 2, 1))
    oy, ox = int(rng.integers(0, tile)), int(rng.integers(0, tile))
    out = big[oy : oy + H, ox : ox + W]
    return out[..., 0] if channels == 1 else out


def add_noise(rng: Rng, img: np.ndarray, sigma: float, chroma: float, tile: int = 512) -> np.ndarray:
    """Sensor-like noise on a uint8 image (correlated luma + coarser chroma), with saturating uint8 adds."""
    H, W = img.shape[:2]
    n = noise_field(rng, tile, tile, sigma, tile=tile, corr=1.2)[..., None]
    if chroma > 0:
        n = n + noise_field(rng, tile, tile, chroma, tile=tile, corr=2.0, channels=3)
    else:
        n = np.repeat(n, 3, axis=2)
    n = np.round(n)
    pos = np.clip(n, 0, 255).astype(np.uint8)
    neg = np.clip(-n, 0, 255).astype(np.uint8)
    oy, ox = int(rng.integers(0, tile)), int(rng.integers(0, tile))
    reps = (H // tile + 2, W // tile + 2, 1)
    out = cv2.add(img, np.tile(pos, reps)[oy : oy + H, ox : ox + W])
    return cv2.subtract(out, np.tile(neg, reps)[oy : oy + H, ox : ox + W])


def motion_kernel(length: float, angle: float) -> np.ndarray:
    L = max(3, int(np.ceil(length)) | 1)
    k = np.zeros((L, L), np.float32)
    c = L // 2
    dx, dy = np.cos(angle), np.sin(angle)
    for t in np.linspace(-length / 2, length / 2, int(length * 3) + 1):
        x, y = c + t * dx, c + t * dy
        x0, y0 = int(np.floor(x)), int(np.floor(y))
        fx, fy = x - x0, y - y0
        for xi, yi, wgt in (
            (x0, y0, (1 - fx) * (1 - fy)),
            (x0 + 1, y0, fx * (1 - fy)),
            (x0, y0 + 1, (1 - fx) * fy),
            (x0 + 1, y0 + 1, fx * fy),
        ):
            if 0 <= xi < L and 0 <= yi < L:
                k[yi, xi] += wgt
    return k / k.sum()


def thermal_print(rng: Rng, rgb: np.ndarray, paper, ppm: float, strength: float = 1.0) -> np.ndarray:
    """Thermal-print look on a uint8 label image: slight bleed, uneven fading and worn-head streaks along
    the print direction."""
    h, w = rgb.shape[:2]
    u8 = cv2.GaussianBlur(rgb, (0, 0), max(0.3, 0.045 * ppm))
    fade = 0.10 + 0.10 * smooth_noise(rng, h, w, max(8, w // 4))
    cols = np.zeros(w, np.float32)
    for _ in range(int(rng.integers(0, 4))):
        x = int(rng.integers(0, w))
        cols[x : x + max(1, int(ppm * rng.uniform(0.08, 0.18)))] = rng.uniform(0.15, 0.3)
    fade *= strength
    fade += cols[None, :] * strength
    np.clip(fade, 0, 0.6, out=fade)
    paper_img = np.empty_like(u8)
    paper_img[:] = np.asarray(paper, np.uint8)
    out = cv2.blendLinear(u8, paper_img, 1.0 - fade, fade)
    return add_noise(rng, out, sigma=1.7, chroma=0.0, tile=256)
