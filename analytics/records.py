"""The data model shared by every stage: what one parsed listing record is.

A `Record` is exactly what one dump says about one paper, plus where it was read.
Parsers produce records; dedupe merges them into papers; dates interpret their
date fields. Nothing here guesses: empty means the dump did not say.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Record:
    source_file: str  # dump file name (no folder), as written in `sources`
    index: int  # 0-based position of the record in its file
    line: int  # 1-based line where the record starts (for messages)
    title: str = ""
    abstract: str = ""
    authors: list[str] = field(default_factory=list)
    author_count: int | None = None  # when the dump gives only a count ("7 authors")
    arxiv_id: str = ""  # bare id without version, e.g. "2503.11731" or "hep-ph/0701001"
    categories: list[str] = field(default_factory=list)  # primary first
    links: list[str] = field(default_factory=list)
    upvotes: int | None = None
    # Dates exactly as the dump writes them; interpretation happens in analytics.dates.
    date_text: str = ""  # e.g. "Aug 5, 2022", "May 31", "2024-05-02 16:18:21", "2025-03-18"
    date_kind: str = ""  # what date_text means: published / updated / listed / captured
    extra: dict[str, Any] = field(default_factory=dict)  # any other field the dump has

    @property
    def source_ref(self) -> str:
        return f"{self.source_file}:{self.index}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Problem:
    """Something wrong with an input file, reported to the user and in run.json."""

    file: str
    message: str
    line: int | None = None  # 1-based, when the problem has a place in the file
    severity: str = "error"  # "error": file or record set aside; "warning": read, but note it

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ParsedFile:
    """The result of reading one dump file."""

    file: str  # file name
    path: str  # full path as given
    format: str  # detected layout, e.g. "hf_trending", "hf_daily", "sorted_updated", "plain_abstracts"
    records: list[Record] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # File-level context for date interpretation, e.g. {"page_date": "Oct 29", "capture_date": "2024-10-29"}
    context: dict[str, Any] = field(default_factory=dict)
    sha256: str = ""

    @property
    def usable(self) -> bool:
        return bool(self.records)


@dataclass
class DateInfo:
    """A paper's date with its meaning and provenance (see analytics.dates).

    `date` is ISO YYYY-MM-DD (the point estimate; for month/year precision the first day),
    `low`/`high` bound it (equal to `date` for a stated day).
    """

    date: str
    kind: str  # published / updated / listed / captured
    source: str  # where it came from: "dump", "duplicate", "arxiv_id", "text_evidence", ...
    precision: str  # day / month / year / interval
    low: str = ""
    high: str = ""
    inferred: bool = False  # True when not stated by a dump for this record
    confidence: float = 1.0
    note: str = ""  # human-readable reason, e.g. "year inferred from page date Oct 29 2024"
    # Kind "updated" is the day of the paper's latest version (a revision, or v1 if never revised), except when
    # `metadata_update` is set: an OAI snapshot's update_date is a metadata change, any time after the versions.
    # `version`: the version number the update day dates, when the record says so (None: unknown).
    metadata_update: bool = False
    version: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
