"""How many papers are dated: stated, inferred or undated, overall and per dump file, topic or any column."""

from __future__ import annotations

from typing import Any

import pandas as pd

from analytics.dates.inference import _as_list, _file_of


def _status(papers: pd.DataFrame) -> pd.Series:
    has_date = papers["published"].fillna("").astype(str) != ""
    inferred = papers["date_inferred"].fillna(False).astype(bool)
    return pd.Series(
        ["undated" if not d else ("inferred" if i else "stated") for d, i in zip(has_date, inferred)],
        index=papers.index,
    )


def _counts(papers: pd.DataFrame, status: pd.Series) -> dict[str, Any]:
    kinds = papers.loc[status != "undated", "date_kind"].value_counts().to_dict()
    bounded = int(((status == "undated") & ((papers["date_low"].fillna("") != "") |
                                             (papers["date_high"].fillna("") != ""))).sum())
    return {
        "papers": int(len(papers)),
        "stated": int((status == "stated").sum()),
        "inferred": int((status == "inferred").sum()),
        "undated": int((status == "undated").sum()),
        "undated_with_bound": bounded,
        "by_kind": {str(k): int(v) for k, v in sorted(kinds.items())},
    }


def date_coverage(papers: pd.DataFrame, by: str | None = None) -> dict[str, Any]:
    """How many papers have a stated date, an inferred date, or none; per `by` column if given.

    `by` may be a column of lists (a paper counts in each group it belongs to). `by="source_file"`
    (or `"sources"`) groups by the dump files a paper was read from.
    """
    status = _status(papers)
    result: dict[str, Any] = {"overall": _counts(papers, status)}
    if by is None:
        return result
    if by in ("source_file", "sources") and "source_file" not in papers.columns:
        keys = papers["sources"].map(lambda refs: sorted({_file_of(str(r)) for r in _as_list(refs)}))
    elif by not in papers.columns:
        raise KeyError(f"date_coverage: no column {by!r} in papers (columns: {', '.join(map(str, papers.columns))})")
    else:
        keys = papers[by].map(lambda v: _as_list(v) if isinstance(v, (list, tuple, set)) else [v])
    exploded = keys.explode().dropna()
    rows = pd.DataFrame({"key": exploded.astype(str).to_numpy(), "row": exploded.index})
    groups: dict[str, Any] = {}
    for value, group in rows.groupby("key", sort=True)["row"]:
        index = pd.Index(group.unique())
        groups[str(value)] = _counts(papers.loc[index], status.loc[index])
    result["by"] = by
    result["groups"] = dict(sorted(groups.items()))
    return result


def date_coverage_by_file(papers: pd.DataFrame) -> dict[str, dict[str, int]]:
    """Stated, inferred and undated papers per dump file (run.json, the report's file table); a paper counts
    for every file it was read from."""
    groups = date_coverage(papers, by="sources").get("groups", {})
    return {name: {key: counts[key] for key in ("stated", "inferred", "undated")} for name, counts in groups.items()}
