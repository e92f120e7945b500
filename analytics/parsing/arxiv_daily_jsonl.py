"""Daily arXiv listing scrapes, one JSON object per line:

    {"id": "2507.02257", "categories": ["cs.GR"], "pdf": "https://arxiv.org/pdf/2507.02257",
     "abs": "https://arxiv.org/abs/2507.02257", "authors": ["Stephen Pasch", ...],
     "title": "...", "comment": "SIGGRAPH 2025 Posters", "summary": "...abstract, hard-wrapped..."}

The records carry no date; the listing day is usually the file name (the dates stage reads it there:
`capture_date_from_name`).
"""

from __future__ import annotations

from typing import Any

from analytics.parsing.common import as_list, bare_arxiv_id, split_author_string, unwrap
from analytics.records import Record

KNOWN_KEYS = {"id", "categories", "pdf", "abs", "authors", "title", "comment", "summary"}


def looks_like(obj: dict[str, Any]) -> bool:
    return "summary" in obj and "title" in obj and ("abs" in obj or "pdf" in obj or "id" in obj)


def to_record(obj: dict[str, Any], file: str, index: int, line: int) -> Record:
    links = [str(obj[k]) for k in ("abs", "pdf") if obj.get(k)]
    record = Record(
        file,
        index,
        line,
        title=unwrap(obj.get("title")),
        abstract=unwrap(obj.get("summary")),
        authors=_authors(obj.get("authors")),
        arxiv_id=bare_arxiv_id(obj.get("id")) or bare_arxiv_id(obj.get("abs") or ""),
        categories=as_list(obj.get("categories")),
        links=links,
    )
    if record.authors:
        record.author_count = len(record.authors)
    if obj.get("comment"):
        record.extra["comment"] = unwrap(obj["comment"])
    for key, value in obj.items():
        if key not in KNOWN_KEYS and value not in (None, "", []):
            record.extra[key] = value
    return record


def _authors(value: Any) -> list[str]:
    if isinstance(value, list):
        return [unwrap(v) for v in value if v is not None and unwrap(v)]
    if isinstance(value, str):
        return split_author_string(value)
    return []
