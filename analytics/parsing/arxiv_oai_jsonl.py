"""The Kaggle / Cornell `arxiv-metadata-oai-snapshot.json` (JSON lines):

    {"id":"0704.0001","submitter":"Pavel Nadolsky","authors":"C. Bal\\'azs, E. L. Berger, ...",
     "title":"Calculation of prompt diphoton ...\\n  LHC energies","comments":"37 pages","journal-ref":...,
     "doi":...,"report-no":...,"categories":"hep-ph","license":null,"abstract":"  A fully ...\\n",
     "versions":[{"version":"v1","created":"Mon, 2 Apr 2007 19:18:42 GMT"}, ...],
     "update_date":"2008-11-13","authors_parsed":[["Balázs","Csaba",""], ...]}

date_text is the v1 "created" stamp (first submission, kind "published"); the other versions
and update_date go to extra for the dates stage.
"""

from __future__ import annotations

from typing import Any

from analytics.parsing.common import as_list, bare_arxiv_id, split_author_string, unwrap
from analytics.records import Record

EXTRA_KEYS = ("submitter", "comments", "journal-ref", "doi", "report-no", "license", "versions", "update_date")


def looks_like(obj: dict[str, Any]) -> bool:
    return "abstract" in obj and ("versions" in obj or "authors_parsed" in obj or "update_date" in obj)


def _parsed_author_name(parts: Any) -> str:
    # authors_parsed entries are [last, first, suffix]
    if not isinstance(parts, list) or not parts:
        return ""
    last = str(parts[0] or "").strip()
    first = str(parts[1] or "").strip() if len(parts) > 1 else ""
    suffix = str(parts[2] or "").strip() if len(parts) > 2 else ""
    return " ".join(p for p in (first, last, suffix) if p)


def to_record(obj: dict[str, Any], file: str, index: int, line: int) -> Record:
    authors = [a for a in (_parsed_author_name(p) for p in obj.get("authors_parsed") or []) if a]
    if not authors and isinstance(obj.get("authors"), str):
        authors = split_author_string(obj["authors"])
    record = Record(
        file,
        index,
        line,
        title=unwrap(obj.get("title")),
        abstract=unwrap(obj.get("abstract")),
        authors=authors,
        author_count=len(authors) if authors else None,
        arxiv_id=bare_arxiv_id(obj.get("id")),
        categories=as_list(obj.get("categories")),
    )
    versions = obj.get("versions") or []
    if isinstance(versions, list) and versions and isinstance(versions[0], dict) and versions[0].get("created"):
        record.date_text = str(versions[0]["created"])
        record.date_kind = "published"
    if isinstance(obj.get("authors"), str):
        record.extra["authors_text"] = obj["authors"]
    for key in EXTRA_KEYS:
        if obj.get(key) not in (None, "", []):
            record.extra[key.replace("-", "_")] = obj[key]
    return record
