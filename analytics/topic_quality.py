"""How good are a run's topics? Coherence (NPMI over the corpus), diversity, outliers, size spread and,
when papers carry labels (e.g. their primary arXiv category), agreement with those labels.

Definitions (also written into evaluation.json under "definitions"):
- coherence_npmi: for each topic, the mean normalised pointwise mutual information over all pairs of its
  top-n keywords, with probabilities from document co-occurrence in the whole corpus; then the mean over
  topics (and a size-weighted mean). A pair that never co-occurs scores -1; a pair present in every
  document scores 1. Range -1..1; well-formed topics usually land around 0.05-0.2 on abstracts.
- topic_diversity: unique keywords among all topics' top-n keywords / (n topics * n) (Dieng et al. 2020).
- agreement with labels (NMI, ARI, purity): over non-outlier papers, and over all papers with the outliers
  (topic -1) counted as one more cluster. Papers without a label are left out of both.
- coherence margin (when an embedding model is given): for each topic, the mean pairwise cosine of up to 40
  seeded sample papers minus their mean cosine to 400 seeded random papers of the corpus. A topic whose
  papers are barely closer to each other than to anything else is a grab-bag: "weak" under WEAK_MARGIN.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np
import pandas as pd
from scipy import sparse

from analytics.label_quality import SPECIFIC_MIN_SHARE, label_specificity
from analytics.topics.vocabulary import ACADEMIC_STOP_WORDS, TOKEN_PATTERN

EVALUATION_FILE = "evaluation.json"

_CTFIDF_TOKEN = re.compile(TOKEN_PATTERN)
# scikit-learn's default token pattern: lets keywords from vectorizers that split on hyphens or keep
# digits ("fine", "3d") be found too, so models with other tokenisers are scored fairly.
_DEFAULT_TOKEN = re.compile(r"(?u)\b\w\w+\b")


def _stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS | ACADEMIC_STOP_WORDS)


def keyword_presence(texts: list[str], keywords: Iterable[str]) -> tuple[sparse.csr_matrix, list[str]]:
    """Binary document x keyword matrix: is keyword k present in document d?

    Documents are tokenised like the c-TF-IDF vectorizer in analytics.topics.describe (lowercase, TOKEN_PATTERN,
    English + academic stop words dropped before bigrams are formed), so the bigram keyword
    "mixture experts" is present in a paper saying "mixture of experts". So that keywords of other
    tokenisers (plain BERTopic) are scored on the same footing, a one-word keyword is also present when
    scikit-learn's default tokeniser finds it ("tuning" in "fine-tuning", "3d") or as a hyphenated word
    with its hyphens deleted, as BERTopic's default preprocessing writes it ("texttoimage").
    """
    vocabulary = sorted({k.lower().strip() for k in keywords if k and k.strip()})
    index = {k: i for i, k in enumerate(vocabulary)}
    unigrams = {k for k in vocabulary if " " not in k}
    bigram_starts = {k.split(" ", 1)[0] for k in vocabulary if " " in k}
    # Only keywords the c-TF-IDF pattern cannot produce ("3d") need the slower second tokenisation.
    needs_default_tokens = any(not _CTFIDF_TOKEN.fullmatch(k) for k in unigrams)
    stop = _stop_words()
    rows: list[int] = []
    cols: list[int] = []
    for row, text in enumerate(texts):
        lowered = (text or "").lower()
        tokens = _CTFIDF_TOKEN.findall(lowered)
        found = unigrams.intersection(tokens)
        hyphenated = [t for t in tokens if "-" in t]
        found.update(unigrams.intersection(part for t in hyphenated for part in t.split("-")))
        # BERTopic's default preprocessing deletes punctuation: "text-to-image" -> "texttoimage".
        found.update(unigrams.intersection(t.replace("-", "") for t in hyphenated))
        if needs_default_tokens:
            found.update(unigrams.intersection(_DEFAULT_TOKEN.findall(lowered)))
        if bigram_starts:
            content = [t for t in tokens if t not in stop]
            for first, second in zip(content, content[1:]):
                if first in bigram_starts:
                    bigram = f"{first} {second}"
                    if bigram in index:
                        found.add(bigram)
        for keyword in found:
            rows.append(row)
            cols.append(index[keyword])
    data = np.ones(len(rows), dtype=np.float64)
    matrix = sparse.csr_matrix((data, (rows, cols)), shape=(len(texts), len(vocabulary)))
    return matrix, vocabulary


def npmi_matrix(presence: sparse.csr_matrix) -> np.ndarray:
    """Pairwise NPMI between the columns of a binary document x word matrix (dense, words x words)."""
    n_docs = presence.shape[0]
    co = np.asarray((presence.T @ presence).todense(), dtype=np.float64)
    p_word = np.diag(co) / n_docs
    p_pair = co / n_docs
    with np.errstate(divide="ignore", invalid="ignore"):
        pmi = np.log(p_pair) - np.log(p_word)[:, None] - np.log(p_word)[None, :]
        npmi = pmi / -np.log(p_pair)
    npmi[p_pair == 0] = -1.0  # never together
    npmi[p_pair >= 1.0] = 1.0  # always together (both in every document)
    return npmi


def topic_coherence(texts: list[str], topic_keywords: dict[int, list[str]], top_n: int = 10) -> dict[int, float]:
    """NPMI coherence of each topic (outlier topic -1 excluded; topics with < 2 keywords get NaN)."""
    tops = {t: [k.lower().strip() for k in kws if k and k.strip()][:top_n]
            for t, kws in topic_keywords.items() if t != -1}
    presence, vocabulary = keyword_presence(texts, (k for kws in tops.values() for k in kws))
    index = {k: i for i, k in enumerate(vocabulary)}
    npmi = npmi_matrix(presence) if vocabulary else np.zeros((0, 0))
    scores = {}
    for topic, words in tops.items():
        ids = list(dict.fromkeys(index[w] for w in words))
        if len(ids) < 2:
            scores[topic] = float("nan")
            continue
        pairs = [npmi[i, j] for a, i in enumerate(ids) for j in ids[a + 1:]]
        scores[topic] = float(np.mean(pairs))
    return scores


def topic_diversity(topic_keywords: dict[int, list[str]], top_n: int = 10) -> float:
    """Unique keywords among all topics' top-n / total keywords (Dieng et al. 2020); 1 = no overlap."""
    words = [k.lower().strip() for t, kws in topic_keywords.items() if t != -1 for k in kws[:top_n]]
    return len(set(words)) / len(words) if words else float("nan")


# Coherence margin (issue 19): how much closer a topic's papers are to each other than to the corpus at large,
# measured with an embedding model (the bench uses the PyTorch MiniLM, which no run's topics were fitted on).
MARGIN_SAMPLE_PER_TOPIC = 40
MARGIN_REFERENCE_PAPERS = 400
# Under this margin a topic is flagged weak (issue 19's target: no topic under 0.07). On the real 75k corpus
# (bench/bench_topic_quality.py) the static model's grab-bags scored 0.03-0.07 ("Open-source, zero-shot": a VLM
# jailbreak paper, UAV fruit counting, a Llama3 vs DeepSeek comparison); MiniLM topics at 10k: 0.11 and up.
WEAK_MARGIN = 0.07
# The transformer reads this many tokens for margins, as the transformer backends do by default ([embedding]
# max_tokens), so a run's stored MiniLM vectors serve its margins.
MARGIN_MAX_TOKENS = 128


@dataclass
class MarginSample:
    """Which papers the coherence margin embeds: a seeded sample per topic and one corpus reference sample."""

    topic_rows: dict[int, np.ndarray]  # topic -> rows of its sampled papers
    reference_rows: np.ndarray  # rows of the random corpus papers

    def all_rows(self) -> np.ndarray:
        return np.unique(np.concatenate([self.reference_rows, *self.topic_rows.values()]))


def margin_sample(topic_ids: np.ndarray, *, seed: int = 0, per_topic: int = MARGIN_SAMPLE_PER_TOPIC,
                  reference: int = MARGIN_REFERENCE_PAPERS) -> MarginSample:
    """Up to `per_topic` papers of each topic (outliers -1 excluded) and `reference` papers of the whole corpus.

    Every paper gets one seeded random rank; a topic's sample is its `per_topic` best-ranked papers, the
    reference the `reference` best-ranked papers of the corpus. That is a uniform random sample of each
    topic, and two assignments of the same papers that mostly agree draw mostly the same papers, so
    comparing designs embeds few new papers."""
    topic_ids = np.asarray(topic_ids, dtype=int)
    rank = np.random.default_rng(seed).permutation(len(topic_ids))
    by_rank = np.argsort(rank)  # rows, best-ranked first
    reference_rows = np.sort(by_rank[:reference])
    ranked_topics = topic_ids[by_rank]
    topic_rows = {}
    for topic in sorted(set(topic_ids.tolist()) - {-1}):
        topic_rows[topic] = np.sort(by_rank[ranked_topics == topic][:per_topic])
    return MarginSample(topic_rows=topic_rows, reference_rows=reference_rows)


def coherence_margins(sample: MarginSample, vectors_of: Any) -> dict[int, dict[str, float]]:
    """Per topic: within-topic mean cosine (distinct pairs of its sampled papers), mean cosine of its sampled
    papers to the reference papers, and the margin (the first minus the second). `vectors_of(rows)` returns
    L2-normalised embeddings of those rows. A topic with one sampled paper has no pairs and gets NaN."""
    reference = np.asarray(vectors_of(sample.reference_rows), dtype=np.float64)
    result = {}
    for topic, rows in sample.topic_rows.items():
        members = np.asarray(vectors_of(rows), dtype=np.float64)
        n = len(members)
        sims = members @ members.T
        within = float((sims.sum() - np.trace(sims)) / (n * (n - 1))) if n > 1 else float("nan")
        to_corpus = float((members @ reference.T).mean())
        result[topic] = {"within": within, "to_corpus": to_corpus, "margin": within - to_corpus}
    return result


def margin_summary(margins: dict[int, dict[str, float]]) -> dict[str, Any]:
    """Median and minimum margin over topics, the weak topics (margin under WEAK_MARGIN), margin per topic."""
    values = np.array([m["margin"] for m in margins.values()], dtype=np.float64)
    known = values[~np.isnan(values)]
    return {
        "median": _round(float(np.median(known))) if len(known) else None,
        "min": _round(float(known.min())) if len(known) else None,
        "weak_topics": [int(t) for t, m in margins.items() if m["margin"] < WEAK_MARGIN],
        "weak_below": WEAK_MARGIN,
        "per_topic": {str(t): _round(m["margin"]) for t, m in margins.items()},  # str: JSON object keys
    }


def measure_topic_quality(topic_ids: np.ndarray, vectors_of_rows: Callable[[np.ndarray], np.ndarray], *,
                          seed: int = 0) -> dict[str, Any] | None:
    """Every topic's coherence margin and the summary run.json keeps (margin_summary), and the topics' size
    spread (size_spread); None without topics.
    `vectors_of_rows(rows)` gives the MiniLM vectors of those paper rows, in order: the flow takes them from the
    store or embeds them, so that runs of every backend are measured alike."""
    sample = margin_sample(np.asarray(topic_ids, dtype=int), seed=seed)
    if len(sample.topic_rows) == 0:
        return None
    rows = sample.all_rows()
    by_row = dict(zip(rows.tolist(), vectors_of_rows(rows)))
    margins = coherence_margins(sample, lambda chosen: np.vstack([by_row[i] for i in chosen.tolist()]))
    return {**margin_summary(margins), "sizes": size_spread(topic_ids)}


def with_quality(topics: pd.DataFrame, quality: dict[str, Any] | None) -> pd.DataFrame:
    """The topic table with each topic's coherence margin and weak flag, and its label's coverage, exclusivity
    and specific flag (analytics.label_quality) when measured (topics.csv, the report, the store)."""
    if quality is None:
        return topics
    margins = {int(t): m for t, m in quality["per_topic"].items()}
    table = topics.copy()
    table["coherence_margin"] = table["topic_id"].map(lambda t: margins.get(int(t)))
    table["weak"] = [margins.get(int(t)) is not None and margins[int(t)] < quality["weak_below"]
                     for t in table["topic_id"]]
    labels = (quality.get("labels") or {}).get("per_topic", {})
    for column, key in (("label_coverage", "coverage"), ("label_exclusivity", "exclusivity"),
                        ("label_specific", "specific")):
        table[column] = table["topic_id"].map(lambda t: labels.get(int(t), {}).get(key))
    return table


def size_spread(topic_ids: np.ndarray) -> dict[str, Any]:
    """Topic sizes (outliers left out): min, median, max, Gini, coefficient of variation, largest topic's share
    of all papers."""
    topic_ids = np.asarray(topic_ids, dtype=int)
    sizes = pd.Series(topic_ids[topic_ids != -1]).value_counts()
    return {
        "min": int(sizes.min()) if len(sizes) else 0,
        "median": float(sizes.median()) if len(sizes) else 0.0,
        "max": int(sizes.max()) if len(sizes) else 0,
        "gini": _round(gini(sizes.values)),
        "cv": _round(float(sizes.std(ddof=0) / sizes.mean())) if len(sizes) else None,
        "largest_topic_share": _round(float(sizes.max() / len(topic_ids))) if len(sizes) else None,
    }


def gini(values: Iterable[float]) -> float:
    """Gini coefficient of non-negative values: 0 = all equal, towards 1 = one holds everything."""
    x = np.sort(np.asarray(list(values), dtype=np.float64))
    if len(x) == 0 or x.sum() == 0:
        return float("nan")
    n = len(x)
    ranks = np.arange(1, n + 1)
    return float((2 * (ranks * x).sum()) / (n * x.sum()) - (n + 1) / n)


def purity(clusters: np.ndarray, labels: np.ndarray) -> float:
    """Share of papers whose label is the most common label of their cluster."""
    table = pd.crosstab(pd.Series(clusters), pd.Series(labels))
    return float(table.max(axis=1).sum() / len(clusters)) if len(clusters) else float("nan")


def agreement(clusters: np.ndarray, labels: np.ndarray) -> dict[str, Any]:
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    if len(clusters) == 0:
        return {"papers": 0, "nmi": None, "ari": None, "purity": None}
    return {
        "papers": int(len(clusters)),
        "nmi": round(float(normalized_mutual_info_score(labels, clusters)), 4),
        "ari": round(float(adjusted_rand_score(labels, clusters)), 4),
        "purity": round(purity(clusters, labels), 4),
    }


def _round(value: float, digits: int = 4) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else round(float(value), digits)


def evaluate_topics(
    texts: list[str],
    topic_ids: np.ndarray,
    topic_keywords: dict[int, list[str]],
    *,
    labels: list[str] | None = None,
    raw_topic_ids: np.ndarray | None = None,
    top_n: int = 10,
    embed_texts: Callable[[list[str]], np.ndarray] | None = None,
) -> dict[str, Any]:
    """All quality numbers of one topic assignment (see the module docstring for definitions).

    texts: the papers' texts (title + abstract) the topics were fitted on; topic_ids: final topic per paper
    (-1 = outlier); topic_keywords: top keywords per topic, best first; labels: a reference class per paper
    ("" or None = unknown); raw_topic_ids: the assignment before outlier reduction, if any; embed_texts:
    L2-normalised embeddings of a list of texts, for the coherence margins (left out without it).
    """
    topic_ids = np.asarray(topic_ids, dtype=int)
    if len(texts) != len(topic_ids):
        raise ValueError(f"{len(texts)} texts but {len(topic_ids)} topic ids")
    n = len(topic_ids)
    sizes = pd.Series(topic_ids[topic_ids != -1]).value_counts()
    coherence = topic_coherence(texts, {t: topic_keywords.get(t, []) for t in sizes.index}, top_n)
    scored = {t: c for t, c in coherence.items() if not math.isnan(c)}
    weights = np.array([sizes[t] for t in scored], dtype=np.float64)
    values = np.array(list(scored.values()), dtype=np.float64)

    result: dict[str, Any] = {
        "papers": n,
        "topics": int(len(sizes)),
        "top_n": top_n,
        "coherence_npmi": _round(values.mean()) if len(values) else None,
        "coherence_npmi_weighted": _round((values * weights).sum() / weights.sum()) if len(values) else None,
        "topic_diversity": _round(topic_diversity({t: topic_keywords.get(t, []) for t in sizes.index}, top_n)),
        "outlier_share": _round(float((topic_ids == -1).mean())) if n else None,
        "outlier_share_raw": (_round(float((np.asarray(raw_topic_ids) == -1).mean()))
                              if raw_topic_ids is not None and n else None),
        "size": size_spread(topic_ids),
        "per_topic": [
            {"topic_id": int(t), "size": int(sizes[t]), "coherence_npmi": _round(coherence.get(t, float("nan"))),
             "keywords": list(topic_keywords.get(t, []))[:top_n]}
            for t in sorted(sizes.index)
        ],
        "agreement": None,
        "coherence_margin": None,
    }
    if embed_texts is not None and len(sizes):
        sample = margin_sample(topic_ids)
        rows = sample.all_rows()
        vectors = dict(zip(rows.tolist(), embed_texts([texts[i] for i in rows])))  # one batched call
        margins = coherence_margins(sample, lambda chosen: np.vstack([vectors[i] for i in chosen.tolist()]))
        result["coherence_margin"] = margin_summary(margins)
        for entry in result["per_topic"]:
            margin = margins.get(entry["topic_id"], {}).get("margin", float("nan"))
            entry["coherence_margin"] = _round(margin)
            entry["weak"] = bool(margin < WEAK_MARGIN)
    if labels is not None:
        label_array = np.array(["" if v is None else str(v) for v in labels], dtype=object)
        if len(label_array) != n:
            raise ValueError(f"{n} papers but {len(label_array)} labels")
        known = label_array != ""
        non_outlier = known & (topic_ids != -1)
        result["agreement"] = {
            "labelled_papers": int(known.sum()),
            "label_classes": int(len(set(label_array[known]))),
            "non_outliers": agreement(topic_ids[non_outlier], label_array[non_outlier]),
            "all_papers": agreement(topic_ids[known], label_array[known]),
        }
    return result


def _split_keywords(cell: Any) -> list[str]:
    if not isinstance(cell, str):
        return []
    return [k.strip() for k in cell.split(",") if k.strip()]


def run_labels(papers: pd.DataFrame, labels_column: str | None = "auto") -> tuple[list[str] | None, str | None]:
    """Reference labels for a run's papers and where they came from.

    "auto": the first entry of `categories` (the primary arXiv category) when most papers have one;
    None: no labels; any other name: that column as it is.
    """
    if labels_column is None:
        return None, None
    if labels_column == "auto":
        if "categories" not in papers.columns:
            return None, None
        primary = papers["categories"].fillna("").astype(str).map(lambda c: c.split(";")[0].strip())
        if (primary != "").mean() <= 0.5:
            return None, None
        return primary.tolist(), "primary category (first of categories)"
    if labels_column not in papers.columns:
        raise ValueError(f"papers.csv has no column {labels_column!r} to use as labels")
    return papers[labels_column].fillna("").astype(str).tolist(), f"column {labels_column}"


def evaluate_run(out_dir: Path, *, labels_column: str | None = "auto", top_n: int = 10,
                 margin_backend: str | None = "onnx") -> dict[str, Any]:
    """Evaluate the run in out_dir (papers.csv, topics.csv), write out_dir/evaluation.json, return it.
    margin_backend: the embedding backend (analytics.embedding) that measures coherence margins; "onnx", the
    MiniLM every backend derives from, embeds the ~40 papers per topic at ~100 papers/s. None: no margins."""
    from analytics.embedding import paper_text
    from analytics.outputs import write_json

    out_dir = Path(out_dir)
    papers_path, topics_path = out_dir / "papers.csv", out_dir / "topics.csv"
    for path in (papers_path, topics_path):
        if not path.is_file():
            raise FileNotFoundError(f"{path} not found: is {out_dir} the output folder of a topictrends run?")
    papers = pd.read_csv(papers_path, dtype=str, keep_default_na=False)
    topics = pd.read_csv(topics_path, dtype=str, keep_default_na=False)
    for column in ("title", "abstract", "topic_id"):
        if column not in papers.columns:
            raise ValueError(f"{papers_path}: column {column!r} missing")
    for column in ("topic_id", "keywords"):
        if column not in topics.columns:
            raise ValueError(f"{topics_path}: column {column!r} missing")

    texts = [paper_text(t, a) for t, a in zip(papers["title"], papers["abstract"])]
    topic_ids = _int_column(papers, "topic_id", papers_path)
    raw = _int_column(papers, "raw_topic_id", papers_path) if "raw_topic_id" in papers.columns else None
    keywords = {int(t): _split_keywords(k) for t, k in zip(topics["topic_id"], topics["keywords"])}
    labels, label_source = run_labels(papers, labels_column)
    embed_texts = None
    if margin_backend is not None:
        from analytics.embedding import load_embedder

        embedder = load_embedder(margin_backend, batch_size=16, max_tokens=MARGIN_MAX_TOKENS)
        embed_texts = lambda chosen: embedder.embed(chosen, progress=False)  # noqa: E731
    result = evaluate_topics(texts, topic_ids, keywords, labels=labels, raw_topic_ids=raw, top_n=top_n,
                             embed_texts=embed_texts)
    if margin_backend is not None:
        result["margin_model"] = embedder.model_id
    result["run"] = str(out_dir.resolve())
    result["label_source"] = label_source
    if "label" in topics.columns:
        label_of = {int(t): label for t, label in zip(topics["topic_id"], topics["label"])}
        specificity = label_specificity(texts, topic_ids, label_of)
        scores = specificity.pop("per_topic")
        result["label_specificity"] = specificity
        for entry in result["per_topic"]:
            entry["label"] = label_of.get(entry["topic_id"], "")
            score = scores.get(entry["topic_id"], {})
            entry.update({f"label_{key}": score.get(key) for key in ("coverage", "exclusivity", "specific")})
    result["definitions"] = {
        "coherence_npmi": f"mean over topics of the mean pairwise NPMI of its top {top_n} keywords, "
                          "from document co-occurrence in this corpus (-1..1)",
        "topic_diversity": f"unique keywords / all keywords among the topics' top {top_n} (0..1)",
        "agreement.non_outliers": "NMI/ARI/purity of topic vs label over labelled papers not in topic -1",
        "agreement.all_papers": "the same over all labelled papers, topic -1 counted as one cluster",
        "label_specificity": "per label: coverage = share of the topic's papers using one of its phrases; "
                             "exclusivity = share of the corpus papers using its lead phrase that are in the "
                             f"topic; specific when both reach {SPECIFIC_MIN_SHARE} and it is not a model name",
        "coherence_margin": f"per topic: mean pairwise cosine of up to {MARGIN_SAMPLE_PER_TOPIC} seeded sample "
                            f"papers minus their mean cosine to {MARGIN_REFERENCE_PAPERS} seeded corpus papers; "
                            f"weak under {WEAK_MARGIN}",
    }
    write_json(result, out_dir / EVALUATION_FILE)
    return result


def _int_column(table: pd.DataFrame, column: str, path: Path) -> np.ndarray:
    values = pd.to_numeric(table[column], errors="coerce")
    bad = values.isna()
    if bad.any():
        first = int(np.argmax(bad.values))
        # +2: header line, and CSV lines count from 1
        raise ValueError(f"{path}: line {first + 2}: {column} {table[column].iloc[first]!r} is not an integer")
    return values.astype(int).to_numpy()


def _fmt(value: Any, digits: int = 3) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def print_evaluation_table(result: dict[str, Any], console: Any = None) -> None:
    """The headline numbers of evaluate_topics / evaluate_run as a rich table."""
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    table = Table(title=f"Topic quality ({result['papers']} papers)", show_lines=False)
    table.add_column("metric")
    table.add_column("value", justify="right")
    table.add_column("meaning", style="dim")
    size = result["size"]
    table.add_row("topics", str(result["topics"]), "")
    table.add_row(f"coherence (NPMI, top {result['top_n']})", _fmt(result["coherence_npmi"]),
                  "mean over topics; higher is better (-1..1)")
    table.add_row("coherence, size-weighted", _fmt(result["coherence_npmi_weighted"]), "")
    table.add_row("topic diversity", _fmt(result["topic_diversity"]), "unique share of keywords (0..1)")
    table.add_row("outlier share", _fmt(result["outlier_share"]), "papers left in topic -1")
    table.add_row("outlier share before reduction", _fmt(result["outlier_share_raw"]), "HDBSCAN's raw assignment")
    table.add_row("topic size min / median / max", f"{size['min']} / {size['median']:g} / {size['max']}", "")
    table.add_row("size Gini / CV", f"{_fmt(size['gini'])} / {_fmt(size['cv'])}", "0 = equal sizes")
    table.add_row("largest topic share", _fmt(size["largest_topic_share"]), "of all papers")
    margin = result.get("coherence_margin")
    if margin:
        weak = margin["weak_topics"]
        table.add_row("coherence margin median / min", f"{_fmt(margin['median'])} / {_fmt(margin['min'])}",
                      "within-topic cosine minus cosine to the corpus")
        table.add_row(f"weak topics (margin < {margin['weak_below']})", str(len(weak)),
                      ", ".join(str(t) for t in weak[:12]) + (" ..." if len(weak) > 12 else ""))
    specificity = result.get("label_specificity")
    if specificity and specificity["specific_share"] is not None:
        unspecific = specificity["unspecific_topics"]
        table.add_row("specific labels", f"{specificity['specific_share']:.0%}",
                      f"coverage and exclusivity >= {specificity['specific_min_share']}, no model name alone")
        table.add_row("label coverage / exclusivity median",
                      f"{_fmt(specificity['coverage_median'])} / {_fmt(specificity['exclusivity_median'])}",
                      "topic papers using the label / label users in the topic")
        table.add_row("unspecific labels", str(len(unspecific)),
                      ", ".join(str(t) for t in unspecific[:12]) + (" ..." if len(unspecific) > 12 else ""))
    agreement_ = result.get("agreement")
    if agreement_:
        source = result.get("label_source") or "labels"
        for key, text in (("non_outliers", "non-outlier papers"), ("all_papers", "all papers, outliers as a class")):
            part = agreement_[key]
            table.add_row(
                f"vs {source}: NMI / ARI / purity",
                f"{_fmt(part['nmi'])} / {_fmt(part['ari'])} / {_fmt(part['purity'])}",
                f"{text} ({part['papers']}; {agreement_['label_classes']} classes)",
            )
    else:
        table.add_row("agreement with labels", "-", "papers carry no labels")
    console.print(table)
