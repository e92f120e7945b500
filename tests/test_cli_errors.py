"""Mistakes made when starting a run stop it at once, before any work, with one line naming what is wrong and
no traceback: a bad config exits 4, an output or store folder that cannot be written exits 2."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import analytics.config
from analytics.outputs import FolderNotWritable
from flows import cli

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "samples" / "003_9f597363cd8327d1.txt"


def _topictrends(*args: str) -> subprocess.CompletedProcess:
    exe = shutil.which("topictrends", path=str(Path(sys.executable).parent))
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    return subprocess.run([exe, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)


def _one_line(stderr: str) -> str:
    assert "Traceback" not in stderr, stderr[-3000:]
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr[-3000:]
    return lines[0]


@pytest.fixture
def inputs(tmp_path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SAMPLE, folder)
    return folder


BAD_CONFIGS = {
    "unknown key": ("[topics]\nmin_clustr_size = 5\n",
                    "topics.min_clustr_size: unknown key (did you mean topics.min_cluster_size?)"),
    "wrong type": ('[run]\nlock_wait_seconds = "ten"\n', 'run.lock_wait_seconds = "ten": must be a number >= 0'),
    "out of range": ("[topics]\nmin_cluster_size = -5\n",
                     'topics.min_cluster_size = -5: must be "auto" or an integer >= 2'),
    "section of the wrong type": ("run = 5\n", "run = 5: must be a table (a [run] section)"),
    "TOML syntax": ("[topics]\nseed = \n", "line 2, column 8: invalid TOML (Invalid value)"),
}


@pytest.mark.parametrize("case", list(BAD_CONFIGS))
def test_run_with_a_bad_config_exits_4_with_one_line(tmp_path, inputs, case) -> None:
    text, problem = BAD_CONFIGS[case]
    config = tmp_path / "my.toml"
    config.write_text(text, encoding="utf-8")
    out, store = tmp_path / "out", tmp_path / "store"
    proc = _topictrends("run", "--config", str(config), "--input", str(inputs), "--output", str(out),
                        "--store", str(store))
    assert proc.returncode == 4, proc.stderr[-3000:]
    assert _one_line(proc.stderr) == f"config error in {config}: {problem}"
    assert not out.exists() and not store.exists()


def test_run_with_a_missing_config_file_exits_4(tmp_path, inputs) -> None:
    config = tmp_path / "nowhere.toml"
    proc = _topictrends("run", "--config", str(config), "--input", str(inputs), "--output", str(tmp_path / "out"),
                        "--store", str(tmp_path / "store"))
    assert proc.returncode == 4, proc.stderr[-3000:]
    assert _one_line(proc.stderr) == f"config file {config} not found"


@pytest.mark.parametrize("command", ["serve", "evaluate"])
def test_other_commands_report_a_bad_config_the_same_way(tmp_path, command) -> None:
    config = tmp_path / "my.toml"
    config.write_text("[topics]\nmin_cluster_size = -5\n", encoding="utf-8")
    proc = _topictrends(command, "--config", str(config))
    assert proc.returncode == 4, proc.stderr[-3000:]
    assert _one_line(proc.stderr) == (
        f'config error in {config}: topics.min_cluster_size = -5: must be "auto" or an integer >= 2')


def test_evaluate_dates_reports_a_broken_defaults_file(tmp_path, monkeypatch) -> None:
    defaults = tmp_path / "default.toml"
    defaults.write_text("[run]\ninput = 5\n", encoding="utf-8")
    monkeypatch.setattr(analytics.config, "DEFAULT_CONFIG", defaults)
    outcome = CliRunner().invoke(cli.app, ["evaluate-dates"])
    assert outcome.exit_code == 4, outcome.output
    assert outcome.exception is None or isinstance(outcome.exception, SystemExit)
    assert outcome.stderr.strip() == f"config error in {defaults}: run.input = 5: must be a string"


def test_a_bad_config_stops_run_before_the_prefect_server_starts(tmp_path, inputs, monkeypatch) -> None:
    config = tmp_path / "my.toml"
    config.write_text("[topics]\nmin_cluster_size = -5\n", encoding="utf-8")
    started = []
    monkeypatch.setattr(cli, "start_temporary_server", lambda: started.append(1) or (lambda: None))
    outcome = CliRunner().invoke(cli.app, ["run", "--config", str(config), "--input", str(inputs),
                                           "--output", str(tmp_path / "out"), "--store", str(tmp_path / "store")])
    assert outcome.exit_code == 4, outcome.output
    assert started == []


def _folder_cases(tmp_path: Path) -> dict[str, tuple[list[str], str]]:
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder\n", encoding="utf-8")
    out, store = tmp_path / "out", tmp_path / "store"
    return {
        "output is a file": (["--output", str(a_file), "--store", str(store)],
                             f"error: output folder {a_file} is a file, not a folder"),
        "output under a file": (["--output", str(a_file / "out"), "--store", str(store)],
                                f"error: output folder {a_file / 'out'} cannot be created: {a_file} is a file, "
                                "not a folder"),
        "store is a file": (["--output", str(out), "--store", str(a_file)],
                            f"error: store folder {a_file} is a file, not a folder"),
        "store under a file": (["--output", str(out), "--store", str(a_file / "store")],
                               f"error: store folder {a_file / 'store'} cannot be created: {a_file} is a file, "
                               "not a folder"),
    }


@pytest.mark.parametrize("case", ["output is a file", "output under a file", "store is a file", "store under a file"])
def test_an_unusable_output_or_store_folder_exits_2_before_any_work(tmp_path, inputs, case) -> None:
    args, message = _folder_cases(tmp_path)[case]
    proc = _topictrends("run", "--input", str(inputs), *args)
    assert proc.returncode == 2, proc.stderr[-3000:]
    assert _one_line(proc.stderr) == message
    assert "Embedding" not in proc.stderr and not (tmp_path / "store" / "topictrends.duckdb").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_output_folder_exits_2(tmp_path, inputs) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        proc = _topictrends("run", "--input", str(inputs), "--output", str(locked), "--store", str(tmp_path / "s"))
    finally:
        locked.chmod(0o755)
    assert proc.returncode == 2, proc.stderr[-3000:]
    assert _one_line(proc.stderr) == f"error: output folder {locked} is not writable: Permission denied"


def test_the_flow_called_directly_checks_its_folders_first(tmp_path, inputs) -> None:
    # As `serve`'s scheduled runs call it: the flow stops before opening the store or reading a dump.
    from flows.pipeline import topictrends_flow

    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder\n", encoding="utf-8")
    store = tmp_path / "store"
    with pytest.raises(FolderNotWritable) as raised:
        topictrends_flow(str(inputs), str(a_file / "out"), None, {"run": {"store": str(store)}})
    assert str(raised.value) == f"output folder {a_file / 'out'} cannot be created: {a_file} is a file, not a folder"
    assert not store.exists()
