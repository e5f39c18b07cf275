"""Built-in word lists (pure data, no I/O)."""
