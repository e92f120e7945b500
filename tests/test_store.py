"""The store on its own: embeddings round-trip, and stores written by earlier versions still open."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from analytics.store import Store


def test_embeddings_round_trip_exactly(tmp_path: Path) -> None:
    store = Store(tmp_path)
    vectors = np.random.default_rng(0).normal(size=(5, 8)).astype(np.float32)
    store.save_embeddings([f"h{i}" for i in range(5)], vectors, "model-a")
    store.save_embeddings(["h0"], vectors[:1] + 1, "model-a")  # already stored: kept as first written
    cached = store.cached_embeddings(["h3", "h0", "missing"], "model-a")
    assert set(cached) == {"h3", "h0"}
    np.testing.assert_array_equal(cached["h3"], vectors[3])
    np.testing.assert_array_equal(cached["h0"], vectors[0])
    assert store.cached_embeddings(["h0"], "model-b") == {}
    store.close()


def test_store_with_papers_as_json_rows_is_migrated(tmp_path: Path) -> None:
    """Stores from before the compact papers table kept each paper's row as JSON; reruns must still work."""
    con = duckdb.connect(str(tmp_path / "topictrends.duckdb"))
    con.execute("CREATE TABLE papers (run_id VARCHAR, paper_id VARCHAR, content_hash VARCHAR, topic_id INTEGER, "
                "data JSON)")
    row = {"paper_id": "arxiv:1", "topic_id": 3, "raw_topic_id": -1, "map_x": 1.5, "map_y": -2.25,
           "abstract": "long text"}
    con.execute("INSERT INTO papers VALUES ('r1', 'arxiv:1', 'h1', 3, ?)", [json.dumps(row)])
    con.close()

    store = Store(tmp_path)
    papers = store.previous_assignments("r1")
    assert papers.to_dict("records") == [{"paper_id": "arxiv:1", "content_hash": "h1", "topic_id": 3,
                                          "raw_topic_id": -1, "map_x": 1.5, "map_y": -2.25}]
    # New runs write the compact rows into the migrated table.
    store.record_run(run_id="r2", started_at="", finished_at="", status="completed", mode="refit",
                     input_digest="d", summary={},
                     papers=pd.DataFrame({"paper_id": ["arxiv:2"], "content_hash": ["h2"], "topic_id": [0],
                                          "raw_topic_id": [0], "map_x": [0.5], "map_y": [0.25]}))
    assert store.previous_assignments("r2")["topic_id"].tolist() == [0]
    store.close()


def test_parse_cache_saves_loads_and_prunes(tmp_path: Path) -> None:
    store = Store(tmp_path)
    assert store.load_parsed("a") is None
    store.save_parsed("a", ["parsed dump"])
    store.save_parsed("b", ["another"])
    assert store.load_parsed("a") == ["parsed dump"]
    (tmp_path / "parsed" / "c.pickle").write_bytes(b"not a pickle")
    assert store.load_parsed("c") is None  # a damaged cache file is a miss, not a crash
    store.prune_parsed({"b"})
    assert store.load_parsed("a") is None and store.load_parsed("b") == ["another"]
    assert sorted(p.name for p in (tmp_path / "parsed").iterdir()) == ["b.pickle"]
    store.close()
