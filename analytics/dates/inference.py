"""One date per paper: the best stated date among its copies, or an inferred date (or honest interval).

`assign_dates(papers, stated)` picks one date per paper among its copies (publication beats last update beats
listing day; a listing day is kept as such). For papers with no stated publication date it combines evidence
(arXiv id, years and known models in the text, update/capture days as upper bounds, the learned gap between
first release and last revision) into an interval. A point estimate inside an interval that ends at a last
revision is the learned median gap before it (config/date_gaps.toml); otherwise the middle.

Inferred dates are never presented as stated: `date_inferred` says which is which.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from analytics.dates.evidence import (
    CONFIDENCE,
    Bound,
    EvidenceEntry,
    arxiv_id_bound,
    cited_arxiv_bound,
    combine_bounds,
    evidence_table_bound,
    load_evidence_table,
    own_arxiv_id,
    text_year_bound,
)
from analytics.dates.gaps import RevisionGaps, load_gap_table, revision_bounds
from analytics.dates.stated import best_info
from analytics.dates.written import _as_date
from analytics.records import DateInfo

DATE_COLUMNS = [
    "published", "date_kind", "date_source", "date_precision", "date_low", "date_high",
    "date_inferred", "date_confidence", "date_note",
]


def _as_list(value: Any) -> list:
    if value is None:
        return []
    if isinstance(value, float) and pd.isna(value):
        return []
    if isinstance(value, str):
        return [value] if value else []
    return list(value)


def _file_of(ref: str) -> str:
    return ref.rsplit(":", 1)[0]


def _text_of(row: dict[str, Any]) -> str:
    title = row.get("title", "")
    abstract = row.get("abstract", "")
    return f"{title if isinstance(title, str) else ''}\n{abstract if isinstance(abstract, str) else ''}"


def _empty_date() -> dict[str, Any]:
    return {"published": "", "date_kind": "", "date_source": "", "date_precision": "", "date_low": "",
            "date_high": "", "date_inferred": False, "date_confidence": 0.0, "date_note": ""}


def _from_info(info: DateInfo, source: str, note: str) -> dict[str, Any]:
    return {"published": info.date, "date_kind": info.kind, "date_source": source,
            "date_precision": info.precision, "date_low": info.low or info.date, "date_high": info.high or info.date,
            "date_inferred": bool(info.inferred), "date_confidence": float(info.confidence), "date_note": note}


def _stated_source(info: DateInfo, ref: str, sources: list[str], copies: dict[str, DateInfo]) -> tuple[str, str]:
    """`dump` when the paper's first copy says it; `duplicate` when it came from another copy."""
    primary = sources[0] if sources else ref
    note = info.note
    if ref != primary and (primary not in copies or copies[primary].kind != info.kind):
        return "duplicate", f"from copy {ref}: {note}" if note else f"from copy {ref}"
    if len(sources) > 1 and ref != primary:
        note = f"{note} (copy {ref})" if note else f"copy {ref}"
    return info.source, note


_DATING_COLUMNS = ("sources", "title", "abstract", "links", "arxiv_id")


def assign_dates(
    papers: pd.DataFrame,
    stated: dict[str, DateInfo],
    *,
    capture_dates: dict[str, str] | None = None,
    evidence_table: str | Path | list | None = None,
    infer: bool = True,
    horizon: str | None = None,
    gap_table: str | Path | RevisionGaps | None = None,
    use_revision_gaps: bool = True,
) -> pd.DataFrame:
    """One date per paper with its meaning and provenance (see module doc). Returns a copy of `papers`.

    `capture_dates` maps dump file names to the ISO day they were captured (upper bounds).
    `evidence_table`: path to a TOML table, a list of entries, or None for config/date_evidence.toml.
    `infer=False` keeps only dates the dumps state.
    `horizon`: ISO day by which all dumps were collected; default: the latest date anywhere in the input.
    It closes intervals that have only a lower bound.
    `gap_table`: the learned gap from first release to last revision (TOML path, RevisionGaps, or None for
    config/date_gaps.toml). A paper whose last revision is known gets an interval reaching back the gap 90%
    of papers stay within, and its point estimate is the last revision minus the median gap.
    `use_revision_gaps=False` leaves the gap out (last revisions are plain upper bounds, points are midpoints),
    as before the table existed; the evaluation compares the two.
    """
    out = papers.copy()
    entries = load_evidence_table(evidence_table) if infer else []
    gaps = load_gap_table(gap_table) if infer and use_revision_gaps else None
    captures = {name: d for name, value in (capture_dates or {}).items() if (d := _as_date(value))}
    horizon_day = _as_date(horizon) or _horizon(stated, captures)
    rows = [
        _date_one_paper(row, stated, captures, entries, horizon_day, infer, gaps)
        # plain dicts of the columns dating reads: much faster than iterrows, or than all columns
        for row in out[[c for c in _DATING_COLUMNS if c in out.columns]].to_dict("records")
    ]
    frame = pd.DataFrame(rows, index=out.index, columns=DATE_COLUMNS) if rows else pd.DataFrame(columns=DATE_COLUMNS)
    for column in DATE_COLUMNS:
        out[column] = frame[column] if rows else pd.Series(dtype=object)
    if len(out):
        out["date_inferred"] = out["date_inferred"].astype(bool)
        out["date_confidence"] = out["date_confidence"].astype(float)
    return out


def _horizon(stated: dict[str, DateInfo], captures: dict[str, date]) -> date | None:
    """The latest day known anywhere in the input: no paper in it can be newer than when it was collected."""
    days = [d for d in captures.values()]
    for info in stated.values():
        day = _as_date(info.high or info.date)
        if day:
            days.append(day)
    return max(days) if days else None


def _date_one_paper(row: dict[str, Any], stated: dict[str, DateInfo], captures: dict[str, date],
                    entries: list[EvidenceEntry], horizon: date | None, infer: bool,
                    gaps: RevisionGaps | None = None) -> dict[str, Any]:
    sources = [str(s) for s in _as_list(row.get("sources"))]
    copies = {ref: stated[ref] for ref in sources if ref in stated}

    published = [(ref, info) for ref, info in copies.items() if info.kind == "published"]
    if published:
        best = best_info(info for _, info in published)
        ref = next(ref for ref, info in published if info is best)
        source, note = _stated_source(best, ref, sources, copies)  # type: ignore[arg-type]
        return _from_info(best, source, note)  # type: ignore[arg-type]

    updated = [(ref, info) for ref, info in copies.items() if info.kind == "updated"]
    listed = [(ref, info) for ref, info in copies.items() if info.kind == "listed"]
    captured = [(ref, info) for ref, info in copies.items() if info.kind == "captured"]

    # Upper bounds: publication is on or before the last update, a listing day, and each capture day.
    uppers: list[Bound] = []
    gap_lowers: list[Bound] = []  # how far before a last revision the first release can lie (learned gap)
    for ref, info in updated:
        day = _as_date(info.low or info.date)
        if info.metadata_update and gaps is not None:
            # a metadata change (OAI update_date) comes any time after release: a plain upper bound, no learned gap
            uppers.append(Bound(None, day, "update_date", CONFIDENCE["update_date"],
                                f"metadata last changed {info.date} ({ref})"))
        elif gaps is not None and day is not None:
            upper, lower = revision_bounds(day, info.version, gaps, f"last updated {info.date} ({ref})")
            uppers.append(upper)
            gap_lowers.append(lower)
        else:
            uppers.append(Bound(None, day, "updated", CONFIDENCE["updated"], f"last updated {info.date} ({ref})"))
    for ref, info in listed:
        uppers.append(Bound(None, _as_date(info.date), "listed", CONFIDENCE["listed"], f"listed {info.date} ({ref})"))
    for ref, info in captured:
        uppers.append(Bound(None, _as_date(info.date), "capture_date", info.confidence if info.inferred else
                            CONFIDENCE["capture_date"], f"captured {info.date} ({ref})"))
    for ref in sources:
        day = captures.get(_file_of(ref))
        if day:
            uppers.append(Bound(None, day, "capture_date", CONFIDENCE["capture_date"],
                                f"{_file_of(ref)} captured {day.isoformat()}"))

    if infer and not listed:  # a listing day is kept as such (see module doc)
        limits = [b.high for b in uppers if b.high] + ([horizon] if horizon else [])
        lowers = evidence_bounds(row, entries, max_day=min(limits) if limits else None) + gap_lowers
        if lowers:
            bounds = lowers + uppers
            if horizon and not uppers and all(b.high is None for b in lowers):
                bounds.append(Bound(None, horizon, "horizon", CONFIDENCE["horizon"],
                                    f"latest date in the input {horizon.isoformat()} (collection horizon)"))
            estimate = combine_bounds(bounds)
            if estimate is not None and estimate.point is not None:
                return {
                    "published": estimate.point.isoformat(), "date_kind": "published",
                    "date_source": "+".join(estimate.sources), "date_precision": estimate.precision,
                    "date_low": estimate.low.isoformat(), "date_high": estimate.high.isoformat(),  # type: ignore[union-attr]
                    "date_inferred": True, "date_confidence": estimate.confidence, "date_note": estimate.note,
                }
            if estimate is not None and estimate.low is not None and not updated:
                empty = _empty_date()
                empty.update(date_kind="published", date_source="+".join(estimate.sources),
                             date_precision="interval", date_low=estimate.low.isoformat(), date_inferred=True,
                             date_note=f"published on or after {estimate.low.isoformat()}, no upper bound: {estimate.note}")
                return empty

    for group in (updated, listed):
        if group:
            best = best_info(info for _, info in group)
            ref = next(ref for ref, info in group if info is best)
            source, note = _stated_source(best, ref, sources, copies)  # type: ignore[arg-type]
            if best.kind == "updated":  # type: ignore[union-attr]
                note = f"{note}; publication date not stated (on or before this day)"
            return _from_info(best, source, note)  # type: ignore[arg-type]

    capture_bounds = [b for b in uppers if b.source == "capture_date"]
    if capture_bounds:
        tightest = min(capture_bounds, key=lambda b: b.high)  # type: ignore[arg-type,return-value]
        empty = _empty_date()
        empty.update(date_kind="captured", date_source="capture_date", date_precision="interval",
                     date_high=tightest.high.isoformat(),  # type: ignore[union-attr]
                     date_note=f"undated: published on or before {tightest.high.isoformat()} ({tightest.note})")  # type: ignore[union-attr]
        return empty
    return _empty_date()


def evidence_bounds(row: dict[str, Any], entries: list[EvidenceEntry], *, max_day: date | None = None) -> list[Bound]:
    """Lower (and for an arXiv id, upper) bounds on one paper's publication from its id and text."""
    text = _text_of(row)
    links = [str(link) for link in _as_list(row.get("links"))]
    arxiv_id = row.get("arxiv_id", "")
    arxiv_id = arxiv_id if isinstance(arxiv_id, str) else ""
    bounds: list[Bound] = []
    own_id, found_in = own_arxiv_id(arxiv_id, links)
    if own_id:
        bound = arxiv_id_bound(own_id, found_in)
        if bound:
            bounds.append(bound)
    for bound in (
        cited_arxiv_bound(text, own_id),
        text_year_bound(text, max_year=max_day.year if max_day else None),
        evidence_table_bound(text, entries, max_date=max_day),
    ):
        if bound is not None and (max_day is None or bound.low is None or bound.low <= max_day):
            bounds.append(bound)
    return bounds
