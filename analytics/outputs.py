"""Output files of a run (papers.csv, topics.csv, trends.csv, run.json), written atomically."""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

PAPER_COLUMNS = [
    "paper_id", "title", "abstract", "authors", "author_count", "arxiv_id", "categories", "links", "upvotes",
    "sources", "published", "date_kind", "date_source", "date_precision", "date_low", "date_high",
    "date_inferred", "date_confidence", "date_note", "topic_id", "topic_label", "raw_topic_id", "map_x", "map_y",
]


_UMASK = os.umask(0)
os.umask(_UMASK)


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Write to a temporary file beside `path`, then rename: readers see the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp creates 0600; outputs are ordinary files
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


# C0 control characters other than tab, newline and carriage return: NUL and the like break tools that read
# the CSV (C strings end at NUL) and are never meant as text.
_CONTROL_CHARS_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def strip_control_characters(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of `df` with C0 control characters (except tab and line breaks) removed from its text cells.

    The last line of defence: the reader already removes NULs from dumps, but a JSON dump can spell
    one as an escape ("\\u0000").
    """
    cleaned = df.copy()
    for column in cleaned.columns:
        values = cleaned[column]
        if isinstance(values.dtype, pd.StringDtype):  # vectorised: ~4x faster than a Python call per cell
            cleaned[column] = values.str.replace(_CONTROL_CHARS_RE.pattern, "", regex=True)
        elif values.dtype == object:  # may mix strings with lists or numbers
            cleaned[column] = values.map(lambda v: _CONTROL_CHARS_RE.sub("", v) if isinstance(v, str) else v)
    return cleaned


def write_csv(df: pd.DataFrame, path: Path) -> None:
    df = strip_control_characters(df)
    atomic_write(path, lambda tmp: df.to_csv(tmp, index=False))


def _json_default(value: Any) -> Any:
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def write_json(data: dict[str, Any], path: Path) -> None:
    text = json.dumps(data, indent=2, ensure_ascii=False, default=_json_default)
    atomic_write(path, lambda tmp: tmp.write_text(text + "\n", encoding="utf-8"))


def _join(value: Any, sep: str) -> str:
    if isinstance(value, (list, tuple, np.ndarray)):
        return sep.join(str(v) for v in value)
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return str(value)


def papers_table(papers: pd.DataFrame) -> pd.DataFrame:
    """The papers.csv view: list columns joined (sources with ';', authors with '; '), known columns first."""
    table = papers.copy()
    for column, sep in (("sources", ";"), ("authors", "; "), ("categories", ";"), ("links", " ")):
        if column in table:
            table[column] = table[column].map(lambda v, s=sep: _join(v, s))
    for column in ("author_count", "upvotes"):
        if column in table:
            table[column] = table[column].astype("Int64")
    ordered = [c for c in PAPER_COLUMNS if c in table.columns]
    rest = [c for c in table.columns if c not in ordered and c != "record_refs"]
    return table[ordered + rest]
