"""Date coverage: how many papers are stated, inferred or undated, overall, per file and per topic."""

import pandas as pd
import pytest

from analytics.dates.coverage import date_coverage, date_coverage_by_file
from analytics.dates.inference import assign_dates
from analytics.records import DateInfo


def papers_frame(rows):
    base = {"paper_id": "", "title": "", "abstract": "", "arxiv_id": "", "links": [], "sources": []}
    return pd.DataFrame([{**base, **row} for row in rows])


def day(iso, kind="published"):
    return DateInfo(iso, kind, "dump", "day", iso, iso)


def dated_example(use_revision_gaps=True):
    papers = papers_frame([
        {"paper_id": "a", "sources": ["f1.txt:0"], "topic": 1},
        {"paper_id": "b", "arxiv_id": "2401.00001", "sources": ["f1.txt:1", "f2.txt:0"], "topic": 1},
        {"paper_id": "c", "sources": ["f2.txt:1"], "topic": 2},
        {"paper_id": "d", "sources": ["f2.txt:2"], "topic": 2},
    ])
    stated = {"f1.txt:0": day("2024-01-05"), "f2.txt:2": day("2024-02-01", "updated")}
    return assign_dates(papers, stated, use_revision_gaps=use_revision_gaps)


def test_coverage_counts_stated_inferred_undated():
    coverage = date_coverage(dated_example())
    overall = coverage["overall"]
    # d's last update day gives an inferred publication interval (the learned gap before it)
    assert (overall["papers"], overall["stated"], overall["inferred"], overall["undated"]) == (4, 1, 2, 1)
    assert overall["by_kind"] == {"published": 3}
    without_gap = date_coverage(dated_example(use_revision_gaps=False))["overall"]
    assert (without_gap["stated"], without_gap["inferred"], without_gap["by_kind"]) == (
        2, 1, {"published": 2, "updated": 1})


def test_coverage_per_source_file_and_per_topic():
    per_file = date_coverage(dated_example(), by="source_file")["groups"]
    assert per_file["f1.txt"]["papers"] == 2 and per_file["f1.txt"]["stated"] == 1
    assert per_file["f2.txt"]["papers"] == 3 and per_file["f2.txt"]["undated"] == 1
    per_topic = date_coverage(dated_example(), by="topic")["groups"]
    assert per_topic["1"]["inferred"] == 1 and per_topic["2"]["undated"] == 1
    with pytest.raises(KeyError, match="no column 'nope'"):
        date_coverage(dated_example(), by="nope")


def test_points_and_kinds_of_the_dated_example():
    dated = dated_example().set_index("paper_id")
    assert (dated.loc["a", "published"], bool(dated.loc["a", "date_inferred"])) == ("2024-01-05", False)
    assert (dated.loc["b", "published"], bool(dated.loc["b", "date_inferred"])) == ("2024-01-16", True)
    # d's publication is inferred from its last update (median gap 0 days, interval under a year), never stated
    d = dated.loc["d"]
    assert (d.published, d.date_kind, bool(d.date_inferred)) == ("2024-02-01", "published", True)
    # without the learned gap, d keeps its last update day, which is not a publication date
    assert dated_example(use_revision_gaps=False).set_index("paper_id").loc["d", "date_kind"] == "updated"


def test_coverage_by_file_counts_a_paper_once_per_file_it_was_read_from():
    papers = papers_frame([
        {"paper_id": "twice", "sources": ["f1.txt:0", "f1.txt:3"]},  # read twice from the same file
        {"paper_id": "both", "arxiv_id": "2401.00001", "sources": ["f1.txt:1", "f2.txt:0"]},  # from two files
        {"paper_id": "none", "sources": ["f2.txt:1"]},
    ])
    dated = assign_dates(papers, {"f1.txt:0": day("2024-01-05"), "f1.txt:3": day("2024-01-05")})
    assert date_coverage_by_file(dated) == {
        "f1.txt": {"stated": 1, "inferred": 1, "undated": 0},
        "f2.txt": {"stated": 0, "inferred": 1, "undated": 1},
    }
