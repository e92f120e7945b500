"""Topics at every scale (issue 19): the pipeline from an empty store, with defaults, on the samples, a 10k slice
of the real daily corpus and the full corpus, next to the same runs of an earlier commit ("today's").

    PYTHONPATH=. .venv/bin/python bench/bench_topic_scale.py [--baseline REV] [--corpora samples,10k,75k]

For each corpus and code version it prints: wall time and peak memory of the run (one process, `flows.cli run`,
defaults); NMI of topics against the papers' primary arXiv category (outliers as one cluster); coherence margins
measured with the PyTorch all-MiniLM-L6-v2, which no run fits topics with (bench/bench_topic_quality.py: median,
minimum, topics under 0.07); label specificity (analytics.label_quality: share of specific labels, coverage and
exclusivity medians); map separation; then every topic's label side by side with the baseline's topic that shares
most of its papers. The 10k slice is every 10th daily dump (41 files, 10,348 papers). Runs of the real corpus
are skipped, with a message, when ../shared/real is absent. --baseline REV is checked out in a git worktree (its
models/ linked to this checkout's). Results also go to bench/results/topic_scale.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analytics.config import TopicsConfig  # noqa: E402
from analytics.label_quality import label_specificity  # noqa: E402
from bench.bench_topic_quality import (MiniLMVectors, RESULTS_DIR, load_run, map_separation,  # noqa: E402
                                       score_topics)

REAL = ROOT.parent / "shared" / "real" / "arxiv-daily-cs-cv-cl" / "data"
SLICE_STEP = 10  # every 10th daily dump: 41 files, 10,348 papers


def corpus_folder(name: str, work: Path) -> Path | None:
    if name == "samples":
        return ROOT / "data" / "samples"
    if not REAL.is_dir():
        print(f"{name}: skipped, {REAL} is absent")
        return None
    if name == "75k":
        return REAL
    folder = work / "slice10k"
    if not folder.exists():
        folder.mkdir(parents=True)
        for dump in sorted(REAL.iterdir())[::SLICE_STEP]:
            (folder / dump.name).symlink_to(dump)
    return folder


def run_pipeline(code: Path, corpus: Path, out_root: Path, reuse: bool = False) -> dict:
    """One `flows.cli run` from an empty store: wall seconds and the process's peak resident memory.
    reuse: take a finished run of an earlier call from out_root instead (a baseline need not run twice)."""
    timing_file = out_root / "timing.json"
    if reuse and timing_file.exists() and (out_root / "out" / "run.json").exists():
        return {**json.loads(timing_file.read_text()), "out": out_root / "out"}
    if out_root.exists():
        shutil.rmtree(out_root)
    out_root.mkdir(parents=True)
    env = {**os.environ, "PYTHONPATH": str(code), "PREFECT_HOME": str(out_root / ".prefect"),
           "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120", "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "DO_NOT_TRACK": "1", "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    command = [sys.executable, "-m", "flows.cli", "run", "--input", str(corpus), "--output", str(out_root / "out"),
               "--store", str(out_root / "store")]
    started = time.perf_counter()
    with open(out_root / "run.log", "w") as log:
        process = subprocess.Popen(command, cwd=code, env=env, stdout=log, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"run failed ({out_root / 'run.log'})")
    timing = {"seconds": round(seconds, 1), "peak_gb": round(usage.ru_maxrss / 1024 ** 2, 2)}
    timing_file.write_text(json.dumps(timing))
    return {**timing, "out": out_root / "out"}


def measure(run: dict, minilm: MiniLMVectors) -> dict:
    texts, topic_ids, primary, labels = load_run(run["out"])
    scores = score_topics(texts, topic_ids, primary, minilm, labels)
    # The run's own seed, so that above 20k papers the bench measures the same sample as the run's topic_quality.
    specificity = label_specificity(texts, topic_ids, labels, seed=TopicsConfig().seed)
    xy = pd.read_csv(run["out"] / "papers.csv", usecols=["map_x", "map_y"]).to_numpy()
    categorised = float(np.mean(primary != ""))
    return {
        "seconds": run["seconds"], "peak_gb": run["peak_gb"], "papers": scores["papers"], "topics": scores["topics"],
        "nmi_vs_primary": scores["nmi_vs_primary"] if categorised > 0.5 else None,
        "margin_median": scores["margin_median"], "margin_min": scores["margin_min"],
        "topics_under_0.07": scores["topics_under_0.07"],
        "specific_labels": specificity["specific_share"],
        "label_coverage_median": specificity["coverage_median"],
        "label_exclusivity_median": specificity["exclusivity_median"],
        **map_separation(xy, topic_ids),
        "labels": {int(t): {"label": label, "size": int((topic_ids == t).sum()),
                            "margin": scores["per_topic"].get(int(t)),
                            "specific": specificity["per_topic"].get(int(t), {}).get("specific")}
                   for t, label in labels.items() if t != -1},
        "topic_ids": topic_ids,
    }


def side_by_side(new: dict, old: dict) -> list[str]:
    """Each new topic's label next to the old topic sharing most of its papers (same corpus, same paper order)."""
    lines = []
    for topic, entry in sorted(new["labels"].items(), key=lambda kv: -kv[1]["size"]):
        members = new["topic_ids"] == topic
        old_topics = pd.Series(old["topic_ids"][members]).value_counts()
        best = int(old_topics.index[0])
        old_entry = old["labels"].get(best, {"label": "(outliers)", "specific": None})
        overlap = old_topics.iloc[0] / members.sum()
        mark = lambda e: "ok" if e.get("specific") else "--"  # noqa: E731
        lines.append(f"  {entry['size']:6d}  {mark(entry)} {entry['label'][:52]:52s}  <- {mark(old_entry)} "
                     f"{old_entry['label'][:48]} ({overlap:.0%})")
    return lines


HEADLINE = ["seconds", "peak_gb", "papers", "topics", "nmi_vs_primary", "margin_median", "margin_min",
            "topics_under_0.07", "specific_labels", "label_coverage_median", "label_exclusivity_median",
            "map_same_topic_share", "map_silhouette"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", default=None, help="git revision to compare with (e.g. 63928d5)")
    parser.add_argument("--corpora", default="samples,10k,75k")
    parser.add_argument("--work", type=Path, default=None, help="folder for runs (default: a temporary one)")
    parser.add_argument("--reuse-baseline", action="store_true",
                        help="take the baseline's finished runs from --work instead of running them again")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="topic-scale-"))
    versions = {"now": ROOT}
    if args.baseline:
        baseline = work / f"code-{args.baseline}"
        if not baseline.exists():
            subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(baseline), args.baseline],
                           check=True, capture_output=True)
            (baseline / "models").symlink_to(ROOT / "models")
        versions = {f"today ({args.baseline})": baseline, "now": ROOT}
    minilm = MiniLMVectors()
    results: dict[str, dict] = {}
    for corpus_name in args.corpora.split(","):
        corpus = corpus_folder(corpus_name, work)
        if corpus is None:
            continue
        measured = {}
        for version, code in versions.items():
            run = run_pipeline(code, corpus, work / corpus_name / version.split()[0],
                               reuse=args.reuse_baseline and code != ROOT)
            measured[version] = measure(run, minilm)
            print(f"{corpus_name} {version}: " + json.dumps({k: measured[version][k] for k in HEADLINE}), flush=True)
        results[corpus_name] = measured
        print(f"\n== {corpus_name}")
        print(f"  {'':28s}" + "".join(f"{v:>22s}" for v in measured))
        for key in HEADLINE:
            print(f"  {key:28s}" + "".join(f"{str(m[key]):>22s}" for m in measured.values()))
        if len(measured) == 2:
            old, new = measured.values()
            print(f"  labels, largest topic first (size, ok = specific label)  <- {list(measured)[0]}'s topic "
                  f"sharing most papers (share of this topic's papers in it)")
            print("\n".join(side_by_side(new, old)), flush=True)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    serialisable = {c: {v: {k: val for k, val in m.items() if k != "topic_ids"} for v, m in vs.items()}
                    for c, vs in results.items()}
    (RESULTS_DIR / "topic_scale.json").write_text(json.dumps(serialisable, indent=1, default=str) + "\n")


if __name__ == "__main__":
    main()
