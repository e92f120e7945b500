"""Evaluating date inference: hide stated dates, infer, compare."""

import json

import pandas as pd

from analytics.date_evaluation import evaluate_date_inference, evaluate_dates_for_folder, stated_without_publication
from analytics.parsing import read_dump
from analytics.records import DateInfo


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
    assert result["coverage"]["stated"] == 3 and result["coverage"]["by_kind"] == {"listed": 3}
    with_id = result["with_arxiv_id"]
    assert with_id["evaluated"] == 3 and with_id["inferred"] == 3
    assert with_id["coverage"] == round(2 / 3, 4) and with_id["coverage_within_7_days"] == 1.0
    text_only = result["text_only"]
    assert text_only["inferred"] == 1  # only the GPT-4o paper has text evidence
    assert text_only["coverage"] == 1.0  # 2025-03-18 lies in [2024-05-13, 2025-04-01]


def test_default_horizon_is_the_latest_date_in_the_input():
    papers = papers_frame([{"paper_id": "a", "abstract": "We use GPT-4.", "sources": ["f:0"]},
                           {"paper_id": "b", "sources": ["g:0"]}])
    result = evaluate_date_inference(papers, {"f:0": day("2024-03-05"), "g:0": day("2024-05-01", "updated")})
    assert result["horizon"] == "2024-05-01" and result["coverage"] == 1.0
