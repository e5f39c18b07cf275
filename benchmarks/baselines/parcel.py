"""parcel-redact through its public API, one instance per backend configuration."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Dict, Tuple


class ParcelRedactTool:
    def __init__(self, **config: Any):
        self.config = config
        self.name = "parcel-redact" + "".join(f"-{v}" for v in config.values())
        self._r = None
        self.last_report: Dict[str, Any] = {}

    def load(self) -> None:
        from redact import Config, Redactor

        cfg = dict(self.config)
        if os.environ.get("BENCH_THREADS"):  # set by the harness when several processes share the cores
            cfg.setdefault("threads", max(1, int(os.environ["BENCH_THREADS"])))
        if os.environ.get("BENCH_PARCEL_CONFIG"):  # experiments: JSON of Config overrides, e.g. {"locate_side": 768}
            cfg.update(json.loads(os.environ["BENCH_PARCEL_CONFIG"]))
        self._r = Redactor(Config(**cfg))

    def redact(self, src: Path) -> Tuple[bytes, str]:
        if self._r is None:
            self.load()
        res = self._r.redact(str(src), name=Path(src).name)
        rep = res.report
        self.last_report = {"timings": dict(rep.timings), "fields": len(rep.fields), "masks": len(rep.masks)}
        return res.data, res.extension


def make(**config: Any) -> ParcelRedactTool:
    return ParcelRedactTool(**config)
