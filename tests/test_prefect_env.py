"""Prefect's temporary server, started by the command before it imports prefect (flows.prefect_env)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from flows import prefect_env
from flows.prefect_env import start_temporary_server

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for key in ("PREFECT_API_URL", "PREFECT_PROFILE", "PREFECT_PROFILES_PATH", "PREFECT_SERVER_EPHEMERAL_ENABLED",
                "PREFECT_SERVER_ALLOW_EPHEMERAL_MODE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path))
    # as in the command, which decides before anything imports prefect (restored after the test)
    monkeypatch.delitem(sys.modules, "prefect", raising=False)
    return tmp_path


def test_a_server_is_started_when_none_is_configured(clean_env, monkeypatch) -> None:
    started = []
    monkeypatch.setattr(prefect_env.TemporaryServer, "start", lambda self: started.append(self))
    start_temporary_server()
    assert len(started) == 1


def test_no_server_is_started_when_an_api_url_is_in_the_environment(clean_env, monkeypatch) -> None:
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:4200/api")
    monkeypatch.setattr(prefect_env.TemporaryServer, "start", lambda self: pytest.fail("started a server"))
    start_temporary_server()()
    assert os.environ["PREFECT_API_URL"] == "http://127.0.0.1:4200/api"


def test_no_server_is_started_when_the_active_profile_names_a_server(clean_env, monkeypatch) -> None:
    # `prefect config set PREFECT_API_URL=...` writes the URL into the active profile in PREFECT_HOME
    (clean_env / "profiles.toml").write_text(
        'active = "team"\n[profiles.team]\nPREFECT_API_URL = "http://10.0.0.5:4200/api"\n[profiles.ephemeral]\n',
        encoding="utf-8")
    monkeypatch.setattr(prefect_env.TemporaryServer, "start", lambda self: pytest.fail("started a server"))
    start_temporary_server()()
    assert "PREFECT_API_URL" not in os.environ
    # another profile without a URL is active: a temporary server is needed
    monkeypatch.setenv("PREFECT_PROFILE", "ephemeral")
    assert prefect_env._configured_api_url() is None


def test_no_server_is_started_once_prefect_has_read_its_settings(clean_env, monkeypatch) -> None:
    # prefect reads PREFECT_API_URL once, at import: too late to point it at a server; Prefect starts its own
    monkeypatch.setitem(sys.modules, "prefect", sys.modules.get("prefect") or object())
    monkeypatch.setattr(prefect_env.TemporaryServer, "start", lambda self: pytest.fail("started a server"))
    start_temporary_server()()
    assert "PREFECT_API_URL" not in os.environ


def test_the_temporary_server_runs_the_flow_and_stops_with_the_process(tmp_path) -> None:
    code = (
        "import json, os, sys\n"
        "from flows.prefect_env import configure_prefect_env, start_temporary_server\n"
        "configure_prefect_env()\n"
        "wait = start_temporary_server()\n"
        "from prefect import flow\n"  # imported while the server boots, as the command does
        "wait()\n"
        "@flow\n"
        "def double(x: int) -> int:\n"
        "    return 2 * x\n"
        "import psutil\n"
        "children = [p.pid for p in psutil.Process().children() if 'uvicorn' in ' '.join(p.cmdline())]\n"
        "print(json.dumps({'result': double(21), 'api': os.environ['PREFECT_API_URL'], 'server': children}))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["result"] == 42
    assert out["api"].startswith("http://127.0.0.1:") and len(out["server"]) == 1
    import psutil

    assert not psutil.pid_exists(out["server"][0]) or psutil.Process(out["server"][0]).status() == "zombie"


def test_the_command_keeps_its_exit_status() -> None:
    # The console script ends the process itself after the exit handlers (flows.cli.main)
    exe = shutil.which("topictrends", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.skip("the topictrends console script is not installed in this environment")
    missing = subprocess.run([exe, "run", "--input", "/nonexistent/folder"], capture_output=True, text=True,
                             timeout=120)
    assert missing.returncode == 2
    assert "/nonexistent/folder" in missing.stderr and "does not exist" in missing.stderr
    ok = subprocess.run([exe, "--help"], capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0 and "run" in ok.stdout


def test_the_temporary_server_stops_when_the_command_is_killed() -> None:
    # SIGKILL (or SIGTERM) skips the exit handlers; the kernel still stops the server with its parent
    import psutil

    code = (
        "import time\n"
        "from flows.prefect_env import configure_prefect_env, start_temporary_server\n"
        "configure_prefect_env()\n"
        "start_temporary_server()\n"
        "print('started', flush=True)\n"
        "time.sleep(600)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    command = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert command.stdout.readline().strip() == "started"
        servers = [p for p in psutil.Process(command.pid).children() if "uvicorn" in " ".join(p.cmdline())]
        assert len(servers) == 1
        command.kill()
        command.wait(timeout=30)
        gone, alive = psutil.wait_procs(servers, timeout=30)
        assert not alive, "the temporary server outlived the killed command"
    finally:
        if command.poll() is None:
            command.kill()
