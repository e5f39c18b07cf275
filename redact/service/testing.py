"""Start a real service process on loopback, for tests and benchmarks (no stubs, real models)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import List, Optional

import httpx

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_bytes(pid: int) -> int:
    """Resident memory of a process (Linux /proc), 0 if unknown."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class ServerProcess:
    """``python -m redact.service`` in a child process on 127.0.0.1; a context manager.

    ``wait_ready`` polls /readyz (models loaded). ``stop`` sends SIGTERM (graceful) and waits.
    """

    def __init__(
        self,
        *args: str,
        threads: int = 1,
        nice: int = 10,
        log_path: Optional[Path] = None,
        env: Optional[dict] = None,
    ):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.args: List[str] = [
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--threads",
            str(threads),
            "--log-level",
            "info",
            *args,
        ]
        self.nice = nice
        self.log_path = log_path
        self.env = env or {}
        self.proc: Optional[subprocess.Popen] = None
        self._log = None

    def start(self) -> "ServerProcess":
        env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1", **self.env}
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
        cmd = [sys.executable, "-m", "redact.service", *self.args]
        if self.nice and Path("/usr/bin/nice").exists():
            cmd = ["/usr/bin/nice", "-n", str(self.nice), *cmd]
        self._log = open(self.log_path, "wb") if self.log_path else subprocess.DEVNULL
        self.proc = subprocess.Popen(
            cmd, cwd=str(ROOT), env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        # with nice, the python process replaces nice (exec), so the pid is the server's
        return self.proc.pid

    def wait_up(self, timeout: float = 60.0) -> None:
        self._wait("/healthz", timeout)

    def wait_ready(self, timeout: float = 180.0) -> None:
        self._wait("/readyz", timeout)

    def _wait(self, path: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"server exited with code {self.proc.returncode} ({self.log_tail()})")
            try:
                if httpx.get(self.url + path, timeout=2.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"{path} not 200 within {timeout:.0f} s ({self.log_tail()})")

    def log_tail(self, n: int = 2000) -> str:
        if self.log_path and Path(self.log_path).exists():
            return Path(self.log_path).read_text(errors="replace")[-n:]
        return "no log"

    def terminate(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)

    def stop(self, timeout: float = 60.0) -> int:
        if self.proc is None:
            return 0
        self.terminate()
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait(timeout=10)
        if self._log not in (None, subprocess.DEVNULL):
            self._log.close()
        return rc

    def __enter__(self) -> "ServerProcess":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf",
)


def label_photo(width: int = 1280, height: int = 960, seed: int = 7, fmt: str = "PNG"):
    """A simple waybill rendered with PIL (fake person, known boxes) for tests when the project's generator
    is not needed. Returns ``(encoded bytes, {"phone": box, "name": box, "free": box, ...})`` where each box
    is ``(x0, y0, x1, y1)`` in pixels; ``free`` is printed, non-personal text."""
    import io

    import numpy as np
    from PIL import Image, ImageDraw, ImageFont

    rng = np.random.default_rng(seed)
    bg = np.clip(rng.normal(0, 6, (height, width, 3)) + np.array([176, 150, 116]), 0, 255).astype(np.uint8)
    im = Image.fromarray(bg)
    d = ImageDraw.Draw(im)
    lx0, ly0, lx1, ly1 = int(width * 0.12), int(height * 0.08), int(width * 0.88), int(height * 0.92)
    d.rectangle((lx0, ly0, lx1, ly1), fill=(250, 250, 247))
    font_path = next((f for f in FONT_CANDIDATES if Path(f).exists()), None)
    size = max(18, height // 26)

    def font(s: int):
        return ImageFont.truetype(font_path, s) if font_path else ImageFont.load_default(size=s)

    boxes = {}
    x = lx0 + size
    y = ly0 + size

    def line(text: str, key: Optional[str] = None, s: int = size, part: Optional[str] = None) -> None:
        nonlocal y
        f = font(s)
        d.text((x, y), text, fill=(12, 12, 12), font=f)
        if key:
            if part:
                pre = text[: text.index(part)]
                px0 = x + d.textlength(pre, font=f)
                bb = d.textbbox((px0, y), part, font=f)
            else:
                bb = d.textbbox((x, y), text, font=f)
            boxes[key] = tuple(int(v) for v in bb)
        y += int(s * 1.9)

    line("顺丰速运  标准快递", "free", s=int(size * 1.2))
    line("收件人：张伟  13812345678", "phone", part="13812345678")
    boxes["name"] = None  # filled below
    line("地址：广东省深圳市南山区科技园路100号", "address", part="广东省深圳市南山区科技园路100号")
    line("寄件人：李娜  13987654321", "phone2", part="13987654321")
    line("运单号：SF1234567890123", "tracking", part="SF1234567890123")
    line("物品：书籍  重量：1.2kg", "free2")
    del boxes["name"]
    buf = io.BytesIO()
    im.save(buf, fmt)
    return buf.getvalue(), boxes
