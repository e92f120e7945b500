"""Hugging Face "trending papers" pages copied as text: a title line, then its abstract line.

    Get trending papers in your email inbox once a day!
    Get trending papers in your email inbox!
    SubscribeDeepArchitect: Automatically Designing ...      <- "Subscribe" glued to the first title
    In deep learning, performance is strongly affected ...   <- abstract
    Label-Agnostic Forgetting: ...                           <- next title
"""

from __future__ import annotations

import re

from analytics.parsing.common import LayoutResult, is_abstract_like, is_title_like, too_long
from analytics.records import Problem, Record

HEADER_LINES = {
    "get trending papers in your email inbox once a day!",
    "get trending papers in your email inbox!",
    "subscribe",
    "trending papers",
}
_SUBSCRIBE_GLUE = re.compile(r"^Subscribe(?=\S)")


def looks_like(lines: list[str]) -> bool:
    if any(line.strip().lower().startswith("get trending papers in your email inbox") for line in lines[:5]):
        return True
    return False


def parse(text: str, file: str) -> LayoutResult:
    result = LayoutResult()
    lines = text.split("\n")
    # (line number, text) of meaningful lines; header lines and blank lines dropped.
    body: list[tuple[int, str]] = []
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        if line.lower() in HEADER_LINES and not body:
            continue
        if not body:
            line = _SUBSCRIBE_GLUE.sub("", line)
        body.append((number, line))
    result.records, result.problems = pair_titles_and_abstracts(body, file)
    return result


def pair_titles_and_abstracts(
    body: list[tuple[int, str]], file: str
) -> tuple[list[Record], list[Problem]]:
    """Alternate title / abstract lines, tolerating a missing line on either side.

    A title-like line in abstract position is a short abstract unless the line after it
    is clearly an abstract (then the previous title lost its abstract).
    """
    records: list[Record] = []
    problems: list[Problem] = []
    i = 0
    while i < len(body):
        number, line = body[i]
        if too_long(line):
            problems.append(Problem(file, f"line is {len(line):,} characters long; set aside", number))
            i += 1
            continue
        if not is_title_like(line):
            # An abstract with no title before it.
            problems.append(
                Problem(file, "abstract without a title line; kept with an empty title", number, "warning")
            )
            records.append(Record(file, len(records), number, abstract=line))
            i += 1
            continue
        title = line
        abstract = ""
        nxt = body[i + 1][1] if i + 1 < len(body) else None
        after = body[i + 2][1] if i + 2 < len(body) else None
        if nxt is not None and not too_long(nxt):
            if is_abstract_like(nxt) or after is None or not is_abstract_like(after):
                abstract = nxt
        if abstract:
            i += 2
        else:
            i += 1
            where = "at the end of the file (truncated?)" if nxt is None else "before the next title"
            problems.append(Problem(file, f"title without an abstract {where}", number, "warning"))
        records.append(Record(file, len(records), number, title=title, abstract=abstract))
    return records, problems
