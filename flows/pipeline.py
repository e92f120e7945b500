"""The topictrends Prefect flow: one task per stage, each a thin call into `analytics` or `reports`.

A run: list the dumps (stop early when nothing changed since the last completed run), parse them (cached
per file digest across runs), merge duplicates and date papers, embed the papers the store has not seen,
find topics (refit and match to the previous run, or assign new papers to existing topics), compute trends,
write outputs atomically, then commit the run to the store.
"""

from __future__ import annotations

import functools
import logging
import os
import signal
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.utilities.annotations import quote

from analytics import growth_evidence as evidence_lib
from analytics import embedding_policy, incremental, label_quality, outputs, run_inputs, topic_quality
from analytics.config import Config, load_config
from analytics.embedding import MissingModelError, load_embedder
from analytics.parsing import read_dump
from analytics.papers import papers_from_dumps
from analytics.records import ParsedFile
from analytics.topics.sampled import TransformerSample, sample_rows
from analytics.store import Store, hold_store_lock, open_store
from analytics.run_summary import RunSummary, UnchangedRun, build_run_summary, package_versions
from analytics.trend_analysis import TrendsResult, analyse_trends
from reports import build_report

class NoUsableInput(RuntimeError):
    """The input folder held no record that could be read."""


@dataclass
class StageTimer:
    timings: dict[str, float] = field(default_factory=dict)

    def record(self, stage: str, started: float) -> None:
        self.timings[stage] = round(self.timings.get(stage, 0.0) + time.perf_counter() - started, 3)


def _logger() -> logging.Logger | logging.LoggerAdapter:
    try:
        return get_run_logger()
    except Exception:  # called outside a flow run (unit use)
        return logging.getLogger("topictrends")


def crash_point(stage: str) -> None:
    """Fault injection for the crash tests: TOPICTRENDS_CRASH_AT=<stage> kills the process (SIGKILL) here."""
    if os.environ.get("TOPICTRENDS_CRASH_AT") == stage:
        os.kill(os.getpid(), signal.SIGKILL)


# -- tasks ----------------------------------------------------------------------------------------

@task(name="parse dumps", cache_policy=NO_CACHE, retries=0)
def parse_bucket_task(paths: list[str], column_mapping: dict[str, str],
                      limits: dict[str, float] | None = None) -> list[ParsedFile]:
    return [read_dump(Path(path), column_mapping=column_mapping or None, **(limits or {})) for path in paths]


def parse_dumps(entries: list[Path], digests: dict[str, str | None], column_mapping: dict[str, str],
                code: str, store: Store, limits: dict[str, float] | None = None) -> list[ParsedFile]:
    """Parse every dump on the flow's task runner (threads, or a Dask cluster), a bucket of files per task.
    Buckets whose files are unchanged come from the store's parse cache (plain pickles: loading Prefect's
    persisted results took as long as parsing again). Returns one ParsedFile per entry, in order."""
    log = _logger()
    buckets = run_inputs.parse_buckets(entries, digests)
    keys = {bucket: run_inputs.parse_cache_key([digests[str(e)] for e in files], column_mapping, code, limits)
            for bucket, files in buckets.items()}
    cached = {bucket: store.load_parsed(key) for bucket, key in keys.items()}
    futures = {
        bucket: parse_bucket_task.submit([str(e) for e in files], column_mapping, limits)
        for bucket, files in sorted(buckets.items()) if cached[bucket] is None
    }
    parsed_by_entry: dict[str, ParsedFile] = {}
    for bucket, files in sorted(buckets.items()):
        if cached[bucket] is None:
            cached[bucket] = futures[bucket].result()
            store.save_parsed(keys[bucket], cached[bucket])
        parsed_by_entry.update(zip((str(e) for e in files), cached[bucket]))
    store.prune_parsed(set(keys.values()))
    log.info("parsed %d dumps (%d of %d buckets from the parse cache)", len(parsed_by_entry),
             len(buckets) - len(futures), len(buckets))
    parsed_files = []
    for entry in entries:
        parsed = parsed_by_entry.get(str(entry)) or read_dump(entry, column_mapping=column_mapping or None,
                                                              **(limits or {}))
        parsed.path = str(entry)
        for problem in parsed.problems:
            (log.error if problem.severity == "error" else log.warning)(str(problem))
        log.info("%s: %s, %d records", parsed.file, parsed.format, len(parsed.records))
        parsed_files.append(parsed)
    return parsed_files


@task(name="merge duplicates and date papers", cache_policy=NO_CACHE)
def papers_task(parsed_files: list[ParsedFile], cfg: Config) -> pd.DataFrame:
    evidence, gaps = cfg.resolve_path(cfg.dates.evidence_table), cfg.resolve_path(cfg.dates.gap_table)
    return papers_from_dumps(parsed_files, evidence_table=evidence if evidence.exists() else None,
                             gap_table=gaps if gaps.exists() else None)


@functools.lru_cache(maxsize=2)
def cached_embedder(backend: str, model_path: str | None, batch_size: int, max_tokens: int | None = None):
    """One loaded model per process (the flow's, or each Dask worker's)."""
    return load_embedder(backend, model_path=model_path, batch_size=batch_size, max_tokens=max_tokens)


@task(name="embed chunk", cache_policy=NO_CACHE)
def embed_chunk_task(texts: list[str], backend: str, model_path: str | None, batch_size: int,
                     max_tokens: int | None = None) -> np.ndarray:
    return cached_embedder(backend, model_path, batch_size, max_tokens).embed(texts, progress=False)


def embed_papers(texts: list[str], hashes: list[str], cfg: Config, store: Store, *, distributed: bool,
                 previous: dict | None = None):
    """Every paper's embedding with the run's backend: (matrix, run.json info, embedder, transformer sample).
    "sampled": every paper's static vector, plus the transformer vectors of the sample that defines the
    topics (a TransformerSample; None for the other backends). The store keeps each model's vectors apart,
    so a rerun embeds only texts it has not seen with that model."""
    backend = embedding_policy.choose_backend(cfg, len(texts), previous)
    if backend != "sampled":
        return (*_embed_with(backend, texts, hashes, cfg, store, distributed=distributed), None)
    matrix, info, embedder = _embed_with("static", texts, hashes, cfg, store, distributed=distributed)
    rows = sample_rows(hashes, cfg.embedding.transformer_sample, cfg.topics.seed)
    sample_matrix, sample_info, sample_embedder = _embed_with(
        "onnx", [texts[i] for i in rows], [hashes[i] for i in rows], cfg, store, distributed=distributed)
    info = {**info, "backend": "sampled", "static_backend": info["backend"], "transformer_sample": sample_info}
    return matrix, info, embedder, TransformerSample(rows=rows, vectors=sample_matrix, embedder=sample_embedder)


def _embed_with(backend: str, texts: list[str], hashes: list[str], cfg: Config, store: Store, *,
                distributed: bool):
    """Embed only what the store has not embedded with this model, a chunk at a time, committing each chunk
    to the store as it is done (a killed run keeps its finished chunks). On a Dask cluster the chunks run in
    parallel on the workers; locally they run one after the other (the model already uses every core)."""
    log = _logger()
    max_tokens = embedding_policy.max_tokens_for(backend, cfg)
    embedder = cached_embedder(backend, cfg.embedding.model_path, cfg.embedding.batch_size, max_tokens)
    cached = store.cached_embeddings(hashes, embedder.model_id)
    todo = embedding_policy.rows_to_embed(hashes, cached)
    log.info("embeddings: %d papers reuse stored embeddings, %d texts to embed with %s",
             len(hashes) - len(todo), len(todo), embedder.model_id)
    chunk = embedding_policy.chunk_size(backend)
    chunks = [todo[start:start + chunk] for start in range(0, len(todo), chunk)]
    args = (backend, cfg.embedding.model_path, cfg.embedding.batch_size, max_tokens)
    started = time.perf_counter()
    from tqdm.auto import tqdm

    def finish(rows: list[int], vectors: np.ndarray) -> None:
        chunk_hashes = [hashes[i] for i in rows]
        store.save_embeddings(chunk_hashes, vectors, embedder.model_id)
        cached.update(zip(chunk_hashes, vectors))
        bar.update(len(rows))
        crash_point("embedding")

    with tqdm(total=len(todo), desc="Embedding papers", unit="paper", disable=not todo) as bar:
        if distributed:
            futures = [embed_chunk_task.submit([texts[i] for i in rows], *args) for rows in chunks]
            for rows, future in zip(chunks, futures):
                finish(rows, future.result())
        else:
            for rows in chunks:
                finish(rows, embed_chunk_task([texts[i] for i in rows], *args))
    seconds = time.perf_counter() - started
    matrix = np.vstack([cached[h] for h in hashes]).astype(np.float32) if hashes else np.zeros((0, embedder.dim))
    info = embedding_policy.embedding_info(embedder, hashes, todo, seconds)
    return matrix, info, embedder


@task(name="find topics", cache_policy=NO_CACHE)
def topics_task(papers: pd.DataFrame, embeddings: np.ndarray, embedder: Any, cfg: Config, store: Store,
                previous: dict | None, sample: TransformerSample | None = None) -> incremental.TopicOutcome:
    return incremental.find_topics(papers, embeddings, cfg, store, previous, embedder=embedder, sample=sample,
                                   checkpoint=crash_point)


@task(name="topic quality", cache_policy=NO_CACHE)
def quality_task(papers: pd.DataFrame, labels: dict[int, str], cfg: Config, store: Store) -> dict[str, Any] | None:
    """Coherence margin of every topic (analytics.topic_quality), measured with the MiniLM as ONNX whatever the
    run's backend, so that runs compare; the vectors come from the store when the run embedded them with it,
    else are embedded now (~30 s for a 75k static run). And how specific each label is (analytics.label_quality).
    None, with a warning, when the ONNX model is not built."""
    texts, hashes = papers["text"].tolist(), papers["content_hash"].tolist()

    def vectors_of_rows(rows: np.ndarray) -> np.ndarray:
        vectors, _, _ = _embed_with("onnx", [texts[i] for i in rows], [hashes[i] for i in rows], cfg, store,
                                    distributed=False)
        return vectors

    try:
        quality = topic_quality.measure_topic_quality(papers["topic_id"].to_numpy(dtype=int), vectors_of_rows)
    except MissingModelError as error:
        _logger().warning("topic quality not measured: %s", error)
        return None
    if quality is None:
        return None
    if quality["weak_topics"]:
        _logger().warning("%d weak topics (coherence margin under %s): %s", len(quality["weak_topics"]),
                          topic_quality.WEAK_MARGIN, ", ".join(map(str, quality["weak_topics"])))
    quality["labels"] = label_quality.label_specificity(texts, papers["topic_id"].to_numpy(dtype=int), labels,
                                                        seed=cfg.topics.seed)
    return quality


@task(name="trends", cache_policy=NO_CACHE)
def trends_task(papers: pd.DataFrame, layout_of_file: dict[str, str], cfg: Config,
                labels: dict[int, str]) -> TrendsResult:
    return analyse_trends(papers, layout_of_file, period=cfg.trends.period, include_inferred=cfg.dates.include_inferred,
                          kinds=tuple(cfg.dates.trend_kinds), min_papers=cfg.trends.min_papers, labels=labels)


@task(name="growth evidence", cache_policy=NO_CACHE)
def evidence_task(papers: pd.DataFrame, embeddings: np.ndarray, trends: TrendsResult,
                  topics: pd.DataFrame) -> tuple[dict[str, Any], dict[str, int]]:
    document, counts, failed = evidence_lib.run_evidence(papers, embeddings, trends.trends, trends.growth, topics)
    for topic_id, error in failed.items():
        _logger().warning("growth evidence of topic %d failed: %s", topic_id, error)
    return document, counts


@task(name="write outputs", cache_policy=NO_CACHE)
def write_task(out_dir: str, run_id: str, papers_csv: pd.DataFrame, topics: pd.DataFrame, trends: TrendsResult,
               lineage: pd.DataFrame, evidence: dict[str, Any], summary: RunSummary, cfg: Config,
               lineage_history: pd.DataFrame | None = None) -> Path:
    """Write the run's outputs into its staging folder (`outputs.staging_folder`); nothing outside it changes.
    `outputs.publish_staged` moves them into place once the store has committed the run."""
    staging = outputs.staging_folder(Path(out_dir), run_id)
    staging.mkdir(parents=True, exist_ok=True)
    outputs.write_csv(papers_csv, staging / "papers.csv")
    crash_point("writing_outputs")
    outputs.write_csv(outputs.topics_table(topics, trends.growth, lineage), staging / "topics.csv")
    outputs.write_csv(trends.trends, staging / "trends.csv")
    outputs.write_csv(incremental.lineage_table(lineage_history, lineage, topics, run_id=run_id,
                                                started_at=summary.started_at, mode=summary.mode),
                      staging / "lineage.csv")
    outputs.write_json(evidence, staging / "evidence.json")
    build_report(staging / "report.html", papers=papers_csv, topics=topics, trends=trends, summary=summary,
                 evidence=evidence, max_map_points=cfg.report.max_map_points, min_papers=cfg.trends.min_papers)
    return staging


# -- summary helpers ------------------------------------------------------------------------------

# -- the flow -------------------------------------------------------------------------------------

@flow(name="topictrends", log_prints=True)
def topictrends_flow(input_dir: str, output_dir: str, config_path: str | None = None,
                     overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Parse dumps, date and merge papers, embed, find topics, compute trends, write outputs and report."""
    cfg = load_config(config_path, overrides)
    log = _logger()
    store_dir = cfg.resolve_path(cfg.run.store)
    check_folders(output_dir, store_dir)
    with open_store(store_dir, wait_seconds=cfg.run.lock_wait_seconds) as store:
        return _run(cfg, store, Path(input_dir), Path(output_dir), log)


def task_runner_for(cfg: Config):
    """Threads on this machine by default; a Dask cluster (prefect-dask) when configured."""
    if cfg.compute.task_runner == "dask":
        from prefect_dask import DaskTaskRunner

        if cfg.compute.dask_address:
            return DaskTaskRunner(address=cfg.compute.dask_address)
        return DaskTaskRunner(cluster_kwargs={"n_workers": cfg.compute.dask_workers, "threads_per_worker": 1,
                                              "processes": True, "dashboard_address": None})
    from prefect.task_runners import ThreadPoolTaskRunner

    return ThreadPoolTaskRunner(max_workers=cfg.compute.max_threads)


def flow_for(cfg: Config):
    return topictrends_flow.with_options(task_runner=task_runner_for(cfg))


def check_folders(output_dir: str | Path, store_dir: str | Path) -> None:
    """Stop before any work when the outputs or the store could not be written at the end (FolderNotWritable)."""
    outputs.check_writable_folder(Path(output_dir), "output")
    outputs.check_writable_folder(Path(store_dir), "store")


def run_pipeline(input_dir: str, output_dir: str, config_path: str | None = None,
                 overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run the flow with the task runner the config asks for.

    The store's lock is taken here, before the flow starts: a busy store raises StoreBusy to the caller, not
    inside a flow run that Prefect would log as crashed, with a traceback. The flow takes the lock again (it is
    re-entrant in this process); that is what guards runs that start the flow directly, like `serve`'s.
    """
    cfg = load_config(config_path, overrides)
    store_dir = cfg.resolve_path(cfg.run.store)
    check_folders(output_dir, store_dir)
    with hold_store_lock(store_dir, wait_seconds=cfg.run.lock_wait_seconds):
        return flow_for(cfg)(input_dir, output_dir, config_path, overrides)


def _run(cfg: Config, store: Store, input_dir: Path, output_dir: Path, log) -> RunSummary | UnchangedRun:
    run_id = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
    started_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    timer = StageTimer()

    t = time.perf_counter()
    entries = run_inputs.list_dumps(input_dir, skip=[output_dir, store.folder])
    digests = {str(p): run_inputs.file_digest(p) for p in entries}
    # Before any work: a store serves one collection (raises OtherCollection for another folder).
    collection = incremental.check_collection(store, input_dir, digests,
                                              other_collection=cfg.incremental.other_collection)
    (log.warning if collection.status in ("moved", "adopted") else log.info)(collection.message)
    code = run_inputs.code_digest()
    input_digest = run_inputs.input_digest(digests, cfg, code)
    previous = store.last_completed_run()
    if previous is not None and outputs.publish_staged(output_dir, previous["run_id"]):
        log.warning("the outputs of run %s were committed to the store but not yet moved into %s (the run was "
                    "stopped); moved them in now", previous["run_id"], output_dir)
    if incremental.nothing_changed(previous, input_digest, output_dir):
        timer.record("check_inputs", t)
        unchanged = UnchangedRun(
            run_id=run_id, status="unchanged", started_at=started_at, same_as_run=previous["run_id"],
            timings=timer.timings, message="no new or changed dumps and the same config: outputs left as they are")
        store.record_run(run_id=run_id, started_at=started_at,
                         finished_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                         status="unchanged", mode="unchanged", input_digest=input_digest, summary=unchanged.to_json())
        outputs.write_json(unchanged.to_json(), output_dir / "runs" / f"{run_id}.json")
        log.info("nothing changed since run %s; outputs left as they are", previous["run_id"])
        unchanged.outputs = {"report": str(output_dir / "report.html"), "run": str(output_dir / "run.json")}
        return unchanged
    timer.record("check_inputs", t)

    t = time.perf_counter()
    parsed_files = parse_dumps(entries, digests, cfg.parsing.column_mapping, code, store, run_inputs.read_limits(cfg))
    timer.record("parse", t)
    usable = [p for p in parsed_files if p.usable]
    if not usable:
        problems = "; ".join(str(pr) for p in parsed_files for pr in p.problems) or "the folder is empty"
        raise NoUsableInput(f"no usable input in {input_dir}: {problems}")

    t = time.perf_counter()
    # quote(): Prefect would otherwise walk (and rebuild) every record in the list to look for futures,
    # which took over two minutes on 75k papers.
    papers = papers_task(quote(usable), cfg)
    timer.record("merge_and_dates", t)

    t = time.perf_counter()
    embeddings, embedding_info, embedder, sample = embed_papers(
        papers["text"].tolist(), papers["content_hash"].tolist(), cfg, store,
        distributed=cfg.compute.task_runner == "dask", previous=previous)
    timer.record("embed", t)

    t = time.perf_counter()
    outcome = topics_task(papers, embeddings, embedder, cfg, store, previous, quote(sample))
    timer.record("topics", t)
    papers = outcome.papers

    t = time.perf_counter()
    labels = dict(zip(outcome.topics["topic_id"].astype(int), outcome.topics["label"]))
    quality = quality_task(papers, labels, cfg, store)
    outcome.topics = topic_quality.with_quality(outcome.topics, quality)
    timer.record("topic_quality", t)

    t = time.perf_counter()
    trends = trends_task(papers, {p.file: p.format for p in usable}, cfg, labels)
    timer.record("trends", t)

    t = time.perf_counter()
    evidence, evidence_counts = evidence_task(papers, embeddings, trends, outcome.topics)
    timer.record("growth_evidence", t)

    summary = build_run_summary(
        run_id=run_id, started_at=started_at, input_dir=input_dir, output_dir=output_dir, store_dir=store.folder,
        task_runner=cfg.compute.task_runner, parsed_files=parsed_files, papers=papers, topics=outcome.topics,
        mode=outcome.mode, topic_params=outcome.params, lineage=outcome.lineage, trends=trends,
        growth_evidence={**evidence_counts, "recent_periods": evidence["recent_periods"]},
        embedding=embedding_info, topic_quality=quality, changes=outcome.changes,
        config=cfg.model_dump(), versions=package_versions(), timings=dict(timer.timings))

    # Outputs are staged, then the store commits the run, then the staged outputs are moved into place. The
    # store's commit is the moment the run happens: a run killed before it leaves the store and the outputs as
    # they were; one killed after it has its staged outputs moved in by the next run, before anything else.
    t = time.perf_counter()
    papers_csv = outputs.papers_table(papers.drop(columns=["text"]))
    outputs.clean_stale_staging(output_dir)
    staging = write_task(str(output_dir), run_id, papers_csv, outcome.topics, trends, outcome.lineage,
                         evidence, summary, cfg, lineage_history=outcome.history)
    timer.record("write_outputs", t)
    summary.timings = dict(timer.timings)
    summary.finished_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    summary.outputs = outputs.output_paths(output_dir)
    outputs.write_json(summary.to_json(), staging / outputs.RUN_FILE)
    crash_point("before_commit")
    store_papers = papers_csv.assign(content_hash=papers["content_hash"].to_numpy())
    store.record_run(
        run_id=run_id, started_at=started_at, finished_at=summary.finished_at, status="completed",
        mode=outcome.mode, input_digest=input_digest, summary=summary.to_json(), papers=store_papers,
        topics=outcome.topics, centroids=outcome.centroids, lineage=outcome.lineage,
    )
    crash_point("after_commit")
    outputs.publish_staged(output_dir, run_id)
    log.info("report: %s", summary.outputs["report"])
    return summary
