"""Reading paper-listing dumps: detect each file's layout by its content, parse it exactly.

Public API:
    read_dump(path, *, column_mapping=None, max_decompressed_mb=512, max_compression_ratio=100) -> ParsedFile
                                                              never raises for bad input
    iter_dumps(folder, **kw) -> Iterator[ParsedFile]          every file in a folder, one at a time
    detect_format(text) -> str                                the layout name for decoded text

One module per layout; each has `parse(text, file) -> LayoutResult`.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from pathlib import Path

from analytics.parsing import (
    arxiv_atom,
    generic_table,
    hf_daily,
    hf_trending,
    json_input,
    plain_abstracts,
    sorted_updated,
)
from analytics.parsing.common import is_title_like, markup_warnings
from analytics.parsing.reader import MAX_COMPRESSION_RATIO, MAX_DECOMPRESSED_MB, read_text
from analytics.records import ParsedFile, Problem, Record

__all__ = ["read_dump", "iter_dumps", "detect_format", "TEXT_LAYOUTS"]

TEXT_LAYOUTS = ("hf_trending", "hf_daily", "sorted_updated", "plain_abstracts")


def detect_format(text: str, column_mapping: dict | None = None) -> str:
    """Name of the layout of `text`, judged by content only ("unknown" when none fits)."""
    lines = text.split("\n")
    nonblank = [line for line in lines if line.strip()]
    if not nonblank:
        return "empty"
    if arxiv_atom.looks_like(text):
        return "arxiv_atom"
    if json_input.looks_like(text):
        return "json"  # which JSON export it is depends on its keys: see json_input.parse
    if text.lstrip()[:1] == "<":
        return "unknown"  # HTML or other markup, not a listing
    if generic_table.looks_like_csv(text, column_mapping):
        return "generic_csv"
    if sorted_updated.looks_like(lines):
        return "sorted_updated"
    if hf_daily.looks_like(lines):
        return "hf_daily"
    if hf_trending.looks_like(lines):
        return "hf_trending"
    title_like = [is_title_like(line) for line in nonblank]
    titles = sum(title_like)
    # Title/abstract pairs without the page banner: most neighbouring lines differ in kind.
    if len(nonblank) >= 2 and 0.3 <= titles / len(nonblank) <= 0.7:
        alternating = sum(1 for a, b in zip(title_like, title_like[1:]) if a != b)
        if alternating >= 0.6 * (len(nonblank) - 1):
            return "hf_trending"
    # Bare abstracts: paragraphs, with at most a few short ones among them.
    if titles <= 0.2 * len(nonblank) and titles < len(nonblank):
        return "plain_abstracts"
    return "unknown"


_PARSERS = {
    "hf_trending": hf_trending.parse,
    "hf_daily": hf_daily.parse,
    "sorted_updated": sorted_updated.parse,
    "plain_abstracts": plain_abstracts.parse,
    "arxiv_atom": arxiv_atom.parse,
}


def read_dump(
    path: Path,
    *,
    column_mapping: dict | None = None,
    max_decompressed_mb: float = MAX_DECOMPRESSED_MB,
    max_compression_ratio: float = MAX_COMPRESSION_RATIO,
) -> ParsedFile:
    """Read one dump file. Bad input never raises: it comes back as problems.

    `column_mapping` maps Record field names to the column/key names of a generic CSV or
    JSON-lines export, e.g. {"title": "paper_title", "abstract": "summary", "arxiv_id": "id"}.
    A .gz file that expands beyond `max_decompressed_mb`, or over `max_compression_ratio` times
    its size, is set aside ([parsing] in config/default.toml).
    """
    path = Path(path)
    name = path.name
    raw = read_text(path, max_decompressed_mb=max_decompressed_mb, max_compression_ratio=max_compression_ratio)
    parsed = ParsedFile(file=name, path=str(path), format=raw.status, sha256=raw.sha256)
    parsed.problems.extend(raw.problems)
    if raw.text is None:
        return parsed
    fmt = detect_format(raw.text, column_mapping)
    parsed.format = fmt
    if fmt == "empty":
        parsed.problems.append(Problem(name, "has no text; nothing to read"))
        return parsed
    if fmt not in _PARSERS and fmt not in ("json", "generic_csv", "arxiv_atom"):
        first = next((line for line in raw.text.split("\n") if line.strip()), "")[:80]
        parsed.problems.append(
            Problem(name, f"layout not recognised (first line: {first!r}); set aside", 1)
        )
        return parsed
    try:
        if fmt == "json":
            fmt, result = json_input.parse(raw.text, name, column_mapping)
            parsed.format = fmt
        elif fmt == "generic_csv":
            result = generic_table.parse_csv(raw.text, name, column_mapping)
        else:
            result = _PARSERS[fmt](raw.text, name)
    except Exception as error:  # a parser bug must not stop the run; say where it happened
        parsed.problems.append(Problem(name, f"could not be parsed as {fmt}: {type(error).__name__}: {error}"))
        return parsed
    parsed.records = result.records
    parsed.problems.extend(result.problems)
    if raw.nul_lines:
        parsed.records, nul_problems = set_aside_nul_records(parsed.records, raw.nul_lines, parsed.problems, name)
        parsed.problems.extend(nul_problems)
    parsed.context.update(result.context)
    for record in parsed.records:
        parsed.problems.extend(markup_warnings(record))
    if not parsed.records and not any(p.severity == "error" for p in parsed.problems):
        parsed.problems.append(Problem(name, f"read as {parsed.format} but holds no paper records; set aside"))
    return parsed


def set_aside_nul_records(
    records: list[Record], nul_lines: list[int], problems: list[Problem], name: str
) -> tuple[list[Record], list[Problem]]:
    """Drop each record whose lines held NUL characters (damaged text); keep every other record.

    A record spans from its first line to the line before the next record's. A NUL line the parser
    already set aside on its own (an error at that line) or one before the first record (a page
    header) costs no record, and is only named in a warning.
    """
    starts = sorted({record.line for record in records})
    lines_set_aside = {p.line for p in problems if p.severity == "error" and p.line}
    hit_starts: dict[int, list[int]] = {}  # record start line -> NUL lines within the record
    new_problems = []
    for line in nul_lines:
        owner = bisect.bisect_right(starts, line) - 1
        if line in lines_set_aside or owner < 0:
            new_problems.append(Problem(name, "NUL characters (damaged text?) removed from this line", line, "warning"))
        else:
            hit_starts.setdefault(starts[owner], []).append(line)
    kept = []
    for record in records:
        if record.line not in hit_starts:
            kept.append(record)
            continue
        lines = ", ".join(str(n) for n in hit_starts[record.line])
        new_problems.append(Problem(
            name, f"NUL characters (damaged text?) on line {lines}; record {record.index} (from line {record.line}) "
            "set aside", hit_starts[record.line][0],
        ))
    new_problems.sort(key=lambda p: p.line or 0)
    return kept, new_problems


def iter_dumps(folder: Path, *, recursive: bool = False, column_mapping: dict | None = None) -> Iterator[ParsedFile]:
    """Every entry of `folder` (sorted by path), parsed one file at a time.

    Sub-folders are descended when `recursive`; otherwise each is reported as set aside
    (format "unreadable") so that nothing in the folder goes unmentioned.
    Hidden files (".name") are skipped: they are editor/OS droppings, not dumps.
    """
    folder = Path(folder)
    try:
        entries = sorted(folder.iterdir())
    except OSError as error:
        yield ParsedFile(
            file=folder.name,
            path=str(folder),
            format="unreadable",
            problems=[Problem(folder.name, f"folder cannot be listed ({error.strerror or error})")],
        )
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir() and recursive:
            yield from iter_dumps(entry, recursive=True, column_mapping=column_mapping)
            continue
        yield read_dump(entry, column_mapping=column_mapping)

