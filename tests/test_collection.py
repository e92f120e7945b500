"""A store knows the collection (input folder) it serves: another folder stops the run before any work, with a
message naming both; the same dumps at a new path are the same collection; "adopt" is explicit."""

from __future__ import annotations

from pathlib import Path

import pytest

from analytics.incremental import OtherCollection, check_collection
from analytics.store import Store


def _completed_run(store: Store, run_id: str, folder: Path, digests: dict[str, str]) -> None:
    """Commit a run as the pipeline does: its summary names the input folder and each dump's digest."""
    summary = {"input": str(folder.resolve()),
               "files": [{"file": Path(p).name, "sha256": d} for p, d in digests.items()]}
    store.record_run(run_id=run_id, started_at="2026-01-01T00:00:00", finished_at=f"2026-01-01T00:00:0{run_id[-1]}",
                     status="completed", mode="refit", input_digest=run_id, summary=summary)


@pytest.fixture
def served(tmp_path: Path):
    """A store that has completed one run on folder `a` (two dumps)."""
    store = Store(tmp_path / "store")
    a = tmp_path / "a"
    a.mkdir()
    digests = {str(a / "d1.txt"): "digest-1", str(a / "d2.txt"): "digest-2"}
    assert check_collection(store, a, digests).status == "first"
    _completed_run(store, "run1", a, digests)
    yield store, a, digests
    store.close()


def test_first_run_records_the_collection(served) -> None:
    store, a, digests = served
    assert store.collection() == str(a.resolve())
    assert check_collection(store, a, {**digests, str(a / "d3.txt"): "digest-3"}).status == "same"


def test_another_folder_stops_with_a_message_naming_both(served, tmp_path: Path) -> None:
    store, a, _ = served
    b = tmp_path / "b"
    with pytest.raises(OtherCollection) as stop:
        check_collection(store, b, {str(b / "x.txt"): "digest-x", str(b / "y.txt"): "digest-y"})
    message = str(stop.value)
    assert str(a.resolve()) in message and str(b.resolve()) in message
    assert "--store" in message and "adopt" in message
    assert store.collection() == str(a.resolve())  # nothing changed


def test_a_folder_sharing_only_a_few_dumps_is_another_collection(served, tmp_path: Path) -> None:
    store, a, _ = served
    b = tmp_path / "b"
    # The store last read three dumps; a folder holding one of them (under half) is not that collection.
    _completed_run(store, "run2", a, {str(a / f"d{i}.txt"): f"digest-{i}" for i in (1, 2, 3)})
    with pytest.raises(OtherCollection):
        check_collection(store, b, {str(b / "d1.txt"): "digest-1", str(b / "z.txt"): "digest-z"})


def test_the_same_dumps_at_a_new_path_are_the_same_collection(served, tmp_path: Path) -> None:
    store, a, digests = served
    moved = tmp_path / "moved"
    check = check_collection(store, moved, {str(moved / "d1.txt"): "digest-1", str(moved / "d2.txt"): "digest-2",
                                            str(moved / "d3.txt"): "digest-3"})
    assert check.status == "moved"
    assert store.collection() == str(moved.resolve())


def test_adopt_makes_the_store_serve_the_other_folder(served, tmp_path: Path) -> None:
    store, a, _ = served
    b = tmp_path / "b"
    check = check_collection(store, b, {str(b / "x.txt"): "digest-x"}, other_collection="adopt")
    assert check.status == "adopted" and str(a.resolve()) in check.message
    assert store.collection() == str(b.resolve())
    assert check_collection(store, b, {str(b / "x.txt"): "digest-x"}).status == "same"


def test_a_store_from_before_the_record_knows_its_collection_from_its_last_run(tmp_path: Path) -> None:
    store = Store(tmp_path / "store")
    a, b = tmp_path / "a", tmp_path / "b"
    _completed_run(store, "run1", a, {str(a / "d1.txt"): "digest-1"})  # no collection row, as old stores
    assert store.collection() is None
    with pytest.raises(OtherCollection, match=str(a.resolve())):
        check_collection(store, b, {str(b / "x.txt"): "digest-x"})
    assert check_collection(store, a, {str(a / "d1.txt"): "digest-1"}).status == "same"
    assert store.collection() == str(a.resolve())
    store.close()


def test_a_store_without_a_completed_run_takes_the_next_folder(tmp_path: Path) -> None:
    """A first run that failed left nothing to mix with: the next run's folder becomes the collection."""
    store = Store(tmp_path / "store")
    a, b = tmp_path / "a", tmp_path / "b"
    check_collection(store, a, {str(a / "d1.txt"): "digest-1"})
    assert check_collection(store, b, {str(b / "x.txt"): "digest-x"}).status == "first"
    assert store.collection() == str(b.resolve())
    store.close()
