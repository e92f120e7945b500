"""Who is behind the shares: the population of dated papers per period, and where it changed.

A topic's share of a period's papers moves when research moves, but also when the crawl behind the dumps
changes: a category added to or dropped from the listings, or collected far more heavily from some month on.
The daily arXiv corpus has both (cs.IT, cs.CE and cs.GT enter in 2026-01; cs.LG, cs.RO and eess.IV leave in
2025-08; cs.AI goes from ~3% to ~20% of the papers in 2025-07). Growth is therefore judged within strata
(a paper's primary arXiv category), and this module finds the strata and describes the changes in words.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

NO_STRATUM = ""  # papers without a category all sit in one stratum
# Strata are only used when most dated papers have one: a handful of categorised papers among hundreds
# without says nothing about the population.
MIN_STRATIFIED_SHARE = 0.8
# A stratum is described (entered, left, stepped) only when it is a visible part of the population.
MIN_STRATUM_SHARE = 0.003
MIN_STRATUM_PAPERS = 30
ABSENT_SHARE_RATIO = 0.1  # a period where a stratum has under a tenth of its usual share: it was not crawled
STEP_RATIO = 3.0  # a stratum whose share before and after a period differs by x3: the crawl changed there


def primary_category(categories) -> str:
    """The first (primary) arXiv category of a paper: a list, or text joined with ';' as in papers.csv."""
    if isinstance(categories, (list, tuple, np.ndarray)):
        return str(categories[0]).strip() if len(categories) else NO_STRATUM
    if isinstance(categories, str):
        return categories.split(";")[0].strip()
    return NO_STRATUM


CATEGORY_STRATA = "primary arXiv category"
LAYOUT_STRATA = "dump layout"


def paper_strata(papers: pd.DataFrame, layout_of_file: dict[str, str] | None = None) -> tuple[pd.Series, str | None]:
    """Each paper's stratum and what the strata are.

    - The primary arXiv category when most papers have one: the crawl adds and drops categories.
    - Otherwise the layout of the first dump a paper was read from (`layout_of_file`: file name -> format),
      when there are several: a "sort by updated" search listing, a trending page and a daily listing select
      papers from different years and subjects, so their mix moves shares by itself.
    - Otherwise one stratum (None)."""
    one = (pd.Series(NO_STRATUM, index=papers.index), None)
    if papers.empty:
        return one
    if "categories" in papers.columns:
        strata = papers["categories"].map(primary_category)
        if (strata != NO_STRATUM).mean() >= MIN_STRATIFIED_SHARE:
            return strata, CATEGORY_STRATA
    if layout_of_file and "sources" in papers.columns:
        first_file = papers["sources"].map(_first_source_file)
        strata = first_file.map(lambda name: layout_of_file.get(name, NO_STRATUM))
        if strata.nunique() > 1:
            return strata, LAYOUT_STRATA
    return one


def _first_source_file(sources) -> str:
    """'dump.txt' from ['dump.txt:12', ...] or 'dump.txt:12;other.txt:3' (papers.csv)."""
    if isinstance(sources, str):
        sources = sources.split(";")
    refs = sorted(str(ref) for ref in (sources if isinstance(sources, (list, tuple, np.ndarray)) else []))
    return refs[0].rsplit(":", 1)[0] if refs else ""


@dataclass
class CoverageChange:
    stratum: str
    kind: str  # "entered", "left" or "stepped"
    period: str  # first period of the new coverage
    share_before: float
    share_after: float

    def sentence(self) -> str:
        if self.kind == "entered":
            return (f"{self.stratum} enters the dumps in {self.period} ({self.share_before:.1%} of dated papers "
                    f"before, {self.share_after:.1%} from then on)")
        if self.kind == "left":
            return (f"{self.stratum} leaves the dumps in {self.period} ({self.share_before:.1%} of dated papers "
                    f"before, {self.share_after:.1%} from then on)")
        return (f"{self.stratum} is collected at a different rate from {self.period} ({self.share_before:.1%} of "
                f"dated papers before, {self.share_after:.1%} from then on)")


def coverage_changes(periods: pd.Series, strata: pd.Series) -> list[CoverageChange]:
    """Strata that enter, leave or change their share by STEP_RATIO at one period: changes of the crawl.

    `periods` (period labels, sortable) and `strata` are given per dated paper. For each visible stratum the
    split point (a period boundary) where its share before and after differs most is found; the change is
    reported when one side is (nearly) absent or the ratio is at least STEP_RATIO."""
    frame = pd.DataFrame({"period": periods.to_numpy(), "stratum": strata.to_numpy()})
    if frame.empty or frame["stratum"].nunique() < 2:
        return []
    table = pd.crosstab(frame["period"], frame["stratum"]).sort_index()
    totals = table.sum(axis=1).to_numpy(dtype=float)
    labels = table.index.tolist()
    changes = []
    for stratum in table.columns:
        counts = table[stratum].to_numpy(dtype=float)
        if counts.sum() < MIN_STRATUM_PAPERS or counts.sum() / totals.sum() < MIN_STRATUM_SHARE:
            continue
        # The split with the largest likelihood-ratio statistic (a change point), not the largest ratio,
        # which a single thin period at either end would win.
        best = None
        for split in range(1, len(labels)):
            g = _split_statistic(counts[:split].sum(), totals[:split].sum(), counts[split:].sum(), totals[split:].sum())
            if best is None or g > best[0]:
                best = (g, split)
        if best is None:
            continue
        split = best[1]
        before = counts[:split].sum() / totals[:split].sum()
        after = counts[split:].sum() / totals[split:].sum()
        if min(before, after) < ABSENT_SHARE_RATIO * max(before, after):
            kind = "entered" if after > before else "left"
        elif max(before, after) >= STEP_RATIO * min(before, after):
            kind = "stepped"
        else:
            continue
        changes.append(CoverageChange(str(stratum), kind, str(labels[split]), float(before), float(after)))
    return sorted(changes, key=lambda c: (c.period, c.stratum))


def _split_statistic(k1: float, n1: float, k2: float, n2: float) -> float:
    """Binomial log-likelihood ratio of two shares k1/n1 and k2/n2 against one common share."""
    def loglik(k: float, n: float) -> float:
        p = k / n if n else 0.0
        return (k * np.log(p) if k else 0.0) + ((n - k) * np.log1p(-p) if n - k else 0.0)

    return 2 * (loglik(k1, n1) + loglik(k2, n2) - loglik(k1 + k2, n1 + n2))


def coverage_summary(changes: list[CoverageChange], strata_kind: str | None) -> dict:
    """For run.json and the report."""
    return {
        "stratified_by": strata_kind,
        "changes": [asdict(c) | {"sentence": c.sentence()} for c in changes],
    }
