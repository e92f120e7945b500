"""Guided topics (analytics.topics.guided) on constructed vectors with known answers (no model, fast)."""

from __future__ import annotations

import numpy as np

from analytics.topics.guided import apply_guided_topics


def _unit(v) -> np.ndarray:
    v = np.asarray(v, dtype=np.float32)
    return v / np.linalg.norm(v)


def test_guided_topic_names_the_matching_topic_or_is_carved_out_or_skipped() -> None:
    rng = np.random.default_rng(0)
    a, b, c = _unit([1, 0, 0, 0]), _unit([0, 1, 0, 0]), _unit([0, 0, 1, 0])
    emb = np.vstack([a + 0.05 * rng.standard_normal(4) for _ in range(20)]
                    + [b + 0.05 * rng.standard_normal(4) for _ in range(48)]
                    + [c + 0.05 * rng.standard_normal(4) for _ in range(12)])
    assignment = np.array([0] * 20 + [1] * 48 + [1] * 12)  # c-papers were lumped into topic 1 (20% of it)
    guides = np.vstack([a, c, _unit([0, 0, 0, 1])])
    names = ["Alpha: about a", "Gamma: about c", "Delta: nothing in the data"]
    result, named = apply_guided_topics(emb, assignment, guides, names, min_similarity=0.8, min_size=10)
    assert named[0] == "Alpha"  # topic 0 is about a: it takes the name
    gamma = [t for t, n in named.items() if n == "Gamma"]
    assert len(gamma) == 1 and gamma[0] not in (0, 1)  # carved out of topic 1
    assert (result[68:] == gamma[0]).all() and (result[20:68] == 1).all()
    assert "Delta" not in named.values()


def test_guided_topic_is_decided_by_papers_not_by_a_centroid_that_happens_to_be_close() -> None:
    # Topic 0: papers spread around the guide, none of them close to it, so its centroid is close (0.9)
    # while no paper matches (similarity 0.5 < 0.8). Too few matching papers elsewhere: no guided topic.
    guide = _unit([1, 0, 0])
    spread = [_unit([0.5, s * 0.87, c * 0.87]) for s, c in ((1, 0), (-1, 0), (0, 1), (0, -1))] * 5
    emb = np.vstack(spread + [_unit([0, 1, 1])] * 20)
    assignment = np.array([0] * 20 + [1] * 20)
    result, named = apply_guided_topics(emb, assignment, guide[None, :], ["Guide: g"], min_similarity=0.8,
                                        min_size=10)
    assert named == {} and (result == assignment).all()


def test_guided_topic_gathers_a_topic_split_off_from_it() -> None:
    rng = np.random.default_rng(1)
    guide = _unit([1, 0, 0, 0])
    core = [_unit([1, 0.3, 0, 0]) + 0.02 * rng.standard_normal(4) for _ in range(20)]  # matches the guide
    split_off = ([_unit([1, 0, 0.45, 0]) + 0.02 * rng.standard_normal(4) for _ in range(4)]  # part matches
                 + [_unit([1, 0, 0.8, 0]) + 0.02 * rng.standard_normal(4) for _ in range(8)])
    elsewhere = [_unit([0.3, 0, 0, 1]) + 0.02 * rng.standard_normal(4) for _ in range(20)]
    emb = np.vstack(core + split_off + elsewhere)
    assignment = np.array([0] * 20 + [1] * 12 + [2] * 20)
    result, named = apply_guided_topics(emb, assignment, guide[None, :], ["Guide: g"], min_similarity=0.8,
                                        min_size=10, min_zscore=0.0)  # a corpus of almost only the field
    assert named == {0: "Guide"}
    assert (result[:32] == 0).all()  # the split-off topic joined the guided one
    assert (result[32:] == 2).all()  # an unrelated topic did not


def test_guided_topic_needs_papers_that_stand_out_from_the_corpus() -> None:
    # A model whose similarities run high (like the static one): every paper is >= 0.5 similar to the guide,
    # so similarity alone would call the whole corpus a match. Only the 15 papers that stand out match.
    rng = np.random.default_rng(2)
    guide = _unit([1, 0, 0])
    background = [_unit([1, 1.0 + 0.3 * rng.random(), 0.2 * rng.standard_normal()]) for _ in range(200)]  # ~0.6
    field = [_unit([1, 0.2, 0.05 * rng.standard_normal()]) for _ in range(15)]  # ~0.98
    emb = np.vstack(background + field)
    assignment = np.array([0] * 100 + [1] * 100 + [2] * 15)
    result, named = apply_guided_topics(emb, assignment, guide[None, :], ["Guide: g"], min_similarity=0.5,
                                        min_size=10)
    assert named == {2: "Guide"} and (result == assignment).all()
    _, named_without = apply_guided_topics(emb, assignment, guide[None, :], ["Guide: g"], min_similarity=0.5,
                                           min_size=10, min_zscore=float("-inf"))
    assert named_without == {0: "Guide"}  # similarity alone picks a background topic


def test_matching_papers_in_an_unrelated_topic_join_the_guided_topic_and_the_rest_stay() -> None:
    # Topic 0 is the field; topic 1 is another subject (transformer architectures, say) holding 3 papers of
    # the field: those 3 join the guided topic, the other 30 stay where they are.
    rng = np.random.default_rng(2)
    guide = _unit([1, 0, 0, 0])
    field = [_unit([1, 0.2, 0, 0]) + 0.02 * rng.standard_normal(4) for _ in range(20)]
    strays = [_unit([1, 0, 0.2, 0]) + 0.02 * rng.standard_normal(4) for _ in range(3)]
    other = [_unit([0.1, 0, 1, 0]) + 0.02 * rng.standard_normal(4) for _ in range(30)]
    emb = np.vstack(field + strays + other)
    assignment = np.array([0] * 20 + [1] * 33)
    result, named = apply_guided_topics(emb, assignment, guide[None, :], ["Guide: g"], min_similarity=0.8,
                                        min_size=10, min_zscore=0.0)
    assert named == {0: "Guide"}
    assert (result[:23] == 0).all() and (result[23:] == 1).all()
