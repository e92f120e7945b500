"""Topics from embeddings: BERTopic (UMAP + HDBSCAN + c-TF-IDF), tuned to corpus size, with
outlier reduction, guided topics and human-readable labels. Deterministic for a given seed."""

from __future__ import annotations

import logging
import math
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)

# Words that occur in nearly every abstract and say nothing about the topic.
ACADEMIC_STOP_WORDS = {
    "paper", "propose", "proposed", "proposes", "approach", "approaches", "method", "methods", "results",
    "result", "show", "shows", "shown", "demonstrate", "demonstrates", "present", "presents", "novel",
    "based", "using", "use", "used", "work", "study", "new", "existing", "performance", "experiments",
    "experimental", "extensive", "state", "art", "significantly", "achieve", "achieves", "framework",
    "et", "al", "code", "available", "github", "com", "https", "http", "www", "introduce", "introduces",
}
# Tokens for c-TF-IDF keywords (and for their evaluation in analytics.evaluation): words of 2+ characters
# starting with a letter; hyphens stay inside ("fine-tuning", "gpt-4").
TOKEN_PATTERN = r"(?u)\b[a-zA-Z][a-zA-Z0-9\-]+\b"
# Kept out of labels' middle when recovering surface phrases ("mixture of experts").
_JOINERS = r"(?:of|the|and|for|in|to|a|an|on|with|via|from|by)"


@dataclass
class TopicParams:
    """Clustering settings actually used for a run (recorded in run.json)."""

    n_docs: int
    umap_neighbors: int
    umap_components: int
    umap_min_dist: float
    min_cluster_size: int
    min_samples: int
    vectorizer_min_df: int
    ngram_range: tuple[int, int]
    seed: int
    reduce_outliers: bool
    outlier_threshold: float
    guided_topics: list[str] = field(default_factory=list)
    guided_min_similarity: float = 0.5
    umap_fit_sample: int | None = None  # fit UMAP on this many papers and place the rest with transform
    # A topic's keywords must be used by at least this share of its papers (see frequent_keywords).
    keyword_min_share: float = 0.1

    def to_dict(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["ngram_range"] = list(self.ngram_range)
        return data


def choose_params(n_docs: int, cfg: Any) -> TopicParams:
    """Scale clustering to the corpus: a 500-paper dump and a 75,000-paper corpus need different settings.

    min_cluster_size grows like sqrt(n) (about 11 at 500 papers, about 137 at 75,000, close to the 100-150
    BERTopic's best practices use on arXiv); min_samples below it keeps HDBSCAN from calling dense
    fringes noise.
    """
    auto_min_cluster = max(5, round(0.5 * math.sqrt(max(n_docs, 1))))
    min_cluster_size = auto_min_cluster if cfg.min_cluster_size == "auto" else int(cfg.min_cluster_size)
    auto_neighbors = 15 if n_docs >= 300 else max(2, min(15, n_docs // 10))
    neighbors = auto_neighbors if cfg.umap_neighbors == "auto" else int(cfg.umap_neighbors)
    neighbors = max(2, min(neighbors, n_docs - 1))
    return TopicParams(
        n_docs=n_docs,
        umap_neighbors=neighbors,
        umap_components=max(2, min(cfg.umap_components, n_docs - 2)),
        umap_min_dist=0.0,
        min_cluster_size=min_cluster_size,
        min_samples=max(2, min_cluster_size // 3),
        vectorizer_min_df=1 if n_docs < 5000 else 2,
        ngram_range=(1, 2),
        seed=cfg.seed,
        reduce_outliers=cfg.reduce_outliers,
        outlier_threshold=cfg.outlier_threshold,
        guided_topics=list(cfg.guided_topics),
        guided_min_similarity=cfg.guided_min_similarity,
        # Above 20k papers, fitting UMAP on a 10k sample and transforming the rest keeps neighbourhood
        # quality (kNN category accuracy 0.730 vs 0.736 at 50k) at ~60% of the time (bench/bench_clustering.py).
        umap_fit_sample=cfg.umap_fit_sample if n_docs > cfg.umap_fit_sample_above else None,
    )


class SampledUMAP:
    """UMAP fitted on a seeded sample of the papers; every paper (sample included) placed by transform.

    Quacks like umap.UMAP for BERTopic: fit / transform / embedding_.
    """

    def __init__(self, umap_model: Any, sample_size: int, seed: int) -> None:
        self.umap_model = umap_model
        self.sample_size = sample_size
        self.seed = seed
        self.embedding_: np.ndarray | None = None

    def fit(self, X: np.ndarray, y: Any = None) -> "SampledUMAP":
        rows = np.sort(np.random.default_rng(self.seed).choice(len(X), size=min(self.sample_size, len(X)),
                                                               replace=False))
        self.umap_model.fit(X[rows])
        self.embedding_ = np.asarray(self.umap_model.transform(X), dtype=np.float32)
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        return np.asarray(self.umap_model.transform(X), dtype=np.float32)

    def fit_transform(self, X: np.ndarray, y: Any = None) -> np.ndarray:
        return self.fit(X).embedding_


@dataclass
class TopicModelResult:
    topic_ids: np.ndarray  # final assignment, -1 only for papers left as outliers
    raw_topic_ids: np.ndarray  # HDBSCAN's assignment before outlier reduction and guided topics
    topics: pd.DataFrame  # topic_id, label, keywords, size, representative_papers (row indices), guided
    map_xy: np.ndarray  # (n, 2) layout for the topic map
    topic_embeddings: dict[int, np.ndarray]  # normalised centroid per topic, for matching across runs
    params: TopicParams


def _seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    try:
        import torch

        torch.manual_seed(seed)
    except ImportError:  # torch is only needed by some embedding backends
        pass


def _normalise(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return matrix / norms


def _centroids(embeddings: np.ndarray, assignment: np.ndarray) -> dict[int, np.ndarray]:
    centroids = {}
    for topic in sorted(set(assignment.tolist()) - {-1}):
        centroid = embeddings[assignment == topic].mean(axis=0)
        centroids[topic] = centroid / (np.linalg.norm(centroid) or 1.0)
    return centroids


def _renumber_by_size(assignment: np.ndarray) -> np.ndarray:
    """Topic 0 is the largest; ties broken by the old id so the result is deterministic."""
    counts = Counter(t for t in assignment.tolist() if t != -1)
    order = sorted(counts, key=lambda t: (-counts[t], t))
    mapping = {old: new for new, old in enumerate(order)}
    mapping[-1] = -1
    return np.array([mapping[t] for t in assignment.tolist()], dtype=int)


def reduce_outliers(
    embeddings: np.ndarray, assignment: np.ndarray, threshold: float
) -> np.ndarray:
    """Give each outlier the topic whose centroid it is most similar to, if similarity >= threshold.

    Same idea as BERTopic's reduce_outliers(strategy="embeddings"), on normalised centroids.
    """
    result = assignment.copy()
    centroids = _centroids(embeddings, assignment)
    if not centroids:
        return result
    topic_list = list(centroids)
    matrix = np.vstack([centroids[t] for t in topic_list])
    outliers = np.where(assignment == -1)[0]
    if len(outliers) == 0:
        return result
    sims = _normalise(embeddings[outliers]) @ matrix.T
    best = sims.argmax(axis=1)
    best_sim = sims[np.arange(len(outliers)), best]
    for row, topic_index, sim in zip(outliers, best, best_sim):
        if sim >= threshold:
            result[row] = topic_list[topic_index]
    return result


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


def guide_name(guide: str) -> str:
    """Guided topics may be written "name: description"; the name labels the topic."""
    return guide.split(":", 1)[0].strip()


def apply_guided_topics(
    embeddings: np.ndarray,
    assignment: np.ndarray,
    guide_embeddings: np.ndarray,
    guides: list[str],
    min_similarity: float,
    min_size: int,
) -> tuple[np.ndarray, dict[int, str]]:
    """Let each guided topic surface as its own topic when the data supports it, never otherwise.

    If the topic whose centroid is closest to the guide has similarity >= min_similarity (and no other guide
    fits that topic better), it is the guided topic and takes the guide's name. Otherwise the guide's
    support, the papers with similarity >= min_similarity to it (and highest among guides), is carved out
    into a new topic if there are at least min_size of them; with fewer, nothing happens.
    Returns the new assignment and {topic_id: guide name}.
    """
    result = assignment.copy()
    named: dict[int, str] = {}
    if len(guides) == 0:
        return result, named
    guide_embeddings = _normalise(guide_embeddings)
    sims = _normalise(embeddings) @ guide_embeddings.T
    best_guide = sims.argmax(axis=1)
    best_sim = sims.max(axis=1)
    next_id = int(result.max()) + 1 if len(result) else 0
    for g, guide in enumerate(guides):
        name = guide_name(guide)
        centroids = _centroids(embeddings, result)
        candidates = [t for t in centroids if t not in named]
        if candidates:
            topic = max(candidates, key=lambda t: (float(centroids[t] @ guide_embeddings[g]), -t))
            topic_sims = guide_embeddings @ centroids[topic]
            # The closest topic is the guided topic if it is close enough and no other guide fits it better.
            if topic_sims[g] >= min_similarity and int(topic_sims.argmax()) == g:
                named[topic] = name
                continue
        support = np.where((best_guide == g) & (best_sim >= min_similarity))[0]
        if len(support) < min_size:
            log.info("guided topic %r: %d supporting papers (< %d), not created", name, len(support), min_size)
            continue
        result[support] = next_id
        named[next_id] = name
        next_id += 1
    return result, named


def _phrase_regex(phrase: str) -> re.Pattern[str]:
    """Match a keyword as authors write it: c-TF-IDF drops stop words, so allow joiners between its words."""
    words = phrase.split()
    pattern = r"\b" + (r"(?:[\s\-]+" + _JOINERS + r")*[\s\-]+").join(re.escape(w) for w in words) + r"\b"
    return re.compile(pattern, re.IGNORECASE)


def _surface_forms(phrase: str, texts: list[str]) -> tuple[str, int]:
    """The most common way the topic's papers write `phrase` ('llms' -> 'LLMs', 'mixture experts' ->
    'mixture of experts', 'large language' -> 'large language models') and in how many of them it occurs."""
    regex = _phrase_regex(phrase)
    forms: Counter[str] = Counter()
    next_words: Counter[str] = Counter()
    doc_freq = 0
    for text in texts:
        found = list(regex.finditer(text))
        if found:
            doc_freq += 1
            for match in found:
                forms[match.group(0)] += 1
                following = re.match(r"[\s\-]+([A-Za-z][A-Za-z\-]*)", text[match.end():match.end() + 40])
                next_words[following.group(1).lower() if following else ""] += 1
    if not forms:
        return phrase, 0
    # Most frequent form; among equals prefer the shortest (fewest inserted joiners).
    best = _plain_case(max(forms.items(), key=lambda kv: (kv[1], -len(kv[0])))[0])
    # A phrase cut short by the bigram limit ("large language") is completed when one word nearly
    # always follows it.
    word, count = next_words.most_common(1)[0]
    if word and count >= 0.7 * sum(forms.values()) and len(phrase.split()) > 1:
        best = f"{best} {word}"
    return best, doc_freq


def _plain_case(phrase: str) -> str:
    """Undo title case from paper titles ("Large Language Models" -> "large language models") but keep
    acronyms and mixed-case names as written (LLMs, LoRA, ImageNet, GPT-4)."""
    def part_case(part: str) -> str:
        keep = any(ch.isupper() for ch in part[1:]) or any(ch.isdigit() for ch in part)
        return part if keep else part.lower()

    return " ".join("-".join(part_case(p) for p in word.split("-")) for word in phrase.split(" "))


def _capitalise(text: str) -> str:
    if not text:
        return text
    first = text.split()[0]
    if any(ch.isupper() for ch in first[1:]):  # acronyms and mixed case (LLMs, LoRA) stay as written
        return text
    return text[0].upper() + text[1:]


def _stem(token: str) -> str:
    """Crude stem so 'transformer'/'transformers' or 'interpretable'/'interpretability' count as one word."""
    return token.lower()[:7]


def make_label(keywords: list[str], texts: list[str], guided_name: str | None = None,
               corpus_texts: list[str] | None = None) -> str:
    """A short name a person understands at a glance, from the topic's keywords and its papers' wording.

    Each top keyword is scored by how many of the topic's papers use it, times how much more often they do
    than the corpus at large (so "language models", used everywhere, loses to "machine unlearning").
    Multi-word phrases get a bonus. A second phrase with different words adds context.
    """
    scored = []
    n_topic = max(len(texts), 1)
    n_corpus = max(len(corpus_texts or []), 1)
    for rank, keyword in enumerate(keywords[:8]):
        form, doc_freq = _surface_forms(keyword, texts)
        if doc_freq == 0:
            continue
        p_topic = doc_freq / n_topic
        lift = 1.0
        if corpus_texts:
            corpus_freq = sum(1 for text in corpus_texts if _phrase_regex(keyword).search(text))
            lift = p_topic / max(corpus_freq / n_corpus, 1e-3)
        bonus = 1.5 if len(keyword.split()) > 1 else 1.0
        score = p_topic * math.log2(1.0 + lift) * bonus - 0.001 * rank
        scored.append((score, form, {_stem(t) for t in keyword.split()}))
    scored.sort(key=lambda item: -item[0])
    phrases: list[str] = []
    used_stems: set[str] = set()
    if guided_name:
        phrases.append(guided_name)
        used_stems.update(_stem(t) for t in guided_name.split())
    for score, form, stems in scored:
        if stems & used_stems:
            continue
        phrases.append(form)
        used_stems.update(stems)
        if len(phrases) == 2:
            break
    if not phrases:
        return "Unlabelled topic"
    return _capitalise(phrases[0]) + (f", {phrases[1]}" if len(phrases) > 1 else "")


def _deduplicate_labels(labels: dict[int, str], keywords: dict[int, list[str]]) -> dict[int, str]:
    seen: Counter[str] = Counter(labels.values())
    result = dict(labels)
    for topic, label in labels.items():
        if seen[label] > 1:
            extra = next((k for k in keywords[topic] if k.lower() not in label.lower()), str(topic))
            result[topic] = f"{label} ({extra})"
    return result


def fit_topics(
    texts: list[str],
    embeddings: np.ndarray,
    cfg: Any,
    *,
    embedder: Any = None,
    progress: bool = True,
) -> TopicModelResult:
    """Cluster papers into topics. `texts` are the embedded paper texts (title + abstract).

    `embedder` (analytics.embedding.Embedder) embeds keyword candidates and guided topic names; without it
    keywords are plain c-TF-IDF and guided topics are skipped.
    """
    embedding_model = _bertopic_backend(embedder) if embedder is not None else None
    from bertopic import BERTopic
    from bertopic.cluster import BaseCluster
    from bertopic.dimensionality import BaseDimensionalityReduction
    from bertopic.representation import KeyBERTInspired, MaximalMarginalRelevance
    from bertopic.vectorizers import ClassTfidfTransformer
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

    UMAP, HDBSCAN, umap_extra = _clustering_classes(getattr(cfg, "clustering_backend", "cpu"))
    n_docs = len(texts)
    params = choose_params(n_docs, cfg)
    if n_docs < 10:
        raise ValueError(f"need at least 10 papers to find topics, got {n_docs}")
    _seed_everything(params.seed)
    embeddings = np.asarray(embeddings, dtype=np.float32)

    umap_model = UMAP(
        n_neighbors=params.umap_neighbors,
        n_components=params.umap_components,
        min_dist=params.umap_min_dist,
        metric="cosine",
        random_state=params.seed,
        **umap_extra,
    )
    if params.umap_fit_sample:
        umap_model = SampledUMAP(umap_model, params.umap_fit_sample, params.seed)
    hdbscan_model = HDBSCAN(
        min_cluster_size=params.min_cluster_size,
        min_samples=params.min_samples,
        metric="euclidean",
        cluster_selection_method="eom",
        # Without a cap, HDBSCAN's excess-of-mass often keeps one giant cluster on a homogeneous corpus
        # (seen on the samples: 487 of 537 papers in one topic); capping at 10% forces it to split.
        max_cluster_size=max(int(0.1 * n_docs), 5 * params.min_cluster_size),
        prediction_data=False,
    )
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
    if progress:
        log.info("topics: reducing %d embeddings with UMAP", n_docs)
    reduced = np.asarray(umap_model.fit_transform(embeddings), dtype=np.float32)
    if progress:
        log.info("topics: clustering with HDBSCAN (min_cluster_size=%d)", params.min_cluster_size)
    raw = np.asarray(hdbscan_model.fit(reduced).labels_, dtype=int)

    assignment = raw.copy()
    guided_names: dict[int, str] = {}
    if params.guided_topics and embedding_model is not None:
        guide_embeddings = embedder.embed(params.guided_topics, progress=False)
        assignment, guided_names = apply_guided_topics(
            embeddings, assignment, guide_embeddings, params.guided_topics,
            params.guided_min_similarity, params.min_cluster_size,
        )
    if params.reduce_outliers:
        assignment = reduce_outliers(embeddings, assignment, params.outlier_threshold)

    # Renumber by size and carry guided names along.
    renumbered = _renumber_by_size(assignment)
    old_to_new = {int(o): int(n) for o, n in zip(assignment.tolist(), renumbered.tolist())}
    guided_names = {old_to_new[t]: name for t, name in guided_names.items() if t in old_to_new}
    assignment = renumbered
    centroids = _centroids(embeddings, assignment)

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
    labels = {}
    # A fixed, seeded sample of the corpus is enough to tell everyday phrases from distinctive ones.
    sample_rows = np.random.default_rng(params.seed).permutation(n_docs)[:2000]
    corpus_sample = [texts[i] for i in sorted(sample_rows)]
    for topic in centroids:
        member_texts = [texts[i] for i in np.where(assignment == topic)[0][:400]]
        labels[topic] = make_label(label_phrases[topic], member_texts, guided_names.get(topic), corpus_sample)
    labels = _deduplicate_labels(labels, keywords)

    rows = []
    normalised = _normalise(embeddings)
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

    map_xy = layout_2d(reduced, params)
    return TopicModelResult(
        topic_ids=assignment,
        raw_topic_ids=raw,
        topics=topics,
        map_xy=map_xy,
        topic_embeddings=centroids,
        params=params,
    )


def _clustering_classes(backend: str):
    """umap-learn + hdbscan on the CPU (default), or RAPIDS cuML's drop-in GPU versions on a GPU machine."""
    if backend == "cuml":
        try:
            from cuml.cluster import HDBSCAN
            from cuml.manifold import UMAP
        except ImportError as error:
            raise RuntimeError(
                "[topics] clustering_backend = \"cuml\" needs RAPIDS cuML and an NVIDIA GPU "
                "(e.g. pip install cuml-cu12); see the README's scaling section"
            ) from error
        return UMAP, HDBSCAN, {}
    from hdbscan import HDBSCAN
    from umap import UMAP

    return UMAP, HDBSCAN, {"low_memory": True}


def _bertopic_backend(embedder: Any):
    """Let BERTopic (KeyBERT-inspired keywords, MMR) embed words with whichever backend embedded the papers."""
    from bertopic.backend import BaseEmbedder

    class EmbedderBackend(BaseEmbedder):
        def embed(self, documents, verbose: bool = False) -> np.ndarray:
            return embedder.embed(list(documents), progress=False)

    return EmbedderBackend()


def layout_2d(reduced: np.ndarray, params: TopicParams) -> np.ndarray:
    """2-D coordinates for the topic map, from the 5-D clustering space (cheaper than from raw embeddings).

    Above params.umap_fit_sample papers, the 2-D UMAP is fitted on the same seeded sample the clustering UMAP
    used and every other paper sits at the distance-weighted mean of its 10 nearest sample papers (in the
    5-D space): the map is a picture of the clusters, and this is seconds instead of minutes at 75k papers.
    """
    from umap import UMAP

    if len(reduced) <= 3:
        return np.zeros((len(reduced), 2), dtype=np.float32)
    umap_2d = UMAP(
        n_neighbors=params.umap_neighbors,
        n_components=2,
        min_dist=0.1,
        metric="euclidean",
        random_state=params.seed,
        low_memory=True,
    )
    if not params.umap_fit_sample or len(reduced) <= params.umap_fit_sample:
        return np.asarray(umap_2d.fit_transform(reduced), dtype=np.float32)
    from sklearn.neighbors import NearestNeighbors

    rows = np.sort(np.random.default_rng(params.seed).choice(len(reduced), size=params.umap_fit_sample,
                                                             replace=False))
    sample_xy = np.asarray(umap_2d.fit_transform(reduced[rows]), dtype=np.float32)
    distances, neighbours = NearestNeighbors(n_neighbors=10).fit(reduced[rows]).kneighbors(reduced)
    weights = 1.0 / (distances + 1e-6)
    xy = (sample_xy[neighbours] * weights[:, :, None]).sum(axis=1) / weights.sum(axis=1, keepdims=True)
    xy[rows] = sample_xy
    return xy.astype(np.float32)
