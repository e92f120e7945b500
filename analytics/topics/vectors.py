"""Vector helpers of the topic modules: rows scaled to unit length, normalised topic centroids."""

from __future__ import annotations

import numpy as np


def normalise(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return matrix / norms


def topic_centroids(embeddings: np.ndarray, assignment: np.ndarray) -> dict[int, np.ndarray]:
    centroids = {}
    for topic in sorted(set(assignment.tolist()) - {-1}):
        centroid = embeddings[assignment == topic].mean(axis=0)
        centroids[topic] = centroid / (np.linalg.norm(centroid) or 1.0)
    return centroids
