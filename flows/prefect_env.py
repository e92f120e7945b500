"""Prefect settings for offline, project-local runs. Import (and call) before importing prefect."""

from __future__ import annotations

import os
from pathlib import Path

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
