"""Bare abstracts, one per line (no titles, no metadata)."""

from __future__ import annotations

from analytics.parsing.common import LayoutResult, too_long
from analytics.records import Problem, Record


def parse(text: str, file: str) -> LayoutResult:
    result = LayoutResult()
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if not line:
            continue
        if too_long(line):
            result.problems.append(Problem(file, f"line is {len(line):,} characters long; set aside", number))
            continue
        result.records.append(Record(file, len(result.records), number, abstract=line))
    return result
