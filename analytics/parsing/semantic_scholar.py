"""Semantic Scholar Graph API JSON: paper objects, /paper/search (and /search/bulk) envelopes
{"total", "offset", "next"|"token", "data": [papers]}, /paper/batch lists, author objects with
"papers", and citation/reference objects ("citingPaper" / "citedPaper").

Only the listed papers become records (not each paper's citations or references). The
publication date ("publicationDate", else "year") is the record's date, kind "published".
"""

from __future__ import annotations

import json
from typing import Any

from analytics.parsing.common import bare_arxiv_id, unwrap
from analytics.records import Record

EXTRA_KEYS = (
    "paperId", "corpusId", "externalIds", "venue", "year", "publicationDate", "publicationTypes",
    "fieldsOfStudy", "citationCount", "referenceCount", "influentialCitationCount", "isOpenAccess", "journal",
)


def is_paper(obj: Any) -> bool:
    return isinstance(obj, dict) and "paperId" in obj


def looks_like(doc: Any) -> bool:
    return bool(paper_objects(doc))


def paper_objects(doc: Any) -> list[dict[str, Any]]:
    """The papers a Graph API response lists, in order."""
    if isinstance(doc, list):
        return [p for p in doc if is_paper(p)]
    if not isinstance(doc, dict):
        return []
    if is_paper(doc):
        return [doc]
    if isinstance(doc.get("data"), list):
        return [p for p in doc["data"] if is_paper(p)]
    if isinstance(doc.get("papers"), list):  # an author object
        return [p for p in doc["papers"] if is_paper(p)]
    for key in ("citingPaper", "citedPaper"):
        if is_paper(doc.get(key)):
            return [doc[key]]
    return []


def to_record(obj: dict[str, Any], file: str, index: int, line: int) -> Record:
    external = obj.get("externalIds") or {}
    authors = [
        unwrap(a.get("name")) for a in (obj.get("authors") or []) if isinstance(a, dict) and unwrap(a.get("name"))
    ]
    record = Record(
        file,
        index,
        line,
        title=unwrap(obj.get("title")),
        abstract=unwrap(obj.get("abstract")),
        authors=authors,
        author_count=len(authors) if authors else None,
        arxiv_id=bare_arxiv_id(external.get("ArXiv")) if isinstance(external, dict) else "",
    )
    if obj.get("url"):
        record.links.append(str(obj["url"]))
    pdf = obj.get("openAccessPdf")
    if isinstance(pdf, dict) and pdf.get("url"):
        record.links.append(str(pdf["url"]))
    if obj.get("publicationDate"):
        record.date_text, record.date_kind = str(obj["publicationDate"]), "published"
    elif obj.get("year"):
        record.date_text, record.date_kind = str(obj["year"]), "published"
    for key in EXTRA_KEYS:
        if obj.get(key) not in (None, "", [], {}):
            record.extra[key] = obj[key]
    tldr = obj.get("tldr")
    if isinstance(tldr, dict) and tldr.get("text"):
        record.extra["tldr"] = tldr["text"]
    return record


def find_line(text: str, paper: dict[str, Any], start: int) -> tuple[int, int]:
    """(1-based line, offset) where this paper's id appears in the raw text, searching from `start`."""
    needle = json.dumps(paper.get("paperId"))
    offset = text.find(needle, start)
    if offset < 0:
        return 1, start
    return text.count("\n", 0, offset) + 1, offset + len(needle)
