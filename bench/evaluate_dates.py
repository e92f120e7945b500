"""How well does date inference recover dates the dumps state? Prints the numbers, before and after the learned gap.

Hides the stated date of every paper that has one, infers from what is left, and reports date coverage, how
often the hidden day lies inside the inferred interval, how wide intervals are, and the point error: once
with arXiv-id evidence, once text-only (ids hidden); before (midpoints, no learned revision gap) and after
(the gap from config/date_gaps.toml before a last revision).

    python bench/evaluate_dates.py                       # data/samples and the real corpus slices below
    python bench/evaluate_dates.py FOLDER [FOLDER ...]   # any folders of dumps
    python bench/evaluate_dates.py --json out.json       # also write the numbers as JSON

Real slices (skipped when ../shared/real is absent): the daily-listing corpus (75k papers, listing days as
truth; no update days, so the gap changes nothing there), the OAI snapshot head and the arXiv API responses
(v1 days as truth, update days kept when v1 is hidden). The gap table is learned from those last two, so
each is also evaluated with a table learned from the other one alone (held out). With version numbers hidden
too, the gap over all papers applies, as for a listing sorted by update day; on the OAI head that mode sees
revised papers only (hiding v1 removes the only version day of a paper never revised), a harder case than
such a listing, where 60% of update days are the first release; the API responses keep every paper's day.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analytics.dates.evaluation import evaluate_dates_for_folder, summary_lines  # noqa: E402
from bench.learn_date_gaps import REAL, SOURCES, learn  # noqa: E402

SAMPLES = ROOT / "data" / "samples"
REAL_SLICES = ["arxiv-daily-cs-cv-cl/data", *SOURCES]  # SOURCES: the folders the gap table is learned from


def held_out_lines(folder_name: str, result: dict) -> list[str]:
    """The same evaluation with a gap table learned from the other sources only."""
    others = [name for name in SOURCES if name != folder_name]
    with tempfile.TemporaryDirectory() as tmp:
        table = Path(tmp) / "date_gaps.toml"
        table.write_text(learn(REAL, others)[0])
        held = evaluate_dates_for_folder(REAL / folder_name, gap_table=table)
    lines = [f"   held out: gap table learned from {', '.join(others)} only"]
    for label in ("with_arxiv_id", "text_only", "text_only_no_versions"):
        if label not in held:
            continue
        after, paired = held[label]["after"], held[label]["last_revision"]
        if not paired.get("papers"):
            continue
        lines.append(
            f"     {label:>21}: inside {after['coverage']:.1%}, ending at a last revision {paired['papers']} papers: "
            f"inside {paired['coverage_after']:.1%}, width median {paired['median_width_days_after']:,.0f} d, "
            f"point error median {paired['median_error_days_after']:,.1f} d "
            f"(in-sample table: {result[label]['last_revision']['median_error_days_after']:,.1f} d)"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", type=Path)
    parser.add_argument("--json", type=Path, help="write all numbers to this JSON file")
    args = parser.parse_args(argv)
    folders = args.folders or [SAMPLES] + ([REAL / name for name in REAL_SLICES] if REAL else [])
    if not args.folders and REAL is None:
        print("real data not found (../shared/real): only the samples are evaluated")
    results = []
    for folder in folders:
        if not folder.exists():
            print(f"{folder}: not found, skipped")
            continue
        started = time.perf_counter()
        result = evaluate_dates_for_folder(folder)
        result["seconds"] = round(time.perf_counter() - started, 1)
        lines = summary_lines(result)
        if REAL is not None and folder.parent == REAL and folder.name in SOURCES:
            lines += held_out_lines(folder.name, result)
        print("\n" + "\n".join(lines), flush=True)
        results.append(result)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2, default=str))
        print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
