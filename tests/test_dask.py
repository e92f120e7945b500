"""The flow on a local Dask cluster (prefect-dask): parsing and embedding run on the workers and the
results are the same as with the default thread runner."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from flows.pipeline import run_pipeline

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"

pytestmark = pytest.mark.e2e


def test_flow_on_a_local_dask_cluster_matches_threads(tmp_path) -> None:
    pytest.importorskip("prefect_dask")
    inputs = tmp_path / "in"
    inputs.mkdir()
    for name in ("000_c0e02093f26f6559.txt", "003_9f597363cd8327d1.txt"):
        shutil.copy(SAMPLES / name, inputs / name)
    results = {}
    for runner in ("dask", "threads"):
        overrides = {
            "run": {"store": str(tmp_path / f"store-{runner}")},
            "compute": {"task_runner": runner, "dask_workers": 2},
            "embedding": {"backend": "sentence-transformer"},
        }
        summary = run_pipeline(str(inputs), str(tmp_path / f"out-{runner}"), None, overrides)
        assert summary.status == "completed"
        assert summary.task_runner == runner
        results[runner] = pd.read_csv(tmp_path / f"out-{runner}" / "papers.csv", keep_default_na=False)
    assert len(results["dask"]) == 52
    pd.testing.assert_frame_equal(results["dask"], results["threads"])
