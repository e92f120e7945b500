"""Evaluating date inference: hide stated dates, infer, compare."""

import json
from pathlib import Path

import pandas as pd
import pytest

from analytics.dates.evaluation import (
    compare_point_estimates,
    evaluate_date_inference,
    evaluate_dates_for_folder,
    stated_without_publication,
    summary_lines,
)
from analytics.parsing import read_dump
from analytics.records import DateInfo

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT.parent / "shared" / "real"
if not REAL.exists():  # worktrees live one level deeper than the main checkout
    REAL = Path("/work/shared/real")
needs_real = pytest.mark.skipif(not REAL.exists(), reason="../shared/real not present")


def day(iso, kind="published"):
    return DateInfo(iso, kind, "dump", "day", iso, iso)


def papers_frame(rows):
    base = {"paper_id": "", "title": "", "abstract": "", "arxiv_id": "", "links": [], "sources": []}
    return pd.DataFrame([{**base, **row} for row in rows])


def test_hidden_dates_are_recovered_from_ids_and_counted():
    papers = papers_frame([
        {"paper_id": "a", "arxiv_id": "2403.00001", "abstract": "We use GPT-4.", "sources": ["f:0"]},
        {"paper_id": "b", "arxiv_id": "2403.00002", "sources": ["f:1"]},
        {"paper_id": "c", "arxiv_id": "2402.00003", "sources": ["f:2"]},  # submitted Feb, stated day in March
        {"paper_id": "d", "abstract": "A method.", "sources": ["f:3"]},  # no evidence at all
        {"paper_id": "e", "arxiv_id": "2404.00004", "sources": ["f:4"]},  # no stated date: not evaluated
    ])
    stated = {"f:0": day("2024-03-05"), "f:1": day("2024-03-20"), "f:2": day("2024-03-01"), "f:3": day("2024-03-09")}
    result = evaluate_date_inference(papers, stated, horizon="2024-06-30")
    assert result["evaluated"] == 4 and result["inferred"] == 3
    assert result["share_inferred"] == 0.75
    assert result["coverage"] == round(2 / 3, 4)  # c's day is outside February
    assert result["coverage_within_7_days"] == 1.0
    assert result["median_width_days"] == 31
    assert result["no_evidence"] == 1
    assert result["by_source"]["arxiv_id"]["inferred"] == 3


def test_text_only_evaluation_hides_the_ids():
    papers = papers_frame([
        {"paper_id": "a", "arxiv_id": "2403.00001", "abstract": "We use GPT-4.",
         "links": ["https://arxiv.org/abs/2403.00001"], "sources": ["f:0"]},
        {"paper_id": "b", "arxiv_id": "2403.00002", "sources": ["f:1"]},
    ])
    stated = {"f:0": day("2024-03-05"), "f:1": day("2024-03-20")}
    result = evaluate_date_inference(papers, stated, hide_arxiv_id=True, horizon="2024-06-30")
    assert result["inferred"] == 1  # only the GPT-4 mention is left
    assert result["coverage"] == 1.0
    assert result["median_width_days"] == (pd.Timestamp("2024-06-30") - pd.Timestamp("2023-03-14")).days + 1


def test_nothing_to_evaluate():
    papers = papers_frame([{"paper_id": "a", "sources": ["f:0"]}])
    assert evaluate_date_inference(papers, {})["evaluated"] == 0


def test_update_days_stay_when_publication_is_hidden(tmp_path):
    line = {"id": "0704.0001", "title": "T", "abstract": "A text about GPT-4 evaluation.", "categories": "hep-ph",
            "versions": [{"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"},
                         {"version": "v2", "created": "Tue, 24 Jul 2007 20:10:27 GMT"}],
            "update_date": "2008-11-26", "authors_parsed": [["Doe", "J", ""]]}
    path = tmp_path / "snap.jsonl"
    path.write_text(json.dumps(line) + "\n")
    remaining = stated_without_publication(read_dump(path))
    # the latest version's day, not the later metadata update_date (2008-11-26)
    assert [(i.date, i.kind, i.version, i.metadata_update) for i in remaining.values()] == [
        ("2007-07-24", "updated", 2, False)]
    line["versions"] = line["versions"][:1]  # never revised: with v1 hidden only the metadata day is left
    path.write_text(json.dumps(line) + "\n")
    remaining = stated_without_publication(read_dump(path))
    assert [(i.date, i.kind, i.metadata_update) for i in remaining.values()] == [("2008-11-26", "updated", True)]


def test_folder_of_daily_listings(tmp_path):
    def listing(ids_and_text):
        return "\n".join(json.dumps({"id": i, "title": f"Paper {i}", "summary": text, "authors": ["A B"],
                                     "categories": ["cs.CL"], "abs": f"https://arxiv.org/abs/{i}",
                                     "pdf": f"https://arxiv.org/pdf/{i}", "comment": None})
                         for i, text in ids_and_text) + "\n"

    (tmp_path / "2025-03-18.jsonl").write_text(listing([
        ("2503.10001", "We evaluate GPT-4o and Llama 3 on long documents."),
        ("2503.10002", "A study of sorting."),
    ]))
    (tmp_path / "2025-04-01.jsonl").write_text(listing([
        ("2503.20003", "Listed on the first of April, submitted in March."),
        ("2503.10001", "We evaluate GPT-4o and Llama 3 on long documents."),  # listed again: first day counts
    ]))
    result = evaluate_dates_for_folder(tmp_path)
    assert (result["files"], result["records"], result["papers"]) == (2, 4, 3)
    coverage = result["coverage"]["after"]
    assert coverage["stated"] == 3 and coverage["by_kind"] == {"listed": 3} and coverage["share_dated"] == 1.0
    # no update days: the learned gap changes nothing, both rules are the same run
    assert result["revision_days"] == 0 and result["coverage"]["before"] == coverage
    assert result["with_arxiv_id"]["before"] is result["with_arxiv_id"]["after"]
    assert "text_only_no_versions" not in result  # no record has a version number
    with_id = result["with_arxiv_id"]["after"]
    assert with_id["evaluated"] == 3 and with_id["inferred"] == 3
    assert with_id["coverage"] == round(2 / 3, 4) and with_id["coverage_within_7_days"] == 1.0
    text_only = result["text_only"]["after"]
    assert text_only["inferred"] == 1  # only the GPT-4o paper has text evidence
    assert text_only["coverage"] == 1.0  # 2025-03-18 lies in [2024-05-13, 2025-04-01]
    assert text_only["share_trend_ready"] == 1.0  # 325 days wide: narrow enough for trends



def test_default_horizon_is_the_latest_date_in_the_input():
    papers = papers_frame([{"paper_id": "a", "abstract": "We use GPT-4.", "sources": ["f:0"]},
                           {"paper_id": "b", "sources": ["g:0"]}])
    result = evaluate_date_inference(papers, {"f:0": day("2024-03-05"), "g:0": day("2024-05-01", "updated")})
    assert result["horizon"] == "2024-05-01" and result["coverage"] == 1.0


# ---------------------------------------------------------------- before (midpoint) and after (learned gap)


def test_point_estimates_before_and_after_the_learned_gap_on_the_same_papers():
    papers = papers_frame([
        {"paper_id": "never", "abstract": "A Transformer LLM.", "sources": ["f:0"]},  # update day = first release
        {"paper_id": "revised", "abstract": "A Transformer LLM.", "sources": ["f:1"]},  # revised 85 days later
        {"paper_id": "dated", "arxiv_id": "2403.00001", "sources": ["f:2"]},  # no update day: midpoint either way
    ])
    stated = {"f:0": day("2024-02-27"), "f:1": day("2023-10-17"), "f:2": day("2024-03-05")}
    updates = {"f:0": day("2024-02-27", "updated"), "f:1": day("2024-01-10", "updated")}
    result = compare_point_estimates(papers, stated, stated_without_truth=updates, horizon="2024-06-30")
    before, after, paired = result["before"], result["after"], result["last_revision"]
    assert before["evaluated"] == after["evaluated"] == 3
    # before: [2017-06-12, update day], midpoints in 2020; after: the update day itself (median gap 0 days)
    assert paired["papers"] == paired["dated_before"] == 2
    assert paired["median_error_days_before"] > 1000
    assert paired["median_error_days_after"] == (0 + 85) / 2
    assert paired["coverage_before"] == paired["coverage_after"] == 1.0  # 85 days is inside the learned 90% gap
    assert paired["median_width_days_after"] < paired["median_width_days_before"]
    assert after["by_source"]["arxiv_id"] == before["by_source"]["arxiv_id"]  # the id-month paper is untouched
    assert after["median_error_days"] < before["median_error_days"]


def test_folder_with_version_histories_reports_before_and_after(tmp_path):
    def snapshot_line(arxiv_id, v1, later=()):
        versions = [{"version": f"v{n}", "created": created} for n, created in enumerate((v1, *later), start=1)]
        return json.dumps({"id": arxiv_id, "title": f"Paper {arxiv_id}", "abstract": "We train a Transformer.",
                           "categories": "cs.CL", "versions": versions, "update_date": "2024-12-01",
                           "authors_parsed": [["Doe", "J", ""]]})

    (tmp_path / "snapshot.jsonl").write_text("\n".join([
        snapshot_line("2402.00001", "Tue, 27 Feb 2024 18:56:19 GMT", ["Wed, 6 Mar 2024 10:00:00 GMT"]),
        snapshot_line("2310.00002", "Tue, 17 Oct 2023 17:59:15 GMT", ["Mon, 15 Jan 2024 09:00:00 GMT",
                                                                       "Fri, 1 Mar 2024 09:00:00 GMT"]),
        snapshot_line("2401.00003", "Mon, 8 Jan 2024 12:00:00 GMT"),  # never revised: only update_date is left
    ]) + "\n")
    result = evaluate_dates_for_folder(tmp_path)
    assert result["papers"] == 3 and result["revision_days"] == 2
    assert result["coverage"]["before"]["stated"] == result["coverage"]["after"]["stated"] == 3
    text_only, paired = result["text_only"], result["text_only"]["last_revision"]
    assert text_only["before"]["evaluated"] == text_only["after"]["evaluated"] == 3
    assert paired["papers"] == 2  # the two revised papers; the third ends at a metadata day (no learned gap)
    assert paired["median_error_days_after_same_papers"] < paired["median_error_days_before"]
    # with version numbers hidden too, the gap over all papers applies (median 0: the point is the revision day)
    no_versions = result["text_only_no_versions"]["after"]
    assert no_versions["by_source"]["revision_gap+updated"]["median_error_days"] == (8 + 136) / 2
    assert paired["median_error_days_after"] != no_versions["median_error_days"]
    lines = "\n".join(summary_lines(result))
    assert "before (midpoint)" in lines and "after (learned gap)" in lines
    assert "ending at a last revision: 2 papers" in lines and "point error, median" in lines


@needs_real
@pytest.mark.parametrize("folder", ["kaggle-arxiv-snapshot-head", "arxiv-api-atom"])
def test_learned_gap_on_real_version_histories(folder):
    result = evaluate_dates_for_folder(REAL / folder)
    paired = result["text_only"]["last_revision"]
    assert paired["papers"] >= 50
    # the point estimate moves from mid-interval to near the truth, and the intervals hold near their nominal 90%
    assert paired["median_error_days_after"] < paired["median_error_days_before"] / 2
    assert paired["coverage_after"] >= 0.85
    assert result["text_only"]["after"]["share_inferred"] > result["text_only"]["before"]["share_inferred"]
