"""Why a topic rises or fades, computed from its own papers (no language model).

For each topic, its earlier papers are compared with its recent ones:
- terms (unigrams and bigrams of title + abstract, the keyword stop words of analytics.topics) whose share of
  the topic's papers grew or fell, each with both shares and counts, kept only when the change is
  significant (one-sided Fisher exact test, Benjamini-Hochberg false discovery rate 5% over the topic's terms);
- the recent papers closest to the centre of the topic's recent papers (where the topic is now);
- a new sub-theme: a group of recent papers far from the earlier centre that is mostly recent, larger than
  chance and shares a set of distinguishing terms; none when no group passes all three checks;
- upvotes of recent and earlier papers, when the dumps carry them.

`growth_evidence` is the entry point; `recent_mask` / `trend_dated_mask` give the windows from a trends table.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.stats import false_discovery_control, hypergeom

from analytics.embedding import paper_text
from analytics.topics import ACADEMIC_STOP_WORDS, TOKEN_PATTERN
from analytics.trends import assign_periods, period_label

MIN_TERM_PAPERS = 5  # a term must be in at least this many papers on the side where it is more common
FALSE_DISCOVERY_RATE = 0.05
# Term shares are measured on at most this many papers per window and topic (a seeded sample): a share of
# 500 papers is within ~4 points of the whole, and tokenising every paper of a 75k corpus takes minutes.
MAX_TERM_SAMPLE = 500
# A recent paper is "far" from the earlier centre when it is less similar to it than 90% of the earlier
# papers are: with no change, about a tenth of the recent papers are far by chance.
FAR_QUANTILE = 0.10
MAX_FAR_PAPERS = 1500  # the farthest ones are clustered (average linkage is quadratic in memory)
MIN_SUB_THEME_PAPERS = 8
MIN_SUB_THEME_RECENT_SHARE = 2 / 3  # "mostly recent"
MIN_SUB_THEME_TERM_SHARE = 1 / 3  # its top distinguishing term is used by at least a third of its papers
SUB_THEME_TITLES = 3
SAMPLE_SEED = 20


@dataclass
class TermShift:
    """A term's document share among a topic's earlier and recent papers (for a sub-theme: among the topic's
    earlier papers and the sub-theme's papers). q_value: Benjamini-Hochberg adjusted one-sided Fisher p."""

    term: str
    earlier_count: int
    earlier_papers: int
    earlier_share: float
    recent_count: int
    recent_papers: int
    recent_share: float
    q_value: float


@dataclass
class EvidencePaper:
    paper_id: str
    title: str
    date: str
    similarity: float  # cosine similarity to the centre it was chosen for


@dataclass
class SubTheme:
    """Recent papers far from the topic's earlier centre that group together.

    `papers`: the group's recent papers; `nearby_recent` / `nearby_earlier`: the topic's papers (both windows)
    around the group's centre, the test that it is new; `terms`: what sets it apart from the earlier papers."""

    papers: int
    nearby_recent: int
    nearby_earlier: int
    p_value: float  # one-sided: this many recent papers among the nearby ones by chance
    terms: list[TermShift]
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


def trend_period_labels(papers: pd.DataFrame, trends: pd.DataFrame) -> pd.Series:
    """Each paper's trend period label ('2025-04'), or None when `trends` did not count it (undated, too
    coarse, not a publication date, or inferred when the trends left inferred dates out)."""
    period = trends.attrs.get("period", "month")
    kinds = trends.attrs.get("date_kinds", ["published", "listed"])
    placed = assign_periods(papers, period, None if kinds == "all" else tuple(kinds))
    counted = placed["status"] == "dated"
    if not trends.attrs.get("include_inferred", True):
        counted &= ~placed["inferred"]
    return pd.Series([period_label(p) if ok else None for p, ok in zip(placed["period"], counted)],
                     index=papers.index, dtype="object")


def trend_dated_mask(papers: pd.DataFrame, trends: pd.DataFrame) -> pd.Series:
    """Papers the trends counted (the ones that have a period)."""
    return trend_period_labels(papers, trends).notna()


RECENT_WINDOW_RULE = "the last third (at least one) of the periods with dated papers"


def recent_periods(trends: pd.DataFrame) -> list[str]:
    """The period labels of the recent window: the last third (at least one) of the periods with dated papers.

    A stand-in window: the growth verdicts will pass their own."""
    with_papers = trends[trends["period_total"] > 0].drop_duplicates("period").sort_values("period_start")
    periods = with_papers["period"].astype(str).tolist()
    return periods[-max(1, round(len(periods) / 3)):] if periods else []


def recent_mask(papers: pd.DataFrame, trends: pd.DataFrame) -> pd.Series:
    """Papers whose trend period is in `recent_periods(trends)`."""
    return trend_period_labels(papers, trends).isin(set(recent_periods(trends)))


# ---------------------------------------------------------------------------------------------------
# Terms


def _vectorizer(min_df: int):
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

    # The keyword stop words (analytics.topics): the evidence speaks the same words as the topic keywords.
    return CountVectorizer(stop_words=sorted(ENGLISH_STOP_WORDS | ACADEMIC_STOP_WORDS), ngram_range=(1, 2),
                           token_pattern=TOKEN_PATTERN, binary=True, min_df=min_df, dtype=np.int32)


def _overlaps(term: str, chosen: list[str]) -> bool:
    """'agentic ai' repeats 'agentic': one of them says it."""
    words = set(term.split())
    return any(words <= set(other.split()) or set(other.split()) <= words for other in chosen)


def term_shifts(earlier_counts: np.ndarray, n_earlier: int, recent_counts: np.ndarray, n_recent: int,
                vocabulary: np.ndarray, *, direction: str, limit: int,
                min_papers: int = MIN_TERM_PAPERS) -> list[TermShift]:
    """The terms whose document share changed most in `direction` ("rising": recent share higher), among
    those with at least `min_papers` papers on the higher side and a significant change: one-sided Fisher
    exact test, Benjamini-Hochberg adjusted over every term tested, q < FALSE_DISCOVERY_RATE. Ranked by the
    change in share (percentage points), on ties bigrams first ('speculative decoding' says more than
    'decoding'), then by term; terms repeating a listed one are skipped."""
    if n_earlier == 0 or n_recent == 0 or len(vocabulary) == 0:
        return []
    earlier_share = earlier_counts / n_earlier
    recent_share = recent_counts / n_recent
    if direction == "rising":
        tested = np.flatnonzero((recent_counts >= min_papers) & (recent_share > earlier_share))
        with_term = recent_counts[tested] + earlier_counts[tested]
        # P(at least this many of the term's papers are recent) if the term were as common in both windows
        p = hypergeom.sf(recent_counts[tested] - 1, n_earlier + n_recent, with_term, n_recent)
    elif direction == "falling":
        tested = np.flatnonzero((earlier_counts >= min_papers) & (earlier_share > recent_share))
        with_term = recent_counts[tested] + earlier_counts[tested]
        p = hypergeom.sf(earlier_counts[tested] - 1, n_earlier + n_recent, with_term, n_earlier)
    else:
        raise ValueError(f"direction must be 'rising' or 'falling', got {direction!r}")
    if len(tested) == 0:
        return []
    q = false_discovery_control(np.clip(p, 0.0, 1.0))
    significant = q < FALSE_DISCOVERY_RATE
    tested, q = tested[significant], q[significant]
    change = np.abs(recent_share[tested] - earlier_share[tested])
    order = sorted(range(len(tested)),
                   key=lambda k: (-change[k], -len(vocabulary[tested[k]].split()), vocabulary[tested[k]]))
    shifts: list[TermShift] = []
    for k in order:
        term = str(vocabulary[tested[k]])
        if _overlaps(term, [s.term for s in shifts]):
            continue
        i = tested[k]
        shifts.append(TermShift(
            term=term,
            earlier_count=int(earlier_counts[i]), earlier_papers=int(n_earlier),
            earlier_share=round(float(earlier_share[i]), 4),
            recent_count=int(recent_counts[i]), recent_papers=int(n_recent),
            recent_share=round(float(recent_share[i]), 4),
            q_value=float(f"{q[k]:.3g}"),
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


@dataclass
class _SubThemeCandidate:
    members: np.ndarray  # paper rows of the group (recent, far from the earlier centre)
    centre: np.ndarray
    nearby_recent: int
    nearby_earlier: int
    p_value: float


def _sub_theme_candidates(earlier: np.ndarray, recent: np.ndarray, embeddings: np.ndarray,
                          earlier_centre: np.ndarray) -> list[_SubThemeCandidate]:
    """Groups of recent papers far from the earlier centre that are big enough and mostly recent, largest first.

    Far: less similar to the earlier centre than 90% of the earlier papers. Groups: average-linkage clusters
    (cosine) cut where a merge would be looser than the earlier topic itself (its mean pairwise similarity
    is |mean of its vectors|^2). New: among the topic's papers around the group's centre (at least as
    similar as three quarters of the group, and closer to it than to the earlier centre), recent papers are
    at least 2/3 and more than the topic's recent share predicts (one-sided, p < 0.05)."""
    earlier_sims = embeddings[earlier] @ earlier_centre
    recent_sims = embeddings[recent] @ earlier_centre
    far = recent[recent_sims < np.quantile(earlier_sims, FAR_QUANTILE)]
    if len(far) > MAX_FAR_PAPERS:
        far = far[np.argsort(embeddings[far] @ earlier_centre, kind="stable")[:MAX_FAR_PAPERS]]
    min_size = max(MIN_SUB_THEME_PAPERS, math.ceil(0.03 * len(recent)))
    if len(far) < min_size:
        return []
    cohesion = float(np.linalg.norm(embeddings[earlier].mean(axis=0)) ** 2)
    tree = linkage(embeddings[far].astype(np.float64), method="average", metric="cosine")
    labels = fcluster(tree, t=max(1.0 - cohesion, 1e-6), criterion="distance")
    groups = sorted((far[labels == label] for label in np.unique(labels)), key=lambda g: (-len(g), g[0]))
    dated = np.concatenate([earlier, recent])
    is_recent = np.concatenate([np.zeros(len(earlier), bool), np.ones(len(recent), bool)])
    dated_vectors = embeddings[dated]
    to_earlier_centre = dated_vectors @ earlier_centre
    candidates = []
    for members in groups:
        if len(members) < min_size:
            break
        centre = _centre(embeddings[members])
        radius = np.quantile(embeddings[members] @ centre, 0.25)
        to_group = dated_vectors @ centre
        nearby = (to_group >= radius) & (to_group > to_earlier_centre)
        nearby_recent = int((nearby & is_recent).sum())
        nearby_total = int(nearby.sum())
        if nearby_total < min_size or nearby_recent < MIN_SUB_THEME_RECENT_SHARE * nearby_total:
            continue
        p = float(hypergeom.sf(nearby_recent - 1, len(dated), len(recent), nearby_total))
        if p < 0.05:
            candidates.append(_SubThemeCandidate(members, centre, nearby_recent, nearby_total - nearby_recent, p))
    return candidates


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


def _topic_evidence(topic_id: int, topic_rows: np.ndarray, earlier: np.ndarray, recent: np.ndarray,
                    papers: pd.DataFrame, texts: list[str], embeddings: np.ndarray | None,
                    upvotes: pd.Series | None, top_terms: int, top_papers: int) -> TopicEvidence:
    evidence = TopicEvidence(topic_id=topic_id, recent_papers=len(recent), earlier_papers=len(earlier))
    evidence.upvotes = _upvotes(upvotes, topic_rows, earlier, recent)
    if not len(recent):
        evidence.notes.append("no recent papers: nothing to compare with the earlier ones")
    if not len(earlier):
        evidence.notes.append("no earlier papers: the whole topic is recent, so no term or centre changed")

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
    rows = np.unique(np.concatenate([earlier_sample, recent_sample, *[c.members for c in candidates]]))
    vectorizer = _vectorizer(min_df=min(MIN_TERM_PAPERS, MIN_SUB_THEME_PAPERS))
    try:
        matrix = vectorizer.fit_transform([texts[i] for i in rows]).tocsr()
    except ValueError:  # sklearn: no term left after stop words and min_df
        evidence.notes.append("too few shared words to compare terms")
        return evidence
    vocabulary = vectorizer.get_feature_names_out()
    position = {int(row): k for k, row in enumerate(rows)}

    def counts(selected: np.ndarray) -> np.ndarray:
        return np.asarray(matrix[[position[int(r)] for r in selected]].sum(axis=0)).ravel()

    earlier_counts, recent_counts = counts(earlier_sample), counts(recent_sample)
    shared = (earlier_counts, len(earlier_sample), recent_counts, len(recent_sample), vocabulary)
    evidence.rising_terms = term_shifts(*shared, direction="rising", limit=top_terms)
    evidence.falling_terms = term_shifts(*shared, direction="falling", limit=top_terms)

    for candidate in candidates:  # the largest group whose papers share distinguishing terms
        terms = term_shifts(earlier_counts, len(earlier_sample), counts(candidate.members), len(candidate.members),
                            vocabulary, direction="rising", limit=top_terms)
        if terms and max(t.recent_share for t in terms) >= MIN_SUB_THEME_TERM_SHARE:
            evidence.sub_theme = SubTheme(
                papers=len(candidate.members), nearby_recent=candidate.nearby_recent,
                nearby_earlier=candidate.nearby_earlier, p_value=float(f"{candidate.p_value:.3g}"), terms=terms,
                closest=_papers_near(candidate.centre, candidate.members, embeddings, papers, SUB_THEME_TITLES),
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
    recent_flags = np.asarray(recent, dtype=bool)
    earlier_flags = ~recent_flags if earlier is None else np.asarray(earlier, dtype=bool) & ~recent_flags
    topic_of = pd.to_numeric(papers["topic_id"], errors="coerce").fillna(-1).astype(int).to_numpy()
    titles = papers["title"].map(_text).tolist()
    abstracts = papers["abstract"].map(_text).tolist() if "abstract" in papers else [""] * len(papers)
    texts = [paper_text(t, a) for t, a in zip(titles, abstracts)]
    upvotes = (pd.to_numeric(papers["upvotes"], errors="coerce").reset_index(drop=True)
               if "upvotes" in papers else None)
    if embeddings is not None:
        embeddings = np.asarray(embeddings, dtype=np.float32)

    result: dict[int, TopicEvidence] = {}
    for topic_id in topic_ids:
        topic_rows = np.flatnonzero(topic_of == int(topic_id))
        earlier_rows = topic_rows[earlier_flags[topic_rows]]
        recent_rows = topic_rows[recent_flags[topic_rows]]
        try:
            result[int(topic_id)] = _topic_evidence(int(topic_id), topic_rows, earlier_rows, recent_rows, papers,
                                                    texts, embeddings, upvotes, top_terms, top_papers)
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
