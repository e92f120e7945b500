"""Topic quality measured with a model the run did not use (issue 19): NMI against the primary arXiv category
and the coherence margin of every topic.

    PYTHONPATH=. .venv/bin/python bench/bench_topic_quality.py --run /tmp/real75k/out [--run OTHER ...]

Coherence margin, per topic: 40 seeded sample papers of the topic are embedded with the PyTorch
all-MiniLM-L6-v2 (sentence-transformers, title + abstract, the model's 256-token limit); the margin is their
mean pairwise cosine minus their mean cosine to 400 seeded random papers of the whole corpus
(analytics.topic_quality.coherence_margins). Reported: median, minimum, topics under 0.07, the worst topics.
NMI: over all papers with a category, outliers (topic -1) counted as one more cluster.
Label specificity: how many of a topic's papers use its label's lead phrase, and how much more than the corpus.
Map separation: share of a paper's 10 nearest map neighbours in its topic, and the map's silhouette by topic.
The PyTorch vectors are cached by text hash in bench/results/ (gitignored), so a rerun embeds only new papers.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from analytics.embedding import content_hash, load_embedder, paper_text  # noqa: E402
from analytics.topic_quality import coherence_margins, margin_sample  # noqa: E402

RESULTS_DIR = Path(__file__).resolve().parent / "results"
VECTOR_CACHE = RESULTS_DIR / "minilm-pytorch-256-vectors.npz"
MARGIN_TARGET = 0.07  # issue 19: no topic under this margin
SEED = 0


class MiniLMVectors:
    """PyTorch MiniLM vectors of texts, cached on disk by content hash."""

    def __init__(self, cache_path: Path = VECTOR_CACHE) -> None:
        self.cache_path = cache_path
        self.known: dict[str, np.ndarray] = {}
        if cache_path.exists():
            stored = np.load(cache_path)
            self.known = dict(zip(stored["hashes"].tolist(), stored["vectors"]))
        self.embedder = None
        self.embedded_seconds = 0.0

    def of_texts(self, texts: list[str]) -> np.ndarray:
        hashes = [content_hash(t) for t in texts]
        new = sorted({h: t for h, t in zip(hashes, texts) if h not in self.known}.items())
        if new:
            if self.embedder is None:
                self.embedder = load_embedder("sentence-transformer", batch_size=32)  # max_tokens: model's 256
            started = time.perf_counter()
            vectors = self.embedder.embed([t for _, t in new], progress=True)
            self.embedded_seconds += time.perf_counter() - started
            self.known.update(zip([h for h, _ in new], vectors))
            self.save()
        return np.vstack([self.known[h] for h in hashes])

    def save(self) -> None:
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        hashes = list(self.known)
        temporary = self.cache_path.with_suffix(".tmp.npz")
        np.savez(temporary, hashes=np.array(hashes), vectors=np.vstack([self.known[h] for h in hashes]))
        temporary.replace(self.cache_path)


def primary_categories(categories: pd.Series) -> np.ndarray:
    return categories.fillna("").astype(str).map(lambda c: c.split(";")[0].strip()).to_numpy()


def nmi_vs_category(topic_ids: np.ndarray, primary: np.ndarray) -> float:
    from sklearn.metrics import normalized_mutual_info_score

    known = primary != ""
    return float(normalized_mutual_info_score(primary[known], np.asarray(topic_ids)[known]))


def score_topics(texts: list[str], topic_ids: np.ndarray, primary: np.ndarray, minilm: MiniLMVectors,
                 labels: dict[int, str] | None = None) -> dict:
    """NMI and coherence margins of one assignment of `texts` to topics (-1: outlier)."""
    topic_ids = np.asarray(topic_ids, dtype=int)
    sample = margin_sample(topic_ids, seed=SEED)
    minilm.of_texts([texts[i] for i in sample.all_rows()])  # one pass, batched by length, before the lookups
    margins = coherence_margins(sample, lambda rows: minilm.of_texts([texts[i] for i in rows]))
    values = np.array([m["margin"] for m in margins.values()])
    sizes = pd.Series(topic_ids[topic_ids != -1]).value_counts()
    worst = sorted(margins, key=lambda t: margins[t]["margin"])[:5]
    return {
        "papers": len(topic_ids),
        "topics": len(margins),
        "outlier_share": round(float((topic_ids == -1).mean()), 4),
        "nmi_vs_primary": round(nmi_vs_category(topic_ids, primary), 4),
        "margin_median": round(float(np.median(values)), 4),
        "margin_min": round(float(values.min()), 4),
        f"topics_under_{MARGIN_TARGET}": int((values < MARGIN_TARGET).sum()),
        "largest_topic_share": round(float(sizes.max() / len(topic_ids)), 4),
        "worst_topics": [
            {"topic_id": t, "size": int(sizes[t]), "margin": round(margins[t]["margin"], 4),
             "label": (labels or {}).get(t, "")}
            for t in worst
        ],
        "per_topic": {int(t): round(m["margin"], 4) for t, m in margins.items()},
    }


def label_specificity(texts: list[str], topic_ids: np.ndarray, labels: dict[int, str]) -> dict:
    """How specific labels are: for each topic, the share of its papers whose text uses the label's lead phrase
    (before the first comma, case-insensitive) and the lift of that share over the whole corpus's share.
    A label naming the topic's subject is used by many of its papers and few others."""
    lowered = [t.lower() for t in texts]
    shares, lifts = [], []
    for topic, label in labels.items():
        lead = label.split(",")[0].split(" (")[0].strip().lower()
        members = np.flatnonzero(topic_ids == topic)
        if not lead or topic == -1 or len(members) == 0:
            continue
        uses = np.array([lead in text for text in lowered])
        shares.append(float(uses[members].mean()))
        lifts.append(float(uses[members].mean() / max(uses.mean(), 1e-4)))
    return {"label_lead_share_median": round(float(np.median(shares)), 3),
            "label_lead_lift_median": round(float(np.median(lifts)), 1)}


def map_separation(xy: np.ndarray, topic_ids: np.ndarray, sample: int = 5000) -> dict:
    """Do topics stand apart on the 2-D map? For a seeded sample of papers: the share of their 10 nearest map
    neighbours in the same topic, and the silhouette of the map positions by topic (-1..1; ~0: one blob)."""
    from sklearn.metrics import silhouette_score
    from sklearn.neighbors import NearestNeighbors

    rows = np.random.default_rng(SEED).choice(len(xy), size=min(sample, len(xy)), replace=False)
    _, nearest = NearestNeighbors(n_neighbors=11).fit(xy).kneighbors(xy[rows])
    same = float((topic_ids[nearest[:, 1:]] == topic_ids[rows][:, None]).mean())
    return {"map_same_topic_share": round(same, 3),
            "map_silhouette": round(float(silhouette_score(xy[rows], topic_ids[rows])), 3)}


def load_run(run_dir: Path) -> tuple[list[str], np.ndarray, np.ndarray, dict[int, str]]:
    papers = pd.read_csv(run_dir / "papers.csv", dtype=str, keep_default_na=False)
    topics = pd.read_csv(run_dir / "topics.csv", dtype=str, keep_default_na=False)
    texts = [paper_text(t, a) for t, a in zip(papers["title"], papers["abstract"])]
    labels = {int(t): label for t, label in zip(topics["topic_id"], topics["label"])}
    return texts, papers["topic_id"].astype(int).to_numpy(), primary_categories(papers["categories"]), labels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--run", action="append", required=True, type=Path, help="a run's output folder")
    parser.add_argument("--json", type=Path, default=None, help="also write the scores to this file")
    args = parser.parse_args()
    minilm = MiniLMVectors()
    results = {}
    for run_dir in args.run:
        texts, topic_ids, primary, labels = load_run(run_dir)
        result = score_topics(texts, topic_ids, primary, minilm, labels)
        result.update(label_specificity(texts, topic_ids, labels))
        xy = pd.read_csv(run_dir / "papers.csv", usecols=["map_x", "map_y"]).to_numpy()
        result.update(map_separation(xy, topic_ids))
        results[str(run_dir)] = result
        printable = {k: v for k, v in result.items() if k != "per_topic"}
        print(json.dumps({"run": str(run_dir), **printable}, indent=1), flush=True)
    if minilm.embedded_seconds:
        print(f"(PyTorch MiniLM embedding for the measure: {minilm.embedded_seconds:.0f} s)")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
