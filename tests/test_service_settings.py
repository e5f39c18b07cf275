"""The service's settings and its shell duties, without models: one definition of every setting, the same
options on both command lines, the upload's bytes handed to the API, the pool's threads shut down."""

from __future__ import annotations

import io
import json
from dataclasses import fields
from pathlib import Path
from types import SimpleNamespace

import pytest

from redact.config import Config, default_threads
from redact.report import Report
from redact.service import create_app
from redact.service.settings import OPTIONS, ServiceSettings, flag
from redact.types import Style

SERVICE = Path(__file__).resolve().parents[1] / "redact" / "service"


def test_every_setting_is_an_option_of_both_command_lines():
    from click.testing import CliRunner

    from redact import cli
    from redact.service.__main__ import parser

    assert set(OPTIONS) == {f.name for f in fields(ServiceSettings)}
    click_help = CliRunner().invoke(cli.main, ["serve", "--help"]).output
    argparse_help = parser().format_help()
    for name in OPTIONS:
        assert flag(name) in click_help, name
        assert flag(name) in argparse_help, name
    assert flag("warm") == "--no-warm" and flag("allow_reveal") == "--allow-reveal"


ARGS = [
    "--host",
    "0.0.0.0",
    "--port",
    "8123",
    "--workers",
    "2",
    "--queue",
    "0",
    "--no-warm",
    "--allow-reveal",
    "--style",
    "fill",
    "--threads",
    "3",
    "--max-pixels",
    "1000",
    "--max-body-bytes",
    "2000",
    "--report-cache",
    "9",
    "--log-level",
    "warning",
    "--graceful-timeout",
    "5",
]


def test_both_command_lines_give_the_same_settings(monkeypatch):
    from click.testing import CliRunner

    import redact.service as service
    from redact import cli
    from redact.service import __main__ as main_mod

    got = []
    monkeypatch.setattr(service, "run", lambda **kw: got.append(kw["settings"]))
    monkeypatch.setattr(main_mod, "run", lambda **kw: got.append(kw["settings"]))
    monkeypatch.setattr(cli, "_check_listen", lambda host, port: None)
    monkeypatch.setenv("REDACT_API_KEY", "from-env")
    res = CliRunner().invoke(cli.main, ["serve", *ARGS])
    assert res.exit_code == 0, res.output
    main_mod.main(ARGS)
    assert len(got) == 2 and got[0] == got[1], got
    s = got[0]
    assert (s.host, s.port, s.workers, s.queue, s.warm, s.allow_reveal) == (
        "0.0.0.0",
        8123,
        2,
        0,
        False,
        True,
    )
    assert (s.style, s.threads, s.max_pixels, s.max_body_bytes, s.report_cache) == ("fill", 3, 1000, 2000, 9)
    assert (s.log_level, s.graceful_timeout, s.api_key) == ("warning", 5.0, "from-env")
    # with no option at all: the dataclass defaults (and the environment's key), on both
    got.clear()
    assert CliRunner().invoke(cli.main, ["serve"]).exit_code == 0
    main_mod.main([])
    assert got[0] == got[1] == ServiceSettings(api_key="from-env")


def test_environment_is_read_once_and_a_flag_wins():
    assert ServiceSettings.from_env({}).api_key is None
    assert ServiceSettings.from_env({"REDACT_API_KEY": ""}).api_key is None
    assert ServiceSettings.from_env({"REDACT_API_KEY": "k"}).api_key == "k"
    assert ServiceSettings.from_env({"REDACT_API_KEY": "k"}, api_key="flag").api_key == "flag"
    assert ServiceSettings.from_env({}, workers=None).workers == ServiceSettings().workers
    with pytest.raises(ValueError, match="workers"):
        ServiceSettings(workers=0)
    with pytest.raises(ValueError, match="style"):
        ServiceSettings(style="sepia")


def test_redactor_config_shares_the_cores_and_applies_the_limits():
    c = ServiceSettings(workers=2).redactor_config()
    assert c.threads == max(1, default_threads() // 2) and c.style == Config().style
    assert (c.max_pixels, c.max_bytes) == (ServiceSettings().max_pixels, ServiceSettings().max_body_bytes)
    c = ServiceSettings(style="noise", threads=3, max_pixels=10).redactor_config(
        Config(threads=7, jpeg_quality=80)
    )
    assert (c.threads, c.style, c.jpeg_quality, c.max_pixels) == (3, Style.NOISE, 80, 10)
    assert (
        ServiceSettings().redactor_config(Config(threads=7)).threads == 7
    )  # a given Config keeps its threads


def test_create_app_takes_settings_or_their_names():
    app = create_app(workers=2, queue=1, warm=False)
    assert app.state.settings == ServiceSettings(workers=2, queue=1, warm=False)
    app = create_app(settings=ServiceSettings(queue=3), warm=False)
    assert (app.state.settings.queue, app.state.settings.warm) == (3, False)
    with pytest.raises(TypeError, match="quue"):
        create_app(quue=3)


class FakeRedactor:
    """Stands in for the API: records what the service hands it."""

    calls: list = []

    def __init__(self, config):
        self.config = config

    def warm(self):
        FakeRedactor.calls.append(("warm",))
        return self

    def close(self):
        FakeRedactor.calls.append(("close",))

    def analyze(self, image, *, name=""):
        FakeRedactor.calls.append(("analyze", type(image), name, image))
        return Report(source=name, width=40, height=30)

    def redact(self, image, *, style=None, masks=None, name="", fmt=None, seed=None):
        FakeRedactor.calls.append(("redact", type(image), name, image, style, masks, fmt))
        return SimpleNamespace(
            data=b"out", format=fmt or "PNG", report=Report(source=name, width=40, height=30)
        )


def test_the_upload_bytes_go_to_the_api(monkeypatch):
    """No decoding in the shell: the API gets the upload's bytes (it decodes, orients and caches by hash)."""
    import threading

    from fastapi.testclient import TestClient
    from PIL import Image

    import redact.api

    monkeypatch.setattr(redact.api, "Redactor", FakeRedactor)
    FakeRedactor.calls = []
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 200, 200)).save(buf, "PNG")
    data = buf.getvalue()
    with TestClient(create_app(warm=True)) as c:
        r = c.post("/v1/analyze", content=data, headers={"content-type": "image/png"})
        assert r.status_code == 200, r.text
        r = c.post(
            "/v1/render",
            params={"format": "webp", "style": "fill"},
            files={"file": ("p", data)},
            data={"masks": json.dumps([[[1, 1], [9, 1], [9, 9]]])},
        )
        assert r.status_code == 200 and r.content == b"out", r.text
        assert r.headers["content-type"] == "image/webp" and r.headers["x-redact-masks"] == "0"
        assert [t for t in threading.enumerate() if t.name.startswith("redact-worker")]
    # the pool's threads ended with the app
    assert not [
        t.name for t in threading.enumerate() if t.name.startswith(("redact-worker", "redact-decode"))
    ]
    assert ("warm",) in FakeRedactor.calls
    assert FakeRedactor.calls[-1] == ("close",)  # each Redactor closed (its side threads, its cache) at shutdown
    jobs = [c for c in FakeRedactor.calls if c[0] != "warm"]
    assert jobs[0] == ("analyze", bytes, "upload", data)
    assert jobs[1][:4] == ("redact", bytes, "upload", data)
    assert jobs[1][4:] == (Style.FILL, [[(1.0, 1.0), (9.0, 1.0), (9.0, 9.0)]], "WEBP")


def test_the_shell_does_not_probe_the_api():
    for p in SERVICE.glob("*.py"):
        text = p.read_text()
        for probe in ("hasattr(", "inspect.signature", "getattr(r,", "getattr(out.report", "getattr(report"):
            assert probe not in text, (p.name, probe)
    for p in SERVICE.glob("*.py"):
        assert len(p.read_text().splitlines()) <= 600, p.name


def test_pool_close_hands_each_instance_to_dispose():
    import asyncio

    from redact.service.pool import WorkerPool

    made, disposed = [], []
    pool = WorkerPool(lambda: made.append(object()) or made[-1], 2, 1, dispose=disposed.append)

    async def two_jobs():
        assert pool.try_admit() and pool.try_admit()
        return await asyncio.gather(pool.run(lambda inst: inst), pool.run(lambda inst: inst))

    used = asyncio.run(two_jobs())
    pool.close(True)
    assert set(map(id, disposed)) == set(map(id, made)) and set(map(id, used)) <= set(map(id, made))
