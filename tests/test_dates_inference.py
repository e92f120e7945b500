"""One date per paper: stated among copies, or inferred from evidence; on hand-made papers."""

import pandas as pd

from analytics.dates.inference import DATE_COLUMNS, assign_dates
from analytics.records import DateInfo


def papers_frame(rows):
    base = {"paper_id": "", "title": "", "abstract": "", "arxiv_id": "", "links": [], "sources": []}
    return pd.DataFrame([{**base, **row} for row in rows])


def day(iso, kind="published", source="dump", inferred=False, confidence=1.0, note=""):
    return DateInfo(iso, kind, source, "day", iso, iso, inferred, confidence, note)


def test_output_has_every_date_column_and_keeps_the_input():
    papers = papers_frame([{"paper_id": "p1", "sources": ["a.txt:0"]}])
    out = assign_dates(papers, {"a.txt:0": day("2024-02-16")})
    assert list(out.columns[: len(papers.columns)]) == list(papers.columns)
    assert all(column in out.columns for column in DATE_COLUMNS)
    assert "published" not in papers.columns  # input not modified
    row = out.iloc[0]
    assert (row.published, row.date_kind, row.date_source, row.date_precision) == (
        "2024-02-16", "published", "dump", "day")
    assert (row.date_low, row.date_high, bool(row.date_inferred), row.date_confidence) == (
        "2024-02-16", "2024-02-16", False, 1.0)


def test_publication_beats_update_beats_listing_across_copies():
    papers = papers_frame([{"paper_id": "p", "sources": ["u.txt:0", "l.jsonl:3", "h.txt:7"]}])
    stated = {"u.txt:0": day("2024-05-02", "updated"), "l.jsonl:3": day("2024-04-30", "listed"),
              "h.txt:7": day("2024-04-29")}
    row = assign_dates(papers, stated).iloc[0]
    assert (row.published, row.date_kind) == ("2024-04-29", "published")
    stated.pop("h.txt:7")
    row = assign_dates(papers, stated, infer=False).iloc[0]
    assert (row.published, row.date_kind) == ("2024-05-02", "updated")


def test_date_from_another_copy_is_marked_duplicate_and_still_stated():
    papers = papers_frame([{"paper_id": "p", "sources": ["trending.txt:4", "daily.txt:9"]}])
    row = assign_dates(papers, {"daily.txt:9": day("2023-08-27")}).iloc[0]
    assert (row.published, row.date_source, bool(row.date_inferred)) == ("2023-08-27", "duplicate", False)
    assert "daily.txt:9" in row.date_note


def test_most_precise_then_earliest_publication_among_copies():
    papers = papers_frame([{"paper_id": "p", "sources": ["s2.json:0", "a.txt:1", "b.txt:2"]}])
    year = DateInfo("2023-01-01", "published", "dump", "year", "2023-01-01", "2023-12-31")
    stated = {"s2.json:0": year, "a.txt:1": day("2023-08-30"), "b.txt:2": day("2023-08-27")}
    assert assign_dates(papers, stated).iloc[0].published == "2023-08-27"


def test_arxiv_id_gives_an_inferred_month_never_a_stated_date():
    papers = papers_frame([{"paper_id": "p", "arxiv_id": "2404.19756", "sources": ["x.txt:0"]}])
    row = assign_dates(papers, {}).iloc[0]
    assert (row.date_kind, row.date_source, row.date_precision) == ("published", "arxiv_id", "month")
    assert (row.date_low, row.date_high, row.published) == ("2024-04-01", "2024-04-30", "2024-04-15")
    assert bool(row.date_inferred) and 0.5 < row.date_confidence < 1
    assert "2404.19756" in row.date_note


def test_arxiv_id_in_an_abs_link():
    papers = papers_frame([{"paper_id": "p", "links": ["https://arxiv.org/abs/2106.09685v2"], "sources": ["x:0"]}])
    row = assign_dates(papers, {}).iloc[0]
    assert (row.date_low, row.date_high) == ("2021-06-01", "2021-06-30")


def test_old_style_arxiv_id():
    papers = papers_frame([{"paper_id": "p", "arxiv_id": "cs/0701001", "sources": ["x:0"]}])
    row = assign_dates(papers, {}).iloc[0]
    assert (row.date_low, row.date_high) == ("2007-01-01", "2007-01-31")


def test_updated_only_paper_becomes_an_interval_when_the_text_gives_a_lower_bound():
    papers = papers_frame([
        {"paper_id": "gpt", "abstract": "We compare with GPT-4 on reasoning.", "sources": ["002.txt:1"]},
        {"paper_id": "kan", "title": "KAN: Kolmogorov-Arnold Networks",
         "abstract": "Inspired by the representation theorem, we propose KANs.", "sources": ["002.txt:0"]},
    ])
    stated = {"002.txt:1": day("2023-11-20", "updated"), "002.txt:0": day("2024-05-02", "updated")}
    out = assign_dates(papers, stated).set_index("paper_id")
    gpt = out.loc["gpt"]
    assert (gpt.date_kind, gpt.date_precision, bool(gpt.date_inferred)) == ("published", "interval", True)
    assert (gpt.date_low, gpt.date_high) == ("2023-03-14", "2023-11-20")
    assert "updated" in gpt.date_source and "text_evidence" in gpt.date_source
    assert "GPT-4" in gpt.date_note
    # KANs (plural) names the KAN paper itself; its own update day caps it
    kan = out.loc["kan"]
    assert kan.date_high == "2024-05-02"


def test_updated_only_paper_without_the_learned_gap_keeps_its_update_day_as_such():
    papers = papers_frame([{"paper_id": "p", "abstract": "A method.", "sources": ["002.txt:0"]}])
    row = assign_dates(papers, {"002.txt:0": day("2024-05-02", "updated")}, use_revision_gaps=False).iloc[0]
    assert (row.published, row.date_kind, bool(row.date_inferred)) == ("2024-05-02", "updated", False)
    assert "not stated" in row.date_note


def test_text_evidence_and_capture_day_give_an_interval():
    papers = papers_frame([{"paper_id": "p", "abstract": "We fine-tune Llama 2 with LoRA.", "sources": ["t.txt:0"]}])
    row = assign_dates(papers, {}, capture_dates={"t.txt": "2024-01-31"}).iloc[0]
    assert (row.date_low, row.date_high) == ("2023-07-18", "2024-01-31")
    assert row.date_source == "text_evidence+capture_date" and bool(row.date_inferred)
    assert row.date_low <= row.published <= row.date_high


def test_paper_with_no_evidence_is_undated():
    papers = papers_frame([{"paper_id": "p", "abstract": "A new method for sorting.", "sources": ["t.txt:0"]}])
    row = assign_dates(papers, {}).iloc[0]
    assert row.published == "" and row.date_kind == "" and row.date_low == "" and not row.date_inferred


def test_paper_with_only_a_capture_day_is_undated_but_bounded():
    papers = papers_frame([{"paper_id": "p", "abstract": "A new method for sorting.", "sources": ["t.txt:0"]}])
    row = assign_dates(papers, {}, capture_dates={"t.txt": "2024-01-31"}).iloc[0]
    assert row.published == "" and row.date_kind == "captured" and row.date_high == "2024-01-31"


def test_infer_false_keeps_only_stated_dates():
    papers = papers_frame([{"paper_id": "p", "arxiv_id": "2404.19756", "sources": ["x:0"]}])
    assert assign_dates(papers, {}, infer=False).iloc[0].published == ""


def test_listed_day_is_kept_as_listing_day():
    papers = papers_frame([{"paper_id": "p", "arxiv_id": "2503.11731", "sources": ["2025-03-18.jsonl.gz:0"]}])
    row = assign_dates(papers, {"2025-03-18.jsonl.gz:0": day("2025-03-18", "listed", "file_name")}).iloc[0]
    assert (row.published, row.date_kind, row.date_source, bool(row.date_inferred)) == (
        "2025-03-18", "listed", "file_name", False)


def test_lower_bound_without_any_upper_bound_is_not_a_date():
    papers = papers_frame([{"paper_id": "p", "abstract": "We evaluate GPT-4.", "sources": ["t.txt:0"]}])
    row = assign_dates(papers, {}).iloc[0]
    assert row.published == "" and row.date_low == "2023-03-14" and row.date_high == ""
    assert "no upper bound" in row.date_note


def test_collection_horizon_closes_intervals():
    papers = papers_frame([{"paper_id": "p", "abstract": "We evaluate GPT-4.", "sources": ["t.txt:0"]},
                           {"paper_id": "q", "sources": ["u.txt:0"]}])
    out = assign_dates(papers, {"u.txt:0": day("2024-03-01")}).set_index("paper_id")
    assert (out.loc["p"].date_low, out.loc["p"].date_high) == ("2023-03-14", "2024-03-01")
    assert "horizon" in out.loc["p"].date_source


def test_yearless_stated_date_stays_marked_inferred_in_the_output():
    papers = papers_frame([{"paper_id": "p", "sources": ["004.txt:2"]}])
    info = DateInfo("2025-05-31", "published", "dump", "day", "2025-05-31", "2025-05-31", True, 0.7, "yearless")
    row = assign_dates(papers, {"004.txt:2": info}).iloc[0]
    assert bool(row.date_inferred) and row.date_source == "dump" and row.date_confidence == 0.7


def test_custom_evidence_table():
    papers = papers_frame([{"paper_id": "p", "abstract": "We extend FooNet.", "sources": ["t.txt:0"]}])
    table = [{"name": "FooNet", "pattern": r"\bFooNet\b", "date": "2024-02-03", "source": "arXiv:2402.00001"}]
    row = assign_dates(papers, {}, evidence_table=table, capture_dates={"t.txt": "2024-06-30"}).iloc[0]
    assert row.date_low == "2024-02-03"


def test_empty_papers_frame():
    out = assign_dates(papers_frame([]).iloc[0:0], {})
    assert len(out) == 0 and all(column in out.columns for column in DATE_COLUMNS)


def test_the_assumed_horizon_never_cuts_an_arxiv_month():
    papers = papers_frame([{"paper_id": "p", "arxiv_id": "2510.00001", "sources": ["csv:0"]}])
    row = assign_dates(papers, {}, horizon="2025-10-20").iloc[0]
    assert (row.date_low, row.date_high, row.date_source) == ("2025-10-01", "2025-10-31", "arxiv_id")
