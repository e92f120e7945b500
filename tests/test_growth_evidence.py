"""Why a topic rises: evidence computed from planted data with known answers."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from analytics import growth_evidence as ge
from analytics.growth_evidence import growth_evidence, recent_mask, trend_dated_mask
from analytics.trends import topic_trends

DIM = 32
FILLER = ("model data training evaluation network tasks learning accuracy inference dataset features layers "
          "optimization loss benchmark baseline metrics robustness efficiency scaling").split()


def _unit(vector: np.ndarray) -> np.ndarray:
    return vector / np.linalg.norm(vector)


def _axis(k: int) -> np.ndarray:
    vector = np.zeros(DIM)
    vector[k] = 1.0
    return vector


def _around(centre: np.ndarray, n: int, spread: float, rng: np.random.Generator) -> np.ndarray:
    return np.array([_unit(centre + rng.normal(0, spread, DIM)) for _ in range(n)])


class Corpus:
    """Papers, embeddings and the recent mask, built topic by topic."""

    def __init__(self, seed: int = 1) -> None:
        self.rng = np.random.default_rng(seed)
        self.rows: list[dict] = []
        self.vectors: list[np.ndarray] = []
        self.recent: list[bool] = []

    def add(self, topic: int, vectors: np.ndarray, *, recent: bool, words: list[list[str]] | None = None,
            titles: list[str] | None = None, upvotes: list[float | None] | None = None) -> list[str]:
        ids = []
        for k, vector in enumerate(vectors):
            filler = " ".join(self.rng.choice(FILLER, size=8, replace=False))
            extra = " ".join(words[k]) if words else ""
            paper_id = f"t{topic}-{len(self.rows):04d}"
            ids.append(paper_id)
            self.rows.append({
                "paper_id": paper_id,
                "title": titles[k] if titles else f"Paper {paper_id}",
                "abstract": f"{filler} {extra}",
                "published": "2025-06-01" if recent else "2025-01-01",
                "topic_id": topic,
                "upvotes": upvotes[k] if upvotes else None,
            })
            self.vectors.append(vector)
            self.recent.append(recent)
        return ids

    def frame(self) -> tuple[pd.DataFrame, np.ndarray, pd.Series]:
        papers = pd.DataFrame(self.rows)
        return papers, np.array(self.vectors, dtype=np.float32), pd.Series(self.recent, index=papers.index)


def _with(word: str, n: int, of: int) -> list[list[str]]:
    """`of` word lists, the first n holding `word`."""
    return [[word] if k < n else [] for k in range(of)]


def _rising_topic(corpus: Corpus, topic: int = 0, *, sub_theme: bool) -> dict[str, list[str]]:
    """Topic 0: 'agentic' in 6 of 150 earlier papers and 60 of 150 recent ones; 'retrieval' in 45 of each;
    5 recent papers planted at the recent centre; optionally 24 recent papers on speculative decoding far
    from the earlier centre."""
    rng = corpus.rng
    u, shift, side = _axis(0), _axis(1), _axis(2)
    earlier_words = [a + b for a, b in zip(_with("agentic", 6, 150), _with("retrieval", 45, 150)[::-1])]
    corpus.add(topic, _around(u, 150, 0.18, rng), recent=False, words=earlier_words)
    recent_centre = _unit(u + 0.5 * shift)
    recent_words = [a + b for a, b in zip(_with("agentic", 60, 150), _with("retrieval", 45, 150)[::-1])]
    ids = {"background": corpus.add(topic, _around(recent_centre, 150, 0.18, rng), recent=True, words=recent_words)}
    ids["planted"] = corpus.add(topic, _around(recent_centre, 5, 0.001, rng), recent=True,
                                titles=[f"Planted centre paper {k}" for k in range(5)])
    if sub_theme:
        ids["sub_theme"] = corpus.add(
            topic, _around(_unit(u + 2.0 * side), 24, 0.04, rng), recent=True,
            words=[["speculative decoding", "draft tokens"] for _ in range(24)],
            titles=[f"Speculative decoding study {k}" for k in range(24)])
    return ids


def _evidence(corpus: Corpus, topic_ids=(0,), **kwargs):
    papers, embeddings, recent = corpus.frame()
    return growth_evidence(papers, embeddings, recent, list(topic_ids), **kwargs)


def test_planted_rising_term_is_found_with_its_shares():
    corpus = Corpus()
    _rising_topic(corpus, sub_theme=False)
    evidence = _evidence(corpus)[0]
    assert evidence.error is None
    terms = {t.term: t for t in evidence.rising_terms}
    assert evidence.rising_terms[0].term == "agentic"
    agentic = terms["agentic"]
    assert (agentic.earlier_count, agentic.earlier_papers) == (6, 150)
    assert (agentic.recent_count, agentic.recent_papers) == (60, 155)  # 150 background + 5 planted
    assert agentic.earlier_share == pytest.approx(6 / 150, abs=1e-4)
    assert agentic.recent_share == pytest.approx(60 / 155, abs=1e-4)
    assert agentic.q_value < 0.05


def test_term_as_common_early_as_late_is_not_listed():
    corpus = Corpus()
    _rising_topic(corpus, sub_theme=False)
    evidence = _evidence(corpus)[0]
    listed = {t.term for t in evidence.rising_terms + evidence.falling_terms}
    assert "retrieval" not in listed  # 45 of 150 papers in both windows
    assert not listed & set(FILLER)  # filler words are drawn the same way in both windows


def test_term_rising_as_fast_in_the_rest_of_the_corpus_is_not_listed():
    """'significant' goes from 10% to 40% of the papers in every topic (writing style drifting): no evidence
    about topic 0. 'agentic' rises in topic 0 alone."""
    corpus = Corpus(seed=3)
    rng = corpus.rng
    for topic in (0, 1, 2):
        agentic = 60 if topic == 0 else 0
        corpus.add(topic, _around(_axis(3 * topic), 200, 0.18, rng), recent=False,
                   words=[a + b for a, b in zip(_with("significant", 20, 200), _with("agentic", 4 if topic == 0 else 0, 200)[::-1])])
        corpus.add(topic, _around(_axis(3 * topic), 200, 0.18, rng), recent=True,
                   words=[a + b for a, b in zip(_with("significant", 80, 200), _with("agentic", agentic, 200)[::-1])])
    evidence = _evidence(corpus, topic_ids=(0,))[0]
    listed = [t.term for t in evidence.rising_terms]
    assert listed[:1] == ["agentic"] and "significant" not in listed
    agentic = evidence.rising_terms[0]
    assert (agentic.elsewhere_earlier_share, agentic.elsewhere_recent_share) == (0.0, 0.0)

    alone = Corpus(seed=3)  # the same topic without the rest of the corpus: 'significant' is listed
    for row, vector, is_recent in zip(corpus.rows, corpus.vectors, corpus.recent):
        if row["topic_id"] == 0:
            alone.rows.append(row), alone.vectors.append(vector), alone.recent.append(is_recent)
    assert "significant" in [t.term for t in _evidence(alone)[0].rising_terms]


def test_falling_term_is_listed_for_a_fading_topic():
    corpus = Corpus()
    rng = corpus.rng
    corpus.add(0, _around(_axis(0), 120, 0.18, rng), recent=False, words=_with("gan", 50, 120))
    corpus.add(0, _around(_axis(0), 60, 0.18, rng), recent=True, words=_with("gan", 3, 60))
    evidence = _evidence(corpus)[0]
    assert [t.term for t in evidence.falling_terms][:1] == ["gan"]
    gan = evidence.falling_terms[0]
    assert (gan.earlier_count, gan.recent_count) == (50, 3)
    assert "gan" not in {t.term for t in evidence.rising_terms}


def test_closest_recent_papers_are_the_planted_ones():
    corpus = Corpus()
    ids = _rising_topic(corpus, sub_theme=False)
    evidence = _evidence(corpus, top_papers=5)[0]
    assert {p.paper_id for p in evidence.closest_recent} == set(ids["planted"])
    assert all(p.title.startswith("Planted centre paper") for p in evidence.closest_recent)
    assert evidence.centre_similarity is not None and evidence.centre_similarity < 0.95  # the centre moved


def test_planted_recent_sub_theme_is_found():
    corpus = Corpus()
    ids = _rising_topic(corpus, sub_theme=True)
    sub_theme = _evidence(corpus)[0].sub_theme
    assert sub_theme is not None
    assert 24 <= sub_theme.recent_papers <= 26  # the 24 planted papers, perhaps a background one
    assert sub_theme.earlier_papers <= 2
    top = sub_theme.terms[0]
    assert set(top.term.split()) <= {"speculative", "decoding", "draft", "tokens"}
    assert top.share > 0.9 and top.other_count == 0  # in the sub-theme's papers, in none of the others
    assert len(sub_theme.closest) == 3 and {p.paper_id for p in sub_theme.closest} <= set(ids["sub_theme"])


def test_no_sub_theme_when_recent_papers_are_like_earlier_ones():
    corpus = Corpus(seed=5)
    rng = corpus.rng
    corpus.add(0, _around(_axis(0), 200, 0.18, rng), recent=False)
    corpus.add(0, _around(_axis(0), 200, 0.18, rng), recent=True)
    evidence = _evidence(corpus)[0]
    assert evidence.error is None and evidence.sub_theme is None
    assert evidence.rising_terms == [] and evidence.falling_terms == []


def test_old_group_is_no_new_sub_theme():
    """A group far from the centre that was there all along, as often early as late, is not new."""
    corpus = Corpus(seed=6)
    rng = corpus.rng
    side = _unit(_axis(0) + 2.0 * _axis(2))
    corpus.add(0, _around(_axis(0), 150, 0.18, rng), recent=False)
    corpus.add(0, _around(side, 20, 0.04, rng), recent=False, words=[["speculative decoding"]] * 20)
    corpus.add(0, _around(_axis(0), 150, 0.18, rng), recent=True)
    corpus.add(0, _around(side, 20, 0.04, rng), recent=True, words=[["speculative decoding"]] * 20)
    assert _evidence(corpus)[0].sub_theme is None


def test_upvotes_summarised_when_present_and_absent_otherwise():
    corpus = Corpus()
    rng = corpus.rng
    corpus.add(0, _around(_axis(0), 10, 0.18, rng), recent=False, upvotes=[1, 2, 3, None, None, 2, 2, None, 4, 0])
    corpus.add(0, _around(_axis(0), 6, 0.18, rng), recent=True, upvotes=[10, 20, 30, None, 12, 40])
    corpus.add(1, _around(_axis(3), 10, 0.18, rng), recent=False)
    corpus.add(1, _around(_axis(3), 6, 0.18, rng), recent=True)
    evidence = _evidence(corpus, topic_ids=(0, 1))
    votes = evidence[0].upvotes
    assert votes is not None
    assert (votes.papers_with_upvotes, votes.earlier_with_upvotes, votes.recent_with_upvotes) == (12, 7, 5)
    assert votes.median_earlier == 2.0 and votes.median_recent == 20.0
    assert evidence[1].upvotes is None


def test_topic_with_no_earlier_papers_gets_partial_evidence():
    corpus = Corpus()
    corpus.add(0, _around(_axis(0), 30, 0.18, corpus.rng), recent=True, words=_with("agentic", 20, 30))
    evidence = _evidence(corpus)[0]
    assert evidence.error is None
    assert (evidence.earlier_papers, evidence.recent_papers) == (0, 30)
    assert evidence.rising_terms == [] and evidence.sub_theme is None and evidence.centre_similarity is None
    assert len(evidence.closest_recent) == 5
    assert any("no earlier papers" in note for note in evidence.notes)


def test_topic_with_no_recent_papers_or_no_papers_does_not_raise():
    corpus = Corpus()
    corpus.add(0, _around(_axis(0), 30, 0.18, corpus.rng), recent=False)
    evidence = _evidence(corpus, topic_ids=(0, 7))
    assert evidence[0].error is None and evidence[0].closest_recent == [] and evidence[0].recent_papers == 0
    assert evidence[7].error is None and (evidence[7].recent_papers, evidence[7].earlier_papers) == (0, 0)


def test_without_embeddings_terms_are_still_computed():
    corpus = Corpus()
    _rising_topic(corpus, sub_theme=True)
    papers, _, recent = corpus.frame()
    evidence = growth_evidence(papers, None, recent, [0])[0]
    assert evidence.rising_terms[0].term == "agentic"
    assert evidence.closest_recent == [] and evidence.sub_theme is None
    assert any("no embeddings" in note for note in evidence.notes)


def test_one_topics_failure_is_reported_for_that_topic_only(monkeypatch):
    corpus = Corpus()
    _rising_topic(corpus, topic=0, sub_theme=False)
    corpus.add(1, _around(_axis(5), 20, 0.18, corpus.rng), recent=True)
    real = ge._topic_evidence

    def failing_for_topic_1(topic_id, *args, **kwargs):
        if topic_id == 1:
            raise RuntimeError("boom")
        return real(topic_id, *args, **kwargs)

    monkeypatch.setattr(ge, "_topic_evidence", failing_for_topic_1)
    evidence = _evidence(corpus, topic_ids=(0, 1))
    assert evidence[1].error == "RuntimeError: boom" and evidence[1].recent_papers == 20
    assert evidence[0].error is None and evidence[0].rising_terms


def test_evidence_is_deterministic_and_json_ready():
    def run():
        corpus = Corpus()
        _rising_topic(corpus, sub_theme=True)
        return {t: e.to_dict() for t, e in _evidence(corpus).items()}

    first = run()
    assert json.dumps(first) == json.dumps(run())


def test_recent_mask_is_the_last_third_of_the_dated_periods():
    months = [f"2025-{m:02d}-15" for m in range(1, 7)]  # six months: the last two are recent
    papers = pd.DataFrame({
        "paper_id": [f"p{k}" for k in range(14)],
        "topic_id": [0] * 14,
        "published": [m for m in months for _ in range(2)] + ["", "2025-05-02"],
        "date_kind": ["published"] * 12 + ["", "updated"],  # undated, and a date that is no publication date
    })
    trends = topic_trends(papers, period="month")
    recent = recent_mask(papers, trends)
    assert recent.tolist() == [False] * 8 + [True] * 4 + [False, False]
    assert trend_dated_mask(papers, trends).tolist() == [True] * 12 + [False, False]
