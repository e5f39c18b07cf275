"""Our own thin PP-OCR engine on ONNX Runtime: det.py (DB detection), cls.py (0/180 line classifier), rec.py
(recognition with CTC and character spans), session.py (one ORT session per model), engine.py (the
``TextEngine``)."""

from .engine import PPOCREngine
from .rec import width_batches

__all__ = ["PPOCREngine", "width_batches"]
