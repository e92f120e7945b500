"""Generic exports: CSV/TSV with a header, JSON lines or a JSON array of objects.

Which column holds which field comes from a column mapping (config key
`parsing.column_mapping`, a table of Record field -> column name), e.g.

    [parsing.column_mapping]
    title = "paper_title"
    abstract = "summary"
    authors = "author_names"     # list, or "A, B and C" / "A; B"
    arxiv_id = "id"              # also found inside link columns
    categories = "cats"          # list or space-separated, primary first
    links = "url"                # one column or a list of columns
    upvotes = "likes"
    date_text = "published"
    date_kind = "published"      # a constant: what the date column means (default "published")

Without a mapping, common column names are recognised (DEFAULT_COLUMNS). Every other
column is kept in Record.extra.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from analytics.parsing.common import (
    JsonNumber,
    LayoutResult,
    arxiv_id_from_links,
    as_list,
    bare_arxiv_id,
    split_author_string,
    unwrap,
)
from analytics.records import Problem, Record

DEFAULT_COLUMNS: dict[str, tuple[str, ...]] = {
    "title": ("title", "paper_title"),
    "abstract": ("abstract", "summary", "paper_abstract"),
    "authors": ("authors", "author", "author_names", "creators"),
    "arxiv_id": ("arxiv_id", "arxivid", "arxiv", "id", "paper_id"),
    "categories": ("primary_cat", "primary_category", "categories", "category", "cats"),
    "links": ("url", "link", "links", "abs", "abs_url", "pdf", "pdf_url"),
    "upvotes": ("upvotes", "likes", "votes"),
    "date_text": ("published", "date", "publication_date", "published_date", "submitted", "created"),
}


def resolve_mapping(columns: list[str], column_mapping: dict | None) -> dict[str, list[str]]:
    """Record field -> the columns that feed it (a given mapping wins over the defaults)."""
    present = {c.strip().lower(): c for c in columns}
    resolved: dict[str, list[str]] = {}
    mapping = dict(column_mapping or {})
    for field_name, names in DEFAULT_COLUMNS.items():
        if field_name in mapping:
            wanted = mapping[field_name]
            wanted = [wanted] if isinstance(wanted, str) else list(wanted)
            resolved[field_name] = [present[w.lower()] for w in wanted if w.lower() in present]
        else:
            found = [present[n] for n in names if n in present]
            if field_name not in ("categories", "links"):
                found = found[:1]
            resolved[field_name] = found
    return resolved


def has_paper_columns(columns: list[str], column_mapping: dict | None) -> bool:
    resolved = resolve_mapping(columns, column_mapping)
    return bool(resolved["title"] or resolved["abstract"])


def to_record(
    row: dict[str, Any], mapping: dict[str, list[str]], column_mapping: dict | None,
    file: str, index: int, line: int,
) -> Record:
    record = Record(file, index, line)
    used: set[str] = set()

    def first(field_name: str) -> Any:
        for column in mapping.get(field_name, []):
            used.add(column)
            value = row.get(column)
            if value not in (None, ""):
                return value
        return None

    record.title = unwrap(first("title"))
    record.abstract = unwrap(first("abstract"))
    authors = first("authors")
    if isinstance(authors, list):
        record.authors = [unwrap(a if not isinstance(a, dict) else a.get("name")) for a in authors]
        record.authors = [a for a in record.authors if a]
    elif authors is not None:
        record.authors = split_author_string(str(authors))
    record.author_count = len(record.authors) if record.authors else None
    categories: list[str] = []
    for column in mapping.get("categories", []):
        used.add(column)
        for category in as_list(row.get(column)):
            if category not in categories:
                categories.append(category)
    record.categories = categories
    for column in mapping.get("links", []):
        used.add(column)
        value = row.get(column)
        for link in value if isinstance(value, list) else [value]:
            if link not in (None, "") and str(link) not in record.links:
                record.links.append(str(link))
    id_value = first("arxiv_id")
    record.arxiv_id = bare_arxiv_id(id_value) or arxiv_id_from_links(record.links)
    if isinstance(id_value, JsonNumber) and record.arxiv_id:
        record.extra["id_as_written"] = str(id_value)  # a number: trailing zeros were restored
    if id_value is not None and not bare_arxiv_id(id_value):
        record.extra["id"] = id_value  # some other identifier: keep it, it is not an arXiv id
    upvotes = first("upvotes")
    if upvotes is not None:
        try:
            record.upvotes = int(str(upvotes).strip())
        except ValueError:
            record.extra["upvotes_text"] = upvotes
    date = first("date_text")
    if date is not None:
        record.date_text = unwrap(date)
        record.date_kind = str((column_mapping or {}).get("date_kind", "published"))
    for column, value in row.items():
        if column not in used and column is not None and value not in (None, "", []):
            record.extra[column] = value
    return record


def parse_csv(text: str, file: str, column_mapping: dict | None) -> LayoutResult:
    result = LayoutResult()
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    columns = reader.fieldnames or []
    mapping = resolve_mapping(columns, column_mapping)
    previous_end = reader.line_num  # the header
    try:
        for row in reader:
            line = previous_end + 1  # rows with quoted newlines span several lines
            previous_end = reader.line_num
            if None in row:
                result.problems.append(
                    Problem(file, f"row has {len(columns) + len(row[None])} fields, header has {len(columns)}; extra fields kept in extra", line, "warning")
                )
                row["_extra_fields"] = row.pop(None)
            if all(v in (None, "") for k, v in row.items() if k != "_extra_fields"):
                continue
            if any(v is None for v in row.values()):
                result.problems.append(
                    Problem(file, "row has fewer fields than the header (truncated record?); read what is there", line, "warning")
                )
            record = to_record(row, mapping, column_mapping, file, len(result.records), line)
            result.records.append(record)
    except csv.Error as error:
        result.problems.append(Problem(file, f"CSV error ({error}); rest of file set aside", reader.line_num))
    return result


def looks_like_csv(text: str, column_mapping: dict | None) -> bool:
    first_line = text.lstrip("\ufeff").split("\n", 1)[0].strip()
    if not first_line or ("," not in first_line and "\t" not in first_line):
        return False
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    try:
        columns = next(csv.reader([first_line], delimiter=delimiter))
    except (csv.Error, StopIteration):
        return False
    if len(columns) < 2 or any(len(c) > 60 for c in columns):
        return False
    return has_paper_columns(columns, column_mapping)
