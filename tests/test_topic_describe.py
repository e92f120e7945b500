"""What each topic is about (analytics.topics.describe): keywords, labels, the embedding backend given to BERTopic."""

from __future__ import annotations

import numpy as np

from analytics.config import TopicsConfig
from analytics.topics.describe import _bertopic_backend, frequent_keywords
from analytics.topics.fit import fit_topics
from analytics.topics.vocabulary import TOKEN_PATTERN


def test_words_are_embedded_in_the_same_batches_whatever_order_bertopic_asks_in() -> None:
    # KeyBERT asks in set order (it changes with Python's hash seed); the int8 model's output depends on the
    # batch, so the adapter must embed new texts in one canonical order, and each text only once.
    class RecordingEmbedder:
        def __init__(self) -> None:
            self.calls: list[list[str]] = []

        def embed(self, texts: list[str], progress: bool = False) -> np.ndarray:
            self.calls.append(list(texts))
            return np.array([[len(t), 1.0] for t in texts], dtype=np.float32)

    papers = ["a paper about unlearning", "a paper about experts"]
    paper_vectors = np.array([[9.0, 9.0], [8.0, 8.0]], dtype=np.float32)
    calls = []
    for order in (["routing", "forgetting", papers[0]], [papers[0], "forgetting", "routing"]):
        embedder = RecordingEmbedder()
        backend = _bertopic_backend(embedder, papers, paper_vectors)
        vectors = backend.embed(order)
        assert vectors[order.index(papers[0])].tolist() == [9.0, 9.0]  # the paper's own embedding
        assert backend.embed(["routing"]).tolist() == [[7.0, 1.0]] and len(embedder.calls) == 1  # remembered
        calls.append(embedder.calls)
    assert calls[0] == calls[1] == [["forgetting", "routing"]]


def test_topic_keywords_keep_only_words_many_of_the_topic_papers_use() -> None:
    from sklearn.feature_extraction.text import CountVectorizer

    analyzer = CountVectorizer(stop_words="english", ngram_range=(1, 2), token_pattern=TOKEN_PATTERN).build_analyzer()
    papers = [f"Machine unlearning for model number {i}." for i in range(18)] + [
        "Kid kid kid kid: a mixture of experts.", "A mixture of experts for unlearning."]
    # ranked as c-TF-IDF might: "kid", repeated by one paper, first
    candidates = ["kid", "unlearning", "mixture experts", "machine unlearning", "number"]
    assert frequent_keywords(candidates, papers, analyzer, min_share=0.15) == ["unlearning", "machine unlearning", "number"]
    # with a lower bar, a bigram used by 2 of 20 papers stays; a word used by 1 never does
    assert frequent_keywords(candidates, papers, analyzer, min_share=0.05) == [
        "unlearning", "mixture experts", "machine unlearning", "number"]


def test_keywords_and_labels_skip_latex_commands_and_result_verbs() -> None:
    # arXiv abstracts keep their LaTeX ("$\\mathbb{R}^d$") and report numbers ("achieved 91% vs 85%"): neither
    # says what a topic is about, even where one topic uses them far more than the others.
    fields = {
        "quantum": "Quantum codes with noisy qubits: over $\\mathbb{{F}}_q$ and $\\mathbb{{R}}^d$ with $\\mathcal{{O}}(n)$ cost",
        "protein": "Protein folding of enzyme binding sites: our model achieved {a}% vs {b}% and achieved more",
        "traffic": "Traffic forecasting for urban road vehicles: it reaches {a}% vs {b}%, reaches the target",
    }
    texts, vectors = [], []
    rng = np.random.default_rng(0)
    for index, template in enumerate(fields.values()):
        centre = np.zeros(16, dtype=np.float32)
        centre[index] = 1.0
        for i in range(40):
            texts.append(template.format(a=80 + i % 9, b=70 + i % 7) + f", case {i}.")
            vectors.append(centre + rng.normal(0, 0.05, 16))
    result = fit_topics(texts, np.asarray(vectors, dtype=np.float32), TopicsConfig(guided_topics=[]), progress=False)
    assert len(result.topics) == 3
    banned = {"mathbb", "mathcal", "achieved", "vs", "reaches"}
    for row in result.topics.itertuples():
        words = {w.strip() for k in row.keywords.split(",") for w in k.split()}
        assert not words & banned, (row.label, row.keywords)
        assert not set(row.label.lower().replace(",", " ").split()) & banned, row.label
        assert any(word in row.keywords for word in fields), row.keywords
