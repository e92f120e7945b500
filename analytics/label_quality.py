"""Do topic labels name their topic's subject? Label specificity, measured from the papers' own words.

For each topic label ("Lead phrase, second phrase", maybe with a " (keyword)" added to tell it apart):
- coverage: the share of the topic's papers whose title or abstract uses one of the label's phrases;
- exclusivity: of all papers in the corpus that use the lead phrase, the share that are in this topic.
  "Gaussian splatting" leading a splatting topic: most papers saying it are there. "Tokens" or "Benchmark":
  used all over the corpus, so few of the papers saying it are in the topic;
- model_name_only: the lead phrase is nothing but a model's name ("GPT-4", "Qwen2.5"), which names a tool the
  papers use, not what they study.
A label is specific when both shares reach SPECIFIC_MIN_SHARE and it is not a model name alone.
Phrases are found as analytics.topics.labels finds label candidates in the papers.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from analytics.topics.labels import TextSet, is_model_name

# Both coverage and exclusivity at least this for a specific label. On the real 75k corpus, labels an analyst
# would keep have exclusivity 0.57-0.80 ("Remote sensing", "Person re-identification", "Gaussian splatting");
# corpus words leading a label, 0.02-0.30 ("Codes", "Prompt, prompting", "Video", "Agents"), though 70-95% of
# their topic's papers use them.
SPECIFIC_MIN_SHARE = 0.35
# Corpora larger than this are measured on a seeded sample of this many papers (on the real 75k corpus the
# medians and the specific share came within 0.012 of the whole corpus's, in a fifth of the time).
MEASURED_PAPERS = 20000


def label_phrases(label: str) -> list[str]:
    """The phrases of a label, lower case: "Reinforcement learning (RL), policy" -> ["reinforcement learning",
    "policy"]."""
    without_notes = re.sub(r"\s*\([^)]*\)", "", label)
    return [p.strip().lower() for p in without_notes.split(",") if p.strip()]


def phrase_uses(phrase: str, corpus: TextSet) -> np.ndarray:
    """Which texts use the phrase as authors write it (any case, hyphen or space, joiners such as "of" allowed
    between its words: analytics.topics.labels.TextSet); a plural last word also matches its singular."""
    used = np.zeros(corpus.n, dtype=bool)
    forms = {phrase, phrase[:-1]} if phrase.endswith("s") and len(phrase.split()[-1]) > 3 else {phrase}
    for form in forms:
        used[list(corpus.documents(form))] = True
    return used


def label_specificity(texts: list[str], topic_ids: np.ndarray, labels: dict[int, str], *,
                      seed: int = 0) -> dict[str, Any]:
    """Per topic (outliers left out): coverage, exclusivity, model_name_only, specific; and over topics: the
    medians, the share of specific labels and the topics whose labels are not. Above MEASURED_PAPERS papers
    the shares are those of a seeded sample of that many."""
    topic_ids = np.asarray(topic_ids, dtype=int)
    if len(texts) > MEASURED_PAPERS:  # shares from a seeded sample: one regex scan per phrase stays short
        rows = np.sort(np.random.default_rng(seed).choice(len(texts), MEASURED_PAPERS, replace=False))
        texts, topic_ids = [texts[i] for i in rows], topic_ids[rows]
    corpus = TextSet(texts)
    uses_of: dict[str, np.ndarray] = {}
    per_topic: dict[int, dict[str, Any]] = {}
    for topic, label in sorted(labels.items()):
        members = topic_ids == topic
        phrases = label_phrases(label)
        if topic == -1 or not members.any() or not phrases:
            continue
        for phrase in phrases:
            if phrase not in uses_of:
                uses_of[phrase] = phrase_uses(phrase, corpus)
        lead = uses_of[phrases[0]]
        any_phrase = np.logical_or.reduce([uses_of[p] for p in phrases])
        coverage = float(any_phrase[members].mean())
        exclusivity = float((lead & members).sum() / lead.sum()) if lead.any() else 0.0
        model_only = is_model_name(phrases[0])
        per_topic[int(topic)] = {
            "label": label,
            "coverage": round(coverage, 3),
            "exclusivity": round(exclusivity, 3),
            "model_name_only": model_only,
            "specific": coverage >= SPECIFIC_MIN_SHARE and exclusivity >= SPECIFIC_MIN_SHARE and not model_only,
        }
    if not per_topic:
        return {"per_topic": {}, "coverage_median": None, "exclusivity_median": None, "specific_share": None,
                "unspecific_topics": [], "specific_min_share": SPECIFIC_MIN_SHARE}
    entries = list(per_topic.values())
    return {
        "coverage_median": round(float(np.median([e["coverage"] for e in entries])), 3),
        "exclusivity_median": round(float(np.median([e["exclusivity"] for e in entries])), 3),
        "specific_share": round(float(np.mean([e["specific"] for e in entries])), 3),
        "unspecific_topics": [t for t, e in per_topic.items() if not e["specific"]],
        "specific_min_share": SPECIFIC_MIN_SHARE,
        "per_topic": per_topic,
    }
