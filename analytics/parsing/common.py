"""Helpers shared by the format parsers: line classification, arXiv ids, warnings.

Every parser turns decoded text into a `LayoutResult`: the records it read, the
problems it found (each naming file and line) and file-level context for dates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from analytics.records import Problem, Record

# A field longer than this is not a title or an abstract but a broken dump (one enormous line).
MAX_FIELD_CHARS = 100_000


@dataclass
class LayoutResult:
    records: list[Record] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    context: dict[str, Any] = field(default_factory=dict)


# New-style ids (0704.0001 .. 2606.12345, optional version) and old-style (hep-ph/0701001).
_NEW_ID = r"\d{4}\.\d{4,5}"
_OLD_ID = r"[a-z][a-z\-]+(?:\.[A-Z]{2})?/\d{7}"
ARXIV_ID_RE = re.compile(rf"^(?:arxiv:)?({_NEW_ID}|{_OLD_ID})(?:v\d+)?$", re.IGNORECASE)
ARXIV_URL_RE = re.compile(
    rf"arxiv\.org/(?:abs|pdf|html)/({_NEW_ID}|{_OLD_ID})(?:v\d+)?", re.IGNORECASE
)
HF_PAPER_URL_RE = re.compile(rf"huggingface\.co/papers/({_NEW_ID})", re.IGNORECASE)


class JsonNumber(str):
    """The literal text of a JSON number (json.loads(parse_float=JsonNumber))."""


def arxiv_id_from_number(text: str) -> str:
    """An id written as a number lost its trailing zeros (1910.104 for 1910.10400): put them back.

    New-style ids have 4 digits after the dot up to 1412 and 5 from 1501 on.
    """
    match = re.fullmatch(r"(\d{2})(\d{2})\.(\d{1,5})", text)
    if not match:
        return ""
    yymm = int(match.group(1) + match.group(2))
    width = 5 if yymm >= 1501 else 4
    digits = match.group(3)
    if len(digits) > width:
        return ""
    return f"{match.group(1)}{match.group(2)}.{digits.ljust(width, '0')}"


def bare_arxiv_id(value: Any) -> str:
    """The arXiv id without version or prefix, or "" when `value` is not one.

    Accepts "2503.11731v2", "arXiv:2503.11731", "hep-ph/0701001", an abs/pdf URL, and ids
    written as JSON numbers (see arxiv_id_from_number). Strings must be exact.
    """
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, JsonNumber):
        return arxiv_id_from_number(str(value))
    if isinstance(value, float):
        return arxiv_id_from_number(repr(value))
    if isinstance(value, int):
        text = str(value)
    else:
        text = str(value).strip()
    if not text:
        return ""
    match = ARXIV_ID_RE.match(text)
    if match:
        return match.group(1)
    match = ARXIV_URL_RE.search(text) or HF_PAPER_URL_RE.search(text)
    if match:
        return match.group(1)
    return ""


def arxiv_id_from_links(links: list[str]) -> str:
    for link in links:
        found = bare_arxiv_id(link)
        if found:
            return found
    return ""


# Markup that would run in a browser if a report pasted the text unescaped.
_ACTIVE_MARKUP_RE = re.compile(
    r"<\s*/?\s*(script|iframe|object|embed|img|svg|style|link|meta|a)\b|javascript:|<[^>]*\bon\w+\s*=",
    re.IGNORECASE,
)


def markup_warnings(record: Record) -> list[Problem]:
    """Warn (never alter: the text is data) when a title or abstract carries HTML/script."""
    problems = []
    for name in ("title", "abstract"):
        value = getattr(record, name)
        if not value or ("<" not in value and "javascript:" not in value.lower()):
            continue  # no tag, no script URL: nothing to look for (the common, fast case)
        if _ACTIVE_MARKUP_RE.search(value):
            problems.append(
                Problem(
                    file=record.source_file,
                    line=record.line,
                    message=f"record {record.index}: {name} contains HTML/script markup; kept as text "
                    "(it must be escaped wherever it is displayed)",
                    severity="warning",
                )
            )
    return problems


def too_long(value: str) -> bool:
    return len(value) > MAX_FIELD_CHARS


def line_of_offset(text: str, offset: int) -> int:
    """1-based line number of a character offset."""
    return text.count("\n", 0, offset) + 1


def is_title_like(line: str) -> bool:
    """A line short and un-sentence-like enough to be a paper title.

    Titles in the dumps are at most ~250 characters and rarely end with a full stop;
    abstracts are paragraphs. A short abstract ("We pose 200 questions.") can look like a
    title, so callers also use the position of a line, not only this test.
    """
    text = line.strip()
    if not text or len(text) > 300:
        return False
    words = text.split()
    if len(words) > 40:
        return False
    if text.endswith(".") and len(words) > 20:
        return False
    return True


def is_abstract_like(line: str) -> bool:
    return bool(line.strip()) and not is_title_like(line)


def unwrap(value: Any) -> str:
    """Text of an export field with its hard line wrapping undone ("and\\n  LHC" -> "and LHC").

    Only line breaks (and the indentation around them) are touched; other spacing is kept.
    """
    if value is None:
        return ""
    text = str(value)
    if "\n" not in text:
        return text.strip()
    return " ".join(part.strip(" \t\r") for part in text.split("\n")).strip()


def split_author_string(value: str) -> list[str]:
    """ "A. Smith, B. Jones and C. Wu" / "A; B" -> ["A. Smith", "B. Jones", "C. Wu"]."""
    text = unwrap(value)
    if not text:
        return []
    separator = ";" if ";" in text else ","
    parts: list[str] = []
    for chunk in text.split(separator):
        parts.extend(re.split(r"\s+and\s+|\s*&\s*", chunk.strip()))
    return [p.strip() for p in parts if p.strip()]


def as_list(value: Any) -> list[str]:
    """A list field that may come as a list, a space/comma separated string, or nothing."""
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v).strip() for v in value if v is not None and str(v).strip()]
    text = str(value).strip()
    if not text:
        return []
    return [t for t in re.split(r"[,\s;]+", text) if t]


def record_is_empty(record: Record) -> bool:
    return not (record.title or record.abstract or record.arxiv_id)


def oversized_fields(record: Record) -> list[str]:
    return [name for name in ("title", "abstract") if too_long(getattr(record, name))]
