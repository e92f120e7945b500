"""Turning a file on disk into text: gzip, binary detection, decoding with a fallback.

Files are only ever read, never modified, moved or deleted.
"""

from __future__ import annotations

import gzip
import hashlib
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from analytics.records import Problem

GZIP_MAGIC = b"\x1f\x8b"
# Magic numbers of common binary formats that are sometimes dropped into dump folders.
BINARY_MAGICS = {
    b"%PDF": "PDF",
    b"PK\x03\x04": "ZIP",
    b"\x89PNG": "PNG",
    b"\xff\xd8\xff": "JPEG",
    b"GIF8": "GIF",
    b"\x7fELF": "executable",
    b"BZh": "bzip2",
    b"\xfd7zXZ": "xz",
    b"PAR1": "Parquet",
    b"SQLite format 3": "SQLite",
}


# Control bytes that never occur in text (tab, newline, form feed and carriage return do).
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13))


@dataclass
class RawText:
    text: str | None  # None when the file cannot be used as text
    sha256: str
    status: str = "ok"  # ok / empty / binary / unreadable
    problems: list[Problem] = field(default_factory=list)


def _first_bad_utf8_line(raw: bytes, error: UnicodeDecodeError) -> int:
    return raw.count(b"\n", 0, error.start) + 1


def read_text(path: Path) -> RawText:
    name = path.name
    try:
        raw = path.read_bytes()
    except IsADirectoryError:
        return RawText(None, "", "unreadable", [Problem(name, "is a directory, not a dump file; set aside")])
    except OSError as error:
        reason = error.strerror or str(error)
        return RawText(None, "", "unreadable", [Problem(name, f"cannot be read ({reason}); set aside")])
    digest = hashlib.sha256(raw).hexdigest()
    problems: list[Problem] = []
    if raw.startswith(GZIP_MAGIC):
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as error:
            # A truncated .gz still yields the complete part; keep it and say so.
            raw = _decompress_prefix(raw)
            problems.append(
                Problem(name, f"gzip data is damaged or truncated ({error}); read what could be recovered", None, "warning")
            )
    if not raw.strip():
        return RawText(None, digest, "empty", problems + [Problem(name, "is empty; nothing to read")])
    for magic, kind in BINARY_MAGICS.items():
        if raw.startswith(magic):
            return RawText(None, digest, "binary", problems + [Problem(name, f"is a binary {kind} file, not a text dump; set aside")])
    sample = raw[:65536]
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if b"\x00" in sample or controls > len(sample) * 0.05:
        return RawText(None, digest, "binary", problems + [Problem(name, "is binary data, not a text dump; set aside")])
    text, decode_problems = decode(raw, name)
    return RawText(text, digest, "ok", problems + decode_problems)


def _decompress_prefix(raw: bytes) -> bytes:
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        return decompressor.decompress(raw)
    except zlib.error:
        return b""


def decode(raw: bytes, name: str) -> tuple[str, list[Problem]]:
    """UTF-8 (with or without BOM); otherwise Windows-1252, else Latin-1, with a warning.

    A non-UTF-8 dump is still read rather than set aside: its ASCII text (almost all of a
    listing) is exact, and only accented letters may come out wrong, which the warning says.
    """
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError as error:
        line = _first_bad_utf8_line(raw, error)
    for encoding in ("cp1252", "latin-1"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        return text, [
            Problem(
                name,
                f"is not valid UTF-8 (first bad byte on line {line}); decoded as {encoding}, "
                "accented characters may be wrong",
                line,
                "warning",
            )
        ]
    raise AssertionError("latin-1 decodes any bytes")
