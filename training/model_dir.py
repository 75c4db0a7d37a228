"""MarianMT model directories made from other ones (``average-models``, ``grow-model``): check, load, write.

Both commands read trained model directories, compute new weights and write a directory that loads
like an exported model: weights, the first source's tokenizer and generation settings, a model card
that keeps the sources' cards, and a small JSON record of how it was made. The output is written
completely or not at all.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

from idtrans.errors import InputError, first_line
from idtrans.io import read_utf8, share_files
from idtrans.pipeline.models.resolve import check_shape
from idtrans.training.export import TOKENIZER_FILES

#: Files that must be byte-identical in models whose weights are combined: same ids, same pieces.
VOCABULARY_FILES = ("source.spm", "target.spm", "vocab.json")
#: Files copied from the first source: the tokenizer files an export copies, and the generation settings.
COPIED_FILES = (*TOKENIZER_FILES, "generation_config.json")


def check_model_directory(path: Path) -> dict[str, Any]:
    """The model's config.json, after checking the directory holds a MarianMT model with its vocabulary."""
    missing = [name for name in ("config.json", *VOCABULARY_FILES) if not (path / name).is_file()]
    weights = [name for name in ("model.safetensors", "pytorch_model.bin") if (path / name).is_file()]
    if missing or not weights:
        what = ", ".join(missing + ([] if weights else ["model.safetensors"]))
        raise InputError(
            f"not a complete MarianMT directory (missing {what})",
            where=str(path),
            hint="pass directories such as OUTPUT/best of `idtrans train` runs",
        )
    try:
        config = json.loads((path / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise InputError(f"cannot read config.json: {error}", where=str(path), hint="re-export the model") from None
    if config.get("model_type") != "marian":
        raise InputError(
            f"not a MarianMT model (model_type {config.get('model_type')!r})",
            where=str(path),
            hint="pass MarianMT directories only",
        )
    check_shape(config, path / "config.json", InputError)
    return config


def check_output(dest: Path, sources: list[Path], *, force: bool) -> None:
    """Refuse an output that is one of the sources, or that exists without ``force``."""
    if dest.resolve() in {p.resolve() for p in sources}:
        raise InputError("the output directory is one of the models", where=str(dest), hint="choose a new -o")
    if dest.exists() and not force:
        raise InputError("the output directory already exists", where=str(dest), hint="choose a new -o, or --force")


def load_model(path: Path) -> Any:
    """The MarianMT model in ``path``, in float32; InputError naming the directory if it cannot be loaded."""
    import torch
    from transformers import MarianMTModel
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    try:
        return MarianMTModel.from_pretrained(path, dtype=torch.float32)
    except Exception as error:
        raise InputError(
            f"cannot load the model: {first_line(error)}", where=str(path), hint="re-export the model directory"
        ) from None


def card_body(path: Path) -> str:
    """A model's card without its front matter, every heading two levels deeper (under a "## ..." section)."""
    card = path / "README.md"
    if not card.exists():
        return "(no model card)"
    text = read_utf8(card, role="model card")
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        text = text[end + 5 :] if end >= 0 else text
    return "\n".join("##" + line if line.startswith("#") else line for line in text.strip().splitlines())


def write_model_directory(model: Any, dest: Path, *, source: Path, card: str, record: tuple[str, dict]) -> None:
    """Write ``model`` to ``dest`` with ``source``'s tokenizer files, ``card`` and the JSON ``record``.

    ``record`` is (file name, content), e.g. ``("averaged.json", {"models": [...]})``. The directory is
    built beside ``dest`` and moved into place, so ``dest`` is complete or untouched; an existing
    ``dest`` is replaced (callers check ``force`` first with :func:`check_output`).
    """
    tmp = dest.with_name(dest.name + ".write-tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        model.save_pretrained(tmp)
        for name in COPIED_FILES:
            if (source / name).exists():
                shutil.copyfile(source / name, tmp / name)
        (tmp / "README.md").write_text(card, encoding="utf-8")
        (tmp / record[0]).write_text(json.dumps(record[1], indent=1) + "\n", "utf-8")
        share_files(tmp)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if dest.exists():
        shutil.rmtree(dest)
    os.replace(tmp, dest)
