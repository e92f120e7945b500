"""Topic quality per embedding backend: the same papers and topic settings, only the embeddings change.

    PYTHONPATH=. .venv/bin/python bench/bench_backend_topics.py [--n 1500]

A seeded sample of unique papers from ../shared/real/arxiv-daily-cs-cv-cl (skips cleanly when absent) is
embedded by each backend (the MiniLM in PyTorch at 256 and 128 tokens, as ONNX int8 at 128 tokens, and the
static model), topics are fitted with analytics.topics.fit.fit_topics (default config), and
analytics.topic_quality scores them: NPMI coherence, diversity, raw outlier share and agreement with the
papers' primary arXiv category (NMI / ARI / purity). Prints one row per backend with its embedding speed.
Embeddings are cached in bench/results/ (gitignored).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from analytics.config import load_config  # noqa: E402
from analytics.embedding import load_embedder, paper_text  # noqa: E402
from analytics.topic_quality import evaluate_topics  # noqa: E402
from analytics.topics.fit import fit_topics  # noqa: E402
from bench.arxiv_daily import corpus_dir, load_papers, sample_papers  # noqa: E402

RESULTS_DIR = Path(__file__).resolve().parent / "results"
VARIANTS = [  # (row name, backend, max_tokens)
    ("sentence-transformer@256", "sentence-transformer", 256),
    ("sentence-transformer@128", "sentence-transformer", 128),
    ("onnx-int8@128", "onnx", 128),
    ("static", "static", None),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1500, help="papers in the sample (default: %(default)s)")
    args = parser.parse_args()
    folder = corpus_dir()
    if folder is None:
        print("skipped: the real daily corpus (../shared/real/arxiv-daily-cs-cv-cl) is not on this machine")
        return
    papers = sample_papers(load_papers(folder), args.n, seed=7)
    texts = [paper_text(p.title, p.abstract) for p in papers]
    labels = [p.primary_category for p in papers]
    cfg = load_config(None)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    rows = []
    for name, backend, max_tokens in VARIANTS:
        embedder = load_embedder(backend, max_tokens=max_tokens)
        cache = RESULTS_DIR / f"backend-topics-{args.n}-{name}.npy"
        seconds = None
        if cache.exists():
            vectors = np.load(cache)
        else:
            started = time.perf_counter()
            vectors = embedder.embed(texts, progress=False)
            seconds = time.perf_counter() - started
            np.save(cache, vectors)
        result = fit_topics(texts, vectors, cfg.topics, embedder=embedder, progress=False)
        keywords = {int(t): k.split(", ") for t, k in zip(result.topics["topic_id"], result.topics["keywords"])}
        scores = evaluate_topics(texts, result.topic_ids, keywords, labels=labels, raw_topic_ids=result.raw_topic_ids)
        agreement = scores["agreement"]["all_papers"]
        row = {
            "backend": name, "papers": len(texts),
            "papers_per_second": round(len(texts) / seconds, 1) if seconds else None,
            "topics": scores["topics"], "npmi": scores["coherence_npmi"], "diversity": scores["topic_diversity"],
            "raw_outliers": round(float(np.mean(result.raw_topic_ids == -1)), 3),
            "nmi": agreement["nmi"], "ari": agreement["ari"], "purity": agreement["purity"],
        }
        rows.append(row)
        print(json.dumps(row), flush=True)
    (RESULTS_DIR / "backend_topics.json").write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
