"""The CSV files are safe to open in a spreadsheet: a title or author list that a spreadsheet would run as a
formula is written as text (OWASP CSV injection), numbers stay numbers, and the in-memory table (what the
store and the report get) keeps the true text."""

from __future__ import annotations

import csv

import pandas as pd

from analytics import outputs

HOSTILE = [
    '=HYPERLINK("http://evil.example/x","click")',
    "+cmd|' /C calc'!A0",
    "@SUM(1)",
    "=1+1; Alice",
    "-2+3",
    "\tTabbed title",
    "\rCarriage title",
]


def test_formula_cells_are_neutralised_and_numbers_kept(tmp_path):
    table = pd.DataFrame({
        "title": HOSTILE + ["An ordinary title", "-0.5"],
        "topic_id": [-1, 0, 1, 2, 3, 4, 5, 6, -7],
        "share": [-0.25] * 9,
    })
    path = tmp_path / "papers.csv"
    outputs.write_csv(table, path)
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 9  # a carriage return does not break a row in two
    for written, original in zip(rows[:6], HOSTILE):
        assert written["title"] == "'" + original, written["title"]
    assert rows[6]["title"] == "\nCarriage title"
    for written in rows[:7]:
        assert not written["title"].startswith(outputs.FORMULA_TRIGGERS)
    assert rows[7]["title"] == "An ordinary title"
    assert rows[8]["title"] == "-0.5"  # a number written as text stays a number
    assert [r["topic_id"] for r in rows][:2] == ["-1", "0"]
    assert rows[0]["share"] == "-0.25"
    assert table["title"].tolist()[:len(HOSTILE)] == HOSTILE  # the caller's table keeps the true text
