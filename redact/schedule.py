"""The one owner of the threads a ``Redactor`` runs beside the OCR, and of what runs on them.

The OCR (ONNX Runtime) keeps its own threads busy; work that releases the GIL runs beside it on a few side
threads (``Config.side_threads``): the full decode of a photo while its preview is detected, the symbol search
(zxing-cpp) while the labels are recognised, rendering in parts, the encode while the self-check reads.
``side_threads=0`` runs every such job inline, in the calling thread, in the order it is submitted (batch
workers with one core each, where processes give the parallelism and extra threads only contend).

The schedule decides *when* a job runs, never *what* it computes: each job is a pure function of its inputs,
a job waits only on jobs submitted before it, and results are gathered in submission order, so
``side_threads=0`` and ``side_threads=2`` give the same masks and the same bytes (tests/test_same_answer.py).
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from typing import Callable, List, Optional, Sequence, Tuple

import cv2
import numpy as np

from .concurrency import InlineExecutor
from .config import Environment
from .stages.read_symbols import View, decode_label, decode_photo, joined_views
from .types import Label

SIDE_NICE = Environment.side_nice  # side threads yield to the OCR's (Config.side_nice; 0: same priority)


def side_priority(nice: int = SIDE_NICE) -> None:
    """Run on each side thread: a lower priority (a higher nice) than the OCR's threads. The OCR splits each
    layer evenly over its two threads, so a side job that takes one of their cores stalls both; at a lower
    priority it runs in the OCR's gaps instead (3-4 % less time per photo, in interleaved runs)."""
    if nice > 0 and hasattr(os, "setpriority"):
        try:
            tid = threading.get_native_id()
            os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + nice))
        except OSError:
            pass


class Schedule:
    """The side threads of one ``Redactor``: created on first use, shut down by ``close()`` (a later job
    starts them again)."""

    def __init__(self, side_threads: int, nice: int = SIDE_NICE) -> None:
        self.side_threads = int(side_threads)
        self.nice = int(nice)
        self._pool: Optional[Executor] = None
        self._lock = threading.Lock()

    @property
    def pool(self) -> Executor:
        """The executor side jobs run on: a thread pool at a lower priority, or inline (``side_threads=0``)."""
        with self._lock:
            if self._pool is None:
                n = self.side_threads
                self._pool = (ThreadPoolExecutor(max_workers=n, thread_name_prefix="redact", initializer=side_priority,
                                                 initargs=(self.nice,)) if n > 0 else InlineExecutor())
            return self._pool

    def submit(self, fn: Callable, /, *args, **kwargs) -> Future:
        return self.pool.submit(fn, *args, **kwargs)

    def symbol_search(self, engine, pixels: Callable[[], np.ndarray]) -> "SymbolSearch":
        """Start the symbol search of one photo (``pixels``: the photo's pixels when first needed; its full
        decode may still be under way)."""
        return SymbolSearch(self.pool, engine, pixels)

    def close(self) -> None:
        """Shut the side threads down (waits for running jobs)."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True)


class SymbolSearch:
    """Symbols are decoded beside the OCR (zxing-cpp releases the GIL): the whole photo from the start, each
    label's upright view as soon as its geometry is known (``label_known``, the reader's ``on_label``), and,
    once every label is known, the views of labels that sit together (during the last recognition). One grey
    copy of the photo serves every search. ``results`` gathers them in a fixed order."""

    def __init__(self, pool: Executor, engine, pixels: Callable[[], np.ndarray]) -> None:
        self._pool = pool
        self._engine = engine
        self._gray = pool.submit(lambda: cv2.cvtColor(pixels(), cv2.COLOR_RGB2GRAY))
        self._photo = pool.submit(lambda: decode_photo(engine, self._gray.result()))
        self._labels: List[Future] = []
        self._known: List[Label] = []
        self._heights: List[float] = []
        self._expected = -1
        self._joined: Optional[Future] = None

    def expect(self, labels: int) -> None:
        """How many labels the reader will report (known once the photo is located)."""
        self._expected = labels

    def label_known(self, lab: Label, height: float) -> None:
        gray, engine = self._gray, self._engine
        self._labels.append(self._pool.submit(lambda: decode_label(engine, gray.result(), lab, height, look=True)))
        self._known.append(lab)
        self._heights.append(height)
        if len(self._known) == self._expected:
            labs, hs = list(self._known), list(self._heights)
            self._joined = self._pool.submit(lambda: joined_views(gray.result(), labs, hs, look=True))

    def gray(self) -> np.ndarray:
        """The photo's one grey copy (waits for it)."""
        return self._gray.result()

    def results(self, labels: Sequence[Label], heights: Sequence[float]) -> Tuple[list, List[View]]:
        """(every symbol found: the labels' then the photo's; every view: the labels' then the joined ones)."""
        found: list = []
        views: List[View] = []
        for job in self._labels:
            f, v = job.result()
            found += f
            views.append(v)
        found += self._photo.result()
        views += (self._joined.result() if self._joined is not None
                  else joined_views(self._gray.result(), labels, heights, look=True))
        return found, views
