"""The privacy scorer: tool-agnostic, it reads a folder of outputs and the truth folder.

    python -m benchmarks.score TRUTH_DIR OUTPUT_DIR [--workers N] [--json results.json]

For every photo ``NAME.<ext>`` + ``NAME.json`` (truth) in TRUTH_DIR, the output is ``OUTPUT_DIR/NAME.<any
image ext>``. An optional ``OUTPUT_DIR/_status.jsonl`` (one JSON object per photo: name, ok, seconds,
error_kind) written by the runner adds timings and failures.

A sensitive item LEAKS when any of these holds:

* **uncovered**: its ink is not materially destroyed. Changed pixels are found by comparing the output with
  the original after a light Gaussian smoothing of both (sigma 1.2), a per-pixel threshold (max channel
  difference > 24) and a 3x3 opening: JPEG re-encoding alone (q=75..95) changes nothing under this test
  (tests/test_scorer.py proves it). Ink = the minority Otsu class of the original inside the polygon (the
  whole polygon when there is no clear ink). Per item the change threshold follows its contrast (40 % of the
  ink/paper difference, 10..24 levels; JPEG's error scales with contrast too, so faint blurred ink wiped by
  a mask counts). An ink pixel counts as destroyed when it changed or a changed pixel lies within 12 % of
  the text height (a black fill over black text changes the paper around the
  strokes, not the strokes). Covered = at least 80 % of the ink destroyed.
* **ocr**: the attacker (rapidocr, PP-OCRv6 small, every line down to score 0.3) reads back a real part of
  the value from the output: the item's polygon rectified upright with a margin, upscaled 2x, read as a line
  (both 0 and 180 degrees) and, when the crop still has structure, detected + read, and read by Tesseract
  (eng+chi_sim, when installed) as a second, independent engine. A leak is >= 4
  consecutive digits of a phone / tracking / ID number / postal code, >= 2 consecutive characters of a
  Chinese name (the whole visible name if shorter), >= 4 consecutive characters of an address, a Western
  name token, >= 4 characters of an e-mail's local part (or its non-public domain).
* **barcode**: zxing-cpp decodes the symbol's payload from its crop (with a quiet-zone margin) at 1x or 2x.

Metrics (``aggregate``): leak rate overall / per category / role / condition / set; clean-photo rate;
over-redaction (non-sensitive text ink destroyed, photo changed outside sensitive areas plus a margin,
changed share on no-label photos); GPS / EXIF thumbnail surviving; failures; seconds per photo.

No personal value is ever written by the scorer: per-item results carry ids, categories, roles and reasons.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np

log = logging.getLogger("benchmarks.score")

SCORER_VERSION = "1"
IMAGE_EXTS = (".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".bmp", ".heic")
DIFF_SIGMA = 1.2
DIFF_THRESHOLD = 24
COVER_MIN = 0.80
INK_REACH = 0.12  # fraction of the text height within which a changed pixel destroys an ink pixel
OCR_MIN_SCORE = 0.3
DIGIT_CATEGORIES = {"phone", "tracking_number", "id_number", "postal_code"}


# ----------------------------------------------------------------------------------------------- truth
@dataclass(frozen=True)
class Item:
    id: str
    kind: str  # "text" | "symbol"
    category: str
    role: str
    sensitive: bool
    polygon: Tuple[Tuple[float, float], ...]
    text: str = ""
    symbology: str = ""
    payload: str = ""


@dataclass(frozen=True)
class Truth:
    name: str
    image: Path
    set: str  # "standard" | "hard" | "nolabel"
    conditions: Tuple[str, ...]
    gps: bool
    thumbnail: bool
    items: Tuple[Item, ...]


def _as_conditions(c: Any) -> Tuple[str, ...]:
    if not c:
        return ()
    if isinstance(c, dict):
        out = []
        for k, v in c.items():
            if v is True:
                out.append(str(k))
            elif v not in (False, None, 0, "", "none"):
                out.append(f"{k}={v}" if not isinstance(v, (list, dict)) else str(k))
        return tuple(sorted(out))
    if isinstance(c, str):
        return (c,)
    return tuple(sorted(str(x) for x in c))


def find_image(folder: Path, stem: str) -> Optional[Path]:
    for ext in IMAGE_EXTS:
        for e in (ext, ext.upper()):
            p = folder / f"{stem}{e}"
            if p.exists():
                return p
    return None


def load_truth(folder: Path | str) -> List[Truth]:
    """Every ``*.json`` in ``folder`` that describes a photo (has ``items``) with its image beside it."""
    folder = Path(folder)
    out: List[Truth] = []
    for jp in sorted(folder.glob("*.json")):
        try:
            d = json.loads(jp.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(d, dict) or "items" not in d:
            continue
        stem = jp.stem
        img = None
        if d.get("image"):
            cand = folder / Path(str(d["image"])).name
            img = cand if cand.exists() else None
        img = img or find_image(folder, stem)
        if img is None:
            continue
        items = []
        for i, it in enumerate(d.get("items") or []):
            poly = tuple((float(p[0]), float(p[1])) for p in (it.get("polygon") or []))
            if len(poly) < 3:
                continue
            kind = str(it.get("kind") or ("symbol" if it.get("payload") else "text"))
            items.append(
                Item(
                    id=str(it.get("id", i)),
                    kind=kind,
                    category=str(it.get("category") or "other"),
                    role=str(it.get("role") or "none"),
                    sensitive=bool(it.get("sensitive")),
                    polygon=poly,
                    text=str(it.get("text") or ""),
                    symbology=str(it.get("symbology") or ""),
                    payload=str(it.get("payload") or ""),
                )
            )
        meta = d.get("meta") if isinstance(d.get("meta"), dict) else {}
        gps = d.get("gps", meta.get("gps", False))
        out.append(
            Truth(
                name=stem,
                image=img,
                set=str(d.get("set") or "standard"),
                conditions=_as_conditions(d.get("conditions")),
                gps=bool(gps),
                thumbnail=bool(d.get("thumbnail", meta.get("thumbnail", False))),
                items=tuple(items),
            )
        )
    return out


# ---------------------------------------------------------------------------------------------- images
def load_rgb(path: Path | str) -> np.ndarray:
    """Decode as displayed (EXIF orientation applied), RGB uint8."""
    from PIL import Image, ImageOps

    try:
        import pillow_heif  # noqa: F401

        pillow_heif.register_heif_opener()
    except Exception:  # pragma: no cover - optional
        pass
    with Image.open(path) as im:
        im = ImageOps.exif_transpose(im)
        if im.mode != "RGB":
            im = im.convert("RGBA").convert("RGB") if "A" in im.mode or im.mode == "P" else im.convert("RGB")
        return np.asarray(im, dtype=np.uint8).copy()


def metadata_of(path: Path | str) -> Dict[str, bool]:
    """Whether a file still carries GPS, an EXIF thumbnail, or any EXIF at all."""
    from PIL import ExifTags, Image

    out = {"exif": False, "gps": False, "thumbnail": False}
    try:
        with Image.open(path) as im:
            ex = im.getexif()
            raw = im.info.get("exif")
            out["exif"] = bool(len(ex)) or bool(raw)
            try:
                out["gps"] = bool(ex.get_ifd(ExifTags.IFD.GPSInfo))
            except Exception:
                out["gps"] = False
            try:
                out["thumbnail"] = bool(ex.get_ifd(ExifTags.IFD.IFD1))
            except Exception:
                out["thumbnail"] = False
            if raw and not out["thumbnail"]:
                # a second JPEG (SOI) inside the APP1 payload is an embedded thumbnail
                out["thumbnail"] = raw.find(b"\xff\xd8", 8) >= 0
    except Exception:
        pass
    return out


def diff_map(orig: np.ndarray, out: np.ndarray) -> np.ndarray:
    """HxW uint8: the largest channel difference after a light smoothing of both images."""
    import cv2

    if out.shape != orig.shape:
        out = cv2.resize(out, (orig.shape[1], orig.shape[0]), interpolation=cv2.INTER_AREA)
    a = cv2.GaussianBlur(orig, (0, 0), DIFF_SIGMA)
    b = cv2.GaussianBlur(out, (0, 0), DIFF_SIGMA)
    return cv2.absdiff(a, b).max(axis=2)


def threshold_changes(d: np.ndarray, thr: float = DIFF_THRESHOLD) -> np.ndarray:
    import cv2

    m = (d > thr).astype(np.uint8)
    return cv2.morphologyEx(m, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8)).astype(bool)


def change_mask(orig: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Boolean HxW: pixels materially changed (robust to JPEG re-encoding)."""
    return threshold_changes(diff_map(orig, out))


def _poly_arr(poly: Sequence[Tuple[float, float]]) -> np.ndarray:
    return np.asarray(poly, dtype=np.float64).reshape(-1, 2)


def text_height(poly: Sequence[Tuple[float, float]]) -> float:
    """The polygon's short side (a text line's height), from its minimum-area rectangle."""
    import cv2

    (_, _), (w, h), _ = cv2.minAreaRect(_poly_arr(poly).astype(np.float32))
    return float(max(1.0, min(w, h)))


def _bbox(poly: np.ndarray, pad: float, w: int, h: int) -> Tuple[int, int, int, int]:
    x0 = int(max(0, np.floor(poly[:, 0].min() - pad)))
    y0 = int(max(0, np.floor(poly[:, 1].min() - pad)))
    x1 = int(min(w, np.ceil(poly[:, 0].max() + pad) + 1))
    y1 = int(min(h, np.ceil(poly[:, 1].max() + pad) + 1))
    return x0, y0, x1, y1


def _poly_mask(poly: np.ndarray, box: Tuple[int, int, int, int]) -> np.ndarray:
    import cv2

    x0, y0, x1, y1 = box
    m = np.zeros((y1 - y0, x1 - x0), np.uint8)
    pts = np.round((poly - [x0, y0]) * 4).astype(np.int32)
    cv2.fillPoly(m, [pts], 1, lineType=cv2.LINE_8, shift=2)
    return m.astype(bool)


def _grow(mask: np.ndarray, r: int) -> np.ndarray:
    """``mask`` dilated by a disc of radius ``r`` (a distance transform: cost independent of ``r``)."""
    import cv2

    if r <= 0 or not mask.any():
        return mask.astype(bool)
    inv = np.where(mask, 0, 255).astype(np.uint8)
    return cv2.distanceTransform(inv, cv2.DIST_L2, 3) <= r


def ink_mask(gray: np.ndarray, region: np.ndarray) -> np.ndarray:
    """Ink pixels (minority Otsu class) of ``gray`` inside ``region``; the whole region without clear ink."""
    import cv2

    vals = gray[region]
    if vals.size < 16:
        return region.copy()
    t, _ = cv2.threshold(vals.reshape(-1, 1).astype(np.uint8), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    dark = region & (gray <= t)
    light = region & (gray > t)
    nd, nl = int(dark.sum()), int(light.sum())
    if nd == 0 or nl == 0:
        return region.copy()
    if abs(float(gray[dark].mean()) - float(gray[light].mean())) < 20:
        return region.copy()
    ink = dark if nd <= nl else light
    if ink.sum() < 0.02 * region.sum():
        return region.copy()
    return ink


RESIDUAL_MAX = 0.35  # an ink pixel keeping at most this share of its contrast to the paper around it is destroyed


def residual_destroyed(g: np.ndarray, o: np.ndarray, ink: np.ndarray, paper: np.ndarray, k: int) -> np.ndarray:
    """Ink pixels whose contrast to the paper around them is gone from the output (bool, like ``ink``).

    For every ink pixel, its contrast in the original is the local paper mean (a ``k``-px window over the
    ``paper`` pixels) minus its own value; its contrast in the output is the same difference measured in
    the output, over the same pixels. A mask replaces both the ink and the paper around it by values that
    do not depend on the glyph, so what is left of the contrast is noise (≈ 0); a ghost (a weak blend, a
    feather) keeps its share (1 − alpha); an untouched or re-encoded pixel keeps ≈ all of it. The test is
    per pixel, so a glyph half under a mask counts half. Independent of the fill colour (a grey fill over
    grey ink is destroyed too), and of stroke width (no smoothing: thin strokes of small text count)."""
    import cv2

    pf = paper.astype(np.float32)
    cnt = cv2.boxFilter(pf, -1, (k, k), normalize=False, borderType=cv2.BORDER_CONSTANT)
    ok = cnt > 0.5
    den = np.where(ok, cnt, 1.0)
    lp0 = cv2.boxFilter(g.astype(np.float32) * pf, -1, (k, k), normalize=False, borderType=cv2.BORDER_CONSTANT) / den
    lp1 = cv2.boxFilter(o.astype(np.float32) * pf, -1, (k, k), normalize=False, borderType=cv2.BORDER_CONSTANT) / den
    d0 = lp0 - g.astype(np.float32)
    d1 = lp1 - o.astype(np.float32)
    sign = np.sign(d0)
    kept = d1 * sign  # the output's contrast in the original's direction
    return ink & ok & (np.abs(d0) >= 1.0) & (kept <= RESIDUAL_MAX * np.abs(d0) + 2.0)


def coverage(item_poly: np.ndarray, gray: np.ndarray, diff: np.ndarray,
             out_gray: Optional[np.ndarray] = None) -> Tuple[float, int]:
    """Share of the item's ink destroyed (0..1) and its polygon area in pixels.

    ``diff`` is the smoothed difference map. The change threshold follows the item's own contrast (JPEG's
    error scales with it): 40 % of the ink/paper difference, between 10 and 24 levels, so the faint ink of
    a small blurred label counts as destroyed when a mask wipes it, while re-encoding still changes nothing.

    With ``out_gray`` (the output in grey), an ink pixel also counts as destroyed when its contrast to the
    paper around it is gone (``residual_destroyed``): the smoothed difference alone under-counts the thin
    strokes of small text (smoothing spreads a 1-2 px stroke's change below the threshold, and the opening
    that ignores JPEG noise removes what is left), so a wholly masked small line scored as uncovered."""
    h, w = gray.shape
    th = text_height(item_poly)
    reach = max(1, int(round(INK_REACH * th)))
    k = max(5, int(round(th)) | 1)
    box = _bbox(item_poly, max(reach + 2, k), w, h)
    x0, y0, x1, y1 = box
    if x1 <= x0 or y1 <= y0:
        return 1.0, 0
    region = _poly_mask(item_poly, box)
    area = int(region.sum())
    if area == 0:
        return 1.0, 0
    g = gray[y0:y1, x0:x1]
    ink = ink_mask(g, region)
    rest = region & ~ink
    contrast = abs(float(g[ink].mean()) - float(g[rest].mean())) if rest.any() and ink.any() else 255.0
    thr = min(DIFF_THRESHOLD, max(10.0, 0.4 * contrast))
    reach_mask = _grow(threshold_changes(diff[y0:y1, x0:x1], thr), reach)
    n = int(ink.sum())
    if not n:
        return 1.0, area
    done = reach_mask & ink
    if out_gray is not None and rest.any() and ink.any() and contrast >= 20:
        dark = float(g[ink].mean()) < float(g[rest].mean())
        mid = 0.5 * (float(g[ink].mean()) + float(g[rest].mean()))
        paper = (g > mid) if dark else (g < mid)  # the paper of the whole window, not only the polygon
        done = done | residual_destroyed(g, out_gray[y0:y1, x0:x1], ink, paper, k)
    return float(done.sum()) / n, area


# -------------------------------------------------------------------------------------------- attacker
def _nfkc(s: str) -> str:
    return unicodedata.normalize("NFKC", s or "")


_CONFUSE = str.maketrans({"O": "0", "Q": "0", "I": "1", "L": "1", "|": "1", "Z": "2", "S": "5", "B": "8"})
_MASK_CHARS = r"[\*＊×•●]+"


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def _alnum_upper(s: str) -> str:
    return "".join(ch for ch in _nfkc(s).upper() if ch.isalnum())


def _grams_hit(tokens: Iterable[str], hay: str, k: int) -> bool:
    """Any ``k`` consecutive characters of a token found in ``hay``. Tokens shorter than ``k`` count only when
    the whole value is shorter than ``k`` (then the whole token must be read)."""
    tokens = [t for t in tokens if t]
    whole = sum(len(t) for t in tokens) < k
    for tok in tokens:
        if len(tok) < k:
            if whole and tok in hay:
                return True
            continue
        for i in range(0, len(tok) - k + 1):
            if tok[i : i + k] in hay:
                return True
    return False


PUBLIC_MAIL = {"GMAIL", "YAHOO", "HOTMAIL", "OUTLOOK", "QQ", "163", "126", "ICLOUD", "FOXMAIL", "SINA",
               "EXAMPLE", "LIVE", "MSN", "AOL", "PROTONMAIL", "MAIL", "YEAH", "SOHU", "ALIYUN", "REDIFFMAIL"}


def value_leaks(category: str, value: str, reads: Sequence[str]) -> bool:
    """Does any OCR reading in ``reads`` give back a real part of ``value`` (rules in the module doc)?"""
    value = _nfkc(value)
    if not value.strip() or not reads:
        return False
    joined = " ".join(_nfkc(r) for r in reads)
    parts = [p for p in re.split(_MASK_CHARS, value) if p.strip()]
    if category in DIGIT_CATEGORIES:
        hay = re.sub(_MASK_CHARS, "|", joined)
        hay = "".join(ch for ch in hay.upper() if ch.isalnum() or ch == "|").translate(_CONFUSE)
        toks = [_alnum_upper(p).translate(_CONFUSE) for p in parts]
        return _grams_hit(toks, hay, 4)
    if category == "name":
        if any(_is_cjk(c) for c in value):
            # the visible characters of the name (a privacy waybill's 陆*勇 shows 陆, 勇): any 2 consecutive
            # of them, or the whole visible name when it is 1 character; mask characters read are ignored
            hay = "".join(c for c in re.sub(_MASK_CHARS, "", joined) if not c.isspace())
            vis = "".join(c for c in "".join(parts) if _is_cjk(c) or c.isalnum())
            return _grams_hit([vis], hay, 2)
        words = [w for w in re.split(r"[^A-Za-z\u00C0-\u024F]+", value.upper()) if len(w) >= 2]
        hay_words = set(re.split(r"[^A-Z\u00C0-\u024F]+", joined.upper()))
        hay = "".join(c for c in joined.upper() if c.isalpha())
        for w in words:
            if (len(w) >= 3 and w in hay) or w in hay_words:
                return True
        return False
    if category == "email":
        local, _, domain = value.partition("@")
        toks = [_alnum_upper(local)]
        first = _alnum_upper(domain.split(".")[0]) if domain else ""
        if first and first not in PUBLIC_MAIL:
            toks.append(first)
        return _grams_hit(toks, _alnum_upper(joined), 4)
    # address and anything else: >= 4 consecutive characters (spaces / punctuation ignored)
    hay = "".join(c for c in joined.upper() if c.isalnum() or _is_cjk(c) or c == "*")
    toks = [_alnum_upper(p) for p in parts]
    return _grams_hit(toks, hay, 4)


class Attacker:
    """An OCR + barcode reader pointed at the output. Models load lazily, once per process."""

    def __init__(self, threads: int = 1):
        self.threads = threads
        self._ocr = None

    @property
    def ocr(self):
        if self._ocr is None:
            from rapidocr import RapidOCR

            logging.getLogger("RapidOCR").setLevel(logging.ERROR)
            self._ocr = RapidOCR(
                params={
                    "Global.log_level": "error",
                    "Global.text_score": OCR_MIN_SCORE,
                    "Global.max_side_len": 4000,
                    "Det.limit_type": "max",
                    "Det.limit_side_len": 1280,
                    "EngineConfig.onnxruntime.intra_op_num_threads": self.threads,
                    "EngineConfig.onnxruntime.inter_op_num_threads": 1,
                }
            )
        return self._ocr

    def _texts(self, result) -> List[str]:
        txts = getattr(result, "txts", None) or ()
        scores = getattr(result, "scores", None) or ()
        return [t for t, s in zip(txts, scores) if t and float(s) >= OCR_MIN_SCORE]

    def read_line(self, crop: np.ndarray) -> List[str]:
        """Recognition only, at 0 and 180 degrees (the crop is already rectified)."""
        return [t for r in self.read_lines([crop]) for t in r]

    def read_lines(self, crops: Sequence[np.ndarray]) -> List[List[str]]:
        """Batched recognition of rectified line crops, each at 0 and 180 degrees: one list per crop."""
        imgs: List[np.ndarray] = []
        for c in crops:
            imgs += [np.ascontiguousarray(c), np.ascontiguousarray(c[::-1, ::-1])]
        if not imgs:
            return []
        try:
            rec = self.ocr.recognize_txt(imgs)  # rapidocr's own batched recognizer
            pairs = list(zip(rec.txts or (), rec.scores or ()))
            if len(pairs) != len(imgs):
                raise ValueError("batch size mismatch")
            texts = [t if (t and float(sc) >= OCR_MIN_SCORE) else "" for t, sc in pairs]
        except Exception:  # pragma: no cover - another rapidocr version: one call per image
            texts = []
            for img in imgs:
                r = self._texts(self.ocr(img, use_det=False, use_cls=False))
                texts.append(" ".join(r))
        return [[t for t in texts[2 * i : 2 * i + 2] if t] for i in range(len(crops))]

    _tess: Optional[bool] = None

    def read_tesseract(self, crop: np.ndarray, cjk: bool = True) -> List[str]:
        """A second, independent engine (Tesseract eng+chi_sim, one text line), when it is installed: the
        tool under test may check itself with the same PP-OCR models as the first attacker."""
        if Attacker._tess is None:
            import shutil

            try:
                import pytesseract  # noqa: F401

                Attacker._tess = shutil.which("tesseract") is not None
            except ImportError:
                Attacker._tess = False
        if not Attacker._tess:
            return []
        import pytesseract
        from PIL import Image

        try:  # the crop is already upright (rectified from the truth quad, which is in reading order)
            t = pytesseract.image_to_string(Image.fromarray(np.ascontiguousarray(crop)),
                                            lang="chi_sim+eng" if cjk else "eng", config="--psm 7", timeout=20)
        except Exception:  # a missing language pack or a timeout: no reading
            t = ""
        return [t.strip()] if t.strip() else []

    def read_block(self, crop: np.ndarray) -> List[str]:
        r = self.ocr(np.ascontiguousarray(crop), use_det=True, use_cls=True)
        return self._texts(r)

    @staticmethod
    def read_symbols(crop: np.ndarray) -> List[str]:
        import cv2
        import zxingcpp

        out: List[str] = []
        for scale in (1.0, 2.0):
            img = crop if scale == 1.0 else cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
            try:
                # Plain text mode: MaxiCode / PDF417 payloads carry RS/GS control characters, which the
                # default (HRI) mode shows as visible symbols that would never equal the truth's payload
                res = zxingcpp.read_barcodes(np.ascontiguousarray(img), try_rotate=True, try_downscale=True,
                                             text_mode=zxingcpp.TextMode.Plain)
            except TypeError:  # older signature
                res = zxingcpp.read_barcodes(np.ascontiguousarray(img))
            out += [r.text for r in res if r.text]
            if out:
                break
        return out


def rectify(img: np.ndarray, poly: np.ndarray, margin: float, scale: float = 2.0, max_side: int = 2400) -> np.ndarray:
    """Warp the polygon (its min-area rectangle, or the quad itself in text order) upright, with a margin."""
    import cv2

    if len(poly) == 4:
        q = poly.astype(np.float32)
    else:
        q = cv2.boxPoints(cv2.minAreaRect(poly.astype(np.float32))).astype(np.float32)
    w = float((np.linalg.norm(q[1] - q[0]) + np.linalg.norm(q[2] - q[3])) / 2)
    h = float((np.linalg.norm(q[3] - q[0]) + np.linalg.norm(q[2] - q[1])) / 2)
    if w < 1 or h < 1:
        return np.zeros((8, 8, 3), np.uint8)
    th = min(w, h)
    m = margin * th
    # expand the quad along its own axes
    ux = (q[1] - q[0]) / max(np.linalg.norm(q[1] - q[0]), 1e-6)
    uy = (q[3] - q[0]) / max(np.linalg.norm(q[3] - q[0]), 1e-6)
    src = np.array([q[0] - m * ux - m * uy, q[1] + m * ux - m * uy, q[2] + m * ux + m * uy, q[3] - m * ux + m * uy],
                   np.float32)
    W, H = w + 2 * m, h + 2 * m
    s = min(scale, max_side / max(W, H))
    W, H = max(8, int(round(W * s))), max(8, int(round(H * s)))
    dst = np.array([[0, 0], [W - 1, 0], [W - 1, H - 1], [0, H - 1]], np.float32)
    M = cv2.getPerspectiveTransform(src, dst)
    out = cv2.warpPerspective(img, M, (W, H), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)
    if H > 1.5 * W:  # a vertical quad: the text runs along the long side
        out = cv2.rotate(out, cv2.ROTATE_90_COUNTERCLOCKWISE)
    return out


def _has_structure(crop: np.ndarray) -> bool:
    import cv2

    g = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY)
    lap = cv2.Laplacian(g, cv2.CV_32F)
    return float(np.abs(lap).mean()) > 1.5 and float(g.std()) > 6.0


def attack_items(items: Sequence[Item], out_img: np.ndarray, attacker: Attacker) -> Dict[str, Tuple[bool, bool]]:
    """{item id: (ocr_leak, barcode_leak)} for covered sensitive items of one output photo."""
    res: Dict[str, Tuple[bool, bool]] = {}
    texts = [it for it in items if it.kind != "symbol" and it.text.strip()]
    crops = [rectify(out_img, _poly_arr(it.polygon), margin=0.3, scale=2.0) for it in texts]
    for it, crop, reads in zip(texts, crops, attacker.read_lines(crops)):
        leak = value_leaks(it.category, it.text, reads)
        # something is still drawn *inside* the item (not just the edge of a mask): detect + read it, twice
        inner = rectify(out_img, _poly_arr(it.polygon), margin=-0.08, scale=1.0)
        if not leak and _has_structure(inner):
            leak = value_leaks(it.category, it.text, attacker.read_block(crop))
            if not leak:
                cjk = any(_is_cjk(c) for c in it.text)
                leak = value_leaks(it.category, it.text, attacker.read_tesseract(crop, cjk))
        res[it.id] = (leak, False)
    h, w = out_img.shape[:2]
    for it in items:
        if it.kind != "symbol":
            res.setdefault(it.id, (False, False))
            continue
        payload = it.payload.strip()
        if not payload:
            res[it.id] = (False, False)
            continue
        poly = _poly_arr(it.polygon)
        x0, y0, x1, y1 = _bbox(poly, 0.25 * text_height(poly) + 6, w, h)
        reads = attacker.read_symbols(out_img[y0:y1, x0:x1]) if x1 > x0 and y1 > y0 else []
        res[it.id] = (False, any(r.strip() == payload or (len(payload) >= 6 and payload in r) for r in reads))
    return res


def attack_item(item: Item, out_img: np.ndarray, attacker: Attacker) -> Tuple[bool, bool]:
    """(ocr_leak, barcode_leak) for one sensitive item (whether or not it is covered)."""
    return attack_items([item], out_img, attacker)[item.id]


# ------------------------------------------------------------------------------------------- per photo
def _margin_union(items: Sequence[Item], shape: Tuple[int, int]) -> np.ndarray:
    """Union of sensitive polygons, each dilated by half its text height (symbols: a quarter) + 4 px."""
    import cv2

    h, w = shape
    u = np.zeros((h, w), bool)
    for it in items:
        poly = _poly_arr(it.polygon)
        th = text_height(poly)
        r = int(round((0.25 if it.kind == "symbol" else 0.5) * th)) + 4
        box = _bbox(poly, r + 1, w, h)
        x0, y0, x1, y1 = box
        if x1 <= x0 or y1 <= y0:
            continue
        u[y0:y1, x0:x1] |= _grow(_poly_mask(poly, box), r)
    return u


def load_output(res: Dict[str, Any], status: Optional[Dict[str, Any]], image: Path | str,
                output: Optional[Path]) -> Optional[Tuple[np.ndarray, np.ndarray]]:
    """The run's status into ``res``, then (original, output) as RGB at the original's size; None (with
    ``res["error_kind"]`` set) when the tool wrote no readable output."""
    import cv2

    if status:
        res["seconds"] = status.get("seconds")
        res["cpu_seconds"] = status.get("cpu_seconds")
        if status.get("ok") is False:
            res["error_kind"] = status.get("error_kind") or "error"
    if output is None or not Path(output).exists():
        res["error_kind"] = res.get("error_kind") or "missing_output"
        return None
    orig = load_rgb(image)
    try:
        out = load_rgb(output)
    except Exception:
        res["error_kind"] = "unreadable_output"
        return None
    res["ok"] = True
    res["size_mismatch"] = out.shape != orig.shape
    if out.shape != orig.shape:
        out = cv2.resize(out, (orig.shape[1], orig.shape[0]), interpolation=cv2.INTER_AREA)
    return orig, out


def score_photo(truth: Truth, output: Optional[Path], attacker: Optional[Attacker] = None,
                status: Optional[Dict[str, Any]] = None, ocr: bool = True) -> Dict[str, Any]:
    """Score one output against its truth. Returns a JSON-able dict without any personal value."""
    import cv2

    attacker = attacker or Attacker()
    res: Dict[str, Any] = {
        "name": truth.name,
        "set": truth.set,
        "conditions": list(truth.conditions),
        "gps_in": truth.gps,
        "ok": False,
        "items": [],
    }
    pair = load_output(res, status, truth.image, output)
    if pair is None:
        return res
    orig, out = pair
    diff = diff_map(orig, out)
    changed = threshold_changes(diff)
    gray = cv2.cvtColor(orig, cv2.COLOR_RGB2GRAY)
    total = changed.size
    res["changed_share"] = float(changed.sum()) / total
    sens = [it for it in truth.items if it.sensitive]
    sens_union = _margin_union(sens, changed.shape)
    outside = ~sens_union
    n_out = int(outside.sum())
    res["changed_outside_share"] = float((changed & outside).sum()) / n_out if n_out else 0.0
    md = metadata_of(output)
    res["gps_out"] = md["gps"]
    res["thumbnail_out"] = md["thumbnail"]
    res["exif_out"] = md["exif"]
    out_gray = cv2.cvtColor(out, cv2.COLOR_RGB2GRAY)
    covs = {it.id: coverage(_poly_arr(it.polygon), gray, diff, out_gray) for it in truth.items}
    to_attack = [it for it in sens if covs[it.id][0] >= COVER_MIN]
    attacks = attack_items(to_attack, out, attacker) if (ocr and to_attack) else {}
    for it in truth.items:
        poly = _poly_arr(it.polygon)
        cov, area = covs[it.id]
        r: Dict[str, Any] = {
            "id": it.id,
            "kind": it.kind,
            "category": it.category,
            "role": it.role,
            "sensitive": it.sensitive,
            "area": area,
            "coverage": round(cov, 4),
        }
        if it.sensitive:
            covered = cov >= COVER_MIN
            ocr_leak, bc_leak = attacks.get(it.id, (False, False))
            reason = None if covered else "uncovered"
            reason = reason or ("ocr" if ocr_leak else None) or ("barcode" if bc_leak else None)
            r.update(covered=covered, leaked=reason is not None, reason=reason)
        elif it.kind == "text":
            # over-redaction of non-sensitive text: ink destroyed outside any sensitive area
            # (measured like coverage: ink destroyed, a changed pixel within reach of a stroke counts)
            h, w = gray.shape
            reach = max(1, int(round(INK_REACH * text_height(poly))))
            box = _bbox(poly, reach + 2, w, h)
            x0, y0, x1, y1 = box
            reg = _poly_mask(poly, box) & ~sens_union[y0:y1, x0:x1]
            free = int(reg.sum())
            if free:
                ink = ink_mask(gray[y0:y1, x0:x1], reg)
                grown = _grow(changed[y0:y1, x0:x1], reach)
                r["free_area"] = free
                r["free_changed"] = round(float((grown & ink).sum()) / max(1, int(ink.sum())), 4)
        res["items"].append(r)
    return res


# ----------------------------------------------------------------------------------------- aggregation
def _rate(n: int, d: int) -> Optional[float]:
    return (n / d) if d else None


def _pct(values: Sequence[float], q: float) -> Optional[float]:
    if not values:
        return None
    return float(np.percentile(np.asarray(values, dtype=float), q))


def aggregate(photos: Sequence[Dict[str, Any]], sets: Optional[Iterable[str]] = None) -> Dict[str, Any]:
    """Metrics over per-photo scores (optionally only photos of the given sets)."""
    if sets is not None:
        sets = set(sets)
        photos = [p for p in photos if p["set"] in sets]
    n = len(photos)
    ok = [p for p in photos if p.get("ok")]
    fails = [p for p in photos if not p.get("ok")]
    sens_items = [(p, it) for p in ok for it in p["items"] if it.get("sensitive")]
    leaked = [(p, it) for p, it in sens_items if it["leaked"]]

    def group(key) -> Dict[str, Dict[str, Any]]:
        g: Dict[str, List[int]] = {}
        for p, it in sens_items:
            for k in key(p, it):
                c = g.setdefault(k, [0, 0])
                c[0] += 1
                c[1] += int(it["leaked"])
        return {k: {"items": v[0], "leaked": v[1], "leak_rate": _rate(v[1], v[0])} for k, v in sorted(g.items())}

    reasons: Dict[str, int] = {}
    for _, it in leaked:
        reasons[it["reason"]] = reasons.get(it["reason"], 0) + 1
    label_photos = [p for p in ok if p["set"] != "nolabel"]
    clean = [p for p in photos if p.get("ok") and not any(it.get("leaked") for it in p["items"])]
    clean_label = [p for p in label_photos if not any(it.get("leaked") for it in p["items"])]
    free = [it for p in ok for it in p["items"] if "free_area" in it]
    free_area = sum(it["free_area"] for it in free)
    nolabel = [p for p in ok if p["set"] == "nolabel"]
    gps_in = [p for p in ok if p.get("gps_in")]
    secs = [float(p["seconds"]) for p in photos if p.get("seconds") is not None and p.get("ok")]
    cpus = [float(p["cpu_seconds"]) for p in photos if p.get("cpu_seconds") is not None and p.get("ok")]
    # 12 MP photos alone (issue 5's speed bar is per 12 MP photo; chat-app copies are 1080 px)
    secs12 = [float(p["seconds"]) for p in photos if p.get("seconds") is not None and p.get("ok")
              and not any(str(c).startswith("chat1080") for c in p.get("conditions") or ())]
    return {
        "photos": n,
        "photos_ok": len(ok),
        "failures": len(fails),
        "failure_kinds": _count(p.get("error_kind") or "error" for p in fails),
        "sensitive_items": len(sens_items),
        "leaked_items": len(leaked),
        "leak_rate": _rate(len(leaked), len(sens_items)),
        "leak_reasons": reasons,
        "clean_photo_rate": _rate(len(clean), n),
        "clean_label_photo_rate": _rate(len(clean_label), len([p for p in photos if p["set"] != "nolabel"])),
        "over_nonsensitive_text": (sum(it["free_area"] * it["free_changed"] for it in free) / free_area)
        if free_area else None,
        "over_outside_share": _mean(p["changed_outside_share"] for p in label_photos),
        "nolabel_changed_share": _mean(p["changed_share"] for p in nolabel),
        "nolabel_photos_changed": sum(1 for p in nolabel if p["changed_share"] > 0.001),
        "gps_photos": len(gps_in),
        "gps_survived": sum(1 for p in ok if p.get("gps_out")),
        "thumbnail_survived": sum(1 for p in ok if p.get("thumbnail_out")),
        "exif_survived": sum(1 for p in ok if p.get("exif_out")),
        "seconds_median": _pct(secs, 50),
        "seconds_p95": _pct(secs, 95),
        "photos_12mp": len(secs12),
        "seconds_median_12mp": _pct(secs12, 50),
        "seconds_p95_12mp": _pct(secs12, 95),
        "cpu_seconds_median": _pct(cpus, 50),
        "cpu_seconds_p95": _pct(cpus, 95),
        "per_category": group(lambda p, it: [it["category"]]),
        "per_role": group(lambda p, it: [it["role"]]),
        "per_condition": group(lambda p, it: list(p.get("conditions") or ["none"])),
        "per_set": group(lambda p, it: [p["set"]]),
    }


def _mean(vals: Iterable[float]) -> Optional[float]:
    v = [float(x) for x in vals]
    return sum(v) / len(v) if v else None


def _count(vals: Iterable[str]) -> Dict[str, int]:
    out: Dict[str, int] = {}
    for v in vals:
        out[v] = out.get(v, 0) + 1
    return out


# ---------------------------------------------------------------------------------------- a whole folder
def read_status(out_dir: Path) -> Dict[str, Dict[str, Any]]:
    st: Dict[str, Dict[str, Any]] = {}
    for p in sorted(Path(out_dir).glob("_status*.jsonl")):
        for line in p.read_text(encoding="utf-8").splitlines():
            try:
                d = json.loads(line)
            except ValueError:
                continue
            if isinstance(d, dict) and d.get("name"):
                st[str(d["name"])] = d
    return st


_WORKER_ATTACKER: Optional[Attacker] = None


def _score_one(args: Tuple[Truth, Optional[str], Optional[Dict[str, Any]], str]) -> Dict[str, Any]:
    global _WORKER_ATTACKER
    truth, output, status, cache = args
    if _WORKER_ATTACKER is None:
        _WORKER_ATTACKER = Attacker(threads=1)
    res = score_photo(truth, Path(output) if output else None, _WORKER_ATTACKER, status)
    if cache:
        _atomic_json(Path(cache), res)
    return res


def _atomic_json(path: Path, obj: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + f".tmp{os.getpid()}")
    tmp.write_text(json.dumps(obj), encoding="utf-8")
    os.replace(tmp, path)


def _scorer_stamp() -> str:
    """The scorer's own code: cached scores are reused only by the same scorer."""
    import hashlib

    return hashlib.sha1(Path(__file__).read_bytes()).hexdigest()[:12]


def _cache_key(truth: Truth, output: Optional[Path], status: Optional[Dict[str, Any]]) -> str:
    parts = [SCORER_VERSION, _scorer_stamp(), str(truth.image.stat().st_mtime_ns)]
    if output is not None and output.exists():
        s = output.stat()
        parts += [output.name, str(s.st_size), str(s.st_mtime_ns)]
    parts.append(json.dumps(status or {}, sort_keys=True))
    import hashlib

    return hashlib.sha1("|".join(parts).encode()).hexdigest()[:16]


def score_dir(truth_dir: Path | str, out_dir: Path | str, workers: int = 1,
              names: Optional[Iterable[str]] = None, progress: bool = False) -> List[Dict[str, Any]]:
    """Score every truth photo against ``out_dir`` (cached per photo in ``out_dir/_score``)."""
    truths = load_truth(truth_dir)
    if names is not None:
        keep = set(names)
        truths = [t for t in truths if t.name in keep]
    out_dir = Path(out_dir)
    status = read_status(out_dir)
    results: Dict[str, Dict[str, Any]] = {}
    todo = []
    for t in truths:
        o = find_image(out_dir, t.name)
        st = status.get(t.name)
        key = _cache_key(t, o, st)
        cache = out_dir / "_score" / f"{t.name}.{key}.json"
        if cache.exists():
            try:
                results[t.name] = json.loads(cache.read_text(encoding="utf-8"))
                continue
            except ValueError:
                pass
        todo.append((t, str(o) if o else None, st, str(cache)))
    if todo:
        if workers > 1 and len(todo) > 1:
            import multiprocessing as mp

            os.environ.setdefault("OMP_NUM_THREADS", "1")
            ctx = mp.get_context("spawn")
            with ctx.Pool(min(workers, len(todo))) as pool:
                for r in pool.imap_unordered(_score_one, todo):
                    results[r["name"]] = r
        else:
            for a in todo:
                r = _score_one(a)
                results[r["name"]] = r
    return [results[t.name] for t in truths if t.name in results]


def fmt_pct(v: Optional[float], digits: int = 1) -> str:
    return "n/a" if v is None else f"{100 * v:.{digits}f}%"


def summary_line(agg: Dict[str, Any]) -> str:
    return (
        f"photos={agg['photos']} failures={agg['failures']} sensitive={agg['sensitive_items']} "
        f"leaked={agg['leaked_items']} leak_rate={fmt_pct(agg['leak_rate'], 2)} "
        f"clean_photos={fmt_pct(agg['clean_photo_rate'])}"
    )


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.score", description=__doc__.split("\n")[0])
    ap.add_argument("truth_dir")
    ap.add_argument("output_dir")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--json", help="write the per-photo scores and the aggregate here")
    a = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    photos = score_dir(a.truth_dir, a.output_dir, workers=a.workers)
    agg = aggregate(photos)
    if a.json:
        _atomic_json(Path(a.json), {"aggregate": agg, "photos": photos})
    print(summary_line(agg))
    return 0


if __name__ == "__main__":
    sys.exit(main())
