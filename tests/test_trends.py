"""Trend statistics on constructed data whose answers are known."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analytics.trends import choose_period, topic_trends, wilson_interval


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
