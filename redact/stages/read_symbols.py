"""Barcodes, QR codes, DataMatrix, PDF417, Aztec, MaxiCode.

Engines sit behind ``SymbolEngine`` (one method). The default reader is zxing-cpp; pyzbar (Debian's libzbar0)
is the second backend. Two facts shape this module (../shared/ENGINES.md):

- a Code128 polygon from a reader covers only the band of rows it scanned (and sometimes only a part of
  the code's length): the mask is widened along the bars to their tops and bottoms and along the scan to
  the last bar, plus the quiet zone (``widen_linear``, ``_bar_run``);
- an undecodable code is not a safe code: ``find_by_look`` finds symbol-like regions by their texture
  (dense parallel bars, dense 2-D modules) so they are masked whether or not they decode. 1-D codes are
  also found by their edges at a scale fine enough for their bars (``bar_fields``), on every label view and
  on the whole photo; 2-D look-alikes on the whole photo by ``module_fields``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import List, Protocol, Sequence, Tuple

import cv2
import numpy as np

from ..errors import EngineError
from ..types import Polygon

log = logging.getLogger(__name__)

TWO_D = {"QRCode", "MicroQRCode", "RMQRCode", "DataMatrix", "PDF417", "MicroPDF417", "CompactPDF417", "Aztec",
         "AztecCode", "AztecRune", "MaxiCode"}
LOOK = "look"  # the format of a 1-D symbol found by its look alone (not decoded)
LOOK_2D = "look-2d"  # the same, 2-D
TWO_D_MAX_ASPECT = 6.0  # a dense 2-D block as long as this against its width (PDF417 runs 3-5:1) still counts


@dataclass(frozen=True)
class RawSymbol:
    format: str
    payload: str = field(repr=False)  # a personal value: never in repr()
    quad: Polygon  # image coordinates of the image given to ``read``


class SymbolEngine(Protocol):
    name: str

    def read(self, image: np.ndarray) -> List[RawSymbol]:
        """Decode every symbol in an RGB or grayscale uint8 image."""
        ...


def _norm_format(fmt: str) -> str:
    f = fmt.replace("BarcodeFormat.", "").replace("-", "").replace(" ", "")
    aliases = {"QRCODE": "QRCode", "QR": "QRCode", "CODE128": "Code128", "DATAMATRIX": "DataMatrix",
               "PDF417": "PDF417", "EAN13": "EAN13", "CODE39": "Code39", "I25": "ITF", "ITF": "ITF",
               "CODE93": "Code93", "EAN8": "EAN8", "UPCA": "UPCA", "UPCE": "UPCE", "CODABAR": "Codabar",
               "AZTEC": "Aztec", "MAXICODE": "MaxiCode", "SQCODE": "QRCode", "DATABAR": "DataBar"}
    return aliases.get(f.upper(), f)


class ZxingEngine:
    name = "zxing-cpp"

    def __init__(self) -> None:
        try:
            import zxingcpp
        except Exception as e:  # pragma: no cover
            raise EngineError(f"zxing-cpp is not installed ({type(e).__name__})") from None
        self._z = zxingcpp

    def read(self, image: np.ndarray) -> List[RawSymbol]:
        img = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
        img = np.ascontiguousarray(img)
        try:
            found = self._z.read_barcodes(img, try_rotate=True, try_downscale=True, try_invert=True)
        except Exception as e:  # pragma: no cover
            log.warning("zxing-cpp failed: %s", type(e).__name__)
            return []
        out = []
        for b in found:
            if not b.valid:
                continue
            p = b.position
            quad = tuple((float(q.x), float(q.y)) for q in (p.top_left, p.top_right, p.bottom_right, p.bottom_left))
            out.append(RawSymbol(format=_norm_format(str(b.format)), payload=b.text, quad=quad))
        return out


class ZbarEngine:
    name = "pyzbar"

    def __init__(self) -> None:
        try:
            from pyzbar import pyzbar
        except Exception as e:
            raise EngineError(
                f"the zbar backend needs `pip install parcel-redact[zbar]` and Debian's libzbar0 ({type(e).__name__})"
            ) from None
        self._zbar = pyzbar

    def read(self, image: np.ndarray) -> List[RawSymbol]:
        img = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
        out = []
        for r in self._zbar.decode(np.ascontiguousarray(img)):
            pts = [(float(p.x), float(p.y)) for p in r.polygon]
            if len(pts) < 3:
                x, y, w, h = r.rect
                pts = [(x, y), (x + w, y), (x + w, y + h), (x, y + h)]
            rect = cv2.minAreaRect(np.array(pts, np.float32))
            quad = tuple((float(x), float(y)) for x, y in cv2.boxPoints(rect))
            payload = r.data.decode("utf-8", "replace")
            out.append(RawSymbol(format=_norm_format(r.type), payload=payload, quad=quad))
        return out


def make_engine(name: str) -> SymbolEngine:
    if name in ("zxing", "zxing-cpp", "zxingcpp"):
        return ZxingEngine()
    if name in ("zbar", "pyzbar"):
        return ZbarEngine()
    raise EngineError(f"unknown symbol backend {name!r} (zxing or zbar)")


# ---------------------------------------------------------------------------------------------------
# geometry helpers

SHEAR_COS = float(np.cos(np.radians(12.0)))  # bars within this of square to the print line: sheared, not turned


def widen_linear(gray: np.ndarray, quad: Polygon, scan: "np.ndarray | None" = None) -> Polygon:
    """Extend a 1-D barcode's quad along its bars to the symbol's full extent.

    Readers report the band of rows they scanned, axis-aligned even when the symbol is tilted. The bar
    direction is measured from the image (structure tensor of the band), then the bar profile is followed
    along the bars while it stays the same as in the band; a quiet-zone margin is added at both ends.
    """
    q = np.asarray(quad, np.float64)
    if len(q) != 4:
        return quad
    h, w = gray.shape[:2]
    e1 = q[1] - q[0]
    e2 = q[3] - q[0]
    if np.linalg.norm(e1) < np.linalg.norm(e2):
        q = q[[1, 2, 3, 0]]
        e1 = q[1] - q[0]
    length = float(np.linalg.norm(e1))
    if length < 8 or float(np.linalg.norm(q[3] - q[0])) < 2:
        q = _seed_quad(gray, q.mean(axis=0))  # a reader gave (almost) a point or a segment: find the bars
        if q is None:
            return quad
        e1 = q[1] - q[0]
        length = float(np.linalg.norm(e1))
    center = q.mean(axis=0)
    band = max(4.0, float(np.linalg.norm(q[3] - q[0])))
    # bar direction from the structure tensor inside the band (plus a little around it)
    r = int(max(band, length * 0.1))
    x0, y0 = np.floor(q.min(axis=0)).astype(int) - r // 4
    x1, y1 = np.ceil(q.max(axis=0)).astype(int) + r // 4
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
    u = e1 / length
    if x1 - x0 > 8 and y1 - y0 > 4:
        win = gray[y0:y1, x0:x1].astype(np.float32)
        gx = cv2.Sobel(win, cv2.CV_32F, 1, 0, ksize=3)
        gy = cv2.Sobel(win, cv2.CV_32F, 0, 1, ksize=3)
        jxx, jyy, jxy = float((gx * gx).sum()), float((gy * gy).sum()), float((gx * gy).sum())
        ang = 0.5 * np.arctan2(2 * jxy, jxx - jyy)  # dominant gradient direction = across the bars
        g = np.array([np.cos(ang), np.sin(ang)])
        ambiguous = length < 2.0 * band  # a near-square reader quad says little about the scan direction
        if ambiguous or abs(float(np.dot(g, u))) > 0.8:  # else trust it only near the reader's direction
            u = g if np.dot(g, u) > 0 else -g
            if ambiguous:  # the extent across the bars: the quad's projection on the measured direction
                proj = (q - center) @ u
                length = max(8.0, float(proj.max() - proj.min()))
    n = np.array([-u[1], u[0]])
    half = length / 2 * 1.02
    m = int(max(32, min(2048, length)))
    ts = np.linspace(-half, half, m)

    def profile(offset: float) -> np.ndarray:
        pts = center[None, :] + ts[:, None] * u[None, :] + offset * n[None, :]
        xs = np.clip(pts[:, 0], 0, w - 1).astype(np.float32)
        ys = np.clip(pts[:, 1], 0, h - 1).astype(np.float32)
        return cv2.remap(gray, xs[None, :], ys[None, :], cv2.INTER_LINEAR)[0].astype(np.float64)

    ref = profile(0.0)
    ref = ref - ref.mean()
    refn = np.linalg.norm(ref) + 1e-6
    step = max(1.0, length / 200)
    ext = {}
    for sign in (-1, 1):
        off = 0.0
        misses = 0
        last_good = 0.0
        while abs(off) < length * 1.5:
            off += sign * step
            c = center + off * n
            if not (0 <= c[1] < h and 0 <= c[0] < w):
                break
            p = profile(off)
            p = p - p.mean()
            corr = float(np.dot(p, ref) / (np.linalg.norm(p) * refn + 1e-6))
            if corr > 0.5:
                last_good = off
                misses = 0
            else:
                misses += 1
                if misses > 4:
                    break
        ext[sign] = abs(last_good)
    top = max(ext[-1], band / 2) + step * 2
    bot = max(ext[1], band / 2) + step * 2
    if scan is not None:  # the line the code was printed along (a label view's axis)
        sv = np.asarray(scan, float) / (float(np.linalg.norm(scan)) + 1e-9)
        cs = float(np.dot(sv, u))
        if abs(cs) >= SHEAR_COS:  # bars sheared against it (a bent label, an oblique photo): a parallelogram,
            sv = sv if cs > 0 else -sv  # its ends along the bars, its top and bottom along the print line
            lo, hi = _bar_run(gray, center, sv, n, half / abs(cs), top, bot)
            quiet = (hi - lo) * 0.045
            a, b = center + sv * (lo - quiet), center + sv * (hi + quiet)
            return tuple((float(x), float(y)) for x, y in (a - n * top, b - n * top, b + n * bot, a + n * bot))
    lo, hi = _bar_run(gray, center, u, n, half, top, bot)  # a reader may report a part of the code's length
    quiet = (hi - lo) * 0.045  # Code128's quiet zone is 10 modules, ~4-5 % of a label code's length
    a = center + u * (lo - quiet)
    b = center + u * (hi + quiet)
    out = (a - n * top, b - n * top, b + n * bot, a + n * bot)
    return tuple((float(x), float(y)) for x, y in out)


def _bar_run(gray: np.ndarray, center: np.ndarray, u: np.ndarray, n: np.ndarray, half: float, top: float,
             bot: float) -> Tuple[float, float]:
    """The run of bars along ``u`` through ``center`` (from -``half`` to ``half`` at least): the bar edges
    are followed outward while the next edge comes within a few bar spacings (the quiet zone ends them)."""
    h, w = gray.shape[:2]
    reach = half + max(2.0 * half, 64.0)
    ts = np.arange(-reach, reach, 0.5 if half < 200 else 1.0)
    acc = np.zeros(len(ts), np.float32)
    for off in np.linspace(-0.6 * top, 0.6 * bot, 5):  # the mean over the bars' middle rows
        pts = center[None, :] + ts[:, None] * u[None, :] + off * n[None, :]
        acc += cv2.remap(gray, np.clip(pts[:, 0], 0, w - 1).astype(np.float32)[None, :],
                         np.clip(pts[:, 1], 0, h - 1).astype(np.float32)[None, :], cv2.INTER_LINEAR)[0]
    inside_img = (center[0] + ts * u[0] >= 0) & (center[0] + ts * u[0] < w) & \
                 (center[1] + ts * u[1] >= 0) & (center[1] + ts * u[1] < h)
    prof = acc / 5.0
    inner = np.abs(ts) <= half
    if inner.sum() < 16:
        return -half, half
    contrast = float(np.percentile(prof[inner], 90) - np.percentile(prof[inner], 10))
    if contrast < 16:
        return -half, half
    k = int(max(9, 0.25 * half / (ts[1] - ts[0]))) | 1  # the local paper/ink level: wider than any bar
    dark = (prof - cv2.blur(prof[None, :], (k, 1))[0]) < -0.15 * contrast
    e = np.nonzero(np.diff(dark.astype(np.int8)) & inside_img[1:])[0]
    if len(e) < 8:
        return -half, half
    edges = ts[1:][e]
    ins = edges[np.abs(edges) <= half]
    if len(ins) < 8:
        return -half, half
    # a code's widest element is 4 modules, its quiet zone at least 10: a run past 1.6x the widest inner one ends it
    gap = max(3.0, 1.6 * float(np.percentile(np.diff(ins), 95)) + 1.0)
    i0 = int(np.searchsorted(edges, ins[0]))
    i1 = int(np.searchsorted(edges, ins[-1]))
    while i0 > 0 and edges[i0] - edges[i0 - 1] <= gap:
        i0 -= 1
    while i1 < len(edges) - 1 and edges[i1 + 1] - edges[i1] <= gap:
        i1 += 1
    return min(-half, float(edges[i0])), max(half, float(edges[i1]))


def _seed_quad(gray: np.ndarray, c: np.ndarray, radius: int = 48) -> "np.ndarray | None":
    """A thin quad along the scan line through ``c``, spanning the run of bars around it."""
    h, w = gray.shape[:2]
    x0, y0 = int(max(0, c[0] - radius)), int(max(0, c[1] - radius))
    x1, y1 = int(min(w, c[0] + radius)), int(min(h, c[1] + radius))
    if x1 - x0 < 8 or y1 - y0 < 8:
        return None
    win = gray[y0:y1, x0:x1].astype(np.float32)
    gx = cv2.Sobel(win, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(win, cv2.CV_32F, 0, 1, ksize=3)
    ang = 0.5 * np.arctan2(2 * float((gx * gy).sum()), float((gx * gx).sum() - (gy * gy).sum()))
    u = np.array([np.cos(ang), np.sin(ang)])
    span = float(min(3000, max(h, w)))
    ts = np.arange(-span, span, 1.0)
    pts = c[None, :] + ts[:, None] * u[None, :]
    ok = (pts[:, 0] >= 0) & (pts[:, 0] < w - 1) & (pts[:, 1] >= 0) & (pts[:, 1] < h - 1)
    ts, pts = ts[ok], pts[ok]
    if len(ts) < 16:
        return None
    prof = cv2.remap(gray, pts[:, 0].astype(np.float32)[None, :], pts[:, 1].astype(np.float32)[None, :],
                     cv2.INTER_LINEAR)[0].astype(np.float32)
    local = cv2.blur(prof[None, :], (31, 1))[0]
    dark = prof < local - 8
    edges = ts[1:][np.diff(dark.astype(np.int8)) != 0]
    if len(edges) < 8:
        return None
    near = edges[np.argsort(np.abs(edges))[:12]]
    gap = max(4.0, float(np.median(np.diff(np.sort(near)))) * 4)
    i = int(np.argmin(np.abs(edges)))
    lo = hi = i
    while lo > 0 and edges[lo] - edges[lo - 1] <= gap:
        lo -= 1
    while hi < len(edges) - 1 and edges[hi + 1] - edges[hi] <= gap:
        hi += 1
    t0, t1 = float(edges[lo]), float(edges[hi])
    if t1 - t0 < 16:
        return None
    n = np.array([-u[1], u[0]])
    a, b = c + u * t0, c + u * t1
    return np.array([a - n, b - n, b + n, a + n])


@dataclass
class LookPrep:
    """The part of ``find_by_look`` that does not depend on what is excluded (the read lines, the decoded
    symbols), so that it can run early, beside the recognition: ``look_prep``."""

    f: float  # working scale (text ~12 px high there) over the view's
    th: float  # text height at the working scale
    binv: np.ndarray  # ink (1) / paper (0), adaptive threshold at the working scale
    bars: List[Polygon]  # chains of parallel bars (1-D candidates), working px
    dx: np.ndarray  # box-filtered densities of ink/paper transitions along x, along y, and of ink
    dy: np.ndarray
    ink: np.ndarray
    half: "Tuple[np.ndarray, np.ndarray, np.ndarray] | None"  # the same at half scale (2-D codes, big modules)
    bar_fields: List[Polygon] = field(default_factory=list)  # 1-D codes by their edges (``bar_fields``), view px


def look_prep(gray: np.ndarray, text_height: float) -> "LookPrep | None":
    """Threshold, bar chains and transition densities of ``gray`` for ``find_by_look`` (None: no pixels)."""
    if gray.size == 0:
        return None
    fields = bar_fields(gray, text_height)  # before the text scale: fine bars merge there
    f = min(1.0, 12.0 / max(1.0, float(text_height)))  # work where text is ~12 px high: fast, scale-free
    if f < 0.95:
        gray = cv2.resize(gray, (max(1, int(gray.shape[1] * f)), max(1, int(gray.shape[0] * f))),
                          interpolation=cv2.INTER_AREA)
        text_height = text_height * f
    else:
        f = 1.0
    h, w = gray.shape
    th = max(6.0, float(text_height))
    block = int(max(15, th * 2)) | 1
    binv = cv2.adaptiveThreshold(gray, 1, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 12)

    # -- 1-D: chains of parallel bars --------------------------------------------------------
    bars: List[Polygon] = []
    n, lab, stats, _ = cv2.connectedComponentsWithStats(binv, 8)
    for vertical in (True, False):
        cands = []
        for i in range(1, n):
            x, y, bw, bh, area = stats[i]
            if not vertical:
                x, y, bw, bh = y, x, bh, bw  # work in a transposed frame
            if bh >= 1.5 * th and bh >= 2.5 * bw and bh <= 14 * th and (area >= 0.5 * bw * bh or bh >= 6 * bw):
                cands.append((x, y, bw, bh))
        if len(cands) < 8:
            continue
        cands.sort()
        used = [False] * len(cands)
        for i0 in range(len(cands)):
            if used[i0]:
                continue
            chain = [cands[i0]]
            used[i0] = True
            last = cands[i0]
            for j in range(i0 + 1, len(cands)):
                if used[j]:
                    continue
                x, y, bw, bh = cands[j]
                lx, ly, lw, lh = last
                if x - (lx + lw) > 1.5 * th:
                    if x > lx + lw + 3 * th:
                        break
                    continue
                ov = min(y + bh, ly + lh) - max(y, ly)
                if ov < 0.7 * min(bh, lh) or not (0.6 <= bh / lh <= 1.67):
                    continue
                chain.append(cands[j])
                used[j] = True
                last = cands[j]
            if len(chain) < 8:
                continue
            xs0 = min(c[0] for c in chain)
            xs1 = max(c[0] + c[2] for c in chain)
            ys0 = min(c[1] for c in chain)
            ys1 = max(c[1] + c[3] for c in chain)
            if xs1 - xs0 < 3 * th:
                continue
            box = [(xs0, ys0), (xs1, ys0), (xs1, ys1), (xs0, ys1)]
            if not vertical:
                box = [(b, a) for a, b in box]
            bars.append(tuple((float(a), float(b)) for a, b in box))

    # -- transition densities, at this scale and at half of it (2-D codes with big modules) ----------
    win = int(max(9, th * 1.5)) | 1
    dx, dy, ink = _transitions(binv, win)
    half = None
    if min(h, w) >= 16 * th:
        hg = cv2.resize(gray, (w // 2, h // 2), interpolation=cv2.INTER_AREA)
        hb = cv2.adaptiveThreshold(hg, 1, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 12)
        half = _transitions(hb, win)
    return LookPrep(f=f, th=th, binv=binv, bars=bars, dx=dx, dy=dy, ink=ink, half=half, bar_fields=fields)


def find_by_look(gray: "np.ndarray | None", text_height: float, exclude: Sequence[np.ndarray] = (),
                 prep: "LookPrep | None" = None) -> List[Polygon]:
    """Symbol-like regions (1-D bars or 2-D modules) found by texture alone, in ``gray`` coordinates.

    ``text_height``: typical text height in px at this scale (sets the scale of bars and modules).
    ``exclude``: polygons (recognised text lines, decoded symbols) that are not candidates.
    ``prep``: ``look_prep(gray, text_height)`` when it was made already (then ``gray`` is not read).
    1-D: at least 8 parallel bars (thin, tall ink components of similar height, side by side).
    2-D: a compact, square-ish block of dense ink texture in both directions, outside any text line.
    """
    if prep is None:
        prep = look_prep(gray, text_height) if gray is not None else None
        if prep is None:  # no pixels
            return []
    f, th, binv = prep.f, prep.th, prep.binv
    h, w = binv.shape
    excl = np.zeros((h, w), np.uint8)
    for poly in exclude:
        q = np.asarray(poly, float) * f if f != 1.0 else np.asarray(poly)
        cv2.fillPoly(excl, [np.round(q).astype(np.int32)], 1)
    out: List[Polygon] = []

    # -- 1-D: chains of parallel bars, unless mostly excluded ----------------------------------------
    for box in prep.bars:
        bx = np.array(box, float)
        x0, y0 = bx.min(axis=0).astype(int)
        x1, y1 = bx.max(axis=0).astype(int)
        covered = float(excl[max(0, y0):y1, max(0, x0):x1].mean()) if (y1 > y0 and x1 > x0) else 1.0
        if covered >= 0.5:
            continue
        out.append(box)

    # -- 1-D by their edges, already widened to the whole symbol (view px), unless mostly excluded --------
    for poly in prep.bar_fields:
        if _excluded_share(excl, np.asarray(poly, float) * f) < 0.5:
            out.append(tuple((x * f, y * f) for x, y in poly))

    # -- 2-D: dense modules both ways (at this scale, and at half of it for codes with big modules) ----------
    dx, dy, ink = prep.dx, prep.dy, prep.ink
    lo = 1.2 / th  # at least ~one transition per module-ish step at any module size up to ~th
    k = int(max(3, th * 0.6)) | 1
    out += _dense_blocks(dx, dy, ink, excl, th)
    if prep.half is not None:
        he = cv2.resize(excl, (w // 2, h // 2), interpolation=cv2.INTER_NEAREST)
        for p in _dense_blocks(*prep.half, he, th):
            out.append(tuple((2.0 * a, 2.0 * b) for a, b in p))

    # -- 1-D again, as texture: bars too fine to separate still make many transitions one way only ----
    for axis, (a, b) in enumerate(((dx, dy), (dy, dx))):
        tex = ((a > lo * 1.5) & (b < lo * 0.5) & (ink > 0.2) & (ink < 0.85) & (excl == 0)).astype(np.uint8)
        tex = cv2.morphologyEx(tex, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
        tex = cv2.morphologyEx(tex, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
        tex[excl > 0] = 0

        def accept_tex(x, y, bw, bh, area, axis=axis):
            if not (max(bw, bh) >= 4 * th and min(bw, bh) >= 1.5 * th and area >= 0.5 * bw * bh):
                return False
            sub = binv[y:y + bh, x:x + bw].astype(np.float32)
            prof = sub.mean(axis=axis) > 0.5  # across the bars
            return int(np.count_nonzero(np.diff(prof.astype(np.int8)) == 1)) >= 10

        out += _component_boxes(tex, accept_tex)
    # overlapping finds of the same symbol: keep the larger
    out.sort(key=lambda p: -cv2.contourArea(np.float32(p)))
    kept: List[Polygon] = []
    for p in out:
        if not any(quad_iou(p, k2) > 0.3 for k2 in kept):
            kept.append(p)
    if f != 1.0:
        kept = [tuple((x / f, y / f) for x, y in p) for p in kept]
    return kept


def _excluded_share(excl: np.ndarray, poly: np.ndarray) -> float:
    """The share of ``poly``'s bounding box (clipped to the image) that ``excl`` marks."""
    h, w = excl.shape
    x0, y0 = np.maximum(0, np.floor(poly.min(axis=0)).astype(int))
    x1, y1 = np.ceil(poly.max(axis=0)).astype(int)
    x1, y1 = min(w, x1), min(h, y1)
    return float(excl[y0:y1, x0:x1].mean()) if (y1 > y0 and x1 > x0) else 1.0


BAR_TEXT_PX = 16.0  # the bar search works where text is about this high (bars of a label code stay >= ~1.5 px)
BAR_COHERENCE = 3.0  # edges across the bars outweigh edges along them at least this much (text: ~1-2)
BAR_MIN_EDGES = 36  # ink/paper edges along a candidate's middle (a 6-character Code128 has ~70; a word of capitals ~30)


def bar_fields(gray: np.ndarray, text_height: float) -> List[Polygon]:
    """1-D codes found by their edges, each widened along its bars to the whole symbol (``widen_linear``).

    Works where text is ``BAR_TEXT_PX`` high (not at the text scale of the rest of the look search: a label
    code's bars are finer than a text stroke and merge there). A field where the gradient across one axis
    outweighs the other ``BAR_COHERENCE`` times, wide enough, with many edges along its middle whose profile
    repeats from its upper to its lower part (bars are straight; text is not), is a 1-D code, decoded or not.
    ``gray``: grey uint8; polygons in its px. Both orientations (bars upright or lying) are searched."""
    if gray.size == 0 or min(gray.shape[:2]) < 16:
        return []
    th0 = max(4.0, float(text_height))
    f = min(1.0, BAR_TEXT_PX / th0)
    g = cv2.resize(gray, (max(1, int(gray.shape[1] * f)), max(1, int(gray.shape[0] * f))),
                   interpolation=cv2.INTER_AREA) if f < 0.95 else gray
    if g is gray:
        f = 1.0
    th = th0 * f
    gf = g.astype(np.float32)
    win = int(max(7, th * 0.8)) | 1
    ex = cv2.boxFilter(np.abs(cv2.Sobel(gf, cv2.CV_32F, 1, 0, ksize=3)), -1, (win, win))
    ey = cv2.boxFilter(np.abs(cv2.Sobel(gf, cv2.CV_32F, 0, 1, ksize=3)), -1, (win, win))
    out: List[Polygon] = []
    k = int(max(3, th * 0.5)) | 1
    kl = int(max(5, th)) | 1
    for axis in (0, 1):  # 0: bars upright (edges along x), 1: bars lying
        a, b = (ex, ey) if axis == 0 else (ey, ex)
        m = ((a > BAR_COHERENCE * b) & (a > 12.0)).astype(np.uint8)
        m = cv2.morphologyEx(m, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (kl, 3) if axis == 0 else (3, kl)))
        m = cv2.morphologyEx(m, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
        n, _, st, _ = cv2.connectedComponentsWithStats(m, 8)
        for i in range(1, n):
            x, y, w, h, area = (int(v) for v in st[i])
            long_, short = (w, h) if axis == 0 else (h, w)
            if long_ < 3 * th or short < 0.6 * th or area < 0.5 * w * h:
                continue
            sub = gf[y:y + h, x:x + w] if axis == 0 else gf[y:y + h, x:x + w].T
            if not _bars_repeat(sub):
                continue
            box = np.array([[x, y], [x + w, y], [x + w, y + h], [x, y + h]], float) / f
            if axis == 1:  # long edge first: widen_linear takes it as the scan direction
                box = box[[1, 2, 3, 0]]
            out.append(widen_linear(gray, tuple(map(tuple, box)), scan=np.array([1.0, 0.0] if axis == 0 else [0.0, 1.0])))
    return out


MODULE_MIN_CONTRAST = 80.0  # a printed 2-D code: dark modules on light paper (p90 - p10 of its grey levels)
MODULE_MAX_GREY = 0.35  # at most this share of a code's pixels sits in the middle third between ink and paper
MODULE_MAX_SIDE = 0.2  # a code off every label is small against the photo (not a patterned bag or a rug)


def module_fields(gray: np.ndarray, text_height: float) -> List[Polygon]:
    """2-D codes by their look on a view with no read lines to rule text out (the whole photo): dense
    blocks both ways (``_dense_blocks``) that are also printed codes: high contrast, ink and paper with
    little grey between, small against the image. ``gray``: grey uint8; polygons in its px."""
    if gray.size == 0 or min(gray.shape[:2]) < 16:
        return []
    th = max(6.0, float(text_height))
    block = int(max(15, th * 2)) | 1
    win = int(max(9, th * 1.5)) | 1
    cands: List[Polygon] = []
    for k in (1, 2):  # at this scale and at half of it (codes with big modules)
        g = gray if k == 1 else cv2.resize(gray, (gray.shape[1] // 2, gray.shape[0] // 2), interpolation=cv2.INTER_AREA)
        if min(g.shape[:2]) < 16 * th:
            break
        binv = cv2.adaptiveThreshold(g, 1, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 12)
        for poly in _dense_blocks(*_transitions(binv, win), np.zeros(binv.shape, np.uint8), th):
            p = tuple((k * a, k * b) for a, b in poly)
            if not any(inside_share(p, c) > 0.6 or inside_share(c, p) > 0.6 for c in cands):
                cands.append(p)
    out: List[Polygon] = []
    side_max = MODULE_MAX_SIDE * max(gray.shape[:2])
    for poly in cands:
        q = np.asarray(poly, float)
        x0, y0 = np.maximum(0, np.floor(q.min(axis=0)).astype(int))
        x1, y1 = np.ceil(q.max(axis=0)).astype(int)
        if max(x1 - x0, y1 - y0) > side_max:
            continue
        sub = gray[y0:y1, x0:x1]
        if sub.size == 0:
            continue
        p10, p90 = np.percentile(sub, [10, 90])
        if p90 - p10 < MODULE_MIN_CONTRAST:
            continue
        lo, hi = p10 + (p90 - p10) / 3, p90 - (p90 - p10) / 3
        if float(((sub > lo) & (sub < hi)).mean()) > MODULE_MAX_GREY:
            continue
        out.append(poly)
    return out


def _bars_repeat(sub: np.ndarray) -> bool:
    """``sub`` (rows across upright bars): many edges along its middle, the same in its upper and lower part."""
    h = sub.shape[0]
    if h < 3 or sub.shape[1] < 16:
        return False
    third = max(1, h // 3)
    prof = [sub[i * third:(i + 1) * third].mean(axis=0) for i in range(3)]
    mid = prof[1] - cv2.blur(prof[1][None, :], (9, 1))[0]
    contrast = float(np.percentile(prof[1], 90) - np.percentile(prof[1], 10))
    if contrast < 20:
        return False
    dark = mid < -0.1 * contrast
    edges = int(np.count_nonzero(np.diff(dark.astype(np.int8))))
    if edges < BAR_MIN_EDGES:
        return False
    # the same bars above and below, allowing for a slant (a tilted code in the text's upright frame)
    a = prof[0] - cv2.blur(prof[0][None, :], (9, 1))[0]
    c = prof[2] - cv2.blur(prof[2][None, :], (9, 1))[0]
    lag_max = max(2, int(0.25 * 2 * third))  # up to ~14 degrees between the upper and the lower third
    best = -1.0
    n = len(a)
    for lag in range(-lag_max, lag_max + 1):
        x, y = (a[lag:], c[:n - lag]) if lag >= 0 else (a[:n + lag], c[-lag:])
        if len(x) < 16:
            continue
        best = max(best, float(np.dot(x, y) / (np.linalg.norm(x) * np.linalg.norm(y) + 1e-6)))
    return best > 0.5


def _overlap(a: Polygon, b: Polygon) -> Tuple[int, int, int]:
    """(intersection, area of a, area of b) of two polygons, rasterised at most 512 px across."""
    pa = np.asarray(a, np.float32)
    pb = np.asarray(b, np.float32)
    x0 = int(min(pa[:, 0].min(), pb[:, 0].min()))
    y0 = int(min(pa[:, 1].min(), pb[:, 1].min()))
    x1 = int(max(pa[:, 0].max(), pb[:, 0].max())) + 2
    y1 = int(max(pa[:, 1].max(), pb[:, 1].max())) + 2
    scale = min(1.0, 512.0 / max(1, x1 - x0, y1 - y0))
    W, H = max(1, int((x1 - x0) * scale) + 1), max(1, int((y1 - y0) * scale) + 1)
    ma = np.zeros((H, W), np.uint8)
    mb = np.zeros((H, W), np.uint8)
    cv2.fillPoly(ma, [np.round((pa - [x0, y0]) * scale).astype(np.int32)], 1)
    cv2.fillPoly(mb, [np.round((pb - [x0, y0]) * scale).astype(np.int32)], 1)
    return int((ma & mb).sum()), int(ma.sum()), int(mb.sum())


def _dense_blocks(dx: np.ndarray, dy: np.ndarray, ink: np.ndarray, excl: np.ndarray, th: float) -> List[Polygon]:
    """2-D codes by their look: compact, square-ish (PDF417: oblong) blocks that change between ink and
    paper often both ways (``dx``, ``dy``: transition densities; ``ink``: ink share; all box-filtered)."""
    lo = 1.2 / th  # at least ~one transition per module-ish step at any module size up to ~th
    k = int(max(3, th * 0.6)) | 1
    kc = int(max(3, th * 1.5)) | 1  # bridge scratches and torn strips across a code
    # keep a margin around text and decoded symbols, so bridging cannot join a code to them
    excl_wide = cv2.dilate(excl, cv2.getStructuringElement(cv2.MORPH_RECT, (kc, kc))) if excl.any() else excl
    dense = ((dx > lo) & (dy > lo) & (ink > 0.25) & (ink < 0.8) & (excl_wide == 0)).astype(np.uint8)
    dense = cv2.morphologyEx(dense, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (kc, kc)))
    dense = cv2.morphologyEx(dense, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    dense[excl > 0] = 0

    def accept(x, y, bw, bh, area) -> bool:
        return not (min(bw, bh) < 3.5 * th or max(bw, bh) > TWO_D_MAX_ASPECT * min(bw, bh) or area < 0.55 * bw * bh)

    return _component_boxes(dense, accept)


def _transitions(binv: np.ndarray, win: int) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Box-filtered (``win`` px) densities of ink/paper transitions along x and along y, and of ink."""
    tx = np.zeros(binv.shape, np.float32)
    ty = np.zeros(binv.shape, np.float32)
    tx[:, 1:] = binv[:, 1:] != binv[:, :-1]
    ty[1:, :] = binv[1:, :] != binv[:-1, :]
    return (cv2.boxFilter(tx, -1, (win, win)), cv2.boxFilter(ty, -1, (win, win)),
            cv2.boxFilter(binv.astype(np.float32), -1, (win, win)))


def _component_boxes(mask: np.ndarray, accept) -> List[Polygon]:
    """The minimum-area box of each connected component of ``mask`` that ``accept(x, y, w, h, area)`` takes."""
    out: List[Polygon] = []
    n, lab, stats, _ = cv2.connectedComponentsWithStats(mask, 8)
    for i in range(1, n):
        x, y, bw, bh, area = stats[i]
        if not accept(x, y, bw, bh, area):
            continue
        ys, xs = np.nonzero(lab[y:y + bh, x:x + bw] == i)
        pts = np.stack([xs + x, ys + y], axis=1).astype(np.float32)
        out.append(tuple((float(a), float(b)) for a, b in cv2.boxPoints(cv2.minAreaRect(pts))))
    return out


def quad_iou(a: Polygon, b: Polygon) -> float:
    inter, sa, sb = _overlap(a, b)
    union = sa + sb - inter
    return inter / union if union else 0.0


def inside_share(a: Polygon, b: Polygon) -> float:
    """How much of ``a`` lies inside ``b`` (0..1)."""
    inter, sa, _ = _overlap(a, b)
    return inter / sa if sa else 0.0


def is_two_d(fmt: str) -> bool:
    return fmt in TWO_D
