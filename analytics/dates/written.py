"""Reading dates as the dumps write them: `Aug 5, 2022`, `May 31` (no year), `2024-05-02 16:18:21`,
`Mon, 2 Apr 2007 19:18:42 GMT`, `March 2024`, `2023`; and the day in a dump's file name.

Nothing here decides what a date means (publication, update, listing, capture): see stated.py.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

MONTHS = {
    name: number
    for number, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
         ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
         ("oct", "october"), ("nov", "november"), ("dec", "december")],
        start=1,
    )
    for name in names
}


@dataclass(frozen=True)
class WrittenDate:
    """A date as written: year may be missing (`May 31`), day may be missing (`March 2024`)."""

    year: int | None
    month: int | None
    day: int | None
    time: str = ""  # time of day when written ("16:18:21"): a timestamp, not a calendar day
    trailing: str = ""  # text after the date that is not part of it, e.g. an upvote count "3"

    @property
    def precision(self) -> str:
        if self.day is not None:
            return "day"
        return "month" if self.month is not None else "year"


ISO_DATE = re.compile(
    r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?"
    r"(?:[T ](\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(?:Z|UTC|GMT|[+-]\d{2}:?\d{2})?)?$"
)
SLASH_DATE = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$")
# "Aug 5, 2022", "August 5 2022", "May 31", "Feb 16, 2024 3" (upvotes after), "Oct 14 2" (yearless + upvotes)
MONTH_DAY = re.compile(
    r"^(?P<mon>[A-Za-z]{3,9})\.?\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?"
    r"(?:,?\s+(?P<year>(?:19|20)\d{2}))?(?:,?\s+(?P<time>\d{1,2}:\d{2}(?::\d{2})?))?(?:\s+(?P<trailing>\d+))?$"
)
# "2 Apr 2007", "Mon, 2 Apr 2007 19:18:42 GMT" (arXiv versions), "5 August" (yearless)
DAY_MONTH = re.compile(
    r"^(?:[A-Za-z]{3},?\s+)?(?P<day>\d{1,2})\s+(?P<mon>[A-Za-z]{3,9})\.?(?:,?\s+(?P<year>(?:19|20)\d{2}))?"
    r"(?:\s+(?P<time>\d{1,2}:\d{2}(?::\d{2})?))?(?:\s*(?:GMT|UTC|[+-]\d{4}))?$"
)
MONTH_YEAR = re.compile(r"^(?P<mon>[A-Za-z]{3,9})\.?,?\s+(?P<year>(?:19|20)\d{2})$")
YEAR_ONLY = re.compile(r"^((?:19|20)\d{2})$")


def parse_written_date(text: Any) -> WrittenDate | None:
    """Read one date as a dump writes it; None when it is not a date we know or not a real day."""
    if text is None:
        return None
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        text = str(int(text))
    return _parse_date_text(str(text))


# Dumps repeat the same few date strings across thousands of records (every paper listed on a day), so
# parsing each distinct string once saves seconds on a 75k-paper corpus. WrittenDate is frozen: safe to share.
@functools.lru_cache(maxsize=65536)
def _parse_date_text(text: str) -> WrittenDate | None:
    text = " ".join(text.split())
    if not text:
        return None
    written: WrittenDate | None = None
    if m := ISO_DATE.match(text):
        written = WrittenDate(int(m[1]), int(m[2]), int(m[3]) if m[3] else None, time=m[4] or "")
    elif m := SLASH_DATE.match(text):
        written = WrittenDate(int(m[1]), int(m[2]), int(m[3]))
    elif m := MONTH_DAY.match(text):
        month = MONTHS.get(m["mon"].lower())
        if month:
            written = WrittenDate(int(m["year"]) if m["year"] else None, month, int(m["day"]),
                                  time=m["time"] or "", trailing=m["trailing"] or "")
    elif m := DAY_MONTH.match(text):
        month = MONTHS.get(m["mon"].lower())
        if month:
            written = WrittenDate(int(m["year"]) if m["year"] else None, month, int(m["day"]), time=m["time"] or "")
    elif m := MONTH_YEAR.match(text):
        month = MONTHS.get(m["mon"].lower())
        if month:
            written = WrittenDate(int(m["year"]), month, None)
    elif m := YEAR_ONLY.match(text):
        written = WrittenDate(int(m[1]), None, None)
    if written is None or not _is_real(written):
        return None
    return written


def _is_real(written: WrittenDate) -> bool:
    if written.month is not None and not 1 <= written.month <= 12:
        return False
    if written.day is not None:
        try:
            date(written.year or 2000, written.month or 1, written.day)  # 2000 is a leap year: Feb 29 allowed
        except ValueError:
            return False
    return True


def _as_date(value: Any) -> date | None:
    """An ISO day (or datetime/date object) as a date; None if empty or unreadable."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    written = parse_written_date(value)
    if written and written.year and written.month and written.day:
        return date(written.year, written.month, written.day)
    return None


# ---------------------------------------------------------------- the day in a file name

DATE_IN_FILE_NAME = re.compile(r"(?<!\d)((?:19|20)\d{2})[-_.]?(0[1-9]|1[0-2])[-_.]?(0[1-9]|[12]\d|3[01])(?!\d)")


def capture_date_from_name(filename: str | Path) -> str | None:
    """The day written in a dump's file name (`2025-03-18.jsonl.gz`, `hf_20241029.txt`), ISO, or None.

    For daily listing dumps this is the listing day; for other dumps, at best the capture day.
    """
    name = Path(str(filename)).name
    matches = DATE_IN_FILE_NAME.findall(name)
    if len(matches) != 1:  # none, or ambiguous
        return None
    year, month, day = (int(part) for part in matches[0])
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None
