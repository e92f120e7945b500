"""The report's 2-D topic map (layout_2d)."""

from __future__ import annotations

import numpy as np

from analytics.topics.params import TopicParams


def layout_2d(reduced: np.ndarray, embeddings: np.ndarray, params: TopicParams,
              knn: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """2-D coordinates for the topic map.

    When UMAP ran on every paper: a 2-D UMAP of the embeddings over the clustering's exact neighbours (`knn`,
    see exact_knn; below EXACT_KNN_FROM papers UMAP computes all distances itself), so no second neighbour search.
    Above params.umap_fit_sample papers, a 2-D UMAP of the 5-D clustering space is fitted on the same seeded
    sample the clustering UMAP used and every other paper sits at the distance-weighted mean of its 10
    nearest sample papers (in the 5-D space): seconds instead of minutes at 75k papers.
    """
    from umap import UMAP

    if len(reduced) <= 3:
        return np.zeros((len(reduced), 2), dtype=np.float32)
    # 200 optimisation epochs: what umap-learn uses from 10,000 points on; a picture does not need the 500 it
    # spends below that (the clustering UMAP keeps its default).
    settings = dict(n_neighbors=params.umap_neighbors, n_components=2, min_dist=0.1, random_state=params.seed,
                    low_memory=True, n_epochs=200)
    if not params.umap_fit_sample:
        umap_2d = UMAP(metric="cosine", precomputed_knn=knn if knn is not None else (None, None, None), **settings)
        return np.asarray(umap_2d.fit_transform(embeddings), dtype=np.float32)
    from sklearn.neighbors import NearestNeighbors

    rows = np.sort(np.random.default_rng(params.seed).choice(len(reduced), size=params.umap_fit_sample,
                                                             replace=False))
    sample_xy = np.asarray(UMAP(metric="euclidean", **settings).fit_transform(reduced[rows]), dtype=np.float32)
    distances, neighbours = NearestNeighbors(n_neighbors=10).fit(reduced[rows]).kneighbors(reduced)
    weights = 1.0 / (distances + 1e-6)
    xy = (sample_xy[neighbours] * weights[:, :, None]).sum(axis=1) / weights.sum(axis=1, keepdims=True)
    xy[rows] = sample_xy
    return xy.astype(np.float32)
