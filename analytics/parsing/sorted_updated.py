"""The "Sort by updated" summary list, where records are glued together.

    Sort by updated
    KAN: Kolmogorov-Arnold Networks Ziming Liu, Yixuan Wang, Max Tegmark 2024-05-02 16:18:21
    Summary:
    Inspired by ... rely heavily on MLPs.AutoCodeRover: Autonomous Program Improvement Yuntong Zhang, Abhik Roychoudhury 2024-04-08 11:55:09
    Summary:
    ...

Each line ending in a `YYYY-MM-DD HH:MM:SS` timestamp (the anchor) holds, left to right:
the previous record's abstract, this record's title, its author list, its timestamp. Nothing
but the text separates abstract from title ("MLPs.AutoCodeRover", "forgettingCan", a URL
running into the title) or title from the first author ("Routing System Qitian Jason Hu").

How the line is cut, right to left (no lists of known titles or names):
1. The timestamp anchor ends the record.
2. Authors: split on ", " from the right; every segment that is shaped like a personal name
   is one author. The first segment that is not (it holds text + the first author) is the head.
3. First author: the last two name-shaped words of the head, extended over initials and
   particles ("Edward Y. Chang", "Nando de Freitas") and over further capitalised words that
   the file's abstracts never use as ordinary words ("Qitian Jason Hu", but not "System"), or
   that form a full name listed elsewhere in the file.
4. Title start: where the abstract text runs into the title without a space: after a sentence
   end (".A", ").Tamil"), or at a case change inside a word that occurs nowhere else in the file
   ("forgettingCan", "LMsSystem", "vllmFrom", "S-LoRASimplifying"), preferring splits whose title
   side starts with a word the file uses elsewhere ("discrim-evalLLMLingua" -> "LLMLingua").
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from analytics.parsing.common import LayoutResult, too_long
from analytics.records import Problem, Record

TIMESTAMP_END_RE = re.compile(r"(?:^|\s)(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})\s*$")
SUMMARY_MARK = "Summary:"
HEADER_LINES = {"sort by updated"}

PARTICLES = {
    "de", "del", "della", "der", "den", "van", "von", "da", "das", "dos", "du", "di",
    "la", "las", "le", "les", "los", "des", "dei", "degli", "do", "bin", "ibn", "al", "el",
    "ter", "ten", "zu", "y", "af", "av",
}
# English word endings that personal names practically never have ("Remediations", "Estimation").
_ENGLISH_ENDING_RE = re.compile(r"(?:tions?|sions?|ities|ity|ness|ments?|ings|isms?|ology|izations?)$")
_SUFFIXES = (
    "izations", "ization", "ations", "ation", "ities", "ity", "ings", "ing", "ions", "ion",
    "ives", "ive", "ally", "al", "ers", "er", "ed", "es", "s", "e", "ly",
)


@lru_cache(maxsize=65536)
def word_stem(word: str) -> str:
    """Crude English stem so that "Estimation" meets "estimating" and "Sinks" meets "sink"."""
    word = word.lower()
    changed = True
    while changed:
        changed = False
        for suffix in _SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= 4:
                word = word[: -len(suffix)]
                changed = True
                break
    return word
_NAME_WORD_RE = re.compile(r"^[^\W\d_][^\W\d_]*(?:['’\-][^\W\d_]+)*$")
_INITIAL_RE = re.compile(r"^[^\W\d_]\.?(?:-[^\W\d_]\.?)?$")
_WORD_RE = re.compile(r"[^\W_](?:[\w'’\-]*[^\W_])?")
# A sentence end that is not an initial ("Thomas Y. Hou"): used to find text that is surely abstract.
_SENTENCE_END_RE = re.compile(r"(?<![\s.][^\W\d_])[.!?](?=\s|[^\W\d_])")


def looks_like(lines: list[str]) -> bool:
    anchors = sum(1 for line in lines if TIMESTAMP_END_RE.search(line))
    if anchors == 0:
        return False
    head = [line.strip().lower() for line in lines[:3]]
    marks = sum(1 for line in lines if line.strip() == SUMMARY_MARK)
    return "sort by updated" in head or marks >= 1 or anchors >= 3


@lru_cache(maxsize=65536)
def is_name_word(token: str) -> bool:
    """A capitalised word that can be part of a personal name ("Soljačić", "Obando-Ceron", "O'Gara")."""
    if not _NAME_WORD_RE.match(token) or not token[0].isupper():
        return False
    if any(part[:1].islower() for part in token.split("-")[1:]):
        return False  # "Pre-training", "Sub-modules"; names are "Jean-Baptiste", "Obando-Ceron"
    letters = token.replace("'", "").replace("’", "").replace("-", "")
    if letters.isupper():
        return len(letters) <= 3  # "DJ Strouse"; longer all-caps words are acronyms
    inner_caps = sum(1 for part in re.split(r"['’\-]", token) for c in part[1:] if c.isupper())
    # "McAleer", "DiPenta", "LeCun" have one inner capital after a short prefix.
    return inner_caps == 0 or (inner_caps == 1 and re.match(r"^[^\W\d_][a-z]{1,2}[A-Z][a-z]+$", token) is not None)


def is_initial(token: str) -> bool:
    return bool(_INITIAL_RE.match(token)) and token[0].isupper()


def is_particle(token: str) -> bool:
    return token in PARTICLES


def is_author_segment(segment: str) -> bool:
    """"Quoc V. Le", "Nando de Freitas", "Mohammad Javad Darvishi Bayazi": 2-6 name parts."""
    tokens = segment.split(" ")
    if not 2 <= len(tokens) <= 6:
        return False
    if not is_name_word(tokens[-1]) or is_particle(tokens[0]):
        return False
    if not (is_name_word(tokens[0]) or is_initial(tokens[0])):
        return False
    return all(is_name_word(t) or is_initial(t) or is_particle(t) for t in tokens)


@dataclass
class FileEvidence:
    """What the whole file says about words: used to tell title words from names."""

    prose_words: set[str] = field(default_factory=set)  # lowercased words seen in abstract text
    prose_stems: set[str] = field(default_factory=set)
    token_counts: Counter = field(default_factory=Counter)  # exact prose tokens, punctuation-trimmed
    # Tokens of the abstracts a first pass found (their last, unterminated sentences included).
    abstract_token_counts: Counter = field(default_factory=Counter)

    def written_elsewhere(self, token: str, own_in_prose: int = 0) -> bool:
        return self.token_counts.get(token, 0) - own_in_prose + self.abstract_token_counts.get(token, 0) >= 1
    known_names: set[str] = field(default_factory=set)  # full names seen as non-first authors


def _trim(token: str) -> str:
    return token.strip(".,;:!?()[]{}\"'“”‘’")


@dataclass
class _Head:
    number: int  # 1-based line of the anchor
    text: str  # everything before the timestamp (may span lines: abstract lines + this line)
    timestamp: str
    first_line_offset: int  # offset in `text` where the anchor line starts


def _names_a_person(segment: str, evidence: FileEvidence | None) -> bool:
    """Name-shaped, and (once the file's prose is known) not made of ordinary words.

    "Pruning And Distilling Transformers Jane Doe" after a comma in a title is name-shaped,
    but a name of three or more parts rarely has two that the abstracts use as words. Two-part
    names are always accepted ("Mark Chen", "Sam Ringer").
    """
    if not is_author_segment(segment):
        return False
    if evidence is None or segment in evidence.known_names or segment.count(" ") < 2:
        return True
    ordinary = {t.lower() for t in segment.split(" ") if not is_initial(t) and is_ordinary_word(t, evidence)}
    return len(ordinary) < 2


def _split_authors(text: str, evidence: FileEvidence | None = None) -> tuple[str, list[str]]:
    """(head segment holding abstract+title+first author, the other authors in order)."""
    segments = text.split(", ")
    others: list[str] = []
    while len(segments) > 1 and _names_a_person(segments[-1], evidence):
        others.insert(0, segments.pop())
    head = ", ".join(segments)
    # The head must end in a name; otherwise the last "author" taken was really the first one.
    tokens = head.split(" ")
    if others and not (len(tokens) >= 2 and is_name_word(tokens[-1])):
        head = head + ", " + others.pop(0)
    return head, others


def _first_author_start(head: str, evidence: FileEvidence) -> int:
    """Offset in `head` where the first author's name starts."""
    spans = [(m.start(), m.end()) for m in re.finditer(r"\S+", head)]
    if len(spans) < 2:
        return spans[0][0] if spans else 0
    tokens = [head[s:e] for s, e in spans]
    k = len(tokens) - 1  # index of the first token of the name; starts at the surname
    if not is_name_word(tokens[k]):
        return spans[k][0]
    # Every name has a given name (or initial, or particle) before the surname.
    if is_name_word(tokens[k - 1]) or is_initial(tokens[k - 1]) or is_particle(tokens[k - 1]):
        k -= 1
    # The longest name that the file lists elsewhere as a full author name wins outright.
    for start in range(max(0, len(tokens) - 6), k):
        if " ".join(tokens[start:]) in evidence.known_names:
            return spans[start][0]
    while k > 0:
        current, previous = tokens[k], tokens[k - 1]  # extend the name over `previous`?
        # A word that occurs just before, in the title, is a title word ("Step by Step Hunter ...").
        title_words = {t.lower() for t in tokens[max(0, k - 13) : k - 1]}
        if is_particle(previous) and k - 1 > 0:
            k -= 1  # "Rianne van den Berg"
            continue
        if not (is_name_word(previous) or is_initial(previous)):
            break
        must_extend = is_particle(current) or is_initial(current)
        if must_extend and is_initial(current):
            # "Albert Q. Jiang": a middle initial needs a given name, even one the prose uses
            # ("ALBERT" the model). Only a word of this very title, or an acronym, stops it.
            if previous.lower() in title_words or (previous.isupper() and len(previous) > 1):
                break
        elif previous.lower() in title_words or is_ordinary_word(previous, evidence):
            break  # an ordinary word of the file: the title's last word
        if not must_extend and sum(1 for t in tokens[k:] if not is_particle(t)) >= 4:
            break
        k -= 1
    return spans[k][0]


WEAK = -10.0  # score of a title start seen only as "sentence end, space, capital"
_SENTENCE_PUNCT = ".!?)]}\"'"


def _is_abbreviation(before_dot: str) -> bool:
    """Whether the text before a full stop ends in an initial or a short title ("Y", "Dr", "e.g")."""
    run = re.search(r"[^\W\d_]*$", before_dot).group(0)
    if not run:
        return False  # "GPT-4)." or "2.66%)." end a sentence
    char_before = before_dot[-len(run) - 1 : -len(run)] if len(run) < len(before_dot) else ""
    if len(run) == 1 and (char_before in ("", ".") or not char_before.isalnum()):
        return True
    return re.fullmatch(r"[A-Z][a-z]", run) is not None


def _prose_end(head_segment: str) -> int:
    """Offset after the last sentence end: text before it is surely abstract (or title) prose."""
    ends = [m.end() for m in _SENTENCE_END_RE.finditer(head_segment)]
    return ends[-1] if ends else 0


def _glue_candidates(pre: str, evidence: FileEvidence, prose_end: int = 0) -> list[tuple[float, int]]:
    """(score, offset) of places where the title may start inside `pre` (abstract + title).

    4: a sentence end runs into a capital ("MLPs.AutoCodeRover", "2.66%).Tamil-Llama");
    2.5: a full stop runs into a lower-case word the file uses elsewhere ("license.iTransformer");
    0.5-3.9: a case change inside a word seen nowhere else ("forgettingCan", "vllmFrom"), scored
    by the evidence on both sides;
    WEAK: a sentence end, a space, then a capital (titles may contain ". " too, so a last resort).
    """
    candidates: list[tuple[float, int]] = []
    spans = [(m.start(), m.end()) for m in re.finditer(r"\S+", pre)][-80:]
    for n, (s, e) in enumerate(spans):
        token = pre[s:e]
        url_like = "/" in token or "www." in token or "://" in token
        own = 1 if s < prose_end else 0  # this very occurrence was counted as prose
        glued_word_seen = evidence.written_elsewhere(_trim(token), own)
        sentence_glues: list[tuple[float, int]] = []
        case_glues: list[tuple[float, int]] = []
        for p in range(1, len(token)):
            a, b = token[p - 1], token[p]
            rest = token[p:]
            if "/" in rest:
                continue  # still inside a URL path
            if a in _SENTENCE_PUNCT and (b.isupper() or b.isdigit()):
                if a == "." and _is_abbreviation(token[: p - 1]):
                    continue  # an initial or "Dr.", "St." - not a sentence end
                if b.isdigit() and token[p - 2 : p - 1].isdigit():
                    continue  # "3.5"
                sentence_glues.append((4.0, s + p))
            elif a == "." and b.islower() and not _is_abbreviation(token[: p - 1]):
                if evidence.written_elsewhere(_trim(rest)):
                    sentence_glues.append((2.5, s + p))
            elif (a.islower() or a.isdigit()) and b.isupper() or (
                a.isupper() and b.isupper() and p + 1 < len(token) and token[p + 1].islower()
            ):
                if glued_word_seen:
                    continue  # the word occurs elsewhere as written: a real name like "ChatGPT"
                if re.fullmatch(r"[^\W\d_]", re.search(r"[^\W\d_]*$", token[:p]).group(0)):
                    continue  # a one-letter prefix is part of a name: "vLLM", "iPhone", "mGPT"
                score = 2.0 if (token[0].islower() or url_like) else 1.0
                right_word = re.match(r"[^\W\d_]*", rest).group(0)
                left_word = re.search(r"[^\W\d_]*$", token[:p]).group(0)
                # Evidence for the title side: written elsewhere as a whole ("LLMLingua",
                # "VideoLearning:"), else an ordinary word of the file ("Characterizing"), and
                # not a run-on like "Alignment4RLGenerative".
                known = evidence.written_elsewhere(_trim(rest))
                if not known:
                    if is_ordinary_word(right_word, evidence):
                        score += 0.5
                    if re.fullmatch(r"[A-Z][a-z]+", right_word):
                        score += 0.1
                    if re.search(r"[^\W\d_]\d+[^\W\d_]", rest):
                        score -= 0.5
                # Evidence for the abstract side (outside URLs, whose paths are anything): it ends
                # in a word of the file ("forgetting", "LMs"), not in half a word ("dataData|Graph").
                if not url_like:
                    if is_ordinary_word(left_word, evidence):
                        score += 0.5
                    elif re.search(r"[a-z][A-Z]", left_word):
                        score -= 0.5
                case_glues.append((score + (0.9 if known else 0.0), s + p, known))
        if sentence_glues:
            # A case change next to a sentence end in the same word is inside abstract or title text.
            candidates.extend(sentence_glues)
        elif case_glues:
            # One split per word. Among splits whose title side is known, the longest title side
            # wins ("...VideoLearning" over "...Learning"); otherwise the best evidence, then the longest.
            known_glues = [g for g in case_glues if g[2]]
            if known_glues:
                best = min(known_glues, key=lambda g: g[1])
            else:
                best = min(case_glues, key=lambda g: (-g[0], g[1]))
            candidates.append((best[0], best[1]))
        if n > 0:
            prev = pre[spans[n - 1][0] : spans[n - 1][1]]
            if prev[-1] in ".!?" and (token[0].isupper() or token[0].isdigit()):
                candidates.append((WEAK, s))
    return candidates


_URL_RE = re.compile(r"://|www\.|\.(?:com|org|io|ai|ms)/")


def _title_start(pre: str, line_start: int, evidence: FileEvidence, prose_end: int = 0) -> tuple[int, bool]:
    """Offset in `pre` where the title starts, and whether that is a guess."""
    candidates = [
        c for c in _glue_candidates(pre, evidence, prose_end)
        if c[1] >= line_start and not _URL_RE.search(pre[c[1]:])  # titles hold no URLs
    ]
    glued = [c for c in candidates if c[0] > WEAK]
    if glued:
        top = max(score for score, _ in glued)
        offsets = [offset for score, offset in glued if score == top]
        # Sentence ends: the last one before the authors; case changes: the first ("TimeGPT-1").
        return (max(offsets) if top >= 4.0 else min(offsets)), False
    if line_start > 0:
        return line_start, False  # the abstract ended on an earlier line
    if candidates:
        return max(candidates)[1], True
    return 0, True


def parse(text: str, file: str) -> LayoutResult:
    lines = text.split("\n")
    heads: list[_Head] = []
    pending: list[str] = []  # lines after a "Summary:" mark, before the next anchor
    pending_start = 0
    preamble_done = False
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip("\r")
        stripped = line.strip()
        if not preamble_done and (not stripped or stripped.lower() in HEADER_LINES):
            continue
        preamble_done = True
        if stripped == SUMMARY_MARK:
            continue
        match = TIMESTAMP_END_RE.search(line)
        if match:
            body = line[: match.start()].rstrip() if match.group(0)[0].isspace() else line[: match.start()]
            prefix = "\n".join(pending + [""]) if pending else ""
            heads.append(_Head(number, prefix + body, match.group(1), len(prefix)))
            pending = []
            continue
        if not pending:
            pending_start = number
        pending.append(line)
    tail = "\n".join(pending).strip()

    evidence = _gather_evidence(heads, tail)
    first_pass = _cut_records(heads, tail, pending_start, evidence, file)
    # Second pass: the abstracts found are prose too (a last sentence without a full stop
    # often repeats the title's words), which sharpens the title/name boundary.
    evidence = _gather_evidence(heads, tail, [r.abstract for r in first_pass.records])
    return _cut_records(heads, tail, pending_start, evidence, file)


def _cut_records(
    heads: list[_Head], tail: str, pending_start: int, evidence: FileEvidence, file: str
) -> LayoutResult:
    result = LayoutResult()
    previous_abstract_owner: Record | None = None
    for head in heads:
        if too_long(head.text):
            result.problems.append(
                Problem(file, f"line is {len(head.text):,} characters long; set aside", head.number)
            )
            previous_abstract_owner = None
            continue
        head_segment, other_authors = _split_authors(head.text, evidence)
        author_at = _first_author_start(head_segment, evidence)
        pre = head_segment[:author_at].rstrip(" ")
        first_author = head_segment[author_at:]
        if heads and head is heads[0]:
            title_at, guessed = 0, False
        else:
            title_at, guessed = _title_start(pre, head.first_line_offset, evidence, _prose_end(head_segment))
        abstract = pre[:title_at].strip()
        title = pre[title_at:].strip()
        if previous_abstract_owner is not None:
            previous_abstract_owner.abstract = abstract
        elif abstract:
            result.problems.append(
                Problem(file, "text before the first record's title ignored", head.number, "warning")
            )
        if guessed and head is not heads[0]:
            result.problems.append(
                Problem(
                    file,
                    f"could not see where the title starts; guessed {title[:60]!r}",
                    head.number,
                    "warning",
                )
            )
        record = Record(
            file,
            len(result.records),
            head.number,
            title=title,
            authors=[first_author] + other_authors if first_author else other_authors,
            date_text=head.timestamp,
            date_kind="updated",
        )
        record.author_count = len(record.authors) if record.authors else None
        if not title:
            result.problems.append(Problem(file, "record without a title", head.number, "warning"))
        result.records.append(record)
        previous_abstract_owner = record
    if previous_abstract_owner is not None:
        if too_long(tail):
            result.problems.append(
                Problem(file, f"last abstract is {len(tail):,} characters long; set aside", pending_start)
            )
        else:
            previous_abstract_owner.abstract = tail
            if not tail:
                result.problems.append(
                    Problem(file, "last record has no abstract (file truncated?)", previous_abstract_owner.line, "warning")
                )
    elif tail:
        result.problems.append(Problem(file, "no record anchor (timestamp) found", pending_start))
    return result


def _count_tokens(chunk: str, counts: Counter) -> None:
    # Split at spaces and at sentence ends glued to the next word ("TokensTraining.Structured").
    for token in re.split(r"\s+|(?<=[.!?])(?=[A-Z])", chunk):
        counts[_trim(token)] += 1


def _gather_evidence(heads: list[_Head], tail: str, abstracts: list[str] | None = None) -> FileEvidence:
    evidence = FileEvidence()
    for abstract in abstracts or []:
        evidence.prose_words.update(w.lower() for w in _WORD_RE.findall(abstract))
        _count_tokens(abstract, evidence.abstract_token_counts)
    texts = [tail]
    candidate_names: list[str] = []
    for head in heads:
        head_segment, others = _split_authors(head.text)
        candidate_names.extend(others)
        # Text up to the last sentence end of the head segment is surely abstract (or title) text.
        texts.append(head_segment[: _prose_end(head_segment)])
    for chunk in texts:
        _count_tokens(chunk, evidence.token_counts)
        evidence.prose_words.update(w.lower() for w in _WORD_RE.findall(chunk))
    evidence.prose_stems = {word_stem(w) for w in evidence.prose_words}
    # Full names listed after a comma, unless they are really title words after a comma.
    evidence.known_names = {name for name in candidate_names if _names_a_person(name, evidence)}
    return evidence


def is_ordinary_word(token: str, evidence: FileEvidence) -> bool:
    """True when the file's own prose uses `token` as a word (so it is a title word, not a name)."""
    if token.lower() in evidence.prose_words:
        return True
    parts = [p for p in re.split(r"['’\-]", token) if p]
    if len(parts) > 1:
        return all(is_ordinary_word(p, evidence) for p in parts)
    lower = token.lower()
    if lower in evidence.prose_words or word_stem(lower) in evidence.prose_stems:
        return True
    return len(lower) >= 7 and _ENGLISH_ENDING_RE.search(lower) is not None
