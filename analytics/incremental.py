"""Run decisions for reruns on a store, without Prefect: which collection the store serves, whether to refit
or assign, how a refit keeps topic identities, and what changed since the previous run.

flows/pipeline.py calls these; tests call them directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from analytics.store import Store

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
