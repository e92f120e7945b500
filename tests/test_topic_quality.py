"""Topic quality numbers on tiny corpora whose answers are computed by hand, and `topictrends evaluate`
on a fabricated run folder. No model, no clustering: runs in about a second."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from analytics.topic_quality import (
    evaluate_run,
    evaluate_topics,
    gini,
    keyword_presence,
    purity,
    topic_coherence,
    topic_diversity,
)

# N = 4 documents: alpha in 3, beta in 2, alpha & beta together in 2, gamma in 1, delta in 1 (never with gamma).
CORPUS = ["Alpha beta.", "alpha, BETA and more", "alpha gamma", "delta"]


def test_npmi_of_a_pair_matches_the_hand_computed_value() -> None:
    # p(alpha)=3/4, p(beta)=1/2, p(alpha,beta)=1/2: NPMI = ln(0.5 / (0.75 * 0.5)) / -ln(0.5) = ln(4/3) / ln 2
    scores = topic_coherence(CORPUS, {0: ["alpha", "beta"]})
    assert scores[0] == pytest.approx(math.log(4 / 3) / math.log(2))


def test_npmi_is_minus_one_for_words_never_together_and_one_for_words_always_together() -> None:
    scores = topic_coherence(CORPUS, {0: ["gamma", "delta"], 1: ["alpha", "beta"]})
    assert scores[0] == pytest.approx(-1.0)
    always = ["unlearning forget", "unlearning forget data", "forget unlearning"]
    assert topic_coherence(always, {0: ["unlearning", "forget"]})[0] == pytest.approx(1.0)


def test_topic_npmi_is_the_mean_over_keyword_pairs_and_only_top_n_count() -> None:
    pair = math.log(4 / 3) / math.log(2)
    # pairs: alpha-beta, alpha-delta (never), beta-delta (never)
    scores = topic_coherence(CORPUS, {0: ["alpha", "beta", "delta", "gamma"]}, top_n=3)
    assert scores[0] == pytest.approx((pair - 1 - 1) / 3)


def test_a_bigram_keyword_is_present_where_the_bigram_occurs_once_stop_words_are_dropped() -> None:
    texts = [
        "A sparse mixture of experts layer",      # "mixture of experts" -> bigram "mixture experts"
        "experts in the mixture",                 # reversed: not the bigram
        "Machine unlearning for LLMs",
        "We fine-tune; fine-tuning is cheap",     # hyphenated token, its part "tuning", BERTopic's "finetuning"
    ]
    presence, vocabulary = keyword_presence(
        texts, ["mixture experts", "machine unlearning", "fine-tuning", "tuning", "finetuning"])
    found = {k: presence[:, vocabulary.index(k)].toarray().ravel().tolist() for k in vocabulary}
    assert found["mixture experts"] == [1, 0, 0, 0]
    assert found["machine unlearning"] == [0, 0, 1, 0]
    assert found["fine-tuning"] == [0, 0, 0, 1]
    assert found["tuning"] == [0, 0, 0, 1]
    assert found["finetuning"] == [0, 0, 0, 1]


def test_topic_diversity_counts_unique_keywords_and_ignores_outlier_topic() -> None:
    keywords = {0: ["a", "b", "c"], 1: ["a", "d", "e"], -1: ["x", "y", "z"]}
    assert topic_diversity(keywords, top_n=3) == pytest.approx(5 / 6)
    assert topic_diversity({0: ["a", "b"], 1: ["c", "d"]}) == 1.0
    assert topic_diversity({0: ["a", "b", "c"], 1: ["a", "b", "d"]}, top_n=2) == pytest.approx(2 / 4)


def test_purity_and_nmi_match_hand_computed_values() -> None:
    clusters = np.array([0, 0, 0, 1, 1, 1])
    labels = np.array(["a", "a", "b", "b", "b", "b"])
    assert purity(clusters, labels) == pytest.approx(5 / 6)
    # NMI with the arithmetic mean of entropies (scikit-learn's default)
    h_c = math.log(2)
    h_l = -(1 / 3 * math.log(1 / 3) + 2 / 3 * math.log(2 / 3))
    mi = 1 / 3 * math.log(2) + 1 / 6 * math.log(1 / 2) + 1 / 2 * math.log(3 / 2)
    result = evaluate_topics(["x"] * 6, clusters, {0: ["x"], 1: ["x"]}, labels=labels.tolist())
    assert result["agreement"]["all_papers"]["nmi"] == pytest.approx(mi / ((h_c + h_l) / 2), abs=1e-4)
    assert result["agreement"]["all_papers"]["purity"] == pytest.approx(5 / 6, abs=1e-4)


def test_agreement_over_non_outliers_and_over_all_papers() -> None:
    topic_ids = np.array([0, 0, 1, 1, -1, -1])
    labels = ["a", "a", "b", "b", "a", "b"]
    result = evaluate_topics(["x"] * 6, topic_ids, {0: ["x"], 1: ["x"]}, labels=labels)
    non_outliers, everyone = result["agreement"]["non_outliers"], result["agreement"]["all_papers"]
    assert (non_outliers["papers"], non_outliers["nmi"], non_outliers["ari"], non_outliers["purity"]) == (4, 1.0, 1.0, 1.0)
    assert everyone["papers"] == 6
    assert everyone["purity"] == pytest.approx(5 / 6, abs=1e-4)  # the outlier cluster holds one a and one b
    assert everyone["nmi"] < 1.0


def test_papers_without_a_label_are_left_out_of_agreement() -> None:
    result = evaluate_topics(["x"] * 4, np.array([0, 0, 1, 1]), {0: ["x"], 1: ["x"]}, labels=["a", "a", "b", ""])
    assert result["agreement"]["labelled_papers"] == 3
    assert result["agreement"]["all_papers"]["papers"] == 3
    assert result["agreement"]["all_papers"]["purity"] == 1.0


def test_sizes_outliers_and_spread() -> None:
    topic_ids = np.array([0] * 6 + [1] * 3 + [2] + [-1] * 2)
    raw = np.array([0] * 4 + [1] * 2 + [-1] * 6)
    result = evaluate_topics(["alpha beta"] * 12, topic_ids, {t: ["alpha", "beta"] for t in range(3)}, raw_topic_ids=raw)
    assert result["topics"] == 3
    assert result["outlier_share"] == pytest.approx(2 / 12, abs=1e-4)
    assert result["outlier_share_raw"] == pytest.approx(6 / 12, abs=1e-4)
    assert (result["size"]["min"], result["size"]["median"], result["size"]["max"]) == (1, 3.0, 6)
    assert result["size"]["largest_topic_share"] == pytest.approx(6 / 12, abs=1e-4)
    assert result["agreement"] is None
    assert gini([5, 5, 5, 5]) == pytest.approx(0.0)
    assert gini([0, 0, 0, 10]) == pytest.approx(0.75)


def _fabricated_run(folder: Path) -> None:
    papers = pd.DataFrame({
        "paper_id": [f"p{i}" for i in range(6)],
        "title": ["Machine unlearning", "Unlearning to forget", "Forget and unlearning",
                  "Mixture of experts", "Sparse mixture of experts", "Something else"],
        "abstract": ["We forget data.", "Machine unlearning of data.", "", "Experts routing.",
                     "Experts and routing.", "Unrelated."],
        "categories": ["cs.LG;cs.AI", "cs.LG", "cs.LG", "cs.CL", "cs.CL;cs.LG", "cs.CV"],
        "topic_id": [0, 0, 0, 1, 1, -1],
        "raw_topic_id": [0, 0, -1, 1, 1, -1],
        "topic_label": ["Machine unlearning"] * 3 + ["Mixture of experts"] * 2 + ["Outliers"],
    })
    topics = pd.DataFrame({
        "topic_id": [0, 1],
        "label": ["Machine unlearning", "Mixture of experts"],
        "keywords": ["unlearning, forget, machine unlearning", "mixture experts, routing, experts"],
        "size": [3, 2],
    })
    folder.mkdir(parents=True, exist_ok=True)
    papers.to_csv(folder / "papers.csv", index=False)
    topics.to_csv(folder / "topics.csv", index=False)


def test_evaluate_command_prints_the_table_and_writes_evaluation_json(tmp_path: Path) -> None:
    from flows.cli import app

    run = tmp_path / "run"
    _fabricated_run(run)
    outcome = CliRunner().invoke(app, ["evaluate", "--run", str(run)])
    assert outcome.exit_code == 0, outcome.output
    printed = " ".join(outcome.output.split())
    assert "coherence" in printed and "outlier share" in printed
    assert f"Evaluation: {run / 'evaluation.json'}" in outcome.output  # plain print: never wrapped

    written = json.loads((run / "evaluation.json").read_text())
    assert written["papers"] == 6 and written["topics"] == 2
    assert written["outlier_share"] == pytest.approx(1 / 6, abs=1e-4)
    assert written["outlier_share_raw"] == pytest.approx(2 / 6, abs=1e-4)
    assert [(t["topic_id"], t["label"]) for t in written["per_topic"]] == [(0, "Machine unlearning"), (1, "Mixture of experts")]
    # labels: the primary (first) category; topic 0 is all cs.LG, topic 1 all cs.CL
    assert written["label_source"].startswith("primary category")
    assert written["agreement"]["non_outliers"]["purity"] == 1.0
    assert written["agreement"]["all_papers"]["papers"] == 6
    # the same numbers as the library call
    assert evaluate_run(run) == written | {"run": str(run.resolve())}


def test_evaluate_command_on_a_folder_that_is_not_a_run(tmp_path: Path) -> None:
    from flows.cli import app

    outcome = CliRunner().invoke(app, ["evaluate", "--run", str(tmp_path)])
    assert outcome.exit_code == 2
    assert "papers.csv not found" in " ".join(outcome.output.split())  # rich wraps long lines


def test_a_bad_topic_id_is_reported_with_file_and_line(tmp_path: Path) -> None:
    run = tmp_path / "run"
    _fabricated_run(run)
    papers = pd.read_csv(run / "papers.csv", dtype=str)
    papers.loc[2, "topic_id"] = "three"
    papers.to_csv(run / "papers.csv", index=False)
    with pytest.raises(ValueError, match=r"papers\.csv: line 4: topic_id 'three'"):
        evaluate_run(run)


UNLEARNING = [
    "Machine unlearning for large language models: removing the influence of forgotten training data.",
    "Certified data removal: unlearning training examples from trained neural networks.",
    "Forgetting private records: an unlearning method that erases user data from a classifier.",
    "Evaluating machine unlearning: do unlearned models still leak the forget set?",
    "Gradient ascent unlearning of copyrighted text from language models.",
    "Unlearning harmful knowledge in LLMs without retraining from scratch.",
    "Approximate unlearning with influence functions to delete training points.",
    "A benchmark for machine unlearning of personal information in chatbots.",
    "Right to be forgotten: efficient unlearning for recommendation models.",
    "Membership inference attacks as a test of machine unlearning.",
]
SPEECH = [
    "End-to-end speech recognition with conformer encoders on noisy audio.",
    "Low-resource automatic speech recognition for African languages.",
    "Streaming speech recognition with low latency transducers.",
    "Self-supervised speech representations improve ASR word error rate.",
    "Speaker adaptation for accented speech recognition.",
    "Multilingual speech recognition with a single acoustic model.",
    "Whisper fine-tuning for domain-specific speech transcription.",
    "Robust ASR under reverberation with data augmentation.",
    "Code-switched speech recognition for Hindi-English conversations.",
    "Speech recognition errors and their effect on spoken language understanding.",
]
GRAB_BAG = [  # one topic holding papers that share nothing (issue 19's "Open-source, zero-shot")
    "Jailbreaking vision-language models with adversarial images.",
    "Counting fruit in orchards from UAV imagery.",
    "Llama 3 versus DeepSeek: a comparison on coding benchmarks.",
    "Protein structure prediction with geometric deep learning.",
    "Traffic flow forecasting on urban road networks.",
    "Quantum error correction with surface codes.",
    "Legal judgment prediction from court documents.",
    "Monocular depth estimation for indoor robots.",
    "Music generation with diffusion models.",
    "Detecting crop diseases from leaf photographs.",
]


def test_coherence_margin_flags_a_planted_grab_bag_and_not_the_clean_topics(tmp_path: Path) -> None:
    texts = UNLEARNING + SPEECH + GRAB_BAG
    papers = pd.DataFrame({
        "paper_id": [f"p{i}" for i in range(len(texts))],
        "title": texts,
        "abstract": [""] * len(texts),
        "topic_id": [0] * 10 + [1] * 10 + [2] * 10,
    })
    topics = pd.DataFrame({"topic_id": [0, 1, 2], "label": ["Machine unlearning", "Speech recognition", "Mixed"],
                           "keywords": ["unlearning, forget", "speech, recognition", "models, data"]})
    run = tmp_path / "run"
    run.mkdir()
    papers.to_csv(run / "papers.csv", index=False)
    topics.to_csv(run / "topics.csv", index=False)

    result = evaluate_run(run)
    margins = {t["topic_id"]: t["coherence_margin"] for t in result["per_topic"]}
    assert result["coherence_margin"]["weak_topics"] == [2], margins
    assert margins[0] > 0.07 and margins[1] > 0.07 and margins[2] < 0.07
    assert [t["weak"] for t in result["per_topic"]] == [False, False, True]
    assert evaluate_run(run)["per_topic"] == result["per_topic"]  # same run, same numbers
