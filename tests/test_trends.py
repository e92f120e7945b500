"""Trend statistics on constructed data whose answers are known."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analytics.trends import (
    choose_period,
    kleinberg_bursts,
    topic_growth,
    topic_trends,
    wilson_interval,
)


def papers_from_counts(counts: dict[int, list[int]], start: str = "2024-01", day: int = 10) -> pd.DataFrame:
    """One paper row per count: counts[topic][k] papers of `topic` dated in month k after `start`."""
    months = pd.period_range(start, periods=len(next(iter(counts.values()))), freq="M")
    rows = []
    for topic_id, per_month in counts.items():
        for month, n in zip(months, per_month):
            date = f"{month.start_time:%Y-%m}-{day:02d}"
            rows += [{"topic_id": topic_id, "published": date, "date_inferred": False}] * int(n)
    return pd.DataFrame(rows)


def dated(dates: list[str], topic_id: int = 0) -> pd.DataFrame:
    return pd.DataFrame({"topic_id": topic_id, "published": dates, "date_inferred": False})


# ---------------------------------------------------------------------------------------------------
# Wilson intervals


def test_wilson_interval_matches_textbook_values():
    low, high = wilson_interval([10, 0, 10, 0], [100, 10, 10, 0])
    assert low[0] == pytest.approx(0.0552, abs=5e-5) and high[0] == pytest.approx(0.1744, abs=5e-5)
    assert low[1] == 0.0 and high[1] == pytest.approx(0.2775, abs=5e-5)
    assert low[2] == pytest.approx(0.7225, abs=5e-5) and high[2] == 1.0
    assert (low[3], high[3]) == (0.0, 1.0)  # no papers at all: nothing is known


# ---------------------------------------------------------------------------------------------------
# Shares per period


def test_shares_counts_and_zero_filled_periods():
    papers = pd.concat(
        [
            dated(["2024-01-05", "2024-01-20", "2024-04-02"], topic_id=0),
            dated(["2024-01-07", "2024-02-11", "2024-02-12"], topic_id=1),
        ]
    )
    trends = topic_trends(papers, period="month")
    assert trends.attrs["period"] == "month"
    # Every topic in every month from the first to the last, March included although nobody published then.
    assert trends.groupby("topic_id")["period"].apply(list).to_dict() == {
        0: ["2024-01", "2024-02", "2024-03", "2024-04"],
        1: ["2024-01", "2024-02", "2024-03", "2024-04"],
    }
    row = trends.set_index(["topic_id", "period"])
    assert row.loc[(0, "2024-01"), ["count", "period_total"]].tolist() == [2, 3]
    assert row.loc[(0, "2024-01"), "share"] == pytest.approx(2 / 3)
    assert row.loc[(0, "2024-02"), ["count", "period_total", "share"]].tolist() == [0, 2, 0.0]
    assert row.loc[(0, "2024-02"), "share_low"] == 0.0 and row.loc[(0, "2024-02"), "share_high"] > 0.5
    march = row.loc[(0, "2024-03")]
    assert march["count"] == 0 and march["period_total"] == 0 and math.isnan(march["share"])
    assert (march["share_low"], march["share_high"]) == (0.0, 1.0)
    assert row.loc[(1, "2024-04"), ["count", "period_total", "share"]].tolist() == [0, 1, 0.0]
    with_data = trends[trends["period_total"] > 0]
    assert (with_data["share_low"] <= with_data["share"]).all() and (with_data["share"] <= with_data["share_high"]).all()
    assert str(row.loc[(0, "2024-04"), "period_start"].date()) == "2024-04-01"


def test_period_labels_for_quarters_and_years():
    papers = dated(["2023-11-30", "2024-05-01", "2024-06-30", "2025-01-01"])
    quarters = topic_trends(papers, period="quarter")
    assert quarters["period"].tolist() == ["2023Q4", "2024Q1", "2024Q2", "2024Q3", "2024Q4", "2025Q1"]
    assert quarters["count"].tolist() == [1, 0, 2, 0, 0, 1]
    years = topic_trends(papers, period="year")
    assert years["period"].tolist() == ["2023", "2024", "2025"]
    assert years["period_start"].dt.strftime("%Y-%m-%d").tolist() == ["2023-01-01", "2024-01-01", "2025-01-01"]


def test_outlier_topic_counts_in_period_totals():
    papers = pd.concat([dated(["2024-01-01"] * 3, topic_id=0), dated(["2024-01-02"], topic_id=-1)])
    trends = topic_trends(papers, period="month").set_index("topic_id")
    assert trends.loc[0, "share"] == pytest.approx(0.75)
    assert trends.loc[-1, "share"] == pytest.approx(0.25)


def test_include_inferred_false_leaves_inferred_dates_out_and_says_so():
    papers = pd.DataFrame(
        {
            "topic_id": [0, 0, 1, 1],
            "published": ["2024-01-03", "2024-02-03", "2024-02-04", ""],
            # As read back from papers.csv: booleans arrive as strings.
            "date_inferred": ["False", "True", "False", "False"],
        }
    )
    with_inferred = topic_trends(papers, period="month")
    stated_only = topic_trends(papers, period="month", include_inferred=False)
    assert with_inferred["include_inferred"].all() and not stated_only["include_inferred"].any()
    assert with_inferred.attrs["include_inferred"] is True and stated_only.attrs["include_inferred"] is False
    assert with_inferred.attrs["papers_used"] == 3 and stated_only.attrs["papers_used"] == 2
    assert stated_only.attrs["papers_inferred_left_out"] == 1
    assert with_inferred.attrs["papers_undated"] == 1
    feb = stated_only.set_index(["topic_id", "period"]).loc[(0, "2024-02")]
    assert feb["count"] == 0 and feb["period_total"] == 1


def test_a_date_known_only_to_the_year_is_not_counted_in_a_month():
    papers = pd.DataFrame(
        {
            "topic_id": [0, 0, 1],
            "published": ["2024-03-05", "2024-01-01", "2024-04-01"],
            "date_precision": ["day", "year", "month"],
            "date_low": ["2024-03-05", "2024-01-01", "2024-04-01"],
            "date_high": ["2024-03-05", "2024-12-31", "2024-04-30"],
            "date_inferred": [False, False, False],
        }
    )
    monthly = topic_trends(papers, period="month")
    assert monthly.attrs["papers_too_coarse"] == 1
    assert monthly.groupby("topic_id")["count"].sum().to_dict() == {0: 1, 1: 1}  # the month-precise one counts
    yearly = topic_trends(papers, period="year")
    assert yearly.attrs["papers_too_coarse"] == 0
    assert yearly.groupby("topic_id")["count"].sum().to_dict() == {0: 2, 1: 1}


def test_no_dated_papers_gives_an_empty_table_with_the_columns():
    trends = topic_trends(pd.DataFrame({"topic_id": [0, 1], "published": ["", ""]}))
    assert trends.empty and {"topic_id", "period", "count", "share", "share_low", "share_high"} <= set(trends.columns)
    assert topic_growth(trends).empty


# ---------------------------------------------------------------------------------------------------
# Choosing the period


def _spread(start: str, end: str, n: int) -> pd.Series:
    return pd.Series(pd.date_range(start, end, periods=n).strftime("%Y-%m-%d"))


def test_choose_period_from_span_and_density():
    assert choose_period(_spread("2025-03-01", "2026-06-30", 75000)) == "month"  # 16 dense months
    assert choose_period(_spread("2015-01-01", "2024-12-31", 50000)) == "quarter"  # 120 months is too many
    assert choose_period(_spread("2000-01-01", "2024-12-31", 50000)) == "year"  # 100 quarters too
    assert choose_period(_spread("2024-01-01", "2025-12-31", 400)) == "quarter"  # 17/month is too thin
    # Thin everywhere: the coarsest period that still gives a trend (>= 4 points), not 2 years.
    assert choose_period(_spread("2024-01-01", "2025-12-31", 60)) == "quarter"
    assert choose_period(_spread("2024-01-01", "2024-02-28", 5000)) == "month"  # too short for anything else
    assert choose_period(pd.Series(["", None, "not a date"])) == "month"


def test_choose_period_follows_config():
    dates = _spread("2025-03-01", "2026-06-30", 75000)
    assert choose_period(dates, configured="year") == "year"
    with pytest.raises(ValueError, match="trends period must be one of"):
        choose_period(dates, configured="week")
    assert topic_trends(dated(["2024-01-01", "2024-05-01"]), period="year").attrs["period"] == "year"


# ---------------------------------------------------------------------------------------------------
# Growth


def linear(start: float, end: float, months: int = 24, total: int = 200) -> list[int]:
    return [round(total * (start + (end - start) * k / (months - 1))) for k in range(months)]


@pytest.fixture(scope="module")
def growth_known() -> pd.DataFrame:
    months = 24
    counts = {
        1: linear(0.05, 0.15),  # share triples: growing
        2: linear(0.20, 0.03),  # share falls to a seventh: fading
        3: [50] * months,  # 25% throughout: stable
        4: [0] * 12 + linear(0.02, 0.12, 12),  # absent for a year, then rising: emerging
        5: linear(0.20, 0.13),  # falls by a third: declining
        6: [20] * 20 + [0] * 4,  # 10% for 20 months, then silent: fading (popularity decay)
        7: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0],  # 5 papers: too few
    }
    counts[0] = [200 - sum(c[k] for c in counts.values()) for k in range(months)]  # everything else
    assert min(counts[0]) > 0
    growth = topic_growth(topic_trends(papers_from_counts(counts), period="month"), min_papers=8)
    return growth.set_index("topic_id")


@pytest.mark.parametrize(
    "topic_id, expected",
    [
        (1, "growing"),
        (2, "fading"),
        (3, "stable"),
        (4, "emerging"),
        (5, "declining"),
        (6, "fading"),
        (7, "not enough dated papers"),
    ],
)
def test_growth_classes_on_known_patterns(growth_known, topic_id, expected):
    assert growth_known.loc[topic_id, "growth_class"] == expected, growth_known.loc[topic_id, "growth_reason"]


def test_growth_figures_point_the_right_way(growth_known):
    growing, fading, stable = growth_known.loc[1], growth_known.loc[2], growth_known.loc[3]
    assert growing["growth_per_year_low"] > 0 and 2 < growing["change_over_span"] < 4
    assert fading["growth_per_year_high"] < 0 and fading["change_over_span"] < 0.25
    assert stable["change_over_span_low"] < 1 < stable["change_over_span_high"]
    assert stable["change_over_span"] == pytest.approx(1.0, abs=0.02)
    assert growth_known.loc[6, "went_silent"] and "no papers in the last" in growth_known.loc[6, "growth_reason"]
    small = growth_known.loc[7]
    assert small["dated_papers"] == 5 and small["growth_reason"] == "only 5 dated papers (needs 8)"
    assert math.isnan(small["growth_per_year"])
    assert growth_known.loc[4, "signal"] in {"strong signal", "weak signal"}
    assert growth_known.loc[3, "signal"] == ""


def test_growth_rate_recovers_a_known_logistic_trend():
    """Share follows logit(share) = -3 + ln(2) * years exactly: the odds double every year."""
    months = 36
    share = [1 / (1 + math.exp(-(-3 + math.log(2) * k / 12))) for k in range(months)]
    total = 5000
    rising = [round(total * s) for s in share]
    trends = topic_trends(papers_from_counts({1: rising, 0: [total - r for r in rising]}), period="month")
    row = topic_growth(trends).set_index("topic_id").loc[1]
    # Period starts are calendar months (28-31 days), so time steps differ slightly from k/12.
    assert row["growth_per_year"] == pytest.approx(1.0, abs=0.02)
    assert row["growth_per_year_low"] < 1.0 < row["growth_per_year_high"]
    assert row["dispersion"] == pytest.approx(1.0)  # exact counts: no extra-binomial noise
    span_years = (pd.Timestamp("2026-12-01") - pd.Timestamp("2024-01-01")).days / 365.25
    assert row["change_over_span"] == pytest.approx(2**span_years, rel=0.03)
    assert row["growth_class"] == "emerging"  # odds x7.5 over the span (share 4.7% -> 27%)


def test_overdispersion_widens_the_interval():
    months = 24
    calm = [40] * months
    jumpy = [20 if k % 2 else 60 for k in range(months)]  # same mean, far more spread than binomial
    calm_row = topic_growth(topic_trends(papers_from_counts({1: calm, 0: [160] * months}), period="month")).set_index("topic_id").loc[1]
    jumpy_row = topic_growth(
        topic_trends(papers_from_counts({1: jumpy, 0: [200 - j for j in jumpy]}), period="month")
    ).set_index("topic_id").loc[1]
    assert jumpy_row["dispersion"] > 5
    calm_width = calm_row["growth_per_year_high"] - calm_row["growth_per_year_low"]
    jumpy_width = jumpy_row["growth_per_year_high"] - jumpy_row["growth_per_year_low"]
    assert jumpy_width > 2 * calm_width


def test_few_periods_or_a_wide_interval_is_not_a_confident_guess():
    two_months = topic_growth(topic_trends(papers_from_counts({1: [10, 12], 0: [90, 88]}), period="month"))
    row = two_months.set_index("topic_id").loc[1]
    assert row["growth_class"] == "not enough dated papers" and "only 2 period" in row["growth_reason"]
    sparse = [3, 0, 0, 0, 3, 0, 0, 0, 0, 3, 0, 0]  # 9 papers over a year of 10-paper months
    wide = topic_growth(topic_trends(papers_from_counts({1: sparse, 0: [10 - s for s in sparse]}), period="month"))
    row = wide.set_index("topic_id").loc[1]
    assert row["growth_class"] == "not enough dated papers"
    assert row["growth_reason"].startswith("interval too wide to tell")


# ---------------------------------------------------------------------------------------------------
# Bursts


def test_kleinberg_marks_a_burst_and_nothing_in_a_flat_series():
    totals = np.full(12, 1000)
    spike = np.array([50, 50, 50, 50, 50, 150, 160, 150, 50, 50, 50, 50])
    assert kleinberg_bursts(spike, totals).tolist() == [False] * 5 + [True] * 3 + [False] * 4
    assert not kleinberg_bursts(np.full(12, 50), totals).any()
    assert not kleinberg_bursts(np.zeros(12), totals).any()


def test_burst_periods_and_bursting_now_in_growth():
    months = 12
    late_spike = [10] * 10 + [40, 45]
    trends = topic_trends(papers_from_counts({1: late_spike, 0: [200 - c for c in late_spike]}), period="month")
    row = topic_growth(trends).set_index("topic_id").loc[1]
    assert row["burst_periods"] == "2024-11..2024-12"
    assert row["bursting_now"]
    assert len(late_spike) == months


def test_one_empty_last_period_is_not_silence():
    one_gap = [20] * 23 + [0]  # e.g. a last month the crawler only just started
    trends = topic_trends(papers_from_counts({1: one_gap, 0: [180] * 23 + [200]}), period="month")
    row = topic_growth(trends).set_index("topic_id").loc[1]
    assert not row["went_silent"]


# ---------------------------------------------------------------------------------------------------
# Topics from nowhere and failing statistics (issue 17: a new topic crashed the whole run)


def test_a_topic_that_only_appears_in_the_last_period_is_reported_new_not_a_crash():
    """8 papers of a topic, all in the last of four periods: the quasi-separated fit used to raise
    OverflowError in math.expm1 and the run wrote nothing."""
    counts = {1: [0, 0, 0, 8], 0: [40, 40, 40, 32]}
    row = topic_growth(topic_trends(papers_from_counts(counts), period="month"), min_papers=8).set_index("topic_id").loc[1]
    assert row["growth_class"] == "emerging"
    assert row["growth_reason"].startswith("new topic: no papers in 2024-01..2024-03")
    assert row["change_over_span"] == math.inf


def test_a_new_topic_with_papers_in_one_period_only_is_not_called_not_enough_data():
    counts = {1: [0, 12], 0: [60, 48]}
    row = topic_growth(topic_trends(papers_from_counts(counts), period="month"), min_papers=8).set_index("topic_id").loc[1]
    assert row["growth_class"] == "not enough dated papers"  # one empty period before it: no evidence yet
    counts = {1: [0, 0, 12], 0: [60, 60, 48]}
    row = topic_growth(topic_trends(papers_from_counts(counts), period="month"), min_papers=8).set_index("topic_id").loc[1]
    assert row["growth_class"] == "emerging" and row["growth_reason"].startswith("new topic")


def test_a_late_but_not_new_topic_is_not_called_new():
    """Two empty periods where its later share predicts under 3 papers: absence is no evidence."""
    counts = {1: [0, 0, 2, 3, 3, 2], 0: [10, 10, 98, 97, 97, 98]}
    row = topic_growth(topic_trends(papers_from_counts(counts), period="month"), min_papers=8).set_index("topic_id").loc[1]
    assert not row["growth_reason"].startswith("new topic")


def test_one_topics_failing_statistics_do_not_take_down_the_others(monkeypatch):
    import analytics.trends as trends_module

    real_fit = trends_module._fit_share_trend
    calls = {"n": 0}

    def flaky_fit(*args):
        calls["n"] += 1
        if calls["n"] == 1:
            raise FloatingPointError("simulated failure")
        return real_fit(*args)

    monkeypatch.setattr(trends_module, "_fit_share_trend", flaky_fit)
    counts = {1: linear(0.05, 0.15), 2: linear(0.10, 0.30), 0: [200 - a - b for a, b in zip(linear(0.05, 0.15), linear(0.10, 0.30))]}
    growth = topic_growth(topic_trends(papers_from_counts(counts), period="month")).set_index("topic_id")
    failed = growth.loc[0]  # topic ids are processed in order: 0 first
    assert failed["growth_class"] == "could not be judged"
    assert "simulated failure" in failed["growth_reason"]
    assert growth.loc[1, "growth_class"] == "growing" and growth.loc[2, "growth_class"] == "growing"
