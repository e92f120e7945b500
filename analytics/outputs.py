"""Output files of a run (papers.csv, topics.csv, trends.csv, lineage.csv, evidence.json, report.html,
run.json), written atomically."""

from __future__ import annotations

import json
import os
import re
import shutil
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


# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets (OWASP "CSV
# injection"): =HYPERLINK(...) in a title would become a live link, +cmd|... a command.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# C0 control characters other than tab and line breaks: NUL and the like break tools that read the CSV (C
# strings end at NUL) and are never meant as text. The reader already drops records with NULs; a JSON dump
# can still spell one as an escape ("\u0000").
_CONTROL_CHARS_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def spreadsheet_safe(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe (OWASP's advice: the
    spreadsheet shows the text, not its result). Numbers, and text that is a number ("-0.5"), are kept.
    Carriage returns become newlines; other control characters (but tab) are removed."""
    if not isinstance(value, str):
        return value
    value = _CONTROL_CHARS_RE.sub("", value)
    # Python's csv writer quotes a field with "\n" but not one with a lone "\r", which readers then take
    # for the end of the row.
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    if value.startswith(FORMULA_TRIGGERS) and not _is_number(value):
        return "'" + value
    return value


def csv_safe_table(df: pd.DataFrame) -> pd.DataFrame:
    """The table as a CSV file shows it: text cells cleaned and neutralised for spreadsheets (spreadsheet_safe).
    Only the CSV files get this; the store and the report keep the true text."""
    table = df.copy()
    for column in table.columns:
        if table[column].dtype == object or pd.api.types.is_string_dtype(table[column]):
            table[column] = table[column].map(spreadsheet_safe)
    return table


def write_csv(df: pd.DataFrame, path: Path) -> None:
    table = csv_safe_table(df)
    atomic_write(path, lambda tmp: table.to_csv(tmp, index=False))


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


# The files of a run's output folder, in the order they are moved into place: run.json last, since its
# run_id names the run the other files come from.
OUTPUT_FILES = ("papers.csv", "topics.csv", "trends.csv", "lineage.csv", "evidence.json", "report.html")
RUN_FILE = "run.json"


def output_paths(out: Path) -> dict[str, str]:
    paths = {name.split(".")[0]: str(out / name) for name in OUTPUT_FILES}
    paths["run"] = str(out / RUN_FILE)
    return paths


def staging_folder(out: Path, run_id: str) -> Path:
    return Path(out) / f".staging-{run_id}"


def publish_staged(out: Path, run_id: str) -> bool:
    """Move a run's completely staged outputs into `out` (each move an atomic rename; run.json last, and a
    copy to runs/<run_id>.json). Safe to repeat after an interruption: files already moved are skipped.
    Returns False when there is no completely staged run (no run.json in its staging folder)."""
    staging = staging_folder(out, run_id)
    if not (staging / RUN_FILE).is_file():
        return False
    for name in OUTPUT_FILES:
        if (staging / name).exists():
            os.replace(staging / name, Path(out) / name)
    record = Path(out) / "runs" / f"{run_id}.json"
    record.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(staging / RUN_FILE, record)
    os.replace(staging / RUN_FILE, Path(out) / RUN_FILE)
    staging.rmdir()
    return True


def clean_stale_staging(out: Path) -> None:
    """Remove staging folders of runs that were stopped before the store committed them."""
    if Path(out).is_dir():
        for stale in Path(out).glob(".staging-*"):
            shutil.rmtree(stale, ignore_errors=True)


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


def topics_table(topics: pd.DataFrame, growth: pd.DataFrame, lineage: pd.DataFrame) -> pd.DataFrame:
    """topics.csv: the topic table plus its growth figures, class and lineage status."""
    extra = [c for c in growth.columns if c != "topic_id" and c not in topics.columns]
    table = topics.merge(growth[["topic_id", *extra]], on="topic_id", how="left")
    if len(lineage):
        status = lineage[lineage["status"] != "vanished"][["topic_id", "status", "previous_topic_ids"]]
        table = table.merge(status.rename(columns={"status": "lineage", "previous_topic_ids": "lineage_from"}),
                            on="topic_id", how="left")
    return table
