"""Topic identity across runs (analytics.identity) on constructed vectors with known answers."""

from __future__ import annotations

import numpy as np

from analytics.identity import assign_to_topics, match_topics, place_on_map


def _unit(v) -> np.ndarray:
    v = np.asarray(v, dtype=np.float32)
    return v / np.linalg.norm(v)


def test_topic_matching_keeps_ids_and_records_lineage() -> None:
    e = np.eye(6, dtype=np.float32)
    prev = {f"p{i}": (0 if i < 10 else 1 if i < 20 else 2 if i < 30 else 3) for i in range(40)}
    prev_c = {0: e[0], 1: e[1], 2: e[2], 3: e[3]}
    # New run: topic 0 continues (+ 5 papers), old 1 split into new 1 and 2, old 2 and 3 merged into 3.
    new = {}
    for i in range(10):
        new[f"p{i}"] = 0
    for i in range(10, 15):
        new[f"p{i}"] = 1
    for i in range(15, 20):
        new[f"p{i}"] = 2
    for i in range(20, 40):
        new[f"p{i}"] = 3
    for i in range(40, 45):
        new[f"p{i}"] = 0
    new_c = {0: e[0], 1: e[1], 2: _unit(e[1] + e[4]), 3: _unit(e[2] + e[3])}
    match = match_topics(prev, prev_c, {0: "zero", 1: "one", 2: "two", 3: "three"}, new, new_c, next_free_id=10)
    status = dict(zip(match.lineage["topic_id"], match.lineage["status"]))
    assert match.id_map[0] == 0 and status[0] == "grown" and match.label_map[0] == "zero"
    assert match.id_map[1] == 1
    assert status[match.id_map[2]] == "split" and match.id_map[2] >= 10
    assert status[match.id_map[3]] == "merged"
    vanished = [t for t, s in status.items() if s == "vanished"]
    assert len(vanished) == 1 and vanished[0] in (2, 3)


def test_assignment_and_map_placement_for_new_papers() -> None:
    centroids = {5: _unit([1, 0]), 9: _unit([0, 1])}
    new = np.vstack([_unit([1, 0.1]), _unit([0.1, 1]), _unit([-1, -1])])
    assert assign_to_topics(new, centroids, threshold=0.3).tolist() == [5, 9, -1]
    old = np.vstack([_unit([1, 0]), _unit([0, 1])])
    xy = place_on_map(new[:2], old, np.array([[0.0, 0.0], [10.0, 10.0]]), k=1)
    assert xy.tolist() == [[0.0, 0.0], [10.0, 10.0]]
