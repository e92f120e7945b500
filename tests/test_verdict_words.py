"""Verdicts checked against the papers' words (analytics.verdict_words), on constructed corpora where the truth
is known: a field whose share is flat but whose papers move between two topics, a field that really grows."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.trend_analysis import analyse_trends
from analytics.verdict_words import BORNE_OUT, CONTRADICTED, NOT_BORNE_OUT, TOO_FEW_WORDS

MONTHS = pd.period_range("2025-01", "2025-12", freq="M")


def _papers(rows: list[tuple[int, int, str]]) -> pd.DataFrame:
    """rows: (month index, topic id, words of the title); abstracts carry filler only."""
    out = []
    for i, (month, topic, words) in enumerate(rows):
        date = (MONTHS[month].start_time + pd.Timedelta(days=i % 27)).strftime("%Y-%m-%d")
        out.append({"paper_id": f"p{i}", "title": f"{words} study {i}", "abstract": "We report experiments.",
                    "published": date, "date_kind": "published", "date_source": "dump", "date_precision": "day",
                    "date_low": date, "date_high": date, "date_inferred": False, "topic_id": topic,
                    "raw_topic_id": topic, "categories": ["cs.CL"]})
    return pd.DataFrame(out)


def _check(papers: pd.DataFrame, labels: dict[int, str]) -> pd.DataFrame:
    result = analyse_trends(papers, {}, period="month", include_inferred=True, kinds=("published",), min_papers=8,
                            labels=labels)
    return result.growth.set_index("topic_id")


def _corpus(per_month: int, field_rows) -> list[tuple[int, int, str]]:
    rows = []
    for month in range(len(MONTHS)):
        rows += field_rows(month)
        rows += [(month, 9, "Image segmentation networks")] * (per_month - len([r for r in rows if r[0] == month]))
    return rows


def test_a_topic_that_grows_only_because_its_edge_moved_is_not_borne_out_by_its_words() -> None:
    """Safety papers are 20% of every month; early most sit in the jailbreak topic, late most in the safety
    topic. The topic grows x4 and the other falls, while papers saying "safety alignment" stay flat."""
    def field(month: int) -> list[tuple[int, int, str]]:
        to_safety = round(40 * (0.15 + 0.7 * month / 11))
        # The same papers either side of the edge: only the edge moves.
        return [(month, 1, "Safety alignment under jailbreak attacks")] * to_safety + \
               [(month, 2, "Safety alignment under jailbreak attacks")] * (40 - to_safety)

    growth = _check(_papers(_corpus(200, field)),
                    {1: "Safety alignment", 2: "Jailbreak attacks", 9: "Image segmentation"})
    assert growth.loc[1, "growth_class"] in ("growing", "emerging")
    assert growth.loc[2, "growth_class"] in ("declining", "fading")
    assert growth.loc[1, "words_check"] == NOT_BORNE_OUT
    assert 0.8 < growth.loc[1, "words_change"] < 1.25
    assert growth.loc[2, "words_check"] == NOT_BORNE_OUT  # "jailbreak attacks": its papers, too, are flat
    assert '"safety alignment"' in growth.loc[1, "words_reason"]


def test_a_field_that_really_grows_is_borne_out_and_one_whose_words_fall_is_contradicted() -> None:
    def field(month: int) -> list[tuple[int, int, str]]:
        rising = 4 + 4 * month  # speculative decoding: 4 -> 48 papers a month, all in its topic
        # "diffusion models" are said by a falling number of papers all over the corpus (topic 4), while the
        # topic labelled with it (3) takes a growing corner of them
        corner = 2 + 2 * month
        spread = max(60 - 6 * month, 0)
        return ([(month, 1, "Speculative decoding drafts")] * rising + [(month, 3, "Diffusion models corner")] * corner
                + [(month, 4, "Diffusion models elsewhere")] * spread)

    growth = _check(_papers(_corpus(300, field)),
                    {1: "Speculative decoding", 3: "Diffusion models", 4: "Generative images", 9: "Segmentation"})
    assert growth.loc[1, "growth_class"] in ("growing", "emerging") and growth.loc[1, "words_check"] == BORNE_OUT
    assert growth.loc[3, "growth_class"] in ("growing", "emerging") and growth.loc[3, "words_check"] == CONTRADICTED


def test_no_check_when_few_papers_use_the_label_words() -> None:
    def field(month: int) -> list[tuple[int, int, str]]:
        return [(month, 1, "Rare phrase" if month == 11 and i < 2 else "Other words")
                for i in range(1 + 3 * month)]

    growth = _check(_papers(_corpus(120, field)), {1: "Rare phrase", 9: "Segmentation"})
    assert growth.loc[1, "growth_class"] in ("growing", "emerging")
    assert growth.loc[1, "words_check"] == TOO_FEW_WORDS and np.isnan(growth.loc[1, "words_change"])
    assert growth.loc[9, "words_check"] in ("", BORNE_OUT, NOT_BORNE_OUT, CONTRADICTED)


def test_one_topics_failing_check_does_not_take_down_the_others(monkeypatch) -> None:
    import analytics.verdict_words as verdict_words

    def field(month: int) -> list[tuple[int, int, str]]:
        return ([(month, 1, "Speculative decoding drafts")] * (4 + 4 * month)
                + [(month, 2, "Diffusion language models")] * (4 + 4 * month))

    real_fit, calls = verdict_words.fit_share_trend, []

    def failing_first(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise ValueError("singular matrix")
        return real_fit(*args, **kwargs)

    monkeypatch.setattr(verdict_words, "fit_share_trend", failing_first)
    growth = _check(_papers(_corpus(300, field)),
                    {1: "Speculative decoding", 2: "Diffusion language models", 9: "Segmentation"})
    checks = growth.loc[[1, 2], "words_check"].tolist()
    reasons = growth.loc[[1, 2], "words_reason"].tolist()
    assert sorted(checks) == ["", BORNE_OUT]
    assert any(r.startswith("words check failed (ValueError: singular matrix)") for r in reasons)


def test_a_topic_far_outgrowing_its_words_is_borne_out_in_direction_only() -> None:
    """Papers on agent memory double; the topic takes an ever larger part of them (5% -> 90%)."""
    def field(month: int) -> list[tuple[int, int, str]]:
        papers = 30 + 3 * month
        in_topic = round(papers * (0.05 + 0.85 * month / 11))
        return [(month, 1, "Agent memory stores")] * in_topic + [(month, 2, "Agent memory stores")] * (papers - in_topic)

    growth = _check(_papers(_corpus(300, field)), {1: "Agent memory", 2: "Other things", 9: "Segmentation"})
    assert growth.loc[1, "growth_class"] in ("growing", "emerging") and growth.loc[1, "words_check"] == BORNE_OUT
    assert growth.loc[1, "words_change_high"] < growth.loc[1, "change_over_span_low"]
    assert "the direction holds, not the size" in growth.loc[1, "words_reason"]
