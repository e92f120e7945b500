"""Dates you can trust: what each dump's dates mean, and a date (or honest interval) per paper.

Three steps:
1. `stated_dates(parsed)`: read each record's date as the dump writes it (`date_text`, arXiv and
   Semantic Scholar fields in `extra`) and keep what it means: first publication, last update,
   listing day or capture day. Yearless dates (`May 31` on a Hugging Face page) get their year from
   the file's context and are marked inferred.
2. `assign_dates(papers, stated)`: pick one date per paper among its copies (publication beats last
   update beats listing day); for papers with no stated publication date, combine evidence (arXiv id,
   years and known models in the text, update/capture days as upper bounds, the learned gap between
   first release and last revision) into an interval. A point estimate inside an interval that ends at
   a last revision is the learned median gap before it (config/date_gaps.toml); otherwise the middle.
3. `date_coverage(papers)`: how many papers are dated by the dumps, inferred, or undated.

Inferred dates are never presented as stated: `date_inferred` says which is which.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterable

import pandas as pd

from analytics.date_evidence import (
    CONFIDENCE,
    Bound,
    EvidenceEntry,
    RevisionGaps,
    arxiv_id_bound,
    cited_arxiv_bound,
    combine_bounds,
    evidence_table_bound,
    load_evidence_table,
    load_gap_table,
    month_range,
    own_arxiv_id,
    revision_bounds,
    text_year_bound,
)
from analytics.records import DateInfo, ParsedFile, Record

KINDS = ("published", "updated", "listed", "captured")
KIND_RANK = {"published": 0, "updated": 1, "listed": 2, "captured": 3}
KIND_WORDS = {"published": "publication date", "updated": "last update", "listed": "listing day",
              "captured": "capture day"}
PRECISION_RANK = {"day": 0, "month": 1, "year": 2, "interval": 3}

DATE_COLUMNS = [
    "published", "date_kind", "date_source", "date_precision", "date_low", "date_high",
    "date_inferred", "date_confidence", "date_note",
]

# ---------------------------------------------------------------- reading written dates

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


def _info_from_written(written: WrittenDate, kind: str, source: str, note: str = "") -> DateInfo:
    """DateInfo for a written date that has its year. Month/year precision: first day, with bounds."""
    assert written.year is not None
    if written.precision == "day":
        day = date(written.year, written.month, written.day)  # type: ignore[arg-type]
        low = high = day
    elif written.precision == "month":
        low, high = month_range(written.year, written.month)  # type: ignore[arg-type]
    else:
        low, high = date(written.year, 1, 1), date(written.year, 12, 31)
    return DateInfo(
        date=low.isoformat(), kind=kind, source=source, precision=written.precision,
        low=low.isoformat(), high=high.isoformat(), inferred=False, confidence=1.0, note=note,
    )


# ---------------------------------------------------------------- file context

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


def _is_daily_listing(parsed: ParsedFile) -> bool:
    """Dumps whose file is one listing day (arXiv daily 'new submissions' crawls)."""
    if parsed.context.get("listing_date"):
        return True
    fmt = (parsed.format or "").lower()
    return "daily" in fmt and "arxiv" in fmt


@dataclass(frozen=True)
class FileDates:
    """What a file says about when it was made, and the year its yearless dates belong to."""

    capture: date | None  # day the dump was captured (an upper bound for every paper in it)
    capture_note: str
    capture_inferred: bool
    capture_confidence: float
    listing: date | None  # day the file lists (daily listings): every record was listed that day
    listing_source: str


def _explicit_dates_in_order(parsed: ParsedFile) -> list[tuple[int, WrittenDate | None]]:
    return [(i, parse_written_date(rec.date_text) if rec.date_text else None) for i, rec in enumerate(parsed.records)]


def _year_for(month: int, day: int, reference: date) -> int:
    """The year that puts month/day on or before `reference` (a page shows no year for its own year)."""
    return reference.year if (month, day) <= (reference.month, reference.day) else reference.year - 1


def file_dates(parsed: ParsedFile, capture_date: str | None = None) -> FileDates:
    """Capture and listing days of one parsed file, from the caller, the file's context or its name."""
    context = parsed.context or {}
    listing = _as_date(context.get("listing_date"))
    listing_source = "dump" if listing else ""
    named = capture_date_from_name(parsed.file)
    if listing is None and _is_daily_listing(parsed) and named:
        listing, listing_source = date.fromisoformat(named), "file_name"

    given = _as_date(capture_date) or _as_date(context.get("capture_date"))
    if given:
        return FileDates(given, f"captured {given.isoformat()}", False, CONFIDENCE["capture_date"],
                         listing, listing_source)
    page = parse_written_date(context.get("page_date")) if context.get("page_date") else None
    if page and page.year and page.day:
        day = date(page.year, page.month, page.day)  # type: ignore[arg-type]
        return FileDates(day, f"page date {context['page_date']}", False, CONFIDENCE["capture_date"],
                         listing, listing_source)
    if page and page.day and page.year is None:
        year, how, confidence = _page_year_from_entries(parsed, page)
        if year is not None:
            day = _safe_date(year, page.month, page.day)  # type: ignore[arg-type]
            if day:
                note = f"page date {context['page_date']!r} taken as {day.isoformat()}: {how}"
                return FileDates(day, note, True, confidence, listing, listing_source)
    if listing:
        return FileDates(listing, f"listing day {listing.isoformat()}", False, CONFIDENCE["capture_date"],
                         listing, listing_source)
    return FileDates(None, "", False, 0.0, listing, listing_source)


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:  # Feb 29 in a non-leap year
        return None


def _page_year_from_entries(parsed: ParsedFile, page: WrittenDate) -> tuple[int | None, str, float]:
    """Year of a yearless page date, from the explicit years of the entries on the page.

    Hugging Face pages write the year only for dates outside the current year, so the current year
    is after every explicit year; the earliest such year is the estimate.
    """
    explicit = [w for _, w in _explicit_dates_in_order(parsed) if w and w.year and w.day]
    yearless = [w for _, w in _explicit_dates_in_order(parsed) if w and w.year is None and w.day]
    if not explicit:
        return None, "", 0.0
    latest = max(date(w.year, w.month, w.day) for w in explicit)  # type: ignore[arg-type]
    year = latest.year + 1 if yearless or (page.month, page.day) < (latest.month, latest.day) else latest.year
    how = (f"the page writes years only for other years and its latest explicit date is {latest.isoformat()}"
           if year > latest.year else f"its latest explicit date is {latest.isoformat()}")
    return year, how, 0.7


def _years_from_order(parsed: ParsedFile) -> dict[int, tuple[int, str]]:
    """Years for yearless entries of a chronologically ordered listing, from their dated neighbours.

    Applies only when the explicit dates are (almost) all in order; then a yearless day must fit
    between the previous and next explicit dates.
    """
    entries = _explicit_dates_in_order(parsed)
    dated = [(i, date(w.year, w.month, w.day)) for i, w in entries if w and w.year and w.day]  # type: ignore[arg-type]
    if len(dated) < 3:
        return {}
    steps = [b[1] - a[1] for a, b in zip(dated, dated[1:])]
    descending = sum(s.days <= 0 for s in steps) / len(steps)
    ascending = sum(s.days >= 0 for s in steps) / len(steps)
    if max(descending, ascending) < 0.9:
        return {}
    newest_first = descending >= ascending
    years: dict[int, tuple[int, str]] = {}
    for i, w in entries:
        if not w or w.year is not None or w.day is None:
            continue
        before = [d for j, d in dated if j < i]
        after = [d for j, d in dated if j > i]
        prev_day, next_day = (before[-1] if before else None), (after[0] if after else None)
        if prev_day is None and next_day is None:
            continue
        span = [d.year for d in (prev_day, next_day) if d]
        fits = []
        for year in range(min(span) - 1, max(span) + 2):
            day = _safe_date(year, w.month, w.day)  # type: ignore[arg-type]
            if day is None:
                continue
            lo, hi = (next_day, prev_day) if newest_first else (prev_day, next_day)
            if (lo is None or day >= lo) and (hi is None or day <= hi):
                fits.append(year)
        if len(fits) == 1:
            around = ", ".join(d.isoformat() for d in (prev_day, next_day) if d)
            years[i] = (fits[0], f"year {fits[0]} inferred from the order of entries (between {around})")
    return years


# ---------------------------------------------------------------- stated dates


def _first_version_date(versions: Any) -> tuple[date | None, date | None]:
    """(v1 date, last version date) from arXiv `versions` ([{version, created}] or list of strings)."""
    if not isinstance(versions, list) or not versions:
        return None, None

    def created(version: Any) -> date | None:
        return _as_date(version.get("created") if isinstance(version, dict) else version)

    return created(versions[0]), created(versions[-1])


def _field_dates(record: Record) -> list[DateInfo]:
    """Dates in arXiv / Semantic Scholar fields kept in `record.extra`."""
    extra = record.extra or {}
    infos: list[DateInfo] = []
    v1, last = _first_version_date(extra.get("versions"))
    if v1:
        infos.append(DateInfo(v1.isoformat(), "published", "dump", "day", v1.isoformat(), v1.isoformat(),
                              note="arXiv v1 submission (versions)"))
    for key, kind, what in (
        ("published", "published", "arXiv published (v1)"),
        ("publicationDate", "published", "Semantic Scholar publicationDate"),
        ("publication_date", "published", "publication date"),
        ("updated", "updated", "arXiv updated (latest version)"),
        ("update_date", "updated", "arXiv update_date (last metadata change)"),
    ):
        written = parse_written_date(extra.get(key)) if extra.get(key) not in (None, "") else None
        if written and written.year:
            info = _info_from_written(written, kind, "dump", what)
            if key == "updated":  # the arXiv API's <updated> is the latest version's day; the entry id has its number
                info = replace(info, version=_version_number(extra.get("version")))
            elif key == "update_date":
                info = replace(info, metadata_update=True)
            infos.append(info)
    if last and last != v1 and len(extra["versions"]) > 1:
        # The latest version's day: a real revision day, and no later than update_date (best_info takes the earlier).
        infos.append(DateInfo(last.isoformat(), "updated", "dump", "day", last.isoformat(), last.isoformat(),
                              note="arXiv latest version (versions)", version=len(extra["versions"])))
    if not any(i.kind == "published" for i in infos) and extra.get("year") not in (None, ""):
        written = parse_written_date(extra.get("year"))
        if written and written.year and written.precision == "year":
            infos.append(_info_from_written(written, "published", "dump", "Semantic Scholar year"))
    return infos


def _version_number(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number >= 1 else None


def _default_kind(parsed: ParsedFile) -> str:
    fmt = (parsed.format or "").lower()
    return "updated" if "updated" in fmt else "published"


def best_info(infos: Iterable[DateInfo]) -> DateInfo | None:
    """The most useful of several dates: publication first, then precision, stated before inferred, earliest."""
    ranked = sorted(
        infos,
        key=lambda i: (KIND_RANK.get(i.kind, 9), PRECISION_RANK.get(i.precision, 9), i.inferred, i.date),
    )
    return ranked[0] if ranked else None


def stated_dates(parsed: ParsedFile, *, capture_date: str | None = None) -> dict[str, DateInfo]:
    """What the dump says about each record's date, keyed by `record.source_ref` ("file:index").

    `capture_date` (ISO), when the caller knows it, resolves yearless dates; otherwise the file's
    context (`capture_date`, `page_date`, `listing_date`), its entries' explicit years and their order
    are used. Records with no date of their own get the file's listing day (kind "listed") or capture
    day (kind "captured", an upper bound only) when known.
    """
    fdates = file_dates(parsed, capture_date)
    order_years = _years_from_order(parsed)
    default_kind = _default_kind(parsed)
    page_year_info = None  # lazily computed (year, note, confidence) for yearless dates without a capture day
    result: dict[str, DateInfo] = {}
    for position, record in enumerate(parsed.records):
        infos = _field_dates(record)
        if record.date_text:
            kind = record.date_kind if record.date_kind in KINDS else default_kind
            written = parse_written_date(record.date_text)
            if written is None:
                pass  # unreadable: the parser reports bad fields; we do not guess
            elif written.year is not None:
                note = f"{KIND_WORDS[kind]} as written: {record.date_text!r}"
                if written.time and kind == "updated":
                    note = f"last-revision timestamp {record.date_text}"
                infos.append(_info_from_written(written, kind, "dump", note))
            elif written.day is not None:
                if page_year_info is None:
                    page_year_info = _yearless_rule(parsed, fdates)
                info = _resolve_yearless(record, written, kind, position, order_years, page_year_info)
                if info:
                    infos.append(info)
        chosen = best_info(infos)
        if chosen is None and fdates.listing:
            day = fdates.listing.isoformat()
            chosen = DateInfo(day, "listed", fdates.listing_source, "day", day, day,
                              note=f"listed on {day} ({'file name' if fdates.listing_source == 'file_name' else 'dump'})")
        if chosen is None and fdates.capture:
            day = fdates.capture.isoformat()
            chosen = DateInfo(day, "captured", "dump", "day", day, day, inferred=fdates.capture_inferred,
                              confidence=fdates.capture_confidence,
                              note=f"only the capture day is known ({fdates.capture_note}); publication is on or before it")
        if chosen is not None:
            result[record.source_ref] = chosen
    return result


def _yearless_rule(parsed: ParsedFile, fdates: FileDates) -> tuple[date | None, str, float]:
    """Reference day for yearless dates: the capture day (stated or inferred) of the file."""
    if fdates.capture:
        return fdates.capture, fdates.capture_note, (0.95 if not fdates.capture_inferred else fdates.capture_confidence)
    return None, "", 0.0


def _resolve_yearless(record: Record, written: WrittenDate, kind: str, position: int,
                      order_years: dict[int, tuple[int, str]],
                      rule: tuple[date | None, str, float]) -> DateInfo | None:
    reference, reference_note, confidence = rule
    if reference is not None:
        year = _year_for(written.month, written.day, reference)  # type: ignore[arg-type]
        note = (f"written {record.date_text!r} without a year; year {year} because the page omits the year "
                f"for its own year ({reference_note})")
        if position in order_years and order_years[position][0] != year:
            note += f"; entry order suggested {order_years[position][0]}"
            confidence = min(confidence, 0.5)
    elif position in order_years:
        year, how = order_years[position]
        note, confidence = f"written {record.date_text!r} without a year; {how}", 0.85
    else:
        return None
    day = _safe_date(year, written.month, written.day)  # type: ignore[arg-type]
    if day is None:
        return None
    iso = day.isoformat()
    return DateInfo(iso, kind, "dump", "day", iso, iso, inferred=True, confidence=round(confidence, 3), note=note)


# ---------------------------------------------------------------- one date per paper


def _as_list(value: Any) -> list:
    if value is None:
        return []
    if isinstance(value, float) and pd.isna(value):
        return []
    if isinstance(value, str):
        return [value] if value else []
    return list(value)


def _file_of(ref: str) -> str:
    return ref.rsplit(":", 1)[0]


def _text_of(row: dict[str, Any]) -> str:
    title = row.get("title", "")
    abstract = row.get("abstract", "")
    return f"{title if isinstance(title, str) else ''}\n{abstract if isinstance(abstract, str) else ''}"


def _empty_date() -> dict[str, Any]:
    return {"published": "", "date_kind": "", "date_source": "", "date_precision": "", "date_low": "",
            "date_high": "", "date_inferred": False, "date_confidence": 0.0, "date_note": ""}


def _from_info(info: DateInfo, source: str, note: str) -> dict[str, Any]:
    return {"published": info.date, "date_kind": info.kind, "date_source": source,
            "date_precision": info.precision, "date_low": info.low or info.date, "date_high": info.high or info.date,
            "date_inferred": bool(info.inferred), "date_confidence": float(info.confidence), "date_note": note}


def _stated_source(info: DateInfo, ref: str, sources: list[str], copies: dict[str, DateInfo]) -> tuple[str, str]:
    """`dump` when the paper's first copy says it; `duplicate` when it came from another copy."""
    primary = sources[0] if sources else ref
    note = info.note
    if ref != primary and (primary not in copies or copies[primary].kind != info.kind):
        return "duplicate", f"from copy {ref}: {note}" if note else f"from copy {ref}"
    if len(sources) > 1 and ref != primary:
        note = f"{note} (copy {ref})" if note else f"copy {ref}"
    return info.source, note


_DATING_COLUMNS = ("sources", "title", "abstract", "links", "arxiv_id")


def assign_dates(
    papers: pd.DataFrame,
    stated: dict[str, DateInfo],
    *,
    capture_dates: dict[str, str] | None = None,
    evidence_table: str | Path | list | None = None,
    infer: bool = True,
    horizon: str | None = None,
    gap_table: str | Path | RevisionGaps | None = None,
    use_revision_gaps: bool = True,
) -> pd.DataFrame:
    """One date per paper with its meaning and provenance (see module doc). Returns a copy of `papers`.

    `capture_dates` maps dump file names to the ISO day they were captured (upper bounds).
    `evidence_table`: path to a TOML table, a list of entries, or None for config/date_evidence.toml.
    `infer=False` keeps only dates the dumps state.
    `horizon`: ISO day by which all dumps were collected; default: the latest date anywhere in the input.
    It closes intervals that have only a lower bound.
    `gap_table`: the learned gap from first release to last revision (TOML path, RevisionGaps, or None for
    config/date_gaps.toml). A paper whose last revision is known gets an interval reaching back the gap 90%
    of papers stay within, and its point estimate is the last revision minus the median gap.
    `use_revision_gaps=False` leaves the gap out (last revisions are plain upper bounds, points are midpoints),
    as before the table existed; the evaluation compares the two.
    """
    out = papers.copy()
    entries = load_evidence_table(evidence_table) if infer else []
    gaps = load_gap_table(gap_table) if infer and use_revision_gaps else None
    captures = {name: d for name, value in (capture_dates or {}).items() if (d := _as_date(value))}
    horizon_day = _as_date(horizon) or _horizon(stated, captures)
    rows = [
        _date_one_paper(row, stated, captures, entries, horizon_day, infer, gaps)
        # plain dicts of the columns dating reads: much faster than iterrows, or than all columns
        for row in out[[c for c in _DATING_COLUMNS if c in out.columns]].to_dict("records")
    ]
    frame = pd.DataFrame(rows, index=out.index, columns=DATE_COLUMNS) if rows else pd.DataFrame(columns=DATE_COLUMNS)
    for column in DATE_COLUMNS:
        out[column] = frame[column] if rows else pd.Series(dtype=object)
    if len(out):
        out["date_inferred"] = out["date_inferred"].astype(bool)
        out["date_confidence"] = out["date_confidence"].astype(float)
    return out


def _horizon(stated: dict[str, DateInfo], captures: dict[str, date]) -> date | None:
    """The latest day known anywhere in the input: no paper in it can be newer than when it was collected."""
    days = [d for d in captures.values()]
    for info in stated.values():
        day = _as_date(info.high or info.date)
        if day:
            days.append(day)
    return max(days) if days else None


def _date_one_paper(row: dict[str, Any], stated: dict[str, DateInfo], captures: dict[str, date],
                    entries: list[EvidenceEntry], horizon: date | None, infer: bool,
                    gaps: RevisionGaps | None = None) -> dict[str, Any]:
    sources = [str(s) for s in _as_list(row.get("sources"))]
    copies = {ref: stated[ref] for ref in sources if ref in stated}

    published = [(ref, info) for ref, info in copies.items() if info.kind == "published"]
    if published:
        best = best_info(info for _, info in published)
        ref = next(ref for ref, info in published if info is best)
        source, note = _stated_source(best, ref, sources, copies)  # type: ignore[arg-type]
        return _from_info(best, source, note)  # type: ignore[arg-type]

    updated = [(ref, info) for ref, info in copies.items() if info.kind == "updated"]
    listed = [(ref, info) for ref, info in copies.items() if info.kind == "listed"]
    captured = [(ref, info) for ref, info in copies.items() if info.kind == "captured"]

    # Upper bounds: publication is on or before the last update, a listing day, and each capture day.
    uppers: list[Bound] = []
    gap_lowers: list[Bound] = []  # how far before a last revision the first release can lie (learned gap)
    for ref, info in updated:
        day = _as_date(info.low or info.date)
        if info.metadata_update and gaps is not None:
            # a metadata change (OAI update_date) comes any time after release: a plain upper bound, no learned gap
            uppers.append(Bound(None, day, "update_date", CONFIDENCE["update_date"],
                                f"metadata last changed {info.date} ({ref})"))
        elif gaps is not None and day is not None:
            upper, lower = revision_bounds(day, info.version, gaps, f"last updated {info.date} ({ref})")
            uppers.append(upper)
            gap_lowers.append(lower)
        else:
            uppers.append(Bound(None, day, "updated", CONFIDENCE["updated"], f"last updated {info.date} ({ref})"))
    for ref, info in listed:
        uppers.append(Bound(None, _as_date(info.date), "listed", CONFIDENCE["listed"], f"listed {info.date} ({ref})"))
    for ref, info in captured:
        uppers.append(Bound(None, _as_date(info.date), "capture_date", info.confidence if info.inferred else
                            CONFIDENCE["capture_date"], f"captured {info.date} ({ref})"))
    for ref in sources:
        day = captures.get(_file_of(ref))
        if day:
            uppers.append(Bound(None, day, "capture_date", CONFIDENCE["capture_date"],
                                f"{_file_of(ref)} captured {day.isoformat()}"))

    if infer and not listed:  # a listing day is kept as such (see module doc)
        limits = [b.high for b in uppers if b.high] + ([horizon] if horizon else [])
        lowers = evidence_bounds(row, entries, max_day=min(limits) if limits else None) + gap_lowers
        if lowers:
            bounds = lowers + uppers
            if horizon and not uppers and all(b.high is None for b in lowers):
                bounds.append(Bound(None, horizon, "horizon", CONFIDENCE["horizon"],
                                    f"latest date in the input {horizon.isoformat()} (collection horizon)"))
            estimate = combine_bounds(bounds)
            if estimate is not None and estimate.point is not None:
                return {
                    "published": estimate.point.isoformat(), "date_kind": "published",
                    "date_source": "+".join(estimate.sources), "date_precision": estimate.precision,
                    "date_low": estimate.low.isoformat(), "date_high": estimate.high.isoformat(),  # type: ignore[union-attr]
                    "date_inferred": True, "date_confidence": estimate.confidence, "date_note": estimate.note,
                }
            if estimate is not None and estimate.low is not None and not updated:
                empty = _empty_date()
                empty.update(date_kind="published", date_source="+".join(estimate.sources),
                             date_precision="interval", date_low=estimate.low.isoformat(), date_inferred=True,
                             date_note=f"published on or after {estimate.low.isoformat()}, no upper bound: {estimate.note}")
                return empty

    for group in (updated, listed):
        if group:
            best = best_info(info for _, info in group)
            ref = next(ref for ref, info in group if info is best)
            source, note = _stated_source(best, ref, sources, copies)  # type: ignore[arg-type]
            if best.kind == "updated":  # type: ignore[union-attr]
                note = f"{note}; publication date not stated (on or before this day)"
            return _from_info(best, source, note)  # type: ignore[arg-type]

    capture_bounds = [b for b in uppers if b.source == "capture_date"]
    if capture_bounds:
        tightest = min(capture_bounds, key=lambda b: b.high)  # type: ignore[arg-type,return-value]
        empty = _empty_date()
        empty.update(date_kind="captured", date_source="capture_date", date_precision="interval",
                     date_high=tightest.high.isoformat(),  # type: ignore[union-attr]
                     date_note=f"undated: published on or before {tightest.high.isoformat()} ({tightest.note})")  # type: ignore[union-attr]
        return empty
    return _empty_date()


def evidence_bounds(row: dict[str, Any], entries: list[EvidenceEntry], *, max_day: date | None = None) -> list[Bound]:
    """Lower (and for an arXiv id, upper) bounds on one paper's publication from its id and text."""
    text = _text_of(row)
    links = [str(link) for link in _as_list(row.get("links"))]
    arxiv_id = row.get("arxiv_id", "")
    arxiv_id = arxiv_id if isinstance(arxiv_id, str) else ""
    bounds: list[Bound] = []
    own_id, found_in = own_arxiv_id(arxiv_id, links)
    if own_id:
        bound = arxiv_id_bound(own_id, found_in)
        if bound:
            bounds.append(bound)
    for bound in (
        cited_arxiv_bound(text, own_id),
        text_year_bound(text, max_year=max_day.year if max_day else None),
        evidence_table_bound(text, entries, max_date=max_day),
    ):
        if bound is not None and (max_day is None or bound.low is None or bound.low <= max_day):
            bounds.append(bound)
    return bounds


# ---------------------------------------------------------------- coverage


def _status(papers: pd.DataFrame) -> pd.Series:
    has_date = papers["published"].fillna("").astype(str) != ""
    inferred = papers["date_inferred"].fillna(False).astype(bool)
    return pd.Series(
        ["undated" if not d else ("inferred" if i else "stated") for d, i in zip(has_date, inferred)],
        index=papers.index,
    )


def _counts(papers: pd.DataFrame, status: pd.Series) -> dict[str, Any]:
    kinds = papers.loc[status != "undated", "date_kind"].value_counts().to_dict()
    bounded = int(((status == "undated") & ((papers["date_low"].fillna("") != "") |
                                             (papers["date_high"].fillna("") != ""))).sum())
    return {
        "papers": int(len(papers)),
        "stated": int((status == "stated").sum()),
        "inferred": int((status == "inferred").sum()),
        "undated": int((status == "undated").sum()),
        "undated_with_bound": bounded,
        "by_kind": {str(k): int(v) for k, v in sorted(kinds.items())},
    }


def date_coverage(papers: pd.DataFrame, by: str | None = None) -> dict[str, Any]:
    """How many papers have a stated date, an inferred date, or none; per `by` column if given.

    `by` may be a column of lists (a paper counts in each group it belongs to). `by="source_file"`
    (or `"sources"`) groups by the dump files a paper was read from.
    """
    status = _status(papers)
    result: dict[str, Any] = {"overall": _counts(papers, status)}
    if by is None:
        return result
    if by in ("source_file", "sources") and "source_file" not in papers.columns:
        keys = papers["sources"].map(lambda refs: sorted({_file_of(str(r)) for r in _as_list(refs)}))
    elif by not in papers.columns:
        raise KeyError(f"date_coverage: no column {by!r} in papers (columns: {', '.join(map(str, papers.columns))})")
    else:
        keys = papers[by].map(lambda v: _as_list(v) if isinstance(v, (list, tuple, set)) else [v])
    exploded = keys.explode().dropna()
    rows = pd.DataFrame({"key": exploded.astype(str).to_numpy(), "row": exploded.index})
    groups: dict[str, Any] = {}
    for value, group in rows.groupby("key", sort=True)["row"]:
        index = pd.Index(group.unique())
        groups[str(value)] = _counts(papers.loc[index], status.loc[index])
    result["by"] = by
    result["groups"] = dict(sorted(groups.items()))
    return result


def date_coverage_by_file(papers: pd.DataFrame) -> dict[str, dict[str, int]]:
    """Stated, inferred and undated papers per dump file (run.json, the report's file table); a paper counts
    for every file it was read from."""
    groups = date_coverage(papers, by="sources").get("groups", {})
    return {name: {key: counts[key] for key in ("stated", "inferred", "undated")} for name, counts in groups.items()}


__all__ = [
    "DATE_COLUMNS",
    "FileDates",
    "WrittenDate",
    "assign_dates",
    "best_info",
    "capture_date_from_name",
    "date_coverage",
    "date_coverage_by_file",
    "evidence_bounds",
    "file_dates",
    "parse_written_date",
    "stated_dates",
]
