"""Merging the records of all dumps into one row per paper.

Copies are matched by arXiv id where known, else by normalised title, else by normalised
abstract. Abstracts are compared whole: two papers whose abstracts merely start alike stay
apart. A copy whose abstract was cut short ("...") joins the paper whose abstract it is the
start of, but only when exactly one paper fits. Records with different arXiv ids are never
merged, whatever their titles say.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from analytics.records import Record

PAPER_COLUMNS = [
    "paper_id",
    "title",
    "abstract",
    "authors",
    "author_count",
    "arxiv_id",
    "categories",
    "links",
    "upvotes",
    "sources",
    "record_refs",
]

_TRUNCATION_MARKS = ("...", "…", "[...]", "(...)")
# A cut abstract shorter than this is too generic to be matched by its start.
_MIN_PREFIX_CHARS = 80


_NON_WORD_RE = re.compile(r"[^\w]+")
_ASCII_NON_WORD_TO_SPACE = str.maketrans({chr(c): " " for c in range(128) if not (chr(c).isalnum() or chr(c) == "_")})


def normalise_text(text: str) -> str:
    """Case-, accent-, punctuation- and spacing-blind form used as a merge key."""
    if text.isascii():
        return " ".join(text.lower().translate(_ASCII_NON_WORD_TO_SPACE).split())
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(_NON_WORD_RE.split(text.casefold())).strip()


def is_truncated(text: str) -> bool:
    return text.rstrip().endswith(_TRUNCATION_MARKS)


def _strip_truncation(text: str) -> str:
    text = text.rstrip()
    for mark in _TRUNCATION_MARKS:
        if text.endswith(mark):
            return text[: -len(mark)].rstrip()
    return text


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


@dataclass
class _Paper:
    first_seen: int  # input position of its first copy: rows come out in this order
    records: list[Record] = field(default_factory=list)
    arxiv_id: str = ""


def merge_records(records: Iterable[Record]) -> pd.DataFrame:
    """One row per unique paper, in order of first appearance (see PAPER_COLUMNS)."""
    papers: list[_Paper] = []
    by_id: dict[str, _Paper] = {}
    by_title: dict[str, _Paper] = {}
    by_abstract: dict[str, _Paper] = {}
    truncated: list[tuple[int, Record, str]] = []

    positions: dict[int, int] = {}
    keys: dict[str, str] = {}  # raw text -> normalised key; daily dumps repeat papers verbatim

    def key_of(text: str) -> str:
        if text not in keys:
            keys[text] = normalise_text(text)
        return keys[text]

    # Title/abstract keys are indexed lazily: normalising 150k abstracts took ~5 s on the 75k-paper corpus,
    # and when every record has an arXiv id they are never looked up (a record with an id can only match a
    # paper without one by title/abstract). Copies wait in `unindexed` until a lookup needs the index;
    # indexing them in input order keeps the first-seen paper for each key, as eager indexing would.
    unindexed: list[tuple[Record, _Paper]] = []
    papers_without_id = 0

    def index_waiting() -> None:
        for waiting, owner in unindexed:
            if title_key := key_of(waiting.title):
                by_title.setdefault(title_key, owner)
            if not is_truncated(waiting.abstract) and (abstract_key := key_of(waiting.abstract)):
                by_abstract.setdefault(abstract_key, owner)
        unindexed.clear()

    for position, record in enumerate(records):
        positions[id(record)] = position
        paper = by_id.get(record.arxiv_id) if record.arxiv_id else None
        if paper is None and (not record.arxiv_id or papers_without_id):
            index_waiting()
            title_key = key_of(record.title)
            abstract_key = "" if is_truncated(record.abstract) else key_of(record.abstract)
            for candidate in (by_title.get(title_key) if title_key else None,
                              by_abstract.get(abstract_key) if abstract_key else None):
                if candidate is not None and (not record.arxiv_id or not candidate.arxiv_id
                                              or candidate.arxiv_id == record.arxiv_id):
                    paper = candidate
                    break
            if paper is None and not title_key and not record.arxiv_id and is_truncated(record.abstract):
                truncated.append((position, record, normalise_text(_strip_truncation(record.abstract))))
                continue
        if paper is None:
            paper = _Paper(position)
            papers.append(paper)
            papers_without_id += 1
        paper.records.append(record)
        if record.arxiv_id and not paper.arxiv_id:
            paper.arxiv_id = record.arxiv_id
            by_id.setdefault(record.arxiv_id, paper)
            papers_without_id -= 1
        unindexed.append((record, paper))

    if truncated:
        index_waiting()
    # Cut abstracts with nothing else to go by: join the one paper they are the start of.
    for position, record, prefix in truncated:
        matches = []
        if len(prefix) >= _MIN_PREFIX_CHARS:
            matches = [p for key, p in by_abstract.items() if key.startswith(prefix)]
            matches = list({id(p): p for p in matches}.values())
        if len(matches) == 1:
            paper = matches[0]
            paper.records.append(record)
            paper.records.sort(key=lambda r: positions[id(r)])
            paper.first_seen = min(paper.first_seen, position)
        else:
            papers.append(_Paper(position, records=[record]))

    papers.sort(key=lambda p: p.first_seen)
    return pd.DataFrame([_paper_row(paper) for paper in papers], columns=PAPER_COLUMNS)


def _best_title(values: list[str]) -> str:
    """The title most copies agree on (exactly as written); ties go to the first seen."""
    complete = [v for v in values if v and not is_truncated(v)]
    pool = complete or [v for v in values if v]
    if not pool:
        return ""
    counts: dict[str, int] = {}
    for value in pool:
        counts[value] = counts.get(value, 0) + 1
    return max(counts, key=lambda v: counts[v])  # dicts keep first-seen order for ties


def _best_text(values: list[str]) -> str:
    """Longest complete text; a cut one ("...") only when no complete copy exists."""
    complete = [v for v in values if v and not is_truncated(v)]
    pool = complete or [v for v in values if v]
    if not pool:
        return ""
    return max(pool, key=len)  # max keeps the first of equally long texts


def _union(lists: Iterable[list[str]]) -> list[str]:
    seen: dict[str, None] = {}
    for items in lists:
        for item in items:
            if item and item not in seen:
                seen[item] = None
    return list(seen)


def _paper_row(paper: _Paper) -> dict:
    records = paper.records
    author_lists = [r.authors for r in records if r.authors]
    authors = max(author_lists, key=len) if author_lists else []
    counts = [r.author_count for r in records if r.author_count is not None]
    author_count = len(authors) if authors else (max(counts) if counts else None)
    upvotes = [r.upvotes for r in records if r.upvotes is not None]
    title = _best_title([r.title for r in records])
    abstract = _best_text([r.abstract for r in records])
    if paper.arxiv_id:
        paper_id = f"arxiv:{paper.arxiv_id}"
    elif title:
        paper_id = f"title:{_digest(normalise_text(title))}"
    elif abstract:
        paper_id = f"abstract:{_digest(normalise_text(abstract))}"
    else:
        paper_id = f"record:{_digest(records[0].source_ref)}"
    refs = [r.source_ref for r in records]
    return {
        "paper_id": paper_id,
        "title": title,
        "abstract": abstract,
        "authors": list(authors),
        "author_count": author_count,
        "arxiv_id": paper.arxiv_id,
        "categories": _union(r.categories for r in records),
        "links": _union(r.links for r in records),
        "upvotes": max(upvotes) if upvotes else None,
        "sources": refs,
        "record_refs": list(refs),
    }
