"""Output files of a run (papers.csv, topics.csv, trends.csv, run.json), written atomically."""

from __future__ import annotations

import json
import os
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


class FolderNotWritable(RuntimeError):
    """An output or store folder that cannot be created or written."""


def check_writable_folder(folder: Path, role: str) -> None:
    """Create `folder` if needed and write (then remove) a file in it, so that a run which could not save its
    results stops before doing the work. `role` names the folder in the message ("output", "store")."""
    folder = Path(folder)
    existing = next(p for p in (folder, *folder.parents) if p.exists())
    if not existing.is_dir():
        if existing == folder:
            raise FolderNotWritable(f"{role} folder {folder} is a file, not a folder")
        raise FolderNotWritable(f"{role} folder {folder} cannot be created: {existing} is a file, not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise FolderNotWritable(f"{role} folder {folder} cannot be created: {error.strerror or error}") from None
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".write-check-"):
            pass  # removed on close
    except OSError as error:
        raise FolderNotWritable(f"{role} folder {folder} is not writable: {error.strerror or error}") from None


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


def write_csv(df: pd.DataFrame, path: Path) -> None:
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
