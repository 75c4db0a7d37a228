"""`idtrans grow-model`: a trained model made deeper with silenced new layers (training/grow.py)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from idtrans.errors import InputError
from idtrans.training.grow import grow_model


def _logits(directory: Path) -> object:
    import torch
    from transformers import MarianMTModel

    model = MarianMTModel.from_pretrained(directory).eval()
    ids = torch.tensor([[5, 9, 17, 23, 0], [7, 7, 31, 0, 0]])
    with torch.no_grad():
        return model(
            input_ids=ids, attention_mask=(ids != 0) | (torch.arange(5) == 0), decoder_input_ids=ids[:, :4]
        ).logits


def test_a_fresh_model_grown_deeper_computes_what_it_did(tiny_model_dir, tmp_path) -> None:
    """Layer norms of a fresh model are the identity map, so the silenced layers change nothing."""
    import torch
    from transformers import MarianMTModel, MarianTokenizer

    info = grow_model(tiny_model_dir, tmp_path / "grown", encoder_layers=3, decoder_layers=2)
    assert info["from"] == {"encoder": 1, "decoder": 1} and info["to"] == {"encoder": 3, "decoder": 2}
    grown = MarianMTModel.from_pretrained(tmp_path / "grown")
    assert grown.config.encoder_layers == 3 and grown.config.decoder_layers == 2
    assert info["parameters"] == sum(p.numel() for p in grown.parameters())
    assert info["parameters"] > sum(p.numel() for p in MarianMTModel.from_pretrained(tiny_model_dir).parameters())
    assert torch.allclose(_logits(tmp_path / "grown"), _logits(tiny_model_dir), atol=1e-4)
    # still tied, and the tokenizer loads from the grown directory
    assert torch.equal(grown.get_output_embeddings().weight, grown.get_input_embeddings().weight)
    MarianTokenizer.from_pretrained(tmp_path / "grown")
    record = json.loads((tmp_path / "grown" / "grown.json").read_text())
    assert record == {"source": str(tiny_model_dir), "from": info["from"], "to": info["to"]}
    card = (tmp_path / "grown" / "README.md").read_text()
    assert "3+2 layers, grown from 1+1" in card and f"## Source: `{tiny_model_dir}`" in card


def test_a_trained_model_keeps_its_layers_and_the_new_ones_start_silenced(tiny_model_dir, tmp_path) -> None:
    import torch
    from transformers import MarianMTModel

    trained = shutil.copytree(tiny_model_dir, tmp_path / "trained")
    model = MarianMTModel.from_pretrained(trained)
    generator = torch.Generator().manual_seed(3)
    with torch.no_grad():
        for name, parameter in model.named_parameters():  # layer norms too: no longer the identity
            if "embed_positions" not in name:  # (sinusoidal, rebuilt on loading)
                parameter.add_(0.3 * torch.randn(parameter.shape, generator=generator))
    model.save_pretrained(trained)
    (trained / "README.md").write_text("---\nx: 1\n---\n\n# trained run\n\n## Data\n\nnews\n")

    grow_model(trained, tmp_path / "grown", encoder_layers=2)
    old = model.state_dict()
    new = MarianMTModel.from_pretrained(tmp_path / "grown").state_dict()
    for name, value in old.items():  # every trained tensor kept; the decoder was not asked to grow
        assert torch.equal(new[name], value), name
    assert not any(name.startswith("model.decoder.layers.1.") for name in new)
    added = {name.removeprefix("model.encoder.layers.1."): v for name, v in new.items() if ".layers.1." in name}
    last = {name.removeprefix("model.encoder.layers.0."): v for name, v in old.items() if "encoder.layers.0." in name}
    assert added.keys() == last.keys()
    for part, value in added.items():
        if part.startswith(("self_attn.out_proj.", "fc2.")):
            assert not value.any(), part
        elif part == "self_attn_layer_norm.weight":
            assert torch.equal(value, torch.ones_like(value))
        elif part == "self_attn_layer_norm.bias":
            assert not value.any()
        else:  # queries, keys, values, fc1 and the last layer norm: copies of the stack's last layer
            assert torch.equal(value, last[part]), part
    # near, not equal: the trained last layer norm is applied once more
    assert not torch.allclose(_logits(tmp_path / "grown"), _logits(trained), atol=1e-4)
    card = (tmp_path / "grown" / "README.md").read_text()
    assert "### trained run" in card and "x: 1" not in card


def test_through_the_cli_and_refusals(tiny_model_dir, tmp_path) -> None:
    from typer.testing import CliRunner

    from idtrans.cli import app

    runner = CliRunner()
    out = tmp_path / "grown"
    result = runner.invoke(app, ["grow-model", str(tiny_model_dir), "-o", str(out), "--encoder-layers", "2"])
    assert result.exit_code == 0, result.output
    assert "from 1+1 to 2+1 layers" in result.output
    before = (out / "model.safetensors").read_bytes()
    result = runner.invoke(app, ["grow-model", str(tiny_model_dir), "-o", str(out), "--encoder-layers", "3"])
    assert result.exit_code == 1 and "already exists" in result.output and "--force" in result.output
    assert (out / "model.safetensors").read_bytes() == before
    result = runner.invoke(app, ["grow-model", str(tiny_model_dir), "-o", str(out), "--decoder-layers", "2", "--force"])
    assert result.exit_code == 0, result.output
    assert json.loads((out / "grown.json").read_text())["to"] == {"encoder": 1, "decoder": 2}

    with pytest.raises(InputError, match="cannot remove layers") as error:
        grow_model(out, tmp_path / "x", decoder_layers=1)
    assert error.value.where == "--decoder-layers" and "at least 2" in (error.value.hint or "")
    with pytest.raises(InputError, match="nothing to grow"):
        grow_model(out, tmp_path / "x", encoder_layers=1)
    with pytest.raises(InputError, match="is one of the models"):
        grow_model(out, out, encoder_layers=4, force=True)
    no_weights = shutil.copytree(out, tmp_path / "no-weights")
    (no_weights / "model.safetensors").unlink()
    with pytest.raises(InputError, match=r"missing model.safetensors\)") as error:
        grow_model(no_weights, tmp_path / "x", encoder_layers=4)
    assert error.value.where == str(no_weights)
    assert not (tmp_path / "x").exists() and not list(tmp_path.glob("*-tmp"))
    unshaped = shutil.copytree(out, tmp_path / "unshaped")
    config = json.loads((unshaped / "config.json").read_text())
    del config["decoder_layers"]
    (unshaped / "config.json").write_text(json.dumps(config))
    with pytest.raises(InputError, match="shape: decoder_layers missing"):
        grow_model(unshaped, tmp_path / "x", encoder_layers=4)
