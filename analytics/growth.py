"""Growth verdicts: which topics rise or fade, how sure that is, and the reason in words.

A verdict must survive three checks:
- Chance. Each topic's papers are tested against the rest of the dated papers: are they later (or earlier)
  than a random draw of the same size would be? With many topics some tests pass by chance, so the p-values
  are adjusted for the false discovery rate (Benjamini-Hochberg) and a verdict needs q < FDR.
- Coverage. The test compares papers within strata (primary arXiv category, see `analytics.coverage`): a
  category that enters or leaves the crawl, or is crawled more heavily from some month on, moves shares
  without any research moving. A change that is significant over all papers but not within categories is
  "explained by coverage".
- Small data. Small topics are tested exactly (a seeded permutation test; a hypergeometric test for topics
  with no papers at the start or the end), never with an asymptotic interval that explodes.

The size of a change (`change_over_span`, with a 95% interval) comes from a quasi-binomial regression of
the topic's count per period and stratum on time, with one baseline per stratum.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.multitest import multipletests

from analytics.coverage import CATEGORY_STRATA, LAYOUT_STRATA, NO_STRATUM
from analytics.trends import Z95, _parse_dates, counted_period_labels

FDR = 0.05  # false discovery rate over the judged topics (Benjamini-Hochberg)
MIN_PAPERS = 8  # config [trends] min_papers
EMERGING_FOLD = 4.0  # share at least x4 over the span: emerging; at most /4: fading
CLEAR_FOLD = 1.25  # smaller significant changes than x1.25 (or /1.25) count as stable
STABLE_FOLD_BOUND = 2.0  # "stable" needs the whole interval within /2 .. x2, otherwise "no clear change"
MIN_SILENT_PERIODS = 2
SILENT_EXPECTED = 3.0  # zero papers where >= 3 were expected happens by chance < 5% of the time
PERMUTATIONS = 4000  # draws of the permutation test for small topics (seeded)
EXACT_BELOW = 40  # topics with fewer dated papers are tested by permutation, larger ones by the normal limit
SEED = 20240607
MIN_LAYOUT_PERIODS = 3  # a dump layout stratum needs dated papers in this many periods (see _merge_short_strata)

NOT_JUDGED = "could not be judged"  # one topic's statistics failed; the run and the other topics go on
COVERAGE = "explained by coverage"
UNCLEAR = "no clear change"
TOO_FEW = "not enough dated papers"
GROWTH_CLASSES = ("emerging", "growing", "stable", "declining", "fading", UNCLEAR, COVERAGE, TOO_FEW, NOT_JUDGED)
RISING = ("emerging", "growing")
FALLING = ("fading", "declining")

GROWTH_COLUMNS = [
    "topic_id", "growth_class", "growth_reason", "dated_papers", "periods_with_data", "first_period",
    "last_period", "share_overall", "share_early", "share_late", "recent_share", "growth_per_year",
    "growth_per_year_low", "growth_per_year_high", "change_over_span", "change_over_span_low",
    "change_over_span_high", "dispersion", "test", "p_value", "q_value", "p_value_all_papers",
    "went_silent", "is_new", "burst_periods", "bursting_now", "signal",
]


def growth_rule(min_papers: int = MIN_PAPERS) -> list[str]:
    """The rule in words, as paragraphs; lines starting with "- " are the classes in check order."""
    return [
        "Growth is judged on shares, not counts, and within strata: papers are compared only with papers of "
        "the same primary arXiv category when the dumps carry categories (so a category that enters or "
        "leaves the crawl, or is collected more heavily from some month on, moves no verdict), else with papers "
        "read from dumps of the same layout (a search listing sorted by last update, a trending page and a daily "
        "listing select papers from different years).",
        "Each topic is tested against chance: are its dated papers later (or earlier) than the same number of "
        "papers drawn at random within their strata? Topics with fewer than "
        f"{EXACT_BELOW} dated papers get an exact permutation test ({PERMUTATIONS} seeded draws), larger ones "
        "its normal limit; a topic with no papers at the start (or the end) gets the exact hypergeometric "
        "probability of that gap. The p-values of all judged topics are adjusted for the false discovery rate "
        f"(Benjamini-Hochberg); a verdict needs q < {FDR:g}.",
        "The size of a change is a binomial regression (logit link) of the topic's papers per period and "
        "stratum on time, one baseline per stratum; \"change over span\" is the fitted change of the share "
        "between the first and the last period, with a 95% interval widened for overdispersion.",
        "Classes, checked in this order:",
        f"- {TOO_FEW}: fewer than {min_papers} dated papers.",
        f"- emerging: a new topic (no papers in its first {MIN_SILENT_PERIODS} or more periods although its "
        f"later share predicts at least {SILENT_EXPECTED:g} there, q < {FDR:g}), or its share rose "
        f"significantly and at least x{EMERGING_FOLD:g} over the span.",
        f"- fading: the topic went silent (the mirror image), or its share fell significantly and at least "
        f"/{EMERGING_FOLD:g} over the span.",
        f"- growing: its share rose significantly, at least x{CLEAR_FOLD:g}.",
        f"- declining: its share fell significantly, at least /{CLEAR_FOLD:g}.",
        f"- {COVERAGE}: over all dated papers the share changed significantly and by at least x{CLEAR_FOLD:g} "
        "(or /" f"{CLEAR_FOLD:g}), but not within strata: the crawl, not the research, changed.",
        f"- stable: no significant change and the interval lies within /{STABLE_FOLD_BOUND:g} .. "
        f"x{STABLE_FOLD_BOUND:g} (or a significant but small change).",
        f"- {UNCLEAR}: no significant change, but the interval is too wide to call it stable.",
        f"- {NOT_JUDGED}: the topic's statistics failed (the reason says why); the other topics are unaffected.",
        "Bursts (Kleinberg's two-state model for batched data, s=2, gamma=1) mark periods where the topic's "
        "share jumped to about twice its usual level; \"burst now\" means the latest period is one of them.",
        "Signal (after BERTrend): a rising or bursting topic is a strong signal when its recent share (last three "
        "periods) is at least the median recent share of all judged topics, a weak signal otherwise.",
    ]


# ---------------------------------------------------------------------------------------------------
# The dated papers behind the trends


def dated_papers(papers: pd.DataFrame, trends: pd.DataFrame, strata: pd.Series | None = None) -> pd.DataFrame:
    """The papers `trends` counts, one row each: topic_id, period (label), time (years since the first dated
    paper), stratum and row (the paper's position in `papers`). Uses the period, date kinds and
    include_inferred recorded in `trends.attrs`."""
    labels = counted_period_labels(papers, trends)
    used = labels.notna().to_numpy()
    dates = _parse_dates(papers["published"] if "published" in papers.columns else pd.Series("", index=papers.index))
    if strata is None:
        strata = pd.Series(NO_STRATUM, index=papers.index)
    frame = pd.DataFrame({
        "topic_id": pd.to_numeric(papers["topic_id"], errors="coerce").to_numpy(),
        "period": labels.fillna("").to_numpy(),
        "date": dates.to_numpy(),
        "stratum": strata.astype(str).to_numpy(),
        "row": np.arange(len(papers)),
    })[used]
    frame = frame.dropna(subset=["topic_id", "date"]).reset_index(drop=True)
    frame["topic_id"] = frame["topic_id"].astype(int)
    first = frame["date"].min() if len(frame) else pd.NaT
    frame["time"] = (frame["date"] - first).dt.days / 365.25 if len(frame) else []
    return frame.drop(columns=["date"])


def dated_papers_from_trends(trends: pd.DataFrame) -> pd.DataFrame:
    """`dated_papers` rebuilt from the counts of a trends table (each paper at its period's start, one
    stratum): for callers that only have the table."""
    rows = trends[trends["count"] > 0]
    if rows.empty:
        return pd.DataFrame(columns=["topic_id", "period", "stratum", "time"])
    starts = pd.to_datetime(rows["period_start"])
    frame = pd.DataFrame({
        "topic_id": np.repeat(rows["topic_id"].to_numpy(dtype=int), rows["count"].to_numpy(dtype=int)),
        "period": np.repeat(rows["period"].to_numpy(), rows["count"].to_numpy(dtype=int)),
        "stratum": NO_STRATUM,
        "time": np.repeat(((starts - starts.min()).dt.days / 365.25).to_numpy(), rows["count"].to_numpy(dtype=int)),
    })
    return frame


# ---------------------------------------------------------------------------------------------------
# Tests against chance


@dataclass
class Population:
    """All dated papers: their period index, stratum code and time; shared by every topic's tests."""

    period_index: np.ndarray
    stratum: np.ndarray
    time: np.ndarray
    labels: list[str]  # period labels in order (periods with dated papers)
    strata_names: list[str]

    @classmethod
    def of(cls, dated: pd.DataFrame, *, pooled: bool = False) -> "Population":
        labels = sorted(dated["period"].unique().tolist())
        index = {label: i for i, label in enumerate(labels)}
        names = [NO_STRATUM] if pooled else sorted(dated["stratum"].unique().tolist())
        codes = np.zeros(len(dated), dtype=int) if pooled else dated["stratum"].map(
            {n: i for i, n in enumerate(names)}).to_numpy(dtype=int)
        return cls(dated["period"].map(index).to_numpy(dtype=int), codes, dated["time"].to_numpy(dtype=float),
                   labels, names)


def trend_test(pop: Population, in_topic: np.ndarray, rng: np.random.Generator) -> tuple[float, float]:
    """(z, two-sided p): are the topic's papers later than random papers of their strata?

    Statistic: the sum of the topic papers' times. Under no change, the topic's papers of stratum s are a
    random draw of its size from the papers of s, which gives the mean and variance (sampling without
    replacement) of the normal limit, or, for small topics, the seeded permutation distribution."""
    total, mean, variance = float(pop.time[in_topic].sum()), 0.0, 0.0
    groups = []
    for s in np.unique(pop.stratum[in_topic]):
        members = pop.stratum == s
        times = pop.time[members]
        n, big_n = int(in_topic[members].sum()), len(times)
        if big_n < 2:
            mean += times.sum()
            continue
        mean += n * times.mean()
        variance += n * (big_n - n) / (big_n - 1) * times.var()
        groups.append((times, n))
    if variance <= 0:
        return 0.0, 1.0
    z = (total - mean) / math.sqrt(variance)
    if in_topic.sum() >= EXACT_BELOW or sum(len(t) for t, _ in groups) > 50_000:
        return z, float(2 * stats.norm.sf(abs(z)))
    draws = np.zeros(PERMUTATIONS)
    for times, n in groups:
        if 0 < n < len(times):
            draws += np.array([rng.choice(times, n, replace=False).sum() for _ in range(PERMUTATIONS)])
        else:
            draws += times.sum() if n else 0.0
    extreme = np.abs(draws - mean) >= abs(total - mean) - 1e-9
    return z, float((1 + extreme.sum()) / (PERMUTATIONS + 1))


def gap_test(pop: Population, in_topic: np.ndarray, periods: np.ndarray) -> tuple[float, float]:
    """(papers expected in `periods` at the topic's share elsewhere, exact p of seeing none there).

    Within each stratum the topic's papers are a random draw: the chance that none lands in `periods` is
    hypergeometric. Strata missing on either side carry no evidence (a category that entered the crawl
    later cannot show that a topic was absent before)."""
    in_gap = np.isin(pop.period_index, periods)
    expected, log_p = 0.0, 0.0
    for s in np.unique(pop.stratum[in_topic]):
        members = pop.stratum == s
        gap_total = int((members & in_gap).sum())
        rest_total = int((members & ~in_gap).sum())
        n = int((in_topic & members).sum())
        if gap_total == 0 or rest_total == 0:
            continue
        expected += n / rest_total * gap_total
        log_p += stats.hypergeom(gap_total + rest_total, gap_total, n).logpmf(0)
    return expected, float(math.exp(log_p))


def _silent_periods(pop: Population, in_topic: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Period indices before the topic's first paper and after its last."""
    used = np.unique(pop.period_index[in_topic])
    n_periods = len(pop.labels)
    if used.size == 0:
        return np.arange(0), np.arange(0)
    return np.arange(0, used.min()), np.arange(used.max() + 1, n_periods)


# ---------------------------------------------------------------------------------------------------
# The size of a change


def fit_share_trend(dated: pd.DataFrame, in_topic: np.ndarray, stratified: bool):
    """Quasi-binomial logit of the topic's count per (period, stratum) on time, one baseline per stratum.

    Strata without papers of the topic carry no information about its trend and are left out (their
    baseline would be minus infinity). Returns (slope per year, its se, dispersion) or None."""
    frame = dated.assign(hit=in_topic.astype(int))
    if not stratified:
        frame = frame.assign(stratum=NO_STRATUM)
    keep = frame.groupby("stratum")["hit"].transform("sum") > 0
    cells = frame[keep].groupby(["stratum", "period"]).agg(count=("hit", "sum"), total=("hit", "size"),
                                                           time=("time", "mean")).reset_index()
    if cells["period"].nunique() < 2:
        return None
    exog = pd.DataFrame({"const": 1.0, "time": cells["time"]})
    if cells["stratum"].nunique() > 1:
        exog = exog.join(pd.get_dummies(cells["stratum"], prefix="s", drop_first=True, dtype=float))
    endog = np.column_stack([cells["count"], cells["total"] - cells["count"]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            result = sm.GLM(endog, exog.to_numpy(dtype=float), family=sm.families.Binomial()).fit()
        except Exception:  # noqa: BLE001 - statsmodels raises several types on degenerate data
            return None
    slope, slope_se = float(result.params[1]), float(result.bse[1])
    if not (np.isfinite(slope) and np.isfinite(slope_se)):
        return None
    dispersion = 1.0
    if result.df_resid > 0:
        dispersion = max(1.0, float(result.pearson_chi2) / float(result.df_resid))
    return slope, slope_se * math.sqrt(dispersion), dispersion


def saturating_exp(x: float) -> float:
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


def fmt_fold(value: float, *, typeset: bool = False) -> str:
    """x2.5 / /3.1 / new; the exact number means nothing beyond x1000. `typeset` writes it as the report's
    tables do: ×2.50 / ÷3.10, and – when unknown."""
    if value == math.inf:
        return "new"
    if not np.isfinite(value):
        return "–" if typeset else "x?"
    times, per, digits = ("×", "÷", ".2f") if typeset else ("x", "/", ".2g")
    if value > 1000 or value < 1 / 1000:
        return f"{times}>1000" if value > 1 else f"{per}>1000"
    if value >= 1:
        return f"{times}{value:{digits}}" if value < 10 else f"{times}{value:.0f}"
    return f"{per}{1 / value:{digits}}" if 1 / value < 10 else f"{per}{1 / value:.0f}"


# ---------------------------------------------------------------------------------------------------
# Bursts


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


# ---------------------------------------------------------------------------------------------------
# Verdicts


@dataclass
class _Evidence:
    """One topic's test results, stratified and over all papers."""

    pattern: str  # "new", "silent" or "trend"
    z: float
    p: float
    expected: float  # papers expected in the silent periods ("new"/"silent")
    gap: np.ndarray  # the silent periods' indices


def _evidence(pop: Population, in_topic: np.ndarray, rng: np.random.Generator) -> _Evidence:
    leading, trailing = _silent_periods(pop, in_topic)
    if len(leading) >= MIN_SILENT_PERIODS:
        expected, p = gap_test(pop, in_topic, leading)
        if expected >= SILENT_EXPECTED:
            return _Evidence("new", math.inf, p, expected, leading)
    if len(trailing) >= MIN_SILENT_PERIODS:
        expected, p = gap_test(pop, in_topic, trailing)
        if expected >= SILENT_EXPECTED:
            return _Evidence("silent", -math.inf, p, expected, trailing)
    z, p = trend_test(pop, in_topic, rng)
    return _Evidence("trend", z, p, 0.0, np.arange(0))


def thirds(labels: list[str], papers_per_period) -> tuple[list[str], list[str]]:
    """The early and the late window: the periods holding the earliest and the latest third of the dated
    papers (whole periods, at least one each, never overlapping when there are two or more periods)."""
    if not labels:
        return [], []
    if len(labels) == 1:
        return labels, labels
    counts = np.asarray(papers_per_period, dtype=float)
    cumulative = np.cumsum(counts) / counts.sum()
    # The period holding the 1/3 point closes the early window, the one holding the 2/3 point opens the late
    # one; when a single period holds both, it goes to the late window.
    late_start = max(1, min(int(np.searchsorted(cumulative, 2 / 3 + 1e-9)), len(labels) - 1))
    early_end = min(int(np.searchsorted(cumulative, 1 / 3 - 1e-9)) + 1, late_start)
    return labels[:early_end], labels[late_start:]


def verdict_windows(trends: pd.DataFrame) -> tuple[list[str], list[str]]:
    """`thirds` of a trends table's periods: the windows the verdicts' shares (and the evidence) compare."""
    per_period = trends[trends["period_total"] > 0].drop_duplicates("period").sort_values("period_start")
    return thirds(per_period["period"].astype(str).tolist(), per_period["period_total"].to_numpy())


def _window_shares(dated: pd.DataFrame, in_topic: np.ndarray, labels: list[str]) -> tuple[float, float, str, str]:
    """The topic's share in the early and the late window (`thirds`)."""
    early_labels, late_labels = thirds(labels, dated.groupby("period").size().reindex(labels).to_numpy())
    early = dated["period"].isin(early_labels).to_numpy()
    late = dated["period"].isin(late_labels).to_numpy()
    share = lambda mask: float(in_topic[mask].mean()) if mask.any() else math.nan  # noqa: E731
    span = lambda part: part[0] if len(part) == 1 else f"{part[0]}..{part[-1]}"  # noqa: E731
    return share(early), share(late), span(early_labels), span(late_labels)


def _silence_text(ev: _Evidence, labels: list[str], where: str) -> str:
    gap = [labels[i] for i in ev.gap]
    span = gap[0] if len(gap) == 1 else f"{gap[0]}..{gap[-1]}"
    return f"no papers in {span} although its share {where} predicts {ev.expected:.1f} there"


def topic_growth(trends: pd.DataFrame, *, dated: pd.DataFrame | None = None, strata_kind: str | None = CATEGORY_STRATA,
                 min_papers: int = MIN_PAPERS, z: float = Z95, seed: int = SEED) -> pd.DataFrame:
    """One verdict per topic in `trends` (the output of `analytics.trends.topic_trends`).

    `dated` (from `dated_papers`) gives each dated paper's time and stratum; without it every paper sits at
    its period's start in one stratum. `strata_kind` names the strata in the reasons (see
    `analytics.coverage.paper_strata`). Columns: GROWTH_COLUMNS. The rule in words is `growth_rule`."""
    if trends.empty:
        return pd.DataFrame(columns=GROWTH_COLUMNS)
    if dated is None:
        dated = dated_papers_from_trends(trends)
    if strata_kind == LAYOUT_STRATA:
        dated = _merge_short_strata(dated)
    stratified = dated["stratum"].nunique() > 1
    pop = Population.of(dated)
    pooled = Population.of(dated, pooled=True)
    topic_of = dated["topic_id"].to_numpy()
    rng = np.random.default_rng(seed)

    rows, evidence, evidence_all = [], {}, {}
    for topic_id, group in trends.groupby("topic_id", sort=True):
        topic_id = int(topic_id)
        try:
            row = _base_row(topic_id, group.sort_values("period_start"), min_papers)
            in_topic = topic_of == topic_id
            if row["dated_papers"] >= min_papers:
                evidence[topic_id] = _evidence(pop, in_topic, rng)
                evidence_all[topic_id] = _evidence(pooled, in_topic, rng) if stratified else evidence[topic_id]
                _size_of_change(row, dated, in_topic, stratified, z)
                if stratified:  # the size of the change over all papers, for the coverage check
                    pooled_fit = fit_share_trend(dated, in_topic, False)
                    span = float(dated["time"].max() - dated["time"].min())
                    row["_pooled_change"] = saturating_exp(pooled_fit[0] * span) if pooled_fit else math.nan
                row["share_early"], row["share_late"], row["_early"], row["_late"] = _window_shares(
                    dated, in_topic, pop.labels)
        except Exception as error:  # noqa: BLE001 - one topic's statistics never take the run down
            row = _base_row(topic_id, group.sort_values("period_start"), min_papers)
            row["growth_class"] = NOT_JUDGED
            row["growth_reason"] = f"statistics failed for this topic ({type(error).__name__}: {error})"
            evidence.pop(topic_id, None)
            evidence_all.pop(topic_id, None)
        rows.append(row)

    # The outliers (-1) are no topic: judged for information, but left out of the false-discovery control.
    q = _adjust({t: e.p for t, e in evidence.items() if t != -1}) | ({-1: evidence[-1].p} if -1 in evidence else {})
    q_all = _adjust({t: e.p for t, e in evidence_all.items() if t != -1}) | (
        {-1: evidence_all[-1].p} if -1 in evidence_all else {})
    for row in rows:
        topic_id = row["topic_id"]
        if topic_id not in evidence or row.get("growth_class") == NOT_JUDGED:
            continue
        try:
            _classify(row, evidence[topic_id], evidence_all[topic_id], q[topic_id], q_all[topic_id], pop.labels,
                      strata_words(strata_kind) if stratified else None, len([t for t in evidence if t != -1]))
        except Exception as error:  # noqa: BLE001
            row["growth_class"] = NOT_JUDGED
            row["growth_reason"] = f"statistics failed for this topic ({type(error).__name__}: {error})"

    growth = pd.DataFrame(rows)
    judged = growth[growth["growth_class"].isin(RISING + FALLING + ("stable",)) & (growth["topic_id"] != -1)]
    median_recent = judged["recent_share"].median() if not judged.empty else np.nan
    rising = growth["growth_class"].isin(RISING) | (growth["bursting_now"] & growth["growth_class"].isin(
        RISING + ("stable",)))
    strong = growth["recent_share"] >= median_recent
    growth["signal"] = np.where(rising, np.where(strong, "strong signal", "weak signal"), "")
    return growth[GROWTH_COLUMNS]


def _merge_short_strata(dated: pd.DataFrame) -> pd.DataFrame:
    """Dump layouts whose dated papers fall in fewer than MIN_LAYOUT_PERIODS periods count with the largest
    layout: a one-off dump cannot show by itself whether its selection differs over time, and as a stratum of
    its own it would hide everything it holds from the verdicts (a new subject that arrives in a new export
    would never be new)."""
    spans = dated.groupby("stratum")["period"].nunique()
    short = spans[spans < MIN_LAYOUT_PERIODS].index
    if len(short) == 0 or len(short) == len(spans):
        return dated
    largest = dated[~dated["stratum"].isin(short)]["stratum"].value_counts().index[0]
    return dated.assign(stratum=dated["stratum"].where(~dated["stratum"].isin(short), largest))


def _adjust(p_values: dict[int, float]) -> dict[int, float]:
    if not p_values:
        return {}
    topics = list(p_values)
    q = multipletests([min(1.0, max(0.0, p_values[t])) for t in topics], method="fdr_bh")[1]
    return dict(zip(topics, (float(v) for v in q)))


def _base_row(topic_id: int, group: pd.DataFrame, min_papers: int) -> dict:
    with_data = group[group["period_total"] > 0]
    counts = with_data["count"].to_numpy(dtype=float)
    totals = with_data["period_total"].to_numpy(dtype=float)
    labels = with_data["period"].tolist()
    dated = int(counts.sum())
    bursts = kleinberg_bursts(counts, totals)
    nan = math.nan
    return {
        "topic_id": topic_id, "growth_class": TOO_FEW,
        "growth_reason": f"only {dated} dated papers (needs {min_papers})",
        "dated_papers": dated, "periods_with_data": int(len(with_data)),
        "first_period": labels[0] if labels else "", "last_period": labels[-1] if labels else "",
        "share_overall": dated / totals.sum() if totals.sum() > 0 else nan,
        "share_early": nan, "share_late": nan,
        "recent_share": counts[-3:].sum() / totals[-3:].sum() if totals[-3:].sum() > 0 else nan,
        "growth_per_year": nan, "growth_per_year_low": nan, "growth_per_year_high": nan,
        "change_over_span": nan, "change_over_span_low": nan, "change_over_span_high": nan, "dispersion": nan,
        "test": "", "p_value": nan, "q_value": nan, "p_value_all_papers": nan,
        "went_silent": False, "is_new": False,
        "burst_periods": _ranges(labels, bursts),
        "bursting_now": bool(len(bursts) and bursts[-1] and dated >= min_papers),
        "signal": "",
    }


def _size_of_change(row: dict, dated: pd.DataFrame, in_topic: np.ndarray, stratified: bool, z: float) -> None:
    fit = fit_share_trend(dated, in_topic, stratified)
    if fit is None:
        return
    slope, slope_se, dispersion = fit
    span_years = float(dated["time"].max() - dated["time"].min())
    row["dispersion"] = dispersion
    row["growth_per_year"] = _expm1(slope)
    row["growth_per_year_low"] = _expm1(slope - z * slope_se)
    row["growth_per_year_high"] = _expm1(slope + z * slope_se)
    row["change_over_span"] = saturating_exp(slope * span_years)
    row["change_over_span_low"] = saturating_exp((slope - z * slope_se) * span_years)
    row["change_over_span_high"] = saturating_exp((slope + z * slope_se) * span_years)


def strata_words(strata_kind: str | None) -> str:
    return "arXiv categories" if strata_kind in (None, CATEGORY_STRATA) else f"{strata_kind}s"


def _classify(row: dict, ev: _Evidence, ev_all: _Evidence, q: float, q_all: float, labels: list[str],
              strata: str | None, n_tests: int) -> None:
    """growth_class and growth_reason from the tests (see growth_rule); `strata` names the strata in words
    (None: one stratum)."""
    stratified = strata is not None
    pooled_change = row.pop("_pooled_change", math.nan)
    row["p_value"], row["q_value"], row["p_value_all_papers"] = ev.p, q, ev_all.p
    within = f" within {strata}" if stratified else ""
    fdr = f"q = {q:.2g}, Benjamini-Hochberg over {n_tests} topics"
    shares = ""
    if np.isfinite(row["share_early"]) and np.isfinite(row["share_late"]):
        shares = f"share {row['share_early']:.1%} in {row.pop('_early')} → {row['share_late']:.1%} in {row.pop('_late')}"
    row.pop("_early", None)
    row.pop("_late", None)
    change = row["change_over_span"]
    interval = (f"{fmt_fold(change)} over the span{within} (95% CI {fmt_fold(row['change_over_span_low'])} to "
                f"{fmt_fold(row['change_over_span_high'])})") if np.isfinite(change) else ""
    detail = "; ".join(part for part in (shares, interval) if part)

    if ev.pattern == "new":
        row["test"] = "exact test of the gap at the start"
        if q < FDR:
            row["is_new"], row["change_over_span"] = True, math.inf
            row["change_over_span_low"] = row["change_over_span_high"] = math.nan
            row["growth_class"] = "emerging"
            row["growth_reason"] = (f"new topic: {_silence_text(ev, labels, 'since then' + within)}; first papers in "
                                    f"{labels[int(ev.gap[-1]) + 1]} ({fdr})")
            return
    elif ev.pattern == "silent":
        row["test"] = "exact test of the gap at the end"
        if q < FDR:
            row["went_silent"] = True
            row["growth_class"] = "fading"
            row["growth_reason"] = f"went silent: {_silence_text(ev, labels, 'before' + within)} ({fdr})"
            return
    else:
        row["test"] = "permutation test" if row["dated_papers"] < EXACT_BELOW else "trend test (normal limit)"
        if stratified:
            row["test"] += f", within {strata}"
        if q < FDR:
            rising = ev.z > 0
            fold = change if np.isfinite(change) else None
            if rising:
                big, clear = (fold is None or fold >= EMERGING_FOLD), (fold is None or fold >= CLEAR_FOLD)
                row["growth_class"] = "emerging" if (fold is not None and big) else ("growing" if clear else "stable")
            else:
                big = fold is not None and fold <= 1 / EMERGING_FOLD
                clear = fold is None or fold <= 1 / CLEAR_FOLD
                row["growth_class"] = "fading" if big else ("declining" if clear else "stable")
            small = "a clear but small change: " if row["growth_class"] == "stable" else ""
            row["growth_reason"] = f"{small}{detail} ({fdr})"
            return

    # Nothing significant within strata. Over all papers, a change the rule would have called a rise or a fall?
    pooled_clear = ev_all.pattern != "trend" or (
        np.isfinite(pooled_change) and (pooled_change >= CLEAR_FOLD or pooled_change <= 1 / CLEAR_FOLD))
    if stratified and q_all < FDR and pooled_clear:
        row["growth_class"] = COVERAGE
        moved = {"new": "appears from nowhere", "silent": "goes silent"}.get(
            ev_all.pattern, "rises" if ev_all.z > 0 else "falls")
        mix = "the crawl's category mix" if strata == "arXiv categories" else f"the mix of {strata}"
        row["growth_reason"] = (f"over all dated papers it {moved} (q = {q_all:.2g}), but within {strata} there is "
                                f"no significant change (q = {q:.2g}): {mix} changed, not the research; {detail}")
        return
    low, high = row["change_over_span_low"], row["change_over_span_high"]
    if np.isfinite(low) and np.isfinite(high) and low >= 1 / STABLE_FOLD_BOUND and high <= STABLE_FOLD_BOUND:
        row["growth_class"] = "stable"
        row["growth_reason"] = f"no significant change ({fdr}); {detail}"
    else:
        row["growth_class"] = UNCLEAR
        row["growth_reason"] = f"no significant change ({fdr}), and the interval is too wide to call it stable; {detail}"
