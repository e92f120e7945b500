"""What each topic is about: its keywords (c-TF-IDF words most of its papers use, with BERTopic), its label
(labels.py), its representative papers and its centroid (describe_topics)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import pandas as pd

from analytics.topics.labels import label_topics
from analytics.topics.params import TopicParams
from analytics.topics.speedups import import_bertopic
from analytics.topics.vectors import normalise, topic_centroids
from analytics.topics.vocabulary import ACADEMIC_STOP_WORDS, TOKEN_PATTERN

KEYWORD_CANDIDATES = 40  # c-TF-IDF words considered per topic before the usage filter
# Keyword usage is measured on at most this many of a topic's papers (a seeded sample): shares are what
# matter, and tokenising every paper of a 75k corpus again took a minute.
KEYWORD_USAGE_SAMPLE = 300


def frequent_keywords(candidates: list[str], member_texts: list[str], analyzer: Any, min_share: float,
                      top_n: int = 10) -> list[str]:
    """The best-ranked c-TF-IDF candidates used by at least `min_share` of the topic's papers (and by 2).

    c-TF-IDF counts words over a topic's papers joined together, so a word one paper repeats ("kid",
    "automl-gpt") can outrank the words the topic shares; such keywords say little about the topic and
    make its keyword list incoherent. `analyzer` is the c-TF-IDF vectorizer's, so bigrams match as counted.
    """
    wanted = set(candidates)
    used_by: Counter[str] = Counter()
    for text in member_texts:
        used_by.update(wanted.intersection(analyzer(text)))
    needed = max(2.0, min_share * len(member_texts))
    kept = [w for w in candidates if used_by[w] >= needed]
    return kept[:top_n] or candidates[:top_n]


def describe_topics(
    texts: list[str],
    embeddings: np.ndarray,
    assignment: np.ndarray,
    params: TopicParams,
    *,
    embedder: Any = None,
    guided_names: dict[int, str] | None = None,
    progress: bool = True,
) -> tuple[pd.DataFrame, dict[int, np.ndarray]]:
    """Keywords, labels and representative papers of each topic of `assignment` (-1: outliers), and the
    topics' normalised centroids. Returns the topic table (topic_id, label, keywords, size,
    representative_rows, guided) and {topic: centroid}."""
    import_bertopic()
    embedding_model = _bertopic_backend(embedder, texts, embeddings) if embedder is not None else None
    from bertopic import BERTopic
    from bertopic.cluster import BaseCluster
    from bertopic.dimensionality import BaseDimensionalityReduction
    from bertopic.representation import KeyBERTInspired, MaximalMarginalRelevance
    from bertopic.vectorizers import ClassTfidfTransformer
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

    guided_names = guided_names or {}
    embeddings = np.asarray(embeddings, dtype=np.float32)
    assignment = np.asarray(assignment, dtype=int)
    centroids = topic_centroids(embeddings, assignment)
    stop_words = sorted(ENGLISH_STOP_WORDS | ACADEMIC_STOP_WORDS)
    vectorizer = CountVectorizer(
        stop_words=stop_words,
        ngram_range=params.ngram_range,
        min_df=params.vectorizer_min_df,
        token_pattern=TOKEN_PATTERN,
    )
    representation = [
        KeyBERTInspired(top_n_words=12, nr_repr_docs=5, nr_samples=200, random_state=params.seed),
        MaximalMarginalRelevance(diversity=0.3, top_n_words=10),
    ]

    # Representations, computed once on the final assignment: BERTopic's documented "manual" mode (clusters
    # given as y) runs c-TF-IDF and the KeyBERT-inspired + MMR fine-tuning in a single pass over the texts.
    # Main representation: c-TF-IDF candidates for keywords; aspect "label": readable phrases for labels.
    topic_model = BERTopic(
        embedding_model=embedding_model,
        umap_model=BaseDimensionalityReduction(),
        hdbscan_model=BaseCluster(),
        vectorizer_model=vectorizer,
        ctfidf_model=ClassTfidfTransformer(reduce_frequent_words=True),
        representation_model={"label": representation} if embedding_model is not None else None,
        top_n_words=KEYWORD_CANDIDATES,
        calculate_probabilities=False,
        verbose=progress,
    )
    topic_model.fit(texts, embeddings=embeddings, y=assignment)
    # BERTopic renumbers topics by frequency; map its ids back to ours.
    bertopic_id = dict(zip(assignment.tolist(), np.asarray(topic_model.topics_).tolist()))
    analyzer = vectorizer.build_analyzer()
    usage_rng = np.random.default_rng(params.seed)
    keywords: dict[int, list[str]] = {}
    label_phrases: dict[int, list[str]] = {}
    for topic in centroids:
        candidates = [w for w, _ in (topic_model.get_topic(bertopic_id[topic]) or []) if w]
        members = np.where(assignment == topic)[0]
        if len(members) > KEYWORD_USAGE_SAMPLE:
            members = np.sort(usage_rng.choice(members, size=KEYWORD_USAGE_SAMPLE, replace=False))
        keywords[topic] = frequent_keywords(candidates, [texts[i] for i in members], analyzer,
                                            params.keyword_min_share)
        aspect = (topic_model.topic_aspects_.get("label") or {}).get(bertopic_id[topic])
        label_phrases[topic] = [w for w, _ in aspect if w][:10] if aspect else keywords[topic]
    labels = label_topics(texts, assignment, label_phrases, keywords, guided_names, params.seed)

    rows = []
    normalised = normalise(embeddings)
    for topic, centroid in centroids.items():
        members = np.where(assignment == topic)[0]
        sims = normalised[members] @ centroid
        representative = members[np.argsort(-sims, kind="stable")[:3]]
        rows.append({
            "topic_id": topic,
            "label": labels[topic],
            "keywords": ", ".join(keywords[topic]),
            "size": int(len(members)),
            "representative_rows": [int(i) for i in representative],
            "guided": topic in guided_names,
        })
    topics = pd.DataFrame(rows, columns=["topic_id", "label", "keywords", "size", "representative_rows", "guided"])
    topics = topics.sort_values("topic_id").reset_index(drop=True)

    return topics, centroids


def _bertopic_backend(embedder: Any, texts: list[str], embeddings: np.ndarray):
    """Let BERTopic (KeyBERT-inspired keywords, MMR) embed words with whichever backend embedded the papers.

    Nothing is embedded twice: paper texts (each topic's representative papers) come from `embeddings`, and
    words embedded for KeyBERT are remembered for MMR (together 11 s of a 10k-paper run otherwise).
    New texts are embedded in sorted order: KeyBERT passes its words in set order, which changes with
    Python's hash seed, and the ONNX int8 model's output depends slightly on which texts share a batch,
    so labels changed from one process to the next.
    """
    from bertopic.backend import BaseEmbedder

    known: dict[str, np.ndarray] = dict(zip(texts, embeddings))

    class EmbedderBackend(BaseEmbedder):
        def embed(self, documents, verbose: bool = False) -> np.ndarray:
            documents = list(documents)
            new = sorted({d for d in documents if d not in known})
            if new:
                known.update(zip(new, embedder.embed(new, progress=False)))
            if not documents:
                return np.zeros((0, embeddings.shape[1]), dtype=np.float32)
            return np.vstack([known[d] for d in documents]).astype(np.float32)

    return EmbedderBackend()
