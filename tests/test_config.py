"""Configuration: the shipped defaults validate, user files override only what they name, typos fail."""

from __future__ import annotations

import pydantic
import pytest

from analytics.config import load_config


def test_defaults_load() -> None:
    cfg = load_config()
    assert cfg.run.input == "data/samples"
    assert cfg.run.output == "out"
    assert cfg.topics.seed == 42
    assert cfg.embedding.backend in {"auto", "sentence-transformer", "static", "onnx"}


def test_user_file_overrides_only_its_keys(tmp_path) -> None:
    user = tmp_path / "mine.toml"
    user.write_text('[trends]\nperiod = "quarter"\n', encoding="utf-8")
    cfg = load_config(user)
    assert cfg.trends.period == "quarter"
    assert cfg.trends.min_papers == load_config().trends.min_papers


def test_a_typo_in_a_key_is_an_error(tmp_path) -> None:
    user = tmp_path / "typo.toml"
    user.write_text("[topics]\nmin_clustr_size = 5\n", encoding="utf-8")
    with pytest.raises(pydantic.ValidationError, match="min_clustr_size"):
        load_config(user)
