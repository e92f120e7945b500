"""Shortcuts around the libraries' slow paths: UMAP fitted on a sample (SampledUMAP), exact nearest neighbours
by one matrix product (exact_knn), umap-learn's numba code cached on disk (cache_numba_compilation), BERTopic
imported without the integrations topictrends never uses (import_bertopic)."""

from __future__ import annotations

import importlib.abc
import sys
from typing import Any

import numpy as np

from analytics.topics.vectors import normalise


class SampledUMAP:
    """UMAP fitted on a seeded sample of the papers; every paper (sample included) placed by transform.

    Quacks like umap.UMAP for BERTopic: fit / transform / embedding_.
    """

    def __init__(self, umap_model: Any, sample_size: int, seed: int) -> None:
        self.umap_model = umap_model
        self.sample_size = sample_size
        self.seed = seed
        self.embedding_: np.ndarray | None = None

    def fit(self, X: np.ndarray, y: Any = None) -> "SampledUMAP":
        rows = np.sort(np.random.default_rng(self.seed).choice(len(X), size=min(self.sample_size, len(X)),
                                                               replace=False))
        self.umap_model.fit(X[rows], y=None if y is None else np.asarray(y)[rows])
        self.embedding_ = np.asarray(self.umap_model.transform(X), dtype=np.float32)
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        return np.asarray(self.umap_model.transform(X), dtype=np.float32)

    def fit_transform(self, X: np.ndarray, y: Any = None) -> np.ndarray:
        return self.fit(X, y).embedding_


# Below this many papers UMAP computes all pairwise distances itself (about a second per fit at 535 papers; 2.6 s
# more than exact_knn at 1,137). The two give the same neighbours but not the same bits, and UMAP's layout follows
# the bits: on a 137-paper refit (tests/test_incremental.py) UMAP's own kept 73% of papers in their topic, 48%
# with exact_knn. Tiny corpora are where layouts are least stable, so they keep umap-learn's default path.
EXACT_KNN_FROM = 1000


def exact_knn(embeddings: np.ndarray, k: int, block: int = 2048) -> tuple[np.ndarray, np.ndarray]:
    """Exact k nearest neighbours by cosine distance (each paper is its own first neighbour), in blocks of
    rows so memory stays at block x n similarities.

    UMAP searches neighbours with pynndescent from 4,096 papers on, whose numba code compiles for ~40 s per
    process on 2 cores, and below that computes all distances with a Python-called metric (~1 s per 300k
    pairs). Up to ~20k papers one matrix product is exact and takes seconds (1.5 s at 10k papers), and UMAP
    takes it as precomputed_knn. Measured at 10,207 papers: 5-D UMAP 68 s -> 20 s, 2-D map 20 s -> 8 s.
    """
    normalised = normalise(np.asarray(embeddings, dtype=np.float32))
    n = len(normalised)
    k = min(k, n)
    indices = np.empty((n, k), dtype=np.int32)
    distances = np.empty((n, k), dtype=np.float32)
    for start in range(0, n, block):
        sims = normalised[start:start + block] @ normalised.T
        rows = np.arange(len(sims))
        sims[rows, start + rows] = np.inf  # a paper is its own nearest neighbour, even next to duplicates
        nearest = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        nearest_sims = np.take_along_axis(sims, nearest, axis=1)
        order = np.lexsort((nearest, -nearest_sims), axis=1)  # by similarity, ties by row: deterministic
        indices[start:start + block] = np.take_along_axis(nearest, order, axis=1)
        ordered = np.take_along_axis(nearest_sims, order, axis=1)
        ordered[:, 0] = 1.0
        distances[start:start + block] = np.clip(1.0 - ordered, 0.0, 2.0)
    return indices, distances


def cache_numba_compilation() -> None:
    """Keep umap-learn's and pynndescent's numba-compiled functions on disk.

    They are compiled again in every process (~15 s per run on 2 cores, more than UMAP itself needs for
    a few thousand papers) because those libraries do not ask numba to cache them. Numba's own cache is
    keyed on the source files and the CPU; it lives in the packages' __pycache__ (or the user's cache
    folder when that is read-only). The first run after an install compiles; later runs load.
    """
    import importlib

    from numba.core.registry import CPUDispatcher

    for module_name in ("umap.umap_", "umap.layouts", "umap.utils", "umap.distances", "umap.spectral",
                        "umap.sparse", "pynndescent.pynndescent_", "pynndescent.utils", "pynndescent.rp_trees",
                        "pynndescent.distances", "pynndescent.sparse"):
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        for value in vars(module).values():
            if isinstance(value, CPUDispatcher) and type(value._cache).__name__ == "NullCache":
                try:
                    value.enable_caching()
                except RuntimeError:  # no writable cache folder ("no locator available"): compile as before
                    return


# BERTopic's package imports its optional LLM integrations (TextGeneration, ZeroShotClassification) eagerly, and
# with them transformers' pipelines (~4-8 s of a run on 2 cores), and torch for its save/load helpers (~2 s).
# It catches ModuleNotFoundError for each, and topictrends uses none of them (it passes embeddings and never
# saves a BERTopic model), so a finder makes those imports fail while BERTopic imports and is removed right after.
# torch stays importable for everything else, and is not hidden when already loaded (the sentence-transformer
# backend): an import of a loaded module never reaches the finders.
_BERTOPIC_UNUSED_MODULES = ("bertopic.representation._textgeneration", "bertopic.representation._zeroshot",
                            "torch")


class _HiddenModules(importlib.abc.MetaPathFinder):
    def __init__(self, names: tuple[str, ...]) -> None:
        self.names = names

    def find_spec(self, name: str, path: Any, target: Any = None) -> None:
        if name in self.names:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


def import_bertopic() -> Any:
    """Import BERTopic without the optional integrations topictrends never uses (see above)."""
    if "bertopic" in sys.modules:
        return sys.modules["bertopic"]
    hidden = _HiddenModules(_BERTOPIC_UNUSED_MODULES)
    sys.meta_path.insert(0, hidden)
    try:
        import bertopic
    finally:
        sys.meta_path.remove(hidden)
    return bertopic
