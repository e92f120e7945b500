"""Coverage of the dumps: which categories enter, leave or change their share, found from the papers."""

from __future__ import annotations

import pandas as pd

from analytics.coverage import coverage_changes, paper_strata, primary_category


def _papers(mix: dict[str, list[int]]) -> tuple[pd.Series, pd.Series]:
    """mix[category][k] papers in month k."""
    periods, strata = [], []
    for category, per_month in mix.items():
        for k, n in enumerate(per_month):
            periods += [f"2025-{k + 1:02d}"] * n
            strata += [category] * n
    return pd.Series(periods), pd.Series(strata)


def test_entering_leaving_and_stepped_categories_are_found_at_the_right_month():
    months = 12
    mix = {
        "cs.CV": [500] * months,
        "cs.CL": [300 + 10 * (k % 3) for k in range(months)],  # wobbles, no change
        "cs.IT": [0] * 8 + [60] * 4,  # enters in month 9
        "cs.RO": [40] * 5 + [0] * 7,  # leaves in month 6
        "cs.AI": [2, 30] + [10] * 3 + [120] * 7,  # one odd month, then a step up in month 6
    }
    changes = {(c.stratum, c.kind, c.period) for c in coverage_changes(*_papers(mix))}
    assert changes == {("cs.IT", "entered", "2025-09"), ("cs.RO", "left", "2025-06"), ("cs.AI", "stepped", "2025-06")}


def test_no_change_is_reported_for_a_stable_mix_or_a_single_stratum():
    assert coverage_changes(*_papers({"cs.CV": [100] * 6, "cs.CL": [50, 60, 55, 45, 50, 52]})) == []
    assert coverage_changes(*_papers({"": [100] * 6})) == []


def test_strata_are_primary_categories_only_when_most_papers_have_one():
    papers = pd.DataFrame({"categories": [["cs.CL", "cs.AI"], "cs.CV;cs.LG", "cs.CV", ["cs.AI"], ""]})
    assert primary_category(["cs.CL", "cs.AI"]) == "cs.CL" and primary_category("cs.CV;cs.LG") == "cs.CV"
    strata, kind = paper_strata(papers)
    assert strata.tolist() == ["cs.CL", "cs.CV", "cs.CV", "cs.AI", ""] and kind == "primary arXiv category"
    few = pd.DataFrame({"categories": ["cs.CL", "", "", ""]})
    strata, kind = paper_strata(few)
    assert set(strata) == {""} and kind is None  # one stratum: a few categorised papers say nothing


def test_without_categories_the_dump_layout_is_the_stratum():
    """A 'sort by updated' search listing and a trending page select papers from different years: without
    categories, the layout of the dump a paper was first read from is its stratum."""
    papers = pd.DataFrame({"categories": ["", "", "", ""],
                           "sources": [["b.txt:1", "a.txt:4"], ["c.txt:2"], ["a.txt:9"], ["c.txt:3"]]})
    layouts = {"a.txt": "sorted_updated", "b.txt": "hf_trending", "c.txt": "hf_trending"}
    strata, kind = paper_strata(papers, layouts)
    assert strata.tolist() == ["sorted_updated", "hf_trending", "sorted_updated", "hf_trending"]
    assert kind == "dump layout"
    strata, kind = paper_strata(papers, {"a.txt": "hf_daily", "b.txt": "hf_daily", "c.txt": "hf_daily"})
    assert set(strata) == {""} and kind is None  # one layout: nothing to stratify by
