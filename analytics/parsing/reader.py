"""Turning a file on disk into text: gzip, binary detection, decoding with a fallback.

Files are only ever read, never modified, moved or deleted. Only regular files (or symlinks to them) are
opened; gzip data is decompressed in bounded steps and stopped at configured limits.
"""

from __future__ import annotations

import codecs
import errno
import gzip
import hashlib
import io
import os
import stat
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from analytics.records import Problem

GZIP_MAGIC = b"\x1f\x8b"
# Defaults of [parsing] max_decompressed_mb and max_compression_ratio (config/default.toml says why).
MAX_DECOMPRESSED_MB = 512
MAX_COMPRESSION_RATIO = 100
# The ratio is judged only once this much is decompressed: a small file cannot exhaust memory at any ratio.
RATIO_CHECKED_ABOVE = 1 << 20
GUNZIP_STEP = 1 << 20  # bytes decompressed per step: memory grows by at most this beyond a limit
# Byte order marks that name an encoding the UTF-8 fallback cannot read (Windows editors write UTF-16).
# UTF-32 first: its little-endian mark starts with UTF-16's.
UNICODE_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
]
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


# Control bytes that never occur in text (tab, newline, form feed and carriage return do). NUL is judged
# apart: a few stray NULs (a damaged copy) do not make a text file binary.
_CONTROL_BYTES = bytes(b for b in range(1, 32) if b not in (9, 10, 12, 13))


@dataclass
class RawText:
    text: str | None  # None when the file cannot be used as text
    sha256: str
    status: str = "ok"  # ok / empty / binary / unreadable / too_large
    problems: list[Problem] = field(default_factory=list)
    nul_lines: list[int] = field(default_factory=list)  # 1-based lines that held NUL characters (removed)


class NotARegularFile(OSError):
    """The path is a named pipe, socket, device or directory: not something to read as a dump."""


def _not_regular(mode: int) -> str | None:
    """What a non-regular file is, for messages; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def open_regular_file(path: Path) -> io.BufferedReader:
    """Open `path` for reading if it is a regular file or a symlink to one; else raise NotARegularFile.

    Checked before opening: opening a FIFO blocks until a writer appears, and opening a device can have
    side effects. O_NONBLOCK and a second check on the open file cover a file swapped in between.
    Broken symlinks and symlink loops raise the OSError that os.stat gives.
    """
    kind = _not_regular(os.stat(path).st_mode)
    if kind:
        raise NotARegularFile(kind)
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    try:
        kind = _not_regular(os.fstat(fd).st_mode)
        if kind:
            raise NotARegularFile(kind)
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _unreadable(path: Path, error: OSError) -> Problem:
    name = path.name
    if isinstance(error, NotARegularFile):
        return Problem(name, f"is {error}, not a dump file; set aside")
    reason = error.strerror or str(error)
    if error.errno in (errno.ENOENT, errno.ELOOP) and path.is_symlink():
        return Problem(name, f"is a symbolic link that cannot be followed to a file ({reason}); set aside")
    return Problem(name, f"cannot be read ({reason}); set aside")


def _first_bad_utf8_line(raw: bytes, error: UnicodeDecodeError) -> int:
    return raw.count(b"\n", 0, error.start) + 1


def read_text(
    path: Path,
    *,
    max_decompressed_mb: float = MAX_DECOMPRESSED_MB,
    max_compression_ratio: float = MAX_COMPRESSION_RATIO,
) -> RawText:
    name = path.name
    try:
        with open_regular_file(path) as handle:
            raw = handle.read()
    except OSError as error:
        return RawText(None, "", "unreadable", [_unreadable(path, error)])
    digest = hashlib.sha256(raw).hexdigest()
    problems: list[Problem] = []
    if raw.startswith(GZIP_MAGIC):
        raw, limit_problem, gzip_problems = gunzip_limited(raw, name, max_decompressed_mb, max_compression_ratio)
        problems += gzip_problems
        if limit_problem:
            return RawText(None, digest, "too_large", problems + [limit_problem])
    if not raw.strip():
        return RawText(None, digest, "empty", problems + [Problem(name, "is empty; nothing to read")])
    bom = next(((encoding, label) for mark, encoding, label in UNICODE_BOMS if raw.startswith(mark)), None)
    if bom:
        text, decode_problems = decode_with_bom(raw, name, *bom)
    else:
        for magic, kind in BINARY_MAGICS.items():
            if raw.startswith(magic):
                return RawText(None, digest, "binary", problems + [Problem(name, f"is a binary {kind} file, not a text dump; set aside")])
        if raw[257:262] == b"ustar":  # tar archives put their magic after the first member's name
            problem = Problem(name, "is a binary tar archive, not a text dump; set aside")
            return RawText(None, digest, "binary", problems + [problem])
        if looks_binary(raw[:65536]):
            return RawText(None, digest, "binary", problems + [Problem(name, "is binary data, not a text dump; set aside")])
        text, decode_problems = decode(raw, name)
    if not text.strip():
        return RawText(None, digest, "empty", problems + decode_problems + [Problem(name, "is empty; nothing to read")])
    nul_lines = []
    if "\x00" in text:
        # Stray NULs (a damaged copy): the lines that held them are named and their records set aside by
        # read_dump; the characters themselves must not reach any output.
        nul_lines = [number for number, line in enumerate(text.split("\n"), start=1) if "\x00" in line]
        text = text.replace("\x00", "")
    return RawText(text, digest, "ok", problems + decode_problems, nul_lines)


def looks_binary(sample: bytes) -> bool:
    """Binary data, as opposed to text with at most a few stray NUL bytes.

    Text has almost no control bytes. NUL bytes are allowed only a few (at most 1%, or 8): a binary
    format or BOM-less UTF-16 has them everywhere, a damaged text copy in a handful of places.
    """
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    nuls = sample.count(b"\x00")
    return controls > len(sample) * 0.05 or nuls > max(8, len(sample) // 100)


def gunzip_limited(
    raw: bytes, name: str, max_decompressed_mb: float, max_compression_ratio: float
) -> tuple[bytes, Problem | None, list[Problem]]:
    """Decompress gzip data a step at a time, stopping as soon as it exceeds either limit.

    Returns (data, limit problem or None, warnings). A gzip bomb (a few MB expanding to GBs) is stopped
    after at most one step beyond the limit instead of being expanded whole in memory. Damaged or
    truncated data yields the complete part with a warning.
    """
    max_bytes = int(max_decompressed_mb * 1024 * 1024)
    max_ratio_bytes = max(RATIO_CHECKED_ABOVE, int(max_compression_ratio * len(raw)))
    chunks: list[bytes] = []
    size = 0
    warnings: list[Problem] = []
    with gzip.GzipFile(fileobj=io.BytesIO(raw)) as stream:
        while True:
            try:
                chunk = stream.read1(GUNZIP_STEP)  # GzipFile inflates with zlib's max_length: bounded output
            except (OSError, EOFError, zlib.error) as error:
                # A truncated .gz still yields the complete part; keep it and say so.
                warnings.append(Problem(
                    name, f"gzip data is damaged or truncated ({error}); read what could be recovered", None, "warning"
                ))
                break
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > max_bytes:
                return b"", Problem(
                    name,
                    f"expands beyond {max_decompressed_mb:g} MB when decompressed; set aside "
                    "(limit [parsing] max_decompressed_mb)",
                ), warnings
            if size > max_ratio_bytes:
                return b"", Problem(
                    name,
                    f"expands over {max_compression_ratio:g} times its compressed size when decompressed "
                    f"({len(raw):,} bytes to over {size:,}): likely a decompression bomb; set aside "
                    "(limit [parsing] max_compression_ratio)",
                ), warnings
    return b"".join(chunks), None, warnings


def decode_with_bom(raw: bytes, name: str, encoding: str, label: str) -> tuple[str, list[Problem]]:
    """Text that starts with a UTF-16/UTF-32 byte order mark (the codec reads the mark and drops it)."""
    try:
        return raw.decode(encoding), []
    except UnicodeDecodeError as error:
        line = raw[: error.start].decode(encoding, errors="replace").count("\n") + 1
        return raw.decode(encoding, errors="replace"), [
            Problem(name, f"is not valid {label} (first bad bytes on line {line}); those characters are replaced",
                    line, "warning")
        ]


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
