"""Learn how long after its first release a paper's last revision comes, and write config/date_gaps.toml.

A "sort by updated" listing, the arXiv API's <updated> and an OAI record's latest version give a paper's
last-revision day, not its first release. Where both are known (real arXiv metadata in ../shared/real),
this script measures the gap in days, last version minus v1:

- kaggle-arxiv-snapshot-head: OAI snapshot records with their full version history (v1 ... vN dates);
- arxiv-api-atom: arXiv API entries with <published> (v1) and <updated> (latest version), the latest
  version number in the entry id.

Papers are deduplicated by arXiv id. The table holds the gap quantiles over all papers (for a last-update
day whose version is unknown: a paper never revised has gap 0) and over revised papers only (2+ versions),
with the number of papers and the per-source figures as a cross-check. analytics/dates/gaps.py reads
the committed table; nothing reads ../shared/real at run time.

Not used: the daily listing dumps (arxiv-daily-cs-cv-cl). They carry no version numbers or revision days,
and a paper's repeated appearances are the crawler's weekend repeats (90% within 2 days of the first),
not revisions. The bundled samples carry no arXiv ids, so none of their update days has a known v1.

    python bench/learn_date_gaps.py            # print the figures and rewrite config/date_gaps.toml
    python bench/learn_date_gaps.py --check    # print only; exit 1 if the committed table differs
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analytics.dates.gaps import DEFAULT_GAP_TABLE, GAP_QUANTILE_LEVELS  # noqa: E402
from analytics.dates.written import _as_date  # noqa: E402
from analytics.parsing import read_dump  # noqa: E402

REAL_CANDIDATES = [ROOT.parent / "shared" / "real", ROOT.parent.parent / "shared" / "real", Path("/work/shared/real")]
REAL = next((p for p in REAL_CANDIDATES if p.exists()), None)
SOURCES = {
    "kaggle-arxiv-snapshot-head": "OAI snapshot head: versions[0] and versions[-1] created days",
    "arxiv-api-atom": "arXiv API Atom entries: <published> and <updated>, version from the entry id",
}


def version_history(record) -> tuple[date | None, date | None, int | None]:
    """(v1 day, latest version day, number of versions) of one parsed arXiv record."""
    extra = record.extra or {}
    versions = extra.get("versions")
    if isinstance(versions, list) and versions:
        def created(v):
            return _as_date(v.get("created") if isinstance(v, dict) else v)
        return created(versions[0]), created(versions[-1]), len(versions)
    if record.date_kind == "published" and extra.get("updated"):
        version = extra.get("version")
        return _as_date(record.date_text), _as_date(extra["updated"]), int(version) if version else None
    return None, None, None


def gaps_from(folder: Path) -> dict[str, tuple[int, int | None]]:
    """arXiv id -> (gap in days, number of versions) for every record with both days in the folder's dumps."""
    found: dict[str, tuple[int, int | None]] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.name != "SOURCE.txt"):
        for record in read_dump(path).records:
            first, last, versions = version_history(record)
            if not (record.arxiv_id and first and last) or last < first:
                continue
            gap = (last - first).days
            # the same paper in two responses: keep the copy that saw the later revision
            if record.arxiv_id not in found or gap > found[record.arxiv_id][0]:
                found[record.arxiv_id] = (gap, versions)
    return found


def nearest_rank(sorted_days: list[int], level: float) -> int:
    """The smallest gap that at least `level` of the papers do not exceed (so a bound at it holds in-sample)."""
    return sorted_days[max(0, math.ceil(level * len(sorted_days)) - 1)]


def summary(gaps: list[int]) -> dict:
    days = sorted(gaps)
    return {
        "papers": len(days),
        "never_revised": sum(d == 0 for d in days),
        "median_days": round(statistics.median(days)),
        "quantile_days": [nearest_rank(days, q) for q in GAP_QUANTILE_LEVELS],
    }


def table_text(sections: dict[str, dict], by_source: dict[str, dict], sources: list[str]) -> str:
    lines = [
        "# Days from a paper's first arXiv version (v1) to its latest version, learned from real arXiv metadata.",
        "# Written by bench/learn_date_gaps.py from ../shared/real: rerun it, do not edit by hand.",
        "# analytics/dates/gaps.py reads it for papers whose interval ends at a last-revision day:",
        "#   all      every paper (a paper never revised has gap 0): for an update day whose version is unknown",
        "#   revised  papers with 2+ versions: for an update day the record says is version 2 or later",
        "# quantile_days[i] is the smallest gap that at least quantile_levels[i] of the papers do not exceed.",
        "",
        "[revision_gap]",
        f"quantile_levels = [{', '.join(f'{q:g}' for q in GAP_QUANTILE_LEVELS)}]",
        "sources = [" + ", ".join(f'"{name}: {SOURCES[name]}"' for name in sources) + "]",
    ]
    for name, s in sections.items():
        lines += [
            "",
            f"[revision_gap.{name}]",
            f"papers = {s['papers']}",
            f"never_revised = {s['never_revised']}",
            f"median_days = {s['median_days']}",
            f"quantile_days = [{', '.join(str(d) for d in s['quantile_days'])}]",
        ]
    lines += ["", "# Cross-check: the same figures per source (not used by the code)."]
    for source, by_kind in by_source.items():
        for name, s in by_kind.items():
            lines += [
                "",
                f'[revision_gap.by_source."{source}".{name}]',
                f"papers = {s['papers']}",
                f"median_days = {s['median_days']}",
                f"quantile_days = [{', '.join(str(d) for d in s['quantile_days'])}]",
            ]
    return "\n".join(lines) + "\n"


def learn(real: Path, sources: list[str]) -> tuple[str, dict[str, dict], dict[str, dict[str, dict]]]:
    """(table text, figures over all given sources, figures per source) learned from `sources` under `real`."""
    per_source = {name: gaps_from(real / name) for name in sources if (real / name).exists()}
    merged: dict[str, tuple[int, int | None]] = {}
    for found in per_source.values():
        for arxiv_id, (gap, versions) in found.items():
            if arxiv_id not in merged or gap > merged[arxiv_id][0]:
                merged[arxiv_id] = (gap, versions)

    def split(found: dict[str, tuple[int, int | None]]) -> dict[str, dict]:
        gaps = [gap for gap, _ in found.values()]
        # revised: more than one version, or (no version count) a later last version
        revised = [gap for gap, versions in found.values() if (versions or 0) > 1 or (versions is None and gap > 0)]
        return {"all": summary(gaps), "revised": summary(revised)}

    sections = split(merged)
    by_source = {name: split(found) for name, found in per_source.items()}
    return table_text(sections, by_source, sources), sections, by_source


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="do not write; exit 1 if the committed table differs")
    parser.add_argument("--output", type=Path, default=DEFAULT_GAP_TABLE)
    parser.add_argument("--sources", nargs="+", choices=list(SOURCES), default=list(SOURCES),
                        help="learn from these folders of ../shared/real only (e.g. to test on the others)")
    args = parser.parse_args(argv)
    if REAL is None:
        print("../shared/real not found: nothing to learn from, table left as it is")
        return 0
    text, sections, by_source = learn(REAL, args.sources)
    levels = ", ".join(f"{q:g}" for q in GAP_QUANTILE_LEVELS)
    for label, figures in [("all sources", sections)] + list(by_source.items()):
        for name, s in figures.items():
            print(f"{label:>28} {name:>8}: {s['papers']:>4} papers, never revised {s['never_revised']:>4}, "
                  f"median {s['median_days']:>4} d, quantiles [{levels}] = {s['quantile_days']}")
    if args.check:
        same = args.output.exists() and args.output.read_text() == text
        print(f"{args.output}: {'up to date' if same else 'differs from the data'}")
        return 0 if same else 1
    args.output.write_text(text)
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
