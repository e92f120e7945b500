"""Benchmark: do topics keep their identity across a refit? (issue 21, the samples scenario)

A first run on sample dumps 000, 001, 003 and 004 (default config, own store), then dump 002 is added to the
same folder (156 new papers, 29% of the corpus, so "auto" refits). For each refit strategy the second run
starts from a copy of the first run's store and outputs. Printed per strategy:
- kept: share of the first run's papers whose topic id and label are the same after the refit;
- lineage counts (lineage.csv);
- the new dump's subjects: topics of a from-scratch fit on all five dumps made mostly (>= 60%) of dump 002's
  new papers, and how many of them have a topic of their own in the refit (a fresh topic holding most of
  their papers);
- quality against that from-scratch fit: topics, NPMI coherence (mean over topics), topic diversity, and
  NMI between the refit's and the from-scratch assignment.

    .venv/bin/python bench/bench_refit_stability.py [--strategies matched,anchored:0.05,...]

A strategy is "matched", "anchored:<margin>" or "anchored-umap:<margin>" (semi-supervised UMAP as well).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path

import pandas as pd

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))

from flows.prefect_env import configure_prefect_env  # noqa: E402

configure_prefect_env()

SAMPLES = PROJECT_ROOT / "data" / "samples"
FIRST = ["000_c0e02093f26f6559.txt", "001_6b73f48a22e7d380.txt", "003_9f597363cd8327d1.txt",
         "004_504d9943657f3963.txt"]
ADDED = "002_ee4e4be09cd55250.txt"


def strategy_overrides(name: str) -> dict:
    kind, _, margin = name.partition(":")
    if kind == "matched":
        return {"incremental": {"refit_strategy": "matched"}}
    return {"incremental": {"refit_strategy": "anchored", "refit_move_margin": float(margin or 0.05),
                            "refit_anchor_umap": kind == "anchored-umap"}}


def run(input_dir: Path, out: Path, store: Path, overrides: dict | None = None) -> dict:
    from flows.pipeline import topictrends_flow

    merged = {"run": {"store": str(store)}, **(overrides or {})}
    return topictrends_flow(str(input_dir), str(out), None, merged)


def quality(out: Path) -> dict:
    from analytics.topic_quality import evaluate_run

    result = evaluate_run(out)
    return {"topics": result["topics"], "npmi": result["coherence_npmi"], "diversity": result["topic_diversity"],
            "outliers": result["outlier_share"]}


def new_subjects(scratch: pd.DataFrame, refit: pd.DataFrame, new_ids: set[str], old_topic_ids: set[int]) -> tuple[int, int]:
    """Scratch topics made mostly of new papers, and how many of them have a fresh topic in the refit that holds
    most of their papers."""
    found = own = 0
    refit_topic = dict(zip(refit["paper_id"], refit["topic_id"]))
    for topic, group in scratch[scratch["topic_id"] != -1].groupby("topic_id"):
        if group["paper_id"].isin(new_ids).mean() < 0.6:
            continue
        found += 1
        where = Counter(refit_topic[p] for p in group["paper_id"])
        best, count = where.most_common(1)[0]
        if best not in old_topic_ids and best != -1 and count >= 0.5 * len(group):
            own += 1
    return found, own


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--strategies", default="matched,anchored-umap:0.1",
                        help="matched (the old behaviour) and the default anchored refit (UMAP targets, margin 0.1)")
    parser.add_argument("--work", default=None, help="working folder (default: a temporary one)")
    args = parser.parse_args()
    from sklearn.metrics import normalized_mutual_info_score

    work = Path(args.work or tempfile.mkdtemp(prefix="refit-stability-"))
    folder = work / "dumps"
    folder.mkdir(parents=True, exist_ok=True)
    for name in FIRST:
        shutil.copy(SAMPLES / name, folder / name)
    run(folder, work / "out1", work / "store1")
    first = pd.read_csv(work / "out1" / "papers.csv", keep_default_na=False)
    old_topic_ids = set(pd.read_csv(work / "out1" / "topics.csv")["topic_id"])
    shutil.copy(SAMPLES / ADDED, folder / ADDED)
    run(folder, work / "out_scratch", work / "store_scratch")
    scratch = pd.read_csv(work / "out_scratch" / "papers.csv", keep_default_na=False)
    new_ids = set(scratch["paper_id"]) - set(first["paper_id"])
    print(f"first run: {len(first)} papers, {len(old_topic_ids)} topics; dump {ADDED} adds {len(new_ids)} new papers "
          f"({len(new_ids) / len(scratch):.0%} of {len(scratch)})")
    q = quality(work / "out_scratch")
    print(f"from scratch on all five dumps: {q['topics']} topics, NPMI {q['npmi']:.3f}, diversity {q['diversity']:.3f}, "
          f"outliers {q['outliers']:.1%}")
    print()
    header = (f"{'strategy':<20} {'mode':<6} {'kept id+label':>13} {'moved':>6}  {'lineage':<62} {'new subjects':>12} "
              f"{'topics':>6} {'NPMI':>6} {'div':>6} {'NMI vs scratch':>14}")
    print(header)
    for name in args.strategies.split(","):
        tag = name.replace(":", "_")
        shutil.copytree(work / "store1", work / f"store_{tag}")
        shutil.copytree(work / "out1", work / f"out_{tag}")
        summary = run(folder, work / f"out_{tag}", work / f"store_{tag}", strategy_overrides(name))
        after = pd.read_csv(work / f"out_{tag}" / "papers.csv", keep_default_na=False)
        both = first.merge(after, on="paper_id", suffixes=("_before", "_after"))
        kept = ((both["topic_id_before"] == both["topic_id_after"])
                & (both["topic_label_before"] == both["topic_label_after"])).mean()
        moved = int((both["topic_id_before"] != both["topic_id_after"]).sum())
        history = pd.read_csv(work / f"out_{tag}" / "lineage.csv")
        lineage = history[history["run_id"] == summary.run_id]["status"].value_counts()
        order = ["continued", "grown", "shrunk", "merged", "split", "new", "vanished"]
        lineage_text = ", ".join(f"{lineage.get(s, 0)} {s}" for s in order)
        found, own = new_subjects(scratch, after, new_ids, old_topic_ids)
        q = quality(work / f"out_{tag}")
        aligned = after.set_index("paper_id").loc[scratch["paper_id"], "topic_id"]
        nmi = normalized_mutual_info_score(scratch["topic_id"], aligned)
        print(f"{name:<20} {summary.mode:<6} {kept:>13.1%} {moved:>6}  {lineage_text:<62} {f'{own} of {found}':>12} "
              f"{q['topics']:>6} {q['npmi']:>6.3f} {q['diversity']:>6.3f} {nmi:>14.3f}", flush=True)
    print(f"\n(work folder: {work})")


if __name__ == "__main__":
    main()
