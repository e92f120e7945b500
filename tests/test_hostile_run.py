"""One real run on hostile input (issue 17): the samples plus a brand-new subject dated only in the latest
period, a named pipe, a UTF-16 dump with formula titles, and the output and store folders inside the input
folder. The run finishes, reads the UTF-16 records, sets the pipe aside without blocking on it, writes no
spreadsheet formula into the CSVs, reports the new subject as a new topic, and a rerun sees nothing new."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"
NEW_SUBJECT = ROOT / "tests" / "fixtures" / "hostile" / "new_subject.jsonl"
FORMULA_TITLES = [
    '=HYPERLINK("http://evil.example/x","click") Sparse mixture-of-experts routing',
    "+cmd|' /C calc'!A0 Load balancing for expert layers",
    "@SUM(1) Token routing in sparse expert models",
]
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")]


def _cli() -> list[str]:
    exe = shutil.which("topictrends", path=str(Path(sys.executable).parent))
    return [exe] if exe else [sys.executable, "-m", "flows.cli"]


def _utf16_dump() -> bytes:
    lines = [
        json.dumps({"id": f"2501.{20000 + i}", "title": title, "authors": "Dana Smith; Lee Park",
                    "abstract": "We study sparse mixture-of-experts language models in which a router sends each "
                                "token to a few expert feed-forward layers, and we propose a routing loss that "
                                "balances the load across experts without hurting perplexity."})
        for i, title in enumerate(FORMULA_TITLES)
    ]
    return ("\n".join(lines) + "\n").encode("utf-16")  # with a BOM, as Windows editors write it


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile") / "dumps"
    shutil.copytree(SAMPLES, folder)
    shutil.copy(NEW_SUBJECT, folder / "new_subject.jsonl")
    (folder / "windows_export.jsonl").write_bytes(_utf16_dump())
    os.mkfifo(folder / "pipe.txt")  # nobody ever writes to it: opening it for reading would block for ever
    out, store = folder / "out", folder / "store"  # inside the input folder: must not be read as dumps
    args = [*_cli(), "run", "--input", str(folder), "--output", str(out), "--store", str(store)]
    first = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert first.returncode == 0, f"STDOUT:\n{first.stdout[-3000:]}\nSTDERR:\n{first.stderr[-5000:]}"
    second = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=900)
    return folder, out, first, second


def test_the_pipe_is_set_aside_and_the_utf16_records_are_read(hostile_run):
    folder, out, _, _ = hostile_run
    files = {entry["file"]: entry for entry in json.loads((out / "run.json").read_text())["files"]}
    assert files["pipe.txt"]["set_aside"] and files["pipe.txt"]["problems"]
    assert "pipe.txt" in files["pipe.txt"]["problems"][0]["file"]
    assert not files["windows_export.jsonl"]["set_aside"]
    assert files["windows_export.jsonl"]["records"] == len(FORMULA_TITLES)
    assert "out" not in files and "store" not in files  # the run's own folders are not dumps
    papers = pd.read_csv(out / "papers.csv", dtype=str, keep_default_na=False)
    assert sum("windows_export.jsonl" in s for s in papers["sources"]) == len(FORMULA_TITLES)


def test_no_csv_cell_is_a_spreadsheet_formula(hostile_run):
    _, out, _, _ = hostile_run
    for name in ("papers.csv", "topics.csv", "trends.csv", "lineage.csv"):
        with open(out / name, newline="", encoding="utf-8") as handle:
            for row in csv.reader(handle):
                for cell in row:
                    if cell.startswith(FORMULA_TRIGGERS):
                        float(cell)  # only numbers such as -1 may start with a sign
                    assert "\x00" not in cell
    papers = pd.read_csv(out / "papers.csv", dtype=str, keep_default_na=False)
    assert "'" + FORMULA_TITLES[0] in set(papers["title"])  # written as text, readable as written
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "'=HYPERLINK" not in report and "=HYPERLINK(" in report  # the report keeps the true text


def test_the_new_subject_is_reported_as_a_new_topic(hostile_run):
    _, out, _, _ = hostile_run
    papers = pd.read_csv(out / "papers.csv", dtype=str, keep_default_na=False)
    new = papers[papers["sources"].str.contains("new_subject.jsonl")]
    assert len(new) == 12
    topic_id, count = new["topic_id"].value_counts().index[0], new["topic_id"].value_counts().iloc[0]
    assert topic_id != "-1" and count >= 9, new["topic_id"].value_counts()
    topics = pd.read_csv(out / "topics.csv", dtype=str, keep_default_na=False).set_index("topic_id")
    row = topics.loc[topic_id]
    assert row["growth_class"] == "emerging", row["growth_reason"]
    assert row["growth_reason"].startswith("new topic"), row["growth_reason"]


def test_a_rerun_with_the_outputs_inside_the_input_folder_sees_nothing_new(hostile_run):
    _, _, _, second = hostile_run
    assert second.returncode == 0, second.stderr[-3000:]
    assert "nothing new" in second.stderr
