"""Embedding backends side by side on real papers: speed and what the speed costs in quality.

    PYTHONPATH=. .venv/bin/python bench/bench_embedding.py [--n 1000] [--slow-n 500]

Reads ../shared/real/arxiv-daily-cs-cv-cl (skips cleanly when absent). One seeded sample of unique papers;
the transformer backends embed its first --slow-n papers, the static backend all --n. Quality is measured on
the common --slow-n papers against the PyTorch MiniLM (the reference):
- cosine: mean cosine with the reference vectors (same vector space only);
- nn-overlap@10: share of each paper's 10 nearest neighbours that the reference also finds;
- knn-acc: leave-one-out 10-NN vote for the paper's primary arXiv category: how well the geometry separates
  fields, which is what clustering into topics needs. The majority-class rate is printed as the floor.
Results go to stdout and bench/results/embedding.json. Bounded to a few minutes on 2 shared cores.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analytics.embedding import MissingModelError, load_embedder, paper_text  # noqa: E402
from bench.arxiv_daily import corpus_dir, load_papers, sample_papers  # noqa: E402

RESULTS_DIR = Path(__file__).resolve().parent / "results"
NEIGHBOURS = 10

# (row name, backend, max_tokens): the PyTorch MiniLM at its own 256-token limit is the reference.
VARIANTS = [
    ("sentence-transformer", "sentence-transformer", None),
    ("sentence-transformer@128", "sentence-transformer", 128),
    ("onnx-int8", "onnx", None),
    ("onnx-int8@128", "onnx", 128),
    ("static", "static", None),
]
SLOW_BACKENDS = {"sentence-transformer", "onnx"}


def nearest_neighbours(vectors: np.ndarray, k: int) -> np.ndarray:
    """Indices of each row's k most cosine-similar other rows (rows are unit vectors)."""
    similarity = vectors @ vectors.T
    np.fill_diagonal(similarity, -np.inf)
    return np.argsort(-similarity, axis=1, kind="stable")[:, :k]


def knn_category_accuracy(neighbours: np.ndarray, labels: np.ndarray) -> float:
    """Leave-one-out majority vote of the neighbours' labels (ties: the label seen first among the nearest)."""
    correct = 0
    for row, label in zip(neighbours, labels):
        votes = Counter(labels[row].tolist())
        top = max(votes.values())
        predicted = next(labels[i] for i in row if votes[labels[i]] == top)
        correct += predicted == label
    return correct / len(labels)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="papers for the static backend")
    parser.add_argument("--slow-n", type=int, default=500, help="papers for the transformer backends")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", default="", help="comma-separated row names to run (default: all)")
    args = parser.parse_args(argv)

    folder = corpus_dir()
    if folder is None:
        print("real corpus ../shared/real/arxiv-daily-cs-cv-cl not found: skipping the embedding benchmark")
        return 0
    papers = sample_papers(load_papers(folder), args.n, seed=args.seed)
    texts = [paper_text(paper.title, paper.abstract) for paper in papers]
    labels = np.array([paper.primary_category for paper in papers])
    common = min(args.slow_n, len(texts))
    print(f"{len(texts)} papers (seed {args.seed}); quality on the first {common}; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")

    wanted = {name for name in args.only.split(",") if name}
    rows: dict[str, dict] = {}
    vectors_by_name: dict[str, np.ndarray] = {}
    for name, backend, max_tokens in VARIANTS:
        if wanted and name not in wanted and name != "sentence-transformer":
            continue
        try:
            embedder = load_embedder(backend, max_tokens=max_tokens)
        except MissingModelError as error:
            print(f"{name:26s} skipped: {error}")
            continue
        count = common if backend in SLOW_BACKENDS else len(texts)
        embedder.embed(texts[:8], progress=False)  # warm-up: first-call allocations are not throughput
        started = time.perf_counter()
        vectors = embedder.embed(texts[:count], progress=False)
        seconds = time.perf_counter() - started
        vectors_by_name[name] = vectors[:common]
        rows[name] = {"model_id": embedder.model_id, "papers": count, "seconds": round(seconds, 2),
                      "docs_per_s": round(count / seconds, 1)}
        print(f"{name:26s} {count:6d} papers {seconds:7.1f} s {count / seconds:8.1f} papers/s")

    common_labels = labels[:common]
    reference = vectors_by_name.get("sentence-transformer")
    reference_nn = nearest_neighbours(reference, NEIGHBOURS) if reference is not None else None
    majority = Counter(common_labels.tolist()).most_common(1)[0][1] / common
    print(f"\nquality on {common} papers (majority-class floor for knn-acc: {majority:.3f})")
    print(f"{'backend':26s} {'cosine':>7s} {'nn-overlap@10':>14s} {'knn-acc':>8s} {'speed-up':>9s}")
    for name, vectors in vectors_by_name.items():
        neighbours = nearest_neighbours(vectors, NEIGHBOURS)
        row = rows[name]
        row["knn_category_accuracy"] = round(knn_category_accuracy(neighbours, common_labels), 4)
        if reference is not None:
            row["nn_overlap_at_10"] = round(float(np.mean(
                [len(set(a) & set(b)) / NEIGHBOURS for a, b in zip(neighbours, reference_nn)])), 4)
            if vectors.shape[1] == reference.shape[1]:
                row["mean_cosine"] = round(float((vectors * reference).sum(axis=1).mean()), 4)
            row["speed_up"] = round(row["docs_per_s"] / rows["sentence-transformer"]["docs_per_s"], 1)
        cosine = f"{row['mean_cosine']:.4f}" if "mean_cosine" in row else "   n/a"
        print(f"{name:26s} {cosine:>7s} {row.get('nn_overlap_at_10', float('nan')):14.3f} "
              f"{row['knn_category_accuracy']:8.3f} {row.get('speed_up', float('nan')):8.1f}x")

    RESULTS_DIR.mkdir(exist_ok=True)
    summary = {"papers": len(texts), "quality_papers": common, "seed": args.seed,
               "majority_class_rate": round(majority, 4), "load_average": round(os.getloadavg()[0], 1),
               "backends": rows}
    (RESULTS_DIR / "embedding.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten {RESULTS_DIR / 'embedding.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
