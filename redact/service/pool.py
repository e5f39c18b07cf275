"""A bounded worker pool with back-pressure.

``workers`` threads, each owning one Redactor (models loaded once per worker), plus room for ``queue``
waiting jobs. Admission is decided on the event loop before any work is queued: when ``workers + queue``
jobs are already admitted, the request is refused (the caller answers 429 with Retry-After). A slot is
released only when its job has really finished in the worker thread, so a client that disconnects cannot
make the backlog grow.
"""

from __future__ import annotations

import asyncio
import logging
import math
import queue as _queue
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable, List, Optional, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")


class PoolClosed(Exception):
    """The service is shutting down: new work is refused."""


class WorkerPool:
    def __init__(
        self,
        factory: Callable[[], Any],
        workers: int,
        queue: int,
        decoders: int = 2,
        dispose: Optional[Callable[[Any], None]] = None,
    ):
        self.workers = int(workers)
        self.capacity = int(workers) + int(queue)
        self._factory = factory
        self._dispose = dispose  # called on each instance at close(), after the last job
        self._executor = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="redact-worker")
        # decoding (and rejecting bad images) runs beside the OCR workers, so a corrupt upload gets its 4xx
        # at once instead of waiting behind photos being read
        self._decoder = ThreadPoolExecutor(max_workers=max(1, decoders), thread_name_prefix="redact-decode")
        self._instances: "_queue.Queue[Any]" = _queue.Queue()
        self._created = 0
        self._lock = threading.Lock()
        self._admitted = 0
        self._closing = False
        self._avg_seconds = 3.0  # running estimate of one job's duration (for Retry-After)
        self.warm = False
        self.warm_error: Optional[str] = None
        self.completed = 0
        self.rejected = 0

    # -- instances -------------------------------------------------------------------------------------
    def _take(self) -> Any:
        with self._lock:
            if self._created < self.workers and self._instances.empty():
                self._created += 1
                create = True
            else:
                create = False
        if create:
            return self._factory()
        return self._instances.get()

    def _give(self, inst: Any) -> None:
        self._instances.put(inst)

    # -- admission -------------------------------------------------------------------------------------
    @property
    def admitted(self) -> int:
        return self._admitted

    @property
    def closing(self) -> bool:
        return self._closing

    def try_admit(self) -> bool:
        with self._lock:
            if self._closing:
                raise PoolClosed()
            if self._admitted >= self.capacity:
                self.rejected += 1
                return False
            self._admitted += 1
            return True

    def _release(self, _f: Any = None) -> None:
        with self._lock:
            self._admitted -= 1

    release = _release

    def retry_after(self) -> int:
        """Seconds after which a retry has a fair chance: the time to drain the current backlog."""
        backlog = max(1, self._admitted)
        return max(1, min(120, math.ceil(self._avg_seconds * backlog / self.workers)))

    # -- running ---------------------------------------------------------------------------------------
    def _call(self, fn: Callable[..., T], args: tuple) -> T:
        inst = self._take()
        t0 = time.perf_counter()
        try:
            return fn(inst, *args)
        finally:
            dt = time.perf_counter() - t0
            self._avg_seconds = 0.8 * self._avg_seconds + 0.2 * dt
            self.completed += 1
            self._give(inst)

    def submit_admitted(self, fn: Callable[..., T], *args: Any) -> "Future[T]":
        """Queue a job for which ``try_admit()`` returned True; the slot is freed when the job ends."""
        try:
            fut = self._executor.submit(self._call, fn, args)
        except RuntimeError:  # executor shut down
            self._release()
            raise PoolClosed() from None
        fut.add_done_callback(self._release)
        return fut

    async def decode(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(*args)`` (decoding) for an admitted job; on failure the job's slot is freed."""
        try:
            cf = self._decoder.submit(fn, *args)
        except RuntimeError:
            self._release()
            raise PoolClosed() from None
        try:
            return await asyncio.wrap_future(cf)
        except BaseException:
            if cf.done():
                self._release()
            else:  # cancelled while decoding: free the slot when the decode really ends
                cf.add_done_callback(self._release)
            raise

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(redactor, *args)`` on a worker; the caller must have been admitted."""
        fut = self.submit_admitted(fn, *args)
        return await asyncio.wrap_future(fut)

    # -- warm-up / shutdown ----------------------------------------------------------------------------
    def warm_up(self, warm_fn: Callable[[Any], None]) -> List["Future[None]"]:
        """Create and warm every worker's instance in the background (each job holds its own instance)."""
        barrier = threading.Barrier(self.workers) if self.workers > 1 else None

        def job(inst: Any) -> None:
            if barrier is not None:  # make every thread take a distinct instance
                try:
                    barrier.wait(timeout=600)
                except threading.BrokenBarrierError:
                    pass
            warm_fn(inst)

        futs = []
        for _ in range(self.workers):
            with self._lock:
                self._admitted += 1
            f = self._executor.submit(self._call, job, ())
            f.add_done_callback(self._release)
            futs.append(f)

        def done_all() -> None:
            try:
                for f in futs:
                    f.result()
                self.warm = True
                log.info("all %d worker(s) warm", self.workers)
            except Exception as e:
                self.warm_error = f"{type(e).__name__}: {getattr(e, 'message', '') or 'warm-up failed'}"
                log.error("warm-up failed: %s", type(e).__name__)

        threading.Thread(target=done_all, name="redact-warm", daemon=True).start()
        return futs

    def close(self, wait: bool = True) -> None:
        """Refuse new work; with ``wait``, let admitted jobs finish."""
        with self._lock:
            self._closing = True
        self._decoder.shutdown(wait=wait, cancel_futures=not wait)
        self._executor.shutdown(wait=wait, cancel_futures=not wait)
        if self._dispose is not None and wait:  # every job has ended: every instance is back in the queue
            while not self._instances.empty():
                self._dispose(self._instances.get_nowait())
