"""Clustering settings chosen from the corpus size (analytics.topics.params)."""

from __future__ import annotations

from analytics.config import TopicsConfig
from analytics.topics.params import choose_params


def test_clustering_settings_scale_with_corpus_size() -> None:
    cfg = TopicsConfig()
    small, large = choose_params(500, cfg), choose_params(75_000, cfg)
    assert small.min_cluster_size == 10
    assert large.min_cluster_size == 68
    assert choose_params(10_000, cfg).min_cluster_size == 25
    assert small.umap_neighbors == 15
    assert choose_params(40, cfg).umap_neighbors < 15  # tiny corpora need fewer neighbours
    assert choose_params(500, TopicsConfig(min_cluster_size=30)).min_cluster_size == 30
