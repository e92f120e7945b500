"""Topic post-processing and identity on constructed data with known answers (no model, fast)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np

from analytics.config import TopicsConfig
from analytics.identity import assign_to_topics, match_topics, place_on_map
from analytics.topics.clustering import reduce_outliers
from analytics.topics.fit import fit_topics
from analytics.topics.guided import apply_guided_topics
from analytics.topics.labels import _deduplicate_labels, make_label
from analytics.topics.params import choose_params
from analytics.topics.speedups import exact_knn


ROOT = Path(__file__).resolve().parents[1]


def _unit(v) -> np.ndarray:
    v = np.asarray(v, dtype=np.float32)
    return v / np.linalg.norm(v)


def test_exact_neighbours_match_a_brute_force_search_in_any_block_size() -> None:
    from sklearn.neighbors import NearestNeighbors

    rng = np.random.default_rng(3)
    emb = rng.standard_normal((300, 16)).astype(np.float32)
    emb[7] = emb[3]  # a duplicate: each of the two is still its own first neighbour
    expected_dist, expected_idx = NearestNeighbors(n_neighbors=10, metric="cosine", algorithm="brute").fit(
        emb).kneighbors(emb)
    for block in (64, 4096):
        idx, dist = exact_knn(emb, 10, block=block)
        assert idx.shape == (300, 10) and (idx[:, 0] == np.arange(300)).all()
        assert {3, 7} <= set(idx[3, :2]) and {3, 7} <= set(idx[7, :2])
        np.testing.assert_allclose(dist, expected_dist, atol=1e-5)
        assert (idx[:, 1:] == expected_idx[:, 1:]).mean() > 0.99  # ties aside, the same neighbours


def test_words_are_embedded_in_the_same_batches_whatever_order_bertopic_asks_in() -> None:
    # KeyBERT asks in set order (it changes with Python's hash seed); the int8 model's output depends on the
    # batch, so the adapter must embed new texts in one canonical order, and each text only once.
    from analytics.topics.describe import _bertopic_backend

    class RecordingEmbedder:
        def __init__(self) -> None:
            self.calls: list[list[str]] = []

        def embed(self, texts: list[str], progress: bool = False) -> np.ndarray:
            self.calls.append(list(texts))
            return np.array([[len(t), 1.0] for t in texts], dtype=np.float32)

    papers = ["a paper about unlearning", "a paper about experts"]
    paper_vectors = np.array([[9.0, 9.0], [8.0, 8.0]], dtype=np.float32)
    calls = []
    for order in (["routing", "forgetting", papers[0]], [papers[0], "forgetting", "routing"]):
        embedder = RecordingEmbedder()
        backend = _bertopic_backend(embedder, papers, paper_vectors)
        vectors = backend.embed(order)
        assert vectors[order.index(papers[0])].tolist() == [9.0, 9.0]  # the paper's own embedding
        assert backend.embed(["routing"]).tolist() == [[7.0, 1.0]] and len(embedder.calls) == 1  # remembered
        calls.append(embedder.calls)
    assert calls[0] == calls[1] == [["forgetting", "routing"]]


def test_clustering_settings_scale_with_corpus_size() -> None:
    cfg = TopicsConfig()
    small, large = choose_params(500, cfg), choose_params(75_000, cfg)
    assert small.min_cluster_size == 10
    assert large.min_cluster_size == 68
    assert choose_params(10_000, cfg).min_cluster_size == 25
    assert small.umap_neighbors == 15
    assert choose_params(40, cfg).umap_neighbors < 15  # tiny corpora need fewer neighbours
    assert choose_params(500, TopicsConfig(min_cluster_size=30)).min_cluster_size == 30


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


def test_bertopic_imports_without_its_unused_llm_integrations_and_torch() -> None:
    # BERTopic's TextGeneration / ZeroShotClassification pull in transformers' pipelines, its save helpers
    # torch (seconds of every run); topictrends uses none of them. Afterwards all of them must still import
    # normally, and BERTopic must still fit.
    code = (
        "import sys\n"
        "import numpy as np\n"
        "from analytics.topics.speedups import import_bertopic\n"
        "bertopic = import_bertopic()\n"
        "from bertopic.representation import KeyBERTInspired, MaximalMarginalRelevance\n"
        "assert 'transformers' not in sys.modules, 'transformers was imported'\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
        "assert 'bertopic.representation._textgeneration' not in sys.modules\n"
        "from sklearn.cluster import KMeans\n"
        "from sklearn.decomposition import PCA\n"
        "docs = [f'quantum circuits qubit {i}' for i in range(20)] + [f'protein folding enzyme {i}' for i in range(20)]\n"
        "vectors = np.repeat(np.eye(2), 20, axis=0) + np.random.default_rng(0).normal(0, 0.01, (40, 2))\n"
        "model = bertopic.BERTopic(umap_model=PCA(2), hdbscan_model=KMeans(2, n_init=1, random_state=0))\n"
        "topics, _ = model.fit_transform(docs, vectors)\n"
        "assert len(set(topics)) == 2, topics\n"
        "import torch, transformers\n"
        "torch.zeros(1)\n"
        "from bertopic.representation._textgeneration import TextGeneration\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]


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


def test_outliers_go_to_the_nearest_topic_above_threshold() -> None:
    emb = np.array([_unit([1, 0]), _unit([1, 0.1]), _unit([0, 1]), _unit([0.1, 1]), _unit([1, 0.2]), _unit([-1, -1])])
    assignment = np.array([0, 0, 1, 1, -1, -1])
    result = reduce_outliers(emb, assignment, threshold=0.0)
    assert result.tolist() == [0, 0, 1, 1, 0, -1]  # the opposite point is not similar to any topic


def test_guided_topic_names_the_matching_topic_or_is_carved_out_or_skipped() -> None:
    rng = np.random.default_rng(0)
    a, b, c = _unit([1, 0, 0, 0]), _unit([0, 1, 0, 0]), _unit([0, 0, 1, 0])
    emb = np.vstack([a + 0.05 * rng.standard_normal(4) for _ in range(20)]
                    + [b + 0.05 * rng.standard_normal(4) for _ in range(48)]
                    + [c + 0.05 * rng.standard_normal(4) for _ in range(12)])
    assignment = np.array([0] * 20 + [1] * 48 + [1] * 12)  # c-papers were lumped into topic 1 (20% of it)
    guides = np.vstack([a, c, _unit([0, 0, 0, 1])])
    names = ["Alpha: about a", "Gamma: about c", "Delta: nothing in the data"]
    result, named = apply_guided_topics(emb, assignment, guides, names, min_similarity=0.8, min_size=10)
    assert named[0] == "Alpha"  # topic 0 is about a: it takes the name
    gamma = [t for t, n in named.items() if n == "Gamma"]
    assert len(gamma) == 1 and gamma[0] not in (0, 1)  # carved out of topic 1
    assert (result[68:] == gamma[0]).all() and (result[20:68] == 1).all()
    assert "Delta" not in named.values()


def test_guided_topic_is_decided_by_papers_not_by_a_centroid_that_happens_to_be_close() -> None:
    # Topic 0: papers spread around the guide, none of them close to it, so its centroid is close (0.9)
    # while no paper matches (similarity 0.5 < 0.8). Too few matching papers elsewhere: no guided topic.
    guide = _unit([1, 0, 0])
    spread = [_unit([0.5, s * 0.87, c * 0.87]) for s, c in ((1, 0), (-1, 0), (0, 1), (0, -1))] * 5
    emb = np.vstack(spread + [_unit([0, 1, 1])] * 20)
    assignment = np.array([0] * 20 + [1] * 20)
    result, named = apply_guided_topics(emb, assignment, guide[None, :], ["Guide: g"], min_similarity=0.8,
                                        min_size=10)
    assert named == {} and (result == assignment).all()


def test_guided_topic_gathers_a_topic_split_off_from_it() -> None:
    rng = np.random.default_rng(1)
    guide = _unit([1, 0, 0, 0])
    core = [_unit([1, 0.3, 0, 0]) + 0.02 * rng.standard_normal(4) for _ in range(20)]  # matches the guide
    split_off = ([_unit([1, 0, 0.45, 0]) + 0.02 * rng.standard_normal(4) for _ in range(4)]  # part matches
                 + [_unit([1, 0, 0.8, 0]) + 0.02 * rng.standard_normal(4) for _ in range(8)])
    elsewhere = [_unit([0.3, 0, 0, 1]) + 0.02 * rng.standard_normal(4) for _ in range(20)]
    emb = np.vstack(core + split_off + elsewhere)
    assignment = np.array([0] * 20 + [1] * 12 + [2] * 20)
    result, named = apply_guided_topics(emb, assignment, guide[None, :], ["Guide: g"], min_similarity=0.8,
                                        min_size=10, min_zscore=0.0)  # a corpus of almost only the field
    assert named == {0: "Guide"}
    assert (result[:32] == 0).all()  # the split-off topic joined the guided one
    assert (result[32:] == 2).all()  # an unrelated topic did not


def test_guided_topic_needs_papers_that_stand_out_from_the_corpus() -> None:
    # A model whose similarities run high (like the static one): every paper is >= 0.5 similar to the guide,
    # so similarity alone would call the whole corpus a match. Only the 15 papers that stand out match.
    rng = np.random.default_rng(2)
    guide = _unit([1, 0, 0])
    background = [_unit([1, 1.0 + 0.3 * rng.random(), 0.2 * rng.standard_normal()]) for _ in range(200)]  # ~0.6
    field = [_unit([1, 0.2, 0.05 * rng.standard_normal()]) for _ in range(15)]  # ~0.98
    emb = np.vstack(background + field)
    assignment = np.array([0] * 100 + [1] * 100 + [2] * 15)
    result, named = apply_guided_topics(emb, assignment, guide[None, :], ["Guide: g"], min_similarity=0.5,
                                        min_size=10)
    assert named == {2: "Guide"} and (result == assignment).all()
    _, named_without = apply_guided_topics(emb, assignment, guide[None, :], ["Guide: g"], min_similarity=0.5,
                                           min_size=10, min_zscore=float("-inf"))
    assert named_without == {0: "Guide"}  # similarity alone picks a background topic


def test_topic_matching_keeps_ids_and_records_lineage() -> None:
    e = np.eye(6, dtype=np.float32)
    prev = {f"p{i}": (0 if i < 10 else 1 if i < 20 else 2 if i < 30 else 3) for i in range(40)}
    prev_c = {0: e[0], 1: e[1], 2: e[2], 3: e[3]}
    # New run: topic 0 continues (+ 5 papers), old 1 split into new 1 and 2, old 2 and 3 merged into 3.
    new = {}
    for i in range(10):
        new[f"p{i}"] = 0
    for i in range(10, 15):
        new[f"p{i}"] = 1
    for i in range(15, 20):
        new[f"p{i}"] = 2
    for i in range(20, 40):
        new[f"p{i}"] = 3
    for i in range(40, 45):
        new[f"p{i}"] = 0
    new_c = {0: e[0], 1: e[1], 2: _unit(e[1] + e[4]), 3: _unit(e[2] + e[3])}
    match = match_topics(prev, prev_c, {0: "zero", 1: "one", 2: "two", 3: "three"}, new, new_c, next_free_id=10)
    status = dict(zip(match.lineage["topic_id"], match.lineage["status"]))
    assert match.id_map[0] == 0 and status[0] == "grown" and match.label_map[0] == "zero"
    assert match.id_map[1] == 1
    assert status[match.id_map[2]] == "split" and match.id_map[2] >= 10
    assert status[match.id_map[3]] == "merged"
    vanished = [t for t, s in status.items() if s == "vanished"]
    assert len(vanished) == 1 and vanished[0] in (2, 3)


def test_assignment_and_map_placement_for_new_papers() -> None:
    centroids = {5: _unit([1, 0]), 9: _unit([0, 1])}
    new = np.vstack([_unit([1, 0.1]), _unit([0.1, 1]), _unit([-1, -1])])
    assert assign_to_topics(new, centroids, threshold=0.3).tolist() == [5, 9, -1]
    old = np.vstack([_unit([1, 0]), _unit([0, 1])])
    xy = place_on_map(new[:2], old, np.array([[0.0, 0.0], [10.0, 10.0]]), k=1)
    assert xy.tolist() == [[0.0, 0.0], [10.0, 10.0]]


def test_keywords_and_labels_skip_latex_commands_and_result_verbs() -> None:
    # arXiv abstracts keep their LaTeX ("$\\mathbb{R}^d$") and report numbers ("achieved 91% vs 85%"): neither
    # says what a topic is about, even where one topic uses them far more than the others.
    fields = {
        "quantum": "Quantum codes with noisy qubits: over $\\mathbb{{F}}_q$ and $\\mathbb{{R}}^d$ with $\\mathcal{{O}}(n)$ cost",
        "protein": "Protein folding of enzyme binding sites: our model achieved {a}% vs {b}% and achieved more",
        "traffic": "Traffic forecasting for urban road vehicles: it reaches {a}% vs {b}%, reaches the target",
    }
    texts, vectors = [], []
    rng = np.random.default_rng(0)
    for index, template in enumerate(fields.values()):
        centre = np.zeros(16, dtype=np.float32)
        centre[index] = 1.0
        for i in range(40):
            texts.append(template.format(a=80 + i % 9, b=70 + i % 7) + f", case {i}.")
            vectors.append(centre + rng.normal(0, 0.05, 16))
    result = fit_topics(texts, np.asarray(vectors, dtype=np.float32), TopicsConfig(guided_topics=[]), progress=False)
    assert len(result.topics) == 3
    banned = {"mathbb", "mathcal", "achieved", "vs", "reaches"}
    for row in result.topics.itertuples():
        words = {w.strip() for k in row.keywords.split(",") for w in k.split()}
        assert not words & banned, (row.label, row.keywords)
        assert not set(row.label.lower().replace(",", " ").split()) & banned, row.label
        assert any(word in row.keywords for word in fields), row.keywords
