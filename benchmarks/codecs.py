"""The project's encoders against the libraries that could replace them (issue 18): seconds, bytes, and
whether the decoded pixels are the project's.

    python -m benchmarks.codecs [--rounds 5] [--size 12mp]

A generated photo (deterministic) is encoded by every encoder in turn, ``--rounds`` times interleaved (so a
machine's drift falls on all alike); the table gives the median and the fastest round. JPEG at the
project's quality with 4:2:0 (a phone photo's subsampling, which the output keeps): the own striped encoder
(OpenCV's libjpeg-turbo) with a thread pool and inline, in one piece, Pillow, and ``simplejpeg`` /
``PyTurboJPEG`` when installed (neither is a dependency: PyTurboJPEG 2.x needs libjpeg-turbo 3, Debian 12
ships 2.1, so use PyTurboJPEG 1.x there). PNG: the own writer against Pillow and OpenCV at level 1.
Prints a Markdown table; writes nothing.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Dict

import numpy as np


def _tables(px: np.ndarray, quality: int, pool) -> Dict[str, Dict[str, Callable[[np.ndarray], bytes]]]:
    import cv2
    from PIL import Image

    from redact.io.encode import encode_jpeg, encode_png

    def pil(a: np.ndarray, fmt: str, **kw) -> bytes:
        b = io.BytesIO()
        Image.fromarray(a).save(b, format=fmt, **kw)
        return b.getvalue()

    def cv_png(a: np.ndarray, *extra: int) -> bytes:
        ok, buf = cv2.imencode(".png", cv2.cvtColor(a, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_PNG_COMPRESSION, 1, *extra])
        return buf.tobytes()

    jpeg: Dict[str, Callable[[np.ndarray], bytes]] = {
        "own stripes, pool": lambda a: encode_jpeg(a, quality, 2, pool=pool),
        "own stripes, inline": lambda a: encode_jpeg(a, quality, 2),
        "own one piece (OpenCV)": lambda a: encode_jpeg(a, quality, 2, stripes=1),
        "Pillow": lambda a: pil(a, "JPEG", quality=quality, optimize=False, subsampling=2),
    }
    try:
        import simplejpeg

        jpeg["simplejpeg"] = lambda a: simplejpeg.encode_jpeg(a, quality=quality, colorspace="RGB",
                                                              colorsubsampling="420")
    except ImportError:
        pass
    try:
        from turbojpeg import TJPF_RGB, TJSAMP_420, TurboJPEG

        tj = TurboJPEG()
        jpeg["PyTurboJPEG"] = lambda a: tj.encode(a, quality=quality, pixel_format=TJPF_RGB, jpeg_subsample=TJSAMP_420)
    except (ImportError, RuntimeError, OSError):
        pass
    png: Dict[str, Callable[[np.ndarray], bytes]] = {
        "own PNG writer, pool": lambda a: encode_png(a, pool=pool),
        "own PNG writer, inline": lambda a: encode_png(a),
        "Pillow compress_level=1": lambda a: pil(a, "PNG", compress_level=1),
        "OpenCV level 1": cv_png,
        "OpenCV level 1, Huffman only": lambda a: cv_png(a, cv2.IMWRITE_PNG_STRATEGY,
                                                         cv2.IMWRITE_PNG_STRATEGY_HUFFMAN_ONLY),
    }
    return {f"JPEG q{quality} 4:2:0": jpeg, "PNG": png}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--size", default="12mp")
    a = ap.parse_args(argv)
    from PIL import Image

    from benchmarks.generator import make_photo
    from redact.config import Config
    from redact.io.photo import load

    px = load(make_photo(seed=3, layout="zh_ecommerce", conditions=("standard",), size=a.size).image_bytes).pixels
    print(f"{px.shape[1]}x{px.shape[0]} generated photo, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        for title, table in _tables(px, Config().jpeg_quality, pool).items():
            times: Dict[str, list] = {k: [] for k in table}
            out: Dict[str, bytes] = {}
            for _ in range(a.rounds):
                for k, f in table.items():
                    t = time.perf_counter()
                    out[k] = f(px)
                    times[k].append(time.perf_counter() - t)
            dec = {k: np.asarray(Image.open(io.BytesIO(v)).convert("RGB")) for k, v in out.items()}
            ref = dec[next(iter(table))]
            print(f"\n{title}\n\n| encoder | median s | fastest s | bytes | decoded pixels |\n|---|---|---|---|---|")
            for k in table:
                d = dec[k]
                if np.array_equal(d, ref):
                    same = "the project's" + (" (lossless)" if title == "PNG" and np.array_equal(d, px) else "")
                else:
                    share = float((d != ref).any(axis=2).mean()) * 100
                    same = f"differ: {share:.1f} % of px, by up to {int(np.abs(d.astype(int) - ref).max())}"
                print(f"| {k} | {statistics.median(times[k]):.3f} | {min(times[k]):.3f} | {len(out[k]):,} | {same} |")


if __name__ == "__main__":
    main()
