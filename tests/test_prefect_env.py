"""Starting Prefect's temporary server early (flows.prefect_env.start_temporary_server)."""

from __future__ import annotations

import pytest
from prefect.server.api.server import SubprocessASGIServer
from prefect.settings import PREFECT_API_URL, temporary_settings

from flows.prefect_env import start_temporary_server


@pytest.mark.parametrize("api_url, starts", [("http://127.0.0.1:4200/api", False), ("", True)])
def test_temporary_server_starts_early_only_without_a_real_server(monkeypatch, api_url, starts) -> None:
    started = []
    monkeypatch.setattr(SubprocessASGIServer, "start", lambda self, timeout=None: started.append(self))
    with temporary_settings({PREFECT_API_URL: api_url}):
        start_temporary_server()()
    # the instance started is the one Prefect's get_client will find (one per process and port)
    assert started == ([SubprocessASGIServer()] if starts else [])
