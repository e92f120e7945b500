"""Benchmark: the pipeline's topics (analytics.topics.fit.fit_topics, default config) against plain BERTopic
defaults, both fitted on the SAME texts and precomputed embeddings, scored by analytics.topic_quality.

Corpora:
  samples  data/samples (parsed and merged exactly as the pipeline does), no labels.
  real     a seeded random sample of unique papers from ../shared/real/arxiv-daily-cs-cv-cl (primary
           arXiv category = label); skipped cleanly when the folder is absent.

Embeddings come from the bundled sentence-transformer (all-MiniLM-L6-v2) and are cached in bench/results/
(gitignored) as .npy files keyed by the corpus content, so a rerun only refits the topic models.

    python bench/bench_topics.py                     # both corpora, 10,000 real papers
    python bench/bench_topics.py --corpus samples
    python bench/bench_topics.py --real-n 5000 --embed-only
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from collections import Counter
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from analytics.parsing.common import unwrap  # noqa: E402

SAMPLES = ROOT / "data" / "samples"
REAL = ROOT.parent.parent / "shared" / "real" / "arxiv-daily-cs-cv-cl" / "data"
if not REAL.exists():  # worktrees live at /work/wt/<name>; the main checkout at /work/main
    REAL = Path("/work/shared/real/arxiv-daily-cs-cv-cl/data")
RESULTS = ROOT / "bench" / "results"
SEED = 42


@dataclass
class Corpus:
    name: str
    ids: list[str]
    texts: list[str]
    labels: list[str] | None  # primary arXiv category, when known
    titles: list[str] | None = None


def load_samples() -> Corpus:
    """data/samples, parsed, merged and turned into text exactly as the pipeline does."""
    from analytics.dedupe import merge_records
    from analytics.embedding import paper_text
    from analytics.parsing import iter_dumps

    records = [record for parsed in iter_dumps(SAMPLES) for record in parsed.records]
    papers = merge_records(records)
    texts = [paper_text(t, a) for t, a in zip(papers["title"], papers["abstract"])]
    return Corpus("samples", papers["paper_id"].tolist(), texts, None, papers["title"].tolist())


def load_real_sample(n: int, seed: int = SEED) -> Corpus | None:
    """A seeded random sample of n unique papers (deduplicated by arXiv id) from the daily listings."""
    from analytics.embedding import paper_text

    if not REAL.is_dir():
        return None
    papers: dict[str, tuple[str, str]] = {}
    for path in sorted(REAL.glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            for line in handle:
                line = line.strip()
                if not line:
                    continue
                obj = json.loads(line)
                paper_id = str(obj.get("id") or "")
                if not paper_id or paper_id in papers:
                    continue
                categories = obj.get("categories") or []
                text = paper_text(unwrap(obj.get("title")), unwrap(obj.get("summary")))
                if text:
                    papers[paper_id] = (text, str(categories[0]) if categories else "")
    ids = sorted(papers)
    chosen = sorted(np.random.default_rng(seed).choice(len(ids), size=min(n, len(ids)), replace=False))
    ids = [ids[i] for i in chosen]
    return Corpus(f"real-{len(ids)}", ids, [papers[i][0] for i in ids], [papers[i][1] for i in ids])


def cached_embeddings(corpus: Corpus, embedder: Any) -> np.ndarray:
    """Embeddings of corpus.texts, cached under a key of the model and every text."""
    digest = hashlib.sha256(embedder.model_id.encode())
    for text in corpus.texts:
        digest.update(text.encode("utf-8"))
        digest.update(b"\0")
    path = RESULTS / f"embeddings-{corpus.name}-{digest.hexdigest()[:16]}.npy"
    if path.exists():
        vectors = np.load(path)
        if vectors.shape[0] == len(corpus.texts):
            print(f"[{corpus.name}] embeddings from cache {path.name}", flush=True)
            return vectors
    print(f"[{corpus.name}] embedding {len(corpus.texts)} papers with {embedder.model_id} ...", flush=True)
    started = time.perf_counter()
    vectors = embedder.embed(corpus.texts, progress=True)
    print(f"[{corpus.name}] embedded in {time.perf_counter() - started:.0f} s", flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npy")
    np.save(tmp, vectors)
    os.replace(tmp, path)
    return vectors


class StageTimes:
    """Seconds spent in the expensive steps of fit_topics, by wrapping them (no profiler overhead)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._restore: list[tuple[Any, str, Any]] = []

    def wrap(self, owner: Any, name: str, stage: str) -> None:
        original = getattr(owner, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[stage] = self.seconds.get(stage, 0.0) + time.perf_counter() - started

        setattr(owner, name, timed)
        self._restore.append((owner, name, original))

    def __enter__(self) -> "StageTimes":
        import bertopic
        import hdbscan
        import umap

        from analytics.topics import clustering, describe, fit, labels

        # each function is wrapped where it is called from
        self.wrap(clustering, "exact_knn", "exact neighbours (1,000-20k papers)")
        self.wrap(umap.UMAP, "fit_transform", "UMAP fits (5-D clustering and 2-D map)")
        self.wrap(hdbscan.HDBSCAN, "fit", "HDBSCAN")
        self.wrap(bertopic.BERTopic, "fit", "keywords: c-TF-IDF and KeyBERT+MMR (BERTopic.fit)")
        self.wrap(describe, "frequent_keywords", "keyword usage filter")
        self.wrap(labels, "make_label", "labels (make_label)")
        self.wrap(clustering, "apply_guided_topics", "guided topics")
        self.wrap(fit, "layout_2d", "2-D map layout (UMAP)")
        return self

    def __exit__(self, *exc: Any) -> None:
        for owner, name, original in reversed(self._restore):
            setattr(owner, name, original)


@dataclass
class Fitted:
    model: str
    topic_ids: np.ndarray
    raw_topic_ids: np.ndarray
    keywords: dict[int, list[str]]
    labels: dict[int, str]
    seconds: float
    stage_seconds: dict[str, float] | None = None


def fit_pipeline(corpus: Corpus, embeddings: np.ndarray, embedder: Any, overrides: dict | None = None) -> Fitted:
    """analytics.topics.fit.fit_topics with the default config (optionally with [topics] overrides)."""
    from analytics.config import load_config
    from analytics.topics.fit import fit_topics

    cfg = load_config(overrides={"topics": overrides} if overrides else None)
    started = time.perf_counter()
    with StageTimes() as stages:
        result = fit_topics(corpus.texts, embeddings, cfg.topics, embedder=embedder, progress=False)
    seconds = time.perf_counter() - started
    keywords = {int(t): [k.strip() for k in kw.split(",") if k.strip()]
                for t, kw in zip(result.topics["topic_id"], result.topics["keywords"])}
    labels = {int(t): str(label) for t, label in zip(result.topics["topic_id"], result.topics["label"])}
    stage_seconds = {stage: round(value, 1) for stage, value in stages.seconds.items()}
    return Fitted("pipeline", result.topic_ids, result.raw_topic_ids, keywords, labels, seconds, stage_seconds)


def fit_bertopic_defaults(corpus: Corpus, embeddings: np.ndarray) -> Fitted:
    """Plain BERTopic(): default HDBSCAN (min_cluster_size=10, EOM), default CountVectorizer (no stop words,
    unigrams), default c-TF-IDF; only UMAP is given, with BERTopic's own default settings plus a seed."""
    from bertopic import BERTopic
    from umap import UMAP

    np.random.seed(SEED)
    umap_model = UMAP(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", random_state=SEED)
    started = time.perf_counter()
    model = BERTopic(umap_model=umap_model)
    topic_ids, _ = model.fit_transform(corpus.texts, embeddings=embeddings)
    seconds = time.perf_counter() - started
    topic_ids = np.asarray(topic_ids, dtype=int)
    keywords = {int(t): [w for w, _ in (model.get_topic(t) or []) if w][:10] for t in set(topic_ids.tolist()) - {-1}}
    info = model.get_topic_info()
    labels = {int(t): str(name) for t, name in zip(info["Topic"], info["Name"]) if t != -1}
    return Fitted("BERTopic defaults", topic_ids, topic_ids.copy(), keywords, labels, seconds)


def common_keywords(texts: list[str], topic_ids: np.ndarray) -> dict[int, list[str]]:
    """Keywords of any assignment extracted the pipeline's way (c-TF-IDF with its vectorizer, then the
    usage filter), so the clusterings can be compared apart from their keyword extractors.
    Mirrors the keyword step of analytics.topics.fit.fit_topics."""
    from bertopic.vectorizers import ClassTfidfTransformer
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

    from analytics.topics.describe import KEYWORD_CANDIDATES, frequent_keywords
    from analytics.topics.vocabulary import ACADEMIC_STOP_WORDS, TOKEN_PATTERN

    topics = sorted(set(topic_ids.tolist()) - {-1})
    members = {t: np.where(topic_ids == t)[0] for t in topics}
    vectorizer = CountVectorizer(stop_words=sorted(ENGLISH_STOP_WORDS | ACADEMIC_STOP_WORDS), ngram_range=(1, 2),
                                 min_df=1 if len(texts) < 5000 else 2, token_pattern=TOKEN_PATTERN)
    counts = vectorizer.fit_transform([" ".join(texts[i] for i in members[t]) for t in topics])
    ctfidf = ClassTfidfTransformer(reduce_frequent_words=True).fit_transform(counts)
    words = vectorizer.get_feature_names_out()
    analyzer = vectorizer.build_analyzer()
    keywords = {}
    for row, topic in enumerate(topics):
        weights = ctfidf[row].toarray().ravel()
        candidates = [words[j] for j in np.argsort(-weights, kind="stable")[:KEYWORD_CANDIDATES] if weights[j] > 0]
        keywords[topic] = frequent_keywords(candidates, [texts[i] for i in members[topic]], analyzer, 0.1)
    return keywords


def score(corpus: Corpus, fitted: Fitted) -> dict[str, Any]:
    from analytics.topic_quality import evaluate_topics, topic_coherence

    result = evaluate_topics(corpus.texts, fitted.topic_ids, fitted.keywords, labels=corpus.labels,
                             raw_topic_ids=fitted.raw_topic_ids)
    same = topic_coherence(corpus.texts, common_keywords(corpus.texts, fitted.topic_ids))
    result["coherence_npmi_common_keywords"] = round(float(np.nanmean(list(same.values()))), 4)
    result["model"] = fitted.model
    result["fit_seconds"] = round(fitted.seconds, 1)
    result["stage_seconds"] = fitted.stage_seconds
    result["_topic_ids"] = fitted.topic_ids.tolist()
    for entry in result["per_topic"]:
        entry["label"] = fitted.labels.get(entry["topic_id"], "")
    return result


def print_comparison(corpus: Corpus, results: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    def f(value: Any) -> str:
        return "-" if value is None else (f"{value:.3f}" if isinstance(value, float) else str(value))

    table = Table(title=f"{corpus.name}: {len(corpus.texts)} papers, same embeddings")
    table.add_column("metric")
    for result in results:
        table.add_column(result["model"], justify="right")
    rows = [
        ("topics", lambda r: f(r["topics"])),
        ("coherence NPMI (mean)", lambda r: f(r["coherence_npmi"])),
        ("coherence NPMI (size-weighted)", lambda r: f(r["coherence_npmi_weighted"])),
        ("coherence NPMI, same keyword extractor", lambda r: f(r["coherence_npmi_common_keywords"])),
        ("topic diversity", lambda r: f(r["topic_diversity"])),
        ("outlier share (final)", lambda r: f(r["outlier_share"])),
        ("outlier share (raw HDBSCAN)", lambda r: f(r["outlier_share_raw"])),
        ("size min / median / max", lambda r: f"{r['size']['min']} / {r['size']['median']:g} / {r['size']['max']}"),
        ("largest topic share", lambda r: f(r["size"]["largest_topic_share"])),
        ("size Gini", lambda r: f(r["size"]["gini"])),
    ]
    if corpus.labels is not None:
        for key, name in (("all_papers", "all papers"), ("non_outliers", "non-outliers")):
            rows += [
                (f"NMI vs category ({name})", lambda r, k=key: f(r["agreement"][k]["nmi"])),
                (f"ARI vs category ({name})", lambda r, k=key: f(r["agreement"][k]["ari"])),
                (f"purity vs category ({name})", lambda r, k=key: f(r["agreement"][k]["purity"])),
            ]
    rows.append(("fit time (s; pipeline incl. labels, 2-D map)", lambda r: f(r["fit_seconds"])))
    for name, value in rows:
        table.add_row(name, *[value(r) for r in results])
    Console(width=120).print(table)


def print_labels(result: dict[str, Any], limit: int) -> None:
    topics = sorted(result["per_topic"], key=lambda t: -t["size"])
    print(f"\n{result['model']}: {len(topics)} topics (largest {min(limit, len(topics))} shown)")
    for entry in topics[:limit]:
        npmi = entry["coherence_npmi"]
        print(f"  {entry['topic_id']:>4} {entry['size']:>5}  npmi {npmi if npmi is not None else float('nan'):+.3f}  "
              f"{entry['label']}  [{', '.join(entry['keywords'][:6])}]")


# Themes the samples are full of (issue #5): their papers should sit mostly in one topic each.
THEMES = {
    "unlearning": r"unlearn",
    "mixture of experts": r"mixtures?[- ]of[- ]experts|\bMoE",
    "interpretability": r"interpretab",
}


def print_theme_concentration(corpus: Corpus, result: dict[str, Any]) -> None:
    """For each theme, the papers whose TITLE matches it: how many, and which topics hold them (largest first)."""
    import re

    titles = corpus.titles or []
    topic_ids = np.asarray(result["_topic_ids"])
    labels = {entry["topic_id"]: entry["label"] for entry in result["per_topic"]}
    print(f"\n{result['model']}: where the theme papers sit (matched on title)")
    for theme, pattern in THEMES.items():
        rows = [i for i, title in enumerate(titles) if re.search(pattern, title, re.IGNORECASE)]
        if not rows:
            continue
        counts = Counter(int(topic_ids[i]) for i in rows).most_common()
        top_topic, top_count = counts[0]
        spread = ", ".join(f"{t}:{c}" for t, c in counts[:5])
        print(f"  {theme:<20} {len(rows):>3} papers, {top_count / len(rows):.0%} in topic {top_topic} "
              f"({labels.get(top_topic, 'outliers')})  [{spread}]")


def warm_up() -> None:
    """Compile UMAP's and HDBSCAN's numba code before timing, so neither model pays for it. UMAP takes
    another code path (nearest-neighbour descent) from 4096 points on, so the warm-up needs more than that."""
    from hdbscan import HDBSCAN
    from umap import UMAP

    points = np.random.default_rng(0).normal(size=(4500, 8)).astype(np.float32)
    reduced = UMAP(n_neighbors=10, n_components=5, min_dist=0.0, metric="cosine", random_state=0,
                   n_epochs=20).fit_transform(points)
    HDBSCAN(min_cluster_size=10).fit(reduced)


def run_corpus(corpus: Corpus, embedder: Any, *, label_limit: int, overrides: dict | None) -> list[dict[str, Any]]:
    embeddings = cached_embeddings(corpus, embedder)
    warm_up()
    print(f"[{corpus.name}] fitting the pipeline's topics ...", flush=True)
    pipeline = score(corpus, fit_pipeline(corpus, embeddings, embedder, overrides))
    print(f"[{corpus.name}] fitting BERTopic defaults ...", flush=True)
    defaults = score(corpus, fit_bertopic_defaults(corpus, embeddings))
    results = [pipeline, defaults]
    print_comparison(corpus, results)
    for result in results:
        if result.get("stage_seconds"):
            print(f"\n{result['model']} fit time by step:")
            for stage, seconds in result["stage_seconds"].items():
                print(f"  {seconds:8.1f} s  {stage}")
    for result in results:
        print_labels(result, label_limit)
        if corpus.titles:
            print_theme_concentration(corpus, result)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"bench_topics-{corpus.name}.json"
    out.write_text(json.dumps({"corpus": corpus.name, "papers": len(corpus.texts), "overrides": overrides,
                               "results": results}, indent=1, default=float) + "\n")
    print(f"\nwritten {out}")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", choices=["samples", "real", "both"], default="both")
    parser.add_argument("--real-n", type=int, default=10_000, help="papers sampled from the real corpus")
    parser.add_argument("--embed-only", action="store_true", help="only compute and cache the embeddings")
    parser.add_argument("--labels", type=int, default=40, help="how many topic labels to print per model")
    parser.add_argument("--topics", default=None, help='JSON overrides of [topics] config, e.g. \'{"outlier_threshold": 0.3}\'')
    args = parser.parse_args()
    overrides = json.loads(args.topics) if args.topics else None

    from analytics.embedding import load_embedder

    embedder = load_embedder("sentence-transformer")
    corpora = []
    if args.corpus in ("samples", "both"):
        corpora.append(load_samples())
    if args.corpus in ("real", "both"):
        real = load_real_sample(args.real_n)
        if real is None:
            print(f"real corpus not found at {REAL}: skipped")
        else:
            corpora.append(real)
    for corpus in corpora:
        if args.embed_only:
            cached_embeddings(corpus, embedder)
        else:
            run_corpus(corpus, embedder, label_limit=args.labels, overrides=overrides)


if __name__ == "__main__":
    main()
