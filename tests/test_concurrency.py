"""run_all: the caller works too, results keep their order, and a busy pool delays but never blocks."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from redact.concurrency import InlineExecutor, run_all


def test_results_in_order_and_the_caller_takes_the_first():
    who = {}

    def job(i):
        who[i] = threading.current_thread().name
        time.sleep(0.01)
        return i * i

    with ThreadPoolExecutor(2, thread_name_prefix="side") as pool:
        assert run_all(pool, job, list(range(6))) == [i * i for i in range(6)]
    assert who[0] == threading.current_thread().name
    assert any(n.startswith("side") for n in who.values())
    assert run_all(None, job, [3, 4]) == [9, 16]
    assert run_all(InlineExecutor(), job, [5]) == [25]
    assert run_all(ThreadPoolExecutor(1), job, []) == []


def test_a_pool_busy_elsewhere_only_delays():
    """The pool's one thread is held until the caller has finished its own item: the queued item is then
    run by the caller instead of waiting for the pool (a nested wait on a full pool would hang)."""
    release = threading.Event()
    with ThreadPoolExecutor(1) as pool:
        blocker = pool.submit(release.wait, 30)
        t0 = time.perf_counter()
        got = run_all(pool, lambda x: (x, threading.current_thread().name), ["a", "b", "c"])
        assert time.perf_counter() - t0 < 5
        assert [g[0] for g in got] == ["a", "b", "c"]
        assert {g[1] for g in got} == {threading.current_thread().name}
        release.set()
        assert blocker.result() is True


def test_errors_surface_in_the_caller():
    def job(x):
        if x == 2:
            raise ValueError("boom")
        return x

    with ThreadPoolExecutor(2) as pool:
        try:
            run_all(pool, job, [1, 2, 3])
        except ValueError as e:
            assert "boom" in str(e)
        else:
            raise AssertionError("the error was swallowed")
