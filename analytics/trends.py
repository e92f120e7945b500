"""Topic trends over time: each topic's share of the dated papers per period, with intervals.

Why shares and not counts: dumps cover different spans and crawlers change, so the number of papers
per period says more about the crawl than about research. The share of a topic among all dated papers
of a period is comparable across periods; every share comes with the number of papers it rests on
(`period_total`) and a Wilson 95% interval.

Which topics rise or fade, and how sure that is, is `analytics.growth`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

PERIODS = ("month", "quarter", "year")
_PANDAS_FREQ = {"month": "M", "quarter": "Q", "year": "Y"}

# choose_period: the finest period with at most this many periods and at least this many dated papers
# per period on average; shares of a few papers are mostly noise.
MAX_PERIODS = 48
MIN_MEAN_PAPERS_PER_PERIOD = 30
MIN_PERIODS_FALLBACK = 4  # fewer periods than this is no trend at all

Z95 = 1.959963984540054  # two-sided 95% normal quantile


# ---------------------------------------------------------------------------------------------------
# Periods


def _parse_dates(values: pd.Series) -> pd.Series:
    """ISO strings (or datetimes) to Timestamps; empty or unparsable values become NaT."""
    return pd.to_datetime(pd.Series(values, dtype="object").replace("", None), errors="coerce", format="ISO8601")


def _to_periods(dates: pd.Series, period: str) -> pd.Series:
    return dates.dt.to_period(_PANDAS_FREQ[period])


def period_label(period: pd.Period) -> str:
    """'2024-05' for months, '2024Q2' for quarters, '2024' for years."""
    return str(period)


def period_kind_of_label(label: str) -> str:
    """Which period kind a label produced by `period_label` belongs to."""
    if "Q" in label:
        return "quarter"
    if "-" in label:
        return "month"
    return "year"


def choose_period(dates: pd.Series, *, configured: str = "auto") -> str:
    """The period length for trends: "month", "quarter" or "year".

    `configured` (config [trends] period) wins unless it is "auto". Otherwise: the finest period that
    gives 4 to 48 periods over the date span and at least 30 dated papers per period on average.
    When no period is that dense, the coarsest one that still gives at least 4 periods (a trend needs
    a few points), and months when even months give fewer than 4.
    """
    if configured != "auto":
        if configured not in PERIODS:
            raise ValueError(f"trends period must be one of auto, {', '.join(PERIODS)}; got {configured!r}")
        return configured
    parsed = _parse_dates(dates).dropna()
    if parsed.empty:
        return "month"
    candidates = []
    for period in PERIODS:
        periods = _to_periods(parsed, period)
        n_periods = (periods.max() - periods.min()).n + 1
        candidates.append((period, n_periods, len(parsed) / n_periods))
    for period, n_periods, mean_papers in candidates:
        if MIN_PERIODS_FALLBACK <= n_periods <= MAX_PERIODS and mean_papers >= MIN_MEAN_PAPERS_PER_PERIOD:
            return period
    for period, n_periods, _ in reversed(candidates):
        if n_periods >= MIN_PERIODS_FALLBACK:
            return period
    return "month"


# ---------------------------------------------------------------------------------------------------
# Shares per topic and period


def wilson_interval(count, total, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for count/total (arrays). total == 0 gives the uninformative (0, 1)."""
    count = np.asarray(count, dtype=float)
    total = np.asarray(total, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = count / total
        denominator = 1 + z**2 / total
        centre = (p + z**2 / (2 * total)) / denominator
        half = z * np.sqrt(p * (1 - p) / total + z**2 / (4 * total**2)) / denominator
        low = np.clip(centre - half, 0.0, 1.0)
        high = np.clip(centre + half, 0.0, 1.0)
    empty = total <= 0
    low = np.where(empty, 0.0, low)
    high = np.where(empty, 1.0, high)
    # At count 0 (or total) the bound is exactly 0 (or 1); avoid -1e-17 style float noise.
    low = np.where(count <= 0, 0.0, low)
    high = np.where((count >= total) & ~empty, 1.0, high)
    return low, high


def as_bool(values: pd.Series) -> pd.Series:
    """Booleans that survived a CSV round trip ("True"/"False"/"1"/"") as real booleans."""
    if values.dtype == bool:
        return values
    return values.map(lambda v: str(v).strip().lower() in {"true", "1", "yes"} if not isinstance(v, bool) else v)


# Dates that say when a paper appeared; "updated" and "captured" days do not.
TREND_DATE_KINDS = ("published", "listed")


def _column(papers: pd.DataFrame, name: str, default) -> pd.Series:
    if name in papers.columns:
        return papers[name]
    return pd.Series([default] * len(papers), index=papers.index, dtype="object")


def assign_periods(papers: pd.DataFrame, period: str, kinds: tuple[str, ...] | None = TREND_DATE_KINDS) -> pd.DataFrame:
    """Per paper: its period (or None) and why it has none.

    A paper is placed in the period of its date when its uncertainty range (date_low..date_high) lies
    inside that period or touches only the next or previous one: the point estimate then sits in the
    period that holds most of the paper's probable dates (the middle of the range, or near a last revision:
    see analytics/dates/inference.py), and an error costs one period at most. A range over more periods is "too
    coarse": a date known only to the year is not counted in a month. Only dates of the given kinds count
    (by default publication and listing days: a last-update timestamp says when an old paper was revised,
    not when it appeared).
    Returns columns period (pd.Period or NaT), inferred (bool), status in
    {"dated", "undated", "too coarse", "not a publication date"}, and by_estimate (placed by its point
    estimate although its range touches a neighbouring period).
    """
    published = _parse_dates(_column(papers, "published", ""))
    if kinds is not None and "date_kind" in papers.columns:
        other_kind = published.notna() & ~papers["date_kind"].fillna("").isin(kinds).to_numpy()
    else:
        other_kind = pd.Series(False, index=papers.index)
    low = _parse_dates(_column(papers, "date_low", ""))
    high = _parse_dates(_column(papers, "date_high", ""))
    point = _to_periods(published, period)
    low_period = _to_periods(low, period)
    high_period = _to_periods(high, period)
    has_range = (low.notna() & high.notna()).to_numpy()
    periods_spanned = np.where(has_range, pd.PeriodIndex(high_period).asi8 - pd.PeriodIndex(low_period).asi8, 0)
    too_coarse = published.notna().to_numpy() & (periods_spanned > 1)
    by_estimate = published.notna().to_numpy() & (periods_spanned == 1)
    status = np.where(published.isna(), "undated", np.where(too_coarse, "too coarse", "dated"))
    status = np.where(np.asarray(other_kind) & (status == "dated"), "not a publication date", status)
    placed = point.where(status == "dated")
    inferred = as_bool(_column(papers, "date_inferred", False).fillna(False)).astype(bool)
    return pd.DataFrame({"period": placed, "inferred": inferred.values, "status": status,
                         "by_estimate": by_estimate & (status == "dated")}, index=papers.index)


def counted_period_labels(papers: pd.DataFrame, trends: pd.DataFrame) -> pd.Series:
    """Each paper's trend period label ('2025-04'), or None when `trends` did not count it (undated, too
    coarse, not a publication date, or inferred when the trends left inferred dates out)."""
    period = trends.attrs.get("period", "month")
    kinds = trends.attrs.get("date_kinds", ["published", "listed"])
    placed = assign_periods(papers, period, None if kinds == "all" else tuple(kinds))
    counted = placed["status"] == "dated"
    if not trends.attrs.get("include_inferred", True):
        counted &= ~placed["inferred"]
    return pd.Series([period_label(p) if ok else None for p, ok in zip(placed["period"], counted)],
                     index=papers.index, dtype="object")


TREND_COLUMNS = [
    "topic_id",
    "period",
    "period_start",
    "count",
    "period_total",
    "share",
    "share_low",
    "share_high",
    "include_inferred",
]


def topic_trends(
    papers: pd.DataFrame,
    *,
    period: str = "auto",
    include_inferred: bool = True,
    kinds: tuple[str, ...] | None = TREND_DATE_KINDS,
) -> pd.DataFrame:
    """Count, share and Wilson 95% interval of every topic in every period.

    Rows: every topic_id present in `papers` (including -1, the outliers) times every period from the
    first to the last period with a dated paper; periods where a topic has no papers are rows with
    count 0. `period_total` is the number of dated papers of all topics in the period; when it is 0
    (a gap in the dumps), share is NaN and the interval is (0, 1).

    `period`: "month" / "quarter" / "year", or "auto" (`choose_period` on all dated papers, so both
    include_inferred choices get the same periods). `include_inferred=False` counts only dates the
    dumps state. The choice is recorded in the `include_inferred` column and, with the period and the
    number of papers used and left out, in `df.attrs`.
    """
    dates_for_choice = _column(papers, "published", "")
    chosen = choose_period(dates_for_choice, configured=period)
    placed = assign_periods(papers, chosen, kinds)
    used = placed["status"] == "dated"
    if not include_inferred:
        used &= ~placed["inferred"]

    topic_ids = sorted(pd.to_numeric(papers["topic_id"], errors="coerce").dropna().astype(int).unique().tolist())
    frame = pd.DataFrame(
        {"topic_id": pd.to_numeric(papers["topic_id"], errors="coerce").astype("Int64"), "period": placed["period"]}
    )[used]
    attrs = {
        "period": chosen,
        "include_inferred": bool(include_inferred),
        "papers_used": int(used.sum()),
        "papers_undated": int((placed["status"] == "undated").sum()),
        "papers_too_coarse": int((placed["status"] == "too coarse").sum()),
        "papers_placed_by_estimate": int((used & placed["by_estimate"]).sum()),
        "papers_not_publication_date": int((placed["status"] == "not a publication date").sum()),
        "date_kinds": list(kinds) if kinds is not None else "all",
        "papers_inferred_left_out": 0
        if include_inferred
        else int(((placed["status"] == "dated") & placed["inferred"]).sum()),
    }
    if frame.empty or not topic_ids:
        empty = pd.DataFrame({c: pd.Series(dtype="object") for c in TREND_COLUMNS})
        empty.attrs.update(attrs)
        return empty

    all_periods = pd.period_range(frame["period"].min(), frame["period"].max(), freq=_PANDAS_FREQ[chosen])
    counts = frame.groupby(["topic_id", "period"]).size()
    grid = pd.MultiIndex.from_product([topic_ids, all_periods], names=["topic_id", "period"])
    counts = counts.reindex(grid, fill_value=0)
    totals = frame.groupby("period").size().reindex(all_periods, fill_value=0)

    out = counts.rename("count").reset_index()
    out["period_total"] = totals.loc[out["period"]].to_numpy()
    out["period_start"] = out["period"].map(lambda p: p.start_time.normalize())
    out["period"] = out["period"].map(period_label)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["share"] = np.where(out["period_total"] > 0, out["count"] / out["period_total"], np.nan)
    out["share_low"], out["share_high"] = wilson_interval(out["count"], out["period_total"])
    out["include_inferred"] = bool(include_inferred)
    out["topic_id"] = out["topic_id"].astype(int)
    out["count"] = out["count"].astype(int)
    out["period_total"] = out["period_total"].astype(int)
    out = out[TREND_COLUMNS].sort_values(["topic_id", "period_start"], kind="stable").reset_index(drop=True)
    out.attrs.update(attrs)
    return out
