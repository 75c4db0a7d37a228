"""`idtrans average-models`: the weight average of several fine-tunes of one model (training/average.py)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from idtrans.errors import InputError
from idtrans.training.average import average_models, mean_state_dict


def _sibling(base: Path, directory: Path, *, seed: int) -> Path:
    """A copy of ``base`` (same vocabulary and shape) whose float weights are moved by seeded noise."""
    import torch
    from transformers import MarianMTModel

    shutil.copytree(base, directory)
    model = MarianMTModel.from_pretrained(base)
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.add_(torch.randn(parameter.shape, generator=generator))
    model.save_pretrained(directory)
    (directory / "README.md").write_text(f"---\nx: 1\n---\n\n# run {seed}\n\n## Data\n\nseed {seed}\n")
    return directory


@pytest.fixture(scope="module")
def siblings(tiny_model_dir, tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("soup")
    return _sibling(tiny_model_dir, root / "a", seed=1), _sibling(tiny_model_dir, root / "b", seed=2)


def test_the_average_holds_the_mean_of_every_weight_and_loads(siblings, tmp_path) -> None:
    import torch
    from transformers import MarianMTModel, MarianTokenizer

    a, b = siblings
    info = average_models([a, b], tmp_path / "soup")
    soup = MarianMTModel.from_pretrained(tmp_path / "soup").state_dict()
    first, second = MarianMTModel.from_pretrained(a).state_dict(), MarianMTModel.from_pretrained(b).state_dict()
    assert soup.keys() == first.keys()
    for name, value in soup.items():
        if value.is_floating_point():
            assert torch.allclose(value, (first[name] + second[name]) / 2, atol=1e-6), name
    assert not torch.equal(soup["model.encoder.layers.0.fc1.weight"], first["model.encoder.layers.0.fc1.weight"])
    # tied embeddings stay tied: the output projection is the shared embedding
    model = MarianMTModel.from_pretrained(tmp_path / "soup")
    assert torch.equal(model.get_output_embeddings().weight, model.get_input_embeddings().weight)
    MarianTokenizer.from_pretrained(tmp_path / "soup")
    assert info["models"] == [str(a), str(b)]
    assert json.loads((tmp_path / "soup" / "averaged.json").read_text())["models"] == [str(a), str(b)]
    card = (tmp_path / "soup" / "README.md").read_text()
    assert "weight average of 2 models" in card and f"## Model 2: `{b}`" in card
    # each model's card kept, its headings under its section and its front matter dropped
    assert "### run 2" in card and "#### Data" in card and "x: 1" not in card
    assert not list(tmp_path.glob("*-tmp"))


def test_through_the_cli_an_existing_output_needs_force(siblings, tmp_path) -> None:
    from typer.testing import CliRunner

    from idtrans.cli import app

    a, b = siblings
    runner = CliRunner()
    result = runner.invoke(app, ["average-models", str(a), str(b), "-o", str(tmp_path / "soup")])
    assert result.exit_code == 0, result.output
    assert "averaged 2 models" in result.output
    before = (tmp_path / "soup" / "model.safetensors").read_bytes()
    result = runner.invoke(app, ["average-models", str(a), str(b), "-o", str(tmp_path / "soup")])
    assert result.exit_code == 1 and "already exists" in result.output and "--force" in result.output
    assert (tmp_path / "soup" / "model.safetensors").read_bytes() == before
    result = runner.invoke(app, ["average-models", str(b), str(a), "-o", str(tmp_path / "soup"), "--force"])
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "soup" / "averaged.json").read_text())["models"] == [str(b), str(a)]


def test_models_that_do_not_match_are_refused_naming_the_one_at_fault(siblings, tmp_path) -> None:
    a, b = siblings
    other_vocab = shutil.copytree(b, tmp_path / "other-vocab")
    vocab = json.loads((other_vocab / "vocab.json").read_text())
    (other_vocab / "vocab.json").write_text(json.dumps(dict(reversed(list(vocab.items())))))
    with pytest.raises(InputError, match="vocab.json differs") as error:
        average_models([a, other_vocab], tmp_path / "x")
    assert error.value.where == str(other_vocab) and "--init" in (error.value.hint or "")

    wider = shutil.copytree(b, tmp_path / "wider")
    config = json.loads((wider / "config.json").read_text())
    (wider / "config.json").write_text(json.dumps({**config, "d_model": 32, "dropout": 0.3}))
    with pytest.raises(InputError, match=r"architecture differs from .*\(d_model\)$"):
        average_models([a, wider], tmp_path / "x")

    no_weights = shutil.copytree(b, tmp_path / "no-weights")
    (no_weights / "model.safetensors").unlink()
    with pytest.raises(InputError, match="missing model.safetensors") as error:
        average_models([a, no_weights], tmp_path / "x")
    assert error.value.where == str(no_weights)

    bad_card = shutil.copytree(b, tmp_path / "bad-card")
    (bad_card / "README.md").write_bytes(b"# run\n\xff\xfe\n")
    with pytest.raises(InputError, match="model card file is not UTF-8") as error:
        average_models([a, bad_card], tmp_path / "x")
    assert str(bad_card / "README.md") in str(error.value.where)

    broken = shutil.copytree(b, tmp_path / "broken")
    (broken / "model.safetensors").write_bytes((b / "model.safetensors").read_bytes()[:1000])
    with pytest.raises(InputError, match="cannot load the model") as error:
        average_models([a, broken], tmp_path / "x")
    assert error.value.where == str(broken)

    with pytest.raises(InputError, match="at least two"):
        average_models([a], tmp_path / "x")
    with pytest.raises(InputError, match="listed twice"):
        average_models([a, a], tmp_path / "x")
    with pytest.raises(InputError, match="is one of the models"):
        average_models([a, b], b, force=True)
    assert (b / "model.safetensors").exists()
    assert not (tmp_path / "x").exists() and not list(tmp_path.glob("*-tmp"))


def test_mean_state_dict_keeps_integers_and_refuses_other_shapes() -> None:
    import torch

    mean = mean_state_dict(
        [
            {"w": torch.tensor([1.0, 3.0]), "n": torch.tensor([7])},
            {"w": torch.tensor([2.0, 6.0]), "n": torch.tensor([7])},
        ]
    )
    assert mean["w"].tolist() == [1.5, 4.5] and mean["w"].dtype == torch.float32 and mean["n"].tolist() == [7]
    with pytest.raises(ValueError, match="shape"):
        mean_state_dict([{"w": torch.zeros(2)}, {"w": torch.zeros(3)}])
    with pytest.raises(ValueError, match="other tensors"):
        mean_state_dict([{"w": torch.zeros(2)}, {"v": torch.zeros(2)}])
    with pytest.raises(ValueError, match="no state dicts"):
        mean_state_dict([])


def test_a_failed_write_leaves_neither_output_nor_temporary_directory(siblings, tmp_path, monkeypatch) -> None:
    import idtrans.training.model_dir as model_dir

    def disk_full(_directory) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(model_dir, "share_files", disk_full)
    with pytest.raises(OSError, match="No space"):
        average_models(list(siblings), tmp_path / "soup")
    assert list(tmp_path.iterdir()) == []
