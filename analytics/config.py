"""Run configuration: `config/default.toml` overlaid with a user file, validated by pydantic."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CONFIG = PROJECT_ROOT / "config" / "default.toml"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a typo in a key is an error, not a silent default


class RunConfig(_Section):
    input: str = "data/samples"
    output: str = "out"
    store: str = "store"
    lock_wait_seconds: float = 600


class IncrementalConfig(_Section):
    mode: Literal["auto", "refit", "assign"] = "auto"
    refit_new_share: float = 0.1
    refit_every_runs: int = 7
    assign_min_similarity: float = 0.3
    # A run on an input folder other than the one the store serves: "stop", or "adopt" it (see incremental.py).
    other_collection: Literal["stop", "adopt"] = "stop"
    refit_strategy: Literal["anchored", "matched"] = "anchored"
    refit_move_margin: float = 0.1
    refit_anchor_umap: bool = True


class ScheduleConfig(_Section):
    cron: str = "0 6 * * *"
    timezone: str = "UTC"
    deployment: str = "daily"


class ParsingConfig(_Section):
    column_mapping: dict[str, str] = Field(default_factory=dict)


class DatesConfig(_Section):
    include_inferred: bool = True
    trend_kinds: list[str] = Field(default_factory=lambda: ["published", "listed"])
    evidence_table: str = "config/date_evidence.toml"


class EmbeddingConfig(_Section):
    backend: Literal["auto", "sentence-transformer", "static", "onnx"] = "auto"
    auto_static_above: int = 20000
    batch_size: int = 16
    model_path: str | None = None
    max_tokens: int | None = 128  # transformer backends only; the static model reads the whole text


class TopicsConfig(_Section):
    seed: int = 42
    min_cluster_size: int | Literal["auto"] = "auto"
    umap_neighbors: int | Literal["auto"] = "auto"
    umap_components: int = 5
    reduce_outliers: bool = True
    outlier_threshold: float = 0.0
    guided_topics: list[str] = Field(default_factory=list)
    guided_min_similarity: float = 0.5
    guided_min_share: float = 0.25
    guided_merge_ratio: float = 0.85
    guided_min_zscore: float = 2.5
    clustering_backend: Literal["cpu", "cuml"] = "cpu"
    umap_fit_sample: int = 10000
    umap_fit_sample_above: int = 20000


class TrendsConfig(_Section):
    period: Literal["auto", "month", "quarter", "year"] = "auto"
    min_papers: int = 8


class ComputeConfig(_Section):
    task_runner: Literal["threads", "dask"] = "threads"
    max_threads: int = 4
    dask_address: str = ""  # empty: start a local Dask cluster for the run
    dask_workers: int = 2


class ReportConfig(_Section):
    max_map_points: int = 30000


class Config(_Section):
    run: RunConfig = Field(default_factory=RunConfig)
    incremental: IncrementalConfig = Field(default_factory=IncrementalConfig)
    schedule: ScheduleConfig = Field(default_factory=ScheduleConfig)
    parsing: ParsingConfig = Field(default_factory=ParsingConfig)
    dates: DatesConfig = Field(default_factory=DatesConfig)
    embedding: EmbeddingConfig = Field(default_factory=EmbeddingConfig)
    topics: TopicsConfig = Field(default_factory=TopicsConfig)
    trends: TrendsConfig = Field(default_factory=TrendsConfig)
    report: ReportConfig = Field(default_factory=ReportConfig)
    compute: ComputeConfig = Field(default_factory=ComputeConfig)

    def resolve_path(self, value: str) -> Path:
        """Relative paths in config are relative to the project root, so runs work from any folder."""
        path = Path(value)
        return path if path.is_absolute() else PROJECT_ROOT / path


def _deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def load_config(path: str | Path | None = None, overrides: dict[str, Any] | None = None) -> Config:
    """Defaults from config/default.toml, then the user's file, then explicit overrides (e.g. CLI flags)."""
    data: dict[str, Any] = {}
    if DEFAULT_CONFIG.exists():
        data = tomllib.loads(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    if path is not None:
        data = _deep_merge(data, tomllib.loads(Path(path).read_text(encoding="utf-8")))
    if overrides:
        data = _deep_merge(data, overrides)
    return Config.model_validate(data)
