"""Dates the dumps state, with what each means: first publication, last update, listing day or capture day.

`stated_dates(parsed)` reads each record's date as the dump writes it (`date_text`, arXiv and Semantic Scholar
fields in `extra`) and keeps what it means. Yearless dates (`May 31` on a Hugging Face page) get their year from
the file's context (`file_dates`: capture day, page date, listing day), the entries' explicit years or their order,
and are marked inferred. Records with no date of their own get the file's listing or capture day.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Iterable

from analytics.dates.evidence import CONFIDENCE, month_range
from analytics.dates.written import (
    WrittenDate,
    _as_date,
    capture_date_from_name,
    parse_written_date,
)
from analytics.records import DateInfo, ParsedFile, Record

KINDS = ("published", "updated", "listed", "captured")
KIND_RANK = {"published": 0, "updated": 1, "listed": 2, "captured": 3}
KIND_WORDS = {"published": "publication date", "updated": "last update", "listed": "listing day",
              "captured": "capture day"}
PRECISION_RANK = {"day": 0, "month": 1, "year": 2, "interval": 3}


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
