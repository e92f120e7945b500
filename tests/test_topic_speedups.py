"""Faster paths around the libraries (analytics.topics.speedups): exact neighbours, BERTopic's lean import."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np

from analytics.topics.speedups import exact_knn

ROOT = Path(__file__).resolve().parents[1]


def test_exact_neighbours_match_a_brute_force_search_in_any_block_size() -> None:
    from sklearn.neighbors import NearestNeighbors

    rng = np.random.default_rng(3)
    emb = rng.standard_normal((300, 16)).astype(np.float32)
    emb[7] = emb[3]  # a duplicate: each of the two is still its own first neighbour
    expected_dist, expected_idx = NearestNeighbors(n_neighbors=10, metric="cosine", algorithm="brute").fit(
        emb).kneighbors(emb)
    for block in (64, 4096):
        idx, dist = exact_knn(emb, 10, block=block)
        assert idx.shape == (300, 10) and (idx[:, 0] == np.arange(300)).all()
        assert {3, 7} <= set(idx[3, :2]) and {3, 7} <= set(idx[7, :2])
        np.testing.assert_allclose(dist, expected_dist, atol=1e-5)
        assert (idx[:, 1:] == expected_idx[:, 1:]).mean() > 0.99  # ties aside, the same neighbours


def test_bertopic_imports_without_its_unused_llm_integrations_and_torch() -> None:
    # BERTopic's TextGeneration / ZeroShotClassification pull in transformers' pipelines, its save helpers
    # torch (seconds of every run); topictrends uses none of them. Afterwards all of them must still import
    # normally, and BERTopic must still fit.
    code = (
        "import sys\n"
        "import numpy as np\n"
        "from analytics.topics.speedups import import_bertopic\n"
        "bertopic = import_bertopic()\n"
        "from bertopic.representation import KeyBERTInspired, MaximalMarginalRelevance\n"
        "assert 'transformers' not in sys.modules, 'transformers was imported'\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
        "assert 'bertopic.representation._textgeneration' not in sys.modules\n"
        "from sklearn.cluster import KMeans\n"
        "from sklearn.decomposition import PCA\n"
        "docs = [f'quantum circuits qubit {i}' for i in range(20)] + [f'protein folding enzyme {i}' for i in range(20)]\n"
        "vectors = np.repeat(np.eye(2), 20, axis=0) + np.random.default_rng(0).normal(0, 0.01, (40, 2))\n"
        "model = bertopic.BERTopic(umap_model=PCA(2), hdbscan_model=KMeans(2, n_init=1, random_state=0))\n"
        "topics, _ = model.fit_transform(docs, vectors)\n"
        "assert len(set(topics)) == 2, topics\n"
        "import torch, transformers\n"
        "torch.zeros(1)\n"
        "from bertopic.representation._textgeneration import TextGeneration\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
