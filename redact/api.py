"""The one Python API every shell (CLI, HTTP service, batch runner, web page) calls.

    from redact import Redactor
    r = Redactor()                       # models load lazily, once, and are reused
    result = r.redact("photo.jpg")       # -> RedactResult(data=bytes, format, pixels, report)
    report = r.analyze(open("photo.jpg", "rb").read())   # -> Report, nothing rendered

Inputs may be a path, bytes, a PIL image or an HxWx3 uint8 RGB array.
"""

from __future__ import annotations

import logging
import os
import hashlib
import threading
import time
from collections import OrderedDict
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple, Union

import cv2
import numpy as np

from .io import photo as photo_mod
from .errors import EngineError, RedactError, UnsafeOutput
from .stages.locate import (dedupe, detect_boxes, detect_in_tiles, group, join_groups, line_height, print_areas,
                     resize_long, tiled_detect, union_rect)
from .stages.plan import field_polygons, plan, user_masks
from .stages.read_text import Reader, decode_label, decode_photo, joined_views, merge_symbols
from .concurrency import InlineExecutor
from .config import Config
from .report import Report
from .types import CheckResult, Field, Label, Mask, Photo, Style, Symbol, TextLine
from .stages.unreadable import unreadable_fields

ImageInput = Union[str, Path, bytes, bytearray, "np.ndarray", "object"]


@dataclass
class RedactResult:
    data: bytes  # the encoded output image, metadata stripped
    format: str  # "JPEG", "PNG", "WEBP", "TIFF", "BMP" (HEIF input is written as JPEG)
    pixels: np.ndarray  # HxWx3 uint8 RGB, the redacted image
    report: Report

    @property
    def extension(self) -> str:
        return photo_mod.EXTENSION.get(self.format, ".jpg")


log = logging.getLogger(__name__)

MIN_OVERVIEW_TEXT_PX = 9.0  # below this line height on the overview, a region is re-detected at higher resolution
TARGET_TEXT_PX = 26.0  # line height the re-detection aims for
SMALL_LABEL_FRAC = 0.25  # no region spans this much of the overview's long side: a small (far) label
SMALL_PRINT_RATIO = 3.0  # a label's small print is about this much smaller than its big print
REDETECT_VIEW = 2000.0  # long-side cap of a re-detection view (detection costs by the pixel)
SMALL_LABEL_VIEW = 2400.0  # the same around a small label's big print (a wider window, same small print)


@dataclass
class Analysis:
    photo: Photo
    labels: List[Label]
    lines: List[TextLine]
    symbols: List[Symbol]
    fields: List[Field]
    selected: List[int]
    timings: Dict[str, float]


def _make_ocr(name: str, threads: int):
    if name in ("rapid", "rapidocr"):
        from .engines.rapid import RapidEngine

        return RapidEngine(threads=threads)
    if name in ("paddle", "paddleocr"):
        from .engines.paddle import PaddleEngine

        return PaddleEngine(threads=threads)
    raise EngineError(f"unknown OCR backend {name!r} (rapid or paddle)")


class Redactor:
    """Models load lazily, once, and are reused. One call at a time per instance (calls are serialised)."""

    def __init__(self, config: Optional[Config] = None, **overrides):
        cfg = config or Config()
        if "style" in overrides and isinstance(overrides["style"], str):
            overrides["style"] = Style(overrides["style"])
        if overrides:
            cfg = replace(cfg, **overrides)
        self.config = cfg
        self._ocr = None
        self._sym = None
        self._lock = threading.RLock()
        self._pool: Optional[Executor] = None
        self._recent: "OrderedDict[str, Analysis]" = OrderedDict()  # analyses of the last few inputs

    # -- engines -------------------------------------------------------------------------------------
    @property
    def ocr(self):
        if self._ocr is None:
            with self._lock:
                if self._ocr is None:
                    try:
                        self._ocr = _make_ocr(self.config.ocr_backend, self.config.threads)
                    except RedactError:
                        raise
                    except Exception as e:
                        raise EngineError(f"OCR backend {self.config.ocr_backend!r} failed to load "
                                          f"({type(e).__name__}: {e})") from None
        return self._ocr

    @property
    def symbols(self):
        if self._sym is None:
            with self._lock:
                if self._sym is None:
                    from .stages.read_symbols import make_engine

                    self._sym = make_engine(self.config.symbol_backend)
        return self._sym

    def _workers(self) -> Executor:
        """Threads for work that releases the GIL (symbol decoding, encoding), run beside the OCR's own
        threads; ``Config.side_threads`` = 0: run it inline."""
        if self._pool is None:
            n = int(self.config.side_threads)
            self._pool = (ThreadPoolExecutor(max_workers=n, thread_name_prefix="redact", initializer=_side_priority)
                          if n > 0 else InlineExecutor())
        return self._pool

    def warm(self) -> "Redactor":
        """Load every model now (services call this at start-up)."""
        _ = self.ocr, self.symbols
        return self

    # -- stages --------------------------------------------------------------------------------------
    def _locate(self, photo: "PhotoSource", overview: Optional[Tuple[np.ndarray, float]] = None):
        cfg = self.config
        if overview is None:
            overview = resize_long(_resolve(photo).pixels, cfg.locate_side)
        ov, s = overview
        boxes, scores = detect_boxes(self.ocr, ov, s)
        pixels = _resolve(photo).pixels  # the full decode ran beside the overview's detection
        small = [b for b in boxes if line_height(b) * s < MIN_OVERVIEW_TEXT_PX]
        if len(boxes) < 4 or len(small) > 0.5 * max(1, len(boxes)):
            # the small-label fallback: tiles at up to twice the overview resolution
            side = int(min(max(pixels.shape[:2]), cfg.locate_side * 2.5))
            if side > cfg.locate_side * 1.2:
                tb, ts = tiled_detect(self.ocr, pixels, side)
                boxes, scores = dedupe(boxes + tb, scores + ts)
        regions = group(boxes, scores, ov.shape[:2], s)
        # A label that spans little of the overview shows only its big print there: its small print (the
        # addresses, the stub) is below what the overview can detect, whatever the big print's height.
        extent = [float(np.ptp(r.points, axis=0).max()) * s for r in regions]
        small_label = bool(regions) and max(extent) < SMALL_LABEL_FRAC * cfg.locate_side
        # regions whose text is still small: detect again at reading resolution, in one window per group of
        # overlapping regions (the blocks of one label are often several regions), in tiles
        out_b, out_s = [], []
        wins = []  # [x0, y0, x1, y1, k, cap, [regions]]
        for r in regions:
            fine = r.small_height * s < MIN_OVERVIEW_TEXT_PX
            if (not fine and not small_label) or r.text_height <= 0:
                out_b += r.boxes
                out_s += r.scores
                continue
            pts = r.points
            span = float(np.ptp(pts, axis=0).max())
            # the boxes found may be only part of a small label (its big print: maybe less than half of it)
            m = max(r.text_height * 4, span * (0.6 if fine else 1.0))
            x0, y0 = np.maximum(0, np.floor(pts.min(axis=0) - m)).astype(int)
            x1 = int(min(pixels.shape[1], np.ceil(pts[:, 0].max() + m)))
            y1 = int(min(pixels.shape[0], np.ceil(pts[:, 1].max() + m)))
            # aim at the small print: the region's own smallest lines, or (big print only) a third of it
            target = r.small_height if fine else r.small_height / SMALL_PRINT_RATIO
            k = min(2.5, TARGET_TEXT_PX / max(1.0, target))
            wins.append([int(x0), int(y0), x1, y1, k, REDETECT_VIEW if fine else SMALL_LABEL_VIEW, [(r, fine)]])
        wins = [[*union_rect([wins[i] for i in g]), max(wins[i][4] for i in g), max(wins[i][5] for i in g),
                 [m for i in g for m in wins[i][6]]] for g in join_groups(wins)]
        for x0, y0, x1, y1, k, cap, members in wins:
            k = min(k, cap / max(1, x1 - x0, y1 - y0))
            view = cv2.resize(pixels[y0:y1, x0:x1], (max(1, int((x1 - x0) * k)), max(1, int((y1 - y0) * k))),
                              interpolation=cv2.INTER_AREA if k < 1 else cv2.INTER_CUBIC)
            # only where the view holds print (a small label's window is mostly its surroundings)
            known = [(q - np.array([x0, y0], float)) * k for r, _ in members for q in r.boxes]
            b2, s2 = [], []
            areas = print_areas(view, known)
            for ax0, ay0, ax1, ay1 in areas:
                b, sc = detect_in_tiles(self.ocr, view[ay0:ay1, ax0:ax1], k, (x0 + ax0 / k, y0 + ay0 / k),
                                        frame=view.shape[:2])
                b2 += b
                s2 += sc
            if len(areas) > 1:
                b2, s2 = dedupe(b2, s2)
            old_b = [q for r, _ in members for q in r.boxes]
            old_s = [v for r, _ in members for v in r.scores]
            if not b2:
                b2, s2 = old_b, old_s
            elif not all(fine for _, fine in members):  # keep the overview's big print too (it may be cut
                b2, s2 = dedupe(b2 + old_b, s2 + old_s)  # at the window's edge)
            out_b += b2
            out_s += s2
        return group(out_b, out_s, ov.shape[:2], s) if out_b else []

    RECENT = 4  # analyses kept, so that "analyze, then render the user's edited masks" reads a photo once

    def _analyze_cached(self, photo: "PhotoSource", key: Optional[str],
                        overview: Optional[Tuple[np.ndarray, float]] = None) -> Analysis:
        if key is not None and key in self._recent:
            self._recent.move_to_end(key)
            a = self._recent[key]
            return replace(a, photo=_resolve(photo), timings={"cached": 0.0})
        a = self._analyze(photo, overview)
        photo = a.photo
        if key is not None:
            self._recent[key] = replace(a, photo=Photo(pixels=np.zeros((1, 1, 3), np.uint8), meta=photo.meta))
            while len(self._recent) > self.RECENT:
                self._recent.popitem(last=False)
        return a

    def _analyze(self, source: "PhotoSource", overview: Optional[Tuple[np.ndarray, float]] = None) -> Analysis:
        from .stages.classify import apply_policy, classify

        t: Dict[str, float] = {}
        # symbols are decoded beside the OCR (zxing-cpp releases the GIL): the whole photo from the start,
        # each label's upright view as soon as its geometry is known; the look search needs the read lines
        sym = self.symbols
        pool = self._workers()
        # one grey copy of the photo serves every symbol search (each job waits only on jobs queued before it)
        gray_job = pool.submit(lambda: cv2.cvtColor(_resolve(source).pixels, cv2.COLOR_RGB2GRAY))
        photo_job = pool.submit(lambda: decode_photo(sym, gray_job.result()))
        label_jobs: List = []
        t0 = time.perf_counter()
        regions = self._locate(source, overview)
        photo = _resolve(source)
        t["locate"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        reader = Reader(self.ocr)
        labels: List[Label] = []
        lines: List[TextLine] = []
        heights = [r.small_height for r in regions]
        known: List[Label] = []  # labels whose geometry is known (before their recognition)
        joined_job: List[Future] = []

        def on_label(lab: Label, h: float) -> None:
            # each label's symbols are decoded (and its look search prepared) beside its recognition; once
            # every label is known, the views of labels that sit together too (during the last recognition)
            label_jobs.append(pool.submit(lambda: decode_label(sym, gray_job.result(), lab, h, look=True)))
            known.append(lab)
            if len(known) == len(regions):
                labs = list(known)
                joined_job.append(pool.submit(lambda: joined_views(gray_job.result(), labs, heights, look=True)))

        for r in regions:
            lab, lns = reader.read_region(photo.pixels, r, len(labels),
                                          on_label=lambda lab, h=r.small_height: on_label(lab, h))
            labels.append(lab)
            lines += lns
        t["read"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        found, views = [], []
        for job in label_jobs:
            f, v = job.result()
            found += f
            views.append(v)
        found += photo_job.result()
        views += joined_job[0].result() if joined_job else joined_views(gray_job.result(), labels, heights, look=True)
        syms = merge_symbols(sym, found, views, lines, pool=pool)
        t["symbols"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        fields = list(classify(lines, syms))
        fields += unreadable_fields(lines, fields, labels, photo.pixels.shape[:2], photo.pixels)
        chosen = apply_policy(fields, self.config.policy, lines=lines)
        pos = {id(f): i for i, f in enumerate(fields)}
        selected = []
        for f in chosen:  # the policy may add fields (deny-list hits): keep them too
            if id(f) not in pos:
                pos[id(f)] = len(fields)
                fields.append(f)
            selected.append(pos[id(f)])
        selected = sorted(set(selected))
        fields = [replace(f, polygons=field_polygons(f, lines, syms)) for f in fields]
        t["classify"] = time.perf_counter() - t0
        return Analysis(photo, labels, lines, syms, fields, selected, t)

    def _report(self, a: Analysis, masks: Sequence[Mask], style: str, timings: Dict[str, float],
                check: Optional[CheckResult] = None) -> Report:
        return Report(
            source=a.photo.name,
            width=a.photo.width,
            height=a.photo.height,
            fields=a.fields,
            masks=masks,
            symbols=a.symbols,
            labels=len(a.labels),
            lines=len(a.lines),
            style=style,
            check=check,
            meta=a.photo.meta,
            metadata_dropped=photo_mod.dropped_metadata(a.photo.meta, self.config),
            timings=timings,
            engines={"ocr": getattr(self._ocr, "name", ""), "symbols": getattr(self._sym, "name", "")},
        )

    # -- public --------------------------------------------------------------------------------------
    def load(self, image, name: str = "") -> Photo:
        return photo_mod.load(image, self.config, name=name)

    def _open(self, image, name: str) -> "Opened":
        """The photo, its overview and its content hash. Bytes and paths always take the same way, whatever
        the schedule (the overview's pixels decide what is detected): a big JPEG is seen small in a fraction
        of a full decode (``photo.preview``) while its full decode runs on a side thread (inline without
        side threads); any other image's overview is resized from the full decode. Decoding errors surface
        when the full photo is first needed, as from ``load``."""
        if isinstance(image, Photo):
            return Opened(image, None, None)
        if isinstance(image, (str, Path, bytes, bytearray, memoryview)):
            data, name, label = photo_mod.read_source(image, self.config, name)
            # the full decode starts first: the preview is decoded beside it, on the other core
            full = self._workers().submit(photo_mod.decode, data, self.config, name=name, label=label)
            broken = full.done() and full.exception() is not None  # (inline: the error is known already)
            ov = None if broken else photo_mod.preview(data, self.config.locate_side, self.config)
            return Opened(full, ov, hashlib.sha256(data).hexdigest())
        return Opened(self.load(image, name), None, None)

    def analyze(self, image, *, name: str = "") -> Report:
        with self._lock:
            t0 = time.perf_counter()
            op = self._open(image, name)
            t_load = time.perf_counter() - t0
            a = self._analyze_cached(op.source, op.digest, op.overview)
            masks = plan(a.fields, a.selected, a.lines, a.symbols, self.config.pad_ratio, self.config.symbol_quiet_zone,
                         pixels=a.photo.pixels)
            timings = {"load": t_load, **a.timings}
            timings["total"] = time.perf_counter() - t0
            return self._report(a, masks, "", timings)

    def redact(self, image, *, style=None, masks: Optional[Sequence[Sequence[Sequence[float]]]] = None,
               name: str = "", fmt: Optional[str] = None, seed: Optional[int] = None) -> RedactResult:
        """Redact one photo. ``masks``: user polygons to render instead of the automatic ones (the
        self-check still runs). ``seed``: noise seed for this call; without it ``Config.seed``, and without
        that a seed derived from the photo (``photo_seed``): the same photo gives the same output bytes
        on every surface, every run."""
        from .stages.render import render

        with self._lock:
            cfg = self.config
            st = Style(style) if style is not None else cfg.style
            t0 = time.perf_counter()
            op = self._open(image, name)
            timings = {"load": time.perf_counter() - t0}  # with an overview first: until it was ready
            a = self._analyze_cached(op.source, op.digest, op.overview)
            ph = a.photo
            timings.update(a.timings)
            t1 = time.perf_counter()
            planned = plan(a.fields, a.selected, a.lines, a.symbols, cfg.pad_ratio, cfg.symbol_quiet_zone,
                           pixels=ph.pixels)
            if masks is not None:  # a proposed mask the user kept stays that mask (the web page's render)
                planned = kept_proposals(user_masks(masks), planned)
            timings["plan"] = time.perf_counter() - t1
            t1 = time.perf_counter()
            heights = [_mask_text_height(m, a) for m in planned]
            if seed is None:
                seed = cfg.seed if cfg.seed is not None else photo_seed(op.digest or pixels_digest(ph.pixels))
            out = render(ph.pixels, [m.polygon for m in planned], st, text_heights=heights, seed=seed,
                         pool=self._workers())
            timings["render"] = time.perf_counter() - t1
            if cfg.residual_scan and masks is None and a.labels:
                t1 = time.perf_counter()
                out, planned, heights, a = self._residual(ph, out, planned, heights, a, st, seed)
                timings["residual"] = time.perf_counter() - t1
            check = None
            encoded = None
            if cfg.self_check and planned:
                t1 = time.perf_counter()
                # the render is encoded while the check reads it (used only if the check changes nothing)
                encoded = (out, self._workers().submit(photo_mod.encode, ph, out, cfg, fmt, pool=self._workers()))
                out, planned, check = self._self_check(ph, out, planned, a, st, heights, seed)
                timings["check"] = time.perf_counter() - t1
            t1 = time.perf_counter()
            if encoded is not None and encoded[0] is out:
                data, out_fmt = encoded[1].result()
            else:
                data, out_fmt = photo_mod.encode(ph, out, cfg, fmt, pool=self._workers())
            timings["encode"] = time.perf_counter() - t1
            timings["total"] = time.perf_counter() - t0
            rep = self._report(a, planned, st.value, timings, check)
            return RedactResult(data=data, format=out_fmt, pixels=out, report=rep)

    def redact_file(self, src: Union[str, Path], dst: Optional[Union[str, Path]] = None, **kw) -> RedactResult:
        src = Path(src)
        res = self.redact(src, name=src.name, **kw)
        if dst is None:
            dst = default_output_path(src, res.format)
        dst = Path(dst)
        if dst.exists() and src.exists() and dst.resolve() == src.resolve():
            raise RedactError("refusing to overwrite the original", path=str(src))
        photo_mod.write_atomic(dst, res.data)
        return res

    # -- residual scan -------------------------------------------------------------------------------
    def _residual(self, ph: Photo, out: np.ndarray, planned: List[Mask], heights: List[float], a: Analysis,
                  style: Style, seed) -> Tuple[np.ndarray, List[Mask], List[float], Analysis]:
        """Read the label areas of the output again, classify again, mask what is still personal (its
        fields' rule: ``residual/<rule>``). Returns the output, the masks, their text heights and the
        analysis with the new lines, symbols and fields (the report shows them)."""
        from .stages.classify import apply_policy, classify
        from .stages.render import render
        from .stages.residual import residual_fields, scan

        r = scan(self.ocr, self.symbols, out, a.labels, a.lines, planned)
        if not r.lines and not r.symbols:
            return out, planned, heights, a
        lines = list(a.lines) + r.lines
        syms = list(a.symbols) + r.symbols
        found = residual_fields(classify(lines, syms), len(a.lines), len(a.symbols))
        chosen = apply_policy(found, self.config.policy, lines=lines)
        if not chosen:
            return out, planned, heights, a
        fields = list(a.fields) + [replace(f, polygons=field_polygons(f, lines, syms)) for f in chosen]
        new_idx = list(range(len(a.fields), len(fields)))
        a = replace(a, labels=list(a.labels) + r.labels, lines=lines, symbols=syms, fields=fields,
                    selected=sorted(set(a.selected) | set(new_idx)))
        extra = plan(fields, new_idx, lines, syms, self.config.pad_ratio, self.config.symbol_quiet_zone)
        hx = [_mask_text_height(m, a) for m in extra]
        out = render(out, [m.polygon for m in extra], style, text_heights=hx, seed=seed, pool=self._workers())
        log.info("residual scan: %d more field(s) masked", len(chosen))
        return out, list(planned) + extra, list(heights) + hx, a

    # -- self-check ----------------------------------------------------------------------------------
    def _self_check(self, ph: Photo, out: np.ndarray, planned: List[Mask], a: Analysis, style: Style,
                    heights: List[float], seed) -> Tuple[np.ndarray, List[Mask], CheckResult]:
        from .stages.render import render
        from .stages.check import readable_masks

        rounds = 0
        widened = 0
        bad = readable_masks(self.ocr, self.symbols, out, planned, a, heights, pool=self._workers())
        rounds += 1
        while bad and rounds < 3:
            # harden: grow the offending masks and fall back to a solid fill for them
            grown = []
            for i, m in enumerate(planned):
                if i in bad:
                    from .stages.plan import pad_polygon

                    grown.append(replace(m, polygon=tuple(map(tuple, pad_polygon(m.polygon, max(4.0, heights[i] * 0.5))))))
                    widened += 1
                else:
                    grown.append(m)
            planned = grown
            out = render(ph.pixels, [m.polygon for m in planned], style, text_heights=heights, seed=seed,
                         pool=self._workers())
            hard = [m.polygon for i, m in enumerate(planned) if i in bad]
            out = render(out, hard, Style.FILL, text_heights=[heights[i] for i in bad], seed=seed)
            bad = readable_masks(self.ocr, self.symbols, out, planned, a, heights, pool=self._workers())
            rounds += 1
        res = CheckResult(rounds=rounds, readable_after=len(bad), widened=widened, passed=not bad)
        if bad:
            raise UnsafeOutput(f"self-check still reads {len(bad)} masked region(s) after hardening; nothing written",
                               path=ph.name or None)
        return out, planned, res


SIDE_NICE = 10  # side threads yield to the OCR's (env REDACT_SIDE_NICE; 0: same priority)


def _side_priority() -> None:
    """Run on each side thread: a lower priority (a higher nice) than the OCR's threads. The OCR splits each
    layer evenly over its two threads, so a side job that takes one of their cores stalls both; at a lower
    priority it runs in the OCR's gaps instead (3-4 % less time per photo, in interleaved runs)."""
    try:
        nice = int(os.environ.get("REDACT_SIDE_NICE", SIDE_NICE))
    except ValueError:
        nice = SIDE_NICE
    if nice > 0 and hasattr(os, "setpriority"):
        try:
            tid = threading.get_native_id()
            os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + nice))
        except OSError:
            pass


PhotoSource = Union[Photo, "Future[Photo]"]


class Opened(NamedTuple):
    source: PhotoSource  # the photo, or its full decode under way
    overview: Optional[Tuple[np.ndarray, float]]  # the overview when it came first (a JPEG's preview)
    digest: Optional[str]  # SHA-256 of the encoded bytes (bytes and paths): the analysis cache's key


def photo_seed(content_sha256: str) -> int:
    """The noise seed of a photo when none is given: from the SHA-256 of its encoded bytes (of its pixels
    for an array or a PIL image), so its output is the same on every surface and every run. The same
    number as the batch runner's ``file_seed(content_sha256)``. The look hides nothing either way: it is
    built from destroyed pixels (see ``render``)."""
    h = hashlib.sha256(f"{content_sha256}:".encode())
    return int.from_bytes(h.digest()[:8], "big") & 0x7FFF_FFFF_FFFF_FFFF


def pixels_digest(pixels: np.ndarray) -> str:
    """SHA-256 of an image's shape and pixels (the content hash of an input that has no encoded bytes)."""
    h = hashlib.sha256("x".join(map(str, pixels.shape)).encode())
    h.update(memoryview(np.ascontiguousarray(pixels)).cast("B"))
    return h.hexdigest()


def _resolve(photo: PhotoSource) -> Photo:
    return photo.result() if isinstance(photo, Future) else photo


PROPOSAL_TOL = 0.0501  # px: a report gives polygons to 0.1 px


def kept_proposals(users: Sequence[Mask], proposed: Sequence[Mask]) -> List[Mask]:
    """User masks, each one that repeats a proposed mask (to the report's 0.1 px) replaced by that proposal:
    rendering the masks ``analyze`` proposed, as they came back, gives exactly ``redact``'s output (its
    fields' text heights set the look, and the self-check knows their values)."""
    out: List[Mask] = []
    used: set = set()
    for u in users:
        q = np.asarray(u.polygon, float)
        same = [i for i, m in enumerate(proposed) if len(m.polygon) == len(q)
                and float(np.abs(np.asarray(m.polygon, float) - q).max()) <= PROPOSAL_TOL]
        # masks of several fields may share one outline (a code and the number it carries): each in turn
        free = [i for i in same if i not in used]
        pick = free[0] if free else (same[0] if same else None)
        if pick is not None:
            used.add(pick)
        out.append(proposed[pick] if pick is not None else u)
    return out


def default_output_path(src: Path, fmt: str) -> Path:
    ext = photo_mod.EXTENSION.get(fmt, ".jpg")
    return src.with_name(f"{src.stem}.redacted{ext}")


def _mask_text_height(m: Mask, a: Analysis) -> float:
    hs = []
    for fi in m.fields:
        for sp in a.fields[fi].spans:
            if 0 <= sp.line < len(a.lines):
                hs.append(a.lines[sp.line].height)
    if hs:
        return float(np.median(hs))
    p = np.asarray(m.polygon, float)
    return float(max(6.0, min(np.ptp(p[:, 0]), np.ptp(p[:, 1])) / 3))
