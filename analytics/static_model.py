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
from importlib import metadata
from pathlib import Path

from analytics.model_export import (
    source_model_folder,
    source_model_name,
    staged_output,
    work_offline,
    write_provenance,
)

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUTPUT = PROJECT_ROOT / "models" / "minilm-static"
# 256 PCA dimensions is model2vec's default and kept nearest-neighbour quality on our corpus (bench/bench_embedding.py).
DEFAULT_PCA_DIMS = 256


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
    work_offline()
    from model2vec.distill import distill

    source = source_model_folder(source_model, "config.json")
    output = Path(output_dir).resolve()
    with staged_output(output) as staging:
        model = distill(model_name=str(source), pca_dims=pca_dims)
        model.save_pretrained(str(staging))
        write_provenance(staging, {
            "source_model": source_model_name(source),
            "pca_dims": pca_dims,
            "model2vec_version": metadata.version("model2vec"),
            "transformers_version": metadata.version("transformers"),
            "torch_version": metadata.version("torch"),
        })
    return output


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
