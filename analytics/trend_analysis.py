"""The trends stage as one result: shares per period, where the crawl's coverage changed, and each topic's
verdict (TrendsResult), from the papers with their topics and dates."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from analytics.coverage import coverage_changes, coverage_summary, paper_strata
from analytics.embedding import paper_text
from analytics.growth import dated_papers, strata_words, topic_growth
from analytics.run_summary import TrendSettings
from analytics.trends import topic_trends
from analytics.verdict_words import check_verdicts_by_words


@dataclass
class TrendsResult:
    trends: pd.DataFrame  # shares as configured ([dates] include_inferred): trends.csv, the verdicts
    trends_all: pd.DataFrame  # every dated paper, inferred dates included
    trends_stated: pd.DataFrame  # stated dates only (the report's toggle)
    growth: pd.DataFrame  # one verdict per topic (analytics.growth.GROWTH_COLUMNS + verdict_words.WORDS_COLUMNS)
    coverage: dict[str, Any]  # analytics.coverage.coverage_summary
    settings: TrendSettings  # the period and which papers `trends` counted
    settings_all: TrendSettings  # how `trends_all` counted
    settings_stated: TrendSettings  # how `trends_stated` counted (the report's toggle: the papers it leaves out)


def analyse_trends(papers: pd.DataFrame, layout_of_file: dict[str, str], *, period: str, include_inferred: bool,
                   kinds: tuple[str, ...], min_papers: int, labels: dict[int, str] | None = None) -> TrendsResult:
    """`layout_of_file` maps each dump's file name to its layout, the strata when papers carry no category.
    Both trend variants count the same date kinds and share the period chosen on all dated papers.
    With the topics' `labels`, each rising or falling verdict is checked against the papers' words
    (analytics.verdict_words)."""
    trends = topic_trends(papers, period=period, include_inferred=include_inferred, kinds=kinds)
    other = topic_trends(papers, period=trends.attrs["period"], include_inferred=not include_inferred, kinds=kinds)
    trends_all, trends_stated = (trends, other) if include_inferred else (other, trends)
    strata, strata_kind = paper_strata(papers, layout_of_file)
    dated = dated_papers(papers, trends, strata)
    coverage = coverage_summary(coverage_changes(dated["period"], dated["stratum"]), strata_kind)
    growth = topic_growth(trends, dated=dated, strata_kind=strata_kind, min_papers=min_papers)
    if labels is not None and {"title", "abstract"} <= set(papers.columns):
        texts = [paper_text(str(t or ""), str(a or "")) for t, a in zip(papers["title"], papers["abstract"])]
        growth = check_verdicts_by_words(growth, dated, texts, labels,
                                         strata_words=strata_words(strata_kind))
    return TrendsResult(trends=trends, trends_all=trends_all, trends_stated=trends_stated, growth=growth,
                        coverage=coverage, settings=TrendSettings(**trends.attrs),
                        settings_all=TrendSettings(**trends_all.attrs), settings_stated=TrendSettings(**trends_stated.attrs))
