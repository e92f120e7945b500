"""Topics from embeddings: BERTopic (UMAP + HDBSCAN + c-TF-IDF), tuned to corpus size, with
outlier reduction, guided topics and human-readable labels. Deterministic for a given seed."""

from __future__ import annotations

import bisect
import importlib.abc
import itertools
import logging
import math
import random
import re
import sys
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
    "et", "al", "available", "github", "com", "https", "http", "www", "introduce", "introduces",
    # result-reporting verbs ("Clinical, achieved" was a 75k-paper label)
    "achieved", "achieving", "reaches", "reached", "vs",
    # LaTeX command names left in abstracts ("$\mathbb{R}^d$" gave the keyword "mathbb")
    "mathbb", "mathcal", "mathrm", "mathbf", "textbf", "textit", "emph", "frac", "cdot", "ldots", "leq", "geq",
}
# Tokens for c-TF-IDF keywords (and for their evaluation in analytics.topic_quality): words of 2+ characters
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
    guided_min_share: float = 0.25
    guided_merge_ratio: float = 0.85
    guided_min_zscore: float = 2.5
    umap_fit_sample: int | None = None  # fit UMAP on this many papers and place the rest with transform
    # A topic's keywords must be used by at least this share of its papers (see frequent_keywords).
    keyword_min_share: float = 0.1
    # Set by analytics.sampled_topics: topics fitted on this many transformer-embedded papers, the others
    # given a topic by sample_assigner.
    transformer_sample: int | None = None
    sample_assigner: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["ngram_range"] = list(self.ngram_range)
        return data


def choose_params(n_docs: int, cfg: Any) -> TopicParams:
    """Scale clustering to the corpus: a 500-paper dump and a 75,000-paper corpus need different settings.

    min_cluster_size = max(10, round(0.25 * sqrt(n))): 10 up to 1,600 papers, 25 at 10,000, 68 at 75,000.
    The earlier 0.5 * sqrt(n) (137 at 75k) made topics too coarse: 33 topics with 74% raw outliers at 75k.
    bench/bench_topics.py, real 10k sample: 34 -> 75 topics, NPMI 0.278 -> 0.304, diversity 0.818 -> 0.833,
    raw outliers 37.6% -> 34.6% (NMI vs arXiv category 0.302 -> 0.284: more topics than categories).
    An earlier run at 75k gave 82 topics, NPMI 0.326 (0.167 before). On the 535-paper samples, 10 gives
    17 topics (14 before) and keeps quantization/pruning and interpretability papers together; 8 gave 21
    topics but split interpretability in two (36% in the biggest) and quantization from pruning, without
    separating mixture of experts or distillation either.
    min_samples below it keeps HDBSCAN from calling dense fringes noise.
    """
    auto_min_cluster = max(10, round(0.25 * math.sqrt(max(n_docs, 1))))
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
        guided_min_share=cfg.guided_min_share,
        guided_merge_ratio=cfg.guided_merge_ratio,
        guided_min_zscore=cfg.guided_min_zscore,
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
        self.umap_model.fit(X[rows], y=None if y is None else np.asarray(y)[rows])
        self.embedding_ = np.asarray(self.umap_model.transform(X), dtype=np.float32)
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        return np.asarray(self.umap_model.transform(X), dtype=np.float32)

    def fit_transform(self, X: np.ndarray, y: Any = None) -> np.ndarray:
        return self.fit(X, y).embedding_


# Below this many papers UMAP computes all pairwise distances itself (about a second per fit at 535 papers; 2.6 s
# more than exact_knn at 1,137). The two give the same neighbours but not the same bits, and UMAP's layout follows
# the bits: on a 137-paper refit (tests/test_incremental.py) UMAP's own kept 73% of papers in their topic, 48%
# with exact_knn. Tiny corpora are where layouts are least stable, so they keep umap-learn's default path.
EXACT_KNN_FROM = 1000


def exact_knn(embeddings: np.ndarray, k: int, block: int = 2048) -> tuple[np.ndarray, np.ndarray]:
    """Exact k nearest neighbours by cosine distance (each paper is its own first neighbour), in blocks of
    rows so memory stays at block x n similarities.

    UMAP searches neighbours with pynndescent from 4,096 papers on, whose numba code compiles for ~40 s per
    process on 2 cores, and below that computes all distances with a Python-called metric (~1 s per 300k
    pairs). Up to ~20k papers one matrix product is exact and takes seconds (1.5 s at 10k papers), and UMAP
    takes it as precomputed_knn. Measured at 10,207 papers: 5-D UMAP 68 s -> 20 s, 2-D map 20 s -> 8 s.
    """
    normalised = _normalise(np.asarray(embeddings, dtype=np.float32))
    n = len(normalised)
    k = min(k, n)
    indices = np.empty((n, k), dtype=np.int32)
    distances = np.empty((n, k), dtype=np.float32)
    for start in range(0, n, block):
        sims = normalised[start:start + block] @ normalised.T
        rows = np.arange(len(sims))
        sims[rows, start + rows] = np.inf  # a paper is its own nearest neighbour, even next to duplicates
        nearest = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        nearest_sims = np.take_along_axis(sims, nearest, axis=1)
        order = np.lexsort((nearest, -nearest_sims), axis=1)  # by similarity, ties by row: deterministic
        indices[start:start + block] = np.take_along_axis(nearest, order, axis=1)
        ordered = np.take_along_axis(nearest_sims, order, axis=1)
        ordered[:, 0] = 1.0
        distances[start:start + block] = np.clip(1.0 - ordered, 0.0, 2.0)
    return indices, distances


def cache_numba_compilation() -> None:
    """Keep umap-learn's and pynndescent's numba-compiled functions on disk.

    They are compiled again in every process (~15 s per run on 2 cores, more than UMAP itself needs for
    a few thousand papers) because those libraries do not ask numba to cache them. Numba's own cache is
    keyed on the source files and the CPU; it lives in the packages' __pycache__ (or the user's cache
    folder when that is read-only). The first run after an install compiles; later runs load.
    """
    import importlib

    from numba.core.registry import CPUDispatcher

    for module_name in ("umap.umap_", "umap.layouts", "umap.utils", "umap.distances", "umap.spectral",
                        "umap.sparse", "pynndescent.pynndescent_", "pynndescent.utils", "pynndescent.rp_trees",
                        "pynndescent.distances", "pynndescent.sparse"):
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        for value in vars(module).values():
            if isinstance(value, CPUDispatcher) and type(value._cache).__name__ == "NullCache":
                try:
                    value.enable_caching()
                except RuntimeError:  # no writable cache folder ("no locator available"): compile as before
                    return


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
    torch = sys.modules.get("torch")  # loaded only by the sentence-transformer backend; importing it costs ~3 s
    if torch is not None:
        torch.manual_seed(seed)


# BERTopic's package imports its optional LLM integrations (TextGeneration, ZeroShotClassification) eagerly, and
# with them transformers' pipelines (~4-8 s of a run on 2 cores), and torch for its save/load helpers (~2 s).
# It catches ModuleNotFoundError for each, and topictrends uses none of them (it passes embeddings and never
# saves a BERTopic model), so a finder makes those imports fail while BERTopic imports and is removed right after.
# torch stays importable for everything else, and is not hidden when already loaded (the sentence-transformer
# backend): an import of a loaded module never reaches the finders.
_BERTOPIC_UNUSED_MODULES = ("bertopic.representation._textgeneration", "bertopic.representation._zeroshot",
                            "torch")


class _HiddenModules(importlib.abc.MetaPathFinder):
    def __init__(self, names: tuple[str, ...]) -> None:
        self.names = names

    def find_spec(self, name: str, path: Any, target: Any = None) -> None:
        if name in self.names:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


def import_bertopic() -> Any:
    """Import BERTopic without the optional integrations topictrends never uses (see above)."""
    if "bertopic" in sys.modules:
        return sys.modules["bertopic"]
    hidden = _HiddenModules(_BERTOPIC_UNUSED_MODULES)
    sys.meta_path.insert(0, hidden)
    try:
        import bertopic
    finally:
        sys.meta_path.remove(hidden)
    return bertopic


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


# A topic the guide describes nearly as well as the guided topic is gathered into it only if at least this
# share of its papers match the guide themselves.
GATHER_MIN_SHARE = 0.1


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
      topic (on the samples, sparse-autoencoder papers beside the rest of interpretability).
    - Otherwise the matching papers are carved out into a new topic if there are at least min_size of them;
      with fewer, nothing happens.
    Returns the new assignment and {topic_id: guide name}.
    """
    result = assignment.copy()
    named: dict[int, str] = {}
    if len(guides) == 0 or len(result) == 0:
        return result, named
    guide_embeddings = _normalise(guide_embeddings)
    sims = _normalise(embeddings) @ guide_embeddings.T
    best_guide = sims.argmax(axis=1)
    median = np.median(sims, axis=0)
    spread = 1.4826 * np.median(np.abs(sims - median), axis=0)  # MAD, scaled to a normal's sd
    zscores = (sims - median) / np.maximum(spread, 1e-6)
    next_id = int(result.max()) + 1
    for g, guide in enumerate(guides):
        name = guide_name(guide)
        matching = (best_guide == g) & (sims[:, g] >= min_similarity) & (zscores[:, g] >= min_zscore)
        clustered = result >= 0
        sizes = np.bincount(result[clustered])
        matched = np.bincount(result[clustered], weights=matching[clustered], minlength=len(sizes))
        share = {t: matched[t] / sizes[t] for t in np.flatnonzero(sizes) if int(t) not in named}
        if share:
            topic = int(max(share, key=lambda t: (share[t], -t)))
            if share[topic] >= min_share:
                named[topic] = name
                centroids = _centroids(embeddings, result)
                own = float(guide_embeddings[g] @ centroids[topic])
                for other in share:
                    other_sim = float(guide_embeddings[g] @ centroids[int(other)])
                    if (other != topic and share[other] >= GATHER_MIN_SHARE
                            and other_sim >= max(min_similarity, merge_ratio * own)):
                        log.info("guided topic %r gathers topic %d (similarity %.2f vs %.2f, %.0f%% of its "
                                 "papers match)", name, other, other_sim, own, 100 * share[other])
                        result[result == other] = topic
                continue
        support = np.flatnonzero(matching)
        if len(support) < min_size:
            log.info("guided topic %r: %d matching papers (< %d), not created", name, len(support), min_size)
            continue
        result[support] = next_id
        named[next_id] = name
        next_id += 1
    return result, named


def _phrase_regex(phrase: str) -> re.Pattern[str]:
    """Match a keyword as authors write it: c-TF-IDF drops stop words, so allow joiners between its words.
    Matched against ASCII-lowercased text, and without a leading \\b so that re can jump to the first
    word's letters (20x faster); TextSet.matches checks the word boundary before the match instead."""
    words = phrase.lower().split()
    pattern = (r"(?:[\s\-]+" + _JOINERS + r")*[\s\-]+").join(re.escape(w) for w in words) + r"\b"
    return re.compile(pattern)


# Lowercases ASCII letters only, so that positions in the lowered text match the original's.
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


class TextSet:
    """Texts joined into one string, so a phrase is found in all of them with one regex scan (much faster
    than one search per text), plus the corpus share of each phrase, cached across topics."""

    SEPARATOR = "\x00"  # never in paper text, and not whitespace, so no match or completion crosses it

    def __init__(self, texts: list[str]) -> None:
        self.n = len(texts)
        self.joined = self.SEPARATOR.join(texts)
        self.lowered = self.joined.translate(_ASCII_LOWER)
        self.starts = list(itertools.accumulate([0] + [len(t) + 1 for t in texts[:-1]]))
        self._shares: dict[str, float] = {}

    def doc_of(self, position: int) -> int:
        return bisect.bisect_right(self.starts, position) - 1

    def matches(self, phrase: str) -> list[tuple[int, int]]:
        """(start, end) of each place the texts use `phrase`, whatever its case."""
        found = []
        for match in _phrase_regex(phrase).finditer(self.lowered):
            start = match.start()
            if start == 0 or not (self.lowered[start - 1].isalnum() or self.lowered[start - 1] == "_"):
                found.append((start, match.end()))
        return found

    def share(self, phrase: str) -> float:
        """Share of the texts that use `phrase`."""
        if phrase not in self._shares:
            docs = {self.doc_of(start) for start, _ in self.matches(phrase)}
            self._shares[phrase] = len(docs) / max(self.n, 1)
        return self._shares[phrase]


# The two words after a phrase.
_FOLLOWING = re.compile(r"[\s\-]+([A-Za-z][A-Za-z\-]*)(?:[\s\-]+([A-Za-z][A-Za-z\-]*))?")


def _surface_forms(phrase: str, texts: list[str] | TextSet) -> tuple[str, int]:
    """The most common way the topic's papers write `phrase` ('llms' -> 'LLMs', 'mixture experts' ->
    'mixture of experts', 'large language' -> 'large language models') and in how many of them it occurs."""
    text_set = texts if isinstance(texts, TextSet) else TextSet(texts)
    joined = text_set.joined
    forms: Counter[str] = Counter()
    next_words: Counter[str] = Counter()
    next_pairs: Counter[str] = Counter()
    docs: set[int] = set()
    for start, end in text_set.matches(phrase):
        docs.add(text_set.doc_of(start))
        forms[joined[start:end]] += 1
        following = _FOLLOWING.match(joined, end, end + 60)
        first = _plain_case(following.group(1)) if following else ""
        next_words[first] += 1
        if following and following.group(2):
            next_pairs[f"{first} {_plain_case(following.group(2))}"] += 1
    doc_freq = len(docs)
    if not forms:
        return phrase, 0
    # Most frequent form; among equals prefer the shortest (fewest inserted joiners).
    best = _plain_case(max(forms.items(), key=lambda kv: (kv[1], -len(kv[0])))[0])
    # A phrase cut short by the bigram limit ("large language", "multimodal large", "retrieval-augmented")
    # is completed when the same word, or two, nearly always follow it. Single words are not:
    # "quantization" would become "quantization of weights".
    total = sum(forms.values())
    word, count = next_words.most_common(1)[0]
    if word and count >= 0.7 * total and _word_count(phrase) > 1 and not re.fullmatch(_JOINERS, word):
        pair, pair_count = next_pairs.most_common(1)[0] if next_pairs else ("", 0)
        if pair.startswith(word + " ") and pair_count >= 0.7 * total:
            word = pair
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
    """Crude stem so 'transformer'/'transformers', 'interpretable'/'interpretability' or
    'multi-modal'/'multimodal' count as one word."""
    token = token.lower().replace("-", "")
    if len(token) > 3 and token.endswith("s"):
        token = token[:-1]
    return token[:7]


def _phrase_stems(phrase: str) -> set[str]:
    """Stems of a phrase's words, of its hyphenated parts, and its initials, so that "RL" overlaps
    "reinforcement learning", "MoE" overlaps "mixture of experts" and "vision" overlaps "vision-language"."""
    words = phrase.split()
    stems = {_stem(w) for w in words} | {_stem(part) for w in words for part in w.split("-") if part}
    content = [w for w in words if not re.fullmatch(_JOINERS, w, re.IGNORECASE)]
    if len(content) > 1:
        stems.add("".join(w[0] for w in content).lower())
        stems.add("".join(w[0] for w in words).lower())
    return stems


def _word_count(phrase: str) -> int:
    """Words in a phrase, hyphenated compounds counting as several ("vision-language", "in-context")."""
    return len([part for part in re.split(r"[\s\-]+", phrase) if part])


# A phrase used by more than this share of the whole corpus is everyday vocabulary there ("language models"
# in an LLM corpus, "deep learning" in a general one) ...
GENERIC_CORPUS_SHARE = 0.05
# ... unless the topic uses it at least this many times as often as the corpus does ("unlearning" in an
# unlearning topic of an unlearning-heavy corpus). At 3.0, "transformer" (21% of the samples, 80% of a
# quantization topic) led "Transformer, GPU"; at 4.0 that topic reads "GPU, quantization", and on a real 10k
# slice "LLMs, pre-training" / "LLMs, software" / "Token, language model" became "Pre-training, data
# selection" / "Software, programming" / "Token, speculative decoding"; one samples label got worse:
# "Window attention, memory" -> "Window attention, improves the throughput".
GENERIC_MIN_LIFT = 4.0
# A second phrase is added only when it is nearly as characteristic of the topic as the first ...
SECOND_PHRASE_MIN_RATIO = 0.5
# ... or, for the topic's first c-TF-IDF keyword, at least this characteristic.
TOP_KEYWORD_MIN_RATIO = 0.25


@dataclass
class LabelCandidate:
    form: str  # as the topic's papers write it
    score: float
    share: float  # of the topic's papers using it
    corpus_share: float  # of the corpus sample using it
    generic: bool  # common across the corpus and not much more common in the topic
    stems: set[str]


def label_candidates(keywords: list[str], texts: list[str], corpus_texts: list[str] | TextSet | None = None,
                     ) -> list[LabelCandidate]:
    """Candidate label phrases, best first.

    Score = share of the topic's papers using the phrase x log2(1 + lift), lift being how much more often
    they use it than the corpus at large; multi-word phrases get a bonus because they name things
    ("knowledge distillation" over "distillation"). Duplicate surface forms keep their best score.
    Pass the corpus as one TextSet for all topics so each keyword's corpus share is computed once.
    """
    corpus = corpus_texts if isinstance(corpus_texts, TextSet) or not corpus_texts else TextSet(corpus_texts)
    topic_set = TextSet(texts)
    n_topic = max(len(texts), 1)
    best: dict[str, LabelCandidate] = {}
    for rank, keyword in enumerate(keywords):
        form, doc_freq = _surface_forms(keyword, topic_set)
        if doc_freq == 0:
            continue
        p_topic = doc_freq / n_topic
        p_corpus, lift = 0.0, 1.0
        if corpus:
            p_corpus = corpus.share(keyword)
            lift = p_topic / max(p_corpus, 1e-3)
        generic = p_corpus > GENERIC_CORPUS_SHARE and lift < GENERIC_MIN_LIFT
        bonus = 1.5 if _word_count(form) > 1 else 1.0
        score = p_topic * math.log2(1.0 + lift) * bonus - 0.001 * rank  # rank breaks ties deterministically
        key = form.lower()
        if key not in best or score > best[key].score:
            best[key] = LabelCandidate(form, score, p_topic, p_corpus, generic, _phrase_stems(form))
    return sorted(best.values(), key=lambda c: (-c.score, c.form))


# Words (letters, digits, inner hyphens, dots and pluses: "GPT-4.5", "C++") separated by single spaces.
_LABEL_PHRASE = re.compile(r"[\w.+]+(?:-[\w.+]+)*(?: [\w.+]+(?:-[\w.+]+)*)*")


def make_label(keywords: list[str], texts: list[str], guided_name: str | None = None,
               corpus_texts: list[str] | TextSet | None = None, top_keyword: str | None = None) -> str:
    """A short name a person understands at a glance, from the topic's keywords and its papers' wording.

    The most characteristic phrase leads (see label_candidates); phrases everyone in the corpus uses
    ("large language models", "deep learning") lead only when nothing else fits. A second phrase follows
    only when it is nearly as characteristic (the topic's first c-TF-IDF keyword, `top_keyword`: half as
    much is enough, and it is preferred) and shares no word with the first, so it adds meaning.
    A guided topic's name always leads.
    """
    # Phrases as authors write them, but never across punctuation ("models -- LLMs finetuned to").
    candidates = [c for c in label_candidates(keywords, texts, corpus_texts) if _LABEL_PHRASE.fullmatch(c.form)]
    specific = [c for c in candidates if not c.generic]
    phrases: list[str] = []
    used_stems: set[str] = set()
    if guided_name:
        phrases.append(guided_name)
        used_stems.update(_phrase_stems(guided_name))
    elif candidates:
        lead = _fuller_phrase((specific or candidates)[0], specific, set())
        phrases.append(lead.form)
        used_stems.update(lead.stems)
    # The second phrase must be nearly as characteristic as the best one (for a guided topic, as the best
    # candidate), else it is noise ("Machine unlearning, forget"), and adds words the label does not have yet.
    top_score = (specific or candidates)[0].score if candidates else 0.0
    seconds = [c for c in specific if c.score >= SECOND_PHRASE_MIN_RATIO * top_score and not c.stems & used_stems]
    # The topic's first c-TF-IDF keyword may follow the lead with half that strength: c-TF-IDF counts every use
    # of a word where the label score counts papers, and a word the topic's papers keep coming back to names
    # what they are about even when more of them use a neighbouring word (samples: "Transformer" ->
    # "Transformer, quantization" for the quantization / compression / serving papers).
    top_stems = _phrase_stems(_plain_case(top_keyword)) if top_keyword else set()
    top_phrases = [c for c in specific if top_stems and top_stems <= c.stems and not c.stems & used_stems
                   and c.score >= TOP_KEYWORD_MIN_RATIO * top_score]
    if top_phrases:  # the keyword's own phrase: the fewest words around it
        seconds = [min(top_phrases, key=lambda c: (_word_count(c.form), -c.score))]
    if len(phrases) == 1 and seconds:
        phrases.append(_fuller_phrase(seconds[0], specific, used_stems).form)
    if not phrases:
        return "Unlabelled topic"
    return _capitalise(phrases[0]) + (f", {phrases[1]}" if len(phrases) > 1 else "")


def _fuller_phrase(chosen: LabelCandidate, candidates: list[LabelCandidate], avoid: set[str]) -> LabelCandidate:
    """A longer candidate containing the chosen one's words and used by at least half as many papers says
    more: "deep" -> "deep learning", "merging" -> "model merging", "scaling" -> "scaling laws". It must not
    repeat words already in the label (`avoid`): "Time series, series forecasting"."""
    n_words = _word_count(chosen.form)
    longer = [c for c in candidates if _word_count(c.form) > n_words and chosen.stems <= c.stems
              and c.share >= 0.5 * chosen.share and not c.stems & avoid]
    return max(longer, key=lambda c: (c.share, c.score)) if longer else chosen


def _deduplicate_labels(labels: dict[int, str], keywords: dict[int, list[str]]) -> dict[int, str]:
    seen: Counter[str] = Counter(labels.values())
    result = dict(labels)
    for topic, label in labels.items():
        if seen[label] > 1:
            extra = next((k for k in keywords[topic] if k.lower() not in label.lower()), str(topic))
            result[topic] = f"{label} ({extra})"
    return result


@dataclass
class Clustering:
    """The clustering step of fit_topics: UMAP, HDBSCAN, guided topics and outlier reduction."""

    params: TopicParams
    reduced: np.ndarray  # the UMAP space HDBSCAN clustered
    knn: tuple[np.ndarray, np.ndarray] | None  # exact neighbours, reused by the 2-D map
    raw: np.ndarray  # HDBSCAN's labels
    assignment: np.ndarray  # after guided topics and outlier reduction, topic 0 the largest
    guided_names: dict[int, str]  # topic -> guide name


def fit_topics(
    texts: list[str],
    embeddings: np.ndarray,
    cfg: Any,
    *,
    embedder: Any = None,
    progress: bool = True,
    targets: np.ndarray | None = None,
) -> TopicModelResult:
    """Cluster papers into topics. `texts` are the embedded paper texts (title + abstract).

    `embedder` (analytics.embedding.Embedder) embeds keyword candidates and guided topic names; without it
    keywords are plain c-TF-IDF and guided topics are skipped. `targets` (see cluster_papers) anchors a refit.
    """
    clustering = cluster_papers(texts, embeddings, cfg, embedder=embedder, progress=progress, targets=targets)
    topics, centroids = describe_topics(texts, embeddings, clustering.assignment, clustering.params,
                                        embedder=embedder, guided_names=clustering.guided_names, progress=progress)
    map_xy = layout_2d(clustering.reduced, np.asarray(embeddings, dtype=np.float32), clustering.params,
                       clustering.knn)
    return TopicModelResult(
        topic_ids=clustering.assignment,
        raw_topic_ids=clustering.raw,
        topics=topics,
        map_xy=map_xy,
        topic_embeddings=centroids,
        params=clustering.params,
    )


def cluster_papers(
    texts: list[str],
    embeddings: np.ndarray,
    cfg: Any,
    *,
    embedder: Any = None,
    progress: bool = True,
    targets: np.ndarray | None = None,
) -> Clustering:
    """UMAP, HDBSCAN, guided topics, outlier reduction. `targets`: a topic per paper (-1: unknown) for
    semi-supervised UMAP (umap-learn's `y`), which pulls papers of the same target together."""
    UMAP, HDBSCAN, umap_extra = _clustering_classes(getattr(cfg, "clustering_backend", "cpu"))
    n_docs = len(texts)
    params = choose_params(n_docs, cfg)
    if n_docs < 10:
        raise ValueError(f"need at least 10 papers to find topics, got {n_docs}")
    _seed_everything(params.seed)
    embeddings = np.asarray(embeddings, dtype=np.float32)

    knn = None
    if umap_extra:  # the CPU backend (umap-learn)
        cache_numba_compilation()
    if umap_extra and not params.umap_fit_sample and n_docs >= EXACT_KNN_FROM:
        # UMAP on every paper: exact neighbours, computed once for both UMAPs
        knn = exact_knn(embeddings, params.umap_neighbors)
        umap_extra = {**umap_extra, "precomputed_knn": knn}
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
    if progress:
        log.info("topics: reducing %d embeddings with UMAP", n_docs)
    if targets is None:
        reduced = np.asarray(umap_model.fit_transform(embeddings), dtype=np.float32)
    else:
        reduced = np.asarray(umap_model.fit_transform(embeddings, y=np.asarray(targets, dtype=int)),
                             dtype=np.float32)
    if progress:
        log.info("topics: clustering with HDBSCAN (min_cluster_size=%d)", params.min_cluster_size)
    raw = np.asarray(hdbscan_model.fit(reduced).labels_, dtype=int)

    assignment = raw.copy()
    guided_names: dict[int, str] = {}
    if params.guided_topics and embedder is not None:
        guide_embeddings = embedder.embed(params.guided_topics, progress=False)
        assignment, guided_names = apply_guided_topics(
            embeddings, assignment, guide_embeddings, params.guided_topics,
            params.guided_min_similarity, params.min_cluster_size, params.guided_min_share,
            params.guided_merge_ratio, params.guided_min_zscore,
        )
    if params.reduce_outliers:
        assignment = reduce_outliers(embeddings, assignment, params.outlier_threshold)

    # Renumber by size and carry guided names along.
    renumbered = _renumber_by_size(assignment)
    old_to_new = {int(o): int(n) for o, n in zip(assignment.tolist(), renumbered.tolist())}
    guided_names = {old_to_new[t]: name for t, name in guided_names.items() if t in old_to_new}
    return Clustering(params=params, reduced=reduced, knn=knn, raw=raw, assignment=renumbered,
                      guided_names=guided_names)


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
    n_docs = len(texts)
    embeddings = np.asarray(embeddings, dtype=np.float32)
    assignment = np.asarray(assignment, dtype=int)
    centroids = _centroids(embeddings, assignment)
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
    labels = {}
    # A fixed, seeded sample of the corpus is enough to tell everyday phrases from distinctive ones.
    sample_rows = np.random.default_rng(params.seed).permutation(n_docs)[:2000]
    corpus_sample = TextSet([texts[i] for i in sorted(sample_rows)])
    for topic in centroids:
        member_texts = [texts[i] for i in np.where(assignment == topic)[0][:400]]
        # KeyBERT's phrases read well; the c-TF-IDF keywords add the words most papers of the topic share
        # ("quantization" where KeyBERT offered "single gpu").
        candidates = label_phrases[topic] + [k for k in keywords[topic] if k not in label_phrases[topic]]
        labels[topic] = make_label(candidates, member_texts, guided_names.get(topic), corpus_sample,
                                   top_keyword=keywords[topic][0] if keywords[topic] else None)
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

    return topics, centroids


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


def layout_2d(reduced: np.ndarray, embeddings: np.ndarray, params: TopicParams,
              knn: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """2-D coordinates for the topic map.

    When UMAP ran on every paper: a 2-D UMAP of the embeddings over the clustering's exact neighbours (`knn`,
    see exact_knn; below EXACT_KNN_FROM papers UMAP computes all distances itself), so no second neighbour search.
    Above params.umap_fit_sample papers, a 2-D UMAP of the 5-D clustering space is fitted on the same seeded
    sample the clustering UMAP used and every other paper sits at the distance-weighted mean of its 10
    nearest sample papers (in the 5-D space): seconds instead of minutes at 75k papers.
    """
    from umap import UMAP

    if len(reduced) <= 3:
        return np.zeros((len(reduced), 2), dtype=np.float32)
    # 200 optimisation epochs: what umap-learn uses from 10,000 points on; a picture does not need the 500 it
    # spends below that (the clustering UMAP keeps its default).
    settings = dict(n_neighbors=params.umap_neighbors, n_components=2, min_dist=0.1, random_state=params.seed,
                    low_memory=True, n_epochs=200)
    if not params.umap_fit_sample:
        umap_2d = UMAP(metric="cosine", precomputed_knn=knn if knn is not None else (None, None, None), **settings)
        return np.asarray(umap_2d.fit_transform(embeddings), dtype=np.float32)
    from sklearn.neighbors import NearestNeighbors

    rows = np.sort(np.random.default_rng(params.seed).choice(len(reduced), size=params.umap_fit_sample,
                                                             replace=False))
    sample_xy = np.asarray(UMAP(metric="euclidean", **settings).fit_transform(reduced[rows]), dtype=np.float32)
    distances, neighbours = NearestNeighbors(n_neighbors=10).fit(reduced[rows]).kneighbors(reduced)
    weights = 1.0 / (distances + 1e-6)
    xy = (sample_xy[neighbours] * weights[:, :, None]).sum(axis=1) / weights.sum(axis=1, keepdims=True)
    xy[rows] = sample_xy
    return xy.astype(np.float32)
