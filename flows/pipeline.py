"""The topictrends Prefect flow: one task per stage, each a thin call into `analytics` or `reports`."""

from __future__ import annotations

import logging
import platform
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from prefect import flow, get_run_logger, task

from analytics import outputs
from analytics.config import Config, load_config
from analytics.dates import assign_dates, date_coverage, stated_dates
from analytics.dedupe import merge_records
from analytics.embedding import load_embedder, paper_text
from analytics.parsing import iter_dumps
from analytics.records import ParsedFile
from analytics.topics import fit_topics
from analytics.trends import topic_growth, topic_trends
from reports import build_report

KEY_PACKAGES = [
    "topictrends", "bertopic", "umap-learn", "hdbscan", "sentence-transformers", "model2vec", "torch",
    "pandas", "numpy", "scikit-learn", "plotly", "prefect", "duckdb",
]


class NoUsableInput(RuntimeError):
    """The input folder held no record that could be read."""


@dataclass
class StageTimer:
    timings: dict[str, float] = field(default_factory=dict)

    def record(self, stage: str, started: float) -> None:
        self.timings[stage] = round(time.perf_counter() - started, 3)


def _logger() -> logging.Logger | logging.LoggerAdapter:
    try:
        return get_run_logger()
    except Exception:  # called outside a flow run (unit use)
        return logging.getLogger("topictrends")


def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in KEY_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


@task(name="parse dumps")
def parse_task(input_dir: str, column_mapping: dict[str, str]) -> list[ParsedFile]:
    log = _logger()
    parsed_files = []
    for parsed in iter_dumps(Path(input_dir), column_mapping=column_mapping or None):
        for problem in parsed.problems:
            (log.error if problem.severity == "error" else log.warning)(str(problem))
        log.info("%s: %s, %d records", parsed.file, parsed.format, len(parsed.records))
        parsed_files.append(parsed)
    return parsed_files


@task(name="merge duplicates and date papers")
def papers_task(parsed_files: list[ParsedFile], cfg: Config) -> pd.DataFrame:
    stated: dict[str, Any] = {}
    for parsed in parsed_files:
        stated.update(stated_dates(parsed))
    records = [record for parsed in parsed_files for record in parsed.records]
    papers = merge_records(records)
    capture_dates = {p.file: p.context.get("capture_date") for p in parsed_files if p.context.get("capture_date")}
    evidence = cfg.resolve_path(cfg.dates.evidence_table)
    return assign_dates(
        papers, stated, capture_dates=capture_dates,
        evidence_table=evidence if evidence.exists() else None, infer=True,
    )


@task(name="embed papers")
def embed_task(texts: list[str], cfg: Config) -> tuple[np.ndarray, dict[str, Any]]:
    backend = cfg.embedding.backend
    if backend == "auto":
        backend = "static" if len(texts) > cfg.embedding.auto_static_above else "sentence-transformer"
    embedder = load_embedder(backend, model_path=cfg.embedding.model_path, batch_size=cfg.embedding.batch_size)
    started = time.perf_counter()
    vectors = embedder.embed(texts, progress=True)
    seconds = time.perf_counter() - started
    info = {
        "backend": embedder.backend,
        "model_id": embedder.model_id,
        "dim": int(embedder.dim),
        "embedded": len(texts),
        "papers_per_second": round(len(texts) / seconds, 1) if seconds > 0 else None,
    }
    return vectors, info, embedder


@task(name="find topics")
def topics_task(texts: list[str], embeddings: np.ndarray, embedder: Any, cfg: Config):
    return fit_topics(texts, embeddings, cfg.topics, embedder=embedder, progress=False)


@task(name="trends")
def trends_task(papers: pd.DataFrame, cfg: Config) -> tuple[pd.DataFrame, pd.DataFrame]:
    trends = topic_trends(papers, period=cfg.trends.period, include_inferred=cfg.dates.include_inferred)
    growth = topic_growth(trends, min_papers=cfg.trends.min_papers)
    return trends, growth


@task(name="write outputs")
def write_task(out_dir: str, papers: pd.DataFrame, topics: pd.DataFrame, trends: pd.DataFrame,
               growth: pd.DataFrame, summary: dict[str, Any]) -> dict[str, str]:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    outputs.write_csv(outputs.papers_table(papers), out / "papers.csv")
    outputs.write_csv(topics_with_growth(topics, growth), out / "topics.csv")
    outputs.write_csv(trends, out / "trends.csv")
    report_path = out / "report.html"
    build_report(report_path, outputs.papers_table(papers), topics, trends, growth, summary)
    return {"papers": str(out / "papers.csv"), "topics": str(out / "topics.csv"),
            "trends": str(out / "trends.csv"), "report": str(report_path), "run": str(out / "run.json")}


def file_summary(parsed: ParsedFile) -> dict[str, Any]:
    return {
        "file": parsed.file,
        "path": parsed.path,
        "format": parsed.format,
        "records": len(parsed.records),
        "sha256": parsed.sha256,
        "set_aside": not parsed.usable,
        "problems": [p.to_dict() for p in parsed.problems],
    }


def topics_table(result, papers: pd.DataFrame) -> pd.DataFrame:
    topics = result.topics.copy()
    topics["representative_papers"] = topics["representative_rows"].map(
        lambda rows: " | ".join(papers["title"].iloc[rows].tolist())
    )
    topics["representative_ids"] = topics["representative_rows"].map(
        lambda rows: ";".join(papers["paper_id"].iloc[rows].tolist())
    )
    return topics.drop(columns=["representative_rows"])


def topics_with_growth(topics: pd.DataFrame, growth: pd.DataFrame) -> pd.DataFrame:
    """topics.csv: the topic table plus its growth figures and class."""
    extra = [c for c in growth.columns if c != "topic_id" and c not in topics.columns]
    return topics.merge(growth[["topic_id", *extra]], on="topic_id", how="left")


@flow(name="topictrends", log_prints=True)
def topictrends_flow(input_dir: str, output_dir: str, config_path: str | None = None,
                     overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Parse dumps, date and merge papers, embed, find topics, compute trends, write outputs and report."""
    cfg = load_config(config_path, overrides)
    log = _logger()
    run_id = uuid.uuid4().hex[:12]
    started_at = datetime.now(timezone.utc)
    timer = StageTimer()

    t = time.perf_counter()
    parsed_files = parse_task(input_dir, cfg.parsing.column_mapping)
    timer.record("parse", t)
    usable = [p for p in parsed_files if p.usable]
    if not usable:
        problems = "; ".join(str(pr) for p in parsed_files for pr in p.problems) or "no files"
        raise NoUsableInput(f"no usable input in {input_dir}: {problems}")

    t = time.perf_counter()
    papers = papers_task(usable, cfg)
    timer.record("merge_and_dates", t)

    t = time.perf_counter()
    texts = [paper_text(title, abstract) for title, abstract in zip(papers["title"], papers["abstract"])]
    embeddings, embedding_info, embedder = embed_task(texts, cfg)
    timer.record("embed", t)

    t = time.perf_counter()
    result = topics_task(texts, embeddings, embedder, cfg)
    timer.record("topics", t)
    papers = papers.copy()
    papers["topic_id"] = result.topic_ids
    papers["raw_topic_id"] = result.raw_topic_ids
    label_of = dict(zip(result.topics["topic_id"], result.topics["label"]))
    papers["topic_label"] = papers["topic_id"].map(lambda t: label_of.get(t, "Outliers"))
    papers["map_x"] = np.round(result.map_xy[:, 0], 4)
    papers["map_y"] = np.round(result.map_xy[:, 1], 4)

    t = time.perf_counter()
    trends, growth = trends_task(papers, cfg)
    timer.record("trends", t)
    topics = topics_table(result, papers)

    n_papers = len(papers)
    n_records = sum(len(p.records) for p in parsed_files)
    summary: dict[str, Any] = {
        "run_id": run_id,
        "started_at": started_at.isoformat(timespec="seconds"),
        "input": str(Path(input_dir).resolve()),
        "output": str(Path(output_dir).resolve()),
        "files": [file_summary(p) for p in parsed_files],
        "totals": {
            "files": len(parsed_files),
            "usable_files": len(usable),
            "set_aside_files": len(parsed_files) - len(usable),
            "records": n_records,
            "papers": n_papers,
            "duplicates_merged": n_records - n_papers,
            "problems": sum(len(p.problems) for p in parsed_files),
            "topics": int(len(topics)),
            "outlier_share_raw": round(float((result.raw_topic_ids == -1).mean()), 4),
            "outlier_share": round(float((result.topic_ids == -1).mean()), 4),
        },
        "date_coverage": date_coverage(papers),
        "date_coverage_by_file": _coverage_by_file(papers),
        "trends": {"period": trends.attrs.get("period", cfg.trends.period),
                   "include_inferred": cfg.dates.include_inferred},
        "embedding": embedding_info,
        "topic_params": result.params.to_dict(),
        "config": cfg.model_dump(),
        "versions": package_versions(),
    }
    summary["timings"] = dict(timer.timings)

    t = time.perf_counter()
    paths = write_task(output_dir, papers, topics, trends, growth, summary)
    timer.record("write_outputs", t)
    summary["timings"] = dict(timer.timings)
    summary["finished_at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    summary["outputs"] = paths
    # run.json last: its presence with this run_id means every other output of the run is in place.
    outputs.write_json(summary, Path(output_dir) / "run.json")
    log.info("report: %s", paths["report"])
    return summary


def _coverage_by_file(papers: pd.DataFrame) -> dict[str, Any]:
    """Date coverage per dump file: a paper counts for every file it was read from."""
    exploded = papers[["sources", "published", "date_inferred"]].explode("sources")
    exploded["file"] = exploded["sources"].astype(str).str.rsplit(":", n=1).str[0]
    coverage = {}
    for name, group in exploded.groupby("file", sort=True):
        stated = int(((group["published"] != "") & ~group["date_inferred"].astype(bool)).sum())
        inferred = int(((group["published"] != "") & group["date_inferred"].astype(bool)).sum())
        coverage[name] = {"stated": stated, "inferred": inferred, "undated": int(len(group) - stated - inferred)}
    return coverage
