"""A seeded synthetic corpus, and the flow's own stage functions run on it, for the report.

`make_corpus` gives papers (as papers.csv holds them), the topic table (as the topics stage writes it) and
the dumps they were read from (ParsedFile); `run_stages` runs the trends stage (analyse_trends) and builds
the run summary (build_run_summary) on them, so the report gets exactly the types the flow hands over.
Used by the report tests (a few hundred papers, 5 topics) and by bench/bench_report.py (75,000 papers).
Topics follow known patterns (growing, fading, stable, emerging, bursting, tiny) over uneven monthly
coverage; some dates are inferred, some known only to the month, some missing; one title and one topic
label carry HTML that must never run.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analytics import outputs
from analytics.growth import MIN_PAPERS
from analytics.records import ParsedFile, Problem, Record
from analytics.run_summary import RunSummary, build_run_summary
from analytics.trend_analysis import TrendsResult, analyse_trends

XSS_TITLE = '<img src=x onerror="window.__xss=1">Robust <script>window.__xss=3</script> unlearning & forgetting'
XSS_LABEL = '<img src=x onerror="window.__xss=2">tiny topic'
XSS_EVIDENCE_TITLE = '<img src=x onerror="window.__xss=5">Agentic <b>planning</b> & tools'

NAMED_TOPICS = [
    ("machine unlearning", "growing", "unlearning, forgetting, erasure, privacy, retain set"),
    ("GAN image synthesis", "fading", "gan, generator, discriminator, image synthesis, stylegan"),
    ("mechanistic interpretability", "stable", "circuits, features, sparse autoencoders, probing, neurons"),
    ("mixture of experts", "emerging", "experts, routing, sparse, gating, load balancing"),
    (XSS_LABEL, "tiny", "tiny, rare, niche"),
]
PATTERNS = ["growing", "fading", "stable", "emerging", "burst", "stable", "declining", "stable"]
WORDS = (
    "learning model language vision graph efficient robust sparse scaling diffusion reasoning agent benchmark "
    "retrieval alignment federated quantization pruning distillation contrastive transformer attention memory"
).split()


def _weight(pattern: str, t: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    if pattern == "growing":
        return 1 + 3 * t
    if pattern == "fading":
        return 0.2 + 4 * (1 - t) ** 2
    if pattern == "declining":
        return 2.5 - 1.2 * t
    if pattern == "emerging":
        return np.where(t < 0.45, 0.0, 8 * (t - 0.45))
    if pattern == "burst":
        weight = np.full_like(t, 1.0)
        weight[int(len(t) * 0.6): int(len(t) * 0.6) + 2] = 5.0
        return weight
    return np.full_like(t, 2.0) * rng.uniform(0.6, 1.4)


def make_corpus(
    n_papers: int = 400,
    *,
    n_topics: int = 5,
    months: int = 24,
    start: str = "2024-01",
    seed: int = 7,
    outlier_rate: float = 0.08,
) -> tuple[pd.DataFrame, pd.DataFrame, list[ParsedFile]]:
    """(papers, topics, parsed_files): papers.csv's columns, the topic table's, the dumps read."""
    rng = np.random.default_rng(seed)
    month_starts = pd.period_range(start, periods=months, freq="M")
    t = np.linspace(0, 1, months)
    coverage = rng.uniform(0.5, 1.5, months)  # uneven crawling: some months have far more papers
    coverage[months // 3] = 0.15
    month_of_paper = rng.choice(months, size=n_papers, p=coverage / coverage.sum())

    topic_rows = []
    weights = []
    for k in range(n_topics):
        if k < len(NAMED_TOPICS) and n_topics <= len(NAMED_TOPICS):
            label, pattern, keywords = NAMED_TOPICS[k]
        else:
            pattern = PATTERNS[k % len(PATTERNS)]
            picked = rng.choice(WORDS, size=5, replace=False)
            label, keywords = " ".join(picked[:3]), ", ".join(picked)
        topic_rows.append({"topic_id": k, "label": label, "keywords": keywords, "pattern": pattern})
        weights.append(np.zeros(months) if pattern == "tiny" else _weight(pattern, t, rng) * rng.uniform(0.4, 1.6))
    weights = np.array(weights)

    topic_of_paper = np.empty(n_papers, dtype=int)
    for m in range(months):
        members = np.flatnonzero(month_of_paper == m)
        probabilities = weights[:, m] / weights[:, m].sum()
        topic_of_paper[members] = rng.choice(n_topics, size=len(members), p=probabilities)
    tiny = [k for k, row in enumerate(topic_rows) if row["pattern"] == "tiny"]
    for k in tiny:  # exactly five papers, spread over the span: too few to judge
        topic_of_paper[rng.choice(n_papers, size=5, replace=False)] = k
    outliers = rng.random(n_papers) < outlier_rate
    topic_of_paper[outliers & ~np.isin(topic_of_paper, tiny)] = -1

    days = rng.integers(0, 28, n_papers)
    published = [(month_starts[m].start_time + pd.Timedelta(days=int(d))).strftime("%Y-%m-%d") for m, d in zip(month_of_paper, days)]
    kind = rng.random(n_papers)
    inferred = kind < 0.12
    month_only = (kind >= 0.12) & (kind < 0.17)
    undated = kind > 0.95
    centres = rng.normal(0, 8, size=(n_topics + 1, 2))
    papers = []
    for i in range(n_papers):
        topic = int(topic_of_paper[i])
        label = topic_rows[topic]["label"] if topic >= 0 else ""
        words = rng.choice(WORDS, size=6)
        title = f"{' '.join(words).capitalize()} for {label if topic >= 0 else 'assorted problems'} ({i})"
        date = published[i]
        row = {
            "paper_id": f"p{i:06d}",
            "title": title,
            "abstract": f"We study {label or 'things'}. " + " ".join(rng.choice(WORDS, size=30)),
            "authors": "; ".join(f"Author {j}" for j in rng.integers(0, 500, 3)),
            "sources": ";".join(
                f"{(month_starts[month_of_paper[i]].start_time + pd.Timedelta(days=int(days[i]) + s)).strftime('%Y-%m-%d')}.jsonl.gz:{int(rng.integers(0, 400))}"
                for s in range(int(rng.integers(1, 3)))
            ),
            "published": date,
            "date_kind": "published",
            "date_source": "dump",
            "date_precision": "day",
            "date_low": date,
            "date_high": date,
            "date_inferred": False,
            "topic_id": topic,
            "topic_label": label,
            "map_x": float(centres[topic][0] + rng.normal(0, 1.3)),
            "map_y": float(centres[topic][1] + rng.normal(0, 1.3)),
            "categories": "cs.LG",
            "arxiv_id": f"{str(month_starts[month_of_paper[i]].year)[2:]}{month_starts[month_of_paper[i]].month:02d}.{i % 100000:05d}",
        }
        if inferred[i]:
            row.update(date_inferred=True, date_source="arxiv_id", date_kind="listed")
        if month_only[i]:
            month_start = date[:8] + "01"
            month_end = (pd.Timestamp(month_start) + pd.offsets.MonthEnd(0)).strftime("%Y-%m-%d")
            row.update(published=month_start, date_precision="month", date_low=month_start, date_high=month_end)
        if undated[i]:
            row.update(published="", date_kind="", date_source="", date_precision="", date_low="", date_high="", date_inferred=False)
        papers.append(row)
    papers = pd.DataFrame(papers)
    papers.loc[0, "title"] = XSS_TITLE
    papers.loc[0, "abstract"] = "<script>window.__xss=4</script> abstract"

    sizes = papers["topic_id"].value_counts()
    by_topic = {k: papers[papers["topic_id"] == k].head(3) for k in range(n_topics)}
    topics = pd.DataFrame(  # as the topics stage writes it: no row for the outliers
        [
            {
                "topic_id": row["topic_id"],
                "label": row["label"],
                "keywords": row["keywords"],
                "size": int(sizes.get(row["topic_id"], 0)),
                "guided": False,
                "representative_papers": " | ".join(by_topic[row["topic_id"]]["title"]),
                "representative_ids": ";".join(by_topic[row["topic_id"]]["paper_id"]),
                "coherence_margin": 0.2,
                "weak": False,
            }
            for row in topic_rows
        ]
    )
    return papers, topics, parsed_files_of(papers)


def parsed_files_of(papers: pd.DataFrame) -> list[ParsedFile]:
    """The dumps the papers say they were read from, as the parser returns them: one record per reference;
    some dumps with a problem (one quoting dump text with HTML in it)."""
    records: dict[str, list[Record]] = {}
    for paper in papers[["sources", "title", "arxiv_id", "published"]].itertuples(index=False):
        for ref in paper.sources.split(";"):
            name, _, index = ref.rpartition(":")
            records.setdefault(name, []).append(Record(source_file=name, index=int(index), line=int(index) + 1,
                                                       title=paper.title, arxiv_id=paper.arxiv_id,
                                                       date_text=paper.published, date_kind="published"))
    files = []
    for k, name in enumerate(sorted(records)):
        problems = []
        if k % 7 == 3:
            problems.append(Problem(name, "record without a title set aside", line=12 + k, severity="error"))
        if k % 5 == 1:
            problems.append(Problem(name, 'date "<b>May 31</b>" has no year; year taken from the page date', line=3,
                                    severity="warning"))
        files.append(ParsedFile(file=name, path=f"dumps/{name}", format="arxiv_jsonl" if k % 3 else "hf_daily",
                                records=sorted(records[name], key=lambda r: r.index), problems=problems,
                                sha256=f"{k:064x}"))
    return files


TIMINGS = {"parse": 1.2, "dates": 0.4, "embed": 42.0, "cluster": 8.5, "trends": 0.3, "report": 1.1}
VERSIONS = {"topictrends": "0.1.0", "bertopic": "0.17.4", "plotly": "7"}


@dataclass
class StagedRun:
    """What the flow hands to the report: papers.csv's table, the topic table, the trends stage's result and
    the run summary."""

    papers: pd.DataFrame
    topics: pd.DataFrame
    trends: TrendsResult
    summary: RunSummary

    def report_inputs(self) -> dict[str, Any]:
        return {"papers": self.papers, "topics": self.topics, "trends": self.trends, "summary": self.summary}


def run_stages(papers: pd.DataFrame, topics: pd.DataFrame, parsed_files: list[ParsedFile], *,
               changes: dict[str, Any] | None = None, include_inferred: bool = True, period: str = "auto",
               min_papers: int = MIN_PAPERS, timings: dict[str, float] | None = None,
               versions: dict[str, str] | None = None) -> StagedRun:
    """The trends stage and the run summary, by the flow's own functions, on papers.csv's table."""
    def split(value: Any, sep: str) -> list[str]:
        return [part for part in str(value).split(sep) if part] if isinstance(value, str) else []

    stage = papers.copy()  # the papers as the flow's stages see them: list columns, raw topic ids
    for column, sep in (("sources", ";"), ("authors", "; "), ("categories", ";")):
        if column in stage:
            stage[column] = stage[column].map(lambda v, s=sep: split(v, s))
    if "raw_topic_id" not in stage:
        stage["raw_topic_id"] = stage["topic_id"]
    usable = [p for p in parsed_files if p.usable]
    trends = analyse_trends(stage, {p.file: p.format for p in usable}, period=period,
                            include_inferred=include_inferred, kinds=("published", "listed"), min_papers=min_papers,
                            labels=dict(zip(topics["topic_id"].astype(int), topics["label"])))
    margins = {int(t): float(m) for t, m in zip(topics["topic_id"], topics["coherence_margin"])} \
        if "coherence_margin" in topics else {}
    quality = {"median": float(np.median(list(margins.values()))), "min": min(margins.values()),
               "weak_topics": [int(t) for t, w in zip(topics["topic_id"], topics["weak"]) if w], "weak_below": 0.05,
               "per_topic": margins} if margins else None
    summary = build_run_summary(
        run_id="20260101T000000-synthetic", started_at="2026-01-01T00:00:00+00:00", input_dir=Path("dumps"),
        output_dir=Path("out"), store_dir=Path("store"), task_runner="threads", parsed_files=parsed_files,
        papers=stage, topics=topics, mode="refit", topic_params={},
        lineage=pd.DataFrame({"status": ["new"] * len(topics)}), trends=trends, growth_evidence={},
        embedding={"backend": "static", "model_id": "synthetic", "dim": 2, "papers": len(papers),
                   "embedded_new": len(papers), "reused_from_store": 0, "papers_per_second": None},
        topic_quality=quality, changes=changes, config={}, versions=VERSIONS if versions is None else versions,
        timings=TIMINGS if timings is None else timings)
    return StagedRun(papers=outputs.papers_table(stage), topics=topics, trends=trends, summary=summary)


def make_run(n_papers: int = 400, *, changes: dict[str, Any] | None = None, **corpus: Any) -> StagedRun:
    """make_corpus, then run_stages on it."""
    papers, topics, parsed_files = make_corpus(n_papers, **corpus)
    return run_stages(papers, topics, parsed_files, changes=changes)


def make_evidence(papers: pd.DataFrame, growth: pd.DataFrame) -> dict:
    """An evidence.json document (analytics.growth_evidence) for the corpus's rising and fading topics, with
    planted figures: 'agentic' 3% -> 21% of a rising topic's papers, a sub-theme, upvotes, and a hostile title
    among the closest recent papers."""
    from analytics.growth_evidence import (
        EvidencePaper,
        SubTheme,
        SubThemeTerm,
        TermShift,
        TopicEvidence,
        UpvoteSummary,
        evidence_document,
    )

    classes = dict(zip(growth["topic_id"].astype(int), growth["growth_class"]))
    evidence = {}
    for topic_id, growth_class in classes.items():
        if topic_id == -1 or growth_class not in ("emerging", "growing", "declining", "fading"):
            continue
        ids = papers.loc[papers["topic_id"] == topic_id, "paper_id"].tolist()
        closest = [EvidencePaper(paper_id=ids[0], title=XSS_EVIDENCE_TITLE, date="2025-11-03", similarity=0.91),
                   EvidencePaper(paper_id=ids[1], title="Tool-using agents at scale", date="2025-12-01", similarity=0.88)]
        evidence[topic_id] = TopicEvidence(
            topic_id=topic_id, recent_papers=140, earlier_papers=300,
            rising_terms=[TermShift("agentic", 9, 300, 0.03, 29, 140, 0.2071, 1e-9, 0.02, 0.05)],
            falling_terms=[TermShift("gan", 60, 300, 0.2, 7, 140, 0.05, 1e-4, 0.1, 0.09)],
            closest_recent=closest, centre_similarity=0.93,
            sub_theme=SubTheme(recent_papers=12, earlier_papers=1, p_value=1e-4,
                               terms=[SubThemeTerm("tool use", 10, 12, 0.8333, 3, 128, 0.0234, 1e-8)],
                               closest=closest[:1]),
            upvotes=UpvoteSummary(papers_with_upvotes=40, recent_with_upvotes=25, earlier_with_upvotes=15,
                                  median_recent=31.0, median_earlier=8.0),
        )
    labels = dict(zip(papers["topic_id"].astype(int), papers["topic_label"]))
    return evidence_document(evidence, labels, classes, ["2025-09", "2025-10", "2025-11", "2025-12"])
