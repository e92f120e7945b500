"""Guided topics: a topic the analyst names in [topics] guided_topics surfaces as its own topic when the papers
support it, never otherwise (apply_guided_topics)."""

from __future__ import annotations

import logging

import numpy as np

from analytics.topics.vectors import normalise, topic_centroids

log = logging.getLogger(__name__)


def guide_name(guide: str) -> str:
    """Guided topics may be written "name: description"; the name labels the topic."""
    return guide.split(":", 1)[0].strip()


# A topic the guide describes nearly as well as the guided topic is gathered into it only if at least this
# share of its papers match the guide themselves.
GATHER_MIN_SHARE = 0.1


def guide_matches(embeddings: np.ndarray, guide_embeddings: np.ndarray, min_similarity: float,
                  min_zscore: float) -> np.ndarray:
    """(papers x guides) booleans: the paper matches the guide (similarity >= min_similarity, robust z-score
    >= min_zscore against all papers' similarity to that guide, and no other guide closer)."""
    sims = normalise(embeddings) @ normalise(guide_embeddings).T
    median = np.median(sims, axis=0)
    spread = 1.4826 * np.median(np.abs(sims - median), axis=0)  # MAD, scaled to a normal's sd
    zscores = (sims - median) / np.maximum(spread, 1e-6)
    closest = sims.argmax(axis=1)[:, None] == np.arange(sims.shape[1])[None, :]
    return closest & (sims >= min_similarity) & (zscores >= min_zscore)


def apply_guided_topics(
    embeddings: np.ndarray,
    assignment: np.ndarray,
    guide_embeddings: np.ndarray,
    guides: list[str],
    min_similarity: float,
    min_size: int,
    min_share: float = 0.25,
    merge_ratio: float = 0.85,
    min_zscore: float = 2.5,
) -> tuple[np.ndarray, dict[int, str]]:
    """Let each guided topic surface as its own topic when the data supports it, never otherwise.

    A paper matches a guide when its similarity to the guide is >= min_similarity, stands out from the
    corpus (robust z-score >= min_zscore: median and MAD of all papers' similarity to the guide), and no
    other guide is closer. The z-score keeps the rule meaningful for models whose similarities run high:
    the static model puts the median sample paper at 0.58 to the unlearning guide (MiniLM: 0.28), so 425
    of 535 sample papers passed 0.5 alone; with it, 21 (MiniLM: 33 either way).
    Papers decide, not topic centroids: a centroid, an average, is 0.5-0.6 similar to many guides (on real
    cs.CV/cs.CL listings a vision-transformer topic scored 0.53 to "mechanistic interpretability" while 5% of
    its papers matched it; the samples' interpretability topic: 44%).
    - The topic with the largest share of matching papers is the guided topic if that share is
      >= min_share; it takes the guide's name and gathers the other topics the guide describes nearly as
      well (centroid similarity >= merge_ratio x the guided topic's and >= min_similarity, and at least
      GATHER_MIN_SHARE of their papers matching): HDBSCAN may split a field the analyst asked for as one
      topic (on the samples, sparse-autoencoder papers beside the rest of interpretability). Every other
      matching paper joins it too.
    - Otherwise the matching papers are carved out into a new topic if there are at least min_size of them;
      with fewer, nothing happens.
    Returns the new assignment and {topic_id: guide name}.
    """
    result = assignment.copy()
    named: dict[int, str] = {}
    if len(guides) == 0 or len(result) == 0:
        return result, named
    guide_embeddings = normalise(guide_embeddings)
    matches = guide_matches(embeddings, guide_embeddings, min_similarity, min_zscore)
    next_id = int(result.max()) + 1
    for g, guide in enumerate(guides):
        name = guide_name(guide)
        matching = matches[:, g]
        clustered = result >= 0
        sizes = np.bincount(result[clustered])
        matched = np.bincount(result[clustered], weights=matching[clustered], minlength=len(sizes))
        share = {t: matched[t] / sizes[t] for t in np.flatnonzero(sizes) if int(t) not in named}
        if share:
            topic = int(max(share, key=lambda t: (share[t], -t)))
            if share[topic] >= min_share:
                named[topic] = name
                centroids = topic_centroids(embeddings, result)
                own = float(guide_embeddings[g] @ centroids[topic])
                for other in share:
                    other_sim = float(guide_embeddings[g] @ centroids[int(other)])
                    if (other != topic and share[other] >= GATHER_MIN_SHARE
                            and other_sim >= max(min_similarity, merge_ratio * own)):
                        log.info("guided topic %r gathers topic %d (similarity %.2f vs %.2f, %.0f%% of its "
                                 "papers match)", name, other, other_sim, own, 100 * share[other])
                        result[result == other] = topic
                # Papers decide: every paper matching the guide joins it, wherever HDBSCAN put it (the samples'
                # sparse-autoencoder and circuit papers sat in a topic of transformer architectures).
                result[matching] = topic
                continue
        support = np.flatnonzero(matching)
        if len(support) < min_size:
            log.info("guided topic %r: %d matching papers (< %d), not created", name, len(support), min_size)
            continue
        result[support] = next_id
        named[next_id] = name
        next_id += 1
    return result, named
