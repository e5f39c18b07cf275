"""Executors for the work the pipeline runs beside the OCR (see ``Config.side_threads``)."""

from __future__ import annotations

from concurrent.futures import Executor, Future


class InlineExecutor(Executor):
    """Runs each job at once, in the caller's thread (no threads: batch workers with one core each)."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        f: Future = Future()
        try:
            f.set_result(fn(*args, **kwargs))
        except Exception as e:  # noqa: BLE001 - re-raised by result(), as from a pool
            f.set_exception(e)
        return f
