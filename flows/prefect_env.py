"""Prefect settings for offline, project-local runs. Import (and call) before importing prefect."""

from __future__ import annotations

import os
import threading
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


def start_temporary_server() -> Callable[[], None]:
    """Start Prefect's temporary server now, in the background; returns a function that waits until it is up.

    Without PREFECT_API_URL, Prefect starts this server when the flow begins and waits for it (~7 s on 2
    cores) with nothing else to do. Started as the command begins, it boots while the pipeline's modules
    are imported (~5 s). Prefect's get_client uses the same SubprocessASGIServer instance (one per
    process and port), so nothing starts twice; with a real server (PREFECT_API_URL) this does nothing.
    Call the returned function before the flow runs: the instance counts as running before it answers.
    """
    from prefect.settings import PREFECT_API_URL, PREFECT_SERVER_EPHEMERAL_ENABLED

    if PREFECT_API_URL.value() or not PREFECT_SERVER_EPHEMERAL_ENABLED.value():
        return lambda: None
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()
    failed: list[BaseException] = []

    def start() -> None:
        try:
            server.start()
        except Exception as error:  # the flow's own start reports it
            failed.append(error)

    thread = threading.Thread(target=start, name="prefect-temporary-server", daemon=True)
    thread.start()

    def wait() -> None:
        thread.join()
        if failed:
            server.running = False  # let get_client try again and raise its own error

    return wait
