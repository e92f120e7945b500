"""Topic identity across runs: "topic 12: machine unlearning" still means that next week.

After a refit, each new topic is matched to the previous run's topics by shared papers and centroid
similarity. A match keeps the previous id and label; everything else gets a fresh id (never reused) and a
lineage status: continued, grown, shrunk, split, merged, new, vanished.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

# A new topic is the same topic as a previous one when they share this fraction of their common papers
# (Jaccard over papers present in both runs) or their centroids are this similar.
MIN_SHARED = 0.3
MIN_CENTROID_SIMILARITY = 0.85
# A previous topic "split" / new topic "merged" when this fraction of its papers went to / came from another.
PART_FRACTION = 0.25
# Size change that counts as grown / shrunk rather than continued.
SIZE_CHANGE = 0.2


@dataclass
class TopicMatch:
    id_map: dict[int, int]  # new run's topic id -> stable id
    label_map: dict[int, str]  # stable id -> label kept from the previous run (matched topics only)
    lineage: pd.DataFrame  # topic_id (stable), status, previous_topic_ids, shared_papers, similarity


def match_topics(
    previous_assignment: dict[str, int],
    previous_centroids: dict[int, np.ndarray],
    previous_labels: dict[int, str],
    new_assignment: dict[str, int],
    new_centroids: dict[int, np.ndarray],
    next_free_id: int,
) -> TopicMatch:
    """Match topics of a refit (`new_*`, keyed by paper_id) to the previous run's (`previous_*`)."""
    new_topics = sorted(new_centroids)
    old_topics = sorted(previous_centroids)
    common = set(previous_assignment) & set(new_assignment)

    members_new: dict[int, set[str]] = defaultdict(set)
    members_old: dict[int, set[str]] = defaultdict(set)
    for paper in common:
        if new_assignment[paper] != -1:
            members_new[new_assignment[paper]].add(paper)
        if previous_assignment[paper] != -1:
            members_old[previous_assignment[paper]].add(paper)

    shared = np.zeros((len(new_topics), len(old_topics)))
    jaccard = np.zeros_like(shared)
    similarity = np.zeros_like(shared)
    for i, n in enumerate(new_topics):
        for j, o in enumerate(old_topics):
            inter = len(members_new[n] & members_old[o])
            union = len(members_new[n] | members_old[o])
            shared[i, j] = inter
            jaccard[i, j] = inter / union if union else 0.0
            similarity[i, j] = float(new_centroids[n] @ previous_centroids[o])

    id_map: dict[int, int] = {}
    label_map: dict[int, str] = {}
    rows = []
    matched_old: set[int] = set()
    if len(new_topics) and len(old_topics):
        score = jaccard + 0.5 * similarity
        rows_idx, cols_idx = linear_sum_assignment(-score)
        for i, j in zip(rows_idx, cols_idx):
            if jaccard[i, j] >= MIN_SHARED or similarity[i, j] >= MIN_CENTROID_SIMILARITY:
                n, o = new_topics[i], old_topics[j]
                id_map[n] = o
                matched_old.add(o)
                label_map[o] = previous_labels.get(o, "")

    new_sizes = Counter(t for t in new_assignment.values() if t != -1)
    old_sizes = Counter(t for t in previous_assignment.values() if t != -1)
    next_id = next_free_id
    for i, n in enumerate(new_topics):
        # Previous topics that gave a substantial part of their papers to this new topic.
        sources = [old_topics[j] for j in range(len(old_topics))
                   if old_sizes[old_topics[j]] and shared[i, j] / max(len(members_old[old_topics[j]]), 1) >= PART_FRACTION]
        best_j = int(np.argmax(shared[i])) if len(old_topics) else None
        if n in id_map:
            o = id_map[n]
            if len(sources) >= 2:
                status = "merged"
            else:
                change = (new_sizes[n] - old_sizes[o]) / max(old_sizes[o], 1)
                status = "grown" if change > SIZE_CHANGE else "shrunk" if change < -SIZE_CHANGE else "continued"
            previous_ids = sorted(set(sources) | {o})
        else:
            id_map[n] = next_id
            next_id += 1
            if len(sources) >= 2:
                status, previous_ids = "merged", sorted(sources)
            elif len(sources) == 1:
                status, previous_ids = "split", sources
            else:
                status, previous_ids = "new", []
        j = old_topics.index(id_map[n]) if id_map[n] in old_topics else best_j
        rows.append({
            "topic_id": id_map[n],
            "status": status,
            "previous_topic_ids": ";".join(str(p) for p in previous_ids),
            "shared_papers": int(shared[i, j]) if j is not None else 0,
            "similarity": round(float(similarity[i, j]), 4) if j is not None else 0.0,
        })
    for o in old_topics:
        if o not in matched_old:
            rows.append({"topic_id": o, "status": "vanished", "previous_topic_ids": str(o),
                         "shared_papers": 0, "similarity": 0.0})
    lineage = pd.DataFrame(rows, columns=["topic_id", "status", "previous_topic_ids", "shared_papers", "similarity"])
    return TopicMatch(id_map=id_map, label_map=label_map, lineage=lineage.sort_values("topic_id").reset_index(drop=True))


def assign_to_topics(
    embeddings: np.ndarray, centroids: dict[int, np.ndarray], threshold: float
) -> np.ndarray:
    """Assign papers to existing topics by nearest centroid (BERTopic's transform with topic embeddings);
    -1 when no centroid is at least `threshold` similar."""
    if not centroids or len(embeddings) == 0:
        return np.full(len(embeddings), -1, dtype=int)
    ids = sorted(centroids)
    matrix = np.vstack([centroids[t] for t in ids])
    norms = np.linalg.norm(embeddings, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    sims = (embeddings / norms) @ matrix.T
    best = sims.argmax(axis=1)
    result = np.array([ids[b] for b in best], dtype=int)
    result[sims.max(axis=1) < threshold] = -1
    return result


def place_on_map(new_embeddings: np.ndarray, old_embeddings: np.ndarray, old_xy: np.ndarray, k: int = 5) -> np.ndarray:
    """Map coordinates for papers added without a refit: the mean position of their k most similar papers."""
    if len(new_embeddings) == 0:
        return np.zeros((0, 2), dtype=np.float32)
    k = max(1, min(k, len(old_embeddings)))
    result = np.zeros((len(new_embeddings), 2), dtype=np.float32)
    for start in range(0, len(new_embeddings), 2048):
        block = new_embeddings[start:start + 2048] @ old_embeddings.T
        nearest = np.argpartition(-block, k - 1, axis=1)[:, :k]
        result[start:start + 2048] = old_xy[nearest].mean(axis=1)
    return result


def anchored_assignment(
    previous_ids: np.ndarray,
    is_old: np.ndarray,
    proposed: np.ndarray,
    embeddings: np.ndarray,
    *,
    margin: float,
    min_size: int,
) -> np.ndarray:
    """Where each paper goes after an anchored refit: a paper moves only when the new structure clearly
    calls for it.

    previous_ids: each paper's topic in the previous run (-1: outlier; ignored where not is_old);
    proposed: its topic in the new clustering, already matched to stable ids (match_topics), -1 for none.
    - A new paper, or one that was an outlier, takes its proposed topic.
    - A paper that had a topic keeps it, unless the new structure puts it in another topic AND it is at least
      `margin` (cosine) more similar to that topic's centroid than to its own topic's. Its own topic's centroid
      is the new structure's when that topic continues there, else its previous members' (HDBSCAN redraws
      borders between neighbouring topics from run to run: those papers are near both, and stay).
    - A topic left with fewer than min_size papers (a previous topic: fewer than min(min_size, its previous
      size)) is dissolved: its papers go to the most similar remaining topic.
    """
    normalised = embeddings / np.maximum(np.linalg.norm(embeddings, axis=1, keepdims=True), 1e-12)
    had_topic = is_old & (previous_ids != -1)
    final = np.where(had_topic, previous_ids, proposed).astype(int)
    new_centroids = centroids_of(normalised, proposed)
    old_centroids = centroids_of(normalised, np.where(had_topic, previous_ids, -1))
    for row in np.flatnonzero(had_topic & (proposed != -1) & (proposed != previous_ids)):
        own = new_centroids.get(int(previous_ids[row]), old_centroids[int(previous_ids[row])])
        if float(normalised[row] @ new_centroids[int(proposed[row])] - normalised[row] @ own) >= margin:
            final[row] = proposed[row]

    previous_sizes = Counter(previous_ids[had_topic].tolist())
    sizes = Counter(final[final != -1].tolist())
    too_small = {t for t, n in sizes.items() if n < (min(min_size, previous_sizes[t]) if t in previous_sizes else min_size)}
    if too_small and len(too_small) < len(sizes):
        keep = np.isin(final, list(too_small), invert=True) & (final != -1)
        centroids = centroids_of(normalised, np.where(keep, final, -1))
        ids = sorted(centroids)
        matrix = np.vstack([centroids[t] for t in ids])
        rows = np.flatnonzero(np.isin(final, list(too_small)))
        final[rows] = np.array(ids)[(normalised[rows] @ matrix.T).argmax(axis=1)]
    return final


def centroids_of(embeddings: np.ndarray, assignment: np.ndarray) -> dict[int, np.ndarray]:
    """Normalised mean of each topic's normalised embeddings (-1 left out)."""
    normalised = embeddings / np.maximum(np.linalg.norm(embeddings, axis=1, keepdims=True), 1e-12)
    centroids = {}
    for topic in sorted(set(assignment.tolist()) - {-1}):
        centroid = normalised[assignment == topic].mean(axis=0)
        centroids[topic] = centroid / (np.linalg.norm(centroid) or 1.0)
    return centroids


def lineage_between(
    previous_assignment: dict[str, int],
    assignment: dict[str, int],
    previous_centroids: dict[int, np.ndarray],
    centroids: dict[int, np.ndarray],
) -> pd.DataFrame:
    """Lineage of topics whose ids are already stable (an id present in both runs is the same topic).

    A kept id: continued / grown / shrunk (size change beyond SIZE_CHANGE), or merged when it also took at
    least PART_FRACTION of another previous topic's papers. A fresh id: split (that share of one previous
    topic's papers), merged (of several) or new. A previous id no longer present: vanished.
    shared_papers: papers the topic shares with its own previous topic (kept ids) or with the previous topic
    it took most from; similarity: centroid cosine to that topic.
    """
    common = set(previous_assignment) & set(assignment)
    shared: dict[int, Counter] = defaultdict(Counter)  # topic now -> previous topic -> papers in both
    for paper in common:
        if assignment[paper] != -1 and previous_assignment[paper] != -1:
            shared[assignment[paper]][previous_assignment[paper]] += 1
    old_sizes = Counter(t for p, t in previous_assignment.items() if t != -1 and p in common)
    new_sizes = Counter(t for t in assignment.values() if t != -1)
    all_old_sizes = Counter(t for t in previous_assignment.values() if t != -1)
    rows = []
    for topic in sorted(new_sizes):
        sources = sorted(o for o, n in shared[topic].items() if n >= PART_FRACTION * max(old_sizes[o], 1))
        if topic in previous_centroids:
            others = [o for o in sources if o != topic]
            if others:
                status = "merged"
            else:
                change = (new_sizes[topic] - all_old_sizes[topic]) / max(all_old_sizes[topic], 1)
                status = "grown" if change > SIZE_CHANGE else "shrunk" if change < -SIZE_CHANGE else "continued"
            previous_ids, reference = sorted(set(sources) | {topic}), topic
        else:
            status = "merged" if len(sources) >= 2 else "split" if sources else "new"
            previous_ids = sources
            reference = max(shared[topic], key=lambda o: (shared[topic][o], -o)) if shared[topic] else None
        similarity = (float(centroids[topic] @ previous_centroids[reference])
                      if reference is not None and topic in centroids and reference in previous_centroids else 0.0)
        rows.append({
            "topic_id": topic,
            "status": status,
            "previous_topic_ids": ";".join(str(p) for p in previous_ids),
            "shared_papers": int(shared[topic][reference]) if reference is not None else 0,
            "similarity": round(similarity, 4),
        })
    for topic in sorted(set(previous_centroids) - set(new_sizes)):
        rows.append({"topic_id": topic, "status": "vanished", "previous_topic_ids": str(topic),
                     "shared_papers": 0, "similarity": 0.0})
    lineage = pd.DataFrame(rows, columns=["topic_id", "status", "previous_topic_ids", "shared_papers", "similarity"])
    return lineage.sort_values("topic_id").reset_index(drop=True)
