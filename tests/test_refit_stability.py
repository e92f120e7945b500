"""Refits keep what still holds (issue 21), tested on analytics.incremental without Prefect, on the sample dumps
with the real model: a scheduled refit with a few new papers keeps topic ids and labels, a planted new
subject becomes a topic of its own, and the same input gives the same topics."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analytics.config import load_config
from analytics.dedupe import merge_records
from analytics.embedding import content_hash, load_embedder, paper_text
from analytics.incremental import PreviousRun, refit_topics
from analytics.parsing import read_dump
from analytics.store import Store

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def corpus():
    """Every sample paper (title, abstract, text) and its embedding from the default backend's model."""
    records = [r for path in sorted(SAMPLES.iterdir()) for r in read_dump(path).records]
    papers = merge_records(records)[["paper_id", "title", "abstract"]].reset_index(drop=True)
    papers["text"] = [paper_text(t, a) for t, a in zip(papers["title"], papers["abstract"])]
    cfg = load_config()
    embedder = load_embedder("onnx", batch_size=cfg.embedding.batch_size, max_tokens=cfg.embedding.max_tokens)
    embeddings = embedder.embed(papers["text"].tolist(), progress=False)
    return papers, embeddings, embedder, cfg


def _committed(tmp_path: Path, outcome, run_id: str = "run1") -> PreviousRun:
    """Commit a run's topics to a store as the flow does, and read them back as the next run sees them."""
    store = Store(tmp_path / "store")
    store_papers = outcome.papers.assign(content_hash=outcome.papers["text"].map(content_hash))
    store.record_run(run_id=run_id, started_at="", finished_at="1", status="completed", mode="refit",
                     input_digest="d", summary={"topic_params": {}}, papers=store_papers, topics=outcome.topics,
                     centroids=outcome.centroids, lineage=outcome.lineage)
    previous = PreviousRun.from_store(store, store.last_completed_run())
    store.close()
    return previous


def _kept_share(before: pd.DataFrame, after: pd.DataFrame) -> float:
    both = before.merge(after, on="paper_id", suffixes=("_before", "_after"))
    return float(((both["topic_id_before"] == both["topic_id_after"])
                  & (both["topic_label_before"] == both["topic_label_after"])).mean())


def test_a_refit_with_a_few_new_papers_keeps_ids_and_labels_and_is_deterministic(corpus, tmp_path) -> None:
    papers, embeddings, embedder, cfg = corpus
    new = np.random.default_rng(0).random(len(papers)) < 0.08  # a scheduled refit after a few small dumps
    first = refit_topics(papers[~new], embeddings[~new], cfg, None, embedder=embedder)
    previous = _committed(tmp_path, first)

    refit = refit_topics(papers, embeddings, cfg, previous, embedder=embedder)
    assert refit.mode == "refit" and refit.params["refit_strategy"] == "anchored"
    assert _kept_share(first.papers, refit.papers) >= 0.9
    # Kept topics keep their labels; every topic that is still there has its previous label.
    labels_before = dict(zip(first.topics["topic_id"], first.topics["label"]))
    for row in refit.topics.itertuples():
        if row.topic_id in labels_before:
            assert row.label == labels_before[row.topic_id]
    kept = refit.lineage[refit.lineage["status"].isin(["continued", "grown", "shrunk"])]
    assert len(kept) >= 0.8 * len(first.topics), refit.lineage.to_string()

    again = refit_topics(papers, embeddings, cfg, previous, embedder=embedder)
    pd.testing.assert_frame_equal(again.papers, refit.papers)
    pd.testing.assert_frame_equal(again.topics, refit.topics)


def test_a_planted_new_subject_becomes_a_new_topic(corpus, tmp_path) -> None:
    """The sample papers on machine unlearning are held back from the first run, then arrive together."""
    papers, embeddings, embedder, cfg = corpus
    planted = papers["text"].str.contains("unlearn", case=False).to_numpy()
    assert planted.sum() >= 25
    first = refit_topics(papers[~planted], embeddings[~planted], cfg, None, embedder=embedder)
    assert not first.topics["label"].str.contains("unlearning", case=False).any()
    previous = _committed(tmp_path, first)

    refit = refit_topics(papers, embeddings, cfg, previous, embedder=embedder)
    placed = refit.papers[planted]["topic_id"].value_counts()
    home, count = int(placed.index[0]), int(placed.iloc[0])
    assert count >= 0.8 * planted.sum(), placed.to_dict()
    assert home not in set(first.topics["topic_id"]), "the new subject went into an old topic"
    status = refit.lineage.set_index("topic_id")["status"]
    assert status[home] == "new"
    label = refit.topics.set_index("topic_id").loc[home, "label"]
    assert "unlearning" in label.lower(), label
    # The topic is the new subject's: nearly all its papers are the planted ones.
    assert (refit.papers["topic_id"] == home).sum() <= 1.2 * count
    assert _kept_share(first.papers, refit.papers) >= 0.9
