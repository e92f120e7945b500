"""Why a topic rises or fades, computed from its own papers (no language model).

For each topic, its earlier papers are compared with its recent ones:
- terms (unigrams and bigrams of title + abstract, tokenised like the topic keywords of analytics.topics) whose
  share of the topic's papers grew or fell, with both shares and counts. A term is kept only when its change
  inside the topic is significant (one-sided Fisher exact test) and larger than its change in the rest of the
  corpus (the same test against the odds ratio there), each at a Benjamini-Hochberg false discovery rate of
  5%: words whose use drifts across the whole corpus ("significant", "challenges") say nothing about one topic;
- the recent papers closest to the centre of the topic's recent papers (where the topic is now);
- a new sub-theme: recent papers far from the earlier centre that group together, whose neighbourhood in the
  topic is mostly recent (more than chance) and which share distinguishing terms; none when no group passes;
- upvotes of recent and earlier papers, when the dumps carry them.

`growth_evidence` is the entry point; `recent_mask` / `trend_dated_mask` give the windows from a trends table.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.stats import false_discovery_control, hypergeom, nchypergeom_fisher

from analytics.embedding import paper_text
from analytics.growth import verdict_windows
from analytics.topics.vocabulary import ACADEMIC_STOP_WORDS, TOKEN_PATTERN
from analytics.trends import counted_period_labels

MIN_TERM_PAPERS = 5  # a term must be in at least this many papers on the side where it is more common
FALSE_DISCOVERY_RATE = 0.05
# Term shares are measured on at most this many papers per window and topic (a seeded sample): a share of
# 400 papers is within ~4 points of the whole, and tokenising costs ~0.1-0.2 ms a paper on this machine.
MAX_TERM_SAMPLE = 400
BACKGROUND_SAMPLE = 2000  # papers per window for "the rest of the corpus"
# A recent paper is "far" from the earlier centre when it is less similar to it than 90% of the earlier
# papers are: with no change, about a tenth of the recent papers are far by chance.
FAR_QUANTILE = 0.10
MAX_FAR_PAPERS = 1500  # the farthest ones are clustered (average linkage is quadratic in memory)
MIN_SEED_PAPERS = 5  # far papers that cluster together: the seed a sub-theme is grown from
MAX_SEEDS = 20
MIN_SUB_THEME_PAPERS = 10  # recent papers in the sub-theme, and at least 1% of the topic's
MIN_SUB_THEME_RECENT_SHARE = 2 / 3  # "mostly recent"
MIN_SUB_THEME_TERM_SHARE = 1 / 3  # its top distinguishing term is used by at least a third of its papers
SUB_THEME_TITLES = 3
SAMPLE_SEED = 20


@dataclass
class TermShift:
    """A term's document share among a topic's earlier and recent papers, and in the rest of the corpus
    (`elsewhere_*`, None without it). q_value: the larger of the two Benjamini-Hochberg adjusted p-values
    (change inside the topic; change beyond the one in the rest of the corpus)."""

    term: str
    earlier_count: int
    earlier_papers: int
    earlier_share: float
    recent_count: int
    recent_papers: int
    recent_share: float
    q_value: float
    elsewhere_earlier_share: float | None = None
    elsewhere_recent_share: float | None = None


@dataclass
class SubThemeTerm:
    """A term's document share in a sub-theme and among the topic's other recent papers."""

    term: str
    count: int
    papers: int
    share: float
    other_count: int
    other_papers: int
    other_share: float
    q_value: float


@dataclass
class EvidencePaper:
    paper_id: str
    title: str
    date: str
    similarity: float  # cosine similarity to the centre it was chosen for


@dataclass
class SubTheme:
    """A new group inside the topic: `recent_papers` / `earlier_papers` of the topic lie around its centre
    (closer to it than to the topic's earlier centre); p_value: one-sided chance of that many recent ones
    among them given the topic's recent share; `terms`: what sets it apart from the topic's other recent papers."""

    recent_papers: int
    earlier_papers: int
    p_value: float
    terms: list[SubThemeTerm]
    closest: list[EvidencePaper]


@dataclass
class UpvoteSummary:
    papers_with_upvotes: int
    recent_with_upvotes: int
    earlier_with_upvotes: int
    median_recent: float | None
    median_earlier: float | None


@dataclass
class TopicEvidence:
    topic_id: int
    recent_papers: int
    earlier_papers: int
    rising_terms: list[TermShift] = field(default_factory=list)
    falling_terms: list[TermShift] = field(default_factory=list)
    closest_recent: list[EvidencePaper] = field(default_factory=list)
    # cosine similarity of the earlier and the recent centre: 1 = the topic did not move
    centre_similarity: float | None = None
    sub_theme: SubTheme | None = None
    upvotes: UpvoteSummary | None = None
    notes: list[str] = field(default_factory=list)  # why a part is missing
    error: str | None = None  # this topic's evidence failed; the others are unaffected

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# ---------------------------------------------------------------------------------------------------
# Windows


def trend_dated_mask(papers: pd.DataFrame, trends: pd.DataFrame) -> pd.Series:
    """Papers the trends counted (the ones that have a period)."""
    return counted_period_labels(papers, trends).notna()


RECENT_WINDOW_RULE = "the periods holding the latest third of the dated papers (the growth verdicts' late window)"


def recent_periods(trends: pd.DataFrame) -> list[str]:
    """The period labels of the recent window: the growth verdicts' late window (`analytics.growth.thirds`),
    so the evidence explains the same change the verdict's shares describe."""
    return verdict_windows(trends)[1]


def recent_mask(papers: pd.DataFrame, trends: pd.DataFrame) -> pd.Series:
    """Papers whose trend period is in `recent_periods(trends)`."""
    return counted_period_labels(papers, trends).isin(set(recent_periods(trends)))


# ---------------------------------------------------------------------------------------------------
# Terms


class PaperTerms:
    """Each paper's set of terms, tokenised once: the topic keywords' analyzer (sklearn CountVectorizer with
    analytics.topics' token pattern and stop words, unigrams and bigrams) over title + abstract."""

    def __init__(self, titles: list[str], abstracts: list[str]) -> None:
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

        self._titles, self._abstracts = titles, abstracts
        self._analyze = CountVectorizer(stop_words=sorted(ENGLISH_STOP_WORDS | ACADEMIC_STOP_WORDS),
                                        ngram_range=(1, 2), token_pattern=TOKEN_PATTERN).build_analyzer()
        self._terms: dict[int, frozenset[str]] = {}

    def of(self, row: int) -> frozenset[str]:
        if row not in self._terms:
            self._terms[row] = frozenset(self._analyze(paper_text(self._titles[row], self._abstracts[row])))
        return self._terms[row]

    def count(self, rows: np.ndarray) -> DocCounts:
        counts: Counter[str] = Counter()
        for row in rows:
            counts.update(self.of(int(row)))
        return DocCounts(counts, len(rows))


class DocCounts(NamedTuple):
    counts: Counter  # term -> number of papers using it
    papers: int

    def get(self, term: str) -> int:
        return self.counts.get(term, 0)


class DocCountsWithout(NamedTuple):
    """A sample's term counts without some of its papers, per term when asked (subtracting whole Counters of
    a few hundred thousand terms cost seconds per topic)."""

    total: DocCounts
    removed: DocCounts

    @property
    def papers(self) -> int:
        return self.total.papers - self.removed.papers

    def get(self, term: str) -> int:
        return self.total.get(term) - self.removed.get(term)


def _overlaps(term: str, chosen: list[str]) -> bool:
    """'agentic ai' repeats 'agentic': one of them says it."""
    words = set(term.split())
    return any(words <= set(other.split()) or set(other.split()) <= words for other in chosen)


def changed_terms(earlier: DocCounts, recent: DocCounts, *, direction: str, limit: int,
                  elsewhere: tuple[DocCounts | DocCountsWithout, DocCounts | DocCountsWithout] | None = None,
                  min_papers: int = MIN_TERM_PAPERS) -> list[TermShift]:
    """The terms whose document share changed most in `direction` ("rising": recent share higher).

    Tested: terms in at least `min_papers` papers on the higher side. Kept: a significant change (one-sided
    Fisher exact test, Benjamini-Hochberg over the tested terms) and, given `elsewhere` (the rest of the
    corpus, earlier and recent), a change beyond the one there: the same conditional test with the term's odds
    ratio elsewhere as the null instead of 1 (Fisher's noncentral hypergeometric distribution; half a paper
    added to each count elsewhere, so a term absent there predicts no change), Benjamini-Hochberg over the
    terms that passed the first test; q < FALSE_DISCOVERY_RATE for both. Ranked by how far the recent share
    lies beyond the one the change elsewhere predicts (percentage points; without `elsewhere`, beyond the
    earlier share), on ties bigrams first ('speculative decoding' says more than 'decoding'), then by term;
    a term repeating a listed one is skipped."""
    if direction not in ("rising", "falling"):
        raise ValueError(f"direction must be 'rising' or 'falling', got {direction!r}")
    rising = direction == "rising"
    if earlier.papers == 0 or recent.papers == 0:
        return []
    higher = recent if rising else earlier
    terms = sorted(t for t, c in higher.counts.items() if c >= min_papers)
    e = np.array([earlier.get(t) for t in terms], dtype=float)
    r = np.array([recent.get(t) for t in terms], dtype=float)
    e_share, r_share = e / earlier.papers, r / recent.papers
    keep = np.flatnonzero(r_share > e_share if rising else e_share > r_share)
    if len(keep) == 0:
        return []
    total = earlier.papers + recent.papers
    # P(at least this many of the term's papers fall on the higher side) if the term were as common in both
    p_inside = (hypergeom.sf(r[keep] - 1, total, r[keep] + e[keep], recent.papers) if rising
                else hypergeom.sf(e[keep] - 1, total, r[keep] + e[keep], earlier.papers))
    q = false_discovery_control(np.clip(p_inside, 0.0, 1.0))
    keep, q = keep[q < FALSE_DISCOVERY_RATE], q[q < FALSE_DISCOVERY_RATE]
    if len(keep) == 0:
        return []
    terms = [terms[k] for k in keep]
    e, r, e_share, r_share = e[keep], r[keep], e_share[keep], r_share[keep]
    expected_share = e_share  # the recent share if nothing changed
    elsewhere_shares: tuple[np.ndarray, np.ndarray] | None = None
    if elsewhere is not None and elsewhere[0].papers > 0 and elsewhere[1].papers > 0:
        n_be, n_br = elsewhere[0].papers, elsewhere[1].papers
        be = np.array([elsewhere[0].get(t) for t in terms], dtype=float)
        br = np.array([elsewhere[1].get(t) for t in terms], dtype=float)
        elsewhere_shares = (be / n_be, br / n_br)
        odds_ratio = ((br + 0.5) / (n_br - br + 0.5)) / ((be + 0.5) / (n_be - be + 0.5))
        p_beyond = (nchypergeom_fisher.sf(r - 1, total, recent.papers, r + e, odds_ratio) if rising
                    else nchypergeom_fisher.sf(e - 1, total, earlier.papers, r + e, 1 / odds_ratio))
        q = np.maximum(q, false_discovery_control(np.clip(p_beyond, 0.0, 1.0)))
        earlier_odds = (e + 0.5) / (earlier.papers - e + 0.5)
        expected_share = earlier_odds * odds_ratio / (1 + earlier_odds * odds_ratio)
    excess = r_share - expected_share if rising else expected_share - r_share
    order = sorted(np.flatnonzero(q < FALSE_DISCOVERY_RATE),
                   key=lambda k: (-excess[k], -len(terms[k].split()), terms[k]))
    shifts: list[TermShift] = []
    for k in order:
        if _overlaps(terms[k], [s.term for s in shifts]):
            continue
        shifts.append(TermShift(
            term=terms[k],
            earlier_count=int(e[k]), earlier_papers=earlier.papers, earlier_share=round(float(e_share[k]), 4),
            recent_count=int(r[k]), recent_papers=recent.papers, recent_share=round(float(r_share[k]), 4),
            q_value=float(f"{q[k]:.3g}"),
            elsewhere_earlier_share=round(float(elsewhere_shares[0][k]), 4) if elsewhere_shares else None,
            elsewhere_recent_share=round(float(elsewhere_shares[1][k]), 4) if elsewhere_shares else None,
        ))
        if len(shifts) == limit:
            break
    return shifts


# ---------------------------------------------------------------------------------------------------
# Geometry


def _centre(vectors: np.ndarray) -> np.ndarray:
    mean = vectors.mean(axis=0)
    return mean / (np.linalg.norm(mean) or 1.0)


def _papers_near(centre: np.ndarray, rows: np.ndarray, embeddings: np.ndarray, papers: pd.DataFrame,
                 limit: int) -> list[EvidencePaper]:
    sims = embeddings[rows] @ centre
    best = np.argsort(-sims, kind="stable")[:limit]
    return [
        EvidencePaper(paper_id=_text(papers["paper_id"].iat[rows[k]]), title=_text(papers["title"].iat[rows[k]]),
                      date=_text(papers["published"].iat[rows[k]]) if "published" in papers else "",
                      similarity=round(float(sims[k]), 4))
        for k in best
    ]


class _SubThemeCandidate(NamedTuple):
    centre: np.ndarray
    recent_rows: np.ndarray  # the topic's recent papers around the centre
    earlier_papers: int
    p_value: float


def _sub_theme_candidates(earlier: np.ndarray, recent: np.ndarray, embeddings: np.ndarray,
                          earlier_centre: np.ndarray) -> list[_SubThemeCandidate]:
    """Possible new sub-themes, most recent papers first.

    Seeds: recent papers far from the earlier centre (less similar to it than 90% of the earlier papers)
    clustered by average linkage (cosine), cut where a merge would be looser than the earlier topic itself
    (whose mean pairwise similarity is |mean of its vectors|^2); seeds of at least MIN_SEED_PAPERS.
    A seed's sub-theme: the topic's papers, earlier and recent, at least as similar to the seed's centre as
    the seed's least similar member and closer to it than to the earlier centre. Kept when it holds at least
    MIN_SUB_THEME_PAPERS recent papers (and 1% of the topic's), at least 2/3 of it is recent, and more recent
    papers than the topic's recent share predicts (one-sided hypergeometric test, p < 0.05 / seeds tried)."""
    earlier_sims = embeddings[earlier] @ earlier_centre
    recent_sims = embeddings[recent] @ earlier_centre
    far = recent[recent_sims < np.quantile(earlier_sims, FAR_QUANTILE)]
    if len(far) > MAX_FAR_PAPERS:
        far = far[np.argsort(embeddings[far] @ earlier_centre, kind="stable")[:MAX_FAR_PAPERS]]
    if len(far) < MIN_SEED_PAPERS:
        return []
    cohesion = float(np.linalg.norm(embeddings[earlier].mean(axis=0)) ** 2)
    tree = linkage(embeddings[far].astype(np.float64), method="average", metric="cosine")
    labels = fcluster(tree, t=max(1.0 - cohesion, 1e-6), criterion="distance")
    seeds = sorted((far[labels == label] for label in np.unique(labels)), key=lambda s: (-len(s), s[0]))
    seeds = [s for s in seeds if len(s) >= MIN_SEED_PAPERS][:MAX_SEEDS]
    min_papers = max(MIN_SUB_THEME_PAPERS, math.ceil(0.01 * len(recent)))
    dated = np.concatenate([earlier, recent])
    is_recent = np.concatenate([np.zeros(len(earlier), bool), np.ones(len(recent), bool)])
    to_earlier_centre = embeddings[dated] @ earlier_centre
    candidates = []
    for seed in seeds:
        centre = _centre(embeddings[seed])
        to_seed = embeddings[dated] @ centre
        around = (to_seed >= (embeddings[seed] @ centre).min()) & (to_seed > to_earlier_centre)
        n_recent, n_around = int((around & is_recent).sum()), int(around.sum())
        if n_recent < min_papers or n_recent < MIN_SUB_THEME_RECENT_SHARE * n_around:
            continue
        p = float(hypergeom.sf(n_recent - 1, len(dated), len(recent), n_around))
        if p < 0.05 / len(seeds):
            candidates.append(_SubThemeCandidate(centre, dated[around & is_recent], n_around - n_recent, p))
    return sorted(candidates, key=lambda c: (-len(c.recent_rows), c.p_value))


def _sub_theme_terms(members: DocCounts, others: DocCounts, limit: int) -> list[SubThemeTerm]:
    """What sets a sub-theme's papers apart from the topic's other recent papers (both recent: no drift)."""
    return [SubThemeTerm(term=t.term, count=t.recent_count, papers=t.recent_papers, share=t.recent_share,
                         other_count=t.earlier_count, other_papers=t.earlier_papers, other_share=t.earlier_share,
                         q_value=t.q_value)
            for t in changed_terms(others, members, direction="rising", limit=limit)]


# ---------------------------------------------------------------------------------------------------
# One topic


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def _sample(rows: np.ndarray, limit: int, rng: np.random.Generator) -> np.ndarray:
    return rows if len(rows) <= limit else np.sort(rng.choice(rows, size=limit, replace=False))


def _upvotes(upvotes: pd.Series | None, topic_rows: np.ndarray, earlier: np.ndarray,
             recent: np.ndarray) -> UpvoteSummary | None:
    if upvotes is None:
        return None
    with_votes = upvotes.iloc[topic_rows].notna()
    if not with_votes.any():
        return None
    recent_votes = upvotes.iloc[recent].dropna()
    earlier_votes = upvotes.iloc[earlier].dropna()
    return UpvoteSummary(
        papers_with_upvotes=int(with_votes.sum()),
        recent_with_upvotes=len(recent_votes),
        earlier_with_upvotes=len(earlier_votes),
        median_recent=float(recent_votes.median()) if len(recent_votes) else None,
        median_earlier=float(earlier_votes.median()) if len(earlier_votes) else None,
    )


class _Background(NamedTuple):
    """Samples of the whole corpus's earlier and recent papers and their term counts."""

    earlier_rows: np.ndarray
    recent_rows: np.ndarray
    earlier: DocCounts
    recent: DocCounts

    def without(self, topic_rows: np.ndarray, terms: PaperTerms) -> tuple[DocCountsWithout, DocCountsWithout]:
        """The rest of the corpus: the samples without the topic's own papers."""
        return (DocCountsWithout(self.earlier, terms.count(np.intersect1d(self.earlier_rows, topic_rows))),
                DocCountsWithout(self.recent, terms.count(np.intersect1d(self.recent_rows, topic_rows))))


def _topic_evidence(topic_id: int, topic_rows: np.ndarray, earlier: np.ndarray, recent: np.ndarray,
                    papers: pd.DataFrame, terms: PaperTerms, background: _Background,
                    embeddings: np.ndarray | None, upvotes: pd.Series | None, top_terms: int,
                    top_papers: int) -> TopicEvidence:
    evidence = TopicEvidence(topic_id=topic_id, recent_papers=len(recent), earlier_papers=len(earlier))
    evidence.upvotes = _upvotes(upvotes, topic_rows, earlier, recent)
    if not len(recent):
        evidence.notes.append("no recent papers: nothing to compare with the earlier ones")
    if not len(earlier):
        evidence.notes.append("no earlier papers: the whole topic is recent, so there is nothing to compare its terms or centre with")

    candidates: list[_SubThemeCandidate] = []
    if embeddings is None:
        evidence.notes.append("no embeddings: closest papers and sub-themes not computed")
    elif len(recent):
        recent_centre = _centre(embeddings[recent])
        evidence.closest_recent = _papers_near(recent_centre, recent, embeddings, papers, top_papers)
        if len(earlier):
            earlier_centre = _centre(embeddings[earlier])
            evidence.centre_similarity = round(float(recent_centre @ earlier_centre), 4)
            candidates = _sub_theme_candidates(earlier, recent, embeddings, earlier_centre)

    if not (len(recent) and len(earlier)):
        return evidence
    rng = np.random.default_rng([SAMPLE_SEED, abs(topic_id)])
    earlier_sample = _sample(earlier, MAX_TERM_SAMPLE, rng)
    recent_sample = _sample(recent, MAX_TERM_SAMPLE, rng)
    earlier_counts, recent_counts = terms.count(earlier_sample), terms.count(recent_sample)
    elsewhere = background.without(topic_rows, terms)
    evidence.rising_terms = changed_terms(earlier_counts, recent_counts, direction="rising", limit=top_terms,
                                          elsewhere=elsewhere)
    evidence.falling_terms = changed_terms(earlier_counts, recent_counts, direction="falling", limit=top_terms,
                                           elsewhere=elsewhere)

    for candidate in candidates:  # the largest sub-theme whose papers share distinguishing terms
        members = _sample(candidate.recent_rows, MAX_TERM_SAMPLE, rng)
        others = terms.count(np.setdiff1d(recent_sample, candidate.recent_rows))
        sub_terms = _sub_theme_terms(terms.count(members), others, top_terms)
        if sub_terms and max(t.share for t in sub_terms) >= MIN_SUB_THEME_TERM_SHARE:
            evidence.sub_theme = SubTheme(
                recent_papers=len(candidate.recent_rows), earlier_papers=candidate.earlier_papers,
                p_value=float(f"{candidate.p_value:.3g}"), terms=sub_terms,
                closest=_papers_near(candidate.centre, candidate.recent_rows, embeddings, papers, SUB_THEME_TITLES),
            )
            break
    return evidence


# ---------------------------------------------------------------------------------------------------
# Entry point


def growth_evidence(papers: pd.DataFrame, embeddings: np.ndarray | None, recent: pd.Series, topic_ids: list[int],
                    *, earlier: pd.Series | None = None, top_terms: int = 8,
                    top_papers: int = 5) -> dict[int, TopicEvidence]:
    """Evidence of why each topic in `topic_ids` rises or fades: recent papers against earlier ones.

    `papers`: one row per paper with topic_id, paper_id, title, abstract (published and upvotes used when
    present), in the row order of `embeddings` (L2-normalised, or None to skip closest papers and sub-themes).
    `recent`: True for the papers of the recent window. `earlier`: the papers to compare them with (default:
    every paper not recent; pass the dated ones, e.g. `trend_dated_mask(...) & ~recent`, so undated papers
    take part in neither). A topic whose evidence fails gets `error` set; the others are unaffected."""
    if embeddings is not None and len(embeddings) != len(papers):
        raise ValueError(f"{len(embeddings)} embeddings for {len(papers)} papers")
    if not topic_ids:
        return {}
    recent_flags = np.asarray(recent, dtype=bool)
    earlier_flags = ~recent_flags if earlier is None else np.asarray(earlier, dtype=bool) & ~recent_flags
    topic_of = pd.to_numeric(papers["topic_id"], errors="coerce").fillna(-1).astype(int).to_numpy()
    abstracts = papers["abstract"].tolist() if "abstract" in papers else [""] * len(papers)
    terms = PaperTerms([_text(t) for t in papers["title"].tolist()], [_text(a) for a in abstracts])
    upvotes = (pd.to_numeric(papers["upvotes"], errors="coerce").reset_index(drop=True)
               if "upvotes" in papers else None)
    if embeddings is not None:
        embeddings = np.asarray(embeddings, dtype=np.float32)
    rng = np.random.default_rng(SAMPLE_SEED)
    background_earlier = _sample(np.flatnonzero(earlier_flags), BACKGROUND_SAMPLE, rng)
    background_recent = _sample(np.flatnonzero(recent_flags), BACKGROUND_SAMPLE, rng)
    background = _Background(background_earlier, background_recent,
                             terms.count(background_earlier), terms.count(background_recent))

    result: dict[int, TopicEvidence] = {}
    for topic_id in topic_ids:
        topic_rows = np.flatnonzero(topic_of == int(topic_id))
        earlier_rows = topic_rows[earlier_flags[topic_rows]]
        recent_rows = topic_rows[recent_flags[topic_rows]]
        try:
            result[int(topic_id)] = _topic_evidence(int(topic_id), topic_rows, earlier_rows, recent_rows, papers,
                                                    terms, background, embeddings, upvotes, top_terms, top_papers)
        except Exception as error:  # noqa: BLE001 - one topic's failure never takes the run down
            result[int(topic_id)] = TopicEvidence(topic_id=int(topic_id), recent_papers=len(recent_rows),
                                                  earlier_papers=len(earlier_rows),
                                                  error=f"{type(error).__name__}: {error}")
    return result


def evidence_document(evidence: dict[int, TopicEvidence], labels: dict[int, str], growth_classes: dict[int, str],
                      periods: list[str]) -> dict[str, Any]:
    """evidence.json: the recent window, then one object per topic (with its label and growth class)."""
    return {
        "recent_periods": periods,
        "recent_window_rule": RECENT_WINDOW_RULE,
        "topics": [
            {"topic_id": topic_id, "label": labels.get(topic_id, ""), "growth_class": growth_classes.get(topic_id, ""),
             **{k: v for k, v in evidence[topic_id].to_dict().items() if k != "topic_id"}}
            for topic_id in sorted(evidence)
        ],
    }


def evidence_counts(evidence: dict[int, TopicEvidence]) -> dict[str, int]:
    """How many topics got each kind of evidence (for run.json)."""
    items = list(evidence.values())
    return {
        "topics": len(items),
        "with_rising_terms": sum(1 for e in items if e.rising_terms),
        "with_falling_terms": sum(1 for e in items if e.falling_terms),
        "with_sub_theme": sum(1 for e in items if e.sub_theme is not None),
        "with_upvotes": sum(1 for e in items if e.upvotes is not None),
        "failed": sum(1 for e in items if e.error),
    }


# Evidence is computed for these classes only: it tokenises the topics' papers, which for every topic of a 75k
# corpus costs more than the rest of the trends stage.
EVIDENCE_CLASSES = ("emerging", "growing", "declining", "fading")


def run_evidence(papers: pd.DataFrame, embeddings: np.ndarray, trends: pd.DataFrame, growth: pd.DataFrame,
                 topics: pd.DataFrame) -> tuple[dict[str, Any], dict[str, int], dict[int, str]]:
    """A run's evidence for its rising and fading topics: evidence.json's content, its counts for run.json,
    and the topics whose evidence failed (with the error), which the caller reports."""
    judged = growth[growth["growth_class"].isin(EVIDENCE_CLASSES) & (growth["topic_id"] != -1)]
    topic_ids = judged["topic_id"].astype(int).tolist()
    recent = recent_mask(papers, trends)
    earlier = trend_dated_mask(papers, trends) & ~recent
    evidence = growth_evidence(papers, embeddings, recent, topic_ids, earlier=earlier)
    document = evidence_document(
        evidence, dict(zip(topics["topic_id"].astype(int), topics["label"])),
        dict(zip(growth["topic_id"].astype(int), growth["growth_class"])), recent_periods(trends))
    failed = {topic_id: item.error for topic_id, item in evidence.items() if item.error}
    return document, evidence_counts(evidence), failed
