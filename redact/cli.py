"""The ``redact`` command: a thin shell over the Python API.

    redact photo.jpg                  -> photo.redacted.jpg beside it (same format)
    redact photo.jpg -o clean.jpg
    redact photos/ -o clean/          -> the whole tree, worker processes, resume, report
    redact inspect photo.jpg [--json] [--reveal]
    redact serve [--port 8000]
    redact cluster INPUT_URL -o OUTPUT_URL [--address ray://...]

Exit codes: 0 ok; 1 other error; 2 usage (bad option, or an output path that cannot be written: checked
before any work); 3 input not found; 4 unreadable/corrupt/truncated image; 5 unsupported format; 6 too large;
7 engine/model failure; 8 unsafe (self-check failed, nothing written); 9 a batch finished with some files
failed; 10 the service cannot listen (address in use or not available); 130 interrupted.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import socket
import sys
from pathlib import Path
from typing import List, Optional

import click

from .config import Config, Policy
from .errors import RedactError, UsageError
from .io.formats import SUPPORTED_NAMES
from .service.settings import OPTIONS, ServiceSettings
from .service.settings import flag as service_flag
from .types import Style

BATCH_FAILED = 9
CANNOT_LISTEN = 10
log = logging.getLogger("redact.cli")
# what ``-o NAME.EXT`` writes: the format the extension names (a JPEG photo can be written as PNG)
OUTPUT_FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".jpe": "JPEG", ".jfif": "JPEG", ".png": "PNG", ".webp": "WEBP",
                  ".tif": "TIFF", ".tiff": "TIFF", ".bmp": "BMP"}
STYLES = [s.value for s in Style]
CATEGORIES = sorted(Policy().categories)


class _DefaultGroup(click.Group):
    """``redact PATH`` means ``redact run PATH``."""

    def parse_args(self, ctx, args):
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h", "--version"):
            args = ["run", *args]
        elif not args:
            args = ["--help"]
        return super().parse_args(ctx, args)


def _fail(err: Exception, code: Optional[int] = None) -> None:
    click.echo(f"redact: error: {err}", err=True)
    sys.exit(code if code is not None else getattr(err, "exit_code", 1))


def _config(style: Optional[str], keep_metadata: bool, no_check: bool, ocr: str, symbols: str,
            keep: tuple = (), only: tuple = (), threads: Optional[int] = None, seed: Optional[int] = None) -> Config:
    cats = set(Policy().categories)
    if only:
        cats = set(only)
    cats -= set(keep)
    kw = dict(keep_metadata=keep_metadata, self_check=not no_check, ocr_backend=ocr, symbol_backend=symbols,
              policy=Policy(categories=frozenset(cats)), seed=seed)
    if style:
        kw["style"] = Style(style)
    if threads:
        kw["threads"] = threads
    return Config(**kw)


def _options(*opts):
    def deco(f):
        for o in reversed(opts):
            f = o(f)
        return f
    return deco


_STYLE = click.option("--style", type=click.Choice(STYLES), default=None,
                      help="Look of the masks (default: blur). Pixels are destroyed first, whatever the look.")
_KEEP_METADATA = click.option("--keep-metadata", is_flag=True,
                              help="Keep the EXIF block: camera, times and GPS location (NOT recommended). The "
                                   "orientation is reset (pixels are turned); the EXIF thumbnail, XMP, IPTC and "
                                   "comments are dropped all the same.")
_NO_CHECK = click.option("--no-check", is_flag=True, help="Skip the post-render self-check (faster, less safe).")
_POLICY = (
    click.option("--keep", multiple=True, type=click.Choice(CATEGORIES),
                 help="Leave this category unmasked (repeatable), e.g. --keep tracking_number."),
    click.option("--only", multiple=True, type=click.Choice(CATEGORIES),
                 help="Mask only these categories (repeatable)."),
    click.option("--ocr", type=click.Choice(["rapid", "paddle"]), default="rapid", show_default=True,
                 help="OCR backend."),
    click.option("--symbols", type=click.Choice(["zxing", "zbar"]), default="zxing", show_default=True,
                 help="Barcode backend."),
    click.option("-v", "--verbose", count=True,
                 help="More log output: -v stage timings and counts, -vv each field's category and rule "
                      "(never personal values)."),
)


def _common(f):
    """The options of every command that writes photos."""
    return _options(_STYLE, *_POLICY[:2], _KEEP_METADATA, _NO_CHECK, *_POLICY[2:])(f)


def _logging(verbose: int) -> None:
    level = logging.WARNING if verbose == 0 else (logging.INFO if verbose == 1 else logging.DEBUG)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


def _summary(report) -> str:
    """'14 field(s) masked in 22 region(s) (address 3, ...)': the count and the breakdown count the same
    thing (masked fields), the regions are the mask shapes drawn."""
    counts = report.masked_counts()
    parts = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    return (f"{sum(counts.values())} field(s) masked in {len(report.masks)} region(s)"
            + (f" ({parts})" if parts else ""))


def _log_details(report) -> None:
    """-v: what each stage found and how long it took; -vv: each field (category, role, rule). No values."""
    if not log.isEnabledFor(logging.INFO):
        return
    sens = sum(1 for f in report.fields if f.sensitive)
    log.info("%s: %dx%d px, %d label(s), %d text line(s), %d symbol(s), %d field(s) (%d personal), %d mask(s)",
             report.source, report.width, report.height, report.labels, report.lines, len(report.symbols),
             len(report.fields), sens, len(report.masks))
    log.info("%s: timings %s", report.source,
             ", ".join(f"{k} {v:.2f} s" for k, v in report.timings.items()))
    if report.check is not None:
        log.info("%s: self-check %d round(s), %d widened, passed=%s", report.source, report.check.rounds,
                 report.check.widened, report.check.passed)
    if report.metadata_dropped:
        log.info("%s: metadata dropped: %s", report.source, ", ".join(report.metadata_dropped))
    masked = {i for m in report.masks for i in m.fields}
    for i, f in enumerate(report.fields):
        log.debug("%s: field %d %s/%s %s score %.2f rule %s", report.source, i, f.category.value, f.role.value,
                  "masked" if i in masked else "kept", f.score, f.rule)


def _warn(msg: str) -> None:
    click.echo(f"redact: warning: {msg}", err=True)


def _metadata_warning(report, dst: Path) -> None:
    """--keep-metadata: say what the output carries (names, no values)."""
    meta = report.meta
    if meta is None or not meta.had_exif or "exif" in report.metadata_dropped:
        return
    kept = ["exif"] + [n for f, n in ((meta.had_gps, "gps location"), (meta.had_makernote, "maker note")) if f]
    _warn(f"{dst}: --keep-metadata: the output keeps {', '.join(kept)} (the EXIF thumbnail is never kept)")


def _output_format(output: Optional[Path]) -> Optional[str]:
    """The format ``-o`` asks for by its extension (None: no extension, the input's own format)."""
    if output is None or not output.suffix:
        return None
    fmt = OUTPUT_FORMATS.get(output.suffix.lower())
    if fmt is None:
        raise UsageError(f"cannot write {output.suffix} files (a GIF's 256 colours would spoil the photo; HEIC "
                         "is read, not written): name the output .jpg, .png, .webp, .tif or .bmp", path=str(output))
    return fmt


@click.group(cls=_DefaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="parcel-redact")
def main() -> None:
    """Make parcel photos safe to share: find shipping labels, read them, destroy personal data.

    `redact PHOTO...` is short for `redact run PHOTO...` (see `redact run --help`).
    """


@main.command("run")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", "output_arg", type=click.Path(), default=None,
              help="Output file (one input; its extension picks the format: .jpg .png .webp .tif .bmp) or "
                   "folder (a folder input, several inputs, or a path ending in /).")
@click.option("--workers", type=int, default=None, help="Worker processes for folders (default: one per core).")
@click.option("--no-resume", is_flag=True, help="Redo files already finished in the output folder.")
@click.option("--dry-run", is_flag=True, help="List what would be done; write nothing.")
@click.option("--report", "report_path", type=click.Path(path_type=Path), default=None,
              help="Write the JSON report here (single file), or the report folder (batch).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON (single file).")
@_common
def run_cmd(paths: List[Path], output_arg: Optional[str], workers: Optional[int], no_resume: bool, dry_run: bool,
            report_path: Optional[Path], as_json: bool, style, keep, only, keep_metadata, no_check, ocr, symbols,
            verbose) -> None:
    """Redact PATHS (files or folders). One file: PHOTO.redacted.EXT beside it unless -o is given."""
    _logging(verbose)
    try:
        cfg = _config(style, keep_metadata, no_check, ocr, symbols, keep, only)
    except ValueError as e:
        _fail(UsageError(str(e)))
    output = Path(output_arg) if output_arg else None
    to_folder = output_arg is not None and (output_arg.endswith(("/", os.sep)) or Path(output_arg).is_dir())
    single = len(paths) == 1 and not paths[0].is_dir()
    if single and not dry_run and not to_folder:
        _run_one(paths[0], output, cfg, report_path, as_json)
        return
    from .batch import run_batch

    try:
        summary = run_batch(list(paths), output, config=cfg, workers=workers, resume=not no_resume, dry_run=dry_run,
                            report_dir=report_path, progress=sys.stderr.isatty())
    except RedactError as e:
        _fail(e)
    if not summary.items and not summary.interrupted:
        where = ", ".join(str(p) for p in paths)
        _fail(UsageError(f"no images found ({SUPPORTED_NAMES})", path=where))
    click.echo(summary.describe() if hasattr(summary, "describe") else str(summary))
    code = getattr(summary, "exit_code", 0)
    if code:
        sys.exit(code)


def _run_one(src: Path, output: Optional[Path], cfg: Config, report_path: Optional[Path], as_json: bool) -> None:
    """One photo to one file. Every check of the input and output paths comes before the redaction."""
    from .api import Redactor, default_output_path
    from .io.photo import check_writable, write_atomic

    if not src.exists():
        _fail(RedactError("no such file", path=str(src)), 3)
    try:
        fmt = _output_format(output)
        if output is not None and output.exists() and output.resolve() == src.resolve():
            raise UsageError("refusing to overwrite the original; choose another -o", path=str(src))
        check_writable(output if output is not None else default_output_path(src, "JPEG"))
        if report_path:
            check_writable(report_path)
    except RedactError as e:
        _fail(e)
    try:
        res = Redactor(cfg).redact(src, name=src.name, fmt=fmt)
        dst = output or default_output_path(src, res.format)
        if dst.exists() and dst.resolve() == src.resolve():
            raise UsageError("refusing to overwrite the original; choose another -o", path=str(src))
        try:
            write_atomic(dst, res.data)
            if report_path:
                write_atomic(report_path, res.report.to_json(indent=2).encode())
        except OSError as e:
            raise RedactError(f"cannot write ({e.strerror or type(e).__name__}); nothing written",
                              path=str(e.filename or dst)) from None
    except RedactError as e:
        _fail(e)
    except KeyboardInterrupt:
        _fail(RedactError("interrupted; nothing written"), 130)
    _log_details(res.report)
    if cfg.keep_metadata:
        _metadata_warning(res.report, dst)
    if as_json:
        click.echo(res.report.to_json(indent=2))
    else:
        click.echo(f"{src} -> {dst}: {_summary(res.report)} in {res.report.timings.get('total', 0):.1f} s")


@main.command("inspect")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--reveal", is_flag=True, help="Show the recognised personal values (off by default).")
@_options(*_POLICY)
def inspect_cmd(path: Path, as_json: bool, reveal: bool, keep, only, ocr, symbols, verbose) -> None:
    """Show what would be masked in PATH: category, role, polygon, score, source. Writes nothing."""
    _logging(verbose)
    from .api import Redactor

    try:
        rep = Redactor(_config(None, False, False, ocr, symbols, keep, only)).analyze(path, name=path.name)
    except RedactError as e:
        _fail(e)
    _log_details(rep)
    d = rep.to_dict(reveal=reveal)
    if as_json:
        click.echo(json.dumps(d, ensure_ascii=False, indent=2))
        return
    click.echo(f"{path}: {d['width']}x{d['height']}, {d['labels']} label(s), {d['lines']} text line(s), "
               f"{len(d['symbols'])} symbol(s)")
    hdr = f"{'#':>3} {'category':<16} {'role':<10} {'masked':<6} {'score':>5} {'source':<11} {'where (x,y)':<14} rule"
    if reveal:
        hdr += "  value"
    click.echo(hdr)
    for f in d["fields"]:
        poly = f["polygons"][0] if f["polygons"] else [[0, 0]]
        cx = sum(p[0] for p in poly) / len(poly)
        cy = sum(p[1] for p in poly) / len(poly)
        line = (f"{f['id']:>3} {f['category']:<16} {f['role']:<10} {'yes' if f['masked'] else 'no':<6} "
                f"{f['score']:>5.2f} {f['source']:<11} {f'({cx:.0f},{cy:.0f})':<14} {f['rule']}")
        if reveal:
            line += f"  {f.get('value', '')}"
        click.echo(line)
    if d["metadata_dropped"]:
        click.echo("metadata that would be dropped: " + ", ".join(d["metadata_dropped"]))


def _serve_options(f):
    """``redact serve``'s options: one per service setting, from ``redact.service.settings.OPTIONS``."""
    for name, (default, opt) in reversed(list(OPTIONS.items())):
        if opt.type is bool:
            f = click.option(service_flag(name), name, is_flag=True, default=False, help=opt.help)(f)
            continue
        kind = click.Choice(opt.choices) if opt.choices else opt.type
        shown = default is not None and not opt.env  # with a variable: the variable, then the default
        f = click.option(service_flag(name), name, type=kind, default=None if opt.env else default,
                         show_default=shown, help=opt.help)(f)
    return f


@main.command("serve")
@_serve_options
def serve_cmd(**given) -> None:
    """Start the HTTP service and the web page (http://HOST:PORT/)."""
    from . import service

    if not 1 <= given["port"] <= 65535:
        _fail(UsageError(f"--port {given['port']} is not a TCP port (1-65535)"))
    if "warm" in given:  # the flag is --no-warm
        given["warm"] = not given["warm"]
    try:
        settings = ServiceSettings.from_env(**given)
    except ValueError as e:
        _fail(UsageError(str(e)))
    _check_listen(settings.host, settings.port)
    logging.basicConfig(level=settings.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        service.run(settings=settings)
    except RedactError as e:
        _fail(e)
    except SystemExit as e:  # uvicorn's start-up failure (3), e.g. the port was taken after our check
        if e.code not in (0, None):
            where = f"{settings.host}:{settings.port}"
            _fail(RedactError(f"cannot serve on {where} (see the log above)"), CANNOT_LISTEN)
        raise


def _check_listen(host: str, port: int) -> None:
    """Bind the address once, as uvicorn will (SO_REUSEADDR), so that a port in use is one line, exit 10."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as e:
        _fail(RedactError(f"cannot listen on {host}:{port} ({e.strerror})"), CANNOT_LISTEN)
    fam, kind, proto, _, addr = infos[0]
    try:
        with socket.socket(fam, kind, proto) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(addr)
    except OSError as e:
        why = "address already in use" if e.errno == errno.EADDRINUSE else (e.strerror or type(e).__name__)
        _fail(RedactError(f"cannot listen on {host}:{port}: {why} (choose another --port)"), CANNOT_LISTEN)


@main.command("cluster")
@click.argument("input_url")
@click.option("-o", "--output", "output_url", required=True, help="Output folder or object-store URL.")
@click.option("--address", default=None, help="Ray cluster address (default: RAY_ADDRESS, else a local cluster).")
@click.option("--actors", type=int, default=None, help="Actor pool size (default: cluster CPUs).")
@_common
def cluster_cmd(input_url: str, output_url: str, address: Optional[str], actors: Optional[int], style, keep, only,
                keep_metadata, no_check, ocr, symbols, verbose) -> None:
    """Redact INPUT_URL (a folder or s3://, gs://... prefix) into OUTPUT on a Ray cluster (extra: ray)."""
    _logging(verbose)
    from .distributed import run_distributed

    try:
        summary = run_distributed(input_url, output_url, address=address, num_actors=actors,
                                  config=_config(style, keep_metadata, no_check, ocr, symbols, keep, only))
    except RedactError as e:
        _fail(e)
    click.echo(summary.describe() if hasattr(summary, "describe") else str(summary))
    if getattr(summary, "exit_code", 0):
        sys.exit(summary.exit_code)


@main.command("models")
def models_cmd() -> None:
    """Check every model file against models/manifest.json (SHA-256)."""
    from .engines.models import manifest, verify

    try:
        for m in manifest()["models"]:
            p = verify(m["name"])
            click.echo(f"ok  {m['name']:<28} {m['package']:<18} {p}")
    except RedactError as e:
        _fail(e)


if __name__ == "__main__":  # pragma: no cover
    main()
