"""Embedding backends: what a caller relies on (shape, order, normalisation, determinism, cache ids, errors)."""

from __future__ import annotations

import os

import numpy as np
import pytest

from analytics import embedding
from analytics.embedding import (
    DEFAULT_ONNX_MODEL_DIR,
    DEFAULT_STATIC_MODEL_DIR,
    MissingModelError,
    content_hash,
    load_embedder,
    paper_text,
)

UNLEARNING_A = paper_text(
    "Machine Unlearning for Large Language Models",
    "We study how to make a trained language model forget specific training examples without retraining "
    "from scratch, and evaluate forgetting quality against retraining.",
)
UNLEARNING_B = paper_text(
    "Certified Data Removal from Neural Networks",
    "Unlearning removes the influence of deleted training data from a model; we give an efficient "
    "approximate unlearning method with guarantees.",
)
SEGMENTATION = paper_text(
    "Real-Time Semantic Segmentation of Street Scenes",
    "We propose a lightweight convolutional network that labels every pixel of driving images at 60 frames "
    "per second on an embedded GPU.",
)
PAPERS = [UNLEARNING_A, SEGMENTATION, "Short title only", UNLEARNING_B, "Mixture of experts routing. " * 8]


def test_paper_text_joins_title_and_abstract() -> None:
    assert paper_text("Sparse Mixture of Experts", "We route tokens.") == "Sparse Mixture of Experts. We route tokens."
    # No doubled punctuation, whitespace from line-wrapped dumps collapsed.
    assert paper_text("Is Attention Enough?", "  We ask\n whether  it is. ") == "Is Attention Enough? We ask whether it is."
    assert paper_text("Only a title", "") == "Only a title"
    assert paper_text("", "Only an abstract.") == "Only an abstract."
    assert paper_text(None, None) == ""  # type: ignore[arg-type]


def test_content_hash_is_stable_and_distinguishes_texts() -> None:
    assert content_hash("abc") == content_hash("abc")
    assert content_hash("abc") != content_hash("abd")
    assert len(content_hash("abc")) == 64
    assert content_hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_unknown_backend_names_the_choices() -> None:
    with pytest.raises(ValueError, match="static"):
        load_embedder("word2vec")


def test_missing_static_model_says_how_to_build_it(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(embedding, "DEFAULT_STATIC_MODEL_DIR", tmp_path / "minilm-static")
    with pytest.raises(MissingModelError, match="make models") as error:
        load_embedder("static")
    assert "minilm-static" in str(error.value)


def test_missing_onnx_model_says_how_to_build_it(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(embedding, "DEFAULT_ONNX_MODEL_DIR", tmp_path / "minilm-onnx-int8")
    with pytest.raises(MissingModelError, match="make models"):
        load_embedder("onnx")


def test_explicit_model_path_that_is_not_a_model_is_refused(tmp_path) -> None:
    with pytest.raises(MissingModelError, match="model.safetensors"):
        load_embedder("sentence-transformer", model_path=tmp_path)


@pytest.fixture(scope="module")
def minilm():
    return load_embedder("sentence-transformer", batch_size=2)


def test_sentence_transformer_vectors_are_unit_float32_in_input_order(minilm) -> None:
    vectors = minilm.embed(PAPERS, progress=False)
    assert vectors.shape == (len(PAPERS), 384) and minilm.dim == 384
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    # Batches are formed by length; each row must still belong to its own text.
    alone = np.vstack([minilm.embed([text], progress=False) for text in PAPERS])
    np.testing.assert_allclose(vectors, alone, atol=1e-4)
    # Same input, same output.
    np.testing.assert_array_equal(vectors, minilm.embed(PAPERS, progress=False))


def test_sentence_transformer_puts_related_papers_together(minilm) -> None:
    a, b, seg = minilm.embed([UNLEARNING_A, UNLEARNING_B, SEGMENTATION], progress=False)
    assert a @ b > a @ seg + 0.2


def test_model_id_names_backend_model_and_limit(minilm) -> None:
    assert minilm.model_id.startswith("sentence-transformer:all-MiniLM-L6-v2:max256:")
    shorter = load_embedder("sentence-transformer", max_tokens=128)
    assert shorter.model_id != minilm.model_id  # different truncation, different cache entries


def test_empty_input_gives_empty_matrix(minilm) -> None:
    assert minilm.embed([], progress=False).shape == (0, 384)
    with pytest.raises(TypeError, match="list of texts"):
        minilm.embed("one string", progress=False)  # type: ignore[arg-type]


def _write_tiny_static_model(folder, seed: int):
    """A real model2vec model on a 6-word vocabulary: exercises loading and encoding without distillation."""
    from model2vec import StaticModel
    from tokenizers import Tokenizer, models, pre_tokenizers

    vocab = {"[UNK]": 0, "[PAD]": 1, "expert": 2, "routing": 3, "pixel": 4, "segmentation": 5}
    tokenizer = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    vectors = np.random.default_rng(seed).normal(size=(len(vocab), 8)).astype(np.float32)
    vectors[0] = 0.0  # unknown words carry no meaning
    StaticModel(vectors=vectors, tokenizer=tokenizer, normalize=True).save_pretrained(str(folder))


def test_static_backend_loads_a_model2vec_folder(tmp_path) -> None:
    _write_tiny_static_model(tmp_path / "tiny", seed=0)
    static = load_embedder("static", model_path=tmp_path / "tiny", batch_size=2)
    texts = ["expert routing", "pixel segmentation", "", "expert routing expert routing", "unknownword"]
    vectors = static.embed(texts, progress=False)
    assert vectors.shape == (5, 8) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors[[0, 1, 3]], axis=1), 1.0, atol=1e-3)
    np.testing.assert_allclose(vectors[0], vectors[3], atol=1e-3)  # mean pooling: repetition changes nothing
    assert not vectors[2].any() and not vectors[4].any()  # nothing to embed: a zero row, not NaN
    assert static.model_id.startswith("static:tiny:")


def test_static_model_id_changes_when_the_weights_change(tmp_path) -> None:
    # Same folder name, different weights (a re-distilled model): the store must not reuse old vectors.
    _write_tiny_static_model(tmp_path / "one" / "model", seed=0)
    _write_tiny_static_model(tmp_path / "two" / "model", seed=1)
    first = load_embedder("static", model_path=tmp_path / "one" / "model").model_id
    second = load_embedder("static", model_path=tmp_path / "two" / "model").model_id
    assert first != second
    assert first == load_embedder("static", model_path=tmp_path / "one" / "model").model_id


@pytest.mark.skipif(not (DEFAULT_STATIC_MODEL_DIR / "model.safetensors").is_file(), reason="run `make models`")
def test_distilled_static_model_agrees_with_minilm(minilm) -> None:
    static = load_embedder("static")
    assert static.model_id.startswith("static:minilm-static:")
    a, b, seg = static.embed([UNLEARNING_A, UNLEARNING_B, SEGMENTATION], progress=False)
    assert a @ b > a @ seg


@pytest.mark.skipif(not (DEFAULT_ONNX_MODEL_DIR / "model.onnx").is_file(), reason="run `make models`")
def test_onnx_int8_model_matches_pytorch_vectors(minilm) -> None:
    onnx = load_embedder("onnx", batch_size=2)
    assert onnx.model_id.startswith("onnx:all-MiniLM-L6-v2:max256:")
    cosines = (onnx.embed(PAPERS, progress=False) * minilm.embed(PAPERS, progress=False)).sum(axis=1)
    assert cosines.min() > 0.98


@pytest.mark.skipif(not (DEFAULT_ONNX_MODEL_DIR / "model.onnx").is_file(), reason="run `make models`")
def test_onnx_sessions_in_parallel_give_the_same_vectors_as_one_after_another() -> None:
    # Batches run on two sessions at once; a paper's vector must not depend on that (same batches, same order).
    onnx = load_embedder("onnx", batch_size=2)
    texts = PAPERS * 3
    parallel = onnx.embed(texts, progress=False)
    workers = onnx.workers
    onnx.workers = 1
    try:
        sequential = onnx.embed(texts, progress=False)
    finally:
        onnx.workers = workers
    assert workers == min(2, os.cpu_count() or 1)
    np.testing.assert_array_equal(parallel, sequential)
