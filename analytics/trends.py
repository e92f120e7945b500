"""Topic trends over time: shares per period with intervals, growth rates and growth classes.

Why shares and not counts: dumps cover different spans and crawlers change, so the number of papers
per period says more about the crawl than about research. The share of a topic among all dated papers
of a period is comparable across periods; every share comes with the number of papers it rests on
(`period_total`) and a Wilson 95% interval.

Growth (see `topic_growth`) is a quasi-binomial regression of each topic's count on time with the period
totals as trials, plus two signals borrowed from trend-detection tools: a topic that went silent
(BERTrend's popularity decay) and Kleinberg bursts for batched data (periods where the share jumps).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import statsmodels.api as sm

PERIODS = ("month", "quarter", "year")
_PANDAS_FREQ = {"month": "M", "quarter": "Q", "year": "Y"}

# choose_period: the finest period with at most this many periods and at least this many dated papers
# per period on average; shares of a few papers are mostly noise.
MAX_PERIODS = 48
MIN_MEAN_PAPERS_PER_PERIOD = 30
MIN_PERIODS_FALLBACK = 4  # fewer periods than this is no trend at all

Z95 = 1.959963984540054  # two-sided 95% normal quantile

# topic_growth defaults (config [trends] min_papers overrides MIN_PAPERS).
MIN_PAPERS = 8
MIN_PERIODS_WITH_DATA = 3
EMERGING_FOLD = 4.0  # share at least x4 over the span: emerging; at most /4: fading
CLEAR_FOLD = 1.25  # smaller clear changes than x1.25 (or /1.25) count as stable
STABLE_FOLD_BOUND = 2.0  # "stable" needs the whole interval within /2 .. x2, otherwise we cannot tell
MIN_SILENT_PERIODS = 2
SILENT_EXPECTED = 3.0  # zero papers where >= 3 were expected happens by chance < 5% of the time

NOT_JUDGED = "could not be judged"  # one topic's statistics failed; the run and the other topics go on
GROWTH_CLASSES = ("emerging", "growing", "stable", "declining", "fading", "not enough dated papers", NOT_JUDGED)

def growth_rule(min_papers: int = 8) -> list[str]:
    """The growth rule in words, as paragraphs; lines starting with "- " are the classes in check order."""
    return [
        "Growth is measured on shares, not counts. For each topic, a binomial regression (logit link) of its "
        "paper count per period on time, with all dated papers of the period as trials, gives the yearly growth "
        "of the topic's share (as an odds ratio; for small shares this is the relative change per year). The "
        "interval is a 95% Wald interval widened for overdispersion (quasi-binomial: standard errors times "
        "sqrt(Pearson chi2 / df) when that exceeds 1). \"Change over span\" is the fitted change between the first "
        "and the last period with data.",
        "Classes, checked in this order:",
        f"- not enough dated papers: fewer than {min_papers} dated papers, dated papers in fewer than "
        f"{MIN_PERIODS_WITH_DATA} periods, or an interval so wide that it includes both /{STABLE_FOLD_BOUND:g} and "
        f"x{STABLE_FOLD_BOUND:g} over the span.",
        f"- fading: the topic went silent (no papers in its last {MIN_SILENT_PERIODS} or more periods although its "
        f"earlier share predicts at least {SILENT_EXPECTED:g} there; after BERTrend's popularity decay), or its share "
        "fell with 95% confidence to "
        f"at most 1/{EMERGING_FOLD:g} over the span.",
        f"- emerging: a new topic (no papers in its first {MIN_SILENT_PERIODS} or more periods although its later "
        f"share predicts at least {SILENT_EXPECTED:g} there), or its share rose with 95% confidence and to at least "
        f"x{EMERGING_FOLD:g} over the span.",
        f"- growing: share rose with 95% confidence and to at least x{CLEAR_FOLD:g}.",
        f"- declining: share fell with 95% confidence and to at most 1/{CLEAR_FOLD:g}.",
        "- stable: everything else (no clear change, or a clear but small one).",
        f"- {NOT_JUDGED}: the topic's statistics failed (the reason says why); the other topics are unaffected.",
        "Bursts (Kleinberg's two-state model for batched data, s=2, gamma=1) mark periods where the topic's "
        "share jumped to about twice its usual level; \"burst now\" means the latest period is one of them.",
        "Signal (after BERTrend): a rising or bursting topic is a strong signal when its recent share (last three "
        "periods) is at least the median recent share of all judged topics, a weak signal otherwise.",
        "With many topics, a few classes at 95% confidence are expected by chance; the intervals show how sure "
        "each one is.",
    ]


GROWTH_RULE = "\n".join(growth_rule(MIN_PAPERS))


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


def _as_bool(values: pd.Series) -> pd.Series:
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

    A paper is placed in a period when it has a date and its uncertainty range (date_low..date_high)
    lies inside that one period: a date known only to the year is not counted in a month. Only dates of
    the given kinds count (by default publication and listing days: a last-update timestamp says when an
    old paper was revised, not when it appeared).
    Returns columns period (pd.Period or NaT), inferred (bool), status in
    {"dated", "undated", "too coarse", "not a publication date"}.
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
    has_range = low.notna() & high.notna()
    too_coarse = published.notna() & has_range & (low_period != high_period)
    status = np.where(published.isna(), "undated", np.where(too_coarse, "too coarse", "dated"))
    status = np.where(np.asarray(other_kind) & (status == "dated"), "not a publication date", status)
    placed = point.where(status == "dated")
    inferred = _as_bool(_column(papers, "date_inferred", False).fillna(False)).astype(bool)
    return pd.DataFrame({"period": placed, "inferred": inferred.values, "status": status}, index=papers.index)


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


# ---------------------------------------------------------------------------------------------------
# Growth


def kleinberg_bursts(counts, totals, *, s: float = 2.0, gamma: float = 1.0) -> np.ndarray:
    """Kleinberg's two-state burst detection for batched data (periods with count of total).

    The base state emits the topic's overall share p0, the burst state s*p0; entering the burst state
    costs gamma*ln(n). Returns one boolean per period: True where the cheapest state path is bursting.
    Periods with total 0 carry no evidence either way.
    """
    counts = np.asarray(counts, dtype=float)
    totals = np.asarray(totals, dtype=float)
    n = len(counts)
    if n == 0 or totals.sum() <= 0 or counts.sum() <= 0:
        return np.zeros(n, dtype=bool)
    p0 = counts.sum() / totals.sum()
    rates = np.array([p0, min(s * p0, 0.9999)])
    if rates[1] <= rates[0]:
        return np.zeros(n, dtype=bool)
    # Negative binomial log-likelihood per period and state (the binomial coefficient is common to both).
    emit = -(counts[:, None] * np.log(rates)[None, :] + (totals - counts)[:, None] * np.log1p(-rates)[None, :])
    enter_burst = gamma * math.log(n) if n > 1 else gamma
    cost = np.array([emit[0, 0], emit[0, 1] + enter_burst])
    back = np.zeros((n, 2), dtype=int)
    for t in range(1, n):
        stay_base, from_burst_to_base = cost[0], cost[1]
        base_prev = 0 if stay_base <= from_burst_to_base else 1
        burst_prev = 1 if cost[1] <= cost[0] + enter_burst else 0
        new_cost = np.array(
            [
                min(stay_base, from_burst_to_base) + emit[t, 0],
                min(cost[1], cost[0] + enter_burst) + emit[t, 1],
            ]
        )
        back[t] = [base_prev, burst_prev]
        cost = new_cost
    states = np.zeros(n, dtype=int)
    states[-1] = int(np.argmin(cost))
    for t in range(n - 1, 0, -1):
        states[t - 1] = back[t, states[t]]
    return states.astype(bool)


def _ranges(labels: list[str], flags: np.ndarray) -> str:
    """Flagged periods as compact ranges: '2024-03..2024-05; 2025-01'."""
    parts, start, prev = [], None, None
    for label, flag in zip(labels, flags):
        if flag and start is None:
            start = label
        if not flag and start is not None:
            parts.append(start if start == prev else f"{start}..{prev}")
            start = None
        prev = label
    if start is not None:
        parts.append(start if start == prev else f"{start}..{prev}")
    return "; ".join(parts)


def _fmt_fold(value: float) -> str:
    if value == math.inf:
        return "new"  # from zero: a new topic has no finite fold change
    if not np.isfinite(value):
        return "x?"
    if value > 1000 or value < 1 / 1000:  # beyond this the exact number means nothing
        return "x>1000" if value > 1 else "/>1000"
    if value >= 1:
        return f"x{value:.2g}" if value < 10 else f"x{value:.0f}"
    return f"/{1 / value:.2g}" if 1 / value < 10 else f"/{1 / value:.0f}"


GROWTH_COLUMNS = [
    "topic_id",
    "growth_class",
    "growth_reason",
    "dated_papers",
    "periods_with_data",
    "first_period",
    "last_period",
    "share_overall",
    "recent_share",
    "growth_per_year",
    "growth_per_year_low",
    "growth_per_year_high",
    "change_over_span",
    "change_over_span_low",
    "change_over_span_high",
    "dispersion",
    "went_silent",
    "burst_periods",
    "bursting_now",
    "signal",
]


def _fit_share_trend(t_years: np.ndarray, counts: np.ndarray, totals: np.ndarray):
    """Quasi-binomial logit fit of counts/totals on time. Returns (slope, slope_se, dispersion) or None."""
    endog = np.column_stack([counts, totals - counts])
    exog = sm.add_constant(t_years, has_constant="add")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            result = sm.GLM(endog, exog, family=sm.families.Binomial()).fit()
        except Exception:  # noqa: BLE001 - statsmodels raises several types on degenerate data
            return None
    slope, slope_se = float(result.params[1]), float(result.bse[1])
    if not (np.isfinite(slope) and np.isfinite(slope_se)):
        return None
    dispersion = 1.0
    if result.df_resid > 0:
        dispersion = max(1.0, float(result.pearson_chi2) / float(result.df_resid))
    return slope, slope_se * math.sqrt(dispersion), dispersion


def _exp(x: float) -> float:
    """exp that saturates at inf: a quasi-separated fit (a topic from nowhere) has huge slopes."""
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def _expm1(x: float) -> float:
    try:
        return math.expm1(x)
    except OverflowError:
        return math.inf


def _leading_silence(counts: np.ndarray, totals: np.ndarray) -> tuple[int, float]:
    """Periods before the topic's first paper, and how many papers its share since then predicts there.

    The mirror of going silent: a topic with no papers in its first periods although its later share
    predicts at least SILENT_EXPECTED there is new (P(0 papers) <= exp(-3) ~ 5% if its share had been
    the same all along)."""
    if not counts.any():
        return 0, 0.0
    leading = int(np.flatnonzero(counts > 0)[0])
    if leading == 0:
        return 0, 0.0
    after = slice(leading, len(counts))
    expected = counts[after].sum() / totals[after].sum() * totals[:leading].sum()
    return leading, float(expected)


def topic_growth(trends: pd.DataFrame, *, min_papers: int = MIN_PAPERS, z: float = Z95) -> pd.DataFrame:
    """Growth rate with a 95% interval and a growth class for every topic in `trends`.

    `trends` is the output of `topic_trends`. One row per topic_id with: growth_class (one of
    GROWTH_CLASSES) and growth_reason (a sentence saying why), dated_papers, periods_with_data,
    first_period / last_period (with data), share_overall, recent_share (the last three periods with
    data pooled), growth_per_year (+ _low/_high: fitted relative change of the share per year,
    e.g. 0.5 = +50%/year), change_over_span (+ _low/_high: fitted fold change of the share between the
    first and last period with data), dispersion (the quasi-binomial factor), went_silent,
    burst_periods, bursting_now, signal ("strong signal" / "weak signal" / "").

    The rule, in words (also shown in the report), is `growth_rule(min_papers)`.
    """
    rows = []
    if trends.empty:
        return pd.DataFrame(columns=GROWTH_COLUMNS)
    for topic_id, group in trends.groupby("topic_id", sort=True):
        try:
            rows.append(_topic_growth_row(int(topic_id), group, min_papers=min_papers, z=z))
        except Exception as error:  # noqa: BLE001 - one topic's statistics never take the run down
            rows.append(_not_judged_row(int(topic_id), group, error))

    growth = pd.DataFrame(rows)
    unjudged = growth["growth_class"].isin(["not enough dated papers", NOT_JUDGED])
    judged = growth[~unjudged & (growth["topic_id"] != -1)]
    median_recent = judged["recent_share"].median() if not judged.empty else np.nan
    rising = growth["growth_class"].isin(["emerging", "growing"]) | growth["bursting_now"]
    rising &= ~unjudged
    strong = growth["recent_share"] >= median_recent
    growth["signal"] = np.where(rising, np.where(strong, "strong signal", "weak signal"), "")
    return growth[GROWTH_COLUMNS]


def _base_row(topic_id: int, with_data: pd.DataFrame) -> dict:
    counts = with_data["count"].to_numpy(dtype=float)
    totals = with_data["period_total"].to_numpy(dtype=float)
    labels = with_data["period"].tolist()
    dated = int(counts.sum())
    return {
        "topic_id": topic_id,
        "dated_papers": dated,
        "periods_with_data": int(len(with_data)),
        "first_period": labels[0] if labels else "",
        "last_period": labels[-1] if labels else "",
        "share_overall": dated / totals.sum() if totals.sum() > 0 else np.nan,
        "recent_share": counts[-3:].sum() / totals[-3:].sum() if totals[-3:].sum() > 0 else np.nan,
        "growth_per_year": np.nan,
        "growth_per_year_low": np.nan,
        "growth_per_year_high": np.nan,
        "change_over_span": np.nan,
        "change_over_span_low": np.nan,
        "change_over_span_high": np.nan,
        "dispersion": np.nan,
        "went_silent": False,
        "burst_periods": "",
        "bursting_now": False,
        "signal": "",
    }


def _not_judged_row(topic_id: int, group: pd.DataFrame, error: Exception) -> dict:
    """The row of a topic whose statistics raised: the failure is reported for that topic alone."""
    try:
        row = _base_row(topic_id, group[group["period_total"] > 0].sort_values("period_start"))
    except Exception:  # noqa: BLE001 - even the counts are unusable
        row = {column: np.nan for column in GROWTH_COLUMNS} | {"topic_id": topic_id, "went_silent": False,
                                                                 "bursting_now": False, "burst_periods": "",
                                                                 "first_period": "", "last_period": ""}
    row["growth_class"] = NOT_JUDGED
    row["growth_reason"] = f"statistics failed for this topic ({type(error).__name__}: {error})"
    return row


def _topic_growth_row(topic_id: int, group: pd.DataFrame, *, min_papers: int, z: float) -> dict:
    """growth_class, growth_reason and the growth figures of one topic (see `topic_growth`)."""
    with_data = group[group["period_total"] > 0].sort_values("period_start")
    row = _base_row(topic_id, with_data)
    counts = with_data["count"].to_numpy(dtype=float)
    totals = with_data["period_total"].to_numpy(dtype=float)
    labels = with_data["period"].tolist()
    dated = row["dated_papers"]
    bursts = kleinberg_bursts(counts, totals)
    row["burst_periods"] = _ranges(labels, bursts)
    row["bursting_now"] = bool(len(bursts) and bursts[-1] and dated >= min_papers)

    if dated < min_papers:
        row["growth_class"] = "not enough dated papers"
        row["growth_reason"] = f"only {dated} dated papers (needs {min_papers})"
        return row

    # A topic from nowhere is checked first: it needs no trend fit (which a quasi-separated series breaks)
    # and may have papers in a single period.
    leading, expected_before = _leading_silence(counts, totals)
    is_new = leading >= MIN_SILENT_PERIODS and expected_before >= SILENT_EXPECTED
    if is_new:
        row["change_over_span"] = math.inf  # from zero
        row["growth_class"] = "emerging"
        row["growth_reason"] = (
            f"new topic: no papers in {labels[0]}..{labels[leading - 1]} although its share since then "
            f"({row['dated_papers'] / max(totals[leading:].sum(), 1):.1%} of {int(totals[leading:].sum())} dated "
            f"papers) predicts {expected_before:.1f} there; first papers in {labels[leading]}"
        )
        return row

    if len(with_data) < MIN_PERIODS_WITH_DATA:
        row["growth_class"] = "not enough dated papers"
        row["growth_reason"] = f"dated papers fall in only {len(with_data)} period(s) (needs {MIN_PERIODS_WITH_DATA})"
        return row

    starts = pd.to_datetime(with_data["period_start"])
    t_years = ((starts - starts.iloc[0]).dt.days / 365.25).to_numpy()
    span_years = float(t_years[-1])
    fit = _fit_share_trend(t_years, counts, totals)
    if fit is None:
        row["growth_class"] = "not enough dated papers"
        row["growth_reason"] = "the share trend could not be fitted (degenerate counts)"
        return row
    slope, slope_se, dispersion = fit
    row["dispersion"] = dispersion
    row["growth_per_year"] = _expm1(slope)
    row["growth_per_year_low"] = _expm1(slope - z * slope_se)
    row["growth_per_year_high"] = _expm1(slope + z * slope_se)
    change = _exp(slope * span_years)
    change_low = _exp((slope - z * slope_se) * span_years)
    change_high = _exp((slope + z * slope_se) * span_years)
    row["change_over_span"], row["change_over_span_low"], row["change_over_span_high"] = change, change_low, change_high
    interval = f"{_fmt_fold(change)} (95% CI {_fmt_fold(change_low)} to {_fmt_fold(change_high)})"
    span_text = f"{labels[0]}..{labels[-1]}"

    # Popularity decay (BERTrend): silent in its latest periods although its earlier share predicts papers.
    # At least two periods, so one thin (e.g. half-crawled) last period is not enough.
    trailing_empty = len(counts) - (int(np.flatnonzero(counts > 0)[-1]) + 1) if counts.any() else len(counts)
    expected_recent = 0.0
    if trailing_empty >= MIN_SILENT_PERIODS:
        before = slice(0, len(counts) - trailing_empty)
        expected_recent = counts[before].sum() / totals[before].sum() * totals[-trailing_empty:].sum()
        row["went_silent"] = bool(expected_recent >= SILENT_EXPECTED)

    if row["went_silent"]:
        row["growth_class"] = "fading"
        row["growth_reason"] = (
            f"no papers in the last {trailing_empty} periods although its earlier share predicts "
            f"{expected_recent:.1f}; share {interval} over {span_text}"
        )
    elif change_low > 1:
        if change >= EMERGING_FOLD:
            row["growth_class"] = "emerging"
        elif change >= CLEAR_FOLD:
            row["growth_class"] = "growing"
        else:
            row["growth_class"] = "stable"
        row["growth_reason"] = f"share {interval} over {span_text}"
        if row["growth_class"] == "stable":
            row["growth_reason"] += " (a clear but small rise)"
    elif change_high < 1:
        if change <= 1 / EMERGING_FOLD:
            row["growth_class"] = "fading"
        elif change <= 1 / CLEAR_FOLD:
            row["growth_class"] = "declining"
        else:
            row["growth_class"] = "stable"
        row["growth_reason"] = f"share {interval} over {span_text}"
        if row["growth_class"] == "stable":
            row["growth_reason"] += " (a clear but small fall)"
    elif change_low >= 1 / STABLE_FOLD_BOUND and change_high <= STABLE_FOLD_BOUND:
        row["growth_class"] = "stable"
        row["growth_reason"] = f"share {interval} over {span_text}: no clear change"
    else:
        row["growth_class"] = "not enough dated papers"
        row["growth_reason"] = f"interval too wide to tell: share {interval} over {span_text}"
    return row
