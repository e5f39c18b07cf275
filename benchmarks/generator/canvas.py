"""A label drawn in its own flat frame, with every printed thing recorded as an item.

Coordinates on the canvas are millimetres in the layout code and pixels internally (``ppm`` pixels per mm).
Every text item is rendered through its own glyph mask, so its recorded box is exactly its ink; every
symbol records its full extent. Items keep an integer id map (label pixels -> item id + 1) so tests can
check that geometric transforms move polygons and pixels together.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np
from PIL import Image, ImageDraw

from .fonts import font
from .symbols import render_symbol

INK = (24, 24, 26)


@dataclass
class Item:
    id: int
    kind: str  # "text" | "symbol"
    text: str
    category: str
    role: str
    sensitive: bool
    box: tuple[float, float, float, float]  # x0, y0, x1, y1 in label pixel-centre coordinates (ink extent)
    quad: np.ndarray | None = None  # 4x2 when the item is rotated on the label (else the box)
    symbology: str = ""
    payload: str = ""

    def corners(self) -> np.ndarray:
        if self.quad is not None:
            return np.asarray(self.quad, dtype=np.float64)
        x0, y0, x1, y1 = self.box
        return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float64)


SENSITIVE = {
    "name",
    "phone",
    "address",
    "id_number",
    "tracking_number",
    "email",
    "postal_code",
    "barcode",
    "qrcode",
}


@dataclass
class LabelCanvas:
    width_mm: float
    height_mm: float
    ppm: float  # pixels per mm
    paper: tuple[int, int, int] = (246, 245, 240)
    rgb: np.ndarray = field(init=False)
    ids: np.ndarray = field(init=False)
    items: list[Item] = field(default_factory=list)
    locale: str = "zh"

    def __post_init__(self) -> None:
        self.w = int(round(self.width_mm * self.ppm))
        self.h = int(round(self.height_mm * self.ppm))
        self.rgb = np.empty((self.h, self.w, 3), np.uint8)
        self.rgb[:] = self.paper
        self.ids = np.zeros((self.h, self.w), np.uint16)

    # ------------------------------------------------------------------ helpers
    def px(self, mm: float) -> float:
        return mm * self.ppm

    def _paint(
        self, alpha: np.ndarray, x: int, y: int, color, item_id: int | None
    ) -> tuple[int, int, int, int]:
        """Composite an alpha mask (float 0..1) at pixel (x, y); returns the clipped ink box (x0,y0,x1,y1)."""
        h, w = alpha.shape
        x0, y0 = max(0, x), max(0, y)
        x1, y1 = min(self.w, x + w), min(self.h, y + h)
        if x1 <= x0 or y1 <= y0:
            return (0, 0, -1, -1)
        a = alpha[y0 - y : y1 - y, x0 - x : x1 - x]
        region = self.rgb[y0:y1, x0:x1].astype(np.float32)
        c = np.asarray(color, np.float32)
        region += (c - region) * a[..., None]
        self.rgb[y0:y1, x0:x1] = np.clip(region + 0.5, 0, 255).astype(np.uint8)
        if item_id is not None:
            m = a > 0.35
            self.ids[y0:y1, x0:x1][m] = item_id + 1
        ys, xs = np.nonzero(a > 0.08)
        if len(xs) == 0:
            return (0, 0, -1, -1)
        return (x0 + int(xs.min()), y0 + int(ys.min()), x0 + int(xs.max()), y0 + int(ys.max()))

    def _add(self, kind, text, category, role, sensitive, box, **kw) -> Item:
        if sensitive is None:
            sensitive = category in SENSITIVE
        it = Item(
            id=len(self.items),
            kind=kind,
            text=text,
            category=category,
            role=role,
            sensitive=sensitive,
            box=(box[0] - 0.5, box[1] - 0.5, box[2] + 0.5, box[3] + 0.5),
            **kw,
        )
        self.items.append(it)
        return it

    # ------------------------------------------------------------------ drawing API (mm)
    def text_size(self, s: str, fnt: str, size_mm: float) -> tuple[float, float]:
        # measured at a fixed reference resolution so that layout decisions (wrapping, fitting) do not
        # depend on the resolution the label is rendered at: same seed -> same text at every photo size
        ref = 20.0
        f = font(fnt, round(size_mm * ref))
        _, t, r, b = f.getbbox(s)
        return (r / ref, (b - t) / ref)

    def fit_size(self, s: str, fnt: str, size_mm: float, max_w_mm: float, min_mm: float = 1.6) -> float:
        size = size_mm
        while size > min_mm and self.text_size(s, fnt, size)[0] > max_w_mm:
            size *= 0.93
        return size

    def text(
        self,
        x_mm: float,
        y_mm: float,
        s: str,
        *,
        fnt: str = "zh",
        size_mm: float = 3.0,
        category: str = "other",
        role: str = "none",
        sensitive: bool | None = None,
        color=INK,
        max_w_mm: float | None = None,
        anchor: str = "lt",
        jitter: float = 0.0,
        rng: np.random.Generator | None = None,
        item: bool = True,
    ) -> tuple[float, float, float, float]:
        """Draw ``s`` with its top-left (anchor 'lt'), top-right ('rt') or top-centre ('mt') at (x, y) mm.

        Returns the ink box in mm (x0, y0, x1, y1). ``jitter`` > 0 draws character by character with random
        offsets/rotations (hand-writing look); the recorded box is still the union of the ink.
        """
        if not s:
            return (x_mm, y_mm, x_mm, y_mm)
        if max_w_mm is not None:
            size_mm = self.fit_size(s, fnt, size_mm, max_w_mm)
        alpha, ox, oy = self._text_alpha(s, fnt, size_mm, jitter, rng)
        tw = alpha.shape[1]
        x = self.px(x_mm)
        if anchor == "rt":
            x -= tw
        elif anchor == "mt":
            x -= tw / 2
        px0, py0 = int(round(x)) + ox, int(round(self.px(y_mm))) + oy
        iid = len(self.items) if item else None
        box = self._paint(alpha, px0, py0, color, iid)
        if box[2] < box[0]:
            return (x_mm, y_mm, x_mm, y_mm)
        if item:
            self._add("text", s, category, role, sensitive, box)
        return tuple(v / self.ppm for v in (box[0], box[1], box[2] + 1, box[3] + 1))  # type: ignore

    def _text_alpha(self, s, fnt, size_mm, jitter, rng):
        size_px = max(6, round(self.px(size_mm)))
        f = font(fnt, size_px)
        if jitter <= 0 or rng is None:
            mask = f.getmask2(s, mode="L")[0]
            bbox = f.getbbox(s)
            a = np.asarray(mask, np.uint8).reshape(mask.size[1], mask.size[0]).astype(np.float32) / 255.0
            return a, int(bbox[0]), int(bbox[1])
        # hand-written look: per-character offsets, rotation and size changes
        W = int(f.getlength(s) * 1.15 + size_px * 2)
        H = int(size_px * 2.2)
        img = Image.new("L", (W, H), 0)
        x = size_px * 0.5
        for ch in s:
            cs = max(6, int(size_px * rng.uniform(0.9, 1.12)))
            cf = font(fnt, cs)
            cw = max(1, int(cf.getlength(ch)) + 4)
            tile = Image.new("L", (cw + cs, cs * 2), 0)
            ImageDraw.Draw(tile).text((cs // 2, cs // 2), ch, font=cf, fill=255)
            tile = tile.rotate(float(rng.normal(0, 4 * jitter)), resample=Image.BILINEAR)
            dy = int(rng.normal(0, 0.06 * size_px * jitter))
            img.paste(
                Image.fromarray(
                    np.maximum(
                        np.asarray(
                            img.crop(
                                (
                                    int(x) - cs // 2,
                                    int(size_px * 0.6) + dy - cs // 2,
                                    int(x) - cs // 2 + tile.width,
                                    int(size_px * 0.6) + dy - cs // 2 + tile.height,
                                )
                            )
                        ),
                        np.asarray(tile),
                    )
                ),
                (int(x) - cs // 2, int(size_px * 0.6) + dy - cs // 2),
            )
            x += cf.getlength(ch) * rng.uniform(0.95, 1.12) + size_px * 0.04 * jitter
        a = np.asarray(img, np.float32) / 255.0
        return a, -int(size_px * 0.5), -int(size_px * 0.6)

    def text_vertical(
        self,
        x_mm: float,
        y_mm: float,
        s: str,
        *,
        fnt="zh",
        size_mm=3.0,
        category="other",
        role="none",
        sensitive=None,
        color=INK,
        ccw: bool = True,
    ) -> None:
        """Text rotated 90 degrees (reads bottom-to-top when ``ccw``); records a rotated quad."""
        alpha, _, _ = self._text_alpha(s, fnt, size_mm, 0, None)
        ys, xs = np.nonzero(alpha > 0.08)
        alpha = alpha[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
        rot = np.rot90(alpha, 1 if ccw else -1).copy()
        iid = len(self.items)
        box = self._paint(rot, int(round(self.px(x_mm))), int(round(self.px(y_mm))), color, iid)
        if box[2] < box[0]:
            return
        it = self._add("text", s, category, role, sensitive, box)
        # quad in reading order: top-left of the text first
        x0, y0, x1, y1 = it.box
        it.quad = (
            np.array([[x0, y1], [x0, y0], [x1, y0], [x1, y1]])
            if ccw
            else np.array([[x1, y0], [x1, y1], [x0, y1], [x0, y0]])
        )

    def rect(self, x0, y0, x1, y1, width_mm: float = 0.35, color=INK, fill=None) -> None:
        p = [int(round(self.px(v))) for v in (x0, y0, x1, y1)]
        lw = max(1, int(round(self.px(width_mm))))
        img = self.rgb
        if fill is not None:
            img[p[1] : p[3], p[0] : p[2]] = fill
            return
        c = np.asarray(color, np.float32)
        img[p[1] : p[1] + lw, p[0] : p[2]] = c
        img[p[3] - lw : p[3], p[0] : p[2]] = c
        img[p[1] : p[3], p[0] : p[0] + lw] = c
        img[p[1] : p[3], p[2] - lw : p[2]] = c

    def hline(self, x0, x1, y, width_mm=0.35, color=INK, dashed: bool = False) -> None:
        p0, p1, py = int(round(self.px(x0))), int(round(self.px(x1))), int(round(self.px(y)))
        lw = max(1, int(round(self.px(width_mm))))
        if dashed:
            step = max(4, int(self.px(2.0)))
            for s in range(p0, p1, step):
                self.rgb[py : py + lw, s : min(p1, s + step // 2)] = color
        else:
            self.rgb[py : py + lw, p0:p1] = color

    def vline(self, x, y0, y1, width_mm=0.35, color=INK) -> None:
        px_, p0, p1 = int(round(self.px(x))), int(round(self.px(y0))), int(round(self.px(y1)))
        lw = max(1, int(round(self.px(width_mm))))
        self.rgb[p0:p1, px_ : px_ + lw] = color

    def box_char(self, x_mm, y_mm, ch, size_mm, fnt="zh_heavy", inverted: bool = True) -> None:
        """A single caption character in a (filled) square, like the 收 / 寄 markers."""
        side = size_mm * 1.35
        if inverted:
            self.rect(x_mm, y_mm, x_mm + side, y_mm + side, fill=INK)
            self.text(
                x_mm + side / 2,
                y_mm + (side - size_mm) / 2 - size_mm * 0.05,
                ch,
                fnt=fnt,
                size_mm=size_mm,
                color=(245, 245, 245),
                anchor="mt",
            )
        else:
            self.rect(x_mm, y_mm, x_mm + side, y_mm + side, width_mm=0.4)
            self.text(
                x_mm + side / 2,
                y_mm + (side - size_mm) / 2 - size_mm * 0.05,
                ch,
                fnt=fnt,
                size_mm=size_mm,
                anchor="mt",
            )

    def symbol(
        self,
        x_mm: float,
        y_mm: float,
        payload: str,
        fmt: str,
        *,
        w_mm: float | None = None,
        h_mm: float | None = None,
        module_mm: float = 0.33,
        category: str | None = None,
        role: str = "none",
        color=INK,
    ) -> tuple[float, float, float, float]:
        """Draw a real, decodable symbol. 1-D: width ``w_mm`` (modules scale to fit), height ``h_mm``.
        2-D: module size ``module_mm`` (or scaled to ``w_mm``). Returns the symbol box in mm."""
        mod = render_symbol(payload, fmt)  # bool array, True = dark, no quiet zone
        mh, mw = mod.shape
        one_d = fmt in ("Code128", "Code39", "Code93", "ITF", "Codabar", "EAN13")
        if one_d:
            width_px = self.px(w_mm) if w_mm else mw * self.px(module_mm)
            mpx = width_px / mw
            hpx = self.px(h_mm or 12.0)
            cols = np.repeat(mod[0:1, :], 1, axis=0)
            img = cv2.resize(
                cols.astype(np.float32),
                (int(round(mw * mpx)), int(round(hpx))),
                interpolation=cv2.INTER_AREA if mpx < 1 else cv2.INTER_NEAREST,
            )
        else:
            mpx = (self.px(w_mm) / mw) if w_mm else self.px(module_mm)
            if h_mm:  # fit inside w x h (PDF417 grows in height with its payload)
                mpx = min(mpx, self.px(h_mm) / mh)
            img = cv2.resize(
                mod.astype(np.float32),
                (int(round(mw * mpx)), int(round(mh * mpx))),
                interpolation=cv2.INTER_NEAREST if mpx >= 1 else cv2.INTER_AREA,
            )
        px0, py0 = int(round(self.px(x_mm))), int(round(self.px(y_mm)))
        iid = len(self.items)
        h, w = img.shape
        self._paint(img, px0, py0, color, iid)
        cat = category or ("barcode" if one_d else "qrcode")
        box = (px0, py0, min(self.w, px0 + w) - 1, min(self.h, py0 + h) - 1)
        self._add("symbol", "", cat, role, True, box, symbology=fmt, payload=payload)
        return (px0 / self.ppm, py0 / self.ppm, (px0 + w) / self.ppm, (py0 + h) / self.ppm)

    def wrap(self, s: str, fnt: str, size_mm: float, max_w_mm: float, max_lines: int = 4) -> list[str]:
        """Greedy wrap (character-wise for CJK, word-wise for Latin)."""
        words = list(s) if any("\u4e00" <= c <= "\u9fff" for c in s) else s.split(" ")
        sep = "" if any("\u4e00" <= c <= "\u9fff" for c in s) else " "
        lines: list[str] = []
        cur = ""
        for w in words:
            cand = (cur + sep + w) if cur else w
            if self.text_size(cand, fnt, size_mm)[0] <= max_w_mm or not cur:
                cur = cand
            else:
                lines.append(cur)
                cur = w
        if cur:
            lines.append(cur)
        if len(lines) > max_lines:
            head = lines[: max_lines - 1]
            tail = sep.join(lines[max_lines - 1 :])
            lines = head + [tail]
        return lines

    def paragraph(
        self, x_mm, y_mm, s, *, fnt="zh", size_mm=3.0, max_w_mm=60.0, line_gap=1.25, max_lines=4, **kw
    ) -> float:
        """Draw wrapped lines, one item per line. Returns the y (mm) below the last line."""
        lines = self.wrap(s, fnt, size_mm, max_w_mm, max_lines)
        y = y_mm
        for ln in lines:
            self.text(x_mm, y, ln, fnt=fnt, size_mm=size_mm, max_w_mm=max_w_mm, **kw)
            y += size_mm * line_gap
        return y

    def image_rgb(self) -> np.ndarray:
        return self.rgb
