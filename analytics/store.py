"""The embedded store (DuckDB): the source of truth that reruns build on.

It holds the embeddings of every paper text (keyed by content hash and embedding model, so an unchanged paper
is never embedded twice), where each completed run put each paper (topic and map position), its topics (with
centroids for matching across runs), topic lineage, and the run history. Parsed dumps are cached beside the
database in parsed/ (pickles keyed by the dumps' digests and the parser code).

Writes happen in transactions: a run killed at any point leaves the store as it was before that run's
commit (DuckDB rolls back an unfinished transaction on the next open). One run at a time holds the store's
lock file; a second run waits up to a timeout, then stops with a clear message.
"""

from __future__ import annotations

import json
import os
import pickle
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import duckdb
import numpy as np
import pandas as pd
from filelock import FileLock, Timeout

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id VARCHAR PRIMARY KEY,
    started_at VARCHAR,
    finished_at VARCHAR,
    status VARCHAR,            -- completed / unchanged
    mode VARCHAR,              -- refit / assign / unchanged
    input_digest VARCHAR,      -- digest of the input files' contents and the config
    summary JSON
);
CREATE TABLE IF NOT EXISTS embeddings (
    content_hash VARCHAR,
    model_id VARCHAR,
    vector FLOAT[],
    PRIMARY KEY (content_hash, model_id)
);
CREATE TABLE IF NOT EXISTS papers (  -- where each run put each paper (papers.csv has the rest)
    run_id VARCHAR,
    paper_id VARCHAR,
    content_hash VARCHAR,
    topic_id INTEGER,
    raw_topic_id INTEGER,     -- before outlier reduction
    map_x FLOAT,
    map_y FLOAT
);
CREATE TABLE IF NOT EXISTS topics (
    run_id VARCHAR,
    topic_id INTEGER,
    label VARCHAR,
    keywords VARCHAR,
    size INTEGER,
    centroid FLOAT[],
    data JSON
);
CREATE TABLE IF NOT EXISTS collection (  -- the input folder this store serves (one row)
    input VARCHAR,
    recorded_at VARCHAR
);
CREATE TABLE IF NOT EXISTS lineage (
    run_id VARCHAR,
    topic_id INTEGER,
    status VARCHAR,           -- continued / grown / shrunk / split / merged / new / vanished
    previous_topic_ids VARCHAR,
    shared_papers INTEGER,
    similarity DOUBLE
);
"""


class StoreBusy(RuntimeError):
    """Another run holds the store."""


class Store:
    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.path = self.folder / "topictrends.duckdb"
        self.con = duckdb.connect(str(self.path))
        self.con.execute(SCHEMA)
        self._migrate()
        self._assignments: dict[str, pd.DataFrame] = {}

    def close(self) -> None:
        self.con.close()

    def _migrate(self) -> None:
        """Stores written before the papers table was compact kept each paper's whole row as JSON (with its
        abstract: ~140 MB per run at 75k papers); keep only what reruns use."""
        columns = {row[0] for row in self.con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'papers'").fetchall()}
        if "data" not in columns:
            return
        with self.transaction() as con:
            con.execute("""
                CREATE TABLE papers_compact AS SELECT run_id, paper_id, content_hash, topic_id,
                    CAST(json_extract_string(data, '$.raw_topic_id') AS INTEGER) AS raw_topic_id,
                    CAST(json_extract_string(data, '$.map_x') AS FLOAT) AS map_x,
                    CAST(json_extract_string(data, '$.map_y') AS FLOAT) AS map_y
                FROM papers""")
            con.execute("DROP TABLE papers")
            con.execute("ALTER TABLE papers_compact RENAME TO papers")

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield self.con
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")

    # -- embeddings -------------------------------------------------------------------------------

    def cached_embeddings(self, hashes: list[str], model_id: str) -> dict[str, np.ndarray]:
        if not hashes:
            return {}
        wanted = pd.DataFrame({"content_hash": list(dict.fromkeys(hashes))})
        self.con.register("wanted_hashes", wanted)
        try:
            table = self.con.sql(
                "SELECT e.content_hash, e.vector FROM embeddings e JOIN wanted_hashes w USING (content_hash) "
                "WHERE e.model_id = $model_id", params={"model_id": model_id},
            ).to_arrow_table()
        finally:
            self.con.unregister("wanted_hashes")
        if table.num_rows == 0:
            return {}
        keys = table.column("content_hash").to_pylist()
        flat = table.column("vector").combine_chunks().flatten().to_numpy(zero_copy_only=False)
        vectors = flat.astype(np.float32).reshape(len(keys), -1)
        return dict(zip(keys, vectors))

    def save_embeddings(self, hashes: list[str], vectors: np.ndarray, model_id: str) -> None:
        """Committed batch by batch during embedding, so a killed run keeps the work it finished."""
        if not hashes:
            return
        import pyarrow as pa

        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        frame = pa.table({
            "content_hash": pa.array(hashes, pa.string()),
            "model_id": pa.array([model_id] * len(hashes), pa.string()),
            # Arrow lists straight from the numpy buffer: no Python list per vector.
            "vector": pa.ListArray.from_arrays(
                pa.array(np.arange(0, vectors.size + 1, vectors.shape[1], dtype=np.int32)),
                pa.array(vectors.reshape(-1)),
            ),
        })
        self.con.register("new_embeddings", frame)
        try:
            self.con.execute(
                "INSERT INTO embeddings SELECT content_hash, model_id, vector::FLOAT[] FROM new_embeddings "
                "ON CONFLICT DO NOTHING"
            )
        finally:
            self.con.unregister("new_embeddings")

    def embedding_count(self, model_id: str | None = None) -> int:
        if model_id is None:
            return int(self.con.execute("SELECT count(*) FROM embeddings").fetchall()[0][0])
        return int(self.con.execute("SELECT count(*) FROM embeddings WHERE model_id = ?", [model_id]).fetchall()[0][0])

    # -- parsed dumps -----------------------------------------------------------------------------

    def _parsed_path(self, key: str) -> Path:
        return self.folder / "parsed" / f"{key}.pickle"

    def load_parsed(self, key: str) -> Any:
        """A bucket of parsed dumps saved under `key` (a digest of their contents and the parser code)."""
        path = self._parsed_path(key)
        if not path.is_file():
            return None
        try:
            with path.open("rb") as handle:
                return pickle.load(handle)
        except Exception:  # a damaged cache file is only a cache miss: the dumps are parsed again
            return None

    def save_parsed(self, key: str, parsed: Any) -> None:
        path = self._parsed_path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        with tmp.open("wb") as handle:
            pickle.dump(parsed, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)  # never a half-written cache file under the real name

    def prune_parsed(self, keep: set[str]) -> None:
        """Drop cached buckets the current input no longer has, so the cache does not grow run after run."""
        folder = self.folder / "parsed"
        if folder.is_dir():
            for path in folder.glob("*.pickle"):
                if path.stem not in keep:
                    path.unlink(missing_ok=True)

    # -- collection -------------------------------------------------------------------------------

    def collection(self) -> str | None:
        """The input folder this store serves, as recorded (None before the first check recorded it)."""
        rows = self.con.execute("SELECT input FROM collection").fetchall()
        return rows[0][0] if rows else None

    def set_collection(self, input_folder: str, recorded_at: str) -> None:
        with self.transaction() as con:
            con.execute("DELETE FROM collection")
            con.execute("INSERT INTO collection VALUES (?, ?)", [input_folder, recorded_at])

    # -- runs -------------------------------------------------------------------------------------

    def last_completed_run(self) -> dict[str, Any] | None:
        rows = self.con.execute(
            "SELECT run_id, input_digest, summary, mode FROM runs WHERE status = 'completed' "
            "ORDER BY finished_at DESC, run_id DESC LIMIT 1"
        ).fetchall()  # fetchall, not fetchone: DuckDB keeps a half-read result busy
        if not rows:
            return None
        row = rows[0]
        return {"run_id": row[0], "input_digest": row[1], "summary": json.loads(row[2]), "mode": row[3]}

    def completed_runs_since_refit(self) -> int:
        rows = self.con.execute(
            "SELECT mode FROM runs WHERE status = 'completed' ORDER BY finished_at DESC, run_id DESC"
        ).fetchall()
        count = 0
        for (mode,) in rows:
            if mode == "refit":
                break
            count += 1
        return count

    def previous_topics(self, run_id: str) -> pd.DataFrame:
        frame = self.con.execute(
            "SELECT topic_id, label, keywords, size, centroid, data FROM topics WHERE run_id = ? ORDER BY topic_id",
            [run_id],
        ).df()
        return frame

    def previous_assignments(self, run_id: str) -> pd.DataFrame:
        """A completed run's papers. Runs never change once committed, so each is read once per process."""
        if run_id not in self._assignments:
            self._assignments[run_id] = self.con.execute(
                "SELECT paper_id, content_hash, topic_id, raw_topic_id, map_x, map_y FROM papers WHERE run_id = ?",
                [run_id],
            ).df()
        return self._assignments[run_id]

    def lineage_history(self) -> pd.DataFrame:
        """Every completed run's topic lineage, oldest run first, with the run's start and mode and the topic's
        label in that run (empty for topics that vanished in it)."""
        return self.con.execute("""
            SELECT l.run_id, r.started_at, r.mode, l.topic_id, coalesce(t.label, '') AS label, l.status,
                   l.previous_topic_ids, l.shared_papers, l.similarity
            FROM lineage l JOIN runs r USING (run_id)
            LEFT JOIN topics t ON t.run_id = l.run_id AND t.topic_id = l.topic_id
            WHERE r.status = 'completed'
            ORDER BY r.finished_at, r.run_id, l.topic_id""").df()

    def max_topic_id_ever(self) -> int:
        value = self.con.execute("SELECT max(topic_id) FROM topics").fetchall()[0][0]
        return -1 if value is None else int(value)

    def record_run(
        self,
        *,
        run_id: str,
        started_at: str,
        finished_at: str,
        status: str,
        mode: str,
        input_digest: str,
        summary: dict[str, Any],
        papers: pd.DataFrame | None = None,
        topics: pd.DataFrame | None = None,
        centroids: dict[int, np.ndarray] | None = None,
        lineage: pd.DataFrame | None = None,
    ) -> None:
        """Commit a whole run at once: its papers, topics, lineage and history row, or nothing."""
        with self.transaction() as con:
            if papers is not None:
                frame = pd.DataFrame({
                    "run_id": run_id,
                    "paper_id": papers["paper_id"].astype(str),
                    "content_hash": papers["content_hash"].astype(str),
                    "topic_id": papers["topic_id"].astype(int),
                    "raw_topic_id": papers["raw_topic_id"].astype(int),
                    "map_x": papers["map_x"].astype(np.float32),
                    "map_y": papers["map_y"].astype(np.float32),
                })
                con.register("run_papers", frame)
                con.execute("INSERT INTO papers SELECT * FROM run_papers")
                con.unregister("run_papers")
            if topics is not None:
                centroids = centroids or {}
                frame = pd.DataFrame({
                    "run_id": run_id,
                    "topic_id": topics["topic_id"].astype(int),
                    "label": topics["label"].astype(str),
                    "keywords": topics["keywords"].astype(str),
                    "size": topics["size"].astype(int),
                    "centroid": [centroids[int(t)].astype(np.float32).tolist() if int(t) in centroids else None
                                 for t in topics["topic_id"]],
                    "data": [json.dumps(row, default=str) for row in topics.to_dict("records")],
                })
                con.register("run_topics", frame)
                con.execute("INSERT INTO topics SELECT run_id, topic_id, label, keywords, size, centroid::FLOAT[], data::JSON FROM run_topics")
                con.unregister("run_topics")
            if lineage is not None and len(lineage):
                frame = lineage.assign(run_id=run_id)[
                    ["run_id", "topic_id", "status", "previous_topic_ids", "shared_papers", "similarity"]
                ]
                con.register("run_lineage", frame)
                con.execute("INSERT INTO lineage SELECT * FROM run_lineage")
                con.unregister("run_lineage")
            con.execute(
                "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?)",
                [run_id, started_at, finished_at, status, mode, input_digest, json.dumps(summary, default=str)],
            )


@contextmanager
def hold_store_lock(folder: Path, *, wait_seconds: float = 0) -> Iterator[None]:
    """Hold the store's lock; waits up to `wait_seconds` for another run to finish, then raises StoreBusy.

    Re-entrant within this process: one lock object per store (is_singleton), shared by every thread
    (thread_local=False), so a caller holding it (run_pipeline, to stop before the flow starts when the store
    is busy) can run the flow, which takes it again. Other processes wait for it.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(folder / ".lock"), is_singleton=True, thread_local=False)
    try:
        lock.acquire(timeout=wait_seconds)
    except Timeout:
        raise StoreBusy(
            f"another topictrends run is using the store {folder} (lock file {folder / '.lock'}); "
            f"waited {wait_seconds:g} s. Try again when it has finished."
        ) from None
    try:
        yield
    finally:
        lock.release()


@contextmanager
def open_store(folder: Path, *, wait_seconds: float = 0) -> Iterator[Store]:
    """Hold the store's lock for a whole run. Waits up to `wait_seconds` for another run to finish."""
    with hold_store_lock(folder, wait_seconds=wait_seconds):
        store = Store(folder)
        try:
            yield store
        finally:
            store.close()
