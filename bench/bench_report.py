"""Benchmark: build the report for a 75,000-paper synthetic corpus and open it in headless Chromium.

    PYTHONPATH=. python bench/bench_report.py [--papers 75000] [--topics 80] [--out bench/results/report]

Prints (and writes to <out>/bench_report.json) the time to compute trends and growth, the time to
build the report, its size, and the time until the page in Chromium (file://, network blocked) has
drawn every figure (body[data-ready]). Targets: report built in < 30 s, opened in < 10 s.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analytics.trends import topic_growth, topic_trends  # noqa: E402
from reports import build_report  # noqa: E402
from tests.synthetic_corpus import make_corpus  # noqa: E402

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"]


def open_in_chromium(path: Path, runs: int = 3) -> list[float]:
    from playwright.sync_api import sync_playwright

    seconds = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        for _ in range(runs):
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            errors = []
            page.on("pageerror", lambda err: errors.append(str(err)))
            page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
            page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("file:", "data:", "blob:")) else route.abort())
            start = time.perf_counter()
            page.goto(path.as_uri())
            page.wait_for_selector("body[data-ready='1']", timeout=180_000)
            seconds.append(time.perf_counter() - start)
            if errors:
                raise SystemExit(f"console errors while opening the report: {errors[:3]}")
            page.close()
        browser.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=75_000)
    parser.add_argument("--topics", type=int, default=80)
    parser.add_argument("--months", type=int, default=16)
    parser.add_argument("--out", type=Path, default=Path("bench/results/report"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    start = time.perf_counter()
    papers, topics, summary = make_corpus(args.papers, n_topics=args.topics, months=args.months, start="2025-03", seed=1)
    generate_s = time.perf_counter() - start

    start = time.perf_counter()
    trends = topic_trends(papers)
    growth = topic_growth(trends)
    stats_s = time.perf_counter() - start

    start = time.perf_counter()
    path = build_report(args.out / "report.html", papers, topics, trends, growth, summary)
    build_s = time.perf_counter() - start
    size_mb = path.stat().st_size / 1e6

    open_s = open_in_chromium(path) if shutil.which("chromium") else []
    result = {
        "papers": args.papers,
        "topics": args.topics,
        "period": trends.attrs["period"],
        "generate_s": round(generate_s, 2),
        "trends_and_growth_s": round(stats_s, 2),
        "build_report_s": round(build_s, 2),
        "report_mb": round(size_mb, 2),
        "open_in_chromium_s": [round(s, 2) for s in open_s],
        "classes": growth["growth_class"].value_counts().to_dict(),
    }
    (args.out / "bench_report.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
