"""How good is date inference? Hide the dates the dumps state, infer, and compare.

For every paper whose dumps state a day (publication, or listing day for daily listings), all its
stated dates are hidden, the inference runs on what is left (arXiv id, text, evidence table,
capture days of other files, collection horizon), and the result is compared with the hidden day:
how often the day falls inside the inferred interval, how wide the intervals are, and how far the
point estimate is off.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any, Callable

import pandas as pd

from analytics.date_evidence import ARXIV_ID_IN_TEXT
from analytics.dates import assign_dates, date_coverage, file_dates, stated_dates
from analytics.records import DateInfo, ParsedFile

TRUTH_KINDS = ("published", "listed")


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _hide_arxiv_ids(papers: pd.DataFrame) -> pd.DataFrame:
    """Remove every trace of the papers' own arXiv ids: the field, arXiv links, the id in the text."""
    hidden = papers.copy()
    own_ids = hidden.get("arxiv_id", pd.Series("", index=hidden.index)).fillna("").astype(str)
    hidden["arxiv_id"] = ""
    if "links" in hidden.columns:
        hidden["links"] = hidden["links"].map(
            lambda links: [link for link in (links if isinstance(links, (list, tuple)) else [])
                           if not ARXIV_ID_IN_TEXT.search(str(link))]
        )
    for column in ("title", "abstract"):
        if column in hidden.columns:
            hidden[column] = [
                re.sub(re.escape(own), " ", text) if own and isinstance(text, str) else text
                for own, text in zip(own_ids, hidden[column])
            ]
    return hidden


def evaluate_date_inference(
    papers_with_stated: pd.DataFrame,
    stated: dict[str, DateInfo],
    *,
    capture_dates: dict[str, str] | None = None,
    evidence_table: str | Path | list | None = None,
    horizon: str | None = None,
    hide_arxiv_id: bool = False,
    truth_kinds: tuple[str, ...] = TRUTH_KINDS,
    tolerance_days: int = 7,
    stated_without_truth: dict[str, DateInfo] | None = None,
) -> dict[str, Any]:
    """Hide the stated days of dated papers, infer, and report how well the inference recovers them.

    Truth: papers whose chosen date is a stated (not inferred) day of a kind in `truth_kinds`.
    All their copies' stated dates are hidden. `capture_dates` must not leak the truth (for daily
    listings the file day *is* the truth: pass only a collection `horizon` then).
    `hide_arxiv_id=True` also removes the papers' own arXiv ids (text-only evidence).
    `horizon` (default: the latest date stated anywhere, i.e. when the collection ended) closes intervals
    that only have a lower bound, as in production.
    `stated_without_truth`: what the dumps still say once publication/listing dates are removed (e.g. a
    record's last-update day); used for the hidden papers' copies (see `stated_without_publication`).

    Returns counts, `share_inferred` (papers that get an inferred date), `coverage` (true day inside
    the interval, among inferred), `coverage_within_tolerance`, interval width and point error in days
    (median/mean), and the same split by evidence source.
    """
    truth_run = assign_dates(papers_with_stated, stated, infer=False)
    is_truth = (
        truth_run["date_kind"].isin(truth_kinds)
        & ~truth_run["date_inferred"].astype(bool)
        & (truth_run["date_precision"] == "day")
    )
    truth = truth_run.loc[is_truth, "published"]
    if truth.empty:
        return {"papers": int(len(papers_with_stated)), "evaluated": 0,
                "note": "no paper has a stated day to hide"}

    evaluated = papers_with_stated.loc[truth.index]
    hidden_refs = {str(ref) for refs in evaluated["sources"] for ref in (refs if isinstance(refs, (list, tuple)) else [])}
    hidden_stated = {ref: info for ref, info in stated.items() if ref not in hidden_refs}
    for ref, info in (stated_without_truth or {}).items():
        if ref in hidden_refs and info.kind not in truth_kinds:
            hidden_stated[ref] = info
    if hide_arxiv_id:
        evaluated = _hide_arxiv_ids(evaluated)
    if horizon is None:
        days = [info.high or info.date for info in stated.values()] + list((capture_dates or {}).values())
        horizon = max((d for d in days if d), default=None)
    inferred = assign_dates(evaluated, hidden_stated, capture_dates=capture_dates,
                            evidence_table=evidence_table, infer=True, horizon=horizon)
    return _score(truth, inferred, tolerance_days) | {
        "papers": int(len(papers_with_stated)),
        "hide_arxiv_id": hide_arxiv_id,
        "horizon": horizon or "",
        "truth_kinds": list(truth_kinds),
    }


def _score(truth: pd.Series, inferred: pd.DataFrame, tolerance_days: int) -> dict[str, Any]:
    rows = []
    for index, true_text in truth.items():
        row = inferred.loc[index]
        true_day = _day(true_text)
        got = bool(row["published"]) and bool(row["date_inferred"])
        low, high, point = _day(row["date_low"]), _day(row["date_high"]), _day(row["published"])
        rows.append({
            "got": got and low is not None and high is not None,
            "inside": got and low is not None and high is not None and low <= true_day <= high,  # type: ignore[operator]
            "near": got and low is not None and high is not None
            and (low - true_day).days <= tolerance_days and (true_day - high).days <= tolerance_days,  # type: ignore[operator]
            "width": (high - low).days + 1 if got and low and high else None,
            "error": abs((point - true_day).days) if got and point else None,  # type: ignore[operator]
            "source": row["date_source"] if got else "",
            "confidence": float(row["date_confidence"]) if got else None,
            "bounded_only": (not got) and bool(row["date_low"] or row["date_high"]),
        })
    scored = pd.DataFrame(rows)
    result = _summary(scored, tolerance_days)
    result["by_source"] = {
        source: _summary(group, tolerance_days, brief=True)
        for source, group in scored[scored["got"]].groupby("source")
    }
    return result


def _summary(scored: pd.DataFrame, tolerance_days: int, brief: bool = False) -> dict[str, Any]:
    got = scored[scored["got"]]
    widths = [w for w in got["width"] if w is not None]
    errors = [e for e in got["error"] if e is not None]
    summary: dict[str, Any] = {
        "evaluated": int(len(scored)),
        "inferred": int(len(got)),
        "share_inferred": round(len(got) / len(scored), 4) if len(scored) else 0.0,
        "coverage": round(float(got["inside"].mean()), 4) if len(got) else None,
        f"coverage_within_{tolerance_days}_days": round(float(got["near"].mean()), 4) if len(got) else None,
        "median_width_days": statistics.median(widths) if widths else None,
        "mean_width_days": round(statistics.fmean(widths), 1) if widths else None,
        "median_error_days": statistics.median(errors) if errors else None,
        "mean_error_days": round(statistics.fmean(errors), 1) if errors else None,
        "mean_confidence": round(float(got["confidence"].mean()), 3) if len(got) else None,
    }
    if not brief:
        summary["bounded_only"] = int(scored["bounded_only"].sum())
        summary["no_evidence"] = int((~scored["got"] & ~scored["bounded_only"]).sum())
    return summary


# ---------------------------------------------------------------- whole folders

PUBLICATION_FIELDS = ("published", "publicationDate", "publication_date", "year")


def stated_without_publication(parsed: ParsedFile) -> dict[str, DateInfo]:
    """`stated_dates` of the file as it would be without publication dates (update days stay)."""
    records = []
    for record in parsed.records:
        extra = {key: value for key, value in record.extra.items() if key not in PUBLICATION_FIELDS}
        versions = extra.get("versions")
        if isinstance(versions, list) and versions:
            extra["versions"] = [None] + list(versions[1:])  # keep later versions: they are update days
        keep_text = record.date_kind not in ("published", "") or "updated" in (parsed.format or "")
        records.append(replace(record, extra=extra, date_text=record.date_text if keep_text else "",
                               date_kind=record.date_kind if keep_text else ""))
    return {ref: info for ref, info in stated_dates(replace(parsed, records=records)).items()
            if info.kind not in ("published", "listed")}



def _read_folder(folder: Path, read_dump: Callable[[Path], ParsedFile]) -> list[ParsedFile]:
    paths = sorted(p for p in Path(folder).rglob("*") if p.is_file() and not p.name.startswith("."))
    return [read_dump(path) for path in paths]


def evaluate_dates_for_folder(folder: Path | str, *, evidence_table: str | Path | list | None = None,
                              tolerance_days: int = 7) -> dict[str, Any]:
    """Read every dump in `folder`, date its papers, and evaluate inference with and without arXiv ids.

    Returns {"folder", "files", "records", "papers", "coverage" (stated/inferred/undated with inference
    on), "with_arxiv_id": {...}, "text_only": {...}} where the last two come from
    `evaluate_date_inference`. Capture days of daily listing files equal their listing day (the truth),
    so they are replaced by the collection horizon (the latest day in the folder).
    """
    from analytics.dedupe import merge_records  # the parser's modules; imported here to keep dates independent
    from analytics.parsing import read_dump

    folder = Path(folder)
    parsed_files = [p for p in _read_folder(folder, read_dump) if p.records]
    stated: dict[str, DateInfo] = {}
    without_publication: dict[str, DateInfo] = {}
    capture_dates: dict[str, str] = {}
    for parsed in parsed_files:
        stated.update(stated_dates(parsed))
        without_publication.update(stated_without_publication(parsed))
        fdates = file_dates(parsed)
        if fdates.capture and not fdates.listing:
            capture_dates[parsed.file] = fdates.capture.isoformat()
    records = [record for parsed in parsed_files for record in parsed.records]
    papers = merge_records(records)
    dated = assign_dates(papers, stated, capture_dates=capture_dates, evidence_table=evidence_table)
    result: dict[str, Any] = {
        "folder": str(folder),
        "files": len(parsed_files),
        "records": len(records),
        "papers": int(len(papers)),
        "coverage": date_coverage(dated)["overall"],
    }
    for label, hide in (("with_arxiv_id", False), ("text_only", True)):
        result[label] = evaluate_date_inference(
            papers, stated, capture_dates=capture_dates, evidence_table=evidence_table,
            hide_arxiv_id=hide, tolerance_days=tolerance_days, stated_without_truth=without_publication,
        )
    return result


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.1%}" if value <= 1 else f"{value:,.1f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def summary_lines(result: dict[str, Any]) -> list[str]:
    """Human-readable lines for an `evaluate_dates_for_folder` result (CLI and bench)."""
    coverage = result["coverage"]
    seconds = f", {result['seconds']:.0f} s" if "seconds" in result else ""
    lines = [
        f"== {result['folder']}  ({result['files']} files, {result['records']:,} records, "
        f"{result['papers']:,} papers{seconds})",
        f"   dates with inference on: stated {coverage['stated']:,}, inferred {coverage['inferred']:,}, "
        f"undated {coverage['undated']:,}  (kinds {coverage['by_kind']})",
    ]
    for label in ("with_arxiv_id", "text_only"):
        r = result[label]
        if not r.get("evaluated"):
            lines.append(f"   {label}: nothing to evaluate ({r.get('note', '')})")
            continue
        tolerance_key = next(k for k in r if k.startswith("coverage_within_"))
        lines.append(
            f"   {label:>13}: hid {r['evaluated']:,} stated days; got an inferred date {_fmt(r['share_inferred'])}; "
            f"true day inside interval {_fmt(r['coverage'])} (within {tolerance_key.split('_')[2]} days "
            f"{_fmt(r[tolerance_key])}); width median {_fmt(r['median_width_days'])} d, mean "
            f"{_fmt(r['mean_width_days'])} d; point error median {_fmt(r['median_error_days'])} d, mean "
            f"{_fmt(r['mean_error_days'])} d; mean claimed confidence {_fmt(r['mean_confidence'])}"
        )
        for source, s in sorted(r["by_source"].items(), key=lambda kv: -kv[1]["evaluated"]):
            lines.append(
                f"   {'':>13}  {source:<32} n={s['evaluated']:>6,}  inside {_fmt(s['coverage']):>6}  "
                f"width median {_fmt(s['median_width_days']):>7} d  error median {_fmt(s['median_error_days'])} d"
            )
    return lines
