"""The pipeline: ``Redactor`` runs the stages in order, and keeps the analyses of the last few photos.

    open -> locate -> read text + symbols -> classify -> plan -> render -> residual -> check -> encode -> report

Each stage owns its policy (``stages.locate.locate`` when to re-detect, ``stages.check.harden`` when to grow
and fill, ...); what runs beside what is the schedule's (``schedule.Schedule``), and never changes a result.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from concurrent.futures import Future
from dataclasses import replace
from pathlib import Path
from typing import Dict, NamedTuple, Optional, Sequence, Tuple, Union

import numpy as np

from .config import Config
from .errors import EngineError, RedactError
from .io import photo as photo_mod
from .report import Report
from .result import RedactResult, default_output_path, photo_seed, pixels_digest
from .schedule import Schedule
from .stages import render as render_stage
from .stages.check import harden
from .stages.fields import find_fields
from .stages.locate import locate
from .stages.plan import kept_proposals, mask_text_height, plan, user_masks
from .stages.bar_extent import grow_bars
from .stages.read_symbols import merge_symbols
from .stages.read_text import Reader
from .stages.residual import mask_residual
from .types import Analysis, CheckResult, Label, Mask, Photo, Style, TextLine

PhotoSource = Union[Photo, "Future[Photo]"]


class Opened(NamedTuple):
    source: PhotoSource  # the photo, or its full decode under way
    overview: Optional[Tuple[np.ndarray, float]]  # the overview when it came first (a JPEG's preview)
    digest: Optional[str]  # SHA-256 of the encoded bytes (bytes and paths): the analysis cache's key


def _resolve(photo: PhotoSource) -> Photo:
    return photo.result() if isinstance(photo, Future) else photo


def _make_ocr(name: str, threads: int, spin: bool = False):
    if name in ("rapid", "rapidocr"):
        from .engines.rapid import RapidEngine

        return RapidEngine(threads=threads, spin=spin)
    if name in ("paddle", "paddleocr"):
        from .engines.paddle import PaddleEngine

        return PaddleEngine(threads=threads)
    raise EngineError(f"unknown OCR backend {name!r} (rapid or paddle)")


class Redactor:
    """Models load lazily, once, and are reused. One call at a time per instance (calls are serialised).

    ``ocr_engine`` / ``symbol_engine``: engines to use instead of the configured backends (a ``TextEngine``
    and a ``SymbolEngine``; tests pass fakes). ``cache``: how many photos' analyses are kept (see ``RECENT``).
    ``close()`` (or ``with Redactor() as r:``) shuts the side threads down and forgets the cached analyses."""

    # Analyses kept, by the SHA-256 of the photo's bytes, so that "analyze, then render the user's edited
    # masks" (the web page) reads a photo once. They hold recognised text (the self-check needs the values),
    # not pixels: at most this many, in this process's memory only, until they are pushed out or close().
    RECENT = 4

    def __init__(self, config: Optional[Config] = None, *, ocr_engine=None, symbol_engine=None,
                 cache: int = RECENT, **overrides):
        cfg = config or Config()
        if "style" in overrides and isinstance(overrides["style"], str):
            overrides["style"] = Style(overrides["style"])
        if overrides:
            cfg = replace(cfg, **overrides)
        self.config = cfg
        self._ocr = ocr_engine
        self._sym = symbol_engine
        self._lock = threading.RLock()
        self.schedule = Schedule(cfg.side_threads, cfg.side_nice)
        self.cache_size = max(0, int(cache))
        self._recent: "OrderedDict[str, Analysis]" = OrderedDict()  # analyses of the last few inputs

    # -- engines and lifetime ------------------------------------------------------------------------
    @property
    def ocr(self):
        if self._ocr is None:
            with self._lock:
                if self._ocr is None:
                    try:
                        self._ocr = _make_ocr(self.config.ocr_backend, self.config.threads, self.config.ort_spin)
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

    def warm(self) -> "Redactor":
        """Load every model now (services call this at start-up)."""
        _ = self.ocr, self.symbols
        return self

    def close(self) -> None:
        """Shut the side threads down and forget the cached analyses (and the text read in them). The
        instance stays usable: a later call starts new threads."""
        with self._lock:
            self._recent.clear()
            self.schedule.close()

    def __enter__(self) -> "Redactor":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- the stages ----------------------------------------------------------------------------------
    def load(self, image, name: str = "") -> Photo:
        return photo_mod.load(image, self.config, name=name)

    def _open(self, image, name: str) -> Opened:
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
            full = self.schedule.submit(photo_mod.decode, data, self.config, name=name, label=label)
            broken = full.done() and full.exception() is not None  # (inline: the error is known already)
            ov = None if broken else photo_mod.preview(data, self.config.locate_side, self.config)
            return Opened(full, ov, hashlib.sha256(data).hexdigest())
        return Opened(self.load(image, name), None, None)

    def _analyze_cached(self, photo: PhotoSource, key: Optional[str],
                        overview: Optional[Tuple[np.ndarray, float]] = None) -> Analysis:
        if key is not None and key in self._recent:
            self._recent.move_to_end(key)
            a = self._recent[key]
            return replace(a, photo=_resolve(photo), timings={"cached": 0.0})
        a = self._analyze(photo, overview)
        if key is not None and self.cache_size > 0:  # kept without its pixels
            self._recent[key] = replace(a, photo=Photo(pixels=np.zeros((1, 1, 3), np.uint8), meta=a.photo.meta))
            while len(self._recent) > self.cache_size:
                self._recent.popitem(last=False)
        return a

    def _analyze(self, source: PhotoSource, overview: Optional[Tuple[np.ndarray, float]] = None) -> Analysis:
        t: Dict[str, float] = {}
        sym = self.symbols
        search = self.schedule.symbol_search(sym, lambda: _resolve(source).pixels)  # beside the OCR
        t0 = time.perf_counter()
        regions = locate(self.ocr, lambda: _resolve(source).pixels, self.config.locate_side, overview)
        photo = _resolve(source)
        t["locate"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        reader = Reader(self.ocr)
        labels: list[Label] = []
        lines: list[TextLine] = []
        heights = [r.small_height for r in regions]
        search.expect(len(regions))
        for r in regions:
            lab, lns = reader.read_region(photo.pixels, r, len(labels),
                                          on_label=lambda lab, h=r.small_height: search.label_known(lab, h))
            labels.append(lab)
            lines += lns
        t["read"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        found, views = search.results(labels, heights)
        syms = grow_bars(search.gray(), merge_symbols(sym, found, views, lines, pool=self.schedule.pool))
        t["symbols"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        fields, selected = find_fields(lines, syms, labels, photo.pixels, self.config.policy)
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
            heights = [mask_text_height(m, a.fields, a.lines) for m in planned]
            if seed is None:
                seed = cfg.seed if cfg.seed is not None else photo_seed(op.digest or pixels_digest(ph.pixels))
            pool = self.schedule.pool
            out = render_stage.render(ph.pixels, [m.polygon for m in planned], st, text_heights=heights, seed=seed,
                                      pool=pool)
            timings["render"] = time.perf_counter() - t1
            if cfg.residual_scan and masks is None and a.labels:
                t1 = time.perf_counter()
                out, planned, heights, a = mask_residual(self.ocr, self.symbols, out, planned, heights, a, st, seed,
                                                         cfg.policy, cfg.pad_ratio, cfg.symbol_quiet_zone, pool=pool)
                timings["residual"] = time.perf_counter() - t1
            check = None
            encoded = None
            if cfg.self_check and planned:
                t1 = time.perf_counter()
                # the render is encoded while the check reads it (used only if the check changes nothing)
                encoded = (out, self.schedule.submit(photo_mod.encode, ph, out, cfg, fmt, pool=self.schedule.pool))
                out, planned, check = harden(self.ocr, self.symbols, ph.pixels, out, planned, a, st, heights, seed,
                                             pool=pool, name=ph.name)
                timings["check"] = time.perf_counter() - t1
            t1 = time.perf_counter()
            if encoded is not None and encoded[0] is out:
                data, out_fmt = encoded[1].result()
            else:
                data, out_fmt = photo_mod.encode(ph, out, cfg, fmt, pool=self.schedule.pool)
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
