"""From parsed dumps to the papers table: one row per paper (duplicates across dumps merged), with its dates,
its text for embedding and that text's content hash."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from analytics.dates import assign_dates, stated_dates
from analytics.dedupe import merge_records
from analytics.embedding import content_hash, paper_text
from analytics.records import ParsedFile


def papers_from_dumps(parsed_files: list[ParsedFile], *, evidence_table: Path | None,
                      gap_table: Path | None) -> pd.DataFrame:
    """`evidence_table` and `gap_table` ([dates] in the config) feed the date inference; None leaves it
    without them."""
    stated: dict[str, Any] = {}
    for parsed in parsed_files:
        stated.update(stated_dates(parsed))
    records = [record for parsed in parsed_files for record in parsed.records]
    papers = merge_records(records)
    capture_dates = {p.file: p.context.get("capture_date") for p in parsed_files if p.context.get("capture_date")}
    papers = assign_dates(papers, stated, capture_dates=capture_dates, evidence_table=evidence_table, infer=True,
                          gap_table=gap_table)
    papers["text"] = [paper_text(t, a) for t, a in zip(papers["title"], papers["abstract"])]
    papers["content_hash"] = papers["text"].map(content_hash)
    return papers
