"""The pipeline's stages, in order: locate, read (text, symbols), classify, plan, render, check."""
