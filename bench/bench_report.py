"""Benchmark: build the report for a 75,000-paper synthetic corpus and open it in headless Chromium.

    PYTHONPATH=. python bench/bench_report.py [--papers 75000] [--topics 80] [--out bench/results/report]
    PYTHONPATH=. python bench/bench_report.py --real   # ../shared/real daily arXiv dumps, primary category as topic

Prints (and writes to <out>/bench_report.json) the time to compute trends and growth, the time to
build the report, its size, and the time until the page in Chromium (file://, network blocked) has
drawn every figure (body[data-ready]). Targets: report built in < 30 s, opened in < 10 s.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analytics.records import ParsedFile, Record  # noqa: E402
from reports import build_report  # noqa: E402
from tests.synthetic_corpus import make_corpus, run_stages  # noqa: E402

# ../shared/real from the project root (worktrees sit one level deeper, hence the second candidate).
_ROOT = Path(__file__).resolve().parents[1]
REAL_DUMPS = next(
    (p for p in (_ROOT.parent / "shared/real/arxiv-daily-cs-cv-cl/data", _ROOT.parents[1] / "shared/real/arxiv-daily-cs-cv-cl/data") if p.is_dir()),
    _ROOT.parent / "shared/real/arxiv-daily-cs-cv-cl/data",
)


def real_corpus(max_topics: int = 25):
    """The real daily arXiv dumps as the report sees them, with the primary arXiv category standing in for
    the topic (the clustering is not part of this benchmark) and a random blob per category as the map.
    A paper's date is the first day a dump lists it (stated by the dump: the file is the daily listing)."""
    import gzip

    import numpy as np
    import pandas as pd

    if not REAL_DUMPS.is_dir():
        raise SystemExit(f"real dumps not found at {REAL_DUMPS}")
    papers: dict[str, dict] = {}
    files = []
    for path in sorted(REAL_DUMPS.glob("*.jsonl.gz")):
        day = path.name.split(".")[0]
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            lines = [json.loads(line) for line in handle if line.strip()]
        files.append(ParsedFile(file=path.name, path=str(path), format="arxiv_daily_jsonl",
                                records=[Record(path.name, i, i + 1, title=rec.get("title") or "") for i, rec in enumerate(lines)]))
        for index, rec in enumerate(lines):
            paper = papers.setdefault(
                rec["id"],
                {
                    "paper_id": rec["id"], "arxiv_id": rec["id"], "title": rec.get("title") or "", "abstract": "",
                    "authors": "; ".join(rec.get("authors") or []), "sources": [], "published": day,
                    "date_kind": "listed", "date_source": "dump", "date_precision": "day", "date_low": day,
                    "date_high": day, "date_inferred": False, "categories": ";".join(rec.get("categories") or []),
                },
            )
            paper["sources"].append(f"{path.name}:{index}")
    frame = pd.DataFrame(papers.values())
    frame["sources"] = frame["sources"].map(";".join)
    primary = frame["categories"].str.split(";").str[0]
    top = primary.value_counts().index[:max_topics].tolist()
    ids = {category: k for k, category in enumerate(top)}
    frame["topic_id"] = primary.map(ids).fillna(-1).astype(int)
    frame["topic_label"] = primary.where(frame["topic_id"] >= 0, "")
    rng = np.random.default_rng(0)
    centres = rng.normal(0, 10, size=(len(top) + 1, 2))
    frame["map_x"] = centres[frame["topic_id"], 0] + rng.normal(0, 1.5, len(frame))
    frame["map_y"] = centres[frame["topic_id"], 1] + rng.normal(0, 1.5, len(frame))
    sizes = frame["topic_id"].value_counts()
    topics = pd.DataFrame(
        [{"topic_id": k, "label": c, "keywords": c, "size": int(sizes.get(k, 0)), "guided": False,
          "representative_papers": "", "representative_ids": ""} for c, k in ids.items()]
    )
    return frame, topics, files

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"]


def open_in_chromium(path: Path, runs: int = 3) -> dict:
    """Seconds until the page has drawn everything (body[data-ready]) and until first paint, per run,
    plus the same for a page holding nothing but plotly.js: the floor no report can go below."""
    import plotly.offline
    from playwright.sync_api import sync_playwright

    floor_page = path.with_name("plotly_only.html")
    floor_page.write_text(
        "<!DOCTYPE html><html><body><p>plotly only</p><script>" + plotly.offline.get_plotlyjs()
        + "</script><script>document.body.setAttribute('data-ready', '1')</script></body></html>",
        encoding="utf-8",
    )
    result = {"ready_s": [], "first_paint_s": [], "plotly_only_s": []}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        for _ in range(runs):
            for target, key in ((path, "ready_s"), (floor_page, "plotly_only_s")):
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                errors = []
                page.on("pageerror", lambda err: errors.append(str(err)))
                page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
                page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("file:", "data:", "blob:")) else route.abort())
                start = time.perf_counter()
                page.goto(target.as_uri())
                page.wait_for_selector("body[data-ready='1']", state="attached", timeout=180_000)
                result[key].append(round(time.perf_counter() - start, 2))
                if key == "ready_s":
                    paint = page.evaluate("(performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime || null")
                    result["first_paint_s"].append(round(paint / 1000, 2) if paint else None)
                if errors:
                    raise SystemExit(f"console errors while opening {target.name}: {errors[:3]}")
                page.close()
        browser.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=75_000)
    parser.add_argument("--topics", type=int, default=80)
    parser.add_argument("--months", type=int, default=16)
    parser.add_argument("--out", type=Path, default=Path("bench/results/report"))
    parser.add_argument("--real", action="store_true", help="use the real daily arXiv dumps instead of synthetic data")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    start = time.perf_counter()
    if args.real:
        papers, topics, files = real_corpus()
    else:
        papers, topics, files = make_corpus(args.papers, n_topics=args.topics, months=args.months, start="2025-03", seed=1)
    generate_s = time.perf_counter() - start

    start = time.perf_counter()
    run = run_stages(papers, topics, files, timings={}, versions={})  # trends, growth and the run summary
    growth = run.trends.growth
    stats_s = time.perf_counter() - start

    start = time.perf_counter()
    path = build_report(args.out / "report.html", **run.report_inputs())
    build_s = time.perf_counter() - start
    size_mb = path.stat().st_size / 1e6

    opened = open_in_chromium(path) if shutil.which("chromium") else {}
    result = {
        "corpus": "real daily arXiv dumps (topic = primary category)" if args.real else "synthetic",
        "papers": len(papers),
        "topics": int((topics["topic_id"] != -1).sum()),
        "period": run.trends.settings.period,
        "generate_s": round(generate_s, 2),
        "trends_and_growth_s": round(stats_s, 2),
        "build_report_s": round(build_s, 2),
        "report_mb": round(size_mb, 2),
        "open_in_chromium": opened,
        "load_average_1min": round(os.getloadavg()[0], 1),
        "classes": growth["growth_class"].value_counts().to_dict(),
    }
    (args.out / "bench_report.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
