"""Designs for 75k-paper topics (issue 19), measured from embeddings on the real corpus of a finished run.

    PYTHONPATH=. .venv/bin/python bench/bench_sample_assign.py --run /tmp/real75k/out --store /tmp/real75k/store

Fit topics on a seeded sample of papers embedded with the MiniLM as ONNX int8 (the project's backend, 128
tokens), with the project's clustering (analytics.topics.clustering.cluster_papers), then give every other paper a topic
with a cheap model over the static model2vec vectors the store already holds:
- projected (shipped, analytics.topics.sampled.TransformerSpaceEstimator): its transformer vector estimated from
  its words (TF-IDF) and static vector by kernel ridge regression learned on the sample, then the nearest topic
  centroid in the transformer's space;
- svc (shipped before it): a linear SVM over TF-IDF words + the static vector;
- knn: similarity-weighted vote of its k nearest sample papers;
- ridgeknn: static vectors projected into the transformer's space (ridge, learned on the sample), then knn;
- logreg: a multinomial logistic regression trained on the sample's topics;
- centroid: the nearest topic centroid.
Each assignment is scored by bench/bench_topic_quality.py (NMI vs primary category, MiniLM coherence margins).
The sample's ONNX vectors and the static vectors are cached in bench/results/ (gitignored); the printed
embedding speed is from the first, uncached, run.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analytics.config import load_config  # noqa: E402
from analytics.embedding import load_embedder, paper_text  # noqa: E402
from analytics.topics.clustering import cluster_papers  # noqa: E402
from analytics.topics.sampled import KnnVote, TransformerSpaceEstimator, sample_rows  # noqa: E402
from bench.bench_topic_quality import (MiniLMVectors, RESULTS_DIR, nmi_vs_category, primary_categories,
                                       score_topics)  # noqa: E402

STATIC_MODEL_ID = "static:minilm-static:max512:3ad0f737a50e"


def peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2


def static_vectors(store_dir: Path, hashes: list[str]) -> np.ndarray:
    cache = RESULTS_DIR / "static-75k.npy"
    if cache.exists():
        return np.load(cache)
    import duckdb

    con = duckdb.connect(str(store_dir / "topictrends.duckdb"), read_only=True)
    table = con.execute("SELECT content_hash, vector FROM embeddings WHERE model_id = ?", [STATIC_MODEL_ID]).df()
    by_hash = dict(zip(table["content_hash"], table["vector"]))
    vectors = np.vstack([np.asarray(by_hash[h], dtype=np.float32) for h in hashes])
    np.save(cache, vectors)
    return vectors


def onnx_sample_vectors(texts: list[str], rows: np.ndarray, max_tokens: int) -> tuple[np.ndarray, float | None]:
    cache = RESULTS_DIR / f"onnx{max_tokens}-hashsample-{len(rows)}.npy"
    if cache.exists():
        return np.load(cache), None
    embedder = load_embedder("onnx", batch_size=16, max_tokens=max_tokens)
    started = time.perf_counter()
    vectors = embedder.embed([texts[i] for i in rows], progress=True)
    seconds = time.perf_counter() - started
    np.save(cache, vectors)
    return vectors, seconds


def knn_assign(sample_vectors: np.ndarray, sample_topics: np.ndarray, vectors: np.ndarray, k: int) -> np.ndarray:
    """A similarity-weighted vote of the k nearest sample papers (analytics.topics.sampled.KnnVote)."""
    vote = KnnVote(sample_vectors, k=k)
    indices, sims = vote.neighbours(vectors)
    return KnnVote.vote(sample_topics, indices, sims)


def centroid_assign(sample_vectors: np.ndarray, sample_topics: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    topics = sorted(set(sample_topics.tolist()))
    centroids = np.vstack([sample_vectors[sample_topics == t].mean(axis=0) for t in topics])
    centroids /= np.linalg.norm(centroids, axis=1, keepdims=True)
    return np.array(topics)[(vectors @ centroids.T).argmax(axis=1)]


def logreg_assign(sample_vectors: np.ndarray, sample_topics: np.ndarray, vectors: np.ndarray,
                  seed: int) -> np.ndarray:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=10.0, max_iter=300, random_state=seed)
    model.fit(sample_vectors, sample_topics)
    return model.predict(vectors)


def ridge_knn_assign(sample_static: np.ndarray, sample_transformer: np.ndarray, sample_topics: np.ndarray,
                     vectors: np.ndarray, k: int) -> np.ndarray:
    """Project static vectors into the transformer's space with a ridge map learned on the sample, then vote
    among the sample's transformer vectors."""
    from sklearn.linear_model import Ridge

    projection = Ridge(alpha=1.0).fit(sample_static, sample_transformer)
    projected = projection.predict(vectors).astype(np.float32)
    projected /= np.linalg.norm(projected, axis=1, keepdims=True)
    return knn_assign(sample_transformer, sample_topics, projected, k)


def svc_assign(sample_texts: list[str], sample_static: np.ndarray, sample_topics: np.ndarray, texts: list[str],
               vectors: np.ndarray, seed: int) -> np.ndarray:
    """A linear SVM (one-vs-rest) over TF-IDF unigrams next to the static vector, trained on the sample's topics."""
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    vectorizer = TfidfVectorizer(sublinear_tf=True, min_df=2, stop_words="english", dtype=np.float32).fit(sample_texts)

    def features(chosen_texts: list[str], static: np.ndarray):
        return sparse.hstack([vectorizer.transform(chosen_texts), sparse.csr_matrix(static)]).tocsr()

    model = LinearSVC(C=0.5, random_state=seed).fit(features(sample_texts, sample_static), sample_topics)
    return model.predict(features(texts, vectors))


def projected_assign(sample_texts: list[str], sample_static: np.ndarray, sample_transformer: np.ndarray,
                     sample_topics: np.ndarray, texts: list[str], vectors: np.ndarray) -> np.ndarray:
    """The shipped assigner: estimated transformer vector, nearest topic centroid."""
    estimator = TransformerSpaceEstimator().fit(sample_texts, sample_static, sample_transformer)
    estimated = estimator.estimate(texts, vectors)
    normalised = sample_transformer / np.linalg.norm(sample_transformer, axis=1, keepdims=True)
    return centroid_assign(normalised, sample_topics, estimated)


def assign(name: str, sample_static: np.ndarray, sample_transformer: np.ndarray, sample_topics: np.ndarray,
           vectors: np.ndarray, seed: int, sample_texts: list[str], texts: list[str]) -> np.ndarray:
    if name == "projected":  # the shipped assigner
        return projected_assign(sample_texts, sample_static, sample_transformer, sample_topics, texts, vectors)
    if name == "svc":
        return svc_assign(sample_texts, sample_static, sample_topics, texts, vectors, seed)
    if name.startswith("ridgeknn"):
        return ridge_knn_assign(sample_static, sample_transformer, sample_topics, vectors, k=int(name[8:]))
    if name.startswith("knn"):
        return knn_assign(sample_static, sample_topics, vectors, k=int(name[3:]))
    if name == "logreg":
        return logreg_assign(sample_static, sample_topics, vectors, seed)
    if name == "centroid":
        return centroid_assign(sample_static, sample_topics, vectors)
    raise SystemExit(f"unknown assigner {name!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--run", type=Path, required=True)
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--sample", type=int, default=10000)
    parser.add_argument("--max-tokens", type=int, default=128)
    parser.add_argument("--assigners", default="projected,svc,knn15,ridgeknn15,logreg,centroid")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    papers = pd.read_csv(args.run / "papers.csv", dtype=str, keep_default_na=False)
    texts = [paper_text(t, a) for t, a in zip(papers["title"], papers["abstract"])]
    primary = primary_categories(papers["categories"])
    static = static_vectors(args.store, papers["content_hash"].tolist())
    cfg = load_config(None)
    seed = cfg.topics.seed
    rows = sample_rows(papers["content_hash"].tolist(), args.sample, seed)
    sample_onnx, embed_seconds = onnx_sample_vectors(texts, rows, args.max_tokens)
    if embed_seconds:
        print(f"ONNX int8 @{args.max_tokens}: {len(rows)} papers in {embed_seconds:.0f} s "
              f"({len(rows) / embed_seconds:.1f} papers/s)", flush=True)

    started = time.perf_counter()
    clustering = cluster_papers([texts[i] for i in rows], sample_onnx, cfg.topics,
                                embedder=load_embedder("onnx", batch_size=16, max_tokens=args.max_tokens),
                                progress=False)
    cluster_seconds = time.perf_counter() - started
    sample_topics = clustering.assignment
    print(f"clustering the sample: {cluster_seconds:.0f} s, {sample_topics.max() + 1} topics, "
          f"raw outliers {np.mean(clustering.raw == -1):.3f}", flush=True)

    # Assign first (cheap) and print, then score coherence (PyTorch MiniLM embedding: minutes per design).
    rest = np.setdiff1d(np.arange(len(texts)), rows)
    # How often each assigner agrees with the transformer topics: train on 80% of the sample, check the rest.
    held_out = np.random.default_rng(seed).random(len(rows)) < 0.2
    designs: dict[str, tuple[list[str], np.ndarray, np.ndarray, dict]] = {
        "today: static default (the run's papers.csv)": (
            texts, papers["topic_id"].astype(int).to_numpy(), primary, {}),
        f"sample only ({args.sample} MiniLM-ONNX topics)": (
            [texts[i] for i in rows], sample_topics, primary[rows], {}),
    }
    for name in args.assigners.split(","):
        check = assign(name, static[rows][~held_out], sample_onnx[~held_out], sample_topics[~held_out],
                       static[rows][held_out], seed, [texts[i] for i in rows[~held_out]],
                       [texts[i] for i in rows[held_out]])
        started = time.perf_counter()
        predicted = assign(name, static[rows], sample_onnx, sample_topics, static[rest], seed,
                           [texts[i] for i in rows], [texts[i] for i in rest])
        seconds = time.perf_counter() - started
        topic_ids = np.empty(len(texts), dtype=int)
        topic_ids[rows] = sample_topics
        topic_ids[rest] = predicted
        extra = {"assign_seconds": round(seconds, 1),
                 "held_out_agreement": round(float(np.mean(check == sample_topics[held_out])), 4),
                 "nmi_vs_primary": round(nmi_vs_category(topic_ids, primary), 4)}
        print(json.dumps({"design": name, **extra}), flush=True)
        designs[f"sample {args.sample} + {name} on static"] = (texts, topic_ids, primary, extra)
    minilm = MiniLMVectors()
    results = {}
    for name, (design_texts, topic_ids, design_primary, extra) in designs.items():
        results[name] = {**extra, **score_topics(design_texts, topic_ids, design_primary, minilm)}
        printable = {k: v for k, v in results[name].items() if k not in ("per_topic", "worst_topics")}
        print(json.dumps({"design": name, **printable}), flush=True)
    print(f"peak RSS {peak_rss_gb():.2f} GB")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
