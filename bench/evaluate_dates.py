"""How well does date inference recover dates the dumps state? Prints the numbers.

Hides the stated date of every paper that has one, infers from what is left, and reports how often
the hidden day lies inside the inferred interval, how wide intervals are, and the point error:
once with arXiv-id evidence, once text-only (ids hidden).

    python bench/evaluate_dates.py                       # data/samples and the real daily-listing corpus
    python bench/evaluate_dates.py FOLDER [FOLDER ...]   # any folders of dumps
    python bench/evaluate_dates.py --json out.json       # also write the numbers as JSON

The real corpus (../shared/real/arxiv-daily-cs-cv-cl/data) is skipped when absent.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analytics.date_evaluation import evaluate_dates_for_folder, summary_lines  # noqa: E402

SAMPLES = ROOT / "data" / "samples"
REAL_CANDIDATES = [ROOT.parent / "shared" / "real", ROOT.parent.parent / "shared" / "real", Path("/work/shared/real")]
DAILY = next((p / "arxiv-daily-cs-cv-cl" / "data" for p in REAL_CANDIDATES if (p / "arxiv-daily-cs-cv-cl").exists()),
             None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", type=Path)
    parser.add_argument("--json", type=Path, help="write all numbers to this JSON file")
    args = parser.parse_args(argv)
    folders = args.folders or [SAMPLES] + ([DAILY] if DAILY else [])
    if not args.folders and DAILY is None:
        print("real daily-listing corpus not found (../shared/real/arxiv-daily-cs-cv-cl): skipped")
    results = []
    for folder in folders:
        if not folder.exists():
            print(f"{folder}: not found, skipped")
            continue
        started = time.perf_counter()
        result = evaluate_dates_for_folder(folder)
        result["seconds"] = round(time.perf_counter() - started, 1)
        print("\n" + "\n".join(summary_lines(result)))
        results.append(result)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2, default=str))
        print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
