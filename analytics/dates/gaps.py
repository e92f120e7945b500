"""The learned gap between a paper's first release and its last revision (config/date_gaps.toml).

A paper whose last revision day is known was first released on or before it: typically the learned median gap
before it, and at most the gap that most arXiv papers stay within. `revision_bounds` turns a last-revision day
into those two bounds; bench/learn_date_gaps.py learns the table.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from analytics.dates.evidence import CONFIDENCE, Bound

DEFAULT_GAP_TABLE = Path(__file__).resolve().parents[2] / "config" / "date_gaps.toml"
# Shares of papers at which config/date_gaps.toml gives the revision gap (bench/learn_date_gaps.py).
GAP_QUANTILE_LEVELS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99)


@dataclass(frozen=True)
class GapDistribution:
    """Days from first release (v1) to the latest version over a set of arXiv papers."""

    papers: int
    never_revised: int  # papers whose latest version is on the day of v1 (gap 0)
    median_days: int
    quantile_days: tuple[int, ...]  # at RevisionGaps.levels


@dataclass(frozen=True)
class RevisionGaps:
    """The learned gap table (config/date_gaps.toml, written by bench/learn_date_gaps.py)."""

    levels: tuple[float, ...]
    all: GapDistribution  # every paper: for a last-revision day whose version is unknown
    revised: GapDistribution  # papers with 2+ versions: for a day the record says is v2 or later
    source: str  # the file it was read from, for notes

    def days_at(self, distribution: GapDistribution, level: float) -> int:
        if level not in self.levels:
            raise ValueError(f"{self.source}: no gap quantile at level {level} (levels {list(self.levels)})")
        return distribution.quantile_days[self.levels.index(level)]


def load_gap_table(table: str | Path | RevisionGaps | None = None) -> RevisionGaps:
    """Read the revision-gap table (TOML path; None = config/date_gaps.toml), checking it is usable."""
    if isinstance(table, RevisionGaps):
        return table
    path = Path(table) if table is not None else DEFAULT_GAP_TABLE
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path}: not valid TOML: {exc}") from exc
    section = data.get("revision_gap")
    if not isinstance(section, dict):
        raise ValueError(f"{path}: no [revision_gap] table (rerun bench/learn_date_gaps.py)")
    levels = tuple(float(q) for q in section.get("quantile_levels", []))
    if not levels or any(not 0 < q < 1 for q in levels) or list(levels) != sorted(set(levels)):
        raise ValueError(f"{path}: quantile_levels must be increasing shares between 0 and 1, got {list(levels)}")
    distributions = {}
    for name in ("all", "revised"):
        raw = section.get(name)
        if not isinstance(raw, dict):
            raise ValueError(f"{path}: no [revision_gap.{name}] table")
        days = tuple(int(d) for d in raw.get("quantile_days", []))
        if len(days) != len(levels) or any(d < 0 for d in days) or list(days) != sorted(days):
            raise ValueError(f"{path}: revision_gap.{name}.quantile_days must be {len(levels)} non-decreasing "
                             f"day counts >= 0, got {list(days)}")
        try:
            distributions[name] = GapDistribution(int(raw["papers"]), int(raw["never_revised"]),
                                                  int(raw["median_days"]), days)
        except KeyError as exc:
            raise ValueError(f"{path}: revision_gap.{name} has no {exc.args[0]}") from exc
        if distributions[name].papers < 1:
            raise ValueError(f"{path}: revision_gap.{name} was learned from no papers")
    return RevisionGaps(levels, distributions["all"], distributions["revised"], str(path))


def revision_bounds(day: date, version: int | None, gaps: RevisionGaps, note: str) -> tuple[Bound, Bound]:
    """What a last-revision day says about first release: (upper bound with the point rule, lower bound).

    The paper was first released on or before `day`, typically the learned median gap before it, and at most
    the gap that CONFIDENCE["revision_gap"] of papers stay within. `version` is the version the day dates
    when the record says so (arXiv API entry ids end in vN): 1 means the day *is* the first release, 2 or
    more that the paper was revised (the revised-papers gap applies); None uses the gap over all papers.
    """
    if version == 1:
        upper = Bound(None, day, "updated", CONFIDENCE["updated"], note, median_gap_days=0,
                      gap_basis="the record is version 1: its last update is its first release")
        lower = Bound(day, None, "revision_gap", CONFIDENCE["updated"], f"{note} is version 1: first release that day")
        return upper, lower
    level = CONFIDENCE["revision_gap"]
    distribution, whom = (gaps.revised, "revised arXiv papers (version 2 or later)") if version and version > 1 \
        else (gaps.all, "arXiv papers")
    never = (f", {distribution.never_revised / distribution.papers:.0%} never revised"
             if distribution is gaps.all else "")
    basis = (f"median gap from first release to last revision over {distribution.papers} {whom}{never}, "
             f"{Path(gaps.source).name}")
    upper = Bound(None, day, "updated", CONFIDENCE["updated"], note,
                  median_gap_days=distribution.median_days, gap_basis=basis)
    widest = gaps.days_at(distribution, level)
    lower = Bound(day - timedelta(days=widest), None, "revision_gap", level,
                  f"{level:.0%} of {distribution.papers} {whom} had their last revision within {widest} days of "
                  f"first release (from {(day - timedelta(days=widest)).isoformat()})")
    return upper, lower
