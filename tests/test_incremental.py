"""Reruns on a store: only new papers embedded, topic ids and labels kept, lineage recorded, nothing
changed when nothing is new, killed runs leave no trace, concurrent runs are refused cleanly.

These run the real flow (real model, real clustering) on small subsets of the sample dumps."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from filelock import FileLock

from analytics.store import StoreBusy
from flows.pipeline import topictrends_flow

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"
FIRST = ["003_9f597363cd8327d1.txt", "004_504d9943657f3963.txt"]
NEW_DUMP = "000_c0e02093f26f6559.txt"

pytestmark = pytest.mark.e2e


def _folder(path: Path, names: list[str]) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(SAMPLES / name, path / name)
    return path


def _config(path: Path, mode: str = "auto") -> Path:
    path.write_text(
        '[embedding]\nbackend = "sentence-transformer"\n'
        f'[incremental]\nmode = "{mode}"\n'
        "[run]\nlock_wait_seconds = 1\n",
        encoding="utf-8",
    )
    return path


def _run(input_dir: Path, out: Path, store: Path, config: Path) -> dict:
    return topictrends_flow(str(input_dir), str(out), str(config), {"run": {"store": str(store)}})


def _csvs(out: Path) -> dict[str, str]:
    return {name: (out / name).read_text(encoding="utf-8") for name in ("papers.csv", "topics.csv", "trends.csv")}


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("incremental")
    inputs = _folder(base / "in", FIRST)
    config = _config(base / "refit.toml", mode="refit")
    summary = _run(inputs, base / "out", base / "store", config)
    return base, inputs, config, summary


def test_first_run_embeds_everything(first_run) -> None:
    base, _, _, summary = first_run
    assert summary.status == "completed"
    assert summary.embedding.embedded_new == summary.totals.papers > 100
    assert summary.embedding.reused_from_store == 0
    assert set(summary.lineage) == {"new"}


def test_rerun_with_nothing_new_changes_nothing(first_run) -> None:
    base, inputs, config, first = first_run
    before = _csvs(base / "out")
    report_mtime = (base / "out" / "report.html").stat().st_mtime_ns
    summary = _run(inputs, base / "out", base / "store", config)
    assert summary.status == "unchanged"
    assert summary.same_as_run == first.run_id
    assert _csvs(base / "out") == before
    assert (base / "out" / "report.html").stat().st_mtime_ns == report_mtime
    assert json.loads((base / "out" / "run.json").read_text())["run_id"] == first.run_id
    # ...and the check itself is recorded
    assert (base / "out" / "runs" / f"{summary.run_id}.json").exists()


@pytest.fixture(scope="module")
def second_run(first_run, tmp_path_factory):
    """The first run's store and outputs, then one more dump, uninterrupted (the clean reference)."""
    base, inputs, config, first = first_run
    work = tmp_path_factory.mktemp("second")
    shutil.copytree(base / "store", work / "store")
    shutil.copytree(base / "out", work / "out")
    new_inputs = _folder(work / "in", FIRST + [NEW_DUMP])
    summary = _run(new_inputs, work / "out", work / "store", config)
    return work, summary


def test_rerun_with_a_new_dump_embeds_only_new_papers_and_keeps_topics(first_run, second_run) -> None:
    base = first_run[0]
    out, summary = second_run[0] / "out", second_run[1]
    before_topics = pd.read_csv(base / "out" / "topics.csv")
    before_papers = pd.read_csv(base / "out" / "papers.csv", keep_default_na=False)

    papers = pd.read_csv(out / "papers.csv", keep_default_na=False)
    new_ids = set(papers["paper_id"]) - set(before_papers["paper_id"])
    assert len(new_ids) >= 5
    assert summary.embedding.embedded_new == len(new_ids)
    assert summary.embedding.reused_from_store == len(before_papers)
    assert summary.changes["new_papers"] == len(new_ids)
    # Refit, then matched: continued topics keep their id and label.
    history = pd.read_csv(out / "lineage.csv", keep_default_na=False)
    assert list(dict.fromkeys(history["run_id"])) == [first_run[3].run_id, summary.run_id]  # both runs
    lineage = history[history["run_id"] == summary.run_id]
    assert set(lineage["status"]) <= {"continued", "grown", "shrunk", "split", "merged", "new", "vanished"}
    kept = lineage[lineage["status"].isin(["continued", "grown", "shrunk", "merged"])]
    assert len(kept) >= 0.6 * len(before_topics), lineage.to_string()
    after_topics = pd.read_csv(out / "topics.csv").set_index("topic_id")
    before_labels = before_topics.set_index("topic_id")["label"]
    for topic_id in kept["topic_id"]:
        assert after_topics.loc[topic_id, "label"] == before_labels[topic_id]
    # Most papers that were in a topic before are in the same topic id now. (A full refit of ~140 papers
    # re-clusters noticeably; "auto" mode would assign these few new papers instead of refitting.)
    merged = before_papers.merge(papers, on="paper_id", suffixes=("_before", "_after"))
    same = (merged["topic_id_before"] == merged["topic_id_after"]).mean()
    assert same >= 0.5, same
    # New topic ids are never reused ones.
    fresh = lineage[lineage["status"].isin(["new", "split"])]["topic_id"]
    assert not set(fresh) & set(before_topics["topic_id"])


def test_assign_mode_puts_new_papers_into_existing_topics(first_run, tmp_path) -> None:
    base, _, _, first = first_run
    store, out = tmp_path / "store", tmp_path / "out"
    shutil.copytree(base / "store", store)
    shutil.copytree(base / "out", out)
    before_topics = pd.read_csv(out / "topics.csv")
    summary = _run(_folder(tmp_path / "in", FIRST + [NEW_DUMP]), out, store, _config(tmp_path / "a.toml", "assign"))
    assert summary.mode == "assign"
    topics = pd.read_csv(out / "topics.csv")
    assert list(topics["topic_id"]) == list(before_topics["topic_id"])
    assert list(topics["label"]) == list(before_topics["label"])
    assert topics["size"].sum() > before_topics["size"].sum()


def _cli(args: list[str], env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run the CLI in its own process group. Output goes to files, not pipes: the temporary Prefect server of
    a run killed with SIGKILL outlives it and would hold a pipe open; it is killed with the group afterwards."""
    exe = shutil.which("topictrends", path=str(Path(sys.executable).parent))
    env = dict(os.environ, **(env_extra or {}))
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen([exe, *args], cwd=ROOT, env=env, stdout=out, stderr=err, text=True,
                                start_new_session=True)
        try:
            proc.wait(timeout=1800)
        finally:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        out.seek(0)
        err.seek(0)
        return subprocess.CompletedProcess(proc.args, proc.returncode, out.read(), err.read())


# before_commit: every output staged, the store not yet committed; after_commit: the store committed, the
# outputs not yet moved in (the next run moves them in first). Either way the store and the outputs never show
# different runs to the next run, and it ends where an uninterrupted run would.
@pytest.mark.parametrize("stage", ["embedding", "clustering", "writing_outputs", "before_commit", "after_commit"])
def test_killed_run_leaves_outputs_intact_and_rerun_matches_clean_run(first_run, second_run, tmp_path, stage) -> None:
    base, _, config, first = first_run
    new_inputs = _folder(tmp_path / "in", FIRST + [NEW_DUMP])
    store, out = tmp_path / "store", tmp_path / "out"
    shutil.copytree(base / "store", store)
    shutil.copytree(base / "out", out)
    before = _csvs(out)
    args = ["run", "--input", str(new_inputs), "--output", str(out), "--store", str(store), "--config", str(config)]
    killed = _cli(args, {"TOPICTRENDS_CRASH_AT": stage})
    assert killed.returncode == -9, killed.stderr[-2000:]
    assert _csvs(out) == before, "the killed run changed the previous outputs"
    assert json.loads((out / "run.json").read_text())["run_id"] == first.run_id

    rerun = _cli(args)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert _csvs(out) == _csvs(second_run[0] / "out"), "rerun after a crash differs from the uninterrupted run"
    assert not list(out.glob(".staging-*"))
    from analytics.store import Store

    shown = json.loads((out / "run.json").read_text())["run_id"]
    store_handle = Store(store)
    try:
        assert store_handle.last_completed_run()["run_id"] == shown, "the store and the outputs show different runs"
    finally:
        store_handle.close()


def test_second_run_on_a_busy_store_stops_with_a_clear_message(first_run, tmp_path) -> None:
    base, inputs, config, _ = first_run
    store = tmp_path / "store"
    shutil.copytree(base / "store", store)
    with FileLock(str(store / ".lock")):  # as a running flow holds it
        busy = _cli(["run", "--input", str(inputs), "--output", str(tmp_path / "out"), "--store", str(store),
                     "--config", str(config)])
    assert busy.returncode == 3
    # One line, not a crashed flow run: no Prefect ERROR log, no traceback.
    assert busy.stderr.strip() == (f"error: another topictrends run is using the store {store} (lock file "
                                   f"{store / '.lock'}); waited 1 s. Try again when it has finished."), busy.stderr
    assert "Traceback" not in busy.stderr and "ERROR" not in busy.stderr
    assert not (tmp_path / "out" / "run.json").exists()


def test_flow_started_directly_on_a_busy_store_stops(first_run, tmp_path) -> None:
    # `serve`'s scheduled runs start the flow itself, not through the command: the flow's own lock guards them.
    base, inputs, config, _ = first_run
    store = tmp_path / "store"
    shutil.copytree(base / "store", store)
    with FileLock(str(store / ".lock")):  # as another run holds it
        with pytest.raises(StoreBusy, match="another topictrends run is using the store"):
            _run(inputs, tmp_path / "out", store, config)
    assert not (tmp_path / "out" / "run.json").exists()


def test_a_different_collection_on_the_same_store_stops_before_any_work(first_run, tmp_path) -> None:
    """Other dumps (the samples the first run did not read) against the first run's store: exit code 5, a
    message naming both folders, no outputs, and the store still serves the first folder."""
    base, inputs, config, _ = first_run
    store = tmp_path / "store"
    shutil.copytree(base / "store", store)
    other = _folder(tmp_path / "other", ["001_6b73f48a22e7d380.txt", "002_ee4e4be09cd55250.txt"])
    stopped = _cli(["run", "--input", str(other), "--output", str(tmp_path / "out"), "--store", str(store),
                    "--config", str(config)])
    assert stopped.returncode == 5, stopped.stderr[-2000:]
    message = "".join(stopped.stderr.split())  # rich wraps long lines, even inside a path
    assert "serves the dumps in" in stopped.stderr
    assert str(inputs.resolve()) in message and str(other.resolve()) in message
    assert not (tmp_path / "out" / "run.json").exists()
    from analytics.store import Store

    reopened = Store(store)
    assert reopened.collection() == str(inputs.resolve())
    reopened.close()
