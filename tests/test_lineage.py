"""Anchored refits and lineage on small hand-made embeddings: who moves, who stays, what the history says."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.identity import anchored_assignment, lineage_between
from analytics.incremental import lineage_table


def _unit(angle_degrees: float) -> np.ndarray:
    radians = np.deg2rad(angle_degrees)
    return np.array([np.cos(radians), np.sin(radians)], dtype=np.float32)


def test_a_paper_moves_only_when_clearly_closer_to_its_new_topic() -> None:
    # Topic 0 around 0 degrees, topic 1 around 90 degrees (five papers each, as before the refit).
    angles = [0, 5, 10, 40, 60, 90, 85, 80, 75, 70]
    previous = np.array([0, 0, 0, 0, 0, 1, 1, 1, 1, 1])
    # The new clustering draws the border elsewhere: it puts the papers at 40 and 60 degrees into topic 1.
    proposed = np.array([0, 0, 0, 1, 1, 1, 1, 1, 1, 1])
    embeddings = np.vstack([_unit(a) for a in angles])
    is_old = np.ones(len(angles), dtype=bool)
    final = anchored_assignment(previous, is_old, proposed, embeddings, margin=0.1, min_size=2)
    # 40 degrees is about as close to both topics: it stays; 60 degrees is clearly closer to topic 1: it moves.
    assert final.tolist() == [0, 0, 0, 0, 1, 1, 1, 1, 1, 1]
    # With no margin every paper follows the new clustering.
    assert anchored_assignment(previous, is_old, proposed, embeddings, margin=0.0, min_size=2).tolist() == \
        proposed.tolist()


def test_new_papers_follow_the_new_clustering_and_tiny_new_topics_dissolve() -> None:
    angles = [0, 5, 10, 90, 85, 80, 45, 180, 175, 170, 185]
    previous = np.array([0, 0, 0, 1, 1, 1, -1, -1, -1, -1, -1])
    is_old = np.array([True] * 6 + [False] * 5)
    # A new subject at 180 degrees (four new papers: topic 7), and one new paper alone in topic 8.
    proposed = np.array([0, 0, 0, 1, 1, 1, 8, 7, 7, 7, 7])
    embeddings = np.vstack([_unit(a) for a in angles])
    final = anchored_assignment(previous, is_old, proposed, embeddings, margin=0.1, min_size=3)
    assert final[:6].tolist() == [0, 0, 0, 1, 1, 1]
    assert final[7:].tolist() == [7, 7, 7, 7]
    assert final[6] in (0, 1)  # topic 8 had one paper: dissolved into the nearest topic left


def test_lineage_of_stable_ids() -> None:
    before = {f"p{i}": t for i, t in enumerate([0] * 10 + [1] * 10 + [2] * 4)}
    after = dict(before)
    for i in range(10, 15):  # half of topic 1 split off into a fresh topic 5
        after[f"p{i}"] = 5
    for i in range(20, 24):  # topic 2 merged into topic 0
        after[f"p{i}"] = 0
    after.update({f"n{i}": 6 for i in range(6)})  # six new papers: a new topic
    centroids = {t: _unit(10 * t) for t in (0, 1, 2, 5, 6)}
    lineage = lineage_between(before, after, {t: centroids[t] for t in (0, 1, 2)}, centroids)
    status = dict(zip(lineage["topic_id"], lineage["status"]))
    assert status == {0: "merged", 1: "shrunk", 2: "vanished", 5: "split", 6: "new"}
    row = lineage.set_index("topic_id")
    assert row.loc[0, "previous_topic_ids"] == "0;2" and row.loc[5, "previous_topic_ids"] == "1"
    assert row.loc[5, "shared_papers"] == 5 and row.loc[6, "shared_papers"] == 0


def test_lineage_csv_keeps_the_history_and_names_vanished_topics() -> None:
    history = pd.DataFrame({"run_id": ["r1", "r1"], "started_at": ["t1", "t1"], "mode": ["refit", "refit"],
                            "topic_id": [0, 1], "label": ["Unlearning", "Agents"], "status": ["new", "new"],
                            "previous_topic_ids": ["", ""], "shared_papers": [0, 0], "similarity": [0.0, 0.0]})
    lineage = pd.DataFrame({"topic_id": [0, 1, 2], "status": ["grown", "vanished", "new"],
                            "previous_topic_ids": ["0", "1", ""], "shared_papers": [9, 0, 0],
                            "similarity": [0.99, 0.0, 0.0]})
    topics = pd.DataFrame({"topic_id": [0, 2], "label": ["Unlearning", "Mixture of experts"]})
    table = lineage_table(history, lineage, topics, run_id="r2", started_at="t2", mode="refit")
    assert table["run_id"].tolist() == ["r1", "r1", "r2", "r2", "r2"]
    assert table[table["run_id"] == "r2"]["label"].tolist() == ["Unlearning", "Agents", "Mixture of experts"]
    first = lineage_table(None, lineage.iloc[[0]], topics, run_id="r1", started_at="t1", mode="refit")
    assert first.columns.tolist()[:3] == ["run_id", "started_at", "mode"] and len(first) == 1


def test_changes_name_where_topics_came_from_and_where_vanished_papers_went() -> None:
    from analytics.incremental import PreviousRun, TopicOutcome, changes

    previous = PreviousRun(
        run_id="r1",
        papers=pd.DataFrame({"paper_id": ["a", "b", "c", "d"], "topic_id": [0, 0, 1, 1]}),
        topics=pd.DataFrame({"topic_id": [0, 1], "label": ["Unlearning", "Agents"], "size": [2, 2]}),
        params={}, next_free_id=2)
    outcome = TopicOutcome(
        papers=pd.DataFrame({"paper_id": ["a", "b", "c", "d", "e", "f"], "topic_id": [0, 0, 0, 2, 2, 2]}),
        topics=pd.DataFrame({"topic_id": [0, 2], "label": ["Unlearning", "Tool use"], "size": [3, 3]}),
        centroids={}, mode="refit", params={},
        lineage=pd.DataFrame({"topic_id": [0, 1, 2], "status": ["merged", "vanished", "split"],
                              "previous_topic_ids": ["0;1", "1", "1"], "shared_papers": [2, 0, 1],
                              "similarity": [0.9, 0.0, 0.8]}))
    result = changes(outcome, previous)
    assert result["new_papers"] == 2
    assert (result["previous_papers_kept_topic"], result["previous_papers_moved"]) == (2, 2)
    assert result["new_topics"] == [{"topic_id": 0, "status": "merged", "from": "0: Unlearning; 1: Agents"},
                                    {"topic_id": 2, "status": "split", "from": "1: Agents"}]
    assert result["vanished"] == [{"label": "1: Agents", "papers_went": "1 to Unlearning, 1 to Tool use"}]
