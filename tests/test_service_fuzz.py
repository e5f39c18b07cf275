"""Schema-driven fuzzing (schemathesis) of the real service on loopback: no 5xx, and every response matches
the documented status codes, content types and schemas.

Bounded: a fixed seed, a few examples per operation, one client worker, a per-request timeout.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("schemathesis")
pytest.importorskip("fastapi")

from redact.service.testing import ServerProcess

KEY = "fuzz-key"


def _st() -> list:
    exe = Path(sys.executable).with_name("st")
    if exe.exists():
        return [str(exe)]
    found = shutil.which("st")
    if found:
        return [found]
    return [sys.executable, "-m", "schemathesis.cli"]


@pytest.mark.parametrize(
    "with_key", [False, pytest.param(True, marks=pytest.mark.slow)], ids=["open", "api-key"]
)
def test_schemathesis_finds_no_server_error(tmp_path, with_key):
    args = [
        "--workers",
        "1",
        "--queue",
        "8",
        "--max-body-bytes",
        "2000000",
        "--max-pixels",
        "4000000",
        "--no-warm",
    ]
    if with_key:
        args += ["--api-key", KEY]
    srv = ServerProcess(*args, threads=1, log_path=tmp_path / "server.log")
    srv.start()
    try:
        srv.wait_up(120)
        checks = (
            "not_a_server_error,status_code_conformance,content_type_conformance,"
            "response_schema_conformance,response_headers_conformance"
        )
        if with_key:
            checks += ",ignored_auth"
        cmd = [
            *_st(),
            "run",
            f"{srv.url}/openapi.json",
            "--checks",
            checks,
            "--max-examples",
            "30" if with_key else "10",
            "--seed",
            "20261128",
            "--workers",
            "1",
            "--request-timeout",
            "120",
            "--phases",
            "examples,coverage,fuzzing",
            "--generation-database",
            "none",
            "--no-color",
            "--report",
            "junit",
            "--report-junit-path",
            str(tmp_path / "junit.xml"),
        ]
        if with_key:
            cmd += ["-H", f"X-API-Key: {KEY}"]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=900, cwd=tmp_path)
        out = p.stdout + p.stderr
        assert p.returncode == 0, out[-6000:]
        m = re.search(r"(\d+) generated, (\d+) passed", out)
        assert m and int(m.group(1)) >= 50 and m.group(1) == m.group(2), out[-3000:]
        assert "Unresolvable references" not in out, out[-3000:]
        log = (tmp_path / "server.log").read_text(errors="replace")
        assert "Traceback" not in log and "-> 500" not in log, log[-3000:]
    finally:
        srv.stop()
