"""Which embedding model a run uses, how much text it reads, and what still needs embedding.

The backends themselves live in analytics.embedding; the flow embeds the rows `rows_to_embed` names, a chunk
of `chunk_size(backend)` at a time, committing each chunk to the store.
"""

from __future__ import annotations

from typing import Any

from analytics.config import Config

# Papers embedded (and committed to the store) per step: ~25 s of work for the sentence-transformer; the
# static model does thousands of papers a second, so small chunks would spend their time on commits.
EMBED_CHUNK = 512
EMBED_CHUNK_STATIC = 8192


def choose_backend(cfg: Config, n_papers: int, previous: dict | None = None) -> str:
    """"auto": the bundled MiniLM as ONNX int8 up to auto_sampled_above papers; above, "sampled": topics fitted
    on a transformer-embedded sample, every other paper joining them through its words and static vector
    (analytics.topics.sampled; at 75k papers NMI vs category and coherence far above the static model alone).
    The choice is made once per store and kept: switching models as the corpus grows would throw away
    every stored embedding and break topic matching across runs. One switch is free and made: a store that
    "auto" gave the static model (before "sampled" existed) moves to "sampled", which keeps every static
    vector and the topics' static-space centroids, and adds the sample's transformer vectors."""
    backend = cfg.embedding.backend
    if backend == "auto":
        backend = "sampled" if n_papers > cfg.embedding.auto_sampled_above else "onnx"
        earlier = ((previous or {}).get("summary") or {}).get("embedding", {}).get("backend")
        if earlier and not (earlier == "static" and backend == "sampled"):
            return earlier
    return backend


def max_tokens_for(backend: str, cfg: Config) -> int | None:
    """Transformers read the first max_tokens tokens of title + abstract (all-MiniLM-L6-v2 was trained on
    128-token inputs, and truncating there scored as well as 256 tokens at half the cost: bench/bench_topics.py).
    A static model costs the same for any length and averages all its tokens, so it reads the whole text."""
    return None if backend == "static" else cfg.embedding.max_tokens


def chunk_size(backend: str) -> int:
    return EMBED_CHUNK_STATIC if backend == "static" else EMBED_CHUNK


def rows_to_embed(hashes: list[str], cached: dict[str, Any]) -> list[int]:
    """One row per distinct text the store has not embedded with the model, in order."""
    todo: list[int] = []
    seen: set[str] = set()
    for row, text_hash in enumerate(hashes):
        if text_hash not in cached and text_hash not in seen:
            seen.add(text_hash)
            todo.append(row)
    return todo


def embedding_info(embedder: Any, hashes: list[str], embedded: list[int], seconds: float) -> dict[str, Any]:
    """run.json's "embedding" entry (analytics.run_summary.EmbeddingInfo) for one model's pass over the papers;
    `embedded` are the rows embedded in this run (rows_to_embed)."""
    new_texts = {hashes[i] for i in embedded}
    return {
        "backend": embedder.backend,
        "model_id": embedder.model_id,
        "dim": int(embedder.dim),
        "papers": len(hashes),
        "embedded_new": len(embedded),
        "reused_from_store": sum(1 for h in hashes if h not in new_texts),  # papers whose text the store had
        "papers_per_second": round(len(embedded) / seconds, 1) if embedded and seconds > 0 else None,
    }
