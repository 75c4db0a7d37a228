"""Growing a trained model deeper: new layers that start as near no-ops, so training continues, not restarts.

A larger model trained from scratch spends its first hours relearning what the bundled one knows:
issue 10's ``medium`` preset scored 0.31 dev BLEU after 60 minutes (training/CAMPAIGN.md, session 12).
Growing keeps every trained weight and adds layers on top of the encoder (and, if asked, the decoder):

- each new layer is a copy of the stack's last layer whose residual branches are silenced: the
  attention output projections and the second feed-forward matrix (``fc2``) are zero, so the layer
  adds nothing to its input;
- MarianMT layers normalise after each residual (post-LN), so a silenced layer still applies its
  layer norms: the ones after the silenced attention blocks are set to the identity affine map
  (weight 1, bias 0) and the last keeps the copied layer's scale and shift. A stack whose last
  layer norm is the identity (a freshly initialised model) computes exactly what it did before;
  a trained one moves a little (the bundled model: dev[400] greedy 15.52 to 14.50 with three new
  encoder layers) and recovers within the first hundreds of steps.

The zero matrices still receive gradients (their inputs are not zero), so the new layers start
learning at the first step. The vocabulary, tokenizer and every other setting are the source's.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from idtrans.errors import InputError
from idtrans.training.card import FRONT_MATTER
from idtrans.training.model_dir import (
    card_body,
    check_model_directory,
    check_output,
    load_model,
    write_model_directory,
)

#: Per stack: the parameters zeroed in a new layer (its residual branches' output projections) and
#: the layer norms set to the identity (all but the layer's last, ``final_layer_norm``).
_SILENCED = {
    "encoder": (("self_attn.out_proj", "fc2"), ("self_attn_layer_norm",)),
    "decoder": (
        ("self_attn.out_proj", "encoder_attn.out_proj", "fc2"),
        ("self_attn_layer_norm", "encoder_attn_layer_norm"),
    ),
}


def grown_state_dict(state: Mapping[str, Any], old: Mapping[str, int], new: Mapping[str, int]) -> dict[str, Any]:
    """``state`` with each stack ("encoder", "decoder") grown from ``old[stack]`` to ``new[stack]`` layers.

    Tensors outside the layer stacks and the existing layers are kept as they are (cloned); layer
    ``i >= old`` is a silenced copy of layer ``old - 1`` (see the module docstring).
    """
    grown = {name: value.clone() for name, value in state.items()}
    for stack, (zeroed, identity_norms) in _SILENCED.items():
        prefix = f"model.{stack}.layers."
        last = f"{prefix}{old[stack] - 1}."
        template = {name[len(last) :]: value for name, value in state.items() if name.startswith(last)}
        for index in range(old[stack], new[stack]):
            for part, value in template.items():
                value = value.clone()
                module = part.rsplit(".", 1)[0]
                if module in zeroed:
                    value.zero_()
                elif module in identity_norms:
                    value.fill_(1.0 if part.endswith(".weight") else 0.0)
                grown[f"{prefix}{index}.{part}"] = value
    return grown


def grow_model(
    source: str | Path,
    dest: str | Path,
    *,
    encoder_layers: int | None = None,
    decoder_layers: int | None = None,
    force: bool = False,
) -> dict[str, Any]:
    """Write ``dest``: ``source`` with more encoder and/or decoder layers (see the module docstring).

    ``None`` keeps a stack's depth; a stack can only grow. The tokenizer and generation settings are
    copied; the card names the source and keeps its card. ``dest`` is written completely or not at all;
    an existing one is replaced only with ``force``. Raises InputError for a bad source or depth.
    """
    source, dest = Path(source), Path(dest)
    check_output(dest, [source], force=force)
    check_model_directory(source)
    model = load_model(source)  # its config has every shape setting (defaults filled in), unlike config.json
    old = {"encoder": model.config.encoder_layers, "decoder": model.config.decoder_layers}
    new = {
        "encoder": old["encoder"] if encoder_layers is None else encoder_layers,
        "decoder": old["decoder"] if decoder_layers is None else decoder_layers,
    }
    for stack, option in (("encoder", "--encoder-layers"), ("decoder", "--decoder-layers")):
        if new[stack] < old[stack]:
            raise InputError(
                f"the model has {old[stack]} {stack} layers; growing cannot remove layers (asked for {new[stack]})",
                where=option,
                hint=f"pass at least {old[stack]}",
            )
    if new == old:
        raise InputError(
            f"nothing to grow: the model already has {old['encoder']} encoder and {old['decoder']} decoder layers",
            hint="pass --encoder-layers or --decoder-layers above the current depth",
        )

    from transformers import MarianMTModel

    model.config.encoder_layers, model.config.decoder_layers = new["encoder"], new["decoder"]
    grown = MarianMTModel(model.config)
    grown.load_state_dict(grown_state_dict(model.state_dict(), old, new))
    card = grow_card(source, old, new)
    write_model_directory(
        grown, dest, source=source, card=card, record=("grown.json", {"source": str(source), "from": old, "to": new})
    )
    return {"dest": str(dest), "from": old, "to": new, "parameters": sum(p.numel() for p in grown.parameters())}


def grow_card(source: Path, old: Mapping[str, int], new: Mapping[str, int]) -> str:
    """The grown model's card: how it was grown, then the source's own card under it."""
    shape = f"{new['encoder']}+{new['decoder']} layers, grown from {old['encoder']}+{old['decoder']}"
    lines = [
        *FRONT_MATTER,
        "",
        f"# idtrans MarianMT ({shape})",
        "",
        f"Made with `idtrans grow-model` from `{source}`: its weights, plus new layers that start as silenced",
        "copies of each stack's last layer (zero residual-branch outputs), to be trained further with",
        "`idtrans train --init`. Tokenizer and generation settings are the source's.",
        "",
        f"## Source: `{source}`",
        "",
        card_body(source),
    ]
    return "\n".join(lines).rstrip() + "\n"
