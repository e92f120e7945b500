"""UMAP and HDBSCAN choices on real paper embeddings: time against agreement with arXiv categories.

    PYTHONPATH=. .venv/bin/python bench/bench_clustering.py --size 10000
    PYTHONPATH=. .venv/bin/python bench/bench_clustering.py --size 50000 --umap full,sample

Embeds a seeded sample of the real corpus (static backend by default; cached in bench/results/cache), reduces it
to 5 dimensions with each UMAP setting, clusters each reduction with hdbscan and fast-hdbscan, and prints the
seconds of each step with NMI against the papers' primary arXiv category, so a faster setting is only taken
when it keeps the clusters. Needs the static model (`make models`) and ../shared/real (skips when absent).

UMAP settings (all cosine, n_neighbors=15, n_components=5, min_dist=0, low_memory=True, seeded):
- full:      fit on all papers, umap-learn's default epochs (500 up to 10k papers, 200 above);
- epochs100: fit on all papers, 100 epochs;
- sample:    fit on a seeded sample (--fit-sample papers) and place the rest with transform();
- parallel:  (opt-in) like full but unseeded, so umap-learn may use every core (not reproducible: measured only to
             show what determinism costs).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analytics.embedding import MissingModelError, load_embedder, paper_text  # noqa: E402
from bench.arxiv_daily import corpus_dir, load_papers, sample_papers  # noqa: E402

RESULTS_DIR = Path(__file__).resolve().parent / "results"
SEED = 42
UMAP_SETTINGS = ("full", "epochs100", "sample", "parallel")
QUALITY_QUERIES = 3000  # papers whose neighbours are checked for knn-acc


def cached_embeddings(texts: list[str], backend: str) -> np.ndarray:
    """Vectors for `texts`, cached on disk by model id and the texts themselves."""
    embedder = load_embedder(backend, batch_size=256 if backend == "static" else 64)
    key = hashlib.sha256((embedder.model_id + "\n" + "\n".join(texts)).encode()).hexdigest()[:16]
    path = RESULTS_DIR / "cache" / f"{backend}-{len(texts)}-{key}.npy"
    if path.is_file():
        return np.load(path)
    started = time.perf_counter()
    vectors = embedder.embed(texts, progress=True)
    print(f"embedded {len(texts)} papers with {embedder.model_id} in {time.perf_counter() - started:.1f} s")
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors


def reduce(vectors: np.ndarray, setting: str, fit_sample: int) -> np.ndarray:
    from umap import UMAP

    common = dict(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", low_memory=True)
    if setting == "full":
        return UMAP(**common, random_state=SEED).fit_transform(vectors)
    if setting == "epochs100":
        return UMAP(**common, n_epochs=100, random_state=SEED).fit_transform(vectors)
    if setting == "parallel":
        return UMAP(**common, n_jobs=os.cpu_count()).fit_transform(vectors)
    if setting == "sample":
        rows = np.random.default_rng(SEED).permutation(len(vectors))
        fitted, rest = rows[:fit_sample], rows[fit_sample:]
        model = UMAP(**common, random_state=SEED).fit(vectors[fitted])
        reduced = np.empty((len(vectors), 5), dtype=np.float32)
        reduced[fitted] = model.embedding_
        if len(rest):
            reduced[rest] = model.transform(vectors[rest])
        return reduced
    raise ValueError(f"unknown UMAP setting {setting!r}; choose from {UMAP_SETTINGS}")


def cluster(reduced: np.ndarray, implementation: str, min_cluster_size: int, min_samples: int,
            selection: str = "eom") -> np.ndarray:
    if implementation == "hdbscan":
        import hdbscan

        model = hdbscan.HDBSCAN(min_cluster_size=min_cluster_size, min_samples=min_samples,
                                metric="euclidean", cluster_selection_method=selection, core_dist_n_jobs=os.cpu_count())
    else:
        import fast_hdbscan

        model = fast_hdbscan.HDBSCAN(min_cluster_size=min_cluster_size, min_samples=min_samples,
                                     cluster_selection_method=selection, reproducible=True)
    return np.asarray(model.fit(reduced).labels_)


def knn_category_accuracy(points: np.ndarray, categories: np.ndarray, query_rows: np.ndarray) -> float:
    """Leave-one-out 10-NN vote for the primary category of `query_rows` among all points (Euclidean on
    unit vectors ranks like cosine). Measures how much category structure a space keeps, whatever HDBSCAN does."""
    from sklearn.neighbors import NearestNeighbors

    index = NearestNeighbors(n_neighbors=11).fit(points)
    _, neighbours = index.kneighbors(points[query_rows])
    correct = 0
    for row, own in zip(neighbours, query_rows):
        others = [i for i in row if i != own][:10]
        values, counts = np.unique(categories[others], return_counts=True)
        correct += values[np.argmax(counts)] == categories[own]
    return correct / len(query_rows)


def warm_up(implementations: list[str]) -> dict[str, float]:
    """First calls compile numba code (UMAP, pynndescent, fast-hdbscan): a cost every new process pays once."""
    from umap import UMAP

    points = np.random.default_rng(SEED).normal(size=(1000, 32)).astype(np.float32)
    seconds = {}
    started = time.perf_counter()
    reduced = UMAP(n_components=5, metric="cosine", n_epochs=20, random_state=SEED).fit(points[:800])
    reduced.transform(points[800:])
    seconds["umap"] = round(time.perf_counter() - started, 1)
    for implementation in implementations:
        started = time.perf_counter()
        cluster(reduced.embedding_, implementation, 10, 10)
        seconds[implementation] = round(time.perf_counter() - started, 1)
    return seconds


def scores(labels: np.ndarray, categories: np.ndarray) -> dict:
    from sklearn.metrics import normalized_mutual_info_score

    clustered = labels >= 0
    return {
        "clusters": int(labels.max() + 1),
        "noise_share": round(float(1 - clustered.mean()), 3),
        # Noise counted as one more cluster: a setting cannot look good by discarding hard papers.
        "nmi_all": round(float(normalized_mutual_info_score(categories, labels)), 4),
        "nmi_clustered": round(float(normalized_mutual_info_score(categories[clustered], labels[clustered])), 4)
        if clustered.any() else 0.0,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10000, help="papers to cluster")
    parser.add_argument("--backend", default="static", help="embedding backend (the transformer ones are slow)")
    parser.add_argument("--selection", default="eom", choices=["eom", "leaf"], help="HDBSCAN cluster selection")
    parser.add_argument("--umap", default="full,epochs100,sample", help=f"UMAP settings to run, from {UMAP_SETTINGS}")
    parser.add_argument("--hdbscan", default="hdbscan,fast_hdbscan", help="HDBSCAN implementations to run")
    parser.add_argument("--fit-sample", type=int, default=None, help="papers UMAP fits on in 'sample' (default: size/5, at least 5000)")
    parser.add_argument("--min-cluster-size", type=int, default=None, help="default: size/1000, at least 10")
    parser.add_argument("--min-samples", type=int, default=None, help="default: min-cluster-size (as BERTopic)")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", message=".*n_jobs value.*overridden.*")  # seeded UMAP is single-threaded

    folder = corpus_dir()
    if folder is None:
        print("real corpus ../shared/real/arxiv-daily-cs-cv-cl not found: skipping the clustering benchmark")
        return 0
    papers = sample_papers(load_papers(folder), args.size, seed=0)
    texts = [paper_text(paper.title, paper.abstract) for paper in papers]
    categories = np.array([paper.primary_category for paper in papers])
    try:
        vectors = cached_embeddings(texts, args.backend)
    except MissingModelError as error:
        print(f"skipping the clustering benchmark: {error}")
        return 0
    fit_sample = min(len(texts), args.fit_sample or max(5000, len(texts) // 5))
    min_cluster_size = args.min_cluster_size or max(10, len(texts) // 1000)
    min_samples = args.min_samples or min_cluster_size
    implementations = [name for name in args.hdbscan.split(",") if name]
    print(f"{len(texts)} papers, {args.backend} vectors {vectors.shape}; HDBSCAN {args.selection} min_cluster_size={min_cluster_size} "
          f"min_samples={min_samples}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")

    compile_seconds = warm_up(implementations)
    print(f"first-call (numba compile) seconds on 1000 points: {compile_seconds}")
    query_rows = np.random.default_rng(SEED).permutation(len(texts))[:QUALITY_QUERIES]
    raw_accuracy = knn_category_accuracy(vectors, categories, query_rows)
    print(f"knn-acc (10-NN primary category) in the {vectors.shape[1]}-d {args.backend} space: {raw_accuracy:.3f}")

    rows = []
    print(f"{'umap':10s} {'umap s':>7s} {'knn-acc':>7s} {'hdbscan':12s} {'hdb s':>6s} {'clusters':>8s} {'noise':>6s} "
          f"{'NMI all':>8s} {'NMI clustered':>13s}")
    for setting in [name for name in args.umap.split(",") if name]:
        started = time.perf_counter()
        reduced = reduce(vectors, setting, fit_sample)
        umap_seconds = time.perf_counter() - started
        reduced_accuracy = knn_category_accuracy(reduced, categories, query_rows)
        labels_by_implementation = {}
        for implementation in implementations:
            started = time.perf_counter()
            labels = cluster(reduced, implementation, min_cluster_size, min_samples, args.selection)
            hdbscan_seconds = time.perf_counter() - started
            labels_by_implementation[implementation] = labels
            row = {"papers": len(texts), "umap": setting, "umap_seconds": round(umap_seconds, 1),
                   "umap_knn_category_accuracy": round(reduced_accuracy, 4),
                   "hdbscan": implementation, "hdbscan_seconds": round(hdbscan_seconds, 2),
                   **scores(labels, categories)}
            rows.append(row)
            print(f"{setting:10s} {umap_seconds:7.1f} {reduced_accuracy:7.3f} {implementation:12s} {hdbscan_seconds:6.1f} "
                  f"{row['clusters']:8d} {row['noise_share']:6.3f} {row['nmi_all']:8.4f} {row['nmi_clustered']:13.4f}",
                  flush=True)
        if len(labels_by_implementation) == 2:
            from sklearn.metrics import adjusted_rand_score

            first, second = labels_by_implementation.values()
            agreement = round(float(adjusted_rand_score(first, second)), 4)
            rows[-1]["ari_between_implementations"] = agreement
            print(f"{'':10s} ARI between the two HDBSCAN implementations: {agreement}")

    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / f"clustering-{args.backend}-{len(texts)}-{args.selection}.json"
    out.write_text(json.dumps({"backend": args.backend, "selection": args.selection, "fit_sample": fit_sample, "min_cluster_size": min_cluster_size,
                               "min_samples": min_samples, "compile_seconds": compile_seconds,
                               "raw_knn_category_accuracy": round(raw_accuracy, 4), "load_average": round(os.getloadavg()[0], 1),
                               "rows": rows}, indent=2) + "\n", encoding="utf-8")
    print(f"written {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
