"""UMAP and HDBSCAN choices on real paper embeddings: time against agreement with arXiv categories.

    PYTHONPATH=. .venv/bin/python bench/bench_clustering.py --size 10000
    PYTHONPATH=. .venv/bin/python bench/bench_clustering.py --size 50000 --umap full,sample

Embeds a seeded sample of the real corpus with the static backend (cached in bench/results/cache), reduces it
to 5 dimensions with each UMAP setting, clusters each reduction with hdbscan and fast-hdbscan, and prints the
seconds of each step with NMI against the papers' primary arXiv category, so a faster setting is only taken
when it keeps the clusters. Needs the static model (`make models`) and ../shared/real (skips when absent).

UMAP settings (all cosine, n_neighbors=15, n_components=5, min_dist=0, low_memory=True, seeded):
- full:      fit on all papers, umap-learn's default epochs (500 up to 10k papers, 200 above);
- epochs100: fit on all papers, 100 epochs;
- sample:    fit on a seeded sample (--fit-sample papers) and place the rest with transform();
- parallel:  like full but unseeded, so umap-learn may use every core (not reproducible: measured only to
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


def cached_static_embeddings(texts: list[str], tag: str) -> np.ndarray:
    """Static-backend vectors for `texts`, cached on disk by model id and the texts themselves."""
    embedder = load_embedder("static", batch_size=256)
    key = hashlib.sha256((embedder.model_id + "\n" + "\n".join(texts)).encode()).hexdigest()[:16]
    path = RESULTS_DIR / "cache" / f"static-{tag}-{key}.npy"
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


def cluster(reduced: np.ndarray, implementation: str, min_cluster_size: int, min_samples: int) -> np.ndarray:
    if implementation == "hdbscan":
        import hdbscan

        model = hdbscan.HDBSCAN(min_cluster_size=min_cluster_size, min_samples=min_samples,
                                metric="euclidean", cluster_selection_method="eom", core_dist_n_jobs=os.cpu_count())
    else:
        import fast_hdbscan

        model = fast_hdbscan.HDBSCAN(min_cluster_size=min_cluster_size, min_samples=min_samples,
                                     cluster_selection_method="eom", reproducible=True)
    return np.asarray(model.fit(reduced).labels_)


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
    parser.add_argument("--umap", default="full,epochs100,sample,parallel", help="UMAP settings to run")
    parser.add_argument("--hdbscan", default="hdbscan,fast_hdbscan", help="HDBSCAN implementations to run")
    parser.add_argument("--fit-sample", type=int, default=None, help="papers UMAP fits on in 'sample' (default: size/5, at least 5000)")
    parser.add_argument("--min-cluster-size", type=int, default=None, help="default: size/400, at least 15")
    parser.add_argument("--min-samples", type=int, default=10)
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
        vectors = cached_static_embeddings(texts, tag=str(len(texts)))
    except MissingModelError as error:
        print(f"skipping the clustering benchmark: {error}")
        return 0
    fit_sample = min(len(texts), args.fit_sample or max(5000, len(texts) // 5))
    min_cluster_size = args.min_cluster_size or max(15, len(texts) // 400)
    print(f"{len(texts)} papers, static vectors {vectors.shape}; HDBSCAN min_cluster_size={min_cluster_size} "
          f"min_samples={args.min_samples}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")

    rows = []
    print(f"{'umap':10s} {'umap s':>7s} {'hdbscan':12s} {'hdb s':>6s} {'clusters':>8s} {'noise':>6s} "
          f"{'NMI all':>8s} {'NMI clustered':>13s}")
    for setting in [name for name in args.umap.split(",") if name]:
        started = time.perf_counter()
        reduced = reduce(vectors, setting, fit_sample)
        umap_seconds = time.perf_counter() - started
        for implementation in [name for name in args.hdbscan.split(",") if name]:
            started = time.perf_counter()
            labels = cluster(reduced, implementation, min_cluster_size, args.min_samples)
            hdbscan_seconds = time.perf_counter() - started
            row = {"papers": len(texts), "umap": setting, "umap_seconds": round(umap_seconds, 1),
                   "hdbscan": implementation, "hdbscan_seconds": round(hdbscan_seconds, 2),
                   **scores(labels, categories)}
            rows.append(row)
            print(f"{setting:10s} {umap_seconds:7.1f} {implementation:12s} {hdbscan_seconds:6.1f} "
                  f"{row['clusters']:8d} {row['noise_share']:6.3f} {row['nmi_all']:8.4f} {row['nmi_clustered']:13.4f}",
                  flush=True)

    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / f"clustering-{len(texts)}.json"
    out.write_text(json.dumps({"fit_sample": fit_sample, "min_cluster_size": min_cluster_size,
                               "min_samples": args.min_samples, "load_average": round(os.getloadavg()[0], 1),
                               "rows": rows}, indent=2) + "\n", encoding="utf-8")
    print(f"written {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
