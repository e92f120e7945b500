"""Hugging Face "Daily Papers" pages copied as text.

    Daily Papers
    byAK and the research community
    Oct 29                                   <- page date (yearless)
    Branch-Train-Merge: Embarrassingly ...   <- title
    We present Branch-Train-Merge ...        <- abstract
      • 7 authors                            <- author count, or a submitting organisation line
    ·
    Aug 5, 2022                              <- the paper's date; "May 31" has no year;
                                                "May 6, 2023 7" carries 7 upvotes
Blank lines separate everything; any of the lines after the title may be missing.
"""

from __future__ import annotations

import re

from analytics.parsing.common import LayoutResult, is_abstract_like, is_title_like, too_long
from analytics.records import Problem, Record

MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
# "Aug 5, 2022", "May 31", optionally followed by an upvote count.
DATE_LINE_RE = re.compile(rf"^((?:{MONTHS}) \d{{1,2}}(?:, \d{{4}})?)(?: (\d+))?$")
AUTHOR_COUNT_RE = re.compile(r"^(?:[•·\-*]\s*)?(\d+) authors?$")
SEPARATOR = "·"
HEADER_LINES = {
    "new",
    "get trending papers in your email inbox!",
    "get trending papers in your email inbox once a day!",
    "subscribe",
    "daily papers",
    "byak and the research community",
}


def looks_like(lines: list[str]) -> bool:
    stripped = [line.strip() for line in lines]
    if "Daily Papers" in stripped[:20]:
        return True
    counts = sum(1 for line in stripped if AUTHOR_COUNT_RE.match(line))
    separators = sum(1 for line in stripped if line == SEPARATOR)
    return counts >= 2 or separators >= 2


def _kind(line: str) -> str:
    if AUTHOR_COUNT_RE.match(line):
        return "count"
    if line == SEPARATOR:
        return "sep"
    if DATE_LINE_RE.match(line):
        return "date"
    return "text"


def parse(text: str, file: str) -> LayoutResult:
    result = LayoutResult()
    body: list[tuple[int, str]] = [
        (number, raw.strip()) for number, raw in enumerate(text.split("\n"), start=1) if raw.strip()
    ]
    # Header: known banner lines, then the page date, before the first title.
    i = 0
    while i < len(body) and body[i][1].lower() in HEADER_LINES:
        i += 1
    if i < len(body) and _kind(body[i][1]) == "date":
        result.context["page_date"] = body[i][1]
        i += 1

    def kind_at(j: int) -> str | None:
        return _kind(body[j][1]) if j < len(body) else None

    while i < len(body):
        number, line = body[i]
        if too_long(line):
            result.problems.append(Problem(file, f"line is {len(line):,} characters long; set aside", number))
            i += 1
            continue
        if _kind(line) != "text":
            result.problems.append(
                Problem(file, f"unexpected line {line!r} outside a record; skipped", number, "warning")
            )
            i += 1
            continue
        record = Record(file, len(result.records), number)
        if is_title_like(line):
            record.title = line
            i += 1
        else:
            result.problems.append(
                Problem(file, "abstract without a title line; kept with an empty title", number, "warning")
            )
        # Abstract: the next text line, unless it is the organisation line (followed by "·")
        # or the next title (a title-like line followed by an abstract-like line).
        # (A line before "·" is the organisation line when it is short, the abstract when long.)
        if record.title and kind_at(i) == "text" and (kind_at(i + 1) != "sep" or is_abstract_like(body[i][1])):
            candidate = body[i][1]
            after = body[i + 1][1] if i + 1 < len(body) else None
            if is_abstract_like(candidate) or after is None or not is_abstract_like(after) or kind_at(i + 1) != "text":
                if too_long(candidate):
                    result.problems.append(
                        Problem(file, f"line is {len(candidate):,} characters long; set aside", body[i][0])
                    )
                else:
                    record.abstract = candidate
                i += 1
        elif not record.title:
            record.abstract = line
            i += 1
        # Author count, or an organisation / submitter line standing before the "·".
        if kind_at(i) == "count":
            record.author_count = int(AUTHOR_COUNT_RE.match(body[i][1]).group(1))
            i += 1
        elif kind_at(i) == "text" and kind_at(i + 1) == "sep":
            record.extra["organization"] = body[i][1]
            i += 1
        if kind_at(i) == "sep":
            i += 1
        if kind_at(i) == "date":
            match = DATE_LINE_RE.match(body[i][1])
            record.date_text = match.group(1)
            record.date_kind = "published"
            if match.group(2):
                record.upvotes = int(match.group(2))
            i += 1
        missing = [
            name
            for name, present in (
                ("abstract", record.abstract),
                ("author count", record.author_count is not None or "organization" in record.extra),
                ("date", record.date_text),
            )
            if not present
        ]
        if missing:
            result.problems.append(
                Problem(file, f"record {record.index} lacks its {' and '.join(missing)} line(s); kept without", number, "warning")
            )
        result.records.append(record)
    return result
