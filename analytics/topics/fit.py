"""A corpus's topic model in one call (fit_topics): cluster_papers, then describe_topics and layout_2d."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from analytics.topics.clustering import cluster_papers
from analytics.topics.describe import describe_topics
from analytics.topics.layout import layout_2d
from analytics.topics.params import TopicParams


@dataclass
class TopicModelResult:
    topic_ids: np.ndarray  # final assignment, -1 only for papers left as outliers
    raw_topic_ids: np.ndarray  # HDBSCAN's assignment before outlier reduction and guided topics
    topics: pd.DataFrame  # topic_id, label, keywords, size, representative_papers (row indices), guided
    map_xy: np.ndarray  # (n, 2) layout for the topic map
    topic_embeddings: dict[int, np.ndarray]  # normalised centroid per topic, for matching across runs
    params: TopicParams


def fit_topics(
    texts: list[str],
    embeddings: np.ndarray,
    cfg: Any,
    *,
    embedder: Any = None,
    progress: bool = True,
    targets: np.ndarray | None = None,
) -> TopicModelResult:
    """Cluster papers into topics. `texts` are the embedded paper texts (title + abstract).

    `embedder` (analytics.embedding.Embedder) embeds keyword candidates and guided topic names; without it
    keywords are plain c-TF-IDF and guided topics are skipped. `targets` (see cluster_papers) anchors a refit.
    """
    clustering = cluster_papers(texts, embeddings, cfg, embedder=embedder, progress=progress, targets=targets)
    topics, centroids = describe_topics(texts, embeddings, clustering.assignment, clustering.params,
                                        embedder=embedder, guided_names=clustering.guided_names, progress=progress)
    map_xy = layout_2d(clustering.reduced, np.asarray(embeddings, dtype=np.float32), clustering.params,
                       clustering.knn)
    return TopicModelResult(
        topic_ids=clustering.assignment,
        raw_topic_ids=clustering.raw,
        topics=topics,
        map_xy=map_xy,
        topic_embeddings=centroids,
        params=clustering.params,
    )
