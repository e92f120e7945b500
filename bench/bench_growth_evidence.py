"""Benchmark and read-through: growth evidence on a finished run's outputs and store.

    PYTHONPATH=. python bench/bench_growth_evidence.py --out OUT_DIR --store STORE_DIR [--topics 3,7] [--all]

Reads papers.csv, trends.csv, topics.csv and run.json from OUT_DIR and the run's embeddings from the store
(DuckDB, opened read-only: do not point it at a store a run is writing). Times `growth_evidence` for the
rising and fading topics (or every topic with --all) and prints the evidence of the topics asked for, as the
report's "Why it rises / fades" box words it. Target: a few seconds for 75k papers.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analytics import growth_evidence as ge  # noqa: E402

RISING_OR_FADING = ("emerging", "growing", "declining", "fading")


def load_run(out: Path, store: Path) -> tuple[pd.DataFrame, np.ndarray, pd.DataFrame, pd.DataFrame]:
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    papers = pd.read_csv(out / "papers.csv", keep_default_na=False, na_values={"upvotes": [""]}, low_memory=False)
    trends = pd.read_csv(out / "trends.csv")
    trends.attrs.update(run["trends"])  # the period and date rules the run used
    topics = pd.read_csv(out / "topics.csv", keep_default_na=False)
    con = duckdb.connect(str(store / "topictrends.duckdb"), read_only=True)
    try:
        # papers.csv text is made spreadsheet-safe, so the embeddings are found by the run's own content hashes.
        hashes = con.execute("SELECT paper_id, content_hash FROM papers WHERE run_id = ?", [run["run_id"]]).df()
        vectors = con.sql(
            "SELECT e.content_hash, e.vector FROM embeddings e JOIN (SELECT DISTINCT content_hash FROM papers "
            "WHERE run_id = $run_id) USING (content_hash) WHERE e.model_id = $model_id",
            params={"run_id": run["run_id"], "model_id": run["embedding"]["model_id"]}).to_arrow_table()
    finally:
        con.close()
    keys = vectors.column("content_hash").to_pylist()
    flat = vectors.column("vector").combine_chunks().flatten().to_numpy(zero_copy_only=False)
    by_hash = dict(zip(keys, flat.astype(np.float32).reshape(len(keys), -1)))
    hash_of = dict(zip(hashes["paper_id"], hashes["content_hash"]))
    embeddings = np.vstack([by_hash[hash_of[pid]] for pid in papers["paper_id"]])
    return papers, embeddings, trends, topics


def describe(topic: pd.Series, evidence: ge.TopicEvidence) -> str:
    def term(t: ge.TermShift) -> str:
        elsewhere = (f"; elsewhere {t.elsewhere_earlier_share:.1%} -> {t.elsewhere_recent_share:.1%}"
                     if t.elsewhere_earlier_share is not None else "")
        return (f"{t.term} {t.earlier_share:.1%} -> {t.recent_share:.1%} ({t.earlier_count}/{t.earlier_papers} earlier, "
                f"{t.recent_count}/{t.recent_papers} recent, q={t.q_value:.2g}{elsewhere})")

    change = pd.to_numeric(pd.Series([topic.change_over_span]), errors="coerce").iloc[0]
    lines = [f"## topic {topic.topic_id}: {topic.label} [{topic.growth_class}, change {change:.2f}]",
             f"recent {evidence.recent_papers} vs earlier {evidence.earlier_papers} papers; "
             f"centre similarity {evidence.centre_similarity}"]
    if evidence.error:
        lines.append(f"ERROR {evidence.error}")
    lines += ["rising terms:"] + [f"  {term(t)}" for t in evidence.rising_terms]
    lines += ["falling terms:"] + [f"  {term(t)}" for t in evidence.falling_terms]
    lines += ["closest recent papers:"] + [f"  {p.date} {p.title[:110]}" for p in evidence.closest_recent]
    if evidence.sub_theme:
        s = evidence.sub_theme
        lines.append(f"sub-theme: {s.recent_papers} recent and {s.earlier_papers} earlier papers (p={s.p_value})")
        lines += [f"  {t.term}: {t.share:.0%} of its papers ({t.count}/{t.papers}), {t.other_share:.1%} of the "
                  f"topic's other recent papers (q={t.q_value:.2g})" for t in s.terms[:5]]
        lines += [f"  * {p.date} {p.title[:110]}" for p in s.closest]
    else:
        lines.append("sub-theme: none")
    if evidence.upvotes:
        lines.append(f"upvotes: {evidence.upvotes}")
    lines += [f"note: {n}" for n in evidence.notes]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--topics", default="", help="comma-separated topic ids to print (default: none)")
    parser.add_argument("--all", action="store_true", help="every topic, not only the rising and fading ones")
    args = parser.parse_args()

    started = time.perf_counter()
    papers, embeddings, trends, topics = load_run(args.out, args.store)
    print(f"loaded {len(papers):,} papers and embeddings in {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    recent = ge.recent_mask(papers, trends)
    earlier = ge.trend_dated_mask(papers, trends) & ~recent
    mask_seconds = time.perf_counter() - started
    chosen = topics if args.all else topics[topics["growth_class"].isin(RISING_OR_FADING)]
    chosen = chosen[chosen["topic_id"] != -1]
    started = time.perf_counter()
    evidence = ge.growth_evidence(papers, embeddings, recent, chosen["topic_id"].astype(int).tolist(), earlier=earlier)
    seconds = time.perf_counter() - started
    print(f"recent periods {ge.recent_periods(trends)}: {int(recent.sum()):,} recent, {int(earlier.sum()):,} earlier papers "
          f"(masks {mask_seconds:.1f} s)")
    print(f"growth_evidence for {len(chosen)} topics: {seconds:.1f} s; counts {ge.evidence_counts(evidence)}")
    wanted = [int(t) for t in args.topics.split(",") if t.strip()]
    for topic_id in wanted:
        row = topics[topics["topic_id"] == topic_id].iloc[0]
        print()
        print(describe(row, evidence[topic_id]) if topic_id in evidence else f"topic {topic_id}: not computed")


if __name__ == "__main__":
    main()
