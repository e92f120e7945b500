"""The whole pipeline on slices of the real daily arXiv corpus, side by side with a plain BERTopic script.

For each slice (the first daily dumps holding about N unique papers; "all" = the 410 dumps, ~75k papers):
  1. `topictrends run` from an empty store with the default config: wall time, time per stage (run.json),
     peak memory of the run's process;
  2. (--rerun) the same store plus the next daily dump: the one-new-dump rerun;
  3. the plain BERTopic script (bench/plain_bertopic.py: bundled MiniLM sentence-transformer, BERTopic()
     defaults) on the same dumps, when the slice is at most --plain-max papers (at ~20 papers/s its embedding
     alone takes an hour on 75k papers; above the limit its time is not run, only marked);
  4. topic quality of both (analytics.topic_quality when available: NPMI, diversity, outliers, NMI vs primary
     category).
Prints a table and writes bench/results/pipeline.json. Skips cleanly when ../shared/real is absent.

    .venv/bin/python bench/bench_pipeline.py --sizes 1000,10000,all --plain-max 10000 --rerun
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))

from analytics.run_summary import RunSummary
from bench.arxiv_daily import corpus_dir  # noqa: E402

BIN = Path(sys.executable).parent
RESULTS = PROJECT_ROOT / "bench" / "results"


def measured(cmd: list[str], env: dict[str, str] | None = None) -> dict:
    """Run `cmd` in a fresh wrapper process, so the peak RSS is this command's alone."""
    wrapper = (
        "import json, resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "code = subprocess.call(sys.argv[1:])\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "print(json.dumps({'code': code, 'seconds': time.perf_counter() - t, 'peak_mb': peak / 1024}))\n"
    )
    proc = subprocess.run([sys.executable, "-c", wrapper, *cmd], capture_output=True, text=True,
                          env=env or os.environ.copy(), cwd=PROJECT_ROOT)
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    if result["code"] != 0:
        sys.stderr.write(proc.stderr[-4000:])
        raise SystemExit(f"command failed: {' '.join(cmd)}")
    return result


def slice_dumps(folder: Path, size: str) -> tuple[list[Path], Path | None]:
    """The first daily dumps holding about `size` unique papers, and the next dump (for the rerun)."""
    import gzip

    dumps = sorted(folder.glob("*.jsonl.gz"))
    if size == "all":
        return dumps[:-1], dumps[-1]
    target, seen, chosen = int(size), set(), []
    for path in dumps:
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            seen.update(json.loads(line).get("id") for line in lines)
        chosen.append(path)
        if len(seen) >= target:
            break
    following = dumps[len(chosen)] if len(chosen) < len(dumps) else None
    return chosen, following


def link_folder(target: Path, files: list[Path]) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for path in files:
        link = target / path.name
        if not link.exists():
            link.symlink_to(path)
    return target


def evaluate(run_dir: Path) -> dict:
    """The headline topic-quality figures of a run (analytics.topic_quality)."""
    try:
        from analytics.topic_quality import evaluate_run
    except ImportError:
        return {}
    result = evaluate_run(run_dir)
    flat: dict = {}

    def walk(prefix: str, value) -> None:  # nested dicts: coherence, topics, agreement.all_papers, ...
        if isinstance(value, dict):
            for key, sub in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), sub)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            flat[prefix] = value

    walk("", {k: v for k, v in result.items() if k != "per_topic"})
    return flat


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,all")
    parser.add_argument("--plain-max", type=int, default=10000)
    parser.add_argument("--rerun", action="store_true", help="also time a rerun with one more daily dump")
    args = parser.parse_args()
    folder = corpus_dir()
    if folder is None:
        print("skipped: the real daily corpus (../shared/real/arxiv-daily-cs-cv-cl) is not on this machine")
        return
    RESULTS.mkdir(parents=True, exist_ok=True)
    rows = []
    work_root = RESULTS / "pipeline-work"  # kept, so the outputs and reports can be inspected afterwards
    if work_root.exists():
        shutil.rmtree(work_root)
    tmp = work_root
    for size in args.sizes.split(","):
        dumps, following = slice_dumps(folder, size)
        work = Path(tmp) / f"slice-{size}"
        inputs = link_folder(work / "in", dumps)
        out, store = work / "out", work / "store"
        first = measured([str(BIN / "topictrends"), "run", "--input", str(inputs), "--output", str(out),
                          "--store", str(store)])
        summary = RunSummary.model_validate_json((out / "run.json").read_text())
        row = {
            "slice": size, "dumps": len(dumps), "papers": summary.totals.papers,
            "backend": summary.embedding.backend, "topics": summary.totals.topics,
            "pipeline_seconds": round(first["seconds"], 1), "pipeline_peak_mb": round(first["peak_mb"]),
            "stages": summary.timings, "pipeline_quality": evaluate(out),
        }
        if args.rerun and following is not None:
            link_folder(inputs, [following])
            rerun = measured([str(BIN / "topictrends"), "run", "--input", str(inputs), "--output", str(out),
                              "--store", str(store)])
            rerun_summary = RunSummary.model_validate_json((out / "run.json").read_text())
            row["rerun_one_dump_seconds"] = round(rerun["seconds"], 1)
            row["rerun_mode"] = rerun_summary.mode
            row["rerun_embedded_new"] = rerun_summary.embedding.embedded_new
            row["rerun_stages"] = rerun_summary.timings
            nochange = measured([str(BIN / "topictrends"), "run", "--input", str(inputs), "--output", str(out),
                                 "--store", str(store)])
            row["rerun_no_change_seconds"] = round(nochange["seconds"], 1)
            (inputs / following.name).unlink()
        # Compare with the slice's nominal size: the "10000" slice holds a few more papers (whole dumps).
        if size != "all" and int(size) <= args.plain_max:
            plain_out = work / "plain"
            plain = measured([sys.executable, str(PROJECT_ROOT / "bench" / "plain_bertopic.py"),
                              "--input", str(work / "in"), "--output", str(plain_out)])
            row["plain_seconds"] = round(plain["seconds"], 1)
            row["plain_peak_mb"] = round(plain["peak_mb"])
            row["plain_quality"] = evaluate(plain_out)
            row["speedup"] = round(row["plain_seconds"] / row["pipeline_seconds"], 2)
            row["memory_ratio"] = round(row["pipeline_peak_mb"] / row["plain_peak_mb"], 2)
        rows.append(row)
        print(json.dumps(row, indent=1), flush=True)
    (RESULTS / "pipeline.json").write_text(json.dumps(rows, indent=2))
    print()
    print(f"{'slice':>6} {'papers':>7} {'backend':>20} {'pipeline s':>10} {'peak MB':>8} {'rerun s':>8} "
          f"{'plain s':>8} {'plain MB':>8} {'speedup':>7}")
    for r in rows:
        print(f"{r['slice']:>6} {r['papers']:>7} {r['backend']:>20} {r['pipeline_seconds']:>10} "
              f"{r['pipeline_peak_mb']:>8} {r.get('rerun_one_dump_seconds', '-'):>8} {r.get('plain_seconds', '-'):>8} "
              f"{r.get('plain_peak_mb', '-'):>8} {r.get('speedup', '-'):>7}")


if __name__ == "__main__":
    main()
