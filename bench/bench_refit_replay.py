"""Benchmark: replay consecutive daily arXiv dumps through the pipeline with the default refit schedule
(issue 21) and measure how much the topic map changes from run to run, and at what quality.

A first run on --first-days daily dumps, then one more dump per run for --days runs, into one input folder
and one store, default config ("auto": assign new papers, refit every 7 runs or when new papers exceed 10%).
Printed per run:
- mode; new papers; churn: share of the previous run's papers whose topic changed;
- topics kept (continued / grown / shrunk), new (new / split / merged ids) and vanished (lineage);
- quality of the run's topics: NMI against the papers' primary arXiv category (all papers), NPMI coherence;
- the same quality for a from-scratch fit (analytics.topics.fit.fit_topics, same embeddings and config) at that point.
At refit runs the refit is also run with [incremental] refit_strategy = "matched" (the earlier behaviour:
the new clustering as it is, matched to the previous topics) from a copy of the same store, for comparison.

Reads ../shared/real/arxiv-daily-cs-cv-cl; exits cleanly when it is absent.

    .venv/bin/python bench/bench_refit_replay.py --start 2025-10-01 --first-days 15 --days 14
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))
sys.path.insert(0, str(PROJECT_ROOT / "bench"))

from flows.prefect_env import configure_prefect_env  # noqa: E402

configure_prefect_env()

from arxiv_daily import corpus_dir  # noqa: E402

KEPT = ("continued", "grown", "shrunk")
FRESH = ("new", "split", "merged")


def run_flow(folder: Path, out: Path, store: Path, overrides: dict | None = None) -> dict:
    from flows.pipeline import topictrends_flow

    return topictrends_flow(str(folder), str(out), None, {"run": {"store": str(store)}, **(overrides or {})})


def current_lineage(out: Path, run_id: str) -> pd.DataFrame:
    lineage = pd.read_csv(out / "lineage.csv", keep_default_na=False)
    return lineage[lineage["run_id"] == run_id] if "run_id" in lineage.columns else lineage


def run_quality(out: Path) -> tuple[float, float]:
    from analytics.topic_quality import evaluate_run

    result = evaluate_run(out)
    return result["agreement"]["all_papers"]["nmi"], result["coherence_npmi"]


def scratch_quality(out: Path, store: Path, embedder) -> tuple[float, float, int]:
    """A from-scratch fit on the run's papers with the same embeddings and config."""
    from analytics.config import load_config
    from analytics.embedding import content_hash, paper_text
    from analytics.store import Store
    from analytics.topic_quality import evaluate_topics, run_labels
    from analytics.topics.fit import fit_topics

    papers = pd.read_csv(out / "papers.csv", dtype=str, keep_default_na=False)
    texts = [paper_text(t, a) for t, a in zip(papers["title"], papers["abstract"])]
    hashes = [content_hash(t) for t in texts]
    reader = Store(store)
    cached = reader.cached_embeddings(hashes, embedder.model_id)
    reader.close()
    embeddings = np.vstack([cached[h] for h in hashes]).astype(np.float32)
    result = fit_topics(texts, embeddings, load_config().topics, embedder=embedder, progress=False)
    keywords = {int(r.topic_id): [k.strip() for k in r.keywords.split(",")] for r in result.topics.itertuples()}
    labels, _ = run_labels(papers)
    scores = evaluate_topics(texts, result.topic_ids, keywords, labels=labels)
    return scores["agreement"]["all_papers"]["nmi"], scores["coherence_npmi"], len(result.topics)


def churn(before: pd.DataFrame, out: Path) -> float:
    after = pd.read_csv(out / "papers.csv", keep_default_na=False, usecols=["paper_id", "topic_id"])
    both = before.merge(after, on="paper_id", suffixes=("_before", "_after"))
    return float((both["topic_id_before"] != both["topic_id_after"]).mean())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--start", default="2025-10-01", help="first daily dump (YYYY-MM-DD)")
    parser.add_argument("--first-days", type=int, default=15)
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--work", default=None)
    args = parser.parse_args()
    source = corpus_dir()
    if source is None:
        print("real corpus (../shared/real/arxiv-daily-cs-cv-cl) not found: skipped")
        return
    from analytics.config import load_config
    from analytics.embedding import load_embedder

    files = [p for p in sorted(source.glob("*.jsonl.gz")) if p.name >= f"{args.start}.jsonl.gz"]
    first, daily = files[:args.first_days], files[args.first_days:args.first_days + args.days]
    work = Path(args.work or tempfile.mkdtemp(prefix="refit-replay-"))
    folder, out, store = work / "dumps", work / "out", work / "store"
    folder.mkdir(parents=True, exist_ok=True)
    for path in first:
        (folder / path.name).symlink_to(path)
    started = time.perf_counter()
    summary = run_flow(folder, out, store)
    cfg = load_config()
    embedder = load_embedder(summary.embedding.backend, batch_size=cfg.embedding.batch_size,
                             max_tokens=cfg.embedding.max_tokens)
    nmi, npmi = run_quality(out)
    s_nmi, s_npmi, s_topics = scratch_quality(out, store, embedder)
    print(f"first run: {first[0].name[:10]} .. {first[-1].name[:10]}, {summary.totals.papers} papers, "
          f"{summary.totals.topics} topics, NMI {nmi:.3f}, NPMI {npmi:.3f} "
          f"(a from-scratch fit is this run: {s_topics} topics, NMI {s_nmi:.3f})", flush=True)
    print(f"{'run':>3} {'dump':<10} {'mode':<6} {'papers':>6} {'new':>4} {'churn':>6} {'kept':>4} {'new':>4} {'gone':>4} "
          f"{'topics':>6} {'NMI':>6} {'NPMI':>6} | {'scratch:':<8} {'topics':>6} {'NMI':>6} {'NPMI':>6}", flush=True)
    for number, path in enumerate(daily, start=1):
        before = pd.read_csv(out / "papers.csv", keep_default_na=False, usecols=["paper_id", "topic_id"])
        (folder / path.name).symlink_to(path)
        backup = work / "before"
        shutil.rmtree(backup, ignore_errors=True)
        shutil.copytree(store, backup / "store")
        shutil.copytree(out, backup / "out")
        summary = run_flow(folder, out, store)
        lineage = current_lineage(out, summary.run_id)
        kept = int(lineage["status"].isin(KEPT).sum())
        fresh = int(lineage["status"].isin(FRESH).sum())
        gone = int((lineage["status"] == "vanished").sum())
        nmi, npmi = run_quality(out)
        s_nmi, s_npmi, s_topics = scratch_quality(out, store, embedder)
        new = summary.changes["new_papers"]
        print(f"{number:>3} {path.name[:10]:<10} {summary.mode:<6} {summary.totals.papers:>6} {new:>4} "
              f"{churn(before, out):>6.1%} {kept:>4} {fresh:>4} {gone:>4} {summary.totals.topics:>6} "
              f"{nmi:>6.3f} {npmi:>6.3f} | {'':<8} {s_topics:>6} {s_nmi:>6.3f} {s_npmi:>6.3f}", flush=True)
        if summary.mode == "refit":
            matched = run_flow(folder, backup / "out", backup / "store", {"incremental": {"refit_strategy": "matched"}})
            lineage = current_lineage(backup / "out", matched["run_id"])
            m_nmi, m_npmi = run_quality(backup / "out")
            print(f"{'':>3} {'(matched)':<10} {matched['mode']:<6} {matched['totals']['papers']:>6} {new:>4} "
                  f"{churn(before, backup / 'out'):>6.1%} {int(lineage['status'].isin(KEPT).sum()):>4} "
                  f"{int(lineage['status'].isin(FRESH).sum()):>4} {int((lineage['status'] == 'vanished').sum()):>4} "
                  f"{matched['totals']['topics']:>6} {m_nmi:>6.3f} {m_npmi:>6.3f}", flush=True)
    print(f"\n{len(daily)} runs after the first; {time.perf_counter() - started:.0f} s in all; work folder {work}")
    print(json.dumps({"start": args.start, "first_days": args.first_days, "days": args.days}))


if __name__ == "__main__":
    main()
