"""What a run reads, and whether it changed: the dumps in the input folder, their digests, the digest of the
analytics code, and the parse cache's buckets and keys."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from analytics.config import Config
from analytics.parsing.reader import open_regular_file

ANALYTICS_DIR = Path(__file__).resolve().parent

# Dumps are parsed in buckets, one task per bucket: a task run costs ~0.1 s of orchestration, so one task
# per file spent ~40 s on 400 daily dumps before parsing anything. A file's bucket depends only on its
# content digest, so a new dump invalidates the cached result of one bucket and no other.
PARSE_BUCKETS = 16


def list_dumps(folder: Path, skip: list[Path] | None = None) -> list[Path]:
    """Every entry of the input folder except hidden ones (editor/OS droppings), sorted by name.

    Folders in `skip` (the run's output and store folders) are left out when they lie in the input
    folder: they are the run's own work, not dumps, and listing them would make every rerun look changed.
    """
    skipped = {os.path.realpath(p) for p in skip or []}
    return sorted(
        p for p in Path(folder).iterdir()
        if not p.name.startswith(".") and not (p.is_dir() and os.path.realpath(p) in skipped)
    )


def file_digest(path: Path) -> str | None:
    """SHA-256 of a regular file's bytes; None for anything else (never opened: a FIFO would block)."""
    try:
        digest = hashlib.sha256()
        with open_regular_file(path) as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        return digest.hexdigest()
    except OSError:
        return None


def code_digest() -> str:
    """Digest of the analytics code: a change to parsing or clustering code invalidates cached work."""
    digest = hashlib.sha256()
    for path in sorted(ANALYTICS_DIR.rglob("*.py")):
        digest.update(path.relative_to(ANALYTICS_DIR.parent).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def input_digest(digests: dict[str, str | None], cfg: Config, code: str) -> str:
    """One digest of the dumps (by name and content), the config and the code: the same digest as the last
    completed run's means nothing changed."""
    config_json = json.dumps(cfg.model_dump(), sort_keys=True)
    return hashlib.sha256(json.dumps(
        [sorted((Path(p).name, d) for p, d in digests.items()), config_json, code], default=str
    ).encode()).hexdigest()


def read_limits(cfg: Config) -> dict[str, float]:
    """The [parsing] limits read_dump takes as keyword arguments."""
    return {"max_decompressed_mb": cfg.parsing.max_decompressed_mb,
            "max_compression_ratio": cfg.parsing.max_compression_ratio}


def parse_buckets(entries: list[Path], digests: dict[str, str | None]) -> dict[int, list[Path]]:
    """The readable dumps grouped into PARSE_BUCKETS buckets by content digest (entries without a digest,
    which are not regular files, are left to read_dump to set aside)."""
    buckets: dict[int, list[Path]] = {}
    for entry in entries:
        digest = digests.get(str(entry))
        if entry.is_file() and digest is not None:
            buckets.setdefault(int(digest[:8], 16) % PARSE_BUCKETS, []).append(entry)
    return buckets


def parse_cache_key(digests: list[str], column_mapping: dict[str, str], code: str,
                    limits: dict[str, Any] | None = None) -> str:
    """Parsed dumps are cached by content digests, column mapping, read limits and parser code, never by path
    or run."""
    key = json.dumps([sorted(digests), column_mapping, code, limits or {}], sort_keys=True)
    return hashlib.sha256(key.encode()).hexdigest()
