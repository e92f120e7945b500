"""Export the bundled MiniLM to ONNX with int8 weights (the "onnx" embedding backend).

Exporting needs torch, transformers and the `onnx` package; it runs in the model-building venv that
`make models` creates (`.venv-distill`), next to the static-model distillation:

    .venv-distill/bin/python -m analytics.onnx_model --output models/minilm-onnx-int8

The main venv only needs `onnxruntime` to run the result (analytics/embedding.py).
Quantisation: dynamic int8, per output channel, MatMul weights only. Quantising every op (ONNX Runtime's default)
dropped the cosine with the PyTorch vectors to ~0.93; per-channel MatMul-only keeps ~0.995.
"""

from __future__ import annotations

import argparse
import shutil
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
DEFAULT_OUTPUT = PROJECT_ROOT / "models" / "minilm-onnx-int8"
# The bundled model's own limit (sentence_bert_config.json); longer texts are truncated, as in sentence-transformers.
DEFAULT_MAX_SEQ_LENGTH = 256
ONNX_OPSET = 17


def export_onnx_int8(
    output_dir: str | Path = DEFAULT_OUTPUT,
    *,
    source_model: str | Path | None = None,
    max_seq_length: int = DEFAULT_MAX_SEQ_LENGTH,
) -> Path:
    """Export `source_model` (default: bundled MiniLM) to `output_dir`/model.onnx with int8 MatMul weights."""
    work_offline()
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModel, AutoTokenizer

    source = source_model_folder(source_model, "tokenizer.json")
    output = Path(output_dir).resolve()
    with staged_output(output) as staging:
        model = AutoModel.from_pretrained(str(source), local_files_only=True).eval()
        tokenizer = AutoTokenizer.from_pretrained(str(source), local_files_only=True)

        class TokenVectors(torch.nn.Module):
            """Keyword call: positional BertModel arguments moved between transformers releases."""

            def __init__(self, encoder: torch.nn.Module) -> None:
                super().__init__()
                self.encoder = encoder

            def forward(self, input_ids, attention_mask, token_type_ids):  # noqa: ANN001 (traced by torch)
                return self.encoder(
                    input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
                ).last_hidden_state

        example = tokenizer(["an example", "a slightly longer example sentence"], padding=True, return_tensors="pt")
        names = ["input_ids", "attention_mask", "token_type_ids"]
        fp32_path = staging / "model_fp32.onnx"
        with torch.no_grad():
            torch.onnx.export(
                TokenVectors(model),
                tuple(example[name] for name in names),
                str(fp32_path),
                input_names=names,
                output_names=["token_vectors"],
                dynamic_axes={name: {0: "batch", 1: "tokens"} for name in [*names, "token_vectors"]},
                opset_version=ONNX_OPSET,
                dynamo=False,
            )
        quantize_dynamic(
            str(fp32_path),
            str(staging / "model.onnx"),
            weight_type=QuantType.QInt8,
            per_channel=True,
            op_types_to_quantize=["MatMul"],
        )
        fp32_path.unlink()
        shutil.copy2(source / "tokenizer.json", staging / "tokenizer.json")
        write_provenance(staging, {
            "source_model": source_model_name(source),
            "dim": int(model.config.hidden_size),
            "max_seq_length": max_seq_length,
            "pad_token_id": int(tokenizer.pad_token_id or 0),
            "quantization": "dynamic int8, per-channel, MatMul only",
            "onnx_opset": ONNX_OPSET,
            "onnxruntime_version": metadata.version("onnxruntime"),
            "torch_version": metadata.version("torch"),
            "transformers_version": metadata.version("transformers"),
        })
    return output


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", default=str(DEFAULT_OUTPUT), help="folder to write (default: %(default)s)")
    parser.add_argument("--source", default=None, help="sentence-transformer folder (default: bundled MiniLM)")
    parser.add_argument("--max-seq-length", type=int, default=DEFAULT_MAX_SEQ_LENGTH)
    args = parser.parse_args(argv)
    output = export_onnx_int8(args.output, source_model=args.source, max_seq_length=args.max_seq_length)
    print(f"ONNX int8 model written to {output}")


if __name__ == "__main__":
    main()
