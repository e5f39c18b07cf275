"""The real-photo benchmark: committed annotations that hold no real data, and a scorer for them.

Real photos are never stored in the repository. Each photo has one annotation,
``benchmarks/real/annotations/<stem>.json`` (format: /work/notes/REAL_FORMAT.md, summarised below), that
carries the photo's SHA-256, its oriented size and, per printed item, a polygon, a category, a role, whether
it is sensitive, and for text items only the *length* and *SHA-256* of the normalised text (NFKC, uppercase,
whitespace removed). The photo itself is looked up by file name in, in this order:

1. ``../shared/eval/real-dev`` relative to the repository,
2. ``benchmarks/real/photos/`` (git-ignored),
3. every folder of ``$REDACT_REAL_DIRS`` (``os.pathsep``-separated).

A sensitive item is LEGIBLE after redaction (``score_real_photo``) when

* (a) **ocr**: the attacker OCR (``benchmarks.score.Attacker``) reads back, from the output inside the item's
  polygon (rectified as ``benchmarks.score`` does), a real part of the *reference*: the attacker's own reading
  of the ORIGINAL inside the same polygon, computed at scoring time and kept in memory only (skipped when
  ``legible_in_original`` is false or the reference read is empty); the rules of ``value_leaks`` apply;
* (b) **barcode**: a symbol item still decodes in the output (zxing-cpp on its crop, as the scorer does) to a
  payload the original's crop decodes to (any payload when the original's crop decodes to none); or
* (c) **uncovered**: less than 95 % of its ink changed (``benchmarks.score.coverage``).

A non-sensitive text item is MASKED when at least 50 % of its ink changed. Per-photo results carry ids,
categories, roles and reasons only, never text.

Command line (``python -m benchmarks.real``): ``draft PHOTO`` (attacker OCR + zxing-cpp on the oriented
original, a draft WITH text written to /work/real-private/drafts, outside the repository), ``finalize DRAFT``
(the corrected draft to the committed hash-only form), ``show ANNOTATION`` (the polygons with their ids over
the photo, a PNG under /tmp), ``check`` (validate every annotation against its photo).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np

log = logging.getLogger("benchmarks.real")

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
ANNOTATIONS = HERE / "annotations"
LOCAL_PHOTOS = HERE / "photos"  # git-ignored
SHARED_PHOTOS = ROOT.parent / "shared" / "eval" / "real-dev"
PRIVATE = Path(os.environ.get("REDACT_REAL_PRIVATE", "/work/real-private"))
ENV_DIRS = "REDACT_REAL_DIRS"

COVER_MIN = 0.95  # (c): at least this share of an item's ink must change
MASKED_MIN = 0.50  # a non-sensitive text item counts as masked from this share of its ink changed

KINDS = {"label", "no_label", "scan", "template"}
TYPES = {"text", "symbol"}
CATEGORIES = {"name", "phone", "address", "postal_code", "id_number", "tax_id", "tracking_number",
              "order_number", "email", "barcode", "qrcode", "datamatrix", "pdf417", "maxicode", "caption",
              "brand", "sort_code", "date", "weight", "price", "hotline", "terms", "other"}
SYMBOL_CATEGORIES = {"barcode", "qrcode", "datamatrix", "pdf417", "maxicode", "other"}
ROLES = {"recipient", "sender", "unknown"}
# keys an annotation may hold; anything else is refused (a field that could carry a value)
TOP_KEYS = {"image", "image_sha256", "width", "height", "source", "kind", "conditions", "items", "annotator",
            "note"}
ITEM_KEYS = {"id", "type", "polygon", "category", "role", "sensitive", "text_len", "text_sha256",
             "legible_in_original", "note", "symbology", "decodes_in_original"}
NOTE_MAX = 100
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_CONDITION = re.compile(r"^[a-z0-9_=.\-]{1,32}$")
# the attacker's reading of a value of these categories is compared digit-wise (confusions O/0, I/1 ...)
_DIGITWISE = {"tax_id": "id_number", "order_number": "tracking_number", "sort_code": "id_number"}


class AnnotationError(ValueError):
    """An annotation file that does not follow the format (the message names the file and the field)."""


# ------------------------------------------------------------------------------------------- the format
def normalise(text: str) -> str:
    """NFKC, uppercase, all whitespace removed: the form whose length and SHA-256 are committed."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text or "").upper() if not ch.isspace())


def text_digest(text: str) -> Tuple[int, str]:
    n = normalise(text)
    return len(n), hashlib.sha256(n.encode("utf-8")).hexdigest()


def file_sha256(path: Path | str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@dataclass(frozen=True)
class RealItem:
    id: int
    type: str  # "text" | "symbol"
    polygon: Tuple[Tuple[float, float], ...]
    category: str
    role: str
    sensitive: bool
    text_len: Optional[int]
    text_sha256: Optional[str]
    legible_in_original: bool
    note: str = ""

    def __repr__(self) -> str:  # never a value (there is none), but keep it short
        return f"RealItem(id={self.id}, {self.type}, {self.category}, sensitive={self.sensitive})"


@dataclass(frozen=True)
class RealAnnotation:
    path: Path
    image: str
    image_sha256: str
    width: int
    height: int
    source: str
    kind: str
    conditions: Tuple[str, ...]
    items: Tuple[RealItem, ...]

    @property
    def stem(self) -> str:
        return Path(self.image).stem

    @property
    def sensitive(self) -> Tuple[RealItem, ...]:
        return tuple(it for it in self.items if it.sensitive)


def search_dirs() -> List[Path]:
    """Where real photos are looked up, in order (see the module doc)."""
    dirs = [SHARED_PHOTOS, LOCAL_PHOTOS]
    for d in (os.environ.get(ENV_DIRS) or "").split(os.pathsep):
        if d.strip():
            dirs.append(Path(d.strip()).expanduser())
    return dirs


def find_photo(image: str) -> Optional[Path]:
    name = Path(image).name
    for d in search_dirs():
        p = d / name
        if p.is_file():
            return p
    return None


def _fail(path: Path, msg: str) -> AnnotationError:
    return AnnotationError(f"{path.name}: {msg}")


def _check_note(path: Path, where: str, note: Any) -> str:
    if note in (None, ""):
        return ""
    if not isinstance(note, str) or len(note) > NOTE_MAX:
        raise _fail(path, f"{where}: note must be a string of at most {NOTE_MAX} characters")
    # a note describes, it never quotes: no digit runs, no e-mail, no CJK
    if re.search(r"\d{3,}", note) or "@" in note or any("\u3400" <= c <= "\u9fff" for c in note):
        raise _fail(path, f"{where}: a note may not hold digit runs, e-mails or CJK text")
    return note


def _polygon(path: Path, where: str, poly: Any, w: int, h: int) -> Tuple[Tuple[float, float], ...]:
    if not isinstance(poly, list) or len(poly) < 3:
        raise _fail(path, f"{where}: polygon needs at least 3 points")
    pts = []
    for p in poly:
        if not (isinstance(p, (list, tuple)) and len(p) == 2 and all(isinstance(v, (int, float)) for v in p)):
            raise _fail(path, f"{where}: a polygon point is not [x, y]")
        x, y = float(p[0]), float(p[1])
        if not (-0.5 * w <= x <= 1.5 * w and -0.5 * h <= y <= 1.5 * h):
            raise _fail(path, f"{where}: a polygon point lies far outside the photo")
        pts.append((x, y))
    a = np.asarray(pts)
    area = 0.5 * abs(float(np.dot(a[:, 0], np.roll(a[:, 1], 1)) - np.dot(a[:, 1], np.roll(a[:, 0], 1))))
    if area < 4:
        raise _fail(path, f"{where}: degenerate polygon")
    return tuple(pts)


def _item(path: Path, i: int, d: Any, w: int, h: int) -> RealItem:
    where = f"item {i}"
    if not isinstance(d, dict):
        raise _fail(path, f"{where}: not an object")
    extra = set(d) - ITEM_KEYS
    if extra:
        raise _fail(path, f"{where}: unknown field(s) {sorted(extra)} (an item holds no text)")
    for k in ("id", "type", "polygon", "category", "role", "sensitive"):
        if k not in d:
            raise _fail(path, f"{where}: missing {k}")
    if not isinstance(d["id"], int) or isinstance(d["id"], bool):
        raise _fail(path, f"{where}: id must be an integer")
    typ, cat, role = d["type"], d["category"], d["role"]
    if typ not in TYPES:
        raise _fail(path, f"{where}: type must be one of {sorted(TYPES)}")
    if cat not in CATEGORIES:
        raise _fail(path, f"{where}: unknown category")
    if role not in ROLES:
        raise _fail(path, f"{where}: unknown role")
    if not isinstance(d["sensitive"], bool):
        raise _fail(path, f"{where}: sensitive must be true or false")
    n, sha = d.get("text_len"), d.get("text_sha256")
    if typ == "text":
        if not (isinstance(n, int) and not isinstance(n, bool) and n >= 1):
            raise _fail(path, f"{where}: a text item needs text_len >= 1")
        if not (isinstance(sha, str) and _HEX64.match(sha)):
            raise _fail(path, f"{where}: a text item needs text_sha256 (64 lowercase hex digits)")
    else:
        if cat not in SYMBOL_CATEGORIES:
            raise _fail(path, f"{where}: a symbol's category must be one of {sorted(SYMBOL_CATEGORIES)}")
        if n is not None or sha is not None:
            raise _fail(path, f"{where}: a symbol has text_len and text_sha256 null")
    sym = d.get("symbology")
    if sym is not None and not (isinstance(sym, str) and re.match(r"^[A-Za-z0-9 \-]{1,24}$", sym)):
        raise _fail(path, f"{where}: symbology must be a short format name")
    for k in ("legible_in_original", "decodes_in_original"):
        if k in d and not isinstance(d[k], bool):
            raise _fail(path, f"{where}: {k} must be true or false")
    return RealItem(id=d["id"], type=typ, polygon=_polygon(path, where, d["polygon"], w, h), category=cat,
                    role=role, sensitive=d["sensitive"], text_len=n, text_sha256=sha,
                    legible_in_original=bool(d.get("legible_in_original", True)),
                    note=_check_note(path, where, d.get("note")))


def parse_annotation(path: Path | str, data: Optional[Dict[str, Any]] = None) -> RealAnnotation:
    """Validate the schema (no photo needed). Raises ``AnnotationError``."""
    path = Path(path)
    if data is None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise _fail(path, f"unreadable ({type(e).__name__})") from None
    if not isinstance(data, dict):
        raise _fail(path, "not a JSON object")
    extra = set(data) - TOP_KEYS
    if extra:
        raise _fail(path, f"unknown top-level field(s) {sorted(extra)}")
    for k in ("image", "image_sha256", "width", "height", "source", "kind", "items"):
        if k not in data:
            raise _fail(path, f"missing {k}")
    image = data["image"]
    if not isinstance(image, str) or Path(image).name != image or Path(image).stem != path.stem:
        raise _fail(path, "image must be the photo's file name, with the annotation's stem")
    if not (isinstance(data["image_sha256"], str) and _HEX64.match(data["image_sha256"])):
        raise _fail(path, "image_sha256 must be 64 lowercase hex digits")
    w, h = data["width"], data["height"]
    if not (isinstance(w, int) and isinstance(h, int) and w > 0 and h > 0):
        raise _fail(path, "width and height must be positive integers")
    if data["kind"] not in KINDS:
        raise _fail(path, f"kind must be one of {sorted(KINDS)}")
    if not isinstance(data["source"], str) or len(data["source"]) > 120:
        raise _fail(path, "source must be a short string")
    conds = data.get("conditions") or []
    if not isinstance(conds, list) or not all(isinstance(c, str) and _CONDITION.match(c) for c in conds):
        raise _fail(path, "conditions must be a list of short lowercase tags")
    _check_note(path, "annotation", data.get("note"))
    if not isinstance(data["items"], list):
        raise _fail(path, "items must be a list")
    items = tuple(_item(path, i, d, w, h) for i, d in enumerate(data["items"]))
    ids = [it.id for it in items]
    if len(set(ids)) != len(ids):
        raise _fail(path, "item ids are not unique")
    return RealAnnotation(path=path, image=image, image_sha256=data["image_sha256"], width=w, height=h,
                          source=data["source"], kind=data["kind"], conditions=tuple(conds), items=items)


def oriented_size(photo: Path | str) -> Tuple[int, int]:
    """(width, height) after EXIF orientation."""
    from PIL import Image, ImageOps

    with Image.open(photo) as im:
        o = ImageOps.exif_transpose(im)
        return o.size


def check_photo(ann: RealAnnotation, photo: Path) -> None:
    """The photo is the one annotated: same bytes (SHA-256) and the same oriented size."""
    if file_sha256(photo) != ann.image_sha256:
        raise _fail(ann.path, "the photo's SHA-256 differs from image_sha256 (another file of that name?)")
    if oriented_size(photo) != (ann.width, ann.height):
        raise _fail(ann.path, "the photo's oriented size differs from width x height")


def load_annotations(folder: Path | str = ANNOTATIONS, check: bool = True,
                     names: Optional[Iterable[str]] = None) -> List[Tuple[RealAnnotation, Optional[Path]]]:
    """Every annotation of ``folder`` with its photo (None when not found here). With ``check``, a photo
    that is found must match the annotation (hash, oriented size), else ``AnnotationError``."""
    keep = set(names) if names is not None else None
    out = []
    for p in sorted(Path(folder).glob("*.json")):
        if keep is not None and p.stem not in keep:
            continue
        ann = parse_annotation(p)
        photo = find_photo(ann.image)
        if photo is not None and check:
            check_photo(ann, photo)
        out.append((ann, photo))
    return out


def available(folder: Path | str = ANNOTATIONS) -> List[Tuple[RealAnnotation, Path]]:
    """The annotated photos present on this machine (checked)."""
    return [(a, p) for a, p in load_annotations(folder) if p is not None]


def set_stamp(pairs: Sequence[Tuple[RealAnnotation, Path]]) -> str:
    """Identifies the photos (not the annotations): tool outputs are reused while it holds."""
    h = hashlib.sha1()
    for a, _ in sorted(pairs, key=lambda x: x[0].stem):
        h.update(f"{a.stem}:{a.image_sha256};".encode())
    return "real|" + h.hexdigest()[:12]


# --------------------------------------------------------------------------------------------- scoring
def _ref_reads(attacker, crops: Sequence[np.ndarray]) -> List[str]:
    """The attacker's best reading (0 or 180 degrees, higher score) of each original crop; '' when none."""
    from benchmarks.score import OCR_MIN_SCORE

    imgs: List[np.ndarray] = []
    for c in crops:
        imgs += [np.ascontiguousarray(c), np.ascontiguousarray(c[::-1, ::-1])]
    if not imgs:
        return []
    rec = attacker.ocr.recognize_txt(imgs)
    pairs = list(zip(rec.txts or (), rec.scores or ()))
    out = []
    for i in range(len(crops)):
        best = ""
        best_s = OCR_MIN_SCORE
        for t, s in pairs[2 * i: 2 * i + 2]:
            if t and float(s) >= best_s and len(normalise(t)) > 0:
                best, best_s = t, float(s)
        out.append(best)
    return out


def _value_category(cat: str) -> str:
    return _DIGITWISE.get(cat, cat)


def _symbol_reads(img: np.ndarray, poly: np.ndarray, attacker) -> List[str]:
    from benchmarks.score import _bbox, text_height

    h, w = img.shape[:2]
    x0, y0, x1, y1 = _bbox(poly, 0.25 * text_height(poly) + 6, w, h)
    if x1 <= x0 or y1 <= y0:
        return []
    return [r.strip() for r in attacker.read_symbols(img[y0:y1, x0:x1]) if r.strip()]


def _ocr_legible(items: Sequence[RealItem], orig: np.ndarray, out: np.ndarray, attacker
                 ) -> Dict[int, Tuple[bool, bool, bool]]:
    """{id: (legible by OCR, reference read non-empty, reference equals the annotated text)}."""
    from benchmarks.score import _has_structure, _is_cjk, _poly_arr, rectify, value_leaks

    items = [it for it in items if it.type == "text" and it.legible_in_original]
    if not items:
        return {}
    polys = [_poly_arr(it.polygon) for it in items]
    refs = _ref_reads(attacker, [rectify(orig, p, margin=0.3, scale=2.0) for p in polys])
    res: Dict[int, Tuple[bool, bool, bool]] = {}
    todo = [(it, p, r) for it, p, r in zip(items, polys, refs) if r]
    for it, _, r in zip(items, polys, refs):
        if not r:
            res[it.id] = (False, False, False)
    crops = [rectify(out, p, margin=0.3, scale=2.0) for _, p, _ in todo]
    for (it, p, ref), crop, reads in zip(todo, crops, attacker.read_lines(crops)):
        cat = _value_category(it.category)
        leak = value_leaks(cat, ref, reads)
        inner = rectify(out, p, margin=-0.08, scale=1.0)
        if not leak and _has_structure(inner):
            leak = value_leaks(cat, ref, attacker.read_block(crop))
            if not leak:
                leak = value_leaks(cat, ref, attacker.read_tesseract(crop, any(_is_cjk(c) for c in ref)))
        exact = text_digest(ref)[1] == it.text_sha256
        res[it.id] = (bool(leak), True, exact)
    return res


def score_real_photo(ann: RealAnnotation, photo: Path, output: Optional[Path], attacker=None,
                     status: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    """Score one tool output of a real photo. The result holds ids, categories, roles, reasons: no text."""
    import cv2

    from benchmarks.score import Attacker, _poly_arr, coverage, diff_map, load_output, metadata_of, threshold_changes

    attacker = attacker or Attacker()
    res: Dict[str, Any] = {"name": ann.stem, "kind": ann.kind, "conditions": list(ann.conditions), "ok": False,
                           "n_sensitive": len(ann.sensitive), "items": []}
    pair = load_output(res, status, photo, output)
    if pair is None:
        return res
    orig, out = pair
    diff = diff_map(orig, out)
    res["changed_share"] = round(float(threshold_changes(diff).mean()), 6)
    gray = cv2.cvtColor(orig, cv2.COLOR_RGB2GRAY)
    md = metadata_of(output)
    res["gps_out"], res["exif_out"] = md["gps"], md["exif"]
    out_gray = cv2.cvtColor(out, cv2.COLOR_RGB2GRAY)
    covs = {it.id: coverage(_poly_arr(it.polygon), gray, diff, out_gray)[0] for it in ann.items}
    covered = [it for it in ann.sensitive if covs[it.id] >= COVER_MIN]
    ocr = _ocr_legible(covered, orig, out, attacker)
    for it in ann.items:
        cov = covs[it.id]
        r: Dict[str, Any] = {"id": it.id, "type": it.type, "category": it.category, "role": it.role,
                             "sensitive": it.sensitive, "coverage": round(cov, 4),
                             "legible_in_original": it.legible_in_original}
        if it.sensitive:
            reason = None if cov >= COVER_MIN else "uncovered"
            if reason is None and it.type == "text":
                leak, has_ref, exact = ocr.get(it.id, (False, False, False))
                r["reference"] = "exact" if exact else ("read" if has_ref else "none")
                reason = "ocr" if leak else None
            elif reason is None:
                ref = _symbol_reads(orig, _poly_arr(it.polygon), attacker)
                got = _symbol_reads(out, _poly_arr(it.polygon), attacker)
                r["reference"] = "decoded" if ref else "none"
                if got and (not ref or set(got) & set(ref)):
                    reason = "barcode"
            r["legible"] = reason is not None
            r["reason"] = reason
        elif it.type == "text":
            r["masked"] = cov >= MASKED_MIN
        res["items"].append(r)
    return res


def aggregate_real(photos: Sequence[Dict[str, Any]]) -> Dict[str, Any]:
    """Per tool: legible share of sensitive items, clean photos, non-sensitive text masked, failures."""
    ok = [p for p in photos if p.get("ok")]
    fails = [p for p in photos if not p.get("ok")]
    sens = [it for p in ok for it in p["items"] if it.get("sensitive")]
    leg = [it for it in sens if it.get("legible")]
    with_sens = [p for p in photos if p.get("n_sensitive", 0) or any(it.get("sensitive") for it in p["items"])]
    clean = [p for p in with_sens if p.get("ok") and not any(it.get("legible") for it in p["items"])]
    nons = [it for p in ok for it in p["items"] if not it.get("sensitive") and it.get("type") == "text"]
    masked = [it for it in nons if it.get("masked")]

    def count(key: str, items: Sequence[Dict[str, Any]]) -> Dict[str, int]:
        c: Dict[str, int] = {}
        for it in items:
            k = str(it.get(key))
            c[k] = c.get(k, 0) + 1
        return dict(sorted(c.items()))

    groups: Dict[str, Dict[str, int]] = {}
    for p in photos:  # by the file name's region prefix (in_, us_, zh_, xx_ ...)
        g = groups.setdefault(str(p["name"]).split("_", 1)[0], {"photos": 0, "sensitive_items": 0, "legible_items": 0,
                                                                 "photos_with_sensitive": 0, "clean_photos": 0})
        g["photos"] += 1
        s_items = [it for it in p["items"] if it.get("sensitive")]
        g["sensitive_items"] += len(s_items)
        g["legible_items"] += sum(1 for it in s_items if it.get("legible"))
        if p in with_sens:
            g["photos_with_sensitive"] += 1
            g["clean_photos"] += int(p in clean)
    secs = sorted(float(p["seconds"]) for p in ok if p.get("seconds") is not None)
    refs = [it for it in sens if it.get("type") == "text" and "reference" in it]
    return {
        "photos": len(photos),
        "photos_ok": len(ok),
        "failures": len(fails),
        "failure_kinds": count("error_kind", fails),
        "sensitive_items": len(sens),
        "legible_items": len(leg),
        "legible_rate": len(leg) / len(sens) if sens else None,
        # the same over the items readable by eye in the original (rule (c) also counts the others)
        "readable_items": sum(1 for it in sens if it.get("legible_in_original", True)),
        "readable_legible_items": sum(1 for it in leg if it.get("legible_in_original", True)),
        "legible_reasons": count("reason", leg),
        "legible_per_category": count("category", leg),
        "sensitive_per_category": count("category", sens),
        "photos_with_sensitive": len(with_sens),
        "clean_photos": len(clean),
        "clean_photo_rate": len(clean) / len(with_sens) if with_sens else None,
        "nonsensitive_text_items": len(nons),
        "nonsensitive_masked": len(masked),
        "nonsensitive_masked_rate": len(masked) / len(nons) if nons else None,
        "reference_read_share": (sum(1 for it in refs if it["reference"] != "none") / len(refs)) if refs else None,
        "reference_exact_share": (sum(1 for it in refs if it["reference"] == "exact") / len(refs)) if refs else None,
        "gps_survived": sum(1 for p in ok if p.get("gps_out")),
        "no_label_photos": sum(1 for p in ok if p.get("kind") == "no_label"),
        "no_label_changed": sum(1 for p in ok if p.get("kind") == "no_label" and p.get("changed_share", 0) > 0.001),
        "seconds_median": secs[len(secs) // 2] if secs else None,
        "per_group": dict(sorted(groups.items())),
    }


def per_photo_summary(p: Dict[str, Any]) -> Dict[str, Any]:
    """One photo's result, ids and categories only."""
    return {"name": p["name"], "ok": bool(p.get("ok")), "error_kind": p.get("error_kind"),
            "sensitive": sum(1 for it in p["items"] if it.get("sensitive")),
            "legible": [{"id": it["id"], "category": it["category"], "reason": it["reason"]}
                        for it in p["items"] if it.get("legible")],
            "masked_nonsensitive": [it["id"] for it in p["items"] if it.get("masked")]}


# ------------------------------------------------------------------------------------- a whole folder
def _scorer_stamp() -> str:
    h = hashlib.sha1(Path(__file__).read_bytes())
    h.update((ROOT / "benchmarks" / "score.py").read_bytes())
    return h.hexdigest()[:12]


def _cache_key(ann: RealAnnotation, output: Optional[Path], status: Optional[Dict[str, Any]]) -> str:
    parts = [_scorer_stamp(), hashlib.sha1(ann.path.read_bytes()).hexdigest()]
    if output is not None and output.exists():
        s = output.stat()
        parts += [output.name, str(s.st_size), str(s.st_mtime_ns)]
    parts.append(json.dumps(status or {}, sort_keys=True))
    return hashlib.sha1("|".join(parts).encode()).hexdigest()[:16]


_WORKER_ATTACKER = None


def _score_one(args: Tuple[RealAnnotation, str, Optional[str], Optional[Dict[str, Any]], str]) -> Dict[str, Any]:
    global _WORKER_ATTACKER
    from benchmarks.score import Attacker, _atomic_json

    ann, photo, output, status, cache = args
    if _WORKER_ATTACKER is None:
        _WORKER_ATTACKER = Attacker(threads=1)
    r = score_real_photo(ann, Path(photo), Path(output) if output else None, _WORKER_ATTACKER, status)
    _atomic_json(Path(cache), r)
    return r


def score_real_dir(pairs: Sequence[Tuple[RealAnnotation, Path]], out_dir: Path | str, workers: int = 1,
                   names: Optional[Iterable[str]] = None) -> List[Dict[str, Any]]:
    """Score one tool's outputs in ``out_dir`` (cached per photo in ``out_dir/_score``)."""
    from benchmarks.score import find_image, read_status

    out_dir = Path(out_dir)
    keep = set(names) if names is not None else None
    pairs = [(a, p) for a, p in pairs if keep is None or a.stem in keep]
    status = read_status(out_dir)
    results: Dict[str, Dict[str, Any]] = {}
    todo = []
    for a, photo in pairs:
        o = find_image(out_dir, a.stem)
        st = status.get(a.stem)
        cache = out_dir / "_score" / f"{a.stem}.{_cache_key(a, o, st)}.json"
        if cache.exists():
            try:
                results[a.stem] = json.loads(cache.read_text(encoding="utf-8"))
                continue
            except ValueError:
                pass
        todo.append((a, str(photo), str(o) if o else None, st, str(cache)))
    if workers > 1 and len(todo) > 1:
        import multiprocessing as mp

        os.environ.setdefault("OMP_NUM_THREADS", "1")
        with mp.get_context("spawn").Pool(min(workers, len(todo))) as pool:
            for r in pool.imap_unordered(_score_one, todo):
                results[r["name"]] = r
    else:
        for t in todo:
            r = _score_one(t)
            results[r["name"]] = r
    return [results[a.stem] for a, _ in pairs if a.stem in results]
