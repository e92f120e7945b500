"""Configuration: the shipped defaults validate, user files override only what they name, and every mistake in
a config file is one ConfigError naming the file, the key, the value and what is allowed."""

from __future__ import annotations

import json

import pytest

import analytics.config
from analytics.config import ConfigError, load_config


def test_defaults_load() -> None:
    cfg = load_config()
    assert cfg.run.input == "data/samples"
    assert cfg.run.output == "out"
    assert cfg.topics.seed == 42
    assert cfg.embedding.backend in {"auto", "sentence-transformer", "static", "onnx", "sampled"}


def test_user_file_overrides_only_its_keys(tmp_path) -> None:
    user = tmp_path / "mine.toml"
    user.write_text('[trends]\nperiod = "quarter"\n', encoding="utf-8")
    cfg = load_config(user)
    assert cfg.trends.period == "quarter"
    assert cfg.trends.min_papers == load_config().trends.min_papers


def _error(path, text: str, overrides: dict | None = None) -> str:
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(path, overrides)
    return str(raised.value)


def test_a_typo_in_a_key_is_an_error_that_suggests_the_key(tmp_path) -> None:
    user = tmp_path / "typo.toml"
    assert _error(user, "[topics]\nmin_clustr_size = 5\n") == (
        f"config error in {user}: topics.min_clustr_size: unknown key (did you mean topics.min_cluster_size?)")


def test_an_unknown_section_lists_the_sections(tmp_path) -> None:
    user = tmp_path / "my.toml"
    message = _error(user, "[topic]\nseed = 1\n")
    assert message.startswith(f"config error in {user}: topic: unknown key (did you mean topics?)")


def test_a_value_of_the_wrong_type_names_key_value_and_type(tmp_path) -> None:
    user = tmp_path / "my.toml"
    assert _error(user, '[run]\nlock_wait_seconds = "ten"\n') == (
        f'config error in {user}: run.lock_wait_seconds = "ten": must be a number >= 0')


def test_numbers_in_strings_are_not_converted(tmp_path) -> None:
    # TOML values carry their type: "600" is a string, and 1 is not true.
    user = tmp_path / "my.toml"
    assert _error(user, '[run]\nlock_wait_seconds = "600"\n') == (
        f'config error in {user}: run.lock_wait_seconds = "600": must be a number >= 0')
    assert _error(user, "[dates]\ninclude_inferred = 1\n") == (
        f"config error in {user}: dates.include_inferred = 1: must be true or false")


def test_a_negative_cluster_size_is_refused_at_load(tmp_path) -> None:
    user = tmp_path / "my.toml"
    assert _error(user, "[topics]\nmin_cluster_size = -5\n") == (
        f'config error in {user}: topics.min_cluster_size = -5: must be "auto" or an integer >= 2')


def test_a_section_of_the_wrong_type_is_an_error(tmp_path) -> None:
    user = tmp_path / "my.toml"
    expected = f"config error in {user}: run = 5: must be a table (a [run] section)"
    assert _error(user, "run = 5\n") == expected
    # With an override of a key in that section (`run --store`), the merge used to drop the user's value silently.
    assert _error(user, "run = 5\n", {"run": {"store": "/tmp/store"}}) == expected


def test_a_toml_syntax_error_names_line_and_column(tmp_path) -> None:
    user = tmp_path / "my.toml"
    assert _error(user, "[topics]\nseed = \n") == (
        f"config error in {user}: line 2, column 8: invalid TOML (Invalid value)")


def test_a_missing_config_file_is_named(tmp_path) -> None:
    with pytest.raises(ConfigError) as raised:
        load_config(tmp_path / "nowhere.toml")
    assert str(raised.value) == f"config file {tmp_path / 'nowhere.toml'} not found"


def test_every_problem_in_a_file_is_reported_one_line_each(tmp_path) -> None:
    user = tmp_path / "my.toml"
    message = _error(user, '[topics]\nmin_cluster_size = 1\n[embedding]\nbatch_size = 0\n')
    assert message.splitlines() == [
        f"config error in {user}: embedding.batch_size = 0: must be an integer >= 1",
        f'config error in {user}: topics.min_cluster_size = 1: must be "auto" or an integer >= 2',
    ]


def test_a_broken_defaults_file_is_named(tmp_path, monkeypatch) -> None:
    defaults = tmp_path / "default.toml"
    defaults.write_text("[trends]\nmin_papers = 0\n", encoding="utf-8")
    monkeypatch.setattr(analytics.config, "DEFAULT_CONFIG", defaults)
    with pytest.raises(ConfigError) as raised:
        load_config()
    assert str(raised.value) == f"config error in {defaults}: trends.min_papers = 0: must be an integer >= 1"


def test_bad_overrides_are_named_as_such() -> None:
    with pytest.raises(ConfigError) as raised:
        load_config(None, {"run": {"store": 5}})
    assert str(raised.value) == "config error in the overrides: run.store = 5: must be a string"


# key, a value outside what it allows, what the message says is allowed (the key in the message when it differs)
OUT_OF_RANGE = [
    ("run.lock_wait_seconds", -1, "a number >= 0"),
    ("incremental.mode", "sometimes", '"auto", "refit" or "assign"'),
    ("incremental.refit_new_share", 1.5, "a number from 0 to 1"),
    ("incremental.refit_every_runs", 0, "an integer >= 1"),
    ("incremental.assign_min_similarity", 1.2, "a number from -1 to 1"),
    ("dates.trend_kinds", [], 'a non-empty list of "published", "updated", "listed" or "captured"'),
    ("dates.trend_kinds", ["listed", "tomorrow"], '"published", "updated", "listed" or "captured"',
     'dates.trend_kinds[1] = "tomorrow"'),
    ("parsing.column_mapping", {"title": 5}, "a string", "parsing.column_mapping.title = 5"),
    ("embedding.backend", "gpu", '"auto", "sentence-transformer", "static", "onnx" or "sampled"'),
    ("embedding.auto_sampled_above", -1, "an integer >= 0"),
    ("embedding.batch_size", 0, "an integer >= 1"),
    ("embedding.max_tokens", 2, "an integer >= 3"),
    ("topics.seed", -1, "an integer from 0 to 4294967295"),
    ("topics.min_cluster_size", 1, '"auto" or an integer >= 2'),
    ("topics.min_cluster_size", "big", '"auto" or an integer >= 2'),
    ("topics.umap_neighbors", 1, '"auto" or an integer >= 2'),
    ("topics.umap_components", 1, "an integer >= 2"),
    ("topics.outlier_threshold", -1.5, "a number from -1 to 1"),
    ("topics.guided_min_similarity", 2, "a number from -1 to 1"),
    ("topics.guided_min_share", 1.5, "a number from 0 to 1"),
    ("topics.guided_merge_ratio", -0.1, "a number from 0 to 1"),
    ("topics.guided_topics", "Machine unlearning", "a list of strings"),
    ("topics.clustering_backend", "gpu", '"cpu" or "cuml"'),
    ("topics.umap_fit_sample", 1, "an integer >= 2"),
    ("topics.umap_fit_sample_above", -1, "an integer >= 0"),
    ("trends.period", "week", '"auto", "month", "quarter" or "year"'),
    ("trends.min_papers", 0, "an integer >= 1"),
    ("report.max_map_points", 0, "an integer >= 1"),
    ("compute.task_runner", "processes", '"threads" or "dask"'),
    ("compute.max_threads", 0, "an integer >= 1"),
    ("compute.dask_workers", 0, "an integer >= 1"),
]


def _toml(key: str, value) -> str:
    section, name = key.split(".")
    if isinstance(value, dict):
        value = "{ " + ", ".join(f"{k} = {json.dumps(v)}" for k, v in value.items()) + " }"
    else:
        value = json.dumps(value)  # JSON numbers, strings, booleans and arrays of strings are TOML too
    return f"[{section}]\n{name} = {value}\n"


@pytest.mark.parametrize("case", OUT_OF_RANGE, ids=lambda case: f"{case[0]}={case[1]}")
def test_values_out_of_range_are_refused_at_load(tmp_path, case) -> None:
    key, value, allowed = case[:3]
    shown = case[3] if len(case) > 3 else f"{key} = {json.dumps(value)}"
    user = tmp_path / "my.toml"
    assert _error(user, _toml(key, value)) == f"config error in {user}: {shown}: must be {allowed}"


@pytest.mark.parametrize("key, value", [
    ("run.lock_wait_seconds", 0), ("incremental.refit_new_share", 0), ("incremental.refit_new_share", 1),
    ("incremental.refit_every_runs", 1), ("incremental.assign_min_similarity", -1), ("embedding.batch_size", 1),
    ("embedding.max_tokens", 3), ("topics.seed", 0), ("topics.min_cluster_size", 2), ("topics.umap_neighbors", 2),
    ("topics.umap_components", 2),
    ("topics.guided_min_share", 1), ("topics.guided_min_zscore", -3), ("dates.trend_kinds", ["updated"]),
    ("trends.min_papers", 1), ("compute.max_threads", 1),
])
def test_values_at_the_edge_of_the_range_are_accepted(tmp_path, key, value) -> None:
    user = tmp_path / "my.toml"
    user.write_text(_toml(key, value), encoding="utf-8")
    section, name = key.split(".")
    assert getattr(getattr(load_config(user), section), name) == value


def test_default_toml_documents_exactly_the_model_defaults():
    """The pydantic models are the one source of defaults; config/default.toml, the file users copy, states
    every key with the same value."""
    import tomllib

    from analytics.config import DEFAULT_CONFIG, Config

    documented = tomllib.loads(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    assert Config.model_validate(documented) == Config()
    text = DEFAULT_CONFIG.read_text(encoding="utf-8")
    for section, model in Config.model_fields.items():
        fields = model.annotation.model_fields
        assert set(documented[section]) <= set(fields)
        for key in set(fields) - set(documented[section]):  # TOML has no null: a None default is a comment
            assert fields[key].default is None and f"# {key} = " in text, f"[{section}] {key} is not documented"
