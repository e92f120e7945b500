"""Topics for corpora too large to embed with the transformer: fit topics on a sample, assign the rest.

A seeded sample of papers is embedded with the transformer (MiniLM) and clustered as any corpus would be
(analytics.topics.clustering.cluster_papers); every paper also has a cheap static (model2vec) vector, and each paper
outside the sample gets its topic from a linear classifier trained on the sample's topics, over its words
(TF-IDF) and its static vector. The map places it among the nearest sample papers of its topic.
Measured on the real 75k corpus in bench/bench_sample_assign.py: on held-out sample papers the classifier
agrees with the transformer topics for 70% of papers, a 15-nearest-neighbour vote over static vectors for 49%
(the same vote over the transformer's own vectors: 81%).

The sample is chosen by content hash (the papers whose keyed hash is smallest), not by row: a rerun with more
papers keeps nearly the same sample, so the store's transformer vectors are reused.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from typing import Any

import numpy as np

from analytics.topics.clustering import Clustering, cluster_papers
from analytics.topics.describe import describe_topics
from analytics.topics.fit import TopicModelResult
from analytics.topics.layout import layout_2d

# Sample papers whose HDBSCAN labels vote for a non-sample paper's raw label (outlier or not).
KNN_NEIGHBOURS = 15
# Sample papers of its own topic whose map positions place a non-sample paper.
MAP_NEIGHBOURS = 5
# Rows of the corpus compared with the sample at a time: block x sample similarities in memory (4096 x 10k: 160 MB).
_BLOCK = 4096


def sample_rows(content_hashes: list[str], size: int, seed: int) -> np.ndarray:
    """Rows (sorted) of the `size` papers whose seed-keyed hash is smallest; all rows when size >= n.
    Duplicate texts count once, so the sample holds `size` distinct texts when the corpus has them."""
    if size >= len(content_hashes):
        return np.arange(len(content_hashes))
    first_row: dict[str, int] = {}
    for row, text_hash in enumerate(content_hashes):
        first_row.setdefault(text_hash, row)
    keyed = sorted(first_row, key=lambda h: hashlib.sha256(f"{seed}:{h}".encode()).digest())
    return np.sort(np.array([first_row[h] for h in keyed[:size]], dtype=int))


@dataclass
class TransformerSample:
    """The papers that define the topics: their rows in the corpus, their transformer vectors, and the
    transformer embedder (guided topics are embedded with it)."""

    rows: np.ndarray
    vectors: np.ndarray
    embedder: Any


@dataclass
class KnnVote:
    """Each paper's topic by a similarity-weighted vote of its k nearest sample papers (cosine, static space).

    Deterministic: exact neighbours by one matrix product; a tie in votes goes to the lower topic id."""

    sample_vectors: np.ndarray  # normalised static vectors of the sample papers
    k: int = KNN_NEIGHBOURS

    def neighbours(self, vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(indices into the sample, similarities) of each row's k nearest sample papers."""
        k = min(self.k, len(self.sample_vectors))
        indices = np.empty((len(vectors), k), dtype=int)
        sims_out = np.empty((len(vectors), k), dtype=np.float32)
        for start in range(0, len(vectors), _BLOCK):
            sims = np.asarray(vectors[start:start + _BLOCK], dtype=np.float32) @ self.sample_vectors.T
            nearest = np.argpartition(-sims, k - 1, axis=1)[:, :k]
            indices[start:start + _BLOCK] = nearest
            sims_out[start:start + _BLOCK] = np.take_along_axis(sims, nearest, axis=1)
        return indices, sims_out

    @staticmethod
    def vote(labels: np.ndarray, indices: np.ndarray, sims: np.ndarray) -> np.ndarray:
        """The label with the largest summed (non-negative) similarity among each row's neighbours; -1 is a
        label like any other (an outlier's neighbours may outvote the topics)."""
        values = np.unique(labels)
        position = np.searchsorted(values, labels[indices])
        votes = np.zeros((len(indices), len(values)), dtype=np.float64)
        np.add.at(votes, (np.repeat(np.arange(len(indices)), indices.shape[1]), position.ravel()),
                  np.clip(sims, 0.0, None).ravel())
        return values[votes.argmax(axis=1)]


class TopicClassifier:
    """A paper's topic from its words and its static vector: a linear SVM (one-vs-rest) over TF-IDF unigrams
    of its text next to its static vector, trained on the sample papers' topics. Words carry what the static
    vector blurs (bench/bench_sample_assign.py, held-out agreement with the transformer topics: TF-IDF alone
    68%, both 70%, static vector alone by logistic regression 61%; bigrams added 0.3 points at twice the time).
    Deterministic: liblinear with a fixed seed."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.vectorizer = None
        self.model = None
        self.only_topic: int | None = None

    def _features(self, texts: list[str], static_vectors: np.ndarray):
        from scipy import sparse

        words = self.vectorizer.transform(texts)
        return sparse.hstack([words, sparse.csr_matrix(np.asarray(static_vectors, dtype=np.float32))]).tocsr()

    def fit(self, texts: list[str], static_vectors: np.ndarray, topics: np.ndarray) -> "TopicClassifier":
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.svm import LinearSVC

        topics = np.asarray(topics, dtype=int)
        if len(set(topics.tolist())) < 2:  # nothing to tell apart
            self.only_topic = int(topics[0]) if len(topics) else -1
            return self
        self.vectorizer = TfidfVectorizer(sublinear_tf=True, min_df=2, stop_words="english", dtype=np.float32)
        self.vectorizer.fit(texts)
        self.model = LinearSVC(C=0.5, random_state=self.seed).fit(self._features(texts, static_vectors), topics)
        return self

    def predict(self, texts: list[str], static_vectors: np.ndarray) -> np.ndarray:
        if self.only_topic is not None or not texts:
            return np.full(len(texts), -1 if self.only_topic is None else self.only_topic, dtype=int)
        return np.asarray(self.model.predict(self._features(texts, static_vectors)), dtype=int)


@dataclass
class SampledClustering:
    """cluster_papers on the sample, extended to every paper. assignment/raw cover the whole corpus."""

    sample: np.ndarray  # rows of the sample
    sample_clustering: Clustering  # the sample's own clustering (UMAP space, neighbours, params)
    assignment: np.ndarray  # topic of every paper after guided topics and outlier reduction
    raw: np.ndarray  # HDBSCAN's label for sample papers; for the rest, the vote of their nearest sample papers
    map_neighbours: tuple[np.ndarray, np.ndarray]  # (sample indices, similarities): nearest of its own topic

    @property
    def params(self):
        """The sample's clustering settings, marked as sampled (recorded in run.json)."""
        return dataclasses.replace(self.sample_clustering.params, transformer_sample=len(self.sample),
                                   sample_assigner="linear SVM on TF-IDF words + static vector")

    @property
    def guided_names(self) -> dict[int, str]:
        return self.sample_clustering.guided_names


def cluster_sampled(
    texts: list[str],
    static_vectors: np.ndarray,
    sample: np.ndarray,
    sample_vectors: np.ndarray,
    cfg: Any,
    *,
    embedder: Any = None,
    targets: np.ndarray | None = None,
) -> SampledClustering:
    """Cluster the sample (rows `sample`, transformer vectors `sample_vectors`) with cluster_papers, then give
    every other paper the topic a TopicClassifier trained on the sample predicts from its text and its static
    vector (`static_vectors`: all papers, rows normalised). `embedder` embeds guided topics in the transformer's
    space; `targets` (one per paper, -1: none) anchor a refit's UMAP on the sample as in cluster_papers."""
    sample = np.asarray(sample, dtype=int)
    static_vectors = np.asarray(static_vectors, dtype=np.float32)
    sample_targets = None if targets is None else np.asarray(targets, dtype=int)[sample]
    sample_texts = [texts[i] for i in sample]
    clustering = cluster_papers(sample_texts, sample_vectors, cfg, embedder=embedder, progress=False,
                                targets=sample_targets)
    rest = np.setdiff1d(np.arange(len(texts)), sample)
    classifier = TopicClassifier(cfg.seed).fit(sample_texts, static_vectors[sample], clustering.assignment)
    assignment = np.empty(len(texts), dtype=int)
    raw = np.empty(len(texts), dtype=int)
    assignment[sample], raw[sample] = clustering.assignment, clustering.raw
    assignment[rest] = classifier.predict([texts[i] for i in rest], static_vectors[rest])
    knn = KnnVote(static_vectors[sample])
    indices, sims = knn.neighbours(static_vectors[rest])
    raw[rest] = np.where(KnnVote.vote(clustering.raw, indices, sims) == -1, -1, assignment[rest])
    map_neighbours = _nearest_of_topic(static_vectors[rest], assignment[rest], static_vectors[sample],
                                       clustering.assignment, MAP_NEIGHBOURS)
    return SampledClustering(sample=sample, sample_clustering=clustering, assignment=assignment, raw=raw,
                             map_neighbours=map_neighbours)


def _nearest_of_topic(vectors: np.ndarray, topics: np.ndarray, sample_vectors: np.ndarray,
                      sample_topics: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Each row's k most similar sample papers among those of its own topic (fewer exist: repeated)."""
    indices = np.zeros((len(vectors), k), dtype=int)
    similarities = np.zeros((len(vectors), k), dtype=np.float32)
    for start in range(0, len(vectors), _BLOCK):
        sims = np.asarray(vectors[start:start + _BLOCK], dtype=np.float32) @ sample_vectors.T
        sims[topics[start:start + _BLOCK, None] != sample_topics[None, :]] = -np.inf
        k_here = min(k, sims.shape[1])
        nearest = np.argpartition(-sims, k_here - 1, axis=1)[:, :k_here]
        nearest_sims = np.take_along_axis(sims, nearest, axis=1)
        order = np.lexsort((nearest, -nearest_sims), axis=1)  # by similarity, ties by row: deterministic
        nearest = np.take_along_axis(nearest, order, axis=1)
        nearest_sims = np.take_along_axis(nearest_sims, order, axis=1)
        # A topic with fewer than k sample papers: repeat its nearest rather than borrow another topic's.
        missing = ~np.isfinite(nearest_sims)
        nearest = np.where(missing, nearest[:, :1], nearest)
        nearest_sims = np.where(missing, nearest_sims[:, :1], nearest_sims)
        indices[start:start + _BLOCK], similarities[start:start + _BLOCK] = nearest, nearest_sims
    return indices, similarities


def sampled_layout(clustering: SampledClustering, sample_vectors: np.ndarray) -> np.ndarray:
    """2-D map: the sample laid out as any corpus of its size (analytics.topics.layout.layout_2d), every other paper
    at the similarity-weighted mean position of its nearest sample papers of its own topic."""
    inner = clustering.sample_clustering
    sample_xy = layout_2d(inner.reduced, np.asarray(sample_vectors, dtype=np.float32), inner.params, inner.knn)
    indices, sims = clustering.map_neighbours
    weights = np.clip(sims, 1e-6, None)[:, :, None]
    rest_xy = (sample_xy[indices] * weights).sum(axis=1) / weights.sum(axis=1)
    n = len(clustering.assignment)
    xy = np.empty((n, 2), dtype=np.float32)
    rest = np.setdiff1d(np.arange(n), clustering.sample)
    xy[clustering.sample] = sample_xy
    xy[rest] = rest_xy
    return xy


def fit_sampled_topics(texts: list[str], static_vectors: np.ndarray, sample: TransformerSample, cfg: Any, *,
                       static_embedder: Any = None) -> TopicModelResult:
    """analytics.topics.fit.fit_topics for the sampled design: topics from the sample, every paper in one.
    Keywords, labels, centroids and representative papers are computed over all papers in the static space
    (the space every paper has a vector in; `static_embedder` embeds keyword candidates in it)."""
    clustering = cluster_sampled(texts, static_vectors, sample.rows, sample.vectors, cfg, embedder=sample.embedder)
    topics, centroids = describe_topics(texts, static_vectors, clustering.assignment, clustering.params,
                                        embedder=static_embedder, guided_names=clustering.guided_names,
                                        progress=False)
    return TopicModelResult(
        topic_ids=clustering.assignment,
        raw_topic_ids=clustering.raw,
        topics=topics,
        map_xy=sampled_layout(clustering, sample.vectors),
        topic_embeddings=centroids,
        params=clustering.params,
    )
