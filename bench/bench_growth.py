"""Growth verdicts on real runs: top risers and faders with intervals and reasons, the coverage changes found,
date coverage, how the verdicts compare with and without the coverage check, and how each rising or falling
verdict fares against the papers' words (analytics.verdict_words).

    .venv/bin/python bench/bench_growth.py --run out                    # a finished run's output folder
    .venv/bin/python bench/bench_growth.py --run out --run /tmp/real/out
    .venv/bin/python bench/bench_growth.py --run out --dates           # plus the date evaluation of its input

Each run's papers.csv (topics, dates, categories) is read and the verdicts are recomputed with the current
code (so a run made before a change of the growth rules can be judged again without re-clustering). The
"pooled" column is what the same test says without strata, i.e. before the coverage check.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analytics.coverage import NO_STRATUM, coverage_changes, paper_strata  # noqa: E402
from analytics.dates import date_coverage  # noqa: E402
from analytics.embedding import paper_text  # noqa: E402
from analytics.growth import FALLING, RISING, dated_papers, fmt_fold, strata_words, topic_growth  # noqa: E402
from analytics.trends import topic_trends  # noqa: E402
from analytics.verdict_words import check_verdicts_by_words  # noqa: E402


def judge(run: Path, top: int, dates: bool) -> None:
    papers = pd.read_csv(run / "papers.csv", dtype=str, keep_default_na=False)
    labels = pd.read_csv(run / "topics.csv", dtype=str, keep_default_na=False).set_index("topic_id")["label"]
    papers["topic_id"] = papers["topic_id"].astype(int)
    papers["date_inferred"] = papers["date_inferred"].str.lower().isin(["true", "1"])
    started = time.perf_counter()
    trends = topic_trends(papers)
    layouts = {f["file"]: f["format"] for f in json.loads((run / "run.json").read_text())["files"]}
    strata, strata_kind = paper_strata(papers, layouts)
    dated = dated_papers(papers, trends, strata)
    growth = topic_growth(trends, dated=dated, strata_kind=strata_kind)
    texts = [paper_text(t, a) for t, a in zip(papers["title"], papers["abstract"])]
    growth = check_verdicts_by_words(growth, dated, texts, {int(t): label for t, label in labels.items()},
                                     strata_words=strata_words(strata_kind)).set_index("topic_id")
    pooled = topic_growth(trends, dated=dated.assign(stratum=NO_STRATUM)).set_index("topic_id")
    seconds = time.perf_counter() - started
    changes = coverage_changes(dated["period"], dated["stratum"])

    print(f"\n== {run}: {len(papers):,} papers, {len(dated):,} dated in trends "
          f"({trends.attrs['period']}s {dated['period'].min()}..{dated['period'].max()}), "
          f"strata: {strata_kind or 'one (no categories, one dump layout)'}; "
          f"verdicts in {seconds:.1f} s")
    cover = date_coverage(papers)
    overall = cover.get("overall", cover)
    print(f"date coverage: {overall.get('stated', 0)} stated, {overall.get('inferred', 0)} inferred, "
          f"{overall.get('undated', 0)} undated; trends use {trends.attrs['papers_used']} "
          f"(too coarse {trends.attrs['papers_too_coarse']}, not a publication date "
          f"{trends.attrs['papers_not_publication_date']})")
    if dates:  # how far point estimates are from hidden true dates, on the run's input folder
        from analytics.dates.evaluation import evaluate_dates_for_folder, summary_lines

        input_folder = json.loads((run / "run.json").read_text())["input"]
        for line in summary_lines(evaluate_dates_for_folder(Path(input_folder))):
            print(f"  dates: {line}")
    print(f"coverage changes found: {len(changes)}")
    for change in changes:
        print(f"  - {change.sentence()}")
    topics = growth[growth.index != -1]
    print("classes:", topics["growth_class"].value_counts().to_dict())
    print("classes without the coverage check (pooled):",
          pooled[pooled.index != -1]["growth_class"].value_counts().to_dict())
    checked = topics["words_check"][topics["words_check"] != ""]
    print("rising and falling verdicts against their words:", checked.value_counts().to_dict())

    def show(rows: pd.DataFrame, title: str) -> None:
        print(f"{title}:")
        if rows.empty:
            print("  (none)")
        for topic_id, row in rows.head(top).iterrows():
            interval = (f"{fmt_fold(row['change_over_span'])} "
                        f"({fmt_fold(row['change_over_span_low'])}..{fmt_fold(row['change_over_span_high'])})")
            print(f"  [{topic_id}] {labels.get(str(topic_id), '?')}: {row['growth_class']} {interval}, "
                  f"q={row['q_value']:.2g}, {row['dated_papers']} dated; pooled: {pooled.loc[topic_id, 'growth_class']}")
            print(f"      {row['growth_reason']}")
            if row["words_reason"]:
                print(f"      words: {row['words_reason']}")

    show(topics[topics["growth_class"].isin(RISING)].sort_values("change_over_span", ascending=False), "top risers")
    show(topics[topics["growth_class"].isin(FALLING)].sort_values("change_over_span"), "top faders")
    show(topics[topics["growth_class"] == "explained by coverage"], "explained by coverage (rising or fading pooled)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", action="append", type=Path, required=True, help="a run's output folder")
    parser.add_argument("--top", type=int, default=8)
    parser.add_argument("--dates", action="store_true",
                        help="also hide the stated dates of the run's input and report the point-estimate error")
    args = parser.parse_args()
    for run in args.run:
        if not (run / "papers.csv").exists():
            print(f"skipped {run}: no papers.csv")
            continue
        judge(run, args.top, args.dates)


if __name__ == "__main__":
    main()
