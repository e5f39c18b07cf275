"""Annotation tooling for the real-photo benchmark (see ``benchmarks/real/__init__.py``).

    python -m benchmarks.real draft PHOTO [--out DIR]      # draft WITH text -> /work/real-private/drafts/<stem>.json
    python -m benchmarks.real finalize DRAFT [--out DIR]   # hash-only form -> benchmarks/real/annotations/<stem>.json
    python -m benchmarks.real show ANNOTATION|DRAFT|STEM [--crop X0,Y0,X1,Y1] [--max-side N] [--out PNG]
    python -m benchmarks.real check                        # validate every annotation (and its photo when found)

Drafts hold recognised text and must stay outside the repository: ``draft`` refuses an output folder inside it.
Nothing here logs a recognised value.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

import numpy as np

from benchmarks import real as R

log = logging.getLogger("benchmarks.real")

SYMBOL_CATEGORY = {"QRCode": "qrcode", "MicroQRCode": "qrcode", "RMQRCode": "qrcode", "DataMatrix": "datamatrix",
                   "PDF417": "pdf417", "MaxiCode": "maxicode", "Aztec": "other"}


def _inside_repo(p: Path) -> bool:
    try:
        p.resolve().relative_to(R.ROOT)
        return True
    except ValueError:
        return False


def _tiles(w: int, h: int, size: int = 1600, overlap: int = 400) -> List[tuple]:
    def starts(n: int) -> List[int]:
        if n <= size:
            return [0]
        s = list(range(0, n - size, size - overlap))
        return s + [n - size]

    return [(x, y, min(w, x + size), min(h, y + size)) for y in starts(h) for x in starts(w)]


def _iou_box(a: np.ndarray, b: np.ndarray) -> float:
    ax0, ay0, ax1, ay1 = a[:, 0].min(), a[:, 1].min(), a[:, 0].max(), a[:, 1].max()
    bx0, by0, bx1, by1 = b[:, 0].min(), b[:, 1].min(), b[:, 0].max(), b[:, 1].max()
    iw, ih = max(0.0, min(ax1, bx1) - max(ax0, bx0)), max(0.0, min(ay1, by1) - max(ay0, by0))
    inter = iw * ih
    small = min((ax1 - ax0) * (ay1 - ay0), (bx1 - bx0) * (by1 - by0))
    return inter / small if small > 0 else 0.0


def ocr_lines(img: np.ndarray, attacker) -> List[Dict[str, Any]]:
    """The attacker's detection + recognition over overlapping 1600 px tiles and the whole photo, merged."""
    found: List[Dict[str, Any]] = []
    h, w = img.shape[:2]
    views = [(0, 0, w, h)] + _tiles(w, h)
    for x0, y0, x1, y1 in views:
        r = attacker.ocr(np.ascontiguousarray(img[y0:y1, x0:x1]), use_det=True, use_cls=True)
        boxes = getattr(r, "boxes", None)
        if boxes is None:
            continue
        for box, t, s in zip(boxes, r.txts or (), r.scores or ()):
            if not t or float(s) < 0.3:
                continue
            q = np.asarray(box, dtype=np.float64).reshape(-1, 2) + [x0, y0]
            found.append({"polygon": q, "text": t, "score": float(s)})
    merged: List[Dict[str, Any]] = []
    for f in sorted(found, key=lambda f: (-len(R.normalise(f["text"])), -f["score"])):
        if any(_iou_box(f["polygon"], m["polygon"]) > 0.6 for m in merged):
            continue
        merged.append(f)
    merged.sort(key=lambda f: (round(f["polygon"][:, 1].mean() / 40), f["polygon"][:, 0].mean()))
    return merged


def symbols(img: np.ndarray) -> List[Dict[str, Any]]:
    import zxingcpp

    out = []
    try:
        res = zxingcpp.read_barcodes(np.ascontiguousarray(img), try_rotate=True, try_downscale=True,
                                     text_mode=zxingcpp.TextMode.Plain)
    except TypeError:
        res = zxingcpp.read_barcodes(np.ascontiguousarray(img))
    for r in res:
        p = r.position
        q = [[p.top_left.x, p.top_left.y], [p.top_right.x, p.top_right.y], [p.bottom_right.x, p.bottom_right.y],
             [p.bottom_left.x, p.bottom_left.y]]
        fmt = str(r.format).split(".")[-1]
        out.append({"polygon": _widen_scanline(np.asarray(q, float)), "payload": r.text, "symbology": fmt,
                    "guessed": _area(np.asarray(q, float)) < 0.02 * _span(np.asarray(q, float)) ** 2})
    return out


def _area(q: np.ndarray) -> float:
    return 0.5 * abs(float(np.dot(q[:, 0], np.roll(q[:, 1], 1)) - np.dot(q[:, 1], np.roll(q[:, 0], 1))))


def _span(q: np.ndarray) -> float:
    return float(np.linalg.norm(q.max(axis=0) - q.min(axis=0)))


def _widen_scanline(q: np.ndarray) -> np.ndarray:
    """zxing gives a linear barcode's position as its scan line (a quad of no area): a box around it, 15 % of
    its length either side, for the annotator to correct."""
    if _area(q) >= 0.02 * _span(q) ** 2:
        return q
    a, b = q[0], q[1] if np.linalg.norm(q[1] - q[0]) > 1 else q[2]
    d = (b - a) / max(1e-6, float(np.linalg.norm(b - a)))
    n = np.array([-d[1], d[0]]) * 0.15 * float(np.linalg.norm(b - a))
    return np.array([a - n, b - n, b + n, a + n])


def _guess(text: str) -> tuple:
    n = R.normalise(text)
    digits = sum(c.isdigit() for c in n)
    if digits >= 8:
        return "tracking_number", True
    if digits >= 6 and len(n) == 6:
        return "postal_code", True
    return "other", False


def cmd_draft(a: argparse.Namespace) -> int:
    from benchmarks.score import Attacker, load_rgb

    photo = Path(a.photo)
    if not photo.is_file():
        photo = R.find_photo(a.photo) or photo
    if not photo.is_file():
        print(f"error: no such photo: {a.photo}", file=sys.stderr)
        return 2
    out_dir = Path(a.out) if a.out else R.PRIVATE / "drafts"
    if _inside_repo(out_dir):
        print("error: drafts hold text and must stay outside the repository", file=sys.stderr)
        return 2
    img = load_rgb(photo)
    h, w = img.shape[:2]
    att = Attacker(threads=a.threads)
    items: List[Dict[str, Any]] = []
    for s in symbols(img):
        items.append({"id": len(items), "type": "symbol", "polygon": np.round(s["polygon"], 1).tolist(),
                      "category": SYMBOL_CATEGORY.get(s["symbology"], "barcode"), "role": "unknown",
                      "sensitive": True, "text_len": None, "text_sha256": None, "legible_in_original": True,
                      "symbology": s["symbology"], "payload": s["payload"],
                      **({"note": "box guessed around the scan line: fix by hand"} if s["guessed"] else {})})
    for f in ocr_lines(img, att):
        cat, sens = _guess(f["text"])
        items.append({"id": len(items), "type": "text", "polygon": np.round(f["polygon"], 1).tolist(),
                      "category": cat, "role": "unknown", "sensitive": sens, "legible_in_original": True,
                      "text": f["text"], "score": round(f["score"], 3)})
    draft = {"image": photo.name, "image_sha256": R.file_sha256(photo), "width": w, "height": h,
             "source": a.source or "", "kind": "label", "conditions": [], "items": items}
    out_dir.mkdir(parents=True, exist_ok=True)
    dst = out_dir / f"{photo.stem}.json"
    dst.write_text(json.dumps(draft, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"{dst}: {sum(i['type'] == 'text' for i in items)} text lines, "
          f"{sum(i['type'] == 'symbol' for i in items)} symbols")
    return 0


DRAFT_ONLY = {"text", "payload", "score", "drop", "guess"}


def finalize(draft: Dict[str, Any]) -> Dict[str, Any]:
    """The committed form of a corrected draft: every text replaced by its length and SHA-256."""
    out = {k: v for k, v in draft.items() if k != "items"}
    items = []
    for it in draft.get("items") or []:
        if it.get("drop"):
            continue
        d = {k: v for k, v in it.items() if k not in DRAFT_ONLY}
        if it.get("type") == "text":
            d["text_len"], d["text_sha256"] = R.text_digest(str(it.get("text") or ""))
        else:
            d["text_len"], d["text_sha256"] = None, None
            if "payload" in it:
                d.setdefault("decodes_in_original", bool(it.get("payload")))
        items.append(d)
    out["items"] = items
    return out


def cmd_finalize(a: argparse.Namespace) -> int:
    src = Path(a.draft)
    try:
        draft = json.loads(src.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        print(f"error: cannot read {src.name} ({type(e).__name__})", file=sys.stderr)
        return 2
    doc = finalize(draft)
    out_dir = Path(a.out) if a.out else R.ANNOTATIONS
    dst = out_dir / f"{Path(doc.get('image', src.name)).stem}.json"
    try:
        ann = R.parse_annotation(dst, doc)
        photo = R.find_photo(ann.image)
        if photo is not None:
            R.check_photo(ann, photo)
    except R.AnnotationError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    out_dir.mkdir(parents=True, exist_ok=True)
    body = json.dumps(doc, ensure_ascii=True, indent=1)
    tmp = dst.with_suffix(".json.tmp")
    tmp.write_text(body + "\n", encoding="utf-8")
    tmp.replace(dst)
    n_s = sum(1 for it in ann.items if it.sensitive)
    print(f"{dst}: {len(ann.items)} items ({n_s} sensitive){'' if photo else ' (photo not found: unchecked)'}")
    return 0


def _load_any(arg: str) -> Dict[str, Any]:
    p = Path(arg)
    if not p.is_file():
        for cand in (R.ANNOTATIONS / f"{arg}.json", R.PRIVATE / "drafts" / f"{arg}.json"):
            if cand.is_file():
                p = cand
                break
    return json.loads(p.read_text(encoding="utf-8"))


def cmd_show(a: argparse.Namespace) -> int:
    import cv2

    from benchmarks.score import load_rgb

    try:
        doc = _load_any(a.annotation)
    except (OSError, ValueError) as e:
        print(f"error: cannot read {a.annotation} ({type(e).__name__})", file=sys.stderr)
        return 2
    photo = Path(a.image) if a.image else R.find_photo(doc["image"])
    if photo is None or not photo.is_file():
        print(f"error: photo {doc['image']} not found in {', '.join(map(str, R.search_dirs()))}", file=sys.stderr)
        return 2
    img = load_rgb(photo)
    x0, y0, x1, y1 = 0, 0, img.shape[1], img.shape[0]
    if a.crop:
        x0, y0, x1, y1 = (int(float(v)) for v in a.crop.split(","))
    view = np.ascontiguousarray(img[y0:y1, x0:x1][:, :, ::-1])
    s = min(1.0, a.max_side / max(view.shape[:2]))
    if s < 1:
        view = cv2.resize(view, None, fx=s, fy=s, interpolation=cv2.INTER_AREA)
    th = max(1, int(round(2 * max(s, 0.5))))
    for it in doc.get("items") or []:
        if it.get("drop"):
            continue
        q = (np.asarray(it["polygon"], float) - [x0, y0]) * s
        col = (255, 0, 0) if it.get("type") == "symbol" else ((0, 0, 255) if it.get("sensitive") else (0, 160, 0))
        cv2.polylines(view, [np.round(q).astype(np.int32)], True, col, th)
        cx, cy = q[:, 0].min(), q[:, 1].min()
        cv2.putText(view, str(it["id"]), (int(cx), int(max(12, cy - 3))), cv2.FONT_HERSHEY_SIMPLEX,
                    0.5 * max(1.0, 1.6 * s) if s < 1 else 0.8, col, max(1, th - 1), cv2.LINE_AA)
    out = Path(a.out) if a.out else Path("/tmp/real_show") / (
        Path(doc["image"]).stem + ("_on_" + Path(a.image).parent.name if a.image else "")
        + (f"_{x0}_{y0}_{x1}_{y1}" if a.crop else "") + ".png")
    if _inside_repo(out):
        print("error: renderings show the photo and must stay outside the repository", file=sys.stderr)
        return 2
    out.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(out), view)
    print(out)
    return 0


def cmd_check(a: argparse.Namespace) -> int:
    try:
        pairs = R.load_annotations(Path(a.dir) if a.dir else R.ANNOTATIONS)
    except R.AnnotationError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    for ann, photo in pairs:
        print(f"{ann.stem}: {len(ann.items)} items, {len(ann.sensitive)} sensitive, "
              f"{'photo ok' if photo else 'photo not found'}")
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.real", description="real-photo annotation tooling")
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("draft", help="OCR + zxing draft WITH text, outside the repository")
    d.add_argument("photo")
    d.add_argument("--out", help=f"folder (default {R.PRIVATE / 'drafts'})")
    d.add_argument("--source", help="the source repository (SOURCES.md)")
    d.add_argument("--threads", type=int, default=2)
    f = sub.add_parser("finalize", help="a corrected draft to the committed hash-only form")
    f.add_argument("draft")
    f.add_argument("--out", help=f"folder (default {R.ANNOTATIONS})")
    s = sub.add_parser("show", help="the polygons with ids over the photo, as a PNG under /tmp")
    s.add_argument("annotation", help="an annotation or draft file, or a photo stem")
    s.add_argument("--crop", help="X0,Y0,X1,Y1 in oriented-photo pixels")
    s.add_argument("--max-side", type=int, default=1600)
    s.add_argument("--image", help="draw over this image instead (e.g. a tool's output of the photo)")
    s.add_argument("--out")
    c = sub.add_parser("check", help="validate every annotation (and its photo when found)")
    c.add_argument("--dir")
    a = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    return {"draft": cmd_draft, "finalize": cmd_finalize, "show": cmd_show, "check": cmd_check}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
