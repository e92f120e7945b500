"""Papers into topics: UMAP and HDBSCAN (or RAPIDS cuML's) on the embeddings, guided topics, outlier reduction,
topics renumbered by size (cluster_papers). Deterministic for a given seed."""

from __future__ import annotations

import logging
import random
import sys
from collections import Counter
from dataclasses import dataclass
from typing import Any, Iterable

import numpy as np

from analytics.topics.guided import apply_guided_topics
from analytics.topics.params import TopicParams, choose_params
from analytics.topics.speedups import EXACT_KNN_FROM, SampledUMAP, cache_numba_compilation, exact_knn
from analytics.topics.vectors import normalise, topic_centroids

log = logging.getLogger(__name__)


def _seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch = sys.modules.get("torch")  # loaded only by the sentence-transformer backend; importing it costs ~3 s
    if torch is not None:
        torch.manual_seed(seed)


def _renumber_by_size(assignment: np.ndarray) -> np.ndarray:
    """Topic 0 is the largest; ties broken by the old id so the result is deterministic."""
    counts = Counter(t for t in assignment.tolist() if t != -1)
    order = sorted(counts, key=lambda t: (-counts[t], t))
    mapping = {old: new for new, old in enumerate(order)}
    mapping[-1] = -1
    return np.array([mapping[t] for t in assignment.tolist()], dtype=int)


def reduce_outliers(
    embeddings: np.ndarray, assignment: np.ndarray, threshold: float, *, closed_topics: Iterable[int] = ()
) -> np.ndarray:
    """Give each outlier the topic whose centroid it is most similar to, if similarity >= threshold.

    Same idea as BERTopic's reduce_outliers(strategy="embeddings"), on normalised centroids.
    `closed_topics` take no outliers: a guided topic holds the papers its guide matches (an outlier that
    matches already joined it), and its centroid otherwise draws in neighbouring subjects. On the 75k corpus
    the guided "Machine unlearning" took 19 sample outliers on dataset distillation, label cleaning and
    debiasing, beside 15 papers on unlearning.
    """
    result = assignment.copy()
    closed = {int(t) for t in closed_topics}
    centroids = {t: c for t, c in topic_centroids(embeddings, assignment).items() if t not in closed}
    if not centroids:
        return result
    topic_list = list(centroids)
    matrix = np.vstack([centroids[t] for t in topic_list])
    outliers = np.where(assignment == -1)[0]
    if len(outliers) == 0:
        return result
    sims = normalise(embeddings[outliers]) @ matrix.T
    best = sims.argmax(axis=1)
    best_sim = sims[np.arange(len(outliers)), best]
    for row, topic_index, sim in zip(outliers, best, best_sim):
        if sim >= threshold:
            result[row] = topic_list[topic_index]
    return result


@dataclass
class Clustering:
    """The clustering step of fit_topics: UMAP, HDBSCAN, guided topics and outlier reduction."""

    params: TopicParams
    reduced: np.ndarray  # the UMAP space HDBSCAN clustered
    knn: tuple[np.ndarray, np.ndarray] | None  # exact neighbours, reused by the 2-D map
    raw: np.ndarray  # HDBSCAN's labels
    assignment: np.ndarray  # after guided topics and outlier reduction, topic 0 the largest
    guided_names: dict[int, str]  # topic -> guide name
    guide_embeddings: np.ndarray | None = None  # the guides (params.guided_topics) in the embeddings' space


def cluster_papers(
    texts: list[str],
    embeddings: np.ndarray,
    cfg: Any,
    *,
    embedder: Any = None,
    progress: bool = True,
    targets: np.ndarray | None = None,
    guided_min_size: int | None = None,
) -> Clustering:
    """UMAP, HDBSCAN, guided topics, outlier reduction. `targets`: a topic per paper (-1: unknown) for
    semi-supervised UMAP (umap-learn's `y`), which pulls papers of the same target together.
    `guided_min_size`: matching papers a guided topic needs to be carved out (default: min_cluster_size)."""
    UMAP, HDBSCAN, umap_extra = _clustering_classes(getattr(cfg, "clustering_backend", "cpu"))
    n_docs = len(texts)
    params = choose_params(n_docs, cfg)
    if n_docs < 10:
        raise ValueError(f"need at least 10 papers to find topics, got {n_docs}")
    _seed_everything(params.seed)
    embeddings = np.asarray(embeddings, dtype=np.float32)

    knn = None
    if umap_extra:  # the CPU backend (umap-learn)
        cache_numba_compilation()
    if umap_extra and not params.umap_fit_sample and n_docs >= EXACT_KNN_FROM:
        # UMAP on every paper: exact neighbours, computed once for both UMAPs
        knn = exact_knn(embeddings, params.umap_neighbors)
        umap_extra = {**umap_extra, "precomputed_knn": knn}
    umap_model = UMAP(
        n_neighbors=params.umap_neighbors,
        n_components=params.umap_components,
        min_dist=params.umap_min_dist,
        metric="cosine",
        random_state=params.seed,
        **umap_extra,
    )
    if params.umap_fit_sample:
        umap_model = SampledUMAP(umap_model, params.umap_fit_sample, params.seed)
    hdbscan_model = HDBSCAN(
        min_cluster_size=params.min_cluster_size,
        min_samples=params.min_samples,
        metric="euclidean",
        cluster_selection_method="eom",
        # Without a cap, HDBSCAN's excess-of-mass often keeps one giant cluster on a homogeneous corpus
        # (seen on the samples: 487 of 537 papers in one topic); capping at 10% forces it to split.
        max_cluster_size=max(int(0.1 * n_docs), 5 * params.min_cluster_size),
        prediction_data=False,
    )
    if progress:
        log.info("topics: reducing %d embeddings with UMAP", n_docs)
    if targets is None:
        reduced = np.asarray(umap_model.fit_transform(embeddings), dtype=np.float32)
    else:
        reduced = np.asarray(umap_model.fit_transform(embeddings, y=np.asarray(targets, dtype=int)),
                             dtype=np.float32)
    if progress:
        log.info("topics: clustering with HDBSCAN (min_cluster_size=%d)", params.min_cluster_size)
    raw = np.asarray(hdbscan_model.fit(reduced).labels_, dtype=int)

    assignment = raw.copy()
    guided_names: dict[int, str] = {}
    guide_embeddings = None
    if params.guided_topics and embedder is not None:
        guide_embeddings = embedder.embed(params.guided_topics, progress=False)
        assignment, guided_names = apply_guided_topics(
            embeddings, assignment, guide_embeddings, params.guided_topics,
            params.guided_min_similarity, guided_min_size or params.min_cluster_size, params.guided_min_share,
            params.guided_merge_ratio, params.guided_min_zscore,
        )
    if params.reduce_outliers:
        assignment = reduce_outliers(embeddings, assignment, params.outlier_threshold, closed_topics=guided_names)

    # Renumber by size and carry guided names along.
    renumbered = _renumber_by_size(assignment)
    old_to_new = {int(o): int(n) for o, n in zip(assignment.tolist(), renumbered.tolist())}
    guided_names = {old_to_new[t]: name for t, name in guided_names.items() if t in old_to_new}
    return Clustering(params=params, reduced=reduced, knn=knn, raw=raw, assignment=renumbered,
                      guided_names=guided_names, guide_embeddings=guide_embeddings)


def _clustering_classes(backend: str):
    """umap-learn + hdbscan on the CPU (default), or RAPIDS cuML's drop-in GPU versions on a GPU machine."""
    if backend == "cuml":
        try:
            from cuml.cluster import HDBSCAN
            from cuml.manifold import UMAP
        except ImportError as error:
            raise RuntimeError(
                "[topics] clustering_backend = \"cuml\" needs RAPIDS cuML and an NVIDIA GPU "
                "(e.g. pip install cuml-cu12); see the README's scaling section"
            ) from error
        return UMAP, HDBSCAN, {}
    from hdbscan import HDBSCAN
    from umap import UMAP

    return UMAP, HDBSCAN, {"low_memory": True}
