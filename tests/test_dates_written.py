"""Reading dates as the dumps write them, and the day in a file name."""

import pytest

from analytics.dates.written import capture_date_from_name, parse_written_date


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
