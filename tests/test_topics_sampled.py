"""Topics fitted on a transformer-embedded sample, the other papers assigned by static vectors
(analytics.topics.sampled), on constructed data with planted subjects."""

from __future__ import annotations

import numpy as np

from analytics.config import TopicsConfig
from analytics.embedding import content_hash
from analytics.topics.sampled import KnnVote, TransformerSample, fit_sampled_topics, sample_rows

FIELDS = {
    "quantum": "Quantum error correction codes for noisy qubits and fault-tolerant gates",
    "protein": "Protein folding and enzyme binding site prediction from sequences",
    "traffic": "Traffic forecasting for urban road networks and vehicle flows",
}


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    return (matrix / np.linalg.norm(matrix, axis=1, keepdims=True)).astype(np.float32)


def _planted_corpus(per_field: int = 100, seed: int = 0):
    """Texts, planted field per paper, 'transformer' vectors (tight clusters) and 'static' vectors (another,
    noisier view of the same subjects, as the static model is of the MiniLM's)."""
    rng = np.random.default_rng(seed)
    texts, fields, transformer, static = [], [], [], []
    for index, (field, sentence) in enumerate(FIELDS.items()):
        centre_t = np.zeros(16)
        centre_t[index] = 1.0
        centre_s = np.zeros(24)
        centre_s[3 * index:3 * index + 3] = 1.0
        for i in range(per_field):
            texts.append(f"{sentence}: study {i} of {field}.")
            fields.append(index)
            transformer.append(centre_t + rng.normal(0, 0.05, 16))
            static.append(centre_s + rng.normal(0, 0.25, 24))
    order = rng.permutation(len(texts))  # fields interleaved, as papers arrive
    return ([texts[i] for i in order], np.array(fields)[order], _unit_rows(np.array(transformer)[order]),
            _unit_rows(np.array(static)[order]))


def test_sample_is_chosen_by_content_so_a_grown_corpus_keeps_it() -> None:
    hashes = [content_hash(f"paper {i}") for i in range(2000)]
    sample = {hashes[i] for i in sample_rows(hashes, 200, seed=42)}
    assert len(sample) == 200
    shuffled = list(reversed(hashes))
    assert {shuffled[i] for i in sample_rows(shuffled, 200, seed=42)} == sample  # rows do not matter
    grown = hashes + [content_hash(f"new paper {i}") for i in range(200)]  # 10% more papers
    kept = sample & {grown[i] for i in sample_rows(grown, 200, seed=42)}
    assert len(kept) >= 170  # ~10% of the sample's places go to new papers, the rest stays
    assert {hashes[i] for i in sample_rows(hashes, 200, seed=7)} != sample  # the seed picks the sample


def test_knn_vote_follows_the_nearest_sample_papers_and_breaks_ties_by_lower_topic() -> None:
    sample_vectors = _unit_rows(np.array([[1, 0], [1, 0.1], [0, 1], [0.1, 1]], dtype=float))
    topics = np.array([3, 3, 5, 5])
    vote = KnnVote(sample_vectors, k=2)
    papers = _unit_rows(np.array([[1, 0.05], [0.05, 1], [1, 1]], dtype=float))
    indices, sims = vote.neighbours(papers)
    assert KnnVote.vote(topics, indices, sims)[:2].tolist() == [3, 5]
    tie = KnnVote.vote(np.array([5, 3]), np.array([[0, 1]]), np.array([[0.5, 0.5]], dtype=np.float32))
    assert tie.tolist() == [3]


def test_planted_subjects_found_on_the_sample_hold_every_paper_and_the_fit_is_deterministic() -> None:
    texts, fields, transformer, static = _planted_corpus()
    rows = sample_rows([content_hash(t) for t in texts], 90, seed=42)
    sample = TransformerSample(rows=rows, vectors=transformer[rows], embedder=None)
    cfg = TopicsConfig(guided_topics=[])
    result = fit_sampled_topics(texts, static, sample, cfg)

    assert len(result.topics) == 3
    for index in range(3):  # every paper of a planted subject, sampled or not, is in that subject's topic
        assert len(set(result.topic_ids[fields == index].tolist())) == 1
    assert len(set(result.topic_ids.tolist())) == 3
    labels = dict(zip(result.topics["topic_id"], result.topics["label"]))
    for index, field in enumerate(FIELDS):
        topic = int(result.topic_ids[fields == index][0])
        assert field in labels[topic].lower() or field in result.topics.set_index("topic_id").loc[topic, "keywords"]
    assert result.params.transformer_sample == 90
    assert result.map_xy.shape == (len(texts), 2) and np.isfinite(result.map_xy).all()

    again = fit_sampled_topics(texts, static, sample, cfg)
    assert (again.topic_ids == result.topic_ids).all()
    assert np.array_equal(again.map_xy, result.map_xy)
    assert again.topics["label"].tolist() == result.topics["label"].tolist()


class _GuideEmbedder:
    """Embeds each guide as the centre of the planted field it names (the transformer space of the test)."""

    def __init__(self, centres: dict[str, np.ndarray]) -> None:
        self.centres = centres

    def embed(self, texts: list[str], progress: bool = False) -> np.ndarray:
        return np.vstack([self.centres[text.split(":")[0]] for text in texts])


def test_a_guided_field_rare_in_the_sample_but_ample_in_the_corpus_gets_its_topic() -> None:
    # Three large fields and a small one, "unlearning": 15 of 615 papers, so ~5 of the 200 sampled, fewer than
    # the sample's min_cluster_size (10) but as many as a topic of the corpus needs, counted in the corpus.
    rng = np.random.default_rng(4)
    texts, fields, transformer, static = _planted_corpus(per_field=200, seed=4)
    centre = np.zeros(16)
    centre[5] = 1.0
    small_texts = [f"Machine unlearning removes training data from model {i}." for i in range(15)]
    small_transformer = _unit_rows(np.array([centre + rng.normal(0, 0.05, 16) for _ in range(15)]))
    small_static = _unit_rows(np.array([np.eye(24)[20] + rng.normal(0, 0.25, 24) for _ in range(15)]))
    texts = texts + small_texts
    fields = np.concatenate([fields, np.full(15, 3)])
    transformer = np.vstack([transformer, small_transformer])
    static = np.vstack([static, small_static])
    rows = sample_rows([content_hash(t) for t in texts], 200, seed=42)
    assert (fields[rows] == 3).sum() < 10  # the sample's own min_cluster_size would not carve it out
    sample = TransformerSample(rows=rows, vectors=transformer[rows],
                               embedder=_GuideEmbedder({"Machine unlearning": centre}))
    cfg = TopicsConfig(guided_topics=["Machine unlearning: removing training data from a trained model"],
                       guided_min_zscore=0.0)
    result = fit_sampled_topics(texts, static, sample, cfg)
    unlearning = result.topics[result.topics["guided"]]
    assert len(unlearning) == 1 and unlearning["label"].iloc[0].startswith("Machine unlearning")
    topic = int(unlearning["topic_id"].iloc[0])
    assert (result.topic_ids[fields == 3] == topic).mean() > 0.9  # sampled or not, the field's papers are there
    assert (result.topic_ids[fields != 3] == topic).mean() < 0.01


def test_outside_the_sample_a_paper_joins_a_guided_topic_exactly_when_it_matches_the_guide() -> None:
    from types import SimpleNamespace

    from analytics.topics.sampled import _guided_rule

    guide = np.array([1.0, 0.0, 0.0])
    params = SimpleNamespace(guided_topics=["Machine unlearning: removing data"], guided_min_similarity=0.5,
                             guided_min_zscore=0.0)
    # Half of the sample's papers match the guide by their true vectors, so half of the others do too.
    sample_vectors = _unit_rows(np.array([[1.0, 0.2, 0.0], [0.9, 0.0, 0.3], [0.1, 1.0, 0.0], [0.0, 0.3, 1.0]]))
    estimated = _unit_rows(np.array([
        [1.0, 0.1, 0.0],   # matches the guide, nearest to the guided topic
        [0.4, 0.9, 0.0],   # nearest to the guided topic's centroid, but does not match the guide
        [0.8, 0.0, 0.6],   # matches the guide, though the other topic's centroid is nearer
        [0.0, 0.2, 1.0],   # the other topic's
    ]))
    centroids = _unit_rows(np.array([[0.6, 0.8, 0.0], [0.3, 0.0, 1.0]]))  # topic 4 (guided), topic 7
    similarity = estimated @ centroids.T
    assert similarity.argmax(axis=1).tolist() == [0, 0, 1, 1]
    clustering = SimpleNamespace(params=params, guided_names={4: "Machine unlearning"},
                                 guide_embeddings=guide[None, :])
    ruled = _guided_rule(similarity, np.array([4, 7]), estimated, clustering, sample_vectors)
    assert ruled.argmax(axis=1).tolist() == [0, 1, 0, 1]


def test_estimated_vectors_match_a_guide_as_often_as_the_samples_true_vectors() -> None:
    """An estimate runs more similar to every guide than the true vector does: the absolute threshold would
    let far more papers in. The share that matches is the sample's; the most similar papers are taken."""
    from analytics.topics.sampled import estimated_guide_matches

    rng = np.random.default_rng(3)
    guides = _unit_rows(np.eye(8)[:2])
    on_subject = _unit_rows(np.eye(8)[0] + 0.15 * rng.normal(size=(10, 8)))
    elsewhere = _unit_rows(np.eye(8)[5] + 0.15 * rng.normal(size=(190, 8)))
    # Smoothed estimates: every paper pulled towards guide 0.
    estimated = _unit_rows(np.vstack([on_subject, elsewhere]) + 0.8 * guides[0])
    assert ((estimated @ guides[0]) >= 0.5).sum() > 100  # the absolute threshold would take over half
    matches = estimated_guide_matches(estimated, guides, np.array([0.05, 0.0]))
    assert matches[:, 0].sum() == 10 and matches[:10, 0].all()
    assert not matches[:, 1].any()
