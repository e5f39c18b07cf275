"""Write generated photos and their truth JSON.

    python -m benchmarks.generate --set quick|full|samples --out DIR [--seed N] [--size 12mp] [--workers 1]

Each photo NAME.jpg/.png gets NAME.json beside it (the truth schema in benchmarks/generator/__init__.py);
``index.json`` lists them all. Deterministic: the same arguments write the same bytes.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor

log = logging.getLogger("benchmarks.generate")


def overlay(pixels, truth: dict, max_side: int = 1600):
    """A review picture: the photo with every truth polygon (red: sensitive, green: not), downscaled."""
    from PIL import Image, ImageDraw

    im = Image.fromarray(pixels)
    s = min(1.0, max_side / max(im.size))
    im = im.resize((max(1, int(im.width * s)), max(1, int(im.height * s))))
    d = ImageDraw.Draw(im)
    for it in truth["items"]:
        pts = [(x * s, y * s) for x, y in it["polygon"]]
        d.polygon(pts, outline=(230, 0, 0) if it["sensitive"] else (0, 170, 0))
    return im


def _one(args: tuple[str, tuple[str, ...], int, str, str, bool]) -> dict:
    from benchmarks.generator import make_photo

    layout, conds, seed, size, out, want_overlay = args
    t = time.perf_counter()
    g = make_photo(seed=seed, layout=layout, conditions=conds, size=size)
    img_path = os.path.join(out, g.truth["image"])
    tmp = img_path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(g.image_bytes)
    os.replace(tmp, img_path)
    jpath = os.path.join(out, g.name + ".json")
    with open(jpath + ".tmp", "w", encoding="utf-8") as f:
        json.dump(g.truth, f, ensure_ascii=False, indent=1)
    os.replace(jpath + ".tmp", jpath)
    if want_overlay:
        overlay(g.pixels, g.truth).save(os.path.join(out, g.name + ".overlay.png"))
    return {
        "image": g.truth["image"],
        "truth": g.name + ".json",
        "set": g.truth["set"],
        "conditions": g.truth["conditions"],
        "layout": layout,
        "seconds": round(time.perf_counter() - t, 3),
    }


def specs_for(name: str, seed: int):
    from benchmarks.generator import full_set, quick_set, sample_set

    if name == "quick":
        return quick_set(seed)
    if name == "full":
        return full_set(seed)
    if name == "samples":
        return sample_set()
    raise SystemExit(f"unknown set {name!r} (quick, full, samples)")


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.generate", description=__doc__.split("\n")[0])
    ap.add_argument("--set", default="quick", choices=["quick", "full", "samples"])
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--size", default=None, help="12mp (default; 8mp for --set samples), 8mp, 2mp, 1mp")
    ap.add_argument("--workers", type=int, default=1, help="processes (set OMP_NUM_THREADS=1 when > 1)")
    ap.add_argument("--limit", type=int, default=0, help="only the first N photos of the set")
    ap.add_argument(
        "--overlay", action="store_true", help="also write NAME.overlay.png (truth polygons drawn)"
    )
    a = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    from benchmarks.generator.fonts import FontMissing, check_fonts

    try:
        check_fonts()
    except FontMissing as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if a.size is None:
        a.size = "8mp" if a.set == "samples" else "12mp"
    os.makedirs(a.out, exist_ok=True)
    specs = specs_for(a.set, a.seed)
    if a.limit:
        specs = specs[: a.limit]
    jobs = [(lay, tuple(conds), seed, a.size, a.out, a.overlay) for lay, conds, seed in specs]
    t0 = time.perf_counter()
    results: list[dict] = []
    if a.workers > 1:
        with ProcessPoolExecutor(a.workers) as ex:
            for r in ex.map(_one, jobs):
                results.append(r)
                log.info("%s  %.2fs", r["image"], r["seconds"])
    else:
        for j in jobs:
            r = _one(j)
            results.append(r)
            log.info("%s  %.2fs", r["image"], r["seconds"])
    with open(os.path.join(a.out, "index.json"), "w", encoding="utf-8") as f:
        json.dump({"set": a.set, "seed": a.seed, "size": a.size, "photos": results}, f, indent=1)
    log.info("%d photos in %.1fs -> %s", len(results), time.perf_counter() - t0, a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
