"""Growth verdicts on constructed data whose answers are known: risers, faders, new and silent topics,
coverage shifts, small data with and without a change, false-discovery control, failing statistics."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analytics.growth import dated_papers, kleinberg_bursts, topic_growth
from analytics.trends import topic_trends
from tests.test_trends import papers_from_counts

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
    assert growth_known.loc[6, "went_silent"] and growth_known.loc[6, "growth_reason"].startswith("went silent: no papers in")
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
    """Enough dated papers but no evidence of a change: said as such, not as 'not enough dated papers'."""
    two_months = topic_growth(topic_trends(papers_from_counts({1: [10, 12], 0: [90, 88]}), period="month"))
    row = two_months.set_index("topic_id").loc[1]
    assert row["growth_class"] == "no clear change", row["growth_reason"]
    assert row["growth_reason"].startswith("no significant change")
    sparse = [3, 0, 0, 0, 3, 0, 0, 0, 0, 3, 0, 0]  # 9 papers over a year of 10-paper months
    wide = topic_growth(topic_trends(papers_from_counts({1: sparse, 0: [10 - s for s in sparse]}), period="month"))
    row = wide.set_index("topic_id").loc[1]
    assert row["growth_class"] == "no clear change"
    assert "too wide to call it stable" in row["growth_reason"]


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
    counts = {1: [0, 12], 0: [60, 48]}  # one empty period: no "new topic" gap, but a clear rise
    row = topic_growth(topic_trends(papers_from_counts(counts), period="month"), min_papers=8).set_index("topic_id").loc[1]
    assert row["growth_class"] == "emerging", row["growth_reason"]
    counts = {1: [0, 0, 12], 0: [60, 60, 48]}
    row = topic_growth(topic_trends(papers_from_counts(counts), period="month"), min_papers=8).set_index("topic_id").loc[1]
    assert row["growth_class"] == "emerging" and row["growth_reason"].startswith("new topic")


def test_a_late_but_not_new_topic_is_not_called_new():
    """Two empty periods where its later share predicts under 3 papers: absence is no evidence."""
    counts = {1: [0, 0, 2, 3, 3, 2], 0: [10, 10, 98, 97, 97, 98]}
    row = topic_growth(topic_trends(papers_from_counts(counts), period="month"), min_papers=8).set_index("topic_id").loc[1]
    assert not row["growth_reason"].startswith("new topic")


def test_one_topics_failing_statistics_do_not_take_down_the_others(monkeypatch):
    import analytics.growth as growth_module

    real_fit = growth_module.fit_share_trend
    calls = {"n": 0}

    def flaky_fit(*args):
        calls["n"] += 1
        if calls["n"] == 1:
            raise FloatingPointError("simulated failure")
        return real_fit(*args)

    monkeypatch.setattr(growth_module, "fit_share_trend", flaky_fit)
    counts = {1: linear(0.05, 0.15), 2: linear(0.10, 0.30), 0: [200 - a - b for a, b in zip(linear(0.05, 0.15), linear(0.10, 0.30))]}
    growth = topic_growth(topic_trends(papers_from_counts(counts), period="month")).set_index("topic_id")
    failed = growth.loc[0]  # topic ids are processed in order: 0 first
    assert failed["growth_class"] == "could not be judged"
    assert "simulated failure" in failed["growth_reason"]
    assert growth.loc[1, "growth_class"] == "growing" and growth.loc[2, "growth_class"] == "growing"


# ---------------------------------------------------------------------------------------------------
# Coverage, small data and the false-discovery control (issue 20)


def _growth_with_categories(frames: dict[str, dict[int, list[int]]], min_papers: int = 8) -> pd.DataFrame:
    """Papers of several arXiv categories (strata): frames[category][topic] = counts per month."""
    from analytics.coverage import paper_strata

    papers = pd.concat(
        [papers_from_counts(counts).assign(categories=category) for category, counts in frames.items()],
        ignore_index=True,
    )
    trends = topic_trends(papers, period="month")
    strata, kind = paper_strata(papers)
    dated = dated_papers(papers, trends, strata)
    return topic_growth(trends, dated=dated, strata_kind=kind, min_papers=min_papers).set_index("topic_id")


def test_a_category_entering_half_way_produces_no_emerging_topic():
    """cs.IT enters the crawl in month 12. Its own topic (wireless) looks new over all papers, and a topic
    common in cs.IT looks like it quadruples; within categories neither changed."""
    months = 24
    frames = {
        "cs.CL": {0: [190] * months, 2: [10] * months},
        "cs.IT": {1: [0] * 12 + [150] * 12, 2: [0] * 12 + [50] * 12},
    }
    growth = _growth_with_categories(frames)
    for topic in (1, 2):
        row = growth.loc[topic]
        assert row["growth_class"] == "explained by coverage", (topic, row["growth_reason"])
        assert "within arXiv categories there is no significant change" in row["growth_reason"]
    # Without the categories (one stratum) the same counts look like a rise: the check is what saves it.
    pooled = topic_growth(topic_trends(pd.concat(
        [papers_from_counts(c) for c in frames.values()], ignore_index=True), period="month")).set_index("topic_id")
    assert pooled.loc[1, "growth_class"] == "emerging" and pooled.loc[2, "growth_class"] in ("emerging", "growing")


def test_a_real_rise_inside_a_category_survives_a_coverage_shift():
    months = 24
    rising = [round(5 + 20 * k / (months - 1)) for k in range(months)]  # 5 -> 25 of 200 cs.CL papers a month
    frames = {
        "cs.CL": {1: rising, 0: [200 - r for r in rising]},
        "cs.IT": {0: [0] * 12 + [150] * 12},
    }
    row = _growth_with_categories(frames).loc[1]
    assert row["growth_class"] in ("growing", "emerging"), row["growth_reason"]
    assert "within arXiv categories" in row["growth_reason"] and row["q_value"] < 0.05


def test_small_data_with_a_strong_change_gets_a_verdict():
    """Yearly dumps of a few dozen papers, as the samples are: a topic holding over a quarter of the early
    papers and almost none later is judged, by an exact (permutation) test."""
    totals = [10, 12, 40, 40, 30]
    topic = [4, 4, 1, 0, 1]
    counts = {1: topic, 0: [t - c for t, c in zip(totals, topic)]}
    row = topic_growth(topic_trends(papers_from_counts(counts), period="month")).set_index("topic_id").loc[1]
    assert row["growth_class"] in ("fading", "declining"), row["growth_reason"]
    assert row["test"].startswith("permutation test") and row["q_value"] < 0.05
    assert row["share_early"] > 3 * row["share_late"]  # earliest vs latest third of the dated papers


def test_small_data_without_a_change_gets_no_verdict():
    totals = [10, 12, 40, 40, 30]
    topic = [1, 1, 4, 4, 3]  # about 10% throughout
    counts = {1: topic, 0: [t - c for t, c in zip(totals, topic)]}
    row = topic_growth(topic_trends(papers_from_counts(counts), period="month")).set_index("topic_id").loc[1]
    assert row["growth_class"] in ("no clear change", "stable"), row["growth_reason"]
    assert row["growth_class"] != "not enough dated papers"


def test_many_topics_without_change_give_no_false_verdicts():
    """40 topics drawn at random with constant shares: the false-discovery control keeps them all unjudged,
    while the uncorrected p-values would have called some (at 5%, about 2 of 40)."""
    rng = np.random.default_rng(3)
    months, n_topics = 18, 40
    draws = rng.multinomial(300, [1 / n_topics] * n_topics, size=months)  # months x topics
    counts = {topic: draws[:, topic].tolist() for topic in range(n_topics)}
    growth = topic_growth(topic_trends(papers_from_counts(counts), period="month"))
    verdicts = growth[growth["growth_class"].isin(["emerging", "growing", "declining", "fading"])]
    assert verdicts.empty, verdicts[["topic_id", "growth_class", "p_value", "q_value"]]
    assert (growth["q_value"] >= growth["p_value"]).all()


def test_a_new_subject_in_a_one_off_export_is_still_new():
    """Without categories the dump layout is the stratum; a layout seen in one period only (a one-off export
    holding a new subject) counts with the largest layout, so its subject is reported new, not hidden."""
    papers = pd.concat([
        papers_from_counts({0: [40, 40, 40, 30]}).assign(layout="hf_daily"),
        papers_from_counts({0: [20, 20, 20, 0]}).assign(layout="sorted_updated"),
        papers_from_counts({1: [0, 0, 0, 12]}).assign(layout="generic_jsonl"),
    ], ignore_index=True)
    trends = topic_trends(papers, period="month")
    dated = dated_papers(papers, trends, papers["layout"])
    row = topic_growth(trends, dated=dated, strata_kind="dump layout").set_index("topic_id").loc[1]
    assert row["growth_class"] == "emerging" and row["growth_reason"].startswith("new topic"), row["growth_reason"]
