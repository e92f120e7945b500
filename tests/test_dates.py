"""Stated dates, their meaning, one date per paper, coverage: on hand-made records in each dump's date forms."""

from datetime import date

import pandas as pd
import pytest

from analytics.dates import (
    DATE_COLUMNS,
    assign_dates,
    capture_date_from_name,
    date_coverage,
    file_dates,
    parse_written_date,
    stated_dates,
)
from analytics.records import DateInfo, ParsedFile, Record


# ---------------------------------------------------------------- written forms


@pytest.mark.parametrize(
    "text, ymd, precision",
    [
        ("Aug 5, 2022", (2022, 8, 5), "day"),
        ("August 5 2022", (2022, 8, 5), "day"),
        ("Feb 16, 2024 3", (2024, 2, 16), "day"),  # trailing upvote count left on by a parser
        ("May 31", (None, 5, 31), "day"),
        ("Oct 14 2", (None, 10, 14), "day"),  # yearless date, then 2 upvotes
        ("2024-05-02 16:18:21", (2024, 5, 2), "day"),
        ("2017-07-27T08:18:33Z", (2017, 7, 27), "day"),
        ("2012-04-02T12:38:54-04:00", (2012, 4, 2), "day"),
        ("Mon, 2 Apr 2007 19:18:42 GMT", (2007, 4, 2), "day"),
        ("2008-11-26", (2008, 11, 26), "day"),
        ("March 2024", (2024, 3, None), "month"),
        ("2023", (2023, None, None), "year"),
        (2023, (2023, None, None), "year"),
    ],
)
def test_every_written_form_is_read(text, ymd, precision):
    written = parse_written_date(text)
    assert (written.year, written.month, written.day) == ymd
    assert written.precision == precision


def test_upvote_count_after_a_date_is_not_part_of_it():
    assert parse_written_date("Feb 16, 2024 3").trailing == "3"
    assert parse_written_date("Oct 14 2").trailing == "2"


@pytest.mark.parametrize("text", ["", "Feb 30, 2023", "Foo 5, 2022", "2024-13-01", "soon", None, "12:00"])
def test_non_dates_are_rejected(text):
    assert parse_written_date(text) is None


def test_capture_date_from_file_name():
    assert capture_date_from_name("2025-03-18.jsonl.gz") == "2025-03-18"
    assert capture_date_from_name("/x/y/hf_daily_20241029.txt") == "2024-10-29"
    assert capture_date_from_name("004_504d9943657f3963.txt") is None
    assert capture_date_from_name("2025-02-30.jsonl") is None


# ---------------------------------------------------------------- stated dates per file


def hf_daily_page(page_date="Oct 29", context_extra=None):
    dates = ["Aug 5, 2022", "Nov 27, 2024", "May 31", "Oct 14 2", "", "Feb 16, 2024 3"]
    records = [Record("004.txt", i, 10 * i + 1, title=f"Paper {i}", date_text=d,
                      date_kind="published" if d else "") for i, d in enumerate(dates)]
    return ParsedFile("004.txt", "/d/004.txt", "hf_daily", records,
                      context={"page_date": page_date, **(context_extra or {})})


def test_hf_daily_explicit_dates_are_stated_publication_days():
    stated = stated_dates(hf_daily_page())
    info = stated["004.txt:0"]
    assert (info.date, info.kind, info.source, info.precision, info.inferred) == (
        "2022-08-05", "published", "dump", "day", False)
    assert stated["004.txt:5"].date == "2024-02-16"


def test_yearless_dates_take_the_year_after_the_latest_explicit_year_and_are_marked_inferred():
    stated = stated_dates(hf_daily_page())
    may = stated["004.txt:2"]
    assert may.date == "2025-05-31" and may.inferred and may.kind == "published"
    assert 0 < may.confidence < 1
    assert "May 31" in may.note and "2025" in may.note
    assert stated["004.txt:3"].date == "2025-10-14"


def test_yearless_dates_use_a_known_capture_day_first():
    page = hf_daily_page()
    stated = stated_dates(page, capture_date="2026-10-29")
    assert stated["004.txt:2"].date == "2026-05-31"
    # a yearless day after the capture day belongs to the year before
    page.records[2].date_text = "Dec 3"
    assert stated_dates(page, capture_date="2026-10-29")["004.txt:2"].date == "2025-12-03"


def test_record_without_a_date_gets_only_the_capture_day_as_an_upper_bound():
    info = stated_dates(hf_daily_page())["004.txt:4"]
    assert info.kind == "captured" and info.date == "2025-10-29"
    assert "on or before" in info.note


def test_yearless_dates_in_a_chronological_listing_take_the_year_that_fits_the_order():
    dates = ["Jan 20, 2025", "Jan 3", "Dec 30, 2024", "Dec 2, 2024", "Nov 28", "Nov 1, 2024"]
    records = [Record("list.txt", i, i + 1, title=f"P{i}", date_text=d) for i, d in enumerate(dates)]
    stated = stated_dates(ParsedFile("list.txt", "list.txt", "hf_daily", records))
    assert stated["list.txt:1"].date == "2025-01-03" and stated["list.txt:1"].inferred
    assert stated["list.txt:4"].date == "2024-11-28"
    assert "order" in stated["list.txt:4"].note


def test_yearless_dates_without_any_year_evidence_stay_unresolved():
    records = [Record("x.txt", 0, 1, title="P", date_text="May 31")]
    assert stated_dates(ParsedFile("x.txt", "x.txt", "hf_daily", records)) == {}


def test_sort_by_updated_timestamps_mean_last_revision():
    records = [
        Record("002.txt", 0, 2, title="KAN: Kolmogorov-Arnold Networks", date_text="2024-05-02 16:18:21",
               date_kind="updated"),
        Record("002.txt", 1, 5, title="Other", date_text="2023-10-11 09:00:00"),  # kind left empty by a parser
    ]
    stated = stated_dates(ParsedFile("002.txt", "002.txt", "sorted_updated", records))
    assert stated["002.txt:0"].kind == "updated" and stated["002.txt:0"].date == "2024-05-02"
    assert "last-revision" in stated["002.txt:0"].note
    assert stated["002.txt:1"].kind == "updated"


def test_arxiv_atom_and_kaggle_fields():
    atom = Record("api.xml", 0, 1, title="A", arxiv_id="1111.2011",
                  extra={"published": "2011-11-08T18:48:36Z", "updated": "2012-04-02T12:38:54Z"})
    kaggle = Record("snap.jsonl", 0, 1, title="B", arxiv_id="0704.0001", extra={
        "versions": [{"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"},
                     {"version": "v2", "created": "Tue, 24 Jul 2007 20:10:27 GMT"}],
        "update_date": "2008-11-26"})
    s_atom = stated_dates(ParsedFile("api.xml", "api.xml", "arxiv_atom", [atom]))["api.xml:0"]
    s_kaggle = stated_dates(ParsedFile("snap.jsonl", "snap.jsonl", "kaggle_arxiv", [kaggle]))["snap.jsonl:0"]
    assert (s_atom.date, s_atom.kind) == ("2011-11-08", "published")
    assert (s_kaggle.date, s_kaggle.kind, s_kaggle.precision) == ("2007-04-02", "published", "day")
    assert "v1" in s_kaggle.note


def test_semantic_scholar_publication_date_and_year():
    with_day = Record("s2.json", 0, 1, title="A", extra={"publicationDate": "1950-10-01", "year": 1950})
    year_only = Record("s2.json", 1, 1, title="B", extra={"publicationDate": None, "year": 2023})
    stated = stated_dates(ParsedFile("s2.json", "s2.json", "semantic_scholar", [with_day, year_only]))
    assert (stated["s2.json:0"].date, stated["s2.json:0"].precision) == ("1950-10-01", "day")
    b = stated["s2.json:1"]
    assert (b.kind, b.precision, b.low, b.high) == ("published", "year", "2023-01-01", "2023-12-31")


def test_daily_arxiv_listing_day_comes_from_the_file_name():
    records = [Record("2025-03-18.jsonl.gz", 0, 1, title="A", arxiv_id="2503.11731")]
    parsed = ParsedFile("2025-03-18.jsonl.gz", "/d/2025-03-18.jsonl.gz", "arxiv_daily_jsonl", records)
    info = stated_dates(parsed)["2025-03-18.jsonl.gz:0"]
    assert (info.date, info.kind, info.source, info.inferred) == ("2025-03-18", "listed", "file_name", False)
    assert file_dates(parsed).listing == date(2025, 3, 18)


def test_a_date_in_the_name_of_a_non_listing_file_is_not_a_listing_day():
    records = [Record("hf_2024-10-29.txt", 0, 1, title="A")]
    assert stated_dates(ParsedFile("hf_2024-10-29.txt", "p", "hf_trending", records)) == {}


# ---------------------------------------------------------------- one date per paper


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


# ---------------------------------------------------------------- coverage


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


def test_later_arxiv_versions_are_update_days():
    record = Record("snap.jsonl", 0, 1, title="B", extra={
        "versions": [None, {"version": "v2", "created": "Tue, 24 Jul 2007 20:10:27 GMT"}]})
    info = stated_dates(ParsedFile("snap.jsonl", "snap.jsonl", "arxiv_oai_jsonl", [record]))["snap.jsonl:0"]
    assert (info.date, info.kind) == ("2007-07-24", "updated")


def test_the_assumed_horizon_never_cuts_an_arxiv_month():
    papers = papers_frame([{"paper_id": "p", "arxiv_id": "2510.00001", "sources": ["csv:0"]}])
    row = assign_dates(papers, {}, horizon="2025-10-20").iloc[0]
    assert (row.date_low, row.date_high, row.date_source) == ("2025-10-01", "2025-10-31", "arxiv_id")
