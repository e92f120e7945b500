"""arXiv API responses (Atom XML), current and old layouts, empty results and error bodies.

Each <entry> is a paper: id (abs URL with version), title, summary, published, updated,
authors, categories (arxiv:primary_category first), links, arxiv:comment/journal_ref/doi.
An error response is a feed whose single entry has title "Error" and an id under
/api/errors; it becomes a problem, not a record.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from analytics.parsing.common import LayoutResult, bare_arxiv_id, line_of_offset, unwrap
from analytics.records import Problem, Record

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"


def looks_like(text: str) -> bool:
    head = text.lstrip()[:2000]
    return head.startswith("<") and "http://www.w3.org/2005/Atom" in head and "<feed" in head


def parse(text: str, file: str) -> LayoutResult:
    result = LayoutResult()
    try:
        root = ET.fromstring(text.lstrip().encode("utf-8"))
    except ET.ParseError as error:
        line = error.position[0] if hasattr(error, "position") else None
        result.problems.append(Problem(file, f"Atom XML is not well-formed ({error}); set aside", line))
        return result
    if root.tag != f"{ATOM}feed":
        result.problems.append(Problem(file, f"XML root is <{root.tag}>, not an Atom <feed>; set aside", 1))
        return result
    feed_updated = root.findtext(f"{ATOM}updated")
    if feed_updated:
        result.context["capture_date"] = feed_updated.strip()
    total = root.findtext(f"{OPENSEARCH}totalResults")
    if total is not None:
        result.context["total_results"] = total.strip()
    entry_offsets = [m.start() for m in re.finditer(r"<entry[\s>]", text)]
    for n, entry in enumerate(root.findall(f"{ATOM}entry")):
        line = line_of_offset(text, entry_offsets[n]) if n < len(entry_offsets) else None
        entry_id = (entry.findtext(f"{ATOM}id") or "").strip()
        title = unwrap(entry.findtext(f"{ATOM}title"))
        if "/api/errors" in entry_id or (title == "Error" and not bare_arxiv_id(entry_id)):
            message = unwrap(entry.findtext(f"{ATOM}summary")) or entry_id
            result.problems.append(Problem(file, f"arXiv API error response: {message}", line))
            continue
        record = Record(file, len(result.records), line or 1, title=title)
        record.abstract = unwrap(entry.findtext(f"{ATOM}summary"))
        record.arxiv_id = bare_arxiv_id(entry_id)
        record.authors = [
            unwrap(author.findtext(f"{ATOM}name")) for author in entry.findall(f"{ATOM}author")
            if unwrap(author.findtext(f"{ATOM}name"))
        ]
        record.author_count = len(record.authors) if record.authors else None
        primary = entry.find(f"{ARXIV}primary_category")
        categories = [primary.get("term")] if primary is not None and primary.get("term") else []
        for category in entry.findall(f"{ATOM}category"):
            term = category.get("term")
            if term and term not in categories:
                categories.append(term)
        record.categories = categories
        record.links = [link.get("href") for link in entry.findall(f"{ATOM}link") if link.get("href")]
        if entry_id and not record.links:
            record.links.append(entry_id)
        published = (entry.findtext(f"{ATOM}published") or "").strip()
        if published:
            record.date_text = published
            record.date_kind = "published"
        updated = (entry.findtext(f"{ATOM}updated") or "").strip()
        if updated:
            record.extra["updated"] = updated
        version = re.search(r"v(\d+)$", entry_id)
        if version:
            record.extra["version"] = int(version.group(1))
        for tag in ("comment", "journal_ref", "doi"):
            value = unwrap(entry.findtext(f"{ARXIV}{tag}"))
            if value:
                record.extra[tag] = value
        result.records.append(record)
    if not result.records and not result.problems:
        result.problems.append(
            Problem(file, f"arXiv API response with no entries (totalResults {total or '?'}); nothing to read")
        )
    elif not result.records:
        result.problems.append(Problem(file, "arXiv API response holds only errors; set aside")
        )
    return result
