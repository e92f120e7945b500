"""Clustering settings of a run: chosen from the corpus size and the [topics] config (choose_params), recorded
in run.json (TopicParams)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any


@dataclass
class TopicParams:
    """Clustering settings actually used for a run (recorded in run.json)."""

    n_docs: int
    umap_neighbors: int
    umap_components: int
    umap_min_dist: float
    min_cluster_size: int
    min_samples: int
    vectorizer_min_df: int
    ngram_range: tuple[int, int]
    seed: int
    reduce_outliers: bool
    outlier_threshold: float
    # From the [topics] config (analytics.config.TopicsConfig holds the defaults).
    guided_topics: list[str]
    guided_min_similarity: float
    guided_min_share: float
    guided_merge_ratio: float
    guided_min_zscore: float
    umap_fit_sample: int | None = None  # fit UMAP on this many papers and place the rest with transform
    # A topic's keywords must be used by at least this share of its papers (see frequent_keywords).
    keyword_min_share: float = 0.1
    # Set by analytics.topics.sampled: topics fitted on this many transformer-embedded papers, the others
    # given a topic by sample_assigner.
    transformer_sample: int | None = None
    sample_assigner: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["ngram_range"] = list(self.ngram_range)
        return data


def choose_params(n_docs: int, cfg: Any) -> TopicParams:
    """Scale clustering to the corpus: a 500-paper dump and a 75,000-paper corpus need different settings.

    min_cluster_size = max(10, round(0.25 * sqrt(n))): 10 up to 1,600 papers, 25 at 10,000, 68 at 75,000.
    The earlier 0.5 * sqrt(n) (137 at 75k) made topics too coarse: 33 topics with 74% raw outliers at 75k.
    bench/bench_topics.py, real 10k sample: 34 -> 75 topics, NPMI 0.278 -> 0.304, diversity 0.818 -> 0.833,
    raw outliers 37.6% -> 34.6% (NMI vs arXiv category 0.302 -> 0.284: more topics than categories).
    An earlier run at 75k gave 82 topics, NPMI 0.326 (0.167 before). On the 535-paper samples, 10 gives
    17 topics (14 before) and keeps quantization/pruning and interpretability papers together; 8 gave 21
    topics but split interpretability in two (36% in the biggest) and quantization from pruning, without
    separating mixture of experts or distillation either.
    min_samples below it keeps HDBSCAN from calling dense fringes noise.
    """
    auto_min_cluster = max(10, round(0.25 * math.sqrt(max(n_docs, 1))))
    min_cluster_size = auto_min_cluster if cfg.min_cluster_size == "auto" else int(cfg.min_cluster_size)
    auto_neighbors = 15 if n_docs >= 300 else max(2, min(15, n_docs // 10))
    neighbors = auto_neighbors if cfg.umap_neighbors == "auto" else int(cfg.umap_neighbors)
    neighbors = max(2, min(neighbors, n_docs - 1))
    return TopicParams(
        n_docs=n_docs,
        umap_neighbors=neighbors,
        umap_components=max(2, min(cfg.umap_components, n_docs - 2)),
        umap_min_dist=0.0,
        min_cluster_size=min_cluster_size,
        min_samples=max(2, min_cluster_size // 3),
        vectorizer_min_df=1 if n_docs < 5000 else 2,
        ngram_range=(1, 2),
        seed=cfg.seed,
        reduce_outliers=cfg.reduce_outliers,
        outlier_threshold=cfg.outlier_threshold,
        guided_topics=list(cfg.guided_topics),
        guided_min_similarity=cfg.guided_min_similarity,
        guided_min_share=cfg.guided_min_share,
        guided_merge_ratio=cfg.guided_merge_ratio,
        guided_min_zscore=cfg.guided_min_zscore,
        # Above 20k papers, fitting UMAP on a 10k sample and transforming the rest keeps neighbourhood
        # quality (kNN category accuracy 0.730 vs 0.736 at 50k) at ~60% of the time (bench/bench_clustering.py).
        umap_fit_sample=cfg.umap_fit_sample if n_docs > cfg.umap_fit_sample_above else None,
    )
