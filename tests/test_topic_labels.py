"""Topic labels (analytics.topics.labels) on constructed texts with known answers (no model, fast)."""

from __future__ import annotations

from analytics.topics.labels import _deduplicate_labels, make_label


def test_label_prefers_distinctive_phrases_in_authors_wording() -> None:
    topic_texts = [
        "We study the mixture of experts layer in large language models.",
        "Sparse mixture of experts with a learned router for large language models.",
        "A mixture of experts model where each expert is a small network; LLMs scale.",
    ]
    corpus = topic_texts + [f"Large language models are evaluated on task {i}." for i in range(30)]
    label = make_label(["mixture experts", "large language", "experts", "router"], topic_texts, corpus_texts=corpus)
    assert label.startswith("Mixture of experts")
    assert "Large Language" not in label


def test_label_keeps_acronyms_and_guided_name_first() -> None:
    texts = ["Machine unlearning removes data from LLMs.", "Unlearning in LLMs via gradient ascent."] * 3
    label = make_label(["unlearning", "llms", "gradient ascent"], texts, guided_name="Machine unlearning")
    assert label.startswith("Machine unlearning, ")
    assert "unlearning, unlearning" not in label.lower()


# A small corpus where "large language models" is everywhere and each topic has its own phrase.
_DISTILL = [f"Knowledge distillation of Large Language Models, variant {i}." for i in range(3)] + [
    f"Large language models compress well with a teacher signal, case {i}." for i in range(5)]
_CORPUS = _DISTILL + [f"Large language models are evaluated on benchmark {i}." for i in range(40)] + [
    f"Image segmentation with convolutional networks, dataset {i}." for i in range(20)]


def test_corpus_wide_phrase_never_leads_a_label() -> None:
    # "large language models" is in every topic paper, "knowledge distillation" in 3 of 8, yet the corpus
    # uses the former everywhere: it says nothing about this topic.
    label = make_label(["large language", "knowledge distillation", "student"], _DISTILL, corpus_texts=_CORPUS)
    assert label.startswith("Knowledge distillation")
    assert "language models" not in label.lower()


def test_phrases_cut_short_are_completed_in_the_authors_words() -> None:
    texts = ["Retrieval-Augmented Generation (RAG) for QA.", "We improve retrieval-augmented generation."] * 3
    assert make_label(["retrieval-augmented"], texts) == "Retrieval-augmented generation"
    texts = ["Multimodal Large Language Models see.", "multimodal large language models (MLLMs) reason."] * 3
    assert make_label(["multimodal large"], texts) == "Multimodal large language models"


def test_label_casing_is_sentence_case_with_acronyms_kept() -> None:
    texts = ["Large Language Models Can Unlearn. LLMs forget.", "Large Language Models forget data; LLMs."] * 3
    label = make_label(["large language", "llms"], texts)
    assert label.startswith("Large language models")
    assert "Large Language" not in label


def test_second_phrase_only_when_it_adds_meaning() -> None:
    # "quantization" is in every paper; "calibration" in one of ten: too weak to join the label.
    texts = [f"Post-training quantization of weights to 4 bits, model {i}." for i in range(10)]
    texts[0] += " Calibration data matters."
    corpus = texts + [f"Image segmentation with networks, dataset {i}." for i in range(40)]
    assert make_label(["quantization", "calibration"], texts, corpus_texts=corpus) == "Quantization"
    # Two phrases each used by most of the topic both make it into the label, in order of strength.
    texts = [f"Post-training quantization and pruning of weights, model {i}." for i in range(10)]
    corpus = texts + [f"Image segmentation with networks, dataset {i}." for i in range(40)]
    assert make_label(["pruning", "quantization"], texts, corpus_texts=corpus) in (
        "Pruning, quantization", "Quantization, pruning")


def test_label_names_the_word_the_topic_keeps_coming_back_to() -> None:
    # Every paper mentions GPU memory; fewer say "quantization", but they say it again and again, so it is the
    # topic's first c-TF-IDF keyword: of the phrases strong enough to follow the lead, it is the one chosen.
    texts = [f"Serving on one GPU with less memory, system {i}." for i in range(3)]
    texts += [f"Quantization: quantization of weights on a GPU saves memory; quantization error {i}."
              for i in range(7)]
    corpus = texts + [f"Image segmentation with networks, dataset {i}." for i in range(40)]
    candidates = ["GPU", "memory", "quantization"]
    plain = make_label(candidates, texts, corpus_texts=corpus)
    assert "quantization" not in plain.lower() and len(plain.split(", ")) == 2
    label = make_label(candidates, texts, corpus_texts=corpus, top_keyword="quantization")
    assert "quantization" in label.lower() and len(label.split(", ")) == 2
    # When the lead already says it, nothing is repeated.
    assert make_label(candidates, texts, corpus_texts=corpus, top_keyword="gpu").lower().count("gpu") == 1
    # A keyword too few papers use does not join the label, first c-TF-IDF keyword or not.
    texts = [f"Serving on one GPU with less memory, system {i}." for i in range(9)] + ["Quantization, quantization."]
    assert "quantization" not in make_label(candidates, texts, corpus_texts=corpus, top_keyword="quantization").lower()


def test_label_phrases_never_run_across_punctuation() -> None:
    texts = [f"We ask models -- LLMs finetuned to answer questions -- about topic {i}." for i in range(6)]
    corpus = texts + [f"Image segmentation with networks, dataset {i}." for i in range(40)]
    label = make_label(["models llms", "questions"], texts, corpus_texts=corpus)
    assert "--" not in label and label.startswith("Questions")


def test_labels_are_deterministic() -> None:
    args = (["large language", "knowledge distillation", "student", "teacher"], _DISTILL)
    labels = {make_label(*args, corpus_texts=_CORPUS) for _ in range(3)}
    assert len(labels) == 1


def test_duplicate_labels_are_made_unique() -> None:
    labels = {0: "Reasoning", 1: "Reasoning", 2: "Code generation"}
    keywords = {0: ["reasoning", "math", "proof"], 1: ["reasoning", "chain-of-thought"], 2: ["code"]}
    result = _deduplicate_labels(labels, keywords)
    assert len(set(result.values())) == 3
    assert result[2] == "Code generation"
    assert result[0] == "Reasoning (math)" and result[1] == "Reasoning (chain-of-thought)"
