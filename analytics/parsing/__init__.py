"""Reading paper-listing dumps: detect each file's layout by its content, parse it exactly.

Public API:
    read_dump(path, *, column_mapping=None) -> ParsedFile     never raises for bad input
    iter_dumps(folder, **kw) -> Iterator[ParsedFile]          every file in a folder, one at a time
    detect_format(text) -> str                                the layout name for decoded text

One module per layout; each has `parse(text, file) -> LayoutResult`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from analytics.parsing import hf_daily, hf_trending, plain_abstracts, sorted_updated
from analytics.parsing.common import LayoutResult, is_title_like, markup_warnings
from analytics.parsing.reader import read_text
from analytics.records import ParsedFile, Problem

__all__ = ["read_dump", "iter_dumps", "detect_format", "TEXT_LAYOUTS"]

TEXT_LAYOUTS = ("hf_trending", "hf_daily", "sorted_updated", "plain_abstracts")


def detect_format(text: str, column_mapping: dict | None = None) -> str:
    """Name of the layout of `text`, judged by content only ("unknown" when none fits)."""
    lines = text.split("\n")
    nonblank = [line for line in lines if line.strip()]
    if not nonblank:
        return "empty"
    if sorted_updated.looks_like(lines):
        return "sorted_updated"
    if hf_daily.looks_like(lines):
        return "hf_daily"
    if hf_trending.looks_like(lines):
        return "hf_trending"
    titles = sum(1 for line in nonblank if is_title_like(line))
    if titles == 0:
        return "plain_abstracts"
    # Title/abstract pairs without the page banner: roughly every other line is a title.
    if len(nonblank) >= 2 and 0.3 <= titles / len(nonblank) <= 0.7:
        alternating = sum(
            1 for a, b in zip(nonblank, nonblank[1:]) if is_title_like(a) != is_title_like(b)
        )
        if alternating >= 0.6 * (len(nonblank) - 1):
            return "hf_trending"
    return "unknown"


_PARSERS = {
    "hf_trending": hf_trending.parse,
    "hf_daily": hf_daily.parse,
    "sorted_updated": sorted_updated.parse,
    "plain_abstracts": plain_abstracts.parse,
}


def read_dump(path: Path, *, column_mapping: dict | None = None) -> ParsedFile:
    """Read one dump file. Bad input never raises: it comes back as problems.

    `column_mapping` maps Record field names to the column/key names of a generic CSV or
    JSON-lines export, e.g. {"title": "paper_title", "abstract": "summary", "arxiv_id": "id"}.
    """
    path = Path(path)
    name = path.name
    raw = read_text(path)
    parsed = ParsedFile(file=name, path=str(path), format=raw.status, sha256=raw.sha256)
    parsed.problems.extend(raw.problems)
    if raw.text is None:
        return parsed
    fmt = detect_format(raw.text, column_mapping)
    parsed.format = fmt
    if fmt == "empty":
        parsed.problems.append(Problem(name, "has no text; nothing to read"))
        return parsed
    if fmt not in _PARSERS:
        first = next((line for line in raw.text.split("\n") if line.strip()), "")[:80]
        parsed.problems.append(
            Problem(name, f"layout not recognised (first line: {first!r}); set aside", 1)
        )
        return parsed
    try:
        result: LayoutResult = _PARSERS[fmt](raw.text, name)
    except Exception as error:  # a parser bug must not stop the run; say where it happened
        parsed.problems.append(Problem(name, f"could not be parsed as {fmt}: {type(error).__name__}: {error}"))
        return parsed
    parsed.records = result.records
    parsed.problems.extend(result.problems)
    parsed.context.update(result.context)
    for record in parsed.records:
        parsed.problems.extend(markup_warnings(record))
    if not parsed.records:
        parsed.problems.append(Problem(name, f"read as {fmt} but holds no records"))
    return parsed


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
