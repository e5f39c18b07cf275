"""Photo input and output: decode, metadata, encode, atomic write."""
