"""ONNX Runtime sessions for the PP-OCR models: one per model file, created once by the engine."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np


def ort_session(path: str | Path, threads: int, arena: bool = True, spin: bool = False):
    """An ONNX Runtime CPU session.

    ``spin=False`` (the default): idle threads sleep rather than spin, since the symbol decoding, the renderer
    and the encoder run beside the OCR on the same cores and spinning threads only take their time; ``arena``
    says whether the CPU memory arena is on (right for rec and cls, whose inputs are small and of similar
    size; wrong for det, whose inputs range from a 1024 px overview to 2400 px windows: the arena keeps the
    largest block it ever served, ~1 GB after one big window).

    ``spin=True``: ONNX Runtime's own thread behaviour (busy-waiting), the arena on, growing by what is
    requested (the options rapidocr 3.10 used for its sessions, kept for comparison)."""
    from onnxruntime import GraphOptimizationLevel, InferenceSession, SessionOptions

    so = SessionOptions()
    so.log_severity_level = 4
    so.graph_optimization_level = GraphOptimizationLevel.ORT_ENABLE_ALL
    threads = int(threads)
    if spin:
        so.enable_cpu_mem_arena = True
        if 1 <= threads <= (os.cpu_count() or 1):
            so.intra_op_num_threads = threads
        so.inter_op_num_threads = 1
        providers = [("CPUExecutionProvider", {"arena_extend_strategy": "kSameAsRequested"})]
    else:
        so.enable_cpu_mem_arena = bool(arena)
        so.intra_op_num_threads = threads
        so.inter_op_num_threads = 1
        so.add_session_config_entry("session.intra_op.allow_spinning", "0")
        providers = ["CPUExecutionProvider"]
    return InferenceSession(str(path), sess_options=so, providers=providers)


class Model:
    """One model's session, called with one input tensor, giving its first output."""

    def __init__(self, session) -> None:
        self.session = session
        self.input_name = session.get_inputs()[0].name
        self.output_names: list[str] = [o.name for o in session.get_outputs()]

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.session.run(self.output_names, {self.input_name: x})[0]

    def metadata(self, key: str) -> str:
        """A custom metadata entry of the model file ('' when absent)."""
        return self.session.get_modelmeta().custom_metadata_map.get(key, "")
