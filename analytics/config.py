"""Run configuration: `config/default.toml` overlaid with a user file, validated by pydantic.

The defaults have one source, the models below; `config/default.toml` documents them with the same values
(tests/test_config.py fails when the two disagree).

Every problem with a config file is one ConfigError whose message names the file, the key (dotted), the value
and what is allowed, e.g. `config error in my.toml: topics.min_cluster_size = -5: must be "auto" or an
integer >= 2`.
"""

from __future__ import annotations

import difflib
import json
import re
import tomllib
import types
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, ValidationError

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CONFIG = PROJECT_ROOT / "config" / "default.toml"


class ConfigError(ValueError):
    """A config file that cannot be used; the message says where and why, in one line per problem."""


# Shares of papers and ratios of similarities.
Share = Annotated[float, Field(ge=0, le=1)]
# Cosine similarities of normalised embeddings lie in [-1, 1]; a threshold outside it would be meaningless.
Similarity = Annotated[float, Field(ge=-1, le=1)]


class _Section(BaseModel):
    # extra="forbid": a typo in a key is an error, not a silent default. strict: TOML values carry their type,
    # so "600" for a number or 1 for true is a mistake to report, not to convert.
    model_config = ConfigDict(extra="forbid", strict=True)


class RunConfig(_Section):
    input: str = "data/samples"
    output: str = "out"
    store: str = "store"
    lock_wait_seconds: float = Field(600, ge=0)  # FileLock would wait forever on a negative timeout


class IncrementalConfig(_Section):
    mode: Literal["auto", "refit", "assign"] = "auto"
    refit_new_share: Share = 0.1
    refit_every_runs: int = Field(7, ge=1)
    assign_min_similarity: Similarity = 0.3
    # A run on an input folder other than the one the store serves: "stop", or "adopt" it (see incremental.py).
    other_collection: Literal["stop", "adopt"] = "stop"
    refit_strategy: Literal["anchored", "matched"] = "anchored"
    refit_move_margin: float = Field(0.1, ge=0, le=2)  # cosine: how much closer a paper must be to move
    refit_anchor_umap: bool = True


class ScheduleConfig(_Section):
    cron: str = "0 6 * * *"
    timezone: str = "UTC"
    deployment: str = "daily"


class ParsingConfig(_Section):
    # Generic CSV / JSONL exports: our field -> the export's column name.
    column_mapping: dict[str, str] = Field(default_factory=lambda: {
        "title": "title", "abstract": "abstract", "authors": "authors", "date": "date", "id": "id"})
    max_decompressed_mb: float = Field(default=512, gt=0)
    max_compression_ratio: float = Field(default=100, gt=0)


class DatesConfig(_Section):
    include_inferred: bool = True
    # The date kinds of analytics.dates.stated.KINDS; none at all would leave every paper undated for trends.
    trend_kinds: list[Literal["published", "updated", "listed", "captured"]] = Field(
        default_factory=lambda: ["published", "listed"], min_length=1)
    evidence_table: str = "config/date_evidence.toml"
    gap_table: str = "config/date_gaps.toml"


class EmbeddingConfig(_Section):
    backend: Literal["auto", "sentence-transformer", "static", "onnx", "sampled"] = "auto"
    # "auto" uses "sampled" above this many papers.
    auto_sampled_above: int = Field(20000, ge=0)
    # "sampled": this many papers are embedded with the transformer (ONNX) and define the topics; every paper
    # also gets a static vector, from which, with its words, its transformer vector is estimated.
    transformer_sample: int = Field(10000, ge=10)
    batch_size: int = Field(16, ge=1)
    model_path: str | None = None
    # Transformer backends only; the static model reads the whole text. At least 3: the tokenizer adds two
    # special tokens (it keeps every token below 2, and none of the text at 2).
    max_tokens: int | None = Field(128, ge=3)


class TopicsConfig(_Section):
    seed: int = Field(42, ge=0, le=2**32 - 1)  # numpy's and UMAP's seeds are unsigned 32-bit
    # HDBSCAN needs clusters of at least 2; UMAP at least 2 neighbours and 2 dimensions (choose_params
    # would silently raise smaller values to 2).
    min_cluster_size: Annotated[int, Field(ge=2)] | Literal["auto"] = "auto"
    umap_neighbors: Annotated[int, Field(ge=2)] | Literal["auto"] = "auto"
    umap_components: int = Field(5, ge=2)
    reduce_outliers: bool = True
    outlier_threshold: Similarity = 0.0
    # Topics the analyst cares about, "name: description" (config/default.toml explains the matching rule).
    guided_topics: list[str] = Field(default_factory=lambda: [
        "Machine unlearning: machine unlearning and LLM unlearning, removing specific data, knowledge or concepts from a trained model",
        "Mixture of experts: mixture-of-experts (MoE) models with sparse expert layers and token routing",
        # Described by its methods: "circuits, neurons and attention heads inside transformer models" drew
        # the samples' transformer-architecture papers (Mamba, linear attention) into this topic.
        "Mechanistic interpretability: interpretability of neural networks, explaining model internals with "
        "circuits, sparse autoencoders, probing, feature attribution and activation steering",
    ])
    guided_min_similarity: Similarity = 0.5
    guided_min_share: Share = 0.25
    guided_merge_ratio: Share = 0.85
    guided_min_zscore: float = 2.5  # any real number is a usable cut-off on a z-score
    clustering_backend: Literal["cpu", "cuml"] = "cpu"
    umap_fit_sample: int = Field(10000, ge=2)  # UMAP cannot fit fewer than 2 points
    umap_fit_sample_above: int = Field(20000, ge=0)


class TrendsConfig(_Section):
    period: Literal["auto", "month", "quarter", "year"] = "auto"
    min_papers: int = Field(8, ge=1)


class ComputeConfig(_Section):
    task_runner: Literal["threads", "dask"] = "threads"
    max_threads: int = Field(4, ge=1)
    dask_address: str = ""  # empty: start a local Dask cluster for the run
    dask_workers: int = Field(2, ge=1)


class ReportConfig(_Section):
    max_map_points: int = Field(30000, ge=1)


class Config(_Section):
    run: RunConfig = Field(default_factory=RunConfig)
    incremental: IncrementalConfig = Field(default_factory=IncrementalConfig)
    schedule: ScheduleConfig = Field(default_factory=ScheduleConfig)
    parsing: ParsingConfig = Field(default_factory=ParsingConfig)
    dates: DatesConfig = Field(default_factory=DatesConfig)
    embedding: EmbeddingConfig = Field(default_factory=EmbeddingConfig)
    topics: TopicsConfig = Field(default_factory=TopicsConfig)
    trends: TrendsConfig = Field(default_factory=TrendsConfig)
    report: ReportConfig = Field(default_factory=ReportConfig)
    compute: ComputeConfig = Field(default_factory=ComputeConfig)

    def resolve_path(self, value: str) -> Path:
        """Relative paths in config are relative to the project root, so runs work from any folder."""
        path = Path(value)
        return path if path.is_absolute() else PROJECT_ROOT / path


def _deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """`override` wins key by key. A value of another shape replaces the base value whole (a dict over a number,
    a number over a section): load_config validates each layer on its own first, so such a value is reported,
    never silently dropped."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"config file {path} not found") from None
    except IsADirectoryError:
        raise ConfigError(f"config file {path} is a folder, not a file") from None
    except UnicodeDecodeError:
        raise ConfigError(f"config error in {path}: not UTF-8 text") from None
    except OSError as error:
        raise ConfigError(f"config file {path} cannot be read: {error.strerror or error}") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        # Python 3.11's message ends in "(at line 3, column 7)"; put the place first, like the other messages.
        match = re.fullmatch(r"(.*) \(at line (\d+), column (\d+)\)", str(error))
        if match:
            reason, line, column = match.groups()
            raise ConfigError(f"config error in {path}: line {line}, column {column}: invalid TOML ({reason})") from None
        match = re.fullmatch(r"(.*) \(at end of document\)", str(error))
        if match:
            raise ConfigError(f"config error in {path}: end of file: invalid TOML ({match.group(1)})") from None
        raise ConfigError(f"config error in {path}: invalid TOML ({error})") from None


def _validate(data: dict[str, Any], source: str) -> Config:
    try:
        return Config.model_validate(data)
    except ValidationError as error:
        problems = dict.fromkeys(_problem(e, data) for e in error.errors())  # a union field gives one error per member
        raise ConfigError("\n".join(f"config error in {source}: {problem}" for problem in problems)) from None


def load_config(path: str | Path | None = None, overrides: dict[str, Any] | None = None) -> Config:
    """Defaults from config/default.toml, then the user's file, then explicit overrides (e.g. CLI flags).

    Raises ConfigError naming the file (or the overrides) a problem comes from: each layer is validated on its
    own before the merge (every field has a default, so a layer alone is valid exactly when its keys and values
    are), then the merged result.
    """
    data: dict[str, Any] = {}
    if DEFAULT_CONFIG.exists():
        data = _read_toml(DEFAULT_CONFIG)
        _validate(data, str(DEFAULT_CONFIG))
    if path is not None:
        user = _read_toml(Path(path))
        _validate(user, str(path))
        data = _deep_merge(data, user)
    if overrides:
        _validate(overrides, "the overrides")
        data = _deep_merge(data, overrides)
    return _validate(data, str(path) if path is not None else str(DEFAULT_CONFIG))


# -- messages ---------------------------------------------------------------------------------------

def _problem(error: dict[str, Any], data: dict[str, Any]) -> str:
    """One pydantic error as `key = value: must be ...` (or `key: unknown key ...`)."""
    loc = list(error["loc"])
    if error["type"] == "extra_forbidden":
        return _unknown_key(loc)
    # Walk the location through the sections to the field...
    model: type[BaseModel] = Config
    keys: list[str] = []
    while True:
        keys.append(loc.pop(0))
        field = model.model_fields[keys[-1]]
        annotation = field.annotation
        if not (loc and isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            break
        model = annotation
    metadata = list(field.metadata)
    key = ".".join(keys)
    value: Any = data
    for part in keys:
        value = value.get(part) if isinstance(value, dict) else None
    # ...then into a list item or a table value. What else is left names a member of a union, not a key.
    if loc and get_origin(annotation) is list and isinstance(loc[0], int) and isinstance(value, list):
        key, value, annotation, metadata = f"{key}[{loc[0]}]", value[loc[0]], get_args(annotation)[0], []
    elif loc and get_origin(annotation) is dict and isinstance(value, dict) and loc[0] in value:
        key, value, annotation, metadata = f"{key}.{loc[0]}", value[loc[0]], get_args(annotation)[1], []
    return f"{key} = {_show(value)}: must be {_allowed(annotation, metadata, key)}"


def _unknown_key(loc: list[Any]) -> str:
    model: type[BaseModel] = Config
    for part in loc[:-1]:
        model = model.model_fields[part].annotation
    key = ".".join(str(part) for part in loc)
    known = list(model.model_fields)
    close = difflib.get_close_matches(str(loc[-1]), known, n=1)
    if close:
        return f"{key}: unknown key (did you mean {'.'.join([*map(str, loc[:-1]), close[0]])}?)"
    return f"{key}: unknown key (known: {', '.join(known)})"


def _show(value: Any) -> str:
    """A value as it would look in TOML (near enough), cut short."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _one_of(choices: list[str]) -> str:
    return choices[0] if len(choices) == 1 else ", ".join(choices[:-1]) + " or " + choices[-1]


def _allowed(annotation: Any, metadata: list[Any], key: str) -> str:
    """What a field accepts, in words, from its type and constraints."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:  # a constrained member of a union: Annotated[int, Field(ge=2)]
        return _allowed(args[0], metadata + [m for info in args[1:] for m in getattr(info, "metadata", [info])], key)
    if origin in (Union, types.UnionType):
        members = [a for a in args if a is not type(None)]  # TOML has no null: only a default can be None
        members.sort(key=lambda a: get_origin(a) is not Literal)  # "auto" or an integer >= 2
        return _one_of([_allowed(a, metadata, key) for a in members])
    if origin is Literal:
        return _one_of([json.dumps(a) for a in args])
    if origin is list:
        what = "a non-empty list" if any(getattr(m, "min_length", 0) for m in metadata) else "a list"
        item = args[0]
        if get_origin(item) is Literal:
            return f"{what} of {_one_of([json.dumps(a) for a in get_args(item)])}"
        return f"{what} of strings" if item is str else f"{what} of {_allowed(item, [], key)}"
    if origin is dict:
        return "a table of strings" if args[1] is str else "a table"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"a table (a [{key}] section)"
    if annotation is bool:
        return "true or false"
    if annotation is str:
        return "a string"
    if annotation in (int, float):
        noun = "an integer" if annotation is int else "a number"
        low = next((m.ge for m in metadata if getattr(m, "ge", None) is not None), None)
        high = next((m.le for m in metadata if getattr(m, "le", None) is not None), None)
        above = next((m.gt for m in metadata if getattr(m, "gt", None) is not None), None)
        below = next((m.lt for m in metadata if getattr(m, "lt", None) is not None), None)
        bounds = [f">= {low}" if low is not None else "", f"> {above}" if above is not None else "",
                  f"<= {high}" if high is not None else "", f"< {below}" if below is not None else ""]
        bounds = [b for b in bounds if b]
        if low is not None and high is not None and len(bounds) == 2:
            return f"{noun} from {low} to {high}"
        return f"{noun} {' and '.join(bounds)}" if bounds else noun
    return getattr(annotation, "__name__", str(annotation))
