"""Second OCR backend: PaddleOCR 3.7 itself (``paddleocr`` + ``paddlex``), run with ONNX Runtime on the
same PP-OCRv6 small det/rec and text-line classifier files that the ``rapidocr`` wheel carries.

Install with ``pip install 'parcel-redact[paddle]'`` (``paddleocr==3.7.0`` + ``paddlex==3.7.2``, pinned
together). No paddlepaddle, nothing downloaded:

- PaddleOCR's wheels carry no models and its default constructor tries a model hub. Here every model is a
  local folder that we build at run time in a cache directory: ``inference.onnx`` (a link to, or copy of,
  the ONNX file whose SHA-256 ``redact.engines.models.verify`` has just checked) and an ``inference.yml`` whose
  ``Global.model_name`` equals the model name we pass, with the pre/post-processing PaddleX needs (the
  recogniser's 18 708-character dictionary is read from the rec ONNX file's own metadata).
- The hub checks are switched off (``PADDLE_PDX_DISABLE_MODEL_SOURCE_CHECK``, ``HF_HUB_OFFLINE``,
  ``MODELSCOPE_OFFLINE``) and ONNX Runtime's own upload of usage events (on by default on Linux since
  onnxruntime 1.29) is switched off with ``ORT_DISABLE_TELEMETRY=1`` before onnxruntime starts.
- PaddleOCR's defaults are overridden like rapidocr's: detection never shrinks or grows the image
  (``limit_type="max"`` with a large side and ``max_side_limit`` raised; only the network's multiple-of-32
  rounding remains and is mapped back), and no line is dropped for a low score.

The text-line classifier (``ch_ppocr_mobile_v2.0_cls``, 0/180) is loaded through PaddleX's image
classification predictor under the registered name ``PP-LCNet_x0_25_textline_ori`` (PaddleX binds a
predictor by model name only; the weights are the rapidocr file, see ``_CLS_NAME``).
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from ..errors import EngineError
from .models import verify
from .base import DetBox, RecResult

log = logging.getLogger(__name__)

PADDLEOCR_VERSION = "3.7.0"
PADDLEX_VERSION = "3.7.2"

_DET_NAME = "PP-OCRv6_small_det"
_REC_NAME = "PP-OCRv6_small_rec"
# PaddleX only builds predictors for registered model names; this one selects its image-classification
# predictor with two labels. The weights are PaddleOCR's mobile v2.0 text-line classifier (3x48x192).
_CLS_NAME = "PP-LCNet_x0_25_textline_ori"

_MANIFEST = {_DET_NAME: "PP-OCRv6_det_small", _REC_NAME: "PP-OCRv6_rec_small", _CLS_NAME: "ch_ppocr_mobile_v2.0_cls"}

REC_HEIGHT = 48
REC_MIN_WIDTH = 320  # PaddleX pads every line to at least this width
REC_MAX_WIDTH = 3200  # PaddleX squeezes wider lines to this width
REC_BATCH = 6

# Environment PaddleX / hub clients read at import time. Set only when the user has not chosen otherwise.
OFFLINE_ENV = {
    "PADDLE_PDX_DISABLE_MODEL_SOURCE_CHECK": "True",
    "HF_HUB_OFFLINE": "1",
    "MODELSCOPE_OFFLINE": "1",
    "ORT_DISABLE_TELEMETRY": "1",
    "PADDLEOCR_DISABLE_AUTO_LOGGING_CONFIG": "1",
}


def cache_root() -> Path:
    """Where the model folders are built: $PARCEL_REDACT_CACHE, else $XDG_CACHE_HOME/parcel-redact, else
    ~/.cache/parcel-redact."""
    env = os.environ.get("PARCEL_REDACT_CACHE")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "parcel-redact"


def _offline_env(cache: Path) -> None:
    for k, v in OFFLINE_ENV.items():
        os.environ.setdefault(k, v)
    # PaddleX keeps a cache folder (function results, locks) under ~/.paddlex by default
    os.environ.setdefault("PADDLE_PDX_CACHE_HOME", str(cache / "paddlex"))


# -------------------------------------------------------------------------------------------------
# model folders


def _rec_dictionary(onnx_path: Path) -> List[str]:
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    sess = ort.InferenceSession(str(onnx_path), sess_options=so, providers=["CPUExecutionProvider"])
    chars = sess.get_modelmeta().custom_metadata_map.get("character", "")
    lines = chars.splitlines()
    n_out = sess.get_outputs()[0].shape[-1]
    if not lines or (isinstance(n_out, int) and n_out != len(lines) + 2):
        raise EngineError(f"{onnx_path.name} carries no usable character dictionary "
                          f"({len(lines)} characters for {n_out} classes)")
    return lines


def _specs(det_box_thresh: float, det_unclip: float, dictionary: List[str]) -> Dict[str, Dict]:
    half = [0.5, 0.5, 0.5]
    return {
        _DET_NAME: {
            "PreProcess": {"transform_ops": [
                {"DecodeImage": {"channel_first": False, "img_mode": "BGR"}},
                {"DetResizeForTest": {"limit_side_len": 8192, "limit_type": "max"}},
                {"NormalizeImage": {"mean": half, "std": half, "scale": 1.0 / 255, "order": "hwc"}},
                {"ToCHWImage": None},
                {"KeepKeys": {"keep_keys": ["image", "shape"]}},
            ]},
            "PostProcess": {"name": "DBPostProcess", "thresh": 0.3, "box_thresh": float(det_box_thresh),
                            "max_candidates": 1000, "unclip_ratio": float(det_unclip), "use_dilation": True,
                            "score_mode": "fast", "box_type": "quad"},
        },
        _REC_NAME: {
            "PreProcess": {"transform_ops": [
                {"DecodeImage": {"channel_first": False, "img_mode": "BGR"}},
                {"RecResizeImg": {"image_shape": [3, REC_HEIGHT, REC_MIN_WIDTH]}},
                {"KeepKeys": {"keep_keys": ["image"]}},
            ]},
            "PostProcess": {"name": "CTCLabelDecode", "character_dict": dictionary},
        },
        _CLS_NAME: {
            "PreProcess": {"transform_ops": [
                {"ResizeImage": {"size": [192, 48]}},
                {"NormalizeImage": {"mean": half, "std": half, "scale": 1.0 / 255}},
                {"ToCHWImage": None},
            ]},
            "PostProcess": {"Topk": {"topk": 1, "label_list": ["0_degree", "180_degree"]}},
        },
    }


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _link_model(src: Path, dst: Path) -> None:
    """``dst`` -> ``src`` (symlink, or a copy where links are not allowed), replaced atomically."""
    if dst.is_symlink() and os.readlink(dst) == str(src):
        return
    tmp = dst.with_name(f".tmp-{os.getpid()}-{threading.get_ident()}-{dst.name}")
    tmp.unlink(missing_ok=True)
    try:
        os.symlink(src, tmp)
    except OSError:
        shutil.copyfile(src, tmp)
    os.replace(tmp, dst)


def build_model_dirs(root: Optional[Path] = None, det_box_thresh: float = 0.45,
                     det_unclip: float = 1.6) -> Dict[str, Path]:
    """Build (or refresh) one PaddleX model folder per model under ``root`` and return them by model
    name. Each ONNX file is checked against models/manifest.json first; nothing is downloaded."""
    import yaml

    root = Path(root) if root is not None else cache_root() / "paddle-models"
    sources = {name: verify(manifest_name) for name, manifest_name in _MANIFEST.items()}
    key = hashlib.sha256(
        "|".join(f"{n}={p}:{p.stat().st_size}" for n, p in sorted(sources.items())).encode()
        + f"|{det_box_thresh}|{det_unclip}|v1".encode()
    ).hexdigest()[:12]
    base = root / key
    dirs = {name: base / name for name in sources}
    done = base / ".complete"
    if done.exists() and all((d / "inference.yml").exists() and (d / "inference.onnx").exists()
                             for d in dirs.values()):
        for name, d in dirs.items():  # re-point the links at the verified files (cheap, and heals moves)
            _link_model(sources[name], d / "inference.onnx")
        return dirs
    dictionary = _rec_dictionary(sources[_REC_NAME])
    specs = _specs(det_box_thresh, det_unclip, dictionary)
    for name, d in dirs.items():
        d.mkdir(parents=True, exist_ok=True)
        _link_model(sources[name], d / "inference.onnx")
        cfg = {"Global": {"model_name": name}, **specs[name]}
        text = yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False)
        if name == _REC_NAME and yaml.safe_load(text)["PostProcess"]["character_dict"] != dictionary:
            raise EngineError("the recogniser's dictionary does not survive a YAML round trip")
        _atomic_write(d / "inference.yml", text.encode("utf-8"))
    _atomic_write(done, b"ok\n")
    log.info("PaddleOCR model folders ready in %s", base)
    return dirs


# -------------------------------------------------------------------------------------------------
# the engine


class PaddleEngine:
    name = f"paddleocr-{PADDLEOCR_VERSION}/PP-OCRv6-small (onnxruntime)"

    def __init__(self, threads: int = 2, det_box_thresh: float = 0.45, det_unclip: float = 1.6,
                 cache_dir: Optional[Path] = None, max_side: int = 16384):
        cache = cache_root()
        _offline_env(cache)
        try:
            import paddleocr  # noqa: F401  (heavy: pulls paddlex, pandas, ...)
        except Exception as e:
            raise EngineError("the paddle OCR backend needs `pip install 'parcel-redact[paddle]'` "
                              f"(paddleocr=={PADDLEOCR_VERSION}, paddlex=={PADDLEX_VERSION}) "
                              f"({type(e).__name__})") from None
        if getattr(paddleocr, "__version__", "").split("+")[0] != PADDLEOCR_VERSION:
            log.warning("paddleocr %s is installed; this backend is tested with %s",
                        getattr(paddleocr, "__version__", "?"), PADDLEOCR_VERSION)
        for name in ("paddlex", "paddleocr", "ppocr"):
            logging.getLogger(name).setLevel(logging.ERROR)
        from paddleocr import TextDetection, TextLineOrientationClassification, TextRecognition

        dirs = build_model_dirs(Path(cache_dir) if cache_dir else None, det_box_thresh, det_unclip)
        ort_cfg = {"intra_op_num_threads": int(max(1, threads)), "inter_op_num_threads": 1,
                   "log_severity_level": 3}
        common = {"engine": "onnxruntime", "device": "cpu", "engine_config": ort_cfg}
        self.max_side = int(max_side)
        self._det = TextDetection(model_name=_DET_NAME, model_dir=str(dirs[_DET_NAME]),
                                  limit_side_len=self.max_side, limit_type="max", thresh=0.3,
                                  box_thresh=det_box_thresh, unclip_ratio=det_unclip, **common)
        self._rec = TextRecognition(model_name=_REC_NAME, model_dir=str(dirs[_REC_NAME]), **common)
        self._cls = TextLineOrientationClassification(model_name=_CLS_NAME, model_dir=str(dirs[_CLS_NAME]),
                                                      **common)
        self._lock = threading.Lock()
        self._col_probs: Optional[np.ndarray] = None
        self._tap_rec_probabilities()

    def _tap_rec_probabilities(self) -> None:
        """Keep the best class probability of every CTC column of the last recognised batch, so each
        character gets its own score (PaddleX returns only the line's mean). Without the hook (another
        PaddleX version) ``char_scores`` stay empty."""
        pred = getattr(self._rec, "paddlex_predictor", None)
        post = getattr(pred, "post_op", None)
        if pred is None or not callable(post):
            log.info("PaddleX recogniser has no post_op: no per-character scores")
            return

        def post_op(batch_preds, *a, **k):
            try:
                self._col_probs = np.asarray(batch_preds[0]).max(axis=-1)  # (batch, columns)
            except Exception:  # pragma: no cover - defensive: scores are optional
                self._col_probs = None
            return post(batch_preds, *a, **k)

        pred.post_op = post_op

    # -- detection -------------------------------------------------------------------------------
    def detect(self, image: np.ndarray) -> List[DetBox]:
        bgr = np.ascontiguousarray(image[:, :, ::-1])
        with self._lock:
            out = self._det.predict(bgr, limit_side_len=self.max_side, limit_type="max",
                                    max_side_limit=self.max_side)
        if not out:
            return []
        res = out[0]
        polys, scores = res["dt_polys"], res["dt_scores"]
        boxes = []
        for poly, s in zip(polys, scores):
            p = np.asarray(poly, np.float64).reshape(-1, 2)
            if len(p) != 4:
                continue
            boxes.append(DetBox(quad=tuple((float(x), float(y)) for x, y in p), score=float(s)))
        return boxes

    # -- 0/180 classification ------------------------------------------------------------------------
    def upside_down(self, crops: Sequence[np.ndarray]) -> List[Tuple[bool, float]]:
        """For each horizontal line crop (RGB): (is it upside down, confidence)."""
        if not crops:
            return []
        # PaddleX's classification reader swaps channels of array input (it assumes BGR); the
        # classifier was trained on BGR, so RGB crops go in as they are.
        imgs = [np.ascontiguousarray(c) for c in crops]
        with self._lock:
            res = self._cls.predict(imgs, batch_size=min(len(imgs), 16))
        out = []
        for r in res:
            label = str(r["label_names"][0]) if len(r["label_names"]) else "0_degree"
            out.append(("180" in label, float(r["scores"][0]) if len(r["scores"]) else 0.0))
        return out

    # -- recognition ---------------------------------------------------------------------------------
    def recognize(self, crops: Sequence[np.ndarray]) -> List[RecResult]:
        if not crops:
            return []
        bgr = [np.ascontiguousarray(c[:, :, ::-1]) for c in crops]
        ratios = [c.shape[1] / float(max(1, c.shape[0])) for c in bgr]
        # sorted by width/height, batches of REC_BATCH (what PaddleOCR's own pipeline does); sorting also
        # keeps PaddleX's per-batch width bookkeeping aligned with the order of its results.
        # Empty crops (a degenerate quad at the image border) read as nothing, as with rapidocr.
        order = sorted((i for i in range(len(bgr)) if min(bgr[i].shape[:2]) >= 2), key=lambda i: ratios[i])
        results: List[Optional[RecResult]] = [None] * len(bgr)
        for b0 in range(0, len(order), REC_BATCH):
            idx = order[b0:b0 + REC_BATCH]
            with self._lock:
                self._col_probs = None
                res = self._rec.predict([bgr[i] for i in idx], batch_size=len(idx), return_word_box=True)
                probs = self._col_probs
            if probs is not None and probs.shape[0] != len(idx):
                probs = None
            batch_ratios = [ratios[i] for i in idx]
            for k, (i, r) in enumerate(zip(idx, res)):
                results[i] = _rec_result(r, ratios[i], batch_ratios, None if probs is None else probs[k])
        return [r if r is not None else RecResult(text="", score=0.0) for r in results]


def _rec_result(r, ratio: float, batch_ratios: Sequence[float], col_probs: Optional[np.ndarray] = None) -> RecResult:
    rt = r["rec_text"]
    score = float(r["rec_score"])
    cscores: Tuple[float, ...] = ()
    if isinstance(rt, (tuple, list)) and len(rt) == 2 and isinstance(rt[1], (list, tuple)):
        text, info = str(rt[0]), rt[1]
        spans = _char_spans(text, info, ratio, batch_ratios)
        if col_probs is not None:
            try:
                cols = [int(c) for wc in info[2] for c in wc]
            except Exception:
                cols = []
            if text and len(cols) == len(text) and max(cols) < len(col_probs):
                cscores = tuple(float(col_probs[c]) for c in cols)
    else:
        text, spans = str(rt), ()
    return RecResult(text=text, score=score, char_spans=spans, char_scores=cscores)


def _content_width(ratio: float) -> float:
    """Width (px) a line of this width/height ratio takes in PaddleX's recogniser input."""
    return float(min(math.ceil(REC_HEIGHT * ratio), REC_MAX_WIDTH))


def _char_spans(text: str, info, ratio: float, batch_ratios: Sequence[float]) -> Tuple[Tuple[float, float], ...]:
    """Per-character (x0, x1) fractions of the crop width from the CTC column of each decoded character.

    PaddleX returns ``[n_cols * ratio / max_ratio, words, word_cols, states]``: the CTC columns of every
    character (spaces included), and the column count scaled to this line's share of the padded batch.
    """
    try:
        scaled_cols = float(info[0])
        cols = [int(c) for wc in info[2] for c in wc]
    except Exception:
        return ()
    if not text or scaled_cols <= 0 or len(cols) != len(text):
        return ()
    max_ratio = max([REC_MIN_WIDTH / REC_HEIGHT] + list(batch_ratios))
    n_cols = scaled_cols * max_ratio / max(ratio, 1e-6)  # CTC columns over the padded batch width
    batch_w = float(min(int(REC_HEIGHT * max_ratio), REC_MAX_WIDTH))
    px_per_col = batch_w / max(n_cols, 1e-6)
    width = max(_content_width(ratio), 1.0)
    centers = [(c + 0.5) * px_per_col / width for c in cols]
    gaps = np.diff(centers) if len(centers) > 1 else np.array([1.0 / max(1, len(text))])
    typical = float(np.median(gaps)) if len(gaps) else 0.05
    n = len(text)
    spans = []
    for k in range(n):
        left = (centers[k - 1] + centers[k]) / 2 if k > 0 else centers[k] - typical / 2
        right = (centers[k] + centers[k + 1]) / 2 if k + 1 < n else centers[k] + typical / 2
        left = max(left, centers[k] - typical * 0.75)
        right = min(right, centers[k] + typical * 0.75)
        spans.append((float(min(1.0, max(0.0, left))), float(min(1.0, max(0.0, right)))))
    return tuple(spans)
