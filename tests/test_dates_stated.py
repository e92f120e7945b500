"""Stated dates and their meaning: on hand-made records in each dump's date forms."""

from datetime import date

from analytics.dates.stated import file_dates, stated_dates
from analytics.records import ParsedFile, Record


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


def test_later_arxiv_versions_are_update_days():
    record = Record("snap.jsonl", 0, 1, title="B", extra={
        "versions": [None, {"version": "v2", "created": "Tue, 24 Jul 2007 20:10:27 GMT"}]})
    info = stated_dates(ParsedFile("snap.jsonl", "snap.jsonl", "arxiv_oai_jsonl", [record]))["snap.jsonl:0"]
    assert (info.date, info.kind) == ("2007-07-24", "updated")
