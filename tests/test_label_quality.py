"""Label specificity (analytics.label_quality) and the labeller's subject choice (analytics.topics.labels) on
constructed corpora with a planted clean subject, a corpus-wide word and a model name."""

from __future__ import annotations

import numpy as np

from analytics.label_quality import label_phrases, label_specificity
from analytics.topics.labels import is_model_name, label_topics, make_label

# Every paper of the corpus talks about tokens; one topic is about Gaussian splatting, one about speech
# recognition, one uses GPT-4 for speculative decoding.
SPLATTING = [f"Gaussian splatting for real-time novel view synthesis of scene {i}; tokens are not used."
             for i in range(12)]
SPEECH = [f"Speech recognition with noisy tokens from accented speakers, corpus {i}." for i in range(12)]
_VERBS = ["speeds up", "accelerates", "serves", "cuts the latency of"]
DECODING = [f"Speculative decoding {_VERBS[i % 4]} GPT-4 by drafting tokens, setting {i}." for i in range(12)]
OTHER = [f"Tokens of image segmentation networks on medical dataset {i}." for i in range(40)]
TEXTS = SPLATTING + SPEECH + DECODING + OTHER
TOPICS = np.array([0] * 12 + [1] * 12 + [2] * 12 + [3] * 40)


def test_coverage_and_exclusivity_are_the_shares_an_analyst_would_count() -> None:
    result = label_specificity(TEXTS, TOPICS, {0: "Gaussian splatting", 1: "Tokens", 2: "GPT-4", 3: "Segmentation"})
    scores = result["per_topic"]
    assert scores[0]["coverage"] == 1.0 and scores[0]["exclusivity"] == 1.0 and scores[0]["specific"]
    # "tokens" is in every paper: all of the topic uses it, but only 12 of the 76 papers using it are there.
    assert scores[1]["coverage"] == 1.0 and scores[1]["exclusivity"] == round(12 / 76, 3)
    assert not scores[1]["specific"]
    # A model's name is flagged whatever its shares.
    assert scores[2]["model_name_only"] and not scores[2]["specific"]
    assert result["unspecific_topics"] == [1, 2]
    assert result["specific_share"] == 0.5


def test_label_phrases_drop_notes_and_split_on_commas() -> None:
    assert label_phrases("Reinforcement learning (RL), policy") == ["reinforcement learning", "policy"]


def test_model_names_are_told_from_subjects() -> None:
    assert all(is_model_name(name) for name in ("GPT-4", "Llama 3", "Qwen2.5-VL", "ChatGPT", "SAM 2"))
    assert not any(is_model_name(name) for name in ("3D", "Agents", "Mixture of experts", "Speculative decoding"))


def test_a_planted_clean_subject_gets_a_specific_label_naming_it() -> None:
    keywords = {0: ["gaussian", "splatting", "gaussian splatting", "tokens", "view synthesis"],
                1: ["speech", "recognition", "speech recognition", "tokens", "accented"],
                2: ["gpt-4", "speculative decoding", "tokens", "drafting"],
                3: ["tokens", "segmentation", "medical", "networks"]}
    labels = label_topics(TEXTS, TOPICS, keywords, keywords, {}, seed=0)
    assert labels[0].lower().startswith("gaussian splatting")
    assert labels[1].lower().startswith("speech recognition")
    # The topic's papers all name GPT-4, but the subject is speculative decoding; "tokens" is everywhere.
    assert labels[2].lower().startswith("speculative decoding")
    assert not any("tokens" in label.lower() for label in labels.values())
    scores = label_specificity(TEXTS, TOPICS, labels)["per_topic"]
    assert scores[0]["specific"] and scores[1]["specific"] and scores[2]["specific"]


def test_a_one_word_lead_gives_way_to_the_subject_phrase_holding_it() -> None:
    # Every paper says "agents"; most of them say "LLM agents": the subject, not the bare word.
    texts = [f"LLM agents plan tool calls, agents study {i}." for i in range(8)]
    texts += [f"Agents cooperate in a game {i}." for i in range(3)]
    corpus = texts + [f"Image segmentation networks, dataset {i}." for i in range(60)]
    assert make_label(["agents", "llm agents", "tool"], texts, corpus_texts=corpus).startswith("LLM agents")


def test_a_hyphenated_lead_gives_way_to_the_subject_phrase_holding_it() -> None:
    # "Few-shot" is one word to a reader, a modifier without its noun; "few-shot learning" names the subject.
    texts = [f"Few-shot learning with prompts, few-shot study {i}." for i in range(5)]
    texts += [f"Few-shot prompts for classification {i}." for i in range(6)]
    corpus = texts + [f"Image segmentation networks, dataset {i}." for i in range(60)]
    assert make_label(["few-shot", "few-shot learning", "prompts"], texts, corpus_texts=corpus) \
        .startswith("Few-shot learning")
