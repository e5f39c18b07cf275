"""``python -m redact.schema`` writes redact/schema/report.schema.json from the report models;
``--check`` only compares (exit 1 when the file is stale); ``--out PATH`` writes elsewhere."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import SCHEMA_PATH, schema_text


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m redact.schema", description=__doc__)
    ap.add_argument("--check", action="store_true", help="compare only; exit 1 if the file differs")
    ap.add_argument("--out", type=Path, default=SCHEMA_PATH, help=f"where to write (default {SCHEMA_PATH})")
    args = ap.parse_args(argv)
    text = schema_text()
    if args.check:
        same = args.out.is_file() and args.out.read_text(encoding="utf-8") == text
        print(f"{args.out}: {'up to date' if same else 'STALE: run python -m redact.schema'}")
        return 0 if same else 1
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
