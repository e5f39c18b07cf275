"""Issue 16: what a new user hit, each as the user's own command (a real `redact` subprocess where it is the
CLI, the Python API in process, the web page in a real headless Chromium), asserting the fixed behaviour."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import select
import shutil
import socket
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import numpy as np
import pytest
import tomllib
from PIL import ExifTags, Image

ROOT = Path(__file__).resolve().parents[1]
_SCRIPT = Path(sys.executable).with_name("redact")  # the console script a user types
REDACT = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "redact.cli"]
ENV = {**os.environ, "OMP_NUM_THREADS": "2", "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}


def redact(*args, cwd=None, timeout=600, umask=0o022):
    return subprocess.run([*REDACT, *map(str, args)], capture_output=True, text=True, cwd=cwd, env=ENV,
                          timeout=timeout, preexec_fn=lambda: os.umask(umask), check=False)


def one_line_error(res, code: int, *needles: str) -> str:
    assert res.returncode == code, (res.returncode, res.stderr)
    err = res.stderr.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("redact: error: "), res.stderr
    assert "Traceback" not in res.stderr
    for n in needles:
        assert n in err[0], err[0]
    return err[0]


@pytest.fixture(scope="module")
def waybill(tmp_path_factory):
    """A generated 2 MP Chinese waybill (Code128 with its number printed under it, QR), with its truth."""
    from benchmarks.generator import make_photo

    g = make_photo(seed=11, layout="zh_ecommerce", conditions=("standard",), size="2mp")
    d = tmp_path_factory.mktemp("newcomer")
    p = d / "parcel.jpg"
    p.write_bytes(g.image_bytes)
    return p, g.truth


@pytest.fixture(scope="module")
def gps_photo(tmp_path_factory):
    """A generated phone photo with EXIF: GPS, a thumbnail, a maker note, orientation 6/8/3."""
    from benchmarks.generator import make_photo

    g = make_photo(seed=12, layout="zh_privacy", conditions=("gps", "exif_rot"), size="2mp")
    p = tmp_path_factory.mktemp("gps") / "phone.jpg"
    p.write_bytes(g.image_bytes)
    return p, g.truth


def _summary_counts(line: str) -> tuple[int, int, dict]:
    m = re.search(r"(\d+) field\(s\) masked in (\d+) region\(s\)(?: \(([^)]*)\))?", line)
    assert m, line
    parts = {k: int(v) for k, v in (p.rsplit(" ", 1) for p in (m.group(3) or "").split(", ") if p)}
    return int(m.group(1)), int(m.group(2)), parts


# ------------------------------------------------------------------------------------------- metadata


def test_keep_metadata_keeps_exif_and_reports_truthfully(gps_photo, tmp_path):
    src, truth = gps_photo
    assert truth["gps"] and truth["exif_orientation"] != 1
    out = tmp_path / "k.jpg"
    res = redact(src, "-o", out, "--keep-metadata", "--json")
    assert res.returncode == 0, res.stderr
    rep = json.loads(res.stdout)
    warn = [ln for ln in res.stderr.splitlines() if ln.startswith("redact: warning:")]
    assert len(warn) == 1 and "gps" in warn[0] and "thumbnail" in warn[0], res.stderr
    dropped = rep["metadata_dropped"]
    assert "exif" not in dropped and "gps" not in dropped  # kept, as asked
    assert "exif_thumbnail" in dropped  # never kept: it shows the photo before redaction
    assert "orientation (applied to pixels)" in dropped
    with Image.open(out) as im:
        exif = im.getexif()
        assert exif.get(0x0112) == 1  # the pixels are already turned
        assert exif.get_ifd(0x8825), "GPS kept"
        assert exif.get(0x010F)  # Make
        assert not exif.get_ifd(ExifTags.IFD.IFD1)  # no thumbnail
        w, h = im.size
    with Image.open(src) as im0:
        assert (w, h) == (im0.size[1], im0.size[0]) or (w, h) == im0.size
    if shutil.which("exiftool"):
        tags = json.loads(subprocess.run(["exiftool", "-j", "-n", str(out)], capture_output=True,
                                         text=True, check=True).stdout)[0]
        assert tags.get("Orientation") == 1 and "GPSLatitude" in tags and "ThumbnailImage" not in tags
        assert tags["ImageWidth"] == w and tags["ImageHeight"] == h
    # without the flag: no EXIF at all, and the report says so
    res = redact(src, "-o", tmp_path / "d.jpg", "--json")
    assert res.returncode == 0 and not res.stderr.strip(), res.stderr
    assert {"exif", "gps", "exif_thumbnail"} <= set(json.loads(res.stdout)["metadata_dropped"])
    with Image.open(tmp_path / "d.jpg") as im:
        assert not im.getexif()


# -------------------------------------------------------------------------------------- output paths


def test_bad_output_paths_are_one_line_errors_before_any_work(waybill, tmp_path):
    src, _ = waybill
    (tmp_path / "b.jpg").write_bytes(b"x")
    (tmp_path / "a.jpg").write_bytes(b"x")
    folder = tmp_path / "folder"
    folder.mkdir()
    shutil.copy(src, folder / "p.jpg")
    cases = [
        ((src, "-o", "/proc/x.jpg"), "/proc/x.jpg"),
        ((src, "-o", tmp_path / "b.jpg" / "x.jpg"), "not a folder"),
        ((folder, "-o", tmp_path / "a.jpg"), "a.jpg"),
        ((src, "-o", tmp_path / "out.gif"), ".gif"),
        (("serve", "--port", "99999"), "99999"),
    ]
    for args, needle in cases:
        t0 = time.perf_counter()
        one_line_error(redact(*args), 2, needle)
        assert time.perf_counter() - t0 < 30
    assert (tmp_path / "a.jpg").read_bytes() == b"x" and (tmp_path / "b.jpg").read_bytes() == b"x"
    assert not list(tmp_path.rglob("*.part")) and not list(tmp_path.rglob("out.gif"))


def test_output_path_is_checked_before_the_redaction(waybill, tmp_path, monkeypatch):
    """The same command in process, with a redactor that fails the test if it is ever called."""
    from click.testing import CliRunner

    from redact import api, cli

    def boom(*a, **k):
        raise AssertionError("redaction ran before the output path was checked")

    monkeypatch.setattr(api.Redactor, "redact", boom)
    monkeypatch.setattr(api.Redactor, "__init__", lambda self, *a, **k: None)
    (tmp_path / "b.jpg").write_bytes(b"x")
    src, _ = waybill
    for args in ([str(src), "-o", "/proc/x.jpg"], [str(src), "-o", str(tmp_path / "b.jpg" / "x.jpg")],
                 [str(src), "-o", str(tmp_path / "x.gif")], [str(src.parent), "-o", str(tmp_path / "b.jpg")]):
        r = CliRunner().invoke(cli.main, args)
        assert r.exit_code == 2, (args, r.output, r.exception)


def test_output_format_folder_and_mode(waybill, tmp_path):
    src, _ = waybill
    res = redact(src, "-o", tmp_path / "out.png")
    assert res.returncode == 0, res.stderr
    data = (tmp_path / "out.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "out.png").stat().st_mode & 0o777 == 0o644  # umask 022, not mkstemp's 0600
    res = redact(src, "-o", tmp_path / "safe.webp", "--report", tmp_path / "r.json")
    assert res.returncode == 0, res.stderr
    with Image.open(tmp_path / "safe.webp") as im:
        assert im.format == "WEBP"
    assert (tmp_path / "r.json").stat().st_mode & 0o777 == 0o644
    res = redact(src, "-o", f"{tmp_path / 'newdir'}/")
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "newdir").is_dir() and (tmp_path / "newdir" / src.name).is_file()
    assert (tmp_path / "newdir" / src.name).stat().st_mode & 0o777 == 0o644
    res = redact(src, "-o", tmp_path / "g.jpg", umask=0o077)
    assert (tmp_path / "g.jpg").stat().st_mode & 0o777 == 0o600  # the umask decides


# ------------------------------------------------------------------------------------------ summary


def _mean_diff(a, b, poly) -> float:
    import cv2

    m = np.zeros(a.shape[:2], np.uint8)
    cv2.fillPoly(m, [np.round(np.asarray(poly)).astype(np.int32)], 1)
    return float(np.abs(a.astype(int) - b.astype(int)).sum(axis=2)[m > 0].mean())


def test_summary_counts_what_is_masked_and_kept_text_stays_readable(waybill, tmp_path):
    src, truth = waybill
    res = redact(src, "-o", tmp_path / "all.jpg")
    assert res.returncode == 0, res.stderr
    n, regions, parts = _summary_counts(res.stdout)
    assert n == sum(parts.values()) and regions >= n and "tracking_number" in parts
    res = redact(src, "-o", tmp_path / "kt.jpg", "--keep", "tracking_number")
    assert res.returncode == 0, res.stderr
    n, regions, parts = _summary_counts(res.stdout)
    assert "tracking_number" not in parts and n == sum(parts.values()) and "barcode" in parts
    res = redact(src, "-o", tmp_path / "on.jpg", "--only", "phone", "--only", "name")
    assert res.returncode == 0, res.stderr
    n, regions, parts = _summary_counts(res.stdout)
    assert set(parts) == {"phone", "name"} and n == sum(parts.values())
    # the tracking number printed under its barcode: readable when kept, destroyed by default
    orig = np.asarray(Image.open(src).convert("RGB"))
    kept = np.asarray(Image.open(tmp_path / "kt.jpg").convert("RGB"))
    full = np.asarray(Image.open(tmp_path / "all.jpg").convert("RGB"))
    texts = [it for it in truth["items"] if it["category"] == "tracking_number" and it.get("kind") == "text"]
    syms = [it for it in truth["items"] if it.get("kind") == "symbol"]
    assert texts and syms
    readable = [_mean_diff(orig, kept, it["polygon"]) for it in texts]
    destroyed = [_mean_diff(orig, full, it["polygon"]) for it in texts]
    assert min(readable) < 12, readable  # JPEG re-encoding only
    assert min(destroyed) > 40, destroyed
    for s in syms:  # every symbol still masked
        assert _mean_diff(orig, kept, s["polygon"]) > 40


def test_verbose_prints_stages_and_counts_never_values(waybill, tmp_path):
    src, truth = waybill
    quiet = redact(src, "-o", tmp_path / "q.jpg")
    assert quiet.returncode == 0 and quiet.stderr.strip() == "", quiet.stderr
    res = redact(src, "-o", tmp_path / "v.jpg", "-v")
    assert res.returncode == 0, res.stderr
    assert re.search(r"timings .*locate [0-9.]+ s.*read [0-9.]+ s.*render [0-9.]+ s", res.stderr), res.stderr
    assert re.search(r"\d+ text line\(s\), \d+ symbol\(s\), \d+ field\(s\)", res.stderr)
    res2 = redact(src, "-o", tmp_path / "vv.jpg", "-vv")
    assert "rule" in res2.stderr and len(res2.stderr) > len(res.stderr)
    values = [it["text"] for it in truth["items"] if it.get("sensitive") and len(it.get("text", "")) >= 4]
    assert values
    for v in values:
        assert v not in res.stderr and v not in res2.stderr


def test_batch_log_lines_do_not_collide_with_the_progress_bar(waybill, tmp_path):
    """`redact in/ -o out/ -v` on a terminal: every log line starts on a line of its own."""
    src, _ = waybill
    d = tmp_path / "in"
    d.mkdir()
    shutil.copy(src, d / "a.jpg")
    shutil.copy(src, d / "b.jpg")
    (d / "broken.jpg").write_bytes(src.read_bytes()[:2000])
    pid, fd = pty.fork()
    if pid == 0:  # the child: a user's terminal, 120 columns
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        os.environ.update(ENV)
        os.execv(REDACT[0], [*REDACT, str(d), "-o", str(tmp_path / "out"), "-v", "--workers", "1"])
    out = b""
    deadline = time.time() + 600
    while time.time() < deadline:
        r, _, _ = select.select([fd], [], [], 1.0)
        if r:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
    _, status = os.waitpid(pid, 0)
    text = out.decode("utf-8", "replace")
    assert os.waitstatus_to_exitcode(status) == 9, text  # broken.jpg failed, the others written
    assert "photo" in text and "%" in text  # the bar was shown
    logs = [m.start() for m in re.finditer(r"(INFO|WARNING) redact\.batch", text)]
    assert len(logs) >= 3, text
    for at in logs:
        before = text[:at]
        line_start = max(before.rfind("\n"), before.rfind("\r"))
        assert re.fullmatch(r"(\x1b\[[0-9;]*[A-Za-z])*", before[line_start + 1:]), repr(text[max(0, at - 80):at + 40])


# ---------------------------------------------------------------------------------------- serve, help


def test_port_in_use_has_its_own_exit_code(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        one_line_error(redact("serve", "--port", port, timeout=120), 10, "in use", str(port))
    readme = (ROOT / "README.md").read_text()
    assert re.search(r"^\| 10 \| .*(listen|port)", readme, re.MULTILINE)
    assert re.search(r"^\| 3 \| input not found", readme, re.MULTILINE)


def test_help_says_what_each_command_takes():
    top = redact("--help")
    assert top.returncode == 0 and "redact run" in top.stdout and "short for" in top.stdout
    ins = redact("inspect", "--help").stdout
    for opt in ("--style", "--keep-metadata", "--no-check"):
        assert opt not in ins
    assert "--keep" in ins and "--reveal" in ins
    assert redact("inspect", "x.jpg", "--style", "fill").returncode == 2
    srv = redact("serve", "--help").stdout
    flat = " ".join(srv.split())
    assert re.search(r"--style \[[^\]]+\]\s+Default look", flat), flat
    assert re.search(r"--workers INTEGER .*\[default: 1\]", flat) and re.search(r"--queue INTEGER .*\[default: 4\]", flat)
    readme = (ROOT / "README.md").read_text()
    assert "100 MP" in readme and "50 MP" in readme and "80 MB" in readme and "25 MB" in readme
    assert "MiB" not in readme


def test_limits_use_one_unit():
    from redact.config import Config
    from redact.service.settings import DEFAULT_MAX_BODY_BYTES

    assert Config().max_bytes == 80_000_000 and DEFAULT_MAX_BODY_BYTES == 25_000_000


# ------------------------------------------------------------------------------------------- folders


def test_folder_run_skips_our_outputs_and_resume_keeps_outcomes(waybill, tmp_path):
    src, _ = waybill
    d = tmp_path / "in"
    d.mkdir()
    shutil.copy(src, d / "a.jpg")
    shutil.copy(src, d / "a.redacted.jpg")  # an earlier output, copied in with the photos
    out = tmp_path / "out"
    res = redact(d, "-o", out)
    assert res.returncode == 0, res.stderr
    first = [json.loads(ln) for ln in (out / "redact-report.jsonl").read_text().splitlines()]
    assert [r["file"] for r in first] == ["a.jpg"] and first[0]["status"] == "ok" and first[0]["masked"]
    assert not (out / "a.redacted.jpg").exists()
    res = redact(d, "-o", out)
    assert res.returncode == 0, res.stderr
    again = [json.loads(ln) for ln in (out / "redact-report.jsonl").read_text().splitlines()]
    assert again[0]["status"] == "skipped"
    assert again[0]["masked"] == first[0]["masked"] and again[0]["masks"] == first[0]["masks"]
    csv = (out / "redact-summary.csv").read_text().splitlines()
    assert csv[1].split(",")[3] == str(first[0]["masks"])


def test_readme_examples_write_outside_sample_images():
    readme = (ROOT / "README.md").read_text()
    for cmd in re.findall(r"^\.venv/bin/redact (.*?)(?:\s+#|$)", readme, re.MULTILINE):
        if "sample_images/" in cmd:  # a sample photo: written elsewhere, never beside it
            assert " -o " in f" {cmd} ", cmd
            assert not cmd.split(" -o ")[1].strip().startswith("sample_images/"), cmd
    ignore = (ROOT / ".gitignore").read_text().splitlines()
    assert "*.redacted.*" in ignore


# ------------------------------------------------------------------------------------------- Python API


def test_repr_never_shows_personal_values(redactor, waybill):
    from redact.types import Field, Symbol, TextLine, Word

    src, truth = waybill
    rep = redactor.analyze(src.read_bytes(), name=src.name)
    values = [it["text"] for it in truth["items"] if it.get("sensitive") and len(it.get("text", "")) >= 4]
    values += [f.value for f in rep.fields if f.sensitive and len(f.value) >= 4]
    values += [s.payload for s in rep.symbols if len(s.payload) >= 4]
    assert values
    shown = repr(rep) + repr(list(rep.fields)) + repr(list(rep.symbols)) + str(rep)
    a = redactor._analyze_cached(redactor.load(src.read_bytes()), None)
    shown += repr(a) + repr(a.lines)
    for v in values:
        assert v not in shown, "a personal value in repr()"
    assert any(v in rep.to_json(reveal=True) for v in values)  # values only when asked for
    assert "MUELLER" not in repr(TextLine(text="HANS MUELLER", polygon=((0, 0),), score=1.0,
                                          words=(Word("MUELLER", 5, 12, ((0, 0),)),)))
    assert "MUELLER" not in repr(Field(category=rep.fields[0].category, role=rep.fields[0].role, value="MUELLER"))
    assert "MUELLER" not in repr(Symbol(format="QRCode", payload="MUELLER", polygon=((0, 0),)))


# ------------------------------------------------------------------------------------------- noise


def test_packaging_metadata_without_deprecated_license_table():
    py = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert isinstance(py["project"]["license"], str) and py["project"]["license"] == "Apache-2.0"
    assert all((ROOT / f).is_file() for f in py["project"]["license-files"])
    req = [r for r in py["build-system"]["requires"] if r.startswith("setuptools")]
    assert req and re.search(r">=\s*(7[7-9]|[89]\d)", req[0]), req  # SPDX strings need setuptools >= 77
    setup = (ROOT / "scripts" / "setup.sh").read_text()
    assert "PYTHONWARNINGS" in setup and setup.count('echo "setup:') >= 5


def test_cluster_run_prints_only_what_concerns_the_user(tmp_path):
    pytest.importorskip("ray")  # the ray extra: installed by scripts/setup.sh
    src = ROOT / "sample_images" / "us_ups__nolabel__0015.jpg"
    d = tmp_path / "in"
    d.mkdir()
    shutil.copy(src, d / "p.jpg")
    env = {k: v for k, v in ENV.items() if k != "RAY_ADDRESS"}
    res = subprocess.run([*REDACT, "cluster", str(d), "-o", str(tmp_path / "out"), "--actors", "1"],
                         capture_output=True, text=True, env=env, timeout=600, check=False)
    assert res.returncode == 0, res.stderr
    assert "1 ok" in res.stdout
    for noise in ("Token authentication", "streaming_executor", "Started a local Ray", "core_worker",
                  "Progress bars disabled", "WARNING"):
        assert noise not in res.stderr, res.stderr
    assert len(res.stderr.strip().splitlines()) <= 1, res.stderr


# ------------------------------------------------------------------------------------------- web page

CHROMIUM = os.environ.get("REDACT_CHROMIUM", "/usr/bin/chromium")


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium not installed (scripts/setup.sh)")
def test_web_page_says_why_and_names_downloads_like_the_cli(tmp_path):
    pytest.importorskip("fastapi")
    sync_api = pytest.importorskip("playwright.sync_api")
    from redact.service.testing import ServerProcess, label_photo
    from tests.test_web import ARGS

    good = tmp_path / "label.png"
    good.write_bytes(label_photo(800, 600)[0])
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    srv = ServerProcess("--workers", "1", "--queue", "4", threads=2, log_path=tmp_path / "server.log")
    srv.start()
    try:
        srv.wait_ready(240)
        with sync_api.sync_playwright() as p:
            b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
            try:
                ctx = b.new_context(viewport={"width": 1280, "height": 800}, locale="en-US", accept_downloads=True)
                page = ctx.new_page()
                errors = []
                page.on("pageerror", lambda e: errors.append(str(e)))
                page.goto(srv.url + "/")
                page.wait_for_selector("body[data-ready='1']")
                # a .txt dropped on the drop zone, as a user drags it from the desktop
                page.evaluate("""() => {
                    const dt = new DataTransfer();
                    dt.items.add(new File(["shopping list"], "notes.txt", { type: "text/plain" }));
                    document.querySelector("#drop").dispatchEvent(
                        new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
                }""")
                notice = page.locator("#notice")
                assert notice.is_visible() and "notes.txt" in notice.inner_text()
                assert "Not a photo" in notice.inner_text()
                assert page.locator(".card").count() == 0
                page.set_input_files("#file", [str(broken), str(good)])
                page.wait_for_function(
                    "() => document.querySelectorAll('.card .status.ok, .card .status.error').length === 2",
                    timeout=300_000)
                assert not notice.is_visible()  # a new, good drop clears the message
                bad = page.locator(".card", has_text="broken.jpg")
                ok = page.locator(".card", has_text="label.png")
                assert "Failed" in bad.locator(".status").inner_text()
                for sel in (".download", ".preview", ".draw", ".reset"):
                    assert bad.locator(sel).is_disabled(), sel
                    assert ok.locator(sel).is_enabled(), sel
                with page.expect_download(timeout=300_000) as dl:
                    ok.locator(".download").click()
                assert dl.value.suggested_filename == "label.redacted.png"
                assert not errors, errors
                ctx.close()
            finally:
                b.close()
    finally:
        srv.stop()
