"""The default OCR backend ("rapid"): the PP-OCR engine in engines/ppocr, over the model files the rapidocr
wheel ships. The name is kept for the backend's config value and existing imports."""

from .ppocr import PPOCREngine as RapidEngine
from .ppocr import width_batches

__all__ = ["RapidEngine", "width_batches"]
