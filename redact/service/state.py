"""What one running service holds: its settings, the Redactors' Config, the worker pool (a Redactor per
worker), the header check beside it, and the store of recent reports; and the jobs a worker runs."""

from __future__ import annotations

import uuid
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Sequence, TypeVar

from ..config import Config
from ..io.formats import SERVICE_FORMATS
from ..report import Report
from ..types import Style
from .errors import ServiceError
from .pool import PoolClosed, WorkerPool
from .settings import ServiceSettings
from .uploads import HeaderCheck

if TYPE_CHECKING:  # pragma: no cover
    from ..api import Redactor

T = TypeVar("T")


class ReportStore:
    """A small bounded LRU of reports (values always masked), keyed by a random id."""

    def __init__(self, size: int):
        self.size = size
        self._d: "OrderedDict[str, Dict[str, Any]]" = OrderedDict()

    def put(self, report: Dict[str, Any]) -> str:
        rid = uuid.uuid4().hex
        self._d[rid] = report
        while len(self._d) > self.size:
            self._d.popitem(last=False)
        return rid

    def get(self, rid: str) -> Optional[Dict[str, Any]]:
        d = self._d.get(rid)
        if d is not None:
            self._d.move_to_end(rid)
        return d

    def __len__(self) -> int:
        return len(self._d)


# -- the jobs a worker runs (``r`` is that worker's Redactor); each passes the upload's bytes to the API --


@dataclass
class Rendered:
    """What a redaction answers with (the output pixels are not kept past the worker)."""

    data: bytes
    format: str
    report: Report


def job_redact(
    r: "Redactor",
    data: bytes,
    style: Optional[str],
    masks: Optional[Sequence[Sequence[Sequence[float]]]],
    fmt: Optional[str],
) -> Rendered:
    res = r.redact(
        data,
        style=Style(style) if style else None,
        masks=masks,
        name="upload",
        fmt=SERVICE_FORMATS[fmt] if fmt else None,
    )
    return Rendered(res.data, res.format, res.report)


def job_analyze(r: "Redactor", data: bytes) -> Report:
    return r.analyze(data, name="upload")


def warm_redactor(r: "Redactor") -> None:
    r.warm()


class ServiceState:
    """One per app (``app.state.service``). The pool is started by the app's lifespan and closed with it."""

    def __init__(self, config: Optional[Config], settings: ServiceSettings):
        self.settings = settings
        self.config = settings.redactor_config(config)
        # the pool's threads are shut down at close(), and each Redactor's side threads and cache with it
        self.pool = WorkerPool(self._new_redactor, settings.workers, settings.queue, dispose=lambda r: r.close())
        self.reports = ReportStore(settings.report_cache)
        self.header_check = HeaderCheck(self.config)

    def _new_redactor(self) -> "Redactor":
        from ..api import Redactor

        return Redactor(self.config)

    def start(self) -> None:
        if self.settings.warm:
            self.pool.warm_up(warm_redactor)
        else:
            self.pool.warm = True

    def close(self) -> None:
        """Refuse new work, let the admitted jobs finish, shut the pool's threads down."""
        self.pool.close(True)

    async def run(self, fn: Callable[..., T], data: bytes, *args: Any) -> T:
        """Admit a job (429 when the workers and the queue are full, 503 when shutting down), check the
        upload's header beside the workers, then run ``fn(redactor, data, *args)`` on a worker."""
        try:
            admitted = self.pool.try_admit()
        except PoolClosed:
            raise _shutting_down() from None
        if not admitted:
            ra = self.pool.retry_after()
            raise ServiceError(
                429,
                "busy",
                f"all workers busy and the queue is full; retry in {ra} s",
                {"Retry-After": str(ra)},
            )
        try:
            data = await self.pool.decode(self.header_check, data)
            return await self.pool.run(fn, data, *args)
        except PoolClosed:
            raise _shutting_down() from None

    def check_reveal(self, reveal: bool) -> None:
        if reveal and not self.settings.allow_reveal:
            raise ServiceError(
                403, "forbidden", "this server does not reveal personal values (start it with reveal allowed)"
            )


def _shutting_down() -> ServiceError:
    return ServiceError(503, "shutting_down", "the server is shutting down", {"Connection": "close"})


__all__: List[str] = ["ReportStore", "Rendered", "ServiceState", "job_analyze", "job_redact", "warm_redactor"]
