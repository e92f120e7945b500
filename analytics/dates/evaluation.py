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

from analytics.dates.coverage import date_coverage
from analytics.dates.evidence import ARXIV_ID_IN_TEXT
from analytics.dates.gaps import RevisionGaps
from analytics.dates.inference import assign_dates
from analytics.dates.stated import file_dates, stated_dates
from analytics.records import DateInfo, ParsedFile

TRUTH_KINDS = ("published", "listed")
# Inferred intervals at most this wide count as "trend ready" in the summaries below (the default limit of the
# former dates_for_trends; analytics/trends.py now places a date by the periods its interval spans instead).
TREND_MAX_INTERVAL_DAYS = 400


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
    gap_table: str | Path | RevisionGaps | None = None,
    use_revision_gaps: bool = True,
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
    `gap_table` / `use_revision_gaps`: as in `assign_dates` (the learned gap before a last revision).

    Returns counts, `share_inferred` (papers that get an inferred date), `coverage` (true day inside
    the interval, among inferred), `coverage_within_tolerance`, interval width and point error in days
    (median/mean), and the same split by evidence source.
    """
    hidden = _hide_truth(papers_with_stated, stated, capture_dates=capture_dates, horizon=horizon,
                         hide_arxiv_id=hide_arxiv_id, truth_kinds=truth_kinds,
                         stated_without_truth=stated_without_truth)
    if hidden is None:
        return {"papers": int(len(papers_with_stated)), "evaluated": 0,
                "note": "no paper has a stated day to hide"}
    truth, evaluated, hidden_stated, horizon = hidden
    inferred = assign_dates(evaluated, hidden_stated, capture_dates=capture_dates, evidence_table=evidence_table,
                            infer=True, horizon=horizon, gap_table=gap_table, use_revision_gaps=use_revision_gaps)
    scored = _scored(truth, inferred, tolerance_days)
    return _summary_with_sources(scored, tolerance_days) | {
        "papers": int(len(papers_with_stated)),
        "hide_arxiv_id": hide_arxiv_id,
        "horizon": horizon or "",
        "truth_kinds": list(truth_kinds),
    }


def compare_point_estimates(
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
    gap_table: str | Path | RevisionGaps | None = None,
) -> dict[str, Any]:
    """`evaluate_date_inference` twice on the same hidden papers: before (midpoints, no learned gap) and after
    (the learned gap before a last revision), plus `last_revision`: the papers whose interval after ends at
    a last-revision day, with their point error and interval before and after, compared paper by paper.
    """
    hidden = _hide_truth(papers_with_stated, stated, capture_dates=capture_dates, horizon=horizon,
                         hide_arxiv_id=hide_arxiv_id, truth_kinds=truth_kinds,
                         stated_without_truth=stated_without_truth)
    if hidden is None:
        empty = {"papers": int(len(papers_with_stated)), "evaluated": 0, "note": "no paper has a stated day to hide"}
        return {"before": empty, "after": empty, "last_revision": {"papers": 0}}
    truth, evaluated, hidden_stated, horizon = hidden
    meta = {"papers": int(len(papers_with_stated)), "hide_arxiv_id": hide_arxiv_id, "horizon": horizon or "",
            "truth_kinds": list(truth_kinds)}
    scored = {}
    for label, use_gaps in (("before", False), ("after", True)):
        inferred = assign_dates(evaluated, hidden_stated, capture_dates=capture_dates, evidence_table=evidence_table,
                                infer=True, horizon=horizon, gap_table=gap_table, use_revision_gaps=use_gaps)
        scored[label] = _scored(truth, inferred, tolerance_days)
    result = {label: _summary_with_sources(frame, tolerance_days) | meta for label, frame in scored.items()}
    result["last_revision"] = _paired_last_revision(scored["before"], scored["after"])
    return result


def _paired_last_revision(before: pd.DataFrame, after: pd.DataFrame) -> dict[str, Any]:
    """Papers whose interval (after) ends at a last revision: the same papers before and after."""
    closed = after["got"] & after["source"].str.split("+").map(lambda parts: "updated" in parts)
    both = closed & before["got"]

    def median(values: pd.Series) -> float | None:
        values = values.dropna()
        return float(statistics.median(values)) if len(values) else None

    return {
        "papers": int(closed.sum()),
        "dated_before": int(both.sum()),  # the rest had no inferred publication date before (an update day only)
        "coverage_before": round(float(before.loc[both, "inside"].mean()), 4) if both.any() else None,
        "coverage_after": round(float(after.loc[closed, "inside"].mean()), 4) if closed.any() else None,
        "median_width_days_before": median(before.loc[both, "width"]),
        "median_width_days_after": median(after.loc[closed, "width"]),
        "median_error_days_before": median(before.loc[both, "error"]),
        "median_error_days_after_same_papers": median(after.loc[both, "error"]),
        "median_error_days_after": median(after.loc[closed, "error"]),
        "mean_error_days_before": round(float(before.loc[both, "error"].mean()), 1) if both.any() else None,
        "mean_error_days_after_same_papers": round(float(after.loc[both, "error"].mean()), 1) if both.any() else None,
    }


def _hide_truth(papers_with_stated: pd.DataFrame, stated: dict[str, DateInfo], *, capture_dates, horizon,
                hide_arxiv_id: bool, truth_kinds: tuple[str, ...], stated_without_truth):
    """(true days, papers to date, what the dumps still say, horizon), or None when no paper has a stated day."""
    truth_run = assign_dates(papers_with_stated, stated, infer=False)
    is_truth = (
        truth_run["date_kind"].isin(truth_kinds)
        & ~truth_run["date_inferred"].astype(bool)
        & (truth_run["date_precision"] == "day")
    )
    truth = truth_run.loc[is_truth, "published"]
    if truth.empty:
        return None
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
    return truth, evaluated, hidden_stated, horizon


def _scored(truth: pd.Series, inferred: pd.DataFrame, tolerance_days: int) -> pd.DataFrame:
    """One row per hidden paper: did it get an inferred date, is the true day inside, width, point error."""
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
    return pd.DataFrame(rows, index=truth.index).astype({"width": float, "error": float})


def _summary_with_sources(scored: pd.DataFrame, tolerance_days: int) -> dict[str, Any]:
    result = _summary(scored, tolerance_days)
    result["by_source"] = {
        source: _summary(group, tolerance_days, brief=True)
        for source, group in scored[scored["got"]].groupby("source")
    }
    return result


def _summary(scored: pd.DataFrame, tolerance_days: int, brief: bool = False) -> dict[str, Any]:
    got = scored[scored["got"]]
    widths = got["width"].dropna().tolist()
    errors = got["error"].dropna().tolist()
    summary: dict[str, Any] = {
        "evaluated": int(len(scored)),
        "inferred": int(len(got)),
        "share_inferred": round(len(got) / len(scored), 4) if len(scored) else 0.0,
        "coverage": round(float(got["inside"].mean()), 4) if len(got) else None,
        f"coverage_within_{tolerance_days}_days": round(float(got["near"].mean()), 4) if len(got) else None,
        # share of inferred intervals narrow enough for trends to count them (TREND_MAX_INTERVAL_DAYS)
        "share_trend_ready": round(sum(w <= TREND_MAX_INTERVAL_DAYS for w in widths) / len(widths), 4)
        if widths else None,
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
                              gap_table: str | Path | RevisionGaps | None = None,
                              tolerance_days: int = 7) -> dict[str, Any]:
    """Read every dump in `folder`, date its papers, and evaluate inference with and without arXiv ids,
    before (midpoints, no learned gap) and after (the learned gap before a last revision).

    Returns {"folder", "files", "records", "papers", "revision_days", "coverage": {"before", "after"}
    (see `coverage_summary`), "with_arxiv_id": {...}, "text_only": {...}, and when records carry version
    numbers "text_only_no_versions": {...}} where the last ones come from `compare_point_estimates`.
    When no paper has a last-revision day the gap changes nothing: "before" is then the same run as "after".
    Capture days of daily listing files equal their listing day (the truth), so they are replaced by the
    collection horizon (the latest day in the folder).
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
    revision_refs = {ref for infos in (stated, without_publication) for ref, info in infos.items()
                     if info.kind == "updated" and not info.metadata_update}
    dated_after = assign_dates(papers, stated, capture_dates=capture_dates, evidence_table=evidence_table,
                               gap_table=gap_table)
    dated_before = dated_after if not revision_refs else assign_dates(
        papers, stated, capture_dates=capture_dates, evidence_table=evidence_table, use_revision_gaps=False)
    result: dict[str, Any] = {
        "folder": str(folder),
        "files": len(parsed_files),
        "records": len(records),
        "papers": int(len(papers)),
        "revision_days": len(revision_refs),
        "coverage": {"before": coverage_summary(dated_before), "after": coverage_summary(dated_after)},
    }
    # A listing sorted by update day says nothing of versions: with the numbers hidden too, the gap over all
    # papers applies, as it does to such listings (only evaluated when some record has a version number).
    without_versions = {ref: replace(info, version=None) for ref, info in without_publication.items()}
    modes = [("with_arxiv_id", False, without_publication), ("text_only", True, without_publication)]
    if without_versions != without_publication:
        modes.append(("text_only_no_versions", True, without_versions))
    for label, hide, remaining in modes:
        common = dict(capture_dates=capture_dates, evidence_table=evidence_table, hide_arxiv_id=hide,
                      tolerance_days=tolerance_days, stated_without_truth=remaining, gap_table=gap_table)
        if revision_refs:
            result[label] = compare_point_estimates(papers, stated, **common)
        else:  # no last-revision day anywhere: both rules give the same dates, so run once
            after = evaluate_date_inference(papers, stated, **common)
            result[label] = {"before": after, "after": after, "last_revision": {"papers": 0}}
    return result


def coverage_summary(dated: pd.DataFrame) -> dict[str, Any]:
    """`date_coverage` counts (stated / inferred / undated) plus what they are worth for trends:
    `stated_update_only` stated days that are only a last update (not a publication day),
    `inferred_trend_ready` inferred intervals narrow enough for trends to count them, and
    `share_dated` the share of papers with a date or interval."""
    overall = date_coverage(dated)["overall"]
    has_date = dated["published"].fillna("").astype(str) != ""
    inferred = dated["date_inferred"].fillna(False).astype(bool)
    low = pd.to_datetime(dated["date_low"].replace("", None), errors="coerce")
    high = pd.to_datetime(dated["date_high"].replace("", None), errors="coerce")
    width = (high - low).dt.days + 1
    overall["stated_update_only"] = int((has_date & ~inferred & (dated["date_kind"] == "updated")).sum())
    overall["inferred_trend_ready"] = int((has_date & inferred & (width <= TREND_MAX_INTERVAL_DAYS)).sum())
    overall["share_dated"] = round((overall["stated"] + overall["inferred"]) / overall["papers"], 4) \
        if overall["papers"] else 0.0
    return overall


def _pct(value: Any) -> str:
    return "-" if value is None else f"{value:.1%}"


def _days(value: Any) -> str:
    return "-" if value is None else f"{value:,.0f} d" if float(value).is_integer() else f"{value:,.1f} d"


def _count(value: Any) -> str:
    return "-" if value is None else f"{value:,}"


def summary_lines(result: dict[str, Any]) -> list[str]:
    """Human-readable lines for an `evaluate_dates_for_folder` result (CLI and bench): before is the midpoint
    of every interval without the learned gap, after the learned gap before a last revision."""
    before, after = result["coverage"]["before"], result["coverage"]["after"]
    seconds = f", {result['seconds']:.0f} s" if "seconds" in result else ""
    lines = [
        f"== {result['folder']}  ({result['files']} files, {result['records']:,} records, "
        f"{result['papers']:,} papers{seconds}; {result['revision_days']:,} records with a last-revision day)",
        f"   {'date coverage':<44}{'before (midpoint)':>20}{'after (learned gap)':>22}",
    ]

    def row(label: str, key: str, fmt=_count, b: dict = before, a: dict = after) -> str:
        return f"   {label:<44}{fmt(b.get(key)):>20}{fmt(a.get(key)):>22}"

    lines += [
        row("date or interval", "share_dated", _pct),
        row("  stated", "stated"),
        row("    of which only a last-update day", "stated_update_only"),
        row("  inferred", "inferred"),
        row(f"    of which at most {TREND_MAX_INTERVAL_DAYS} days wide (in trends)", "inferred_trend_ready"),
        row("  undated", "undated"),
    ]
    for label, title in (("with_arxiv_id", "hidden stated days, arXiv ids kept"),
                         ("text_only", "hidden stated days, arXiv ids hidden too"),
                         ("text_only_no_versions", "hidden stated days, arXiv ids and version numbers hidden")):
        if label not in result:
            continue
        b, a = result[label]["before"], result[label]["after"]
        if not a.get("evaluated"):
            lines.append(f"   {title}: nothing to evaluate ({a.get('note', '')})")
            continue
        lines += [
            f"   {title} ({a['evaluated']:,} papers)",
            row("  got an inferred date", "share_inferred", _pct, b, a),
            row("  true day inside the interval", "coverage", _pct, b, a),
            row("  median interval width", "median_width_days", _days, b, a),
            row(f"  intervals at most {TREND_MAX_INTERVAL_DAYS} days wide", "share_trend_ready", _pct, b, a),
            row("  point error, median", "median_error_days", _days, b, a),
            row("  point error, mean", "mean_error_days", _days, b, a),
        ]
        paired = result[label]["last_revision"]
        if paired.get("papers"):
            lines.append(
                f"     ending at a last revision: {paired['papers']:,} papers "
                f"({paired['dated_before']:,} dated before): "
                f"inside {_pct(paired['coverage_before'])} -> {_pct(paired['coverage_after'])}, width median "
                f"{_days(paired['median_width_days_before'])} -> {_days(paired['median_width_days_after'])}, "
                f"point error median {_days(paired['median_error_days_before'])} -> "
                f"{_days(paired['median_error_days_after_same_papers'])} on the same papers "
                f"({_days(paired['median_error_days_after'])} on all {paired['papers']:,}), mean "
                f"{_days(paired['mean_error_days_before'])} -> {_days(paired['mean_error_days_after_same_papers'])}"
            )
        for source, s in sorted(a["by_source"].items(), key=lambda kv: -kv[1]["evaluated"]):
            lines.append(
                f"     after, {source:<32} n={s['evaluated']:>6,}  inside {_pct(s['coverage']):>6}  "
                f"width median {_days(s['median_width_days']):>9}  error median {_days(s['median_error_days'])}"
            )
    return lines
