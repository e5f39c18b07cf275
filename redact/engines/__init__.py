"""Engines behind small protocols: text (OCR) engines, symbol decoders, the model manifest."""
