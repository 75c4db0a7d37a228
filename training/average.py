"""Weight averaging of whole models ("model soup"): several fine-tunes of one initial model, merged.

Two runs fine-tuned from the same initial model stay close enough in weight space that their
element-wise mean is a model too, and often a better one than either (Wortsman et al. 2022, "Model
soups"). Issue 10 measured it on the news fine-tunes: training/CAMPAIGN.md, session 9. Checkpoints
of one run are averaged by the training loop itself (``--average``); this module averages the
outputs of different runs, which must share the architecture and the vocabulary.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from itertools import chain
from pathlib import Path
from typing import Any

from idtrans.errors import InputError
from idtrans.training.card import FRONT_MATTER
from idtrans.training.model_dir import (
    VOCABULARY_FILES,
    card_body,
    check_model_directory,
    check_output,
    load_model,
    write_model_directory,
)

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
    paths = [Path(m) for m in models]
    dest = Path(dest)
    if len(paths) < 2:
        raise InputError("averaging needs at least two models", hint="pass two or more model directories")
    if len({p.resolve() for p in paths}) < len(paths):
        raise InputError("a model is listed twice", hint="list each model once (a uniform mean weighs them equally)")
    check_output(dest, paths, force=force)
    configs = [check_model_directory(p) for p in paths]
    for path, config in zip(paths[1:], configs[1:]):
        _check_compatible(paths[0], configs[0], path, config)
    card = average_card(paths)

    # The first model receives the mean (mean_state_dict copies what it sums), so no model is loaded twice.
    model = load_model(paths[0])
    others = (load_model(p).state_dict() for p in paths[1:])
    try:
        averaged = mean_state_dict(chain([model.state_dict()], others))
    except ValueError as error:
        raise InputError(
            f"the models' weights do not match: {error}", hint="average models of one architecture"
        ) from None
    model.load_state_dict(averaged)

    write_model_directory(
        model, dest, source=paths[0], card=card, record=("averaged.json", {"models": [str(p) for p in paths]})
    )
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
        lines += ["", f"## Model {i}: `{path}`", "", card_body(path)]
    return "\n".join(lines).rstrip() + "\n"


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
