"""Export a trained model compactly (float16 safetensors) with its tokenizer, model card and scores."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from idtrans.errors import TrainingError
from idtrans.io import share_files
from idtrans.training.card import scores_table

TOKENIZER_FILES = ("source.spm", "target.spm", "vocab.json", "tokenizer_config.json")


def export_model(
    source: str | Path,
    dest: str | Path,
    *,
    dtype: str = "float16",
    scores: dict | None = None,
    max_mb: float | None = 25.0,
    card_note: str | None = None,
    compare: dict[str, dict] | None = None,
) -> dict:
    """Write ``dest`` = the model in ``source`` stored as ``dtype``, plus tokenizer files, README.md and scores.json.

    ``scores`` (set name -> {"bleu", "chrf++", "lines", "beams"}) becomes scores.json and a table in
    the model card, beside the scores of the models in ``compare`` (model name -> same layout),
    which scores.json keeps under "compared_with".

    The weights are stored in ``dtype`` but ``config.json`` says float32, so ``from_pretrained``
    upcasts them on load (CPU inference in float16 is slow). Raises TrainingError if the weights
    exceed ``max_mb``.
    """
    import torch
    from transformers import MarianMTModel
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    source, dest = Path(source), Path(dest)
    missing = [name for name in TOKENIZER_FILES if not (source / name).exists()]
    if missing:
        raise TrainingError(
            f"not a complete MarianMT directory (missing {', '.join(missing)})",
            where=str(source),
            hint="pass the OUTPUT/best directory of an `idtrans train` run",
        )
    torch_dtype = {"float16": torch.float16, "bfloat16": torch.bfloat16, "float32": torch.float32}.get(dtype)
    if torch_dtype is None:
        raise TrainingError(f"unsupported dtype {dtype!r}", where="--dtype", hint="use float16, bfloat16 or float32")
    model: Any = MarianMTModel.from_pretrained(source, dtype=torch.float32)
    tmp = dest.with_name(dest.name + ".export-tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    model.to(torch_dtype).save_pretrained(tmp)
    config_path = tmp / "config.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    config["dtype"] = "float32"
    config.pop("torch_dtype", None)
    config_path.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    for name in TOKENIZER_FILES:
        shutil.copyfile(source / name, tmp / name)
    share_files(tmp)
    size_mb = (tmp / "model.safetensors").stat().st_size / 1024 / 1024
    if max_mb is not None and size_mb > max_mb:
        shutil.rmtree(tmp, ignore_errors=True)
        raise TrainingError(
            f"exported weights are {size_mb:.1f} MB, over the {max_mb} MB limit",
            where=str(source),
            hint="use a smaller preset or --dtype float16",
        )
    card = _export_card(source, dtype, size_mb, scores=scores, compare=compare, card_note=card_note)
    (tmp / "README.md").write_text(card, encoding="utf-8")
    if scores is not None:
        stored = {**scores, "compared_with": compare} if compare else scores
        (tmp / "scores.json").write_text(json.dumps(stored, indent=1) + "\n", encoding="utf-8")
    if dest.exists():
        shutil.rmtree(dest)
    tmp.rename(dest)
    return {
        "dest": str(dest),
        "size_mb": round(size_mb, 2),
        "dtype": dtype,
        "parameters": sum(p.numel() for p in model.parameters()),
    }


def _export_card(
    source: Path,
    dtype: str,
    size_mb: float,
    *,
    scores: dict | None,
    compare: dict[str, dict] | None,
    card_note: str | None,
) -> str:
    """The exported model card: the trained model's card plus the export, scores and note sections."""
    card = (
        (source / "README.md").read_text(encoding="utf-8") if (source / "README.md").exists() else "# MarianMT model\n"
    )
    extra = [
        f"\n## Export\n\nWeights stored as {dtype} safetensors ({size_mb:.1f} MB); "
        "`from_pretrained` loads them as float32 (config dtype)."
    ]
    if scores:
        beside = f", beside {', '.join(f'`{name}`' for name in compare)}" if compare else ""
        extra.append(
            f"\n## Scores\n\nsacreBLEU BLEU and chrF++ (defaults){beside}:\n\n{scores_table(scores, compare)}\n"
        )
    if card_note:
        extra.append("\n" + card_note.strip() + "\n")
    return card.rstrip() + "\n" + "\n".join(extra) + "\n"
