"""Load the real daily arXiv listing corpus (../shared/real/arxiv-daily-cs-cv-cl) for benchmarks.

The corpus is not part of the repository: benchmarks call `corpus_dir()` and exit cleanly when it is None.
"""

from __future__ import annotations

import gzip
import json
import os
import random
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
# Worktrees sit one level deeper than the main checkout, so look in both places (and honour an override).
_CANDIDATES = [
    os.environ.get("TOPICTRENDS_REAL_DATA", ""),
    str(PROJECT_ROOT.parent / "shared" / "real"),
    str(PROJECT_ROOT.parent.parent / "shared" / "real"),
]


@dataclass(frozen=True)
class ArxivPaper:
    arxiv_id: str
    title: str
    abstract: str
    primary_category: str


def corpus_dir() -> Path | None:
    """The folder of daily dumps, or None when the real data is not on this machine."""
    for candidate in _CANDIDATES:
        folder = Path(candidate) / "arxiv-daily-cs-cv-cl" / "data" if candidate else None
        if folder is not None and folder.is_dir() and any(folder.glob("*.jsonl.gz")):
            return folder
    return None


def load_papers(folder: Path) -> list[ArxivPaper]:
    """All unique papers (deduplicated by arXiv id, first sighting wins), in file order."""
    seen: dict[str, ArxivPaper] = {}
    for path in sorted(folder.glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            for line in lines:
                row = json.loads(line)
                arxiv_id = str(row.get("id", "")).strip()
                if not arxiv_id or arxiv_id in seen:
                    continue
                categories = row.get("categories") or ["unknown"]
                seen[arxiv_id] = ArxivPaper(
                    arxiv_id=arxiv_id,
                    title=" ".join(str(row.get("title") or "").split()),
                    abstract=" ".join(str(row.get("summary") or "").split()),
                    primary_category=str(categories[0]),
                )
    return list(seen.values())


def sample_papers(papers: list[ArxivPaper], n: int, seed: int = 0) -> list[ArxivPaper]:
    """A seeded random sample of n papers (all of them when n >= len(papers))."""
    if n >= len(papers):
        return list(papers)
    return random.Random(seed).sample(papers, n)
