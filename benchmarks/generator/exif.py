"""A minimal EXIF (TIFF) writer: IFD0 (make, model, orientation, dates), Exif IFD, GPS IFD and IFD1 with a
JPEG thumbnail. Pillow cannot write the IFD1 thumbnail; phones always do, and it is a privacy leak the
redactor must strip, so the generator writes it itself."""

from __future__ import annotations

import struct

ASCII, SHORT, LONG, RATIONAL, BYTE, UNDEFINED = 2, 3, 4, 5, 1, 7
_SIZE = {BYTE: 1, ASCII: 1, SHORT: 2, LONG: 4, RATIONAL: 8, UNDEFINED: 1}

Entry = tuple[int, int, object]  # tag, type, value


def _encode_value(typ: int, value) -> tuple[bytes, int]:
    if typ == ASCII:
        b = value.encode("ascii") + b"\x00"
        return b, len(b)
    if typ == UNDEFINED:
        return bytes(value), len(value)
    vals = value if isinstance(value, (list, tuple)) else [value]
    if typ == BYTE:
        return bytes(vals), len(vals)
    if typ == SHORT:
        return b"".join(struct.pack("<H", v) for v in vals), len(vals)
    if typ == LONG:
        return b"".join(struct.pack("<I", v) for v in vals), len(vals)
    if typ == RATIONAL:
        return b"".join(struct.pack("<II", n, d) for n, d in vals), len(vals)
    raise ValueError(typ)


def _ifd(entries: list[Entry], start: int, next_ifd: int) -> tuple[bytes, bytes]:
    """Serialise one IFD at offset ``start``; returns (ifd bytes, data area that follows it)."""
    entries = sorted(entries, key=lambda e: e[0])
    n = len(entries)
    data_off = start + 2 + 12 * n + 4
    head = struct.pack("<H", n)
    data = b""
    for tag, typ, value in entries:
        raw, count = _encode_value(typ, value)
        if len(raw) <= 4:
            head += struct.pack("<HHI", tag, typ, count) + raw.ljust(4, b"\x00")
        else:
            if len(data) % 2:
                data += b"\x00"
            head += struct.pack("<HHII", tag, typ, count, data_off + len(data))
            data += raw
    head += struct.pack("<I", next_ifd)
    if len(data) % 2:
        data += b"\x00"
    return head, data


def _ifd_len(entries: list[Entry]) -> int:
    h, d = _ifd(entries, 0, 0)
    return len(h) + len(d)


def _dms(v: float):
    v = abs(v)
    d = int(v)
    mnt = int((v - d) * 60)
    s = (v - d - mnt / 60) * 3600
    return [(d, 1), (mnt, 1), (int(round(s * 100)), 100)]


def build_exif(
    *,
    make: str,
    model: str,
    orientation: int = 1,
    datetime: str = "2025:05:12 14:32:10",
    width: int = 0,
    height: int = 0,
    gps: tuple[float, float, float] | None = None,
    thumbnail: bytes | None = None,
) -> bytes:
    """Return APP1 payload bytes starting with b'Exif\\0\\0' (what Pillow's ``exif=`` expects)."""
    ifd0: list[Entry] = [
        (0x010F, ASCII, make),
        (0x0110, ASCII, model),
        (0x0112, SHORT, orientation),
        (0x011A, RATIONAL, [(72, 1)]),
        (0x011B, RATIONAL, [(72, 1)]),
        (0x0128, SHORT, 2),
        (0x0131, ASCII, f"{model} camera 1.0"),
        (0x0132, ASCII, datetime),
        (0x8769, LONG, 0),
    ]
    exif_ifd: list[Entry] = [
        (0x9000, UNDEFINED, b"0232"),
        (0x9003, ASCII, datetime),
        (0x9004, ASCII, datetime),
        (0x829A, RATIONAL, [(1, 60)]),
        (0x829D, RATIONAL, [(18, 10)]),
        (0x8827, SHORT, 200),
        (0x920A, RATIONAL, [(473, 100)]),
        (0xA002, LONG, width),
        (0xA003, LONG, height),
        (0x927C, UNDEFINED, b"FAKEMAKERNOTE\x00" + bytes(18)),
    ]
    gps_ifd: list[Entry] = []
    if gps is not None:
        lat, lon, alt = gps
        gps_ifd = [
            (0x0000, BYTE, [2, 3, 0, 0]),
            (0x0001, ASCII, "N" if lat >= 0 else "S"),
            (0x0002, RATIONAL, _dms(lat)),
            (0x0003, ASCII, "E" if lon >= 0 else "W"),
            (0x0004, RATIONAL, _dms(lon)),
            (0x0005, BYTE, [0]),
            (0x0006, RATIONAL, [(int(alt * 10), 10)]),
            (0x0007, RATIONAL, [(14, 1), (32, 1), (10, 1)]),
            (0x001D, ASCII, datetime[:10]),
        ]
        ifd0.append((0x8825, LONG, 0))
    ifd1: list[Entry] = []
    if thumbnail:
        ifd1 = [
            (0x0103, SHORT, 6),
            (0x011A, RATIONAL, [(72, 1)]),
            (0x011B, RATIONAL, [(72, 1)]),
            (0x0128, SHORT, 2),
            (0x0201, LONG, 0),
            (0x0202, LONG, len(thumbnail)),
        ]
    # layout: header(8) | IFD0 | ExifIFD | GPS | IFD1 | thumbnail
    off0 = 8
    off_exif = off0 + _ifd_len(ifd0)
    off_gps = off_exif + _ifd_len(exif_ifd)
    off_ifd1 = off_gps + (_ifd_len(gps_ifd) if gps_ifd else 0)
    off_thumb = off_ifd1 + (_ifd_len(ifd1) if ifd1 else 0)

    def setv(entries: list[Entry], tag: int, v: int) -> list[Entry]:
        return [(t, ty, (v if t == tag else val)) for t, ty, val in entries]

    ifd0 = setv(setv(ifd0, 0x8769, off_exif), 0x8825, off_gps)
    if ifd1:
        ifd1 = setv(ifd1, 0x0201, off_thumb)
    out = b"II*\x00" + struct.pack("<I", off0)
    h, d = _ifd(ifd0, off0, off_ifd1 if ifd1 else 0)
    out += h + d
    h, d = _ifd(exif_ifd, off_exif, 0)
    out += h + d
    if gps_ifd:
        h, d = _ifd(gps_ifd, off_gps, 0)
        out += h + d
    if ifd1:
        h, d = _ifd(ifd1, off_ifd1, 0)
        out += h + d
        assert len(out) == off_thumb
        out += thumbnail  # type: ignore[operator]
    return b"Exif\x00\x00" + out
