"""run.json as one typed record: what a run read, decided and measured.

The flow builds a RunSummary from the stages' results; the writers, the report and the CLI read it by
attribute. `to_json()` is the document written to run.json (and kept by the store): the same keys, in the
same order, as the fields below.
"""

from __future__ import annotations

import platform
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict

from analytics.dates import date_coverage, date_coverage_by_file
from analytics.records import ParsedFile

if TYPE_CHECKING:
    from analytics.trend_analysis import TrendsResult

# The packages whose versions run.json records: those that decide what a run finds.
KEY_PACKAGES = [
    "topictrends", "bertopic", "umap-learn", "hdbscan", "sentence-transformers", "model2vec", "torch",
    "pandas", "numpy", "scikit-learn", "plotly", "prefect", "duckdb",
]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FileSummary(_Record):
    """One dump as the run read it."""

    file: str
    path: str
    format: str
    records: int
    sha256: str
    set_aside: bool
    problems: list[dict[str, Any]]

    @classmethod
    def of(cls, parsed: ParsedFile) -> FileSummary:
        return cls(file=parsed.file, path=parsed.path, format=parsed.format, records=len(parsed.records),
                   sha256=parsed.sha256, set_aside=not parsed.usable, problems=[p.to_dict() for p in parsed.problems])


class Totals(_Record):
    files: int
    usable_files: int
    set_aside_files: int
    records: int
    papers: int
    duplicates_merged: int
    problems: int
    topics: int
    outlier_share_raw: float  # papers HDBSCAN left without a topic, before outlier reduction
    outlier_share: float


class TrendSettings(_Record):
    """How the shares were counted (analytics.trends.topic_trends): the period and which papers counted."""

    period: str
    include_inferred: bool
    papers_used: int
    papers_undated: int
    papers_too_coarse: int
    papers_placed_by_estimate: int
    papers_not_publication_date: int
    date_kinds: list[str] | Literal["all"]
    papers_inferred_left_out: int


class EmbeddingInfo(_Record):
    """The model behind the run's vectors. A "sampled" run also names its static model and the transformer
    sample that defined the topics."""

    backend: str
    model_id: str
    dim: int
    papers: int
    embedded_new: int
    reused_from_store: int
    papers_per_second: float | None
    static_backend: str | None = None
    transformer_sample: EmbeddingInfo | None = None


class LabelScore(_Record):
    """One topic label's specificity (analytics.label_quality)."""

    label: str
    coverage: float
    exclusivity: float
    model_name_only: bool
    specific: bool


class LabelSpecificity(_Record):
    """Do the labels name their topics' subjects (analytics.label_quality.label_specificity)."""

    coverage_median: float | None
    exclusivity_median: float | None
    specific_share: float | None
    unspecific_topics: list[int]
    specific_min_share: float
    per_topic: dict[int, LabelScore]


class SizeSpread(_Record):
    """Topic sizes (analytics.topic_quality.size_spread), outliers left out."""

    min: int
    median: float
    max: int
    gini: float | None
    cv: float | None
    largest_topic_share: float | None


class TopicQuality(_Record):
    """Coherence margins (analytics.topic_quality.coherence_margins): median, minimum, the weak topics; the
    topics' size spread; and how specific the labels are. Outlier shares are in Totals."""

    median: float | None
    min: float | None
    weak_topics: list[int]
    weak_below: float
    per_topic: dict[int, float]
    sizes: SizeSpread | None = None
    labels: LabelSpecificity | None = None


class RunSummary(_Record):
    run_id: str
    status: Literal["completed"]
    started_at: str
    input: str
    output: str
    store: str
    mode: str
    task_runner: str
    files: list[FileSummary]
    totals: Totals
    date_coverage: dict[str, Any]
    date_coverage_by_file: dict[str, dict[str, int]]
    date_coverage_by_topic: dict[str, Any]
    trends: TrendSettings
    coverage: dict[str, Any]
    growth_verdicts: dict[str, int]
    # Rising and falling verdicts checked against the papers' words (analytics.verdict_words): check -> topics.
    verdict_words: dict[str, int] = {}
    growth_evidence: dict[str, Any]
    embedding: EmbeddingInfo
    topic_params: dict[str, Any]
    topic_quality: TopicQuality | None
    lineage: dict[str, int]
    changes: dict[str, Any] | None
    config: dict[str, Any]
    versions: dict[str, str]
    timings: dict[str, float]
    finished_at: str | None = None
    outputs: dict[str, str] | None = None

    def to_json(self) -> dict[str, Any]:
        # exclude_unset: optional parts a run does not have (a non-sampled run's transformer sample) are left
        # out rather than written as null.
        return self.model_dump(mode="json", exclude_unset=True)


class UnchangedRun(_Record):
    """A run that found no new or changed dumps and the same config: it only points at the run it repeats."""

    run_id: str
    status: Literal["unchanged"]
    started_at: str
    same_as_run: str
    timings: dict[str, float]
    message: str
    outputs: dict[str, str] | None = None

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_unset=True)


def build_run_summary(*, run_id: str, started_at: str, input_dir: Path, output_dir: Path, store_dir: Path,
                      task_runner: str, parsed_files: list[ParsedFile], papers: pd.DataFrame, topics: pd.DataFrame,
                      mode: str, topic_params: dict[str, Any], lineage: pd.DataFrame, trends: TrendsResult,
                      growth_evidence: dict[str, Any], embedding: dict[str, Any], topic_quality: dict | None,
                      changes: dict[str, Any] | None, config: dict[str, Any], versions: dict[str, str],
                      timings: dict[str, float]) -> RunSummary:
    """The completed run's summary from its stages' results. `papers` carry topic_id, raw_topic_id and the
    date columns (analytics.dates.assign_dates)."""
    usable = [p for p in parsed_files if p.usable]
    n_records = sum(len(p.records) for p in parsed_files)
    growth = trends.growth
    return RunSummary(
        run_id=run_id,
        status="completed",
        started_at=started_at,
        input=str(input_dir.resolve()),
        output=str(output_dir.resolve()),
        store=str(store_dir.resolve()),
        mode=mode,
        task_runner=task_runner,
        files=[FileSummary.of(p) for p in parsed_files],
        totals=Totals(
            files=len(parsed_files),
            usable_files=len(usable),
            set_aside_files=len(parsed_files) - len(usable),
            records=n_records,
            papers=len(papers),
            duplicates_merged=n_records - len(papers),
            problems=sum(len(p.problems) for p in parsed_files),
            topics=int(len(topics)),
            outlier_share_raw=round(float((papers["raw_topic_id"] == -1).mean()), 4),
            outlier_share=round(float((papers["topic_id"] == -1).mean()), 4),
        ),
        date_coverage=date_coverage(papers),
        date_coverage_by_file=date_coverage_by_file(papers),
        date_coverage_by_topic=date_coverage(papers, by="topic_id").get("groups", {}),
        trends=trends.settings,
        coverage=trends.coverage,
        growth_verdicts=growth[growth["topic_id"] != -1]["growth_class"].value_counts().to_dict(),
        verdict_words=_word_checks(growth),
        growth_evidence=growth_evidence,
        embedding=EmbeddingInfo(**embedding),
        topic_params=topic_params,
        topic_quality=TopicQuality(**topic_quality) if topic_quality is not None else None,
        lineage=lineage["status"].value_counts().to_dict(),
        changes=changes,
        config=config,
        versions=versions,
        timings=timings,
    )


def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in KEY_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def _word_checks(growth: pd.DataFrame) -> dict[str, int]:
    if "words_check" not in growth.columns:
        return {}
    checks = growth.loc[growth["topic_id"] != -1, "words_check"]
    return checks[checks.astype(bool) & checks.notna()].value_counts().to_dict()
