"""Weight averaging of whole models ("model soup"): several fine-tunes of one initial model, merged.

Two runs fine-tuned from the same initial model stay close enough in weight space that their
element-wise mean is a model too, and often a better one than either (Wortsman et al. 2022, "Model
soups"). Issue 10 measured it on the news fine-tunes: training/CAMPAIGN.md, session 9. Checkpoints
of one run are averaged by the training loop itself (``--average``); this module averages the
outputs of different runs, which must share the architecture and the vocabulary.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable, Mapping, Sequence
from itertools import chain
from pathlib import Path
from typing import Any

from idtrans.errors import InputError, first_line
from idtrans.io import read_utf8, share_files
from idtrans.training.card import FRONT_MATTER
from idtrans.training.export import TOKENIZER_FILES

#: Files that must be byte-identical in every averaged model: the same token ids mean the same pieces.
VOCABULARY_FILES = ("source.spm", "target.spm", "vocab.json")
#: Files copied from the first model: the tokenizer files an export copies, and the generation settings.
COPIED_FILES = (*TOKENIZER_FILES, "generation_config.json")
#: config.json keys that may differ between the models (bookkeeping and regularisation, not shape).
_CONFIG_NOT_SHAPE = {
    "_name_or_path",
    "transformers_version",
    "dtype",
    "torch_dtype",
    "architectures",
    "dropout",
    "attention_dropout",
    "activation_dropout",
}


def mean_state_dict(state_dicts: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Element-wise mean of the floating-point tensors of several state dicts (others kept from the first).

    Summed in float64, returned in float32. Raises ValueError if the dicts differ in keys or shapes.
    """
    total: dict[str, Any] | None = None
    count = 0
    for sd in state_dicts:
        count += 1
        if total is None:
            total = {k: v.detach().clone().double() if v.is_floating_point() else v.clone() for k, v in sd.items()}
            continue
        if sd.keys() != total.keys():
            raise ValueError(f"state dict {count} has other tensors: {sorted(set(sd) ^ set(total))[:3]}")
        for k, v in sd.items():
            if v.shape != total[k].shape:
                raise ValueError(f"state dict {count}: {k} has shape {tuple(v.shape)}, not {tuple(total[k].shape)}")
            if v.is_floating_point():
                total[k] += v.double()
    if total is None:
        raise ValueError("no state dicts to average")
    return {k: (v / count).float() if v.is_floating_point() else v for k, v in total.items()}


def average_models(models: Sequence[str | Path], dest: str | Path, *, force: bool = False) -> dict[str, Any]:
    """Write ``dest``: a MarianMT directory whose weights are the uniform mean of ``models``' weights.

    The models must be MarianMT directories with the same architecture (config.json) and byte-identical
    vocabulary files; the tokenizer and generation settings are copied from the first. The model card
    (README.md) lists the models and keeps each one's card, so the result's training stays documented.
    ``dest`` is written completely or not at all; an existing one is replaced only with ``force``.
    Raises InputError naming the model at fault.
    """
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    paths = [Path(m) for m in models]
    dest = Path(dest)
    if len(paths) < 2:
        raise InputError("averaging needs at least two models", hint="pass two or more model directories")
    if len({p.resolve() for p in paths}) < len(paths):
        raise InputError("a model is listed twice", hint="list each model once (a uniform mean weighs them equally)")
    if dest.resolve() in {p.resolve() for p in paths}:
        raise InputError("the output directory is one of the models", where=str(dest), hint="choose a new -o")
    if dest.exists() and not force:
        raise InputError("the output directory already exists", where=str(dest), hint="choose a new -o, or --force")
    configs = [_check_directory(p) for p in paths]
    for path, config in zip(paths[1:], configs[1:]):
        _check_compatible(paths[0], configs[0], path, config)
    card = average_card(paths)

    # The first model receives the mean (mean_state_dict copies what it sums), so no model is loaded twice.
    model = _load_model(paths[0])
    others = (_load_model(p).state_dict() for p in paths[1:])
    try:
        averaged = mean_state_dict(chain([model.state_dict()], others))
    except ValueError as error:
        raise InputError(
            f"the models' weights do not match: {error}", hint="average models of one architecture"
        ) from None
    model.load_state_dict(averaged)

    tmp = dest.with_name(dest.name + ".average-tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        model.save_pretrained(tmp)
        for name in COPIED_FILES:
            if (paths[0] / name).exists():
                shutil.copyfile(paths[0] / name, tmp / name)
        (tmp / "README.md").write_text(card, encoding="utf-8")
        (tmp / "averaged.json").write_text(json.dumps({"models": [str(p) for p in paths]}, indent=1) + "\n", "utf-8")
        share_files(tmp)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if dest.exists():
        shutil.rmtree(dest)
    os.replace(tmp, dest)
    return {
        "dest": str(dest),
        "models": [str(p) for p in paths],
        "parameters": sum(p.numel() for p in model.parameters()),
    }


def average_card(paths: Sequence[Path]) -> str:
    """The averaged model's card: what was averaged, then each model's own card under it."""
    lines = [
        *FRONT_MATTER,
        "",
        f"# idtrans MarianMT (weight average of {len(paths)} models)",
        "",
        "Made with `idtrans average-models`: the uniform element-wise mean of the weights of these models,",
        "each fine-tuned from the same initial model; tokenizer and generation settings from the first.",
        "",
    ]
    lines += [f"{i}. `{p}`" for i, p in enumerate(paths, 1)]
    for i, path in enumerate(paths, 1):
        lines += ["", f"## Model {i}: `{path}`", "", _card_body(path)]
    return "\n".join(lines).rstrip() + "\n"


def _card_body(path: Path) -> str:
    """A model's card without its front matter, every heading two levels deeper (under "## Model N")."""
    card = path / "README.md"
    if not card.exists():
        return "(no model card)"
    text = read_utf8(card, role="model card")
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        text = text[end + 5 :] if end >= 0 else text
    return "\n".join("##" + line if line.startswith("#") else line for line in text.strip().splitlines())


def _load_model(path: Path) -> Any:
    """The MarianMT model in ``path``, in float32; InputError naming the directory if it cannot be loaded."""
    import torch
    from transformers import MarianMTModel

    try:
        return MarianMTModel.from_pretrained(path, dtype=torch.float32)
    except Exception as error:
        raise InputError(
            f"cannot load the model: {first_line(error)}", where=str(path), hint="re-export the model directory"
        ) from None


def _check_directory(path: Path) -> dict[str, Any]:
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
            hint="average MarianMT directories only",
        )
    return config


def _check_compatible(first: Path, first_config: dict, path: Path, config: dict) -> None:
    for name in VOCABULARY_FILES:
        if (first / name).read_bytes() != (path / name).read_bytes():
            raise InputError(
                f"its {name} differs from {first}'s: the models do not share a vocabulary",
                where=str(path),
                hint="average only models fine-tuned from one initial model (`idtrans train --init`)",
            )
    keys = (set(first_config) | set(config)) - _CONFIG_NOT_SHAPE
    differ = sorted(k for k in keys if first_config.get(k) != config.get(k))
    if differ:
        raise InputError(
            f"its architecture differs from {first}'s ({', '.join(differ[:4])})",
            where=str(path),
            hint="average only models of one shape, fine-tuned from one initial model",
        )
