"""Prefect settings for offline, project-local runs. Import (and call) before importing prefect."""

from __future__ import annotations

import atexit
import importlib.util
import os
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
from pathlib import Path
from typing import Callable

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def configure_prefect_env() -> None:
    """Keep Prefect's database and logs inside the project and never phone home.

    Without PREFECT_API_URL a flow run starts a temporary local server; 2 cores need a long startup timeout.
    Values already set by the user (e.g. a real server's PREFECT_API_URL) win.
    """
    defaults = {
        "PREFECT_HOME": str(PROJECT_ROOT / ".prefect"),
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
        "PREFECT_LOGGING_LEVEL": "WARNING",
    }
    for key, value in defaults.items():
        os.environ.setdefault(key, value)


def _configured_api_url() -> str | None:
    """PREFECT_API_URL from the environment or the active profile in PREFECT_HOME, read without importing prefect."""
    if os.environ.get("PREFECT_API_URL"):
        return os.environ["PREFECT_API_URL"]
    profiles_path = Path(os.environ.get("PREFECT_PROFILES_PATH")
                         or Path(os.environ.get("PREFECT_HOME", "~/.prefect")).expanduser() / "profiles.toml")
    try:
        profiles = tomllib.loads(profiles_path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return None  # no profiles file: Prefect's built-in profiles set no API URL
    active = os.environ.get("PREFECT_PROFILE") or profiles.get("active", "ephemeral")
    return profiles.get("profiles", {}).get(active, {}).get("PREFECT_API_URL") or None


class TemporaryServer:
    """Prefect's temporary API server (the one a flow run starts when no PREFECT_API_URL is set), started at once.

    Prefect's own launcher (SubprocessASGIServer) lives in the server's API module, so the command would first
    import the whole server (FastAPI, SQLAlchemy, all routes: 3-5 s on 2 cores) only to spawn a process that
    imports it again. Spawned first, with the same uvicorn command and settings Prefect uses, the server boots
    on the second core while this process imports the pipeline; PREFECT_API_URL then points the flow at it.
    """

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None
        self.port = 0
        self.api_url = ""

    def start(self) -> None:
        self.port = _free_port()
        self.api_url = f"http://127.0.0.1:{self.port}/api"
        prefect_dir = Path(importlib.util.find_spec("prefect").submodule_search_locations[0])
        # As Prefect's SubprocessASGIServer: no UI, the ephemeral set of services, one app per process.
        env = {**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1",
               "PREFECT__SERVER_FINAL": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--app-dir", str(prefect_dir.parent), "--factory",
             "prefect.server.api.server:create_app", "--host", "127.0.0.1", "--port", str(self.port),
             "--log-level", "error", "--lifespan", "on"],
            env=env,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )
        os.environ["PREFECT_API_URL"] = self.api_url  # before prefect reads its settings

    def wait_until_ready(self) -> None:
        """Block until the server answers its health check; raise if it exits or does not answer in time."""
        assert self.process is not None
        timeout = float(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120"))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            code = self.process.poll()
            if code is not None:
                raise RuntimeError(f"Prefect's temporary server exited with code {code} before answering "
                                   f"(port {self.port}); its messages are above")
            try:
                with _NO_PROXY.open(f"{self.api_url}/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:  # not listening yet
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"Prefect's temporary server did not answer within {timeout:.0f} s "
                           "(PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS)")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None


def _die_with_parent() -> None:
    """In the server's process before it starts: the kernel stops it when the command dies, even by a signal
    that skips the command's exit handlers (SIGTERM, SIGKILL)."""
    import ctypes
    import signal

    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # the server is on loopback


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_temporary_server() -> Callable[[], None]:
    """Start Prefect's temporary server now, unless a real one is configured; returns a function that waits
    until it answers (call it before the flow runs). The server stops when this process exits.

    Call before anything imports prefect: the flow finds the server through PREFECT_API_URL, which prefect reads
    once, at import. Once prefect is imported this does nothing, and Prefect starts its own server for the flow.
    """
    ephemeral = os.environ.get("PREFECT_SERVER_EPHEMERAL_ENABLED",
                               os.environ.get("PREFECT_SERVER_ALLOW_EPHEMERAL_MODE", "true"))
    if "prefect" in sys.modules or _configured_api_url() or ephemeral.strip().lower() in {"0", "false", "no", "off"}:
        return lambda: None
    server = TemporaryServer()
    server.start()
    atexit.register(server.stop)
    return server.wait_until_ready
