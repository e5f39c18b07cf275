"""make_photo(): a label, drawn with ground truth, photographed the way phones do."""

from __future__ import annotations

import functools
import io
import logging
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageOps

from . import layouts_en as EN
from . import layouts_zh as ZH
from .canvas import LabelCanvas
from .exif import build_exif
from .geometry import (
    Crumple,
    Curve,
    apply_h,
    camera_quad,
    densify,
    quad_bbox,
    resize_matrix,
    rot_matrix,
    simplify,
    translation,
    warp_into,
)
from .scene import add_noise, apply_gain, background, gain_field, motion_kernel, shadow_polygon, thermal_print

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Layout:
    name: str
    locale: str
    width_mm: float
    height_mm: float
    draw: Callable
    thermal: bool = True
    paper: tuple[int, int, int] = (247, 246, 241)


LAYOUTS: dict[str, Layout] = {
    "zh_ecommerce": Layout("zh_ecommerce", "zh", 100, 150, ZH.zh_ecommerce),
    "zh_privacy": Layout("zh_privacy", "zh", 100, 150, ZH.zh_privacy),
    "zh_sf": Layout("zh_sf", "zh", 100, 150, ZH.zh_sf),
    "zh_form": Layout("zh_form", "zh", 180, 110, ZH.zh_form, thermal=False, paper=(244, 240, 232)),
    "us_usps": Layout("us_usps", "en", 101.6, 152.4, EN.us_usps),
    "us_ups": Layout("us_ups", "en", 101.6, 152.4, EN.us_ups),
    "us_fedex": Layout("us_fedex", "en", 101.6, 152.4, EN.us_fedex),
    "dhl_intl": Layout("dhl_intl", "en", 101.6, 152.4, EN.dhl_intl),
    "amazon": Layout("amazon", "en", 101.6, 152.4, EN.amazon),
    "in_courier": Layout("in_courier", "en", 101.6, 152.4, EN.in_courier),
}

STANDARD_CONDITIONS = ("standard", "gps", "png", "shadow", "exif_rot")
HARD_CONDITIONS = (
    "chat1080",
    "perspective",
    "rot90",
    "rot180",
    "rot270",
    "tilt",
    "curved",
    "crumpled",
    "small",
    "lowlight",
    "blur",
    "jpeg",
    "glare",
    "multi",
)
CONDITIONS: tuple[str, ...] = STANDARD_CONDITIONS + HARD_CONDITIONS + ("nolabel",)
SIZES = {"12mp": (4000, 3000), "8mp": (3264, 2448), "2mp": (1600, 1200), "1mp": (1200, 900)}
PHONES = [
    ("Apple", "iPhone 13"),
    ("Xiaomi", "Redmi Note 12"),
    ("HUAWEI", "ELS-AN00"),
    ("samsung", "SM-G991B"),
    ("Google", "Pixel 7"),
    ("OPPO", "PGEM10"),
    ("vivo", "V2219A"),
]


def _crc(s: str) -> int:
    return zlib.crc32(s.encode())


def photo_name(layout: str, conditions: Sequence[str], seed: int) -> str:
    return f"{layout}__{'-'.join(conditions)}__{seed:04d}"


class GeneratedPhoto:
    """A generated photo: encoded bytes, truth dict and (lazily) the displayed pixels."""

    def __init__(
        self, name: str, image_bytes: bytes, fmt: str, truth: dict, id_map: np.ndarray | None = None
    ) -> None:
        self.name = name
        self.image_bytes = image_bytes
        self.format = fmt
        self.truth = truth
        self.id_map = id_map  # HxW uint16 (item id + 1) in displayed coordinates, only with ids=True

    @property
    def ext(self) -> str:
        return ".png" if self.format == "PNG" else ".jpg"

    @functools.cached_property
    def pixels(self) -> np.ndarray:
        im = Image.open(io.BytesIO(self.image_bytes))
        im = ImageOps.exif_transpose(im)
        return np.asarray(im.convert("RGB"))

    def __repr__(self) -> str:
        return f"GeneratedPhoto({self.name}, {self.format}, {len(self.image_bytes)} bytes)"


def _set_of(conds: Sequence[str]) -> str:
    if "nolabel" in conds:
        return "nolabel"
    if any(c in HARD_CONDITIONS for c in conds):
        return "hard"
    return "standard"


def _shoelace(p: np.ndarray) -> float:
    x, y = p[:, 0], p[:, 1]
    return 0.5 * abs(float(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1))))


def _place(rng: np.random.Generator, W: int, H: int, lw: float, lh: float, conds) -> np.ndarray:
    """Label quad (TL, TR, BR, BL of the upright label) in frame pixels."""
    small = "small" in conds
    roll = rng.uniform(-7.5, 7.5)
    pitch, yaw = rng.uniform(-8, 8), rng.uniform(-8, 8)
    if "perspective" in conds:
        if rng.random() < 0.5:
            pitch = rng.choice([-1, 1]) * rng.uniform(28, 45)
            yaw = rng.uniform(-12, 12)
        else:
            yaw = rng.choice([-1, 1]) * rng.uniform(28, 42)
            pitch = rng.uniform(-12, 12)
        roll = rng.uniform(-15, 15)
    if "tilt" in conds:  # any in-plane angle, not a multiple of 90 degrees
        roll = float(rng.choice([-1, 1]) * rng.uniform(15, 75))
    q = camera_quad(lw, lh, roll, pitch, yaw)
    frac = rng.uniform(0.025, 0.06) if small else rng.uniform(0.30, 0.55)
    if "multi" in conds and not small:
        frac *= 0.4
    k = np.sqrt(frac * W * H / _shoelace(q))
    margin = 0.03 * min(W, H)
    for _ in range(40):
        qq = q * k
        ext = qq.max(0) - qq.min(0)
        if ext[0] <= W - 2 * margin and ext[1] <= H - 2 * margin:
            break
        k *= 0.95
    qq = q * k
    lo = -qq.min(0) + margin
    hi = np.array([W, H]) - qq.max(0) - margin
    u = rng.uniform(0.15, 0.85, 2) if not small else rng.uniform(0, 1, 2)
    if "multi" in conds:  # leave room for the second parcel: push the first label towards a corner
        u = np.where(u < 0.5, (u - 0.15) * 0.4, 0.86 + (u - 0.5) * 0.4)
    t = lo + (hi - lo) * u
    return qq + t


def _composite(
    img: np.ndarray,
    src_rgb: np.ndarray,
    src_alpha: np.ndarray,
    M: np.ndarray,
    bb: tuple[int, int, int, int],
    frame_ppm: float,
) -> None:
    """Warp an RGB + alpha source into ``img`` (uint8, in place) within bbox ``bb``, with a soft edge shadow."""
    bx0, by0, bx1, by1 = bb
    warped = warp_into(src_rgb, M, bb)
    a = warp_into(src_alpha, M, bb)
    region = img[by0:by1, bx0:bx1]
    rh, rw = a.shape
    a4 = cv2.resize(a, (max(2, rw // 4), max(2, rh // 4)), interpolation=cv2.INTER_AREA)
    a4 = cv2.GaussianBlur(a4, (0, 0), max(0.5, frame_ppm * 0.1))
    sh = cv2.resize(a4, (rw, rh), interpolation=cv2.INTER_LINEAR)
    sh = np.roll(sh, (int(frame_ppm * 0.3), int(frame_ppm * 0.2)), (0, 1))
    region = cv2.multiply(region, np.repeat((255 - 64 * sh).astype(np.uint8)[..., None], 3, 2), scale=1 / 255)
    img[by0:by1, bx0:bx1] = cv2.blendLinear(warped, region, a, 1.0 - a)


def _place_second(
    rng: np.random.Generator, L: Layout, quad: np.ndarray, frame_ppm: float, W: int, H: int
) -> tuple[Layout, np.ndarray, int] | None:
    """Another parcel's label of the same locale beside the first, not overlapping it (None if no room)."""
    names = [n for n, l2 in LAYOUTS.items() if l2.locale == L.locale and n != L.name]
    L2 = LAYOUTS[names[int(rng.integers(len(names)))]]
    q0 = camera_quad(
        L2.width_mm, L2.height_mm, rng.uniform(-25, 25), rng.uniform(-10, 10), rng.uniform(-10, 10)
    )
    k = np.sqrt(frame_ppm**2 * L2.width_mm * L2.height_mm / _shoelace(q0)) * rng.uniform(0.8, 1.1)
    q0 = q0 * k
    m = 0.02 * min(W, H)
    grow = quad.mean(0) + (quad - quad.mean(0)) * 1.15
    for _ in range(40):
        lo, hi = -q0.min(0) + m, np.array([W, H]) - q0.max(0) - m
        if np.any(hi <= lo):
            return None
        q = q0 + lo + (hi - lo) * rng.uniform(0, 1, 2)
        inter, _ = cv2.intersectConvexConvex(q.astype(np.float32), grow.astype(np.float32))
        if inter <= 0:
            return L2, q, int(rng.integers(0, 1 << 30))
    return None


def _glare(rng: np.random.Generator, frame: np.ndarray, quad: np.ndarray) -> None:
    """A specular highlight on the (glossy) label: a soft bright ellipse washing out part of the print."""
    c = quad.mean(0) + (quad[2] - quad[0]) * rng.uniform(-0.3, 0.3, 2)
    size = float(np.sqrt(_shoelace(quad)))
    ax = (size * rng.uniform(0.12, 0.3), size * rng.uniform(0.06, 0.15))
    H, W = frame.shape[:2]
    r = int(max(ax) * 2.2)
    x0, y0, x1, y1 = (
        max(0, int(c[0]) - r),
        max(0, int(c[1]) - r),
        min(W, int(c[0]) + r),
        min(H, int(c[1]) + r),
    )
    if x1 <= x0 or y1 <= y0:
        return
    s = 4
    m = np.zeros(((y1 - y0) // s + 1, (x1 - x0) // s + 1), np.uint8)
    cv2.ellipse(
        m,
        (int((c[0] - x0) / s), int((c[1] - y0) / s)),
        (max(1, int(ax[0] / s)), max(1, int(ax[1] / s))),
        float(rng.uniform(0, 180)),
        0,
        360,
        255,
        -1,
        cv2.LINE_AA,
    )
    m = cv2.GaussianBlur(m.astype(np.float32) / 255.0, (0, 0), max(1.0, min(ax) / s * 0.5))
    m = cv2.resize(m, (x1 - x0, y1 - y0), interpolation=cv2.INTER_LINEAR)
    m = np.clip(m * rng.uniform(0.6, 0.85) / max(1e-6, float(m.max())), 0, 1).astype(np.float32)
    region = frame[y0:y1, x0:x1]
    white = np.full_like(region, 252)
    frame[y0:y1, x0:x1] = cv2.blendLinear(white, region, m, 1.0 - m)


STICKERS = {
    "zh": [("易碎物品", "小心轻放"), ("请勿倒置", "向上"), ("易碎品", "轻拿轻放"), ("生鲜", "请尽快签收")],
    "en": [
        ("FRAGILE", "HANDLE WITH CARE"),
        ("THIS SIDE UP", "DO NOT STACK"),
        ("KEEP DRY", "PERISHABLE"),
        ("FRAGILE", "GLASS"),
    ],
}


def _sticker(rng: np.random.Generator, locale: str, ppm: float) -> LabelCanvas:
    """A small non-personal sticker (FRAGILE / 易碎物品): printed text that must be left alone."""
    big, small = STICKERS[locale][int(rng.integers(len(STICKERS[locale])))]
    red = rng.random() < 0.6
    paper = (200, 30, 36) if red else (250, 200, 40)
    ink = (250, 248, 240) if red else (20, 20, 20)
    c = LabelCanvas(float(rng.uniform(45, 60)), float(rng.uniform(22, 28)), ppm, paper=paper, locale=locale)
    fz, fs = ("zh_heavy", "zh") if locale == "zh" else ("sans_bold", "sans_bold")
    c.text(c.width_mm / 2, 3.0, big, fnt=fz, size_mm=8.0, color=ink, anchor="mt", max_w_mm=c.width_mm - 6)
    c.text(c.width_mm / 2, 14.5, small, fnt=fs, size_mm=4.2, color=ink, anchor="mt", max_w_mm=c.width_mm - 6)
    return c


def _place_sticker(
    rng, H_label_mm: np.ndarray, lw_mm: float, lh_mm: float, sw_mm: float, sh_mm: float, W: int, H: int
) -> np.ndarray | None:
    """Offset (mm, label plane) for a sticker beside the label, fully inside the frame; None if none fits."""
    gap = rng.uniform(4, 12)
    cands = [
        (lw_mm + gap, rng.uniform(0, lh_mm - sh_mm)),
        (-gap - sw_mm, rng.uniform(0, lh_mm - sh_mm)),
        (rng.uniform(0, lw_mm - sw_mm), -gap - sh_mm),
        (rng.uniform(0, lw_mm - sw_mm), lh_mm + gap),
    ]
    order = rng.permutation(len(cands))
    m = 0.02 * min(W, H)
    for i in order:
        ox, oy = cands[int(i)]
        pts = apply_h(
            H_label_mm, np.array([[ox, oy], [ox + sw_mm, oy], [ox + sw_mm, oy + sh_mm], [ox, oy + sh_mm]])
        )
        if (
            pts[:, 0].min() > m
            and pts[:, 1].min() > m
            and pts[:, 0].max() < W - m
            and pts[:, 1].max() < H - m
        ):
            return np.array([ox, oy])
    return None


def make_photo(
    seed: int = 0,
    layout: str = "zh_ecommerce",
    conditions: Sequence[str] = ("standard",),
    size: str = "12mp",
    ids: bool = False,
) -> GeneratedPhoto:
    """Render one photo with ground truth. Deterministic: same arguments -> same bytes.

    ``ids=True`` also returns ``id_map`` (item id + 1 per pixel, nearest-neighbour through the same geometric
    mappings as the pixels) for checking polygon accuracy.
    """
    conds = tuple(conditions) or ("standard",)
    for c in conds:
        if c not in CONDITIONS:
            raise ValueError(f"unknown condition {c!r}; known: {', '.join(CONDITIONS)}")
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; known: {', '.join(LAYOUTS)}")
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r}; known: {', '.join(SIZES)}")
    L = LAYOUTS[layout]
    cs = set(conds)
    nolabel = "nolabel" in cs
    rng = np.random.default_rng([seed, _crc(layout), _crc(",".join(sorted(cs))), _crc(size)])
    label_rng = np.random.default_rng([seed, _crc(layout)])

    long_, short_ = SIZES[size]
    landscape_label = L.width_mm > L.height_mm
    landscape = (rng.random() < 0.8) == landscape_label
    W, H = (long_, short_) if landscape else (short_, long_)

    quad = _place(rng, W, H, L.width_mm, L.height_mm, cs)
    frame_ppm = float(np.sqrt(_shoelace(quad) / (L.width_mm * L.height_mm)))

    # ---------------- a second parcel with its own label ("multi"), placed before the scene is drawn
    second = None
    if "multi" in cs and not nolabel:
        second = _place_second(np.random.default_rng([seed, _crc(layout), 11]), L, quad, frame_ppm, W, H)

    # ---------------- background
    img = background(
        rng,
        W,
        H,
        quad,
        "small" in cs,
        extra=None if second is None else (second[1], np.random.default_rng([seed, _crc(layout), 12])),
    )
    id_frame = np.zeros((H, W), np.uint16) if ids else None
    items_out: list[dict] = []
    sources: list[tuple[LabelCanvas, np.ndarray, list, int]] = []  # canvas, H, plane warps, id offset
    warps: list = []  # nonlinear plane warps of the label (Crumple, Curve), applied in order
    label_quads: list[np.ndarray] = []
    curve: Curve | None = None
    canvas: LabelCanvas | None = None
    H_label = np.eye(3)
    if not nolabel:
        ppm = float(np.clip(frame_ppm * 1.1, 4.0, 17.0))
        canvas = LabelCanvas(L.width_mm, L.height_mm, ppm, paper=L.paper, locale=L.locale)
        L.draw(canvas, label_rng)
        if L.thermal:
            src_rgb = thermal_print(rng, canvas.rgb, L.paper, ppm)
        else:
            src_rgb = cv2.GaussianBlur(canvas.image_rgb(), (0, 0), max(0.3, 0.03 * ppm))
        lh, lw = src_rgb.shape[:2]
        src_alpha = np.ones((lh, lw), np.float32)
        src_ids = canvas.ids
        # plane of the label as photographed: flat, crumpled, and/or curved (cylinder + gentle wave).
        # (ox, oy): where plane coordinate (0, 0) sits in the current source image.
        x0c, y0c, x1c, y1c = -0.5, -0.5, lw - 0.5, lh - 0.5
        ox = oy = 0.0
        if "crumpled" in cs:
            crumple = Crumple(rng, lw, lh, ppm)
            mx, my, shade = crumple.inverse_maps()
            src_rgb = cv2.remap(
                src_rgb, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0
            )
            src_alpha = cv2.remap(
                src_alpha, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0
            )
            src_rgb = np.clip(src_rgb * shade[..., None], 0, 255).astype(np.uint8)
            if ids:
                src_ids = cv2.remap(
                    src_ids, mx, my, cv2.INTER_NEAREST, borderMode=cv2.BORDER_CONSTANT, borderValue=0
                )
            ox = oy = float(crumple.margin)
            warps.append(crumple)
        if "curved" in cs:
            axis = "x" if rng.random() < 0.6 else "y"
            span = lw if axis == "x" else lh
            other = lh if axis == "x" else lw
            thmax = rng.uniform(0.5, 0.85)
            R = span / (2 * thmax)
            curve = Curve(
                radius=R,
                sag=float(rng.choice([-1, 1]) * R * rng.uniform(0.12, 0.3)),
                cx=(lw - 1) / 2,
                cy=(lh - 1) / 2,
                axis=axis,
                wobble=float(other * rng.uniform(0.003, 0.008)),
                wobble_period=float(span * rng.uniform(0.5, 0.9)),
            )
            ex = curve.extent(lw, lh)
            cox, coy = -ex[0] + 2 + ox, -ex[1] + 2 + oy
            cw, ch = int(np.ceil(ex[2] - ex[0] + 4 + 2 * ox)), int(np.ceil(ex[3] - ex[1] + 4 + 2 * oy))
            mx, my, th = curve.inverse_maps(cw, ch, cox, coy)
            mx += np.float32(ox)  # the previous source image is offset by (ox, oy)
            my += np.float32(oy)
            ox, oy = cox, coy
            warps.append(curve)
            src_rgb = cv2.remap(
                src_rgb, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0
            )
            src_alpha = cv2.remap(
                src_alpha, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0
            )
            shade = 1 - 0.22 * (1 - np.cos(th)) + 0.08 * np.sin(th) * rng.choice([-1, 1])
            src_rgb = np.clip(src_rgb * shade[..., None], 0, 255).astype(np.uint8)
            if ids:
                src_ids = cv2.remap(
                    src_ids, mx, my, cv2.INTER_NEAREST, borderMode=cv2.BORDER_CONSTANT, borderValue=0
                )
            x0c, y0c, x1c, y1c = ex[0], ex[1], ex[2], ex[3]
        corners = np.array([[x0c, y0c], [x1c, y0c], [x1c, y1c], [x0c, y1c]], np.float32)
        H_label = cv2.getPerspectiveTransform(corners, quad.astype(np.float32)).astype(np.float64)
        M_pix = H_label @ translation(-ox, -oy)
        bb = quad_bbox(quad, W, H, pad=max(6, int(frame_ppm)))
        assert bb is not None
        bx0, by0, bx1, by1 = bb
        _composite(img, src_rgb, src_alpha, M_pix, bb, frame_ppm)
        if ids:
            wid = warp_into(src_ids, M_pix, bb, interp=cv2.INTER_NEAREST)
            id_frame[by0:by1, bx0:bx1] = wid  # type: ignore[index]
        sources.append((canvas, H_label, warps, 0))
        label_quads.append(quad)
        # a FRAGILE / 易碎物品 sticker beside the label on some photos (non-personal printed text)
        srng = np.random.default_rng([seed, _crc(layout), 7])
        if not warps and second is None and srng.random() < 0.35:
            st = _sticker(srng, L.locale, ppm)
            H_mm = H_label @ np.array([[ppm, 0, -0.5], [0, ppm, -0.5], [0, 0, 1]])
            off = _place_sticker(srng, H_mm, L.width_mm, L.height_mm, st.width_mm, st.height_mm, W, H)
            if off is not None:
                H_st = (
                    H_mm
                    @ translation(off[0], off[1])
                    @ np.array([[1 / ppm, 0, 0.5 / ppm], [0, 1 / ppm, 0.5 / ppm], [0, 0, 1]])
                )
                sq = apply_h(
                    H_st,
                    np.array(
                        [[-0.5, -0.5], [st.w - 0.5, -0.5], [st.w - 0.5, st.h - 0.5], [-0.5, st.h - 0.5]]
                    ),
                )
                sbb = quad_bbox(sq, W, H, pad=max(6, int(frame_ppm)))
                if sbb is not None:
                    _composite(img, st.image_rgb(), np.ones((st.h, st.w), np.float32), H_st, sbb, frame_ppm)
                    base = len(canvas.items)
                    if ids:
                        sid = warp_into(st.ids, H_st, sbb, interp=cv2.INTER_NEAREST).astype(np.int32)
                        reg = id_frame[sbb[1] : sbb[3], sbb[0] : sbb[2]]  # type: ignore[index]
                        reg[sid > 0] = (sid[sid > 0] + base).astype(np.uint16)
                    sources.append((st, H_st, [], base))

    if second is not None and canvas is not None:
        L2, quad2, seed2 = second
        ppm2 = float(np.clip(frame_ppm * 1.1, 4.0, 17.0))
        c2 = LabelCanvas(L2.width_mm, L2.height_mm, ppm2, paper=L2.paper, locale=L2.locale)
        r2 = np.random.default_rng([seed, _crc(layout), 13])
        L2.draw(c2, np.random.default_rng([seed2, _crc(L2.name)]))
        rgb2 = (
            thermal_print(r2, c2.rgb, L2.paper, ppm2)
            if L2.thermal
            else cv2.GaussianBlur(c2.image_rgb(), (0, 0), max(0.3, 0.03 * ppm2))
        )
        corners2 = np.array(
            [[-0.5, -0.5], [c2.w - 0.5, -0.5], [c2.w - 0.5, c2.h - 0.5], [-0.5, c2.h - 0.5]], np.float32
        )
        H2 = cv2.getPerspectiveTransform(corners2, quad2.astype(np.float32)).astype(np.float64)
        bb2 = quad_bbox(quad2, W, H, pad=max(6, int(frame_ppm)))
        if bb2 is not None:
            _composite(img, rgb2, np.ones((c2.h, c2.w), np.float32), H2, bb2, frame_ppm)
            base2 = sum(len(src[0].items) for src in sources)
            if ids:
                sid = warp_into(c2.ids, H2, bb2, interp=cv2.INTER_NEAREST).astype(np.int32)
                reg = id_frame[bb2[1] : bb2[3], bb2[0] : bb2[2]]  # type: ignore[index]
                reg[sid > 0] = (sid[sid > 0] + base2).astype(np.uint16)
            sources.append((c2, H2, [], base2))
            label_quads.append(quad2)

    # ---------------- lighting and camera
    lowlight = "lowlight" in cs
    shadow_q = shadow_polygon(rng, quad) if "shadow" in cs else None
    g = gain_field(rng, W, H, shadow_q, lowlight)
    cast = np.array(
        [[1.04, 1.0, 0.9], [0.96, 1.0, 1.05], [1.0, 1.0, 1.0], [1.02, 1.0, 0.96]][int(rng.integers(4))],
        np.float32,
    )
    frame = apply_gain(img, g, cast)
    del img
    if "glare" in cs and not nolabel:
        _glare(rng, frame, quad)
    text_px = 2.8 * frame_ppm  # typical text height in photo pixels
    # optics + phone sharpening
    frame = cv2.GaussianBlur(frame, (0, 0), 1.0 if lowlight else 0.55)
    frame = cv2.addWeighted(frame, 1.35, cv2.GaussianBlur(frame, (0, 0), 1.6), -0.35, 0)
    if "blur" in cs:
        if rng.random() < 0.5:
            k = motion_kernel(text_px * rng.uniform(0.18, 0.32), rng.uniform(0, np.pi))
            frame = cv2.filter2D(frame, -1, k)
        else:
            frame = cv2.GaussianBlur(frame, (0, 0), text_px * rng.uniform(0.08, 0.13))
    frame = add_noise(
        rng,
        frame,
        sigma=(rng.uniform(5, 8) if lowlight else rng.uniform(1.0, 2.2)),
        chroma=(rng.uniform(3, 5) if lowlight else 0.8),
    )
    if lowlight:
        frame = cv2.GaussianBlur(frame, (0, 0), 0.6)

    # ---------------- display geometry: rotation, chat resize
    M_disp = np.eye(3)
    k = {"rot90": 3, "rot180": 2, "rot270": 1}
    for c, kk in k.items():
        if c in cs:
            M_disp = rot_matrix(kk, frame.shape[1], frame.shape[0]) @ M_disp
            frame = np.ascontiguousarray(np.rot90(frame, kk))
            if ids:
                id_frame = np.ascontiguousarray(np.rot90(id_frame, kk))
            break
    if "chat1080" in cs:
        h0, w0 = frame.shape[:2]
        s = 1080 / max(h0, w0)
        w1, h1 = int(round(w0 * s)), int(round(h0 * s))
        frame = cv2.resize(frame, (w1, h1), interpolation=cv2.INTER_AREA)
        M_disp = resize_matrix(w0, h0, w1, h1) @ M_disp
        if ids:
            id_frame = _resize_ids(id_frame, w1, h1)
    Hd, Wd = frame.shape[:2]

    # ---------------- truth polygons
    for k_src, (src, Hs, wl, base) in enumerate(sources):
        source_name = (
            "label" if k_src == 0 else ("sticker" if src.width_mm < 70 and src.height_mm < 35 else "label2")
        )
        for it in src.items:
            pts = it.corners()
            if wl:
                pts = densify(pts, step=max(3.0, src.ppm * 1.0))
                for wp in wl:
                    pts = wp.forward(pts)
            p = apply_h(M_disp @ Hs, pts)
            if wl:
                p = simplify(p, eps=0.3)
            d = {
                "id": it.id + base,
                "kind": it.kind,
                "text": it.text,
                "category": it.category,
                "role": it.role if it.role in ("recipient", "sender") else "none",
                "sensitive": bool(it.sensitive),
                "polygon": [[round(float(x), 2), round(float(y), 2)] for x, y in p],
                "source": source_name,
            }
            if it.kind == "symbol":
                d["symbology"] = it.symbology
                d["payload"] = it.payload
            items_out.append(d)

    # ---------------- encoding
    fmt = "PNG" if "png" in cs else "JPEG"
    if "jpeg" in cs:
        for q in (int(rng.integers(22, 36)), int(rng.integers(15, 30))):
            buf = io.BytesIO()
            Image.fromarray(frame).save(buf, "JPEG", quality=q)
            frame = np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))
    orientation = 1
    stored = frame
    if "exif_rot" in cs:
        orientation = int(rng.choice([6, 8, 3]))
        kk = {6: 1, 8: -1, 3: 2}[orientation]
        stored = np.ascontiguousarray(np.rot90(frame, kk))
    gps = "gps" in cs
    exif_bytes = b""
    want_exif = gps or orientation != 1 or ("chat1080" not in cs and rng.random() < 0.7)
    if want_exif:
        make, model = PHONES[int(rng.integers(len(PHONES)))]
        gpsv = None
        if gps:
            if L.locale == "zh":
                gpsv = (rng.uniform(22.3, 40.0), rng.uniform(104.0, 121.5), rng.uniform(5, 400))
            else:
                gpsv = (rng.uniform(30.0, 47.0), rng.uniform(-122.0, -75.0), rng.uniform(5, 900))
        thumb = None
        if gps or rng.random() < 0.6:
            th = Image.fromarray(stored)
            th.thumbnail((160, 160))
            tb = io.BytesIO()
            th.save(tb, "JPEG", quality=75)
            thumb = tb.getvalue()
        dt = (
            f"20{int(rng.integers(23, 26))}:{int(rng.integers(1, 13)):02d}:{int(rng.integers(1, 29)):02d} "
            f"{int(rng.integers(7, 22)):02d}:{int(rng.integers(0, 60)):02d}:{int(rng.integers(0, 60)):02d}"
        )
        exif_bytes = build_exif(
            make=make,
            model=model,
            orientation=orientation,
            datetime=dt,
            width=stored.shape[1],
            height=stored.shape[0],
            gps=gpsv,
            thumbnail=thumb,
        )
    buf = io.BytesIO()
    pil = Image.fromarray(stored)
    if fmt == "PNG":
        kw = {"exif": exif_bytes} if exif_bytes else {}
        pil.save(buf, "PNG", compress_level=1, **kw)
    else:
        q = int(rng.integers(62, 76)) if "chat1080" in cs else int(rng.integers(88, 96))
        kw = {"exif": exif_bytes} if exif_bytes else {}
        pil.save(buf, "JPEG", quality=q, subsampling=2, **kw)  # 4:2:0 like phone cameras
    data = buf.getvalue()

    name = photo_name(layout, conds, seed)
    truth = {
        "image": name + (".png" if fmt == "PNG" else ".jpg"),
        "width": Wd,
        "height": Hd,
        "seed": seed,
        "layout": layout,
        "locale": L.locale,
        "set": _set_of(conds),
        "conditions": list(conds),
        "gps": gps,
        "exif_orientation": orientation,
        "size": size,
        "format": fmt,
        "label_quad": None
        if nolabel
        else [[round(float(x), 2), round(float(y), 2)] for x, y in apply_h(M_disp, quad)],
        "label_quads": [
            [[round(float(x), 2), round(float(y), 2)] for x, y in apply_h(M_disp, q)] for q in label_quads
        ],
        "layouts": [layout] + ([second[0].name] if second is not None and len(label_quads) > 1 else []),
        "items": items_out,
    }
    return GeneratedPhoto(name, data, fmt, truth, id_map=id_frame)


def label_items(seed: int, layout: str, ppm: float = 4.0) -> list[dict]:
    """The label's items (text, category, role, sensitive, kind, payload) without photographing it: the
    label content depends only on (seed, layout), so this equals make_photo's items minus polygons."""
    L = LAYOUTS[layout]
    canvas = LabelCanvas(L.width_mm, L.height_mm, ppm, paper=L.paper, locale=L.locale)
    L.draw(canvas, np.random.default_rng([seed, _crc(layout)]))
    return [
        {
            "id": it.id,
            "kind": it.kind,
            "text": it.text,
            "category": it.category,
            "role": it.role if it.role in ("recipient", "sender") else "none",
            "sensitive": bool(it.sensitive),
            "payload": it.payload,
        }
        for it in canvas.items
    ]


def _resize_ids(ids: np.ndarray, w1: int, h1: int) -> np.ndarray:
    """Nearest-neighbour resize consistent with the pixel-centre mapping used for polygons."""
    h0, w0 = ids.shape
    xs = np.clip(np.round((np.arange(w1) + 0.5) * w0 / w1 - 0.5), 0, w0 - 1).astype(np.int64)
    ys = np.clip(np.round((np.arange(h1) + 0.5) * h0 / h1 - 0.5), 0, h0 - 1).astype(np.int64)
    return ids[ys][:, xs]
