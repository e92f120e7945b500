"""`topictrends serve` registers a cron-scheduled deployment on a real local Prefect server."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

pytestmark = pytest.mark.e2e


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture()
def prefect_server(tmp_path):
    port = _free_port()
    env = dict(os.environ, PREFECT_HOME=str(tmp_path / "prefect"), PREFECT_SERVER_ANALYTICS_ENABLED="false")
    env.pop("PREFECT_API_URL", None)
    server = subprocess.Popen(
        [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    api = f"http://127.0.0.1:{port}/api"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if httpx.get(f"{api}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail("the local Prefect server did not start within 180 s")
            time.sleep(1)
        yield api, env
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def test_serve_without_a_server_explains_what_to_do() -> None:
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    proc = subprocess.run([shutil.which("topictrends", path=str(BIN)), "serve"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "prefect server start" in proc.stderr


def test_serve_registers_a_cron_deployment(prefect_server, tmp_path) -> None:
    api, env = prefect_server
    proc = subprocess.run(
        [shutil.which("topictrends", path=str(BIN)), "serve", "--register-only", "--cron", "30 5 * * *",
         "--input", str(ROOT / "data" / "samples"), "--output", str(tmp_path / "out")],
        cwd=ROOT, env=dict(env, PREFECT_API_URL=api), capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    deployments = httpx.post(f"{api}/deployments/filter", json={}, timeout=10).json()
    daily = [d for d in deployments if d["name"] == "daily"]
    assert len(daily) == 1
    assert [s["schedule"]["cron"] for s in daily[0]["schedules"]] == ["30 5 * * *"]
    assert daily[0]["parameters"]["output_dir"] == str(tmp_path / "out")
