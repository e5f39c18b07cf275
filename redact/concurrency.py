"""Executors for the work the pipeline runs beside the OCR (see ``Config.side_threads``)."""

from __future__ import annotations

from concurrent.futures import Executor, Future
from typing import Callable, List, Sequence, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class InlineExecutor(Executor):
    """Runs each job at once, in the caller's thread (no threads: batch workers with one core each)."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        f: Future = Future()
        try:
            f.set_result(fn(*args, **kwargs))
        except Exception as e:  # noqa: BLE001 - re-raised by result(), as from a pool
            f.set_exception(e)
        return f


def run_all(pool: "Executor | None", fn: Callable[[T], R], items: Sequence[T]) -> List[R]:
    """``[fn(x) for x in items]``, the first item in the calling thread and the rest on ``pool``'s threads.
    The caller does not sit idle, and a job the pool has not started by the time the caller is done is
    run by the caller (so a pool busy with other work only delays, never blocks)."""
    if pool is None or len(items) < 2:
        return [fn(x) for x in items]
    futs = [pool.submit(fn, x) for x in items[1:]]
    out = [fn(items[0])]
    for f, x in zip(futs, items[1:]):
        out.append(fn(x) if f.cancel() else f.result())
    return out
