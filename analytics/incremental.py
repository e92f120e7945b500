"""Run decisions for reruns on a store, without Prefect: which collection the store serves, whether to refit
or assign, how a refit keeps topic identities, and what changed since the previous run.

flows/pipeline.py calls these; tests call them directly.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

from analytics import identity
from analytics.config import Config
from analytics.store import Store
from analytics.topics.clustering import cluster_papers
from analytics.topics.describe import describe_topics
from analytics.topics.fit import fit_topics
from analytics.topics.layout import layout_2d
from analytics.topics.sampled import TransformerSample, cluster_sampled, fit_sampled_topics, sampled_layout

# A folder at a new path is the same collection, moved or copied, when it still holds at least this share of
# the dumps (by content digest) the store's last run read. A daily folder that only grows holds all of them.
MOVED_MIN_SHARE = 0.5


class OtherCollection(RuntimeError):
    """The store serves another input folder; running this one against it would mix two collections."""


@dataclass
class CollectionCheck:
    status: str  # "first" (store had no run), "same", "moved" (same dumps at a new path), "adopted"
    input: str  # the resolved input folder
    recorded: str | None  # the folder the store served before this run
    message: str


def check_collection(store: Store, input_dir: Path, digests: dict[str, str | None], *,
                     other_collection: str = "stop") -> CollectionCheck:
    """Make sure `input_dir` is the collection the store serves, before any work is done.

    The store serves the input folder of its first completed run. A folder at another path is the same
    collection when it holds at least MOVED_MIN_SHARE of the dumps the last run read (a moved or copied
    folder, perhaps with new dumps); the store then serves the new path. Otherwise the run stops
    (OtherCollection), unless `other_collection` is "adopt": the analyst says this folder continues the
    other one, and its topics are matched to the store's.
    `digests`: content digest of each dump in the input folder (None for unreadable entries).
    """
    folder = str(Path(input_dir).resolve())
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    last = store.last_completed_run()
    # Stores written before the collection was recorded: the input of their last run (run.json names it).
    recorded = store.collection() or (last["summary"].get("input") if last else None)
    if last is None or recorded is None:
        # Nothing to mix with yet (a first run, or only failed ones): this folder is the collection.
        store.set_collection(folder, now)
        return CollectionCheck("first", folder, recorded, f"the store {store.folder} now serves {folder}")
    if recorded == folder:
        if store.collection() is None:
            store.set_collection(folder, now)
        return CollectionCheck("same", folder, recorded, f"the store {store.folder} serves {folder}")
    previous = {f["sha256"] for f in last["summary"].get("files", []) if f.get("sha256")}
    present = previous & {d for d in digests.values() if d}
    if previous and len(present) >= MOVED_MIN_SHARE * len(previous):
        store.set_collection(folder, now)
        return CollectionCheck(
            "moved", folder, recorded,
            f"{folder} holds {len(present)} of the {len(previous)} dumps the store last read from {recorded}: "
            f"the same collection at a new path; the store serves {folder} from now on")
    if other_collection == "adopt":
        store.set_collection(folder, now)
        return CollectionCheck(
            "adopted", folder, recorded,
            f"[incremental] other_collection = \"adopt\": the store {store.folder} served {recorded} and serves "
            f"{folder} from now on; its topics are matched to those of {recorded}")
    raise OtherCollection(
        f"the store {store.folder} serves the dumps in {recorded}, and {folder} is a different collection "
        f"(it holds {len(present)} of the {len(previous)} dumps the store last read). Running it here would "
        f"match its topics to, and put its papers into, the topics of {recorded}. Give it a store of its own "
        f"(--store DIR, or [run] store in a config file); or, if {folder} really continues that collection, "
        f"set [incremental] other_collection = \"adopt\" for one run.")


# -- choosing the mode --------------------------------------------------------------------------------

def choose_mode(cfg: Config, store: Store, previous: dict | None, n_new: int, n_papers: int) -> str:
    """"refit" (cluster everything again) or "assign" (new papers into the existing topics)."""
    mode = cfg.incremental.mode
    if previous is None:
        return "refit"
    if mode != "auto":
        return mode
    if n_new > cfg.incremental.refit_new_share * n_papers:
        return "refit"
    if store.completed_runs_since_refit() + 1 >= cfg.incremental.refit_every_runs:
        return "refit"
    return "assign"


def nothing_changed(previous: dict | None, input_digest: str, output_dir: Path) -> bool:
    """True when the last completed run read the same dumps with the same config and code, and its outputs are
    the ones in the output folder: a rerun then leaves everything as it is."""
    if previous is None or previous["input_digest"] != input_digest:
        return False
    run_file = output_dir / "run.json"
    if not run_file.exists():
        return False
    return json.loads(run_file.read_text(encoding="utf-8")).get("run_id") == previous["run_id"]


# -- the previous run and the outcome of this one -----------------------------------------------------

@dataclass
class PreviousRun:
    """What a rerun builds on: the last completed run's papers and topics."""

    run_id: str
    papers: pd.DataFrame  # paper_id, content_hash, topic_id, raw_topic_id, map_x, map_y
    topics: pd.DataFrame  # topic_id, label, keywords, size, centroid, data (the topic row as JSON)
    params: dict[str, Any]  # the clustering parameters it recorded
    next_free_id: int  # topic ids are never reused: the next fresh one

    @classmethod
    def from_store(cls, store: Store, previous: dict) -> "PreviousRun":
        return cls(run_id=previous["run_id"], papers=store.previous_assignments(previous["run_id"]),
                   topics=store.previous_topics(previous["run_id"]),
                   params=dict(previous["summary"].get("topic_params", {})),
                   next_free_id=store.max_topic_id_ever() + 1)

    def assignment(self) -> dict[str, int]:
        return dict(zip(self.papers["paper_id"], self.papers["topic_id"].astype(int)))

    def centroids(self) -> dict[int, np.ndarray]:
        return {int(t): np.asarray(c, dtype=np.float32) for t, c in zip(self.topics["topic_id"], self.topics["centroid"])
                if c is not None}

    def labels(self) -> dict[int, str]:
        return dict(zip(self.topics["topic_id"].astype(int), self.topics["label"]))


@dataclass
class TopicOutcome:
    papers: pd.DataFrame  # with topic_id, raw_topic_id, topic_label, map_x, map_y
    topics: pd.DataFrame  # topic_id, label, keywords, size, guided, representative_papers, representative_ids
    centroids: dict[int, np.ndarray]
    lineage: pd.DataFrame
    mode: str
    params: dict[str, Any]
    history: pd.DataFrame | None = None  # earlier runs' lineage (Store.lineage_history), for lineage.csv
    changes: dict[str, Any] | None = None  # what changed since the previous run (`changes`); None on a first run


LINEAGE_COLUMNS = ["run_id", "started_at", "mode", "topic_id", "label", "status", "previous_topic_ids",
                   "shared_papers", "similarity"]


def lineage_table(history: pd.DataFrame | None, lineage: pd.DataFrame, topics: pd.DataFrame, *, run_id: str,
                  started_at: str, mode: str) -> pd.DataFrame:
    """lineage.csv: every run's lineage, oldest first, this run's last. A vanished topic is named by its label
    in the run before (it has none in the run it vanished in)."""
    labels = dict(zip(topics["topic_id"].astype(int), topics["label"]))
    current = lineage.assign(run_id=run_id, started_at=started_at, mode=mode,
                             label=[labels.get(int(t), "") for t in lineage["topic_id"]])
    frames = [f for f in (history, current) if f is not None and len(f)]
    table = pd.concat([f[LINEAGE_COLUMNS] for f in frames], ignore_index=True) if frames else current[LINEAGE_COLUMNS]
    last_label: dict[int, str] = {}
    filled = []
    for topic, label in zip(table["topic_id"].astype(int), table["label"]):
        filled.append(label or last_label.get(topic, ""))
        last_label[topic] = filled[-1]
    table["label"] = filled
    return table


def topic_rows(papers: pd.DataFrame, assignment: np.ndarray, centroids: dict[int, np.ndarray],
               embeddings: np.ndarray) -> dict[int, dict[str, Any]]:
    """Representative papers (closest to the centroid) and size for each topic."""
    rows = {}
    for topic, centroid in centroids.items():
        members = np.where(assignment == topic)[0]
        sims = embeddings[members] @ centroid
        best = members[np.argsort(-sims, kind="stable")[:3]]
        rows[topic] = {
            "size": int(len(members)),
            "representative_papers": " | ".join(papers["title"].iloc[best].tolist()),
            "representative_ids": ";".join(papers["paper_id"].iloc[best].tolist()),
        }
    return rows


def _finish(papers, topics, centroids, lineage, mode, params) -> TopicOutcome:
    label_of = dict(zip(topics["topic_id"].astype(int), topics["label"]))
    papers["topic_label"] = papers["topic_id"].map(lambda t: label_of.get(int(t), "Outliers (no topic)"))
    return TopicOutcome(papers=papers, topics=topics, centroids=centroids, lineage=lineage, mode=mode, params=params)


# -- refit ----------------------------------------------------------------------------------------

def refit_topics(papers: pd.DataFrame, embeddings: np.ndarray, cfg: Config, previous: PreviousRun | None, *,
                 embedder: Any = None, checkpoint: Callable[[str], None] = lambda stage: None,
                 sample: TransformerSample | None = None) -> TopicOutcome:
    """Cluster every paper again. A first run takes the clustering as it is. A rerun keeps topic ids and
    labels: "anchored" (default) keeps each paper in its topic unless the new structure clearly moves it;
    "matched" takes the new clustering as it is and matches its topics to the previous ones.
    `checkpoint(stage)` is called after clustering (the flow's fault injection). With a `sample`, topics are
    fitted on the sample's transformer vectors and the other papers join them (analytics.topics.sampled);
    `embeddings` are then every paper's static vectors."""
    papers = papers.copy()
    if previous is not None and cfg.incremental.refit_strategy == "anchored":
        return _anchored_refit(papers, embeddings, cfg, previous, embedder, checkpoint, sample)
    if sample is not None:
        result = fit_sampled_topics(papers["text"].tolist(), embeddings, sample, cfg.topics, static_embedder=embedder)
    else:
        result = fit_topics(papers["text"].tolist(), embeddings, cfg.topics, embedder=embedder, progress=False)
    checkpoint("clustering")
    local_ids = result.topic_ids
    topics = result.topics.drop(columns=["representative_rows"]).set_index("topic_id")
    centroids = result.topic_embeddings
    if previous is not None:
        match = identity.match_topics(
            previous_assignment=previous.assignment(),
            previous_centroids=previous.centroids(),
            previous_labels=previous.labels(),
            new_assignment=dict(zip(papers["paper_id"], local_ids.astype(int))),
            new_centroids=centroids,
            next_free_id=previous.next_free_id,
        )
        id_map, lineage = match.id_map, match.lineage
        for stable_id, label in match.label_map.items():  # matched topics keep the label people know
            local = next(n for n, s in id_map.items() if s == stable_id)
            topics.loc[local, "label"] = label
    else:
        id_map = {t: t for t in centroids}
        lineage = pd.DataFrame({"topic_id": sorted(centroids), "status": "new", "previous_topic_ids": "",
                                "shared_papers": 0, "similarity": 0.0})
    map_ids = lambda t: id_map.get(int(t), -1) if t != -1 else -1  # noqa: E731
    papers["topic_id"] = [map_ids(t) for t in local_ids]
    papers["raw_topic_id"] = [map_ids(t) for t in result.raw_topic_ids]
    topics = topics.rename(index=id_map).reset_index().rename(columns={"index": "topic_id"})
    stable_centroids = {id_map[t]: c for t, c in centroids.items()}
    extra = topic_rows(papers, papers["topic_id"].to_numpy(), stable_centroids, embeddings)
    for column in ("size", "representative_papers", "representative_ids"):
        topics[column] = topics["topic_id"].map(lambda t, c=column: extra[int(t)][c])
    topics = topics.sort_values("topic_id").reset_index(drop=True)
    papers["map_x"] = np.round(result.map_xy[:, 0], 4)
    papers["map_y"] = np.round(result.map_xy[:, 1], 4)
    return _finish(papers, topics, stable_centroids, lineage, "refit", result.params.to_dict())


def _anchored_refit(papers: pd.DataFrame, embeddings: np.ndarray, cfg: Config, previous: PreviousRun,
                    embedder: Any, checkpoint: Callable[[str], None],
                    sample: TransformerSample | None = None) -> TopicOutcome:
    """Refit that keeps what still holds (see identity.anchored_assignment): cluster everything again, match
    the new clusters to the previous topics, move a paper only when the new structure clearly calls for it,
    then describe the resulting topics. Kept topics keep id and label; new clusters get fresh ids."""
    texts = papers["text"].tolist()
    embeddings = np.asarray(embeddings, dtype=np.float32)
    before = previous.assignment()
    is_old = papers["paper_id"].isin(before).to_numpy()
    previous_ids = np.array([before.get(p, -1) for p in papers["paper_id"]], dtype=int)
    targets = np.where(is_old, previous_ids, -1) if cfg.incremental.refit_anchor_umap else None
    if sample is not None:
        clustering = cluster_sampled(texts, embeddings, sample.rows, sample.vectors, cfg.topics,
                                     embedder=sample.embedder, targets=targets)
    else:
        clustering = cluster_papers(texts, embeddings, cfg.topics, embedder=embedder, progress=False,
                                    targets=targets)
    checkpoint("clustering")
    local = clustering.assignment
    match = identity.match_topics(
        previous_assignment=before, previous_centroids=previous.centroids(), previous_labels=previous.labels(),
        new_assignment=dict(zip(papers["paper_id"], local.astype(int))),
        new_centroids=identity.centroids_of(embeddings, local), next_free_id=previous.next_free_id,
    )
    proposed = np.array([match.id_map[int(t)] if t != -1 else -1 for t in local], dtype=int)
    final = identity.anchored_assignment(previous_ids, is_old, proposed, embeddings,
                                         margin=cfg.incremental.refit_move_margin,
                                         min_size=clustering.params.min_cluster_size)
    guided = {match.id_map[t]: name for t, name in clustering.guided_names.items()}
    table, centroids = describe_topics(texts, embeddings, final, clustering.params, embedder=embedder,
                                       guided_names=guided, progress=False)
    # Kept topics keep the label people know; a new topic's label must not repeat one of theirs.
    old_labels = previous.labels()
    old_guided = {int(t): bool(json.loads(d).get("guided", False)) for t, d in zip(previous.topics["topic_id"],
                                                                                 previous.topics["data"])}
    kept_labels = {old_labels[t] for t in table["topic_id"] if t in old_labels}
    labels, flags = [], []
    for row in table.itertuples():
        if row.topic_id in old_labels:
            labels.append(old_labels[row.topic_id])
            flags.append(old_guided.get(row.topic_id, False) or bool(row.guided))
        else:
            label = row.label
            if label in kept_labels:
                label = f"{label} ({next((k for k in row.keywords.split(', ') if k and k.lower() not in label.lower()), row.topic_id)})"
            labels.append(label)
            flags.append(bool(row.guided))
    table["label"], table["guided"] = labels, flags
    topics = table.drop(columns=["representative_rows"])
    papers["topic_id"] = final
    # Before outlier reduction: -1 where HDBSCAN called the paper noise.
    papers["raw_topic_id"] = np.where(clustering.raw == -1, -1, final)
    extra = topic_rows(papers, final, centroids, embeddings)
    for column in ("size", "representative_papers", "representative_ids"):
        topics[column] = topics["topic_id"].map(lambda t, c=column: extra[int(t)][c])
    if sample is not None:
        map_xy = sampled_layout(clustering, sample.vectors)
    else:
        map_xy = layout_2d(clustering.reduced, embeddings, clustering.params, clustering.knn)
    papers["map_x"] = np.round(map_xy[:, 0], 4)
    papers["map_y"] = np.round(map_xy[:, 1], 4)
    lineage = identity.lineage_between(before, dict(zip(papers["paper_id"], final.tolist())),
                                       previous.centroids(), centroids)
    params = clustering.params.to_dict()
    params.update(refit_strategy="anchored", refit_move_margin=cfg.incremental.refit_move_margin,
                  refit_anchor_umap=cfg.incremental.refit_anchor_umap)
    return _finish(papers, topics.sort_values("topic_id").reset_index(drop=True), centroids, lineage, "refit",
                   params)


# -- assign ---------------------------------------------------------------------------------------

def assign_new_papers(papers: pd.DataFrame, embeddings: np.ndarray, cfg: Config,
                      previous: PreviousRun) -> TopicOutcome:
    """Keep the previous run's topics; put papers it did not have into them by nearest centroid."""
    papers = papers.copy()
    prev_papers, prev_topics = previous.papers, previous.topics
    centroids = previous.centroids()
    previous_rows = prev_papers.drop_duplicates("paper_id").set_index("paper_id")
    known = papers["paper_id"].isin(previous_rows.index).to_numpy()
    topic_ids = np.full(len(papers), -1, dtype=int)
    raw_ids = np.full(len(papers), -1, dtype=int)
    xy = np.zeros((len(papers), 2), dtype=np.float32)
    rows = previous_rows.loc[papers["paper_id"][known]]
    topic_ids[known] = rows["topic_id"].to_numpy(dtype=int)
    raw_ids[known] = rows["raw_topic_id"].fillna(rows["topic_id"]).to_numpy(dtype=int)
    xy[known] = rows[["map_x", "map_y"]].to_numpy(dtype=np.float32)
    new_rows = np.where(~known)[0]
    assigned = identity.assign_to_topics(embeddings[new_rows], centroids, cfg.incremental.assign_min_similarity)
    topic_ids[new_rows] = assigned
    raw_ids[new_rows] = assigned
    if len(new_rows) and known.any():
        xy[new_rows] = identity.place_on_map(embeddings[new_rows], embeddings[known], xy[known])
    papers["topic_id"], papers["raw_topic_id"] = topic_ids, raw_ids
    papers["map_x"], papers["map_y"] = np.round(xy[:, 0], 4), np.round(xy[:, 1], 4)
    topics = pd.DataFrame([json.loads(d) for d in prev_topics["data"]])
    extra = topic_rows(papers, topic_ids, centroids, embeddings)
    for column in ("size", "representative_papers", "representative_ids"):
        topics[column] = topics["topic_id"].map(lambda t, c=column: extra.get(int(t), {}).get(c, 0 if c == "size" else ""))
    topics = topics[[c for c in topics.columns if c in
                     ("topic_id", "label", "keywords", "size", "guided", "representative_papers", "representative_ids")]]
    prev_sizes = prev_topics.set_index("topic_id")["size"].to_dict()
    lineage = pd.DataFrame({
        "topic_id": topics["topic_id"],
        "status": ["grown" if s > prev_sizes.get(t, 0) else "continued" for t, s in zip(topics["topic_id"], topics["size"])],
        "previous_topic_ids": topics["topic_id"].astype(str),
        "shared_papers": [prev_sizes.get(t, 0) for t in topics["topic_id"]],
        "similarity": 1.0,
    })
    params = dict(previous.params)
    params["assigned_new_papers"] = int(len(new_rows))
    return _finish(papers, topics, centroids, lineage, "assign", params)


# -- what changed ---------------------------------------------------------------------------------

def changes(outcome: TopicOutcome, previous: PreviousRun) -> dict[str, Any]:
    """What changed since the previous completed run, for run.json and the report: new papers; how many of
    the previous run's papers kept their topic and how many moved; new, split and merged topics (with the
    topics they came from); vanished topics (and where their papers went); the fastest growing topics."""
    before = previous.assignment()
    prev_labels = previous.labels()
    prev_sizes = previous.topics.set_index("topic_id")["size"].to_dict()
    labels = dict(zip(outcome.topics["topic_id"].astype(int), outcome.topics["label"]))
    now = dict(zip(outcome.papers["paper_id"], outcome.papers["topic_id"].astype(int)))
    common = [p for p in before if p in now]
    moved = [p for p in common if now[p] != before[p]]
    new_papers = int(sum(1 for p in now if p not in before))

    def named(ids: str) -> str:
        return "; ".join(f"{t}: {prev_labels.get(int(t), '?')}" for t in ids.split(";") if t)

    lineage = outcome.lineage
    new_topics = [
        {"topic_id": int(r.topic_id), "status": r.status, **({"from": named(r.previous_topic_ids)}
                                                            if r.previous_topic_ids else {})}
        for r in lineage.itertuples() if r.status in ("new", "split", "merged")
    ]
    vanished = []
    for r in lineage.itertuples():
        if r.status != "vanished":
            continue
        went = Counter(now[p] for p in common if before[p] == r.topic_id)
        where = ", ".join(f"{n} to {labels.get(t, 'no topic')}" for t, n in went.most_common(3))
        vanished.append({"label": f"{r.topic_id}: {prev_labels.get(int(r.topic_id), '?')}",
                         "papers_went": where or "none left"})
    growth = []
    for row in outcome.topics.itertuples():
        size_before = int(prev_sizes.get(row.topic_id, 0))
        if size_before and row.size > size_before:
            growth.append({"topic_id": int(row.topic_id), "papers_before": size_before, "papers_now": int(row.size),
                           "added": int(row.size - size_before)})
    growth.sort(key=lambda g: (-g["added"], g["topic_id"]))
    statuses = lineage["status"].value_counts()
    return {
        "previous_run": previous.run_id, "mode": outcome.mode, "new_papers": new_papers,
        "previous_papers_kept_topic": len(common) - len(moved),
        "previous_papers_moved": len(moved),
        "previous_papers_kept_share": round((len(common) - len(moved)) / max(len(common), 1), 4),
        "topics_kept": int(sum(statuses.get(s, 0) for s in ("continued", "grown", "shrunk"))),
        "new_topics": new_topics, "fastest_growing": growth[:10],
        "vanished_topics": len(vanished), "vanished": vanished,
    }


# -- the stage ----------------------------------------------------------------------------------------

def find_topics(papers: pd.DataFrame, embeddings: np.ndarray, cfg: Config, store: Store, previous: dict | None, *,
                embedder: Any = None, sample: Any = None,
                checkpoint: Callable[[str], None] = lambda stage: None) -> TopicOutcome:
    """The run's topics: choose the mode, then refit (matching the previous run's topics) or assign the new
    papers to them; with the earlier runs' lineage and what changed. `previous` is the store's last completed
    run (None on a first run); `sample` a sampled run's TransformerSample; `checkpoint` the flow's crash points."""
    prior = PreviousRun.from_store(store, previous) if previous is not None else None
    n_new = int((~papers["paper_id"].isin(set(prior.papers["paper_id"]))).sum()) if prior else len(papers)
    mode = choose_mode(cfg, store, previous, n_new, len(papers))
    if mode == "assign":
        outcome = assign_new_papers(papers, embeddings, cfg, prior)
    else:
        outcome = refit_topics(papers, embeddings, cfg, prior, embedder=embedder, checkpoint=checkpoint, sample=sample)
    outcome.history = store.lineage_history()
    outcome.changes = changes(outcome, prior) if prior is not None else None
    return outcome
