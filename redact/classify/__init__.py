"""Classification: which lines, characters and symbols on a label are personal (placeholder)."""
