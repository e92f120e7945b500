"""Which embedding model a run uses (analytics.embedding_policy.choose_backend)."""

from __future__ import annotations

import pytest

from analytics.config import ConfigError, load_config
from analytics.embedding_policy import choose_backend


def _previous(backend: str) -> dict:
    return {"summary": {"embedding": {"backend": backend}}}


def test_auto_uses_the_transformer_on_small_corpora_and_the_sampled_design_on_large_ones() -> None:
    cfg = load_config()
    limit = cfg.embedding.auto_sampled_above
    assert choose_backend(cfg, limit) == "onnx"
    assert choose_backend(cfg, limit + 1) == "sampled"


def test_a_store_keeps_its_model_as_the_corpus_grows() -> None:
    cfg = load_config()
    grown = cfg.embedding.auto_sampled_above + 1
    assert choose_backend(cfg, grown, _previous("onnx")) == "onnx"
    assert choose_backend(cfg, 100, _previous("sampled")) == "sampled"


def test_a_store_auto_gave_the_static_model_moves_to_the_sampled_design() -> None:
    cfg = load_config()
    grown = cfg.embedding.auto_sampled_above + 1
    assert choose_backend(cfg, grown, _previous("static")) == "sampled"
    # Below the limit the static store stays static: "onnx" would throw its vectors away.
    assert choose_backend(cfg, 100, _previous("static")) == "static"


def test_an_explicit_backend_is_used_as_it_is() -> None:
    cfg = load_config(overrides={"embedding": {"backend": "static"}})
    assert choose_backend(cfg, 10**6, _previous("onnx")) == "static"


def test_the_limit_s_earlier_name_is_refused_with_its_new_name(tmp_path) -> None:
    old = tmp_path / "old.toml"
    old.write_text("[embedding]\nauto_static_above = 500\n", encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(old)
    assert "auto_sampled_above" in str(raised.value)
