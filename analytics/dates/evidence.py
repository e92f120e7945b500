"""Evidence about when a paper was first published, read from its id and its text.

Each piece of evidence is a `Bound`: "published on or after `low`" and/or "on or before `high`",
with the probability that it holds. `combine_bounds` turns a paper's bounds into one interval
with a point estimate. Nothing here reads dump files; inference.py wires it in.

Sources of evidence:
- the paper's own arXiv id (field or abs/pdf link): YYMM is the submission month;
- arXiv ids cited inside the text: the paper is not older than the work it cites;
- years written in the text ("since 2023", "(Smith et al., 2024)", "CVPR 2024");
- the evidence table (config/date_evidence.toml): a paper naming GPT-4 is not older than GPT-4;
- upper bounds given by the caller: last-update timestamp, dump capture day, collection horizon;
- the learned gap between first release and last revision (config/date_gaps.toml, read by gaps.py): a
  paper whose last revision is known was first released a learned number of days before it.
"""

from __future__ import annotations

import calendar
import re
import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Iterable

DEFAULT_EVIDENCE_TABLE = Path(__file__).resolve().parents[2] / "config" / "date_evidence.toml"

# How likely each kind of bound is to hold. Measured with bench/evaluate_dates.py where data allows:
# the id month holds for 94% of first listing days in the real daily corpus (ids are numbered by
# announcement cycle, so days at month edges fall a few days outside); text bounds held for >99%.
CONFIDENCE = {
    "arxiv_id": 0.94,
    "cited_arxiv_id": 0.97,
    "text_year": 0.95,
    "venue_year": 0.95,
    "evidence_table": 0.95,
    "updated": 0.99,
    "update_date": 0.99,  # a metadata change (OAI snapshot update_date): on or after every version
    # The lower bound set by the learned revision gap holds for this share of papers by construction:
    # it is the gap that this share of arXiv papers in config/date_gaps.toml did not exceed.
    "revision_gap": 0.9,
    "listed": 0.99,
    "capture_date": 0.99,
    "horizon": 0.9,
}


@dataclass(frozen=True)
class Bound:
    """One piece of evidence: the first publication is on/after `low` and/or on/before `high`."""

    low: date | None
    high: date | None
    source: str  # arxiv_id / text_evidence / updated / listed / capture_date / horizon
    confidence: float  # probability that the bound holds
    note: str
    # For an upper bound that is a last-revision day: the learned median days from first release to it, and
    # where that figure comes from. The point estimate of an interval this bound closes lies that many days
    # before it (see combine_bounds).
    median_gap_days: int | None = None
    gap_basis: str = ""


@dataclass(frozen=True)
class Estimate:
    """A combined interval with a point estimate."""

    point: date | None  # None when there is no upper bound (no finite interval)
    low: date | None
    high: date | None
    precision: str  # day / month / year / interval
    confidence: float
    sources: tuple[str, ...]  # sources of the bounds that set low and high
    note: str


# ---------------------------------------------------------------- arXiv identifiers

# New-style ids (since April 2007): YYMM.NNNN (to 2014) or YYMM.NNNNN (since 2015), optional version.
NEW_ARXIV_ID = re.compile(r"^(\d{2})(\d{2})\.(\d{4,5})(?:v\d+)?$")
# Old-style ids (1991 to March 2007): archive[.SUBJ]/YYMMNNN, e.g. hep-ph/0701001, math.AG/0601001.
OLD_ARXIV_ID = re.compile(r"^([a-z][a-z\-]*(?:\.[A-Za-z]{2})?)/(\d{2})(\d{2})(\d{3})(?:v\d+)?$")

# arXiv ids inside free text or links: arxiv.org/abs/ID, arxiv.org/pdf/ID(.pdf), arXiv:ID.
ARXIV_ID_IN_TEXT = re.compile(
    r"(?:arxiv\.org/(?:abs|pdf|html)/|arxiv:\s?)"
    r"((?:\d{4}\.\d{4,5})|(?:[a-z][a-z\-]*(?:\.[A-Za-z]{2})?/\d{7}))(?:v\d+)?",
    re.IGNORECASE,
)


def month_range(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def arxiv_id_month(arxiv_id: str) -> tuple[date, date] | None:
    """First and last day of the submission month an arXiv id encodes, or None if it is no arXiv id."""
    arxiv_id = (arxiv_id or "").strip()
    if arxiv_id.lower().startswith("arxiv:"):
        arxiv_id = arxiv_id[6:]
    m = NEW_ARXIV_ID.match(arxiv_id)
    if m:
        yy, mm, number = int(m.group(1)), int(m.group(2)), m.group(3)
        year = 2000 + yy
        # The new scheme began with 0704; 5-digit numbers began with 1501.
        if not 1 <= mm <= 12 or (year, mm) < (2007, 4) or (len(number) == 5) != ((year, mm) >= (2015, 1)):
            return None
        return month_range(year, mm)
    m = OLD_ARXIV_ID.match(arxiv_id)
    if m:
        yy, mm = int(m.group(2)), int(m.group(3))
        year = 1900 + yy if yy >= 91 else 2000 + yy
        if not 1 <= mm <= 12 or (year, mm) > (2007, 3):
            return None
        return month_range(year, mm)
    return None


def arxiv_ids_in_text(text: str) -> list[str]:
    """arXiv ids written in text or links, in order of appearance, without versions, deduplicated."""
    seen: dict[str, None] = {}
    for m in ARXIV_ID_IN_TEXT.finditer(text or ""):
        if arxiv_id_month(m.group(1)):
            seen.setdefault(m.group(1), None)
    return list(seen)


def own_arxiv_id(arxiv_id: str, links: Iterable[str]) -> tuple[str, str]:
    """The paper's own arXiv id and where it was found ("field" or "link"), or ("", "").

    Links are the paper's own links (abs/pdf page); an id cited inside the abstract is not the paper's.
    """
    if arxiv_id and arxiv_id_month(arxiv_id):
        return arxiv_id, "field"
    ids = arxiv_ids_in_text(" ".join(str(link) for link in links or []))
    if len(ids) == 1:  # several different ids in the links: we cannot tell which one is this paper
        return ids[0], "link"
    return "", ""


def arxiv_id_bound(arxiv_id: str, found_in: str = "field") -> Bound | None:
    months = arxiv_id_month(arxiv_id)
    if not months:
        return None
    low, high = months
    return Bound(
        low, high, "arxiv_id", CONFIDENCE["arxiv_id"],
        f"arXiv id {arxiv_id} ({found_in}) gives submission month {low:%Y-%m}",
    )


def cited_arxiv_bound(text: str, own_id: str = "") -> Bound | None:
    """The paper is not older than the newest arXiv paper its text cites (month start of that id)."""
    best: tuple[date, str] | None = None
    for cited in arxiv_ids_in_text(text):
        if cited == own_id:
            continue
        start = arxiv_id_month(cited)[0]  # type: ignore[index]
        if best is None or start > best[0]:
            best = (start, cited)
    if best is None:
        return None
    return Bound(best[0], None, "text_evidence", CONFIDENCE["cited_arxiv_id"],
                 f"text cites arXiv {best[1]} (from {best[0]:%Y-%m})")


# ---------------------------------------------------------------- years written in the text

# A plausible year 1990..2049 standing alone: not part of a longer number, a decimal, an id or a range like 2023-24.
YEAR_IN_TEXT = re.compile(r"(?<![\w./:#$€£])((?:199|20[0-4])\d)(?![\w]|[.,]\d|-\d)")
# Before a year, a hyphen may follow a name ("SemEval-2025") or a year ("2019-2023"), not another number.
NUMBER_HYPHEN = re.compile(r"\d-$")
YEAR_HYPHEN = re.compile(r"(?<!\d)(?:19|20)\d\d-$")
# Words after a number that make it a count, not a year ("2048 tokens", "2000 images").
COUNT_WORDS = re.compile(
    r"\s*(?:[a-z]+\s+)?(?:tokens?|images?|samples?|examples?|instances?|videos?|clips?|hours?|steps?|"
    r"parameters?|params|GPUs?|questions?|pairs?|documents?|sentences?|words?|papers?|users?|"
    r"patients?|subjects?|participants?|frames?|points?|nodes?|classes|categories|dimensions?|"
    r"pixels?|px|×|x\b|MB|GB|km|m\b|ms\b|s\b|epochs?|iterations?|queries|tasks?|articles?|files?|"
    r"annotations?|objects?|scenes?|problems?|prompts?|responses?|dialogues?|conversations?|"
    r"languages?|texts?|items?|records?|models?|agents?|trials?|people|persons?|individuals?)",
    re.IGNORECASE,
)
# Words before a year that point to the future ("by 2030") or to a span end ("until 2025"), not the past.
FUTURE_WORDS = re.compile(r"(?:\bby|\buntil|\btill|\bbefore|\bthrough|\bthe year|\btowards?|\bin the year)\s+$",
                          re.IGNORECASE)
# Venues, challenges and shared tasks named with a year: the preprint may appear in the year before.
VENUE_BEFORE_YEAR = re.compile(
    r"(?:CVPR|ICCV|ECCV|NeurIPS|NIPS|ICLR|ICML|ACL|EMNLP|NAACL|EACL|AACL|COLING|LREC|AAAI|IJCAI|KDD|SIGIR|"
    r"WWW|WSDM|CIKM|MICCAI|ISBI|Interspeech|INTERSPEECH|ICASSP|WACV|BMVC|ACCV|CoRL|RSS|IROS|ICRA|"
    r"SemEval|WMT|TREC|CLEF|BioASQ|FEVER|IWSLT|CHI|UIST|SIGGRAPH|3DV|ICME|ACM MM|MM|Challenge|challenge|"
    r"Competition|competition|Workshop|workshop|[Ss]hared [Tt]ask|Cup|Olympiad|Track|track)"
    r"['’]?\s*[-–]?\s*$"
)

# The same after the year: "FAME 2026 challenge", "the 2025 shared task".
VENUE_AFTER_YEAR = re.compile(
    r"^\s*(?:[Cc]hallenges?|[Ss]hared [Tt]asks?|[Ww]orkshops?|[Cc]ompetitions?|[Cc]onference|[Ss]ymposium|"
    r"[Tt]rack|[Cc]up|[Oo]lympiad|[Ee]dition|[Ee]valuation [Cc]ampaign)\b"
)


def text_year_bound(text: str, *, max_year: int | None = None) -> Bound | None:
    """Lower bound from the latest year written in the text (years after `max_year` are ignored)."""
    best: tuple[date, str, str] | None = None  # (low, year text, reason)
    for m in YEAR_IN_TEXT.finditer(text or ""):
        year = int(m.group(1))
        if max_year is not None and year > max_year:
            continue
        before = text[max(0, m.start() - 30): m.start()]
        after = text[m.end(): m.end() + 40]
        if NUMBER_HYPHEN.search(before) and not YEAR_HYPHEN.search(before):
            continue
        venue = VENUE_BEFORE_YEAR.search(before) or VENUE_AFTER_YEAR.match(after)
        if not venue and COUNT_WORDS.match(after):
            continue
        if FUTURE_WORDS.search(before):
            continue
        if venue:
            low, reason = date(year - 1, 7, 1), "venue/challenge year"
        else:
            low, reason = date(year, 1, 1), "year"
        if best is None or low > best[0]:
            best = (low, m.group(1), reason)
    if best is None:
        return None
    low, year_text, reason = best
    kind = "venue_year" if reason != "year" else "text_year"
    return Bound(low, None, "text_evidence", CONFIDENCE[kind],
                 f"text mentions {reason} {year_text} (from {low.isoformat()})")


# ---------------------------------------------------------------- evidence table


@dataclass(frozen=True)
class EvidenceEntry:
    """A model, dataset, method or event with a known first public appearance."""

    name: str
    pattern: re.Pattern[str]
    first_seen: date
    kind: str
    source: str
    confidence: float
    # Lower-case strings one of which every match contains (None: no such guarantee, always run the
    # regex). Checking them first is ~100x faster than the regex: `\b` at a pattern's start defeats
    # the regex engine's literal-prefix search.
    must_contain: tuple[str, ...] | None = None

    def found_in(self, text: str, lower_text: str) -> bool:
        if self.must_contain is not None and not any(part in lower_text for part in self.must_contain):
            return False
        return self.pattern.search(text) is not None


def _split_top_level(pattern: str) -> list[str] | None:
    """Split a regex on its top-level `|`; None if brackets do not balance."""
    branches, depth, in_class, start, i = [], 0, False, 0, 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            branches.append(pattern[start:i])
            start = i + 1
        i += 1
    if depth != 0 or in_class:
        return None
    branches.append(pattern[start:])
    return branches


CASE_PAIR = re.compile(r"\[([A-Za-z])([A-Za-z])\]")


def literal_prefixes(pattern: str) -> tuple[str, ...] | None:
    """For each top-level branch, the literal text every match of it starts with (lower-cased).

    Zero-width `\\b` is skipped; `[Xx]` counts as the letter x; a character followed by a quantifier
    is not required. None when some branch has no literal start of at least 2 characters.
    """
    branches = _split_top_level(pattern)
    if branches is None:
        return None
    prefixes = []
    for branch in branches:
        literal, i = "", 0
        while i < len(branch):
            if branch.startswith("\\b", i):
                i += 2
                continue
            pair = CASE_PAIR.match(branch, i)
            if pair and pair[1].lower() == pair[2].lower():
                char, width = pair[1].lower(), pair.end() - i
            elif branch[i] == "\\" and i + 1 < len(branch) and branch[i + 1] in ".-()[]+*?{}|$^ /":
                char, width = branch[i + 1], 2
            elif branch[i].isalnum() or branch[i] in " -:'’,/":
                char, width = branch[i].lower(), 1
            else:
                break
            if i + width < len(branch) and branch[i + width] in "?*{":
                break  # optional: not required
            literal += char
            i += width
        if len(literal) < 2:
            return None
        prefixes.append(literal)
    return tuple(prefixes)


def load_evidence_table(table: str | Path | list | None = None) -> list[EvidenceEntry]:
    """Read the evidence table (TOML file path, or a list of dicts/EvidenceEntry); None = bundled table.

    Each entry: name, pattern (Python regex, case-sensitive unless ignore_case = true), date (first public
    appearance, a TOML date), kind, source (URL or arXiv id), optional confidence.
    """
    if table is None:
        table = DEFAULT_EVIDENCE_TABLE
    if isinstance(table, (str, Path)):
        path = Path(table)
        try:
            with path.open("rb") as fh:
                data = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"{path}: not valid TOML: {exc}") from exc
        raw_entries = data.get("entry", [])
        where = str(path)
    else:
        raw_entries = list(table)
        where = "evidence table"
    entries: list[EvidenceEntry] = []
    for number, raw in enumerate(raw_entries, start=1):
        if isinstance(raw, EvidenceEntry):
            entries.append(raw)
            continue
        label = f"{where}: entry {number} ({raw.get('name', '?')})"
        missing = [key for key in ("name", "pattern", "date", "source") if not raw.get(key)]
        if missing:
            raise ValueError(f"{label}: missing {', '.join(missing)}")
        first_seen = raw["date"]
        if isinstance(first_seen, str):
            first_seen = date.fromisoformat(first_seen)
        if not isinstance(first_seen, date):
            raise ValueError(f"{label}: date must be YYYY-MM-DD, got {first_seen!r}")
        try:
            pattern = re.compile(raw["pattern"], re.IGNORECASE if raw.get("ignore_case") else 0)
        except re.error as exc:
            raise ValueError(f"{label}: bad pattern {raw['pattern']!r}: {exc}") from exc
        entries.append(EvidenceEntry(
            name=raw["name"], pattern=pattern, first_seen=first_seen, kind=raw.get("kind", ""),
            source=raw["source"], confidence=float(raw.get("confidence", CONFIDENCE["evidence_table"])),
            must_contain=literal_prefixes(raw["pattern"]),
        ))
    entries.sort(key=lambda e: e.first_seen, reverse=True)  # newest first (see evidence_table_bound)
    return entries


def evidence_table_bound(text: str, entries: list[EvidenceEntry], *, max_date: date | None = None) -> Bound | None:
    """Lower bound from the most recent table entry the text names (entries after `max_date` ignored)."""
    best: EvidenceEntry | None = None
    lower_text = text.lower()
    if any(a.first_seen < b.first_seen for a, b in zip(entries, entries[1:])):
        entries = sorted(entries, key=lambda e: e.first_seen, reverse=True)
    for entry in entries:  # newest first: the first match is the bound
        if max_date is not None and entry.first_seen > max_date:
            continue
        if entry.found_in(text, lower_text):
            best = entry
            break
    if best is None:
        return None
    return Bound(best.first_seen, None, "text_evidence", best.confidence,
                 f"names {best.name} (first seen {best.first_seen.isoformat()}, {best.source})")


# ---------------------------------------------------------------- combining


def _precision(low: date, high: date) -> str:
    if low == high:
        return "day"
    if low.day == 1 and (low.year, low.month) == (high.year, high.month) and high == month_range(low.year, low.month)[1]:
        return "month"
    if (low.month, low.day, high.month, high.day) == (1, 1, 12, 31) and low.year == high.year:
        return "year"
    return "interval"


def combine_bounds(bounds: list[Bound]) -> Estimate | None:
    """Intersect bounds into one interval; on conflict drop the less likely bound and say so.

    The point estimate: when the interval ends at a last-revision day (a bound with `median_gap_days`),
    that day minus the learned median gap, clipped into the interval; otherwise the middle of the
    interval. Confidence is the product of the probabilities of the bounds that set the interval's ends.
    """
    active = [b for b in bounds if b.low is not None or b.high is not None]
    dropped: list[Bound] = []
    while True:
        lows = [b for b in active if b.low is not None]
        highs = [b for b in active if b.high is not None]
        low_bound = max(lows, key=lambda b: (b.low, b.confidence)) if lows else None
        high_bound = min(highs, key=lambda b: (b.high, -b.confidence)) if highs else None
        if low_bound and high_bound and low_bound.low > high_bound.high:  # type: ignore[operator]
            # Drop the less likely of the two (on a tie, the lower bound: text evidence is the weaker kind).
            weaker = high_bound if high_bound.confidence < low_bound.confidence else low_bound
            active.remove(weaker)
            dropped.append(weaker)
            continue
        break
    if low_bound is None and high_bound is None:
        return None
    low = low_bound.low if low_bound else None
    high = high_bound.high if high_bound else None
    setters = [b for b in (low_bound, high_bound) if b is not None]
    unique_setters = list(dict.fromkeys(setters))
    confidence = 1.0
    for b in unique_setters:
        confidence *= b.confidence
    notes = [b.note for b in unique_setters]
    if dropped:
        notes.append("ignored (contradicts stronger evidence): " + "; ".join(b.note for b in dropped))
    sources = tuple(dict.fromkeys(b.source for b in unique_setters))
    if low is None or high is None:
        return Estimate(None, low, high, "interval", round(confidence, 3), sources, "; ".join(notes))
    if high_bound is not None and high_bound.median_gap_days is not None:
        # First releases come a learned gap before the last revision (config/date_gaps.toml), not mid-interval.
        point = min(max(high - timedelta(days=high_bound.median_gap_days), low), high)
        gap = high_bound.median_gap_days
        where = "the last revision day" if gap == 0 else f"{gap} days before the last revision"
        clipped = ", clipped into the interval" if point != high - timedelta(days=gap) else ""
        notes.append(f"point estimate {point.isoformat()}: {where} ({high_bound.gap_basis}){clipped}")
    else:
        # Other upper ends (capture day, collection horizon, the end of an arXiv id's month) say when a dump was
        # made or a month ended, not how long before it the paper appeared; no data tells where in the interval
        # the release lies, and the middle keeps the worst-case error smallest.
        point = low + timedelta(days=(high - low).days // 2)
    return Estimate(point, low, high, _precision(low, high), round(confidence, 3), sources, "; ".join(notes))
