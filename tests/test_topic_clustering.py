"""Topic clustering steps (analytics.topics.clustering) on constructed vectors."""

from __future__ import annotations

import numpy as np

from analytics.topics.clustering import reduce_outliers


def _unit(v) -> np.ndarray:
    v = np.asarray(v, dtype=np.float32)
    return v / np.linalg.norm(v)


def test_outliers_go_to_the_nearest_topic_above_threshold() -> None:
    emb = np.array([_unit([1, 0]), _unit([1, 0.1]), _unit([0, 1]), _unit([0.1, 1]), _unit([1, 0.2]), _unit([-1, -1])])
    assignment = np.array([0, 0, 1, 1, -1, -1])
    result = reduce_outliers(emb, assignment, threshold=0.0)
    assert result.tolist() == [0, 0, 1, 1, 0, -1]  # the opposite point is not similar to any topic


def test_a_guided_topic_takes_no_outliers() -> None:
    """A guided topic holds the papers its guide matches; an outlier near its centroid goes to the next topic."""
    emb = np.array([_unit([1, 0]), _unit([1, 0.1]), _unit([0, 1]), _unit([0.1, 1]), _unit([1, 0.2])])
    assignment = np.array([0, 0, 1, 1, -1])
    assert reduce_outliers(emb, assignment, threshold=0.0).tolist() == [0, 0, 1, 1, 0]
    assert reduce_outliers(emb, assignment, threshold=0.0, closed_topics={0: "Machine unlearning"}).tolist() \
        == [0, 0, 1, 1, 1]
