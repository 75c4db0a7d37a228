"""idtrans train: tiny-preset training, resume, contamination guard, batching, averaging, export, CLI."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from idtrans.errors import TrainingError

_SUBJECTS = [
    ("Presiden", "The president"),
    ("Menteri", "The minister"),
    ("Tentara", "The soldier"),
    ("Wartawan", "The journalist"),
    ("Petani", "The farmer"),
    ("Guru", "The teacher"),
]
_VERBS = [
    ("melihat", "saw"),
    ("membantu", "helped"),
    ("mengunjungi", "visited"),
    ("menelepon", "called"),
    ("menunggu", "waited for"),
]
_OBJECTS = [
    ("kota itu", "the city"),
    ("sekolah baru", "the new school"),
    ("pasar", "the market"),
    ("rumah sakit", "the hospital"),
    ("kantor polisi", "the police station"),
    ("desa kecil", "the small village"),
    ("pelabuhan", "the port"),
    ("bandara", "the airport"),
    ("jembatan", "the bridge"),
    ("masjid", "the mosque"),
]


def _write_corpus(directory: Path) -> tuple[Path, Path, Path]:
    """300 synthetic pairs for training, 12 dev pairs, and an eval set sharing 3 sentences with the training data."""
    pairs = [(f"{s} {v} {o}.", f"{se} {ve} {oe}.") for s, se in _SUBJECTS for v, ve in _VERBS for o, oe in _OBJECTS]
    train, dev = pairs[:290], pairs[290:]
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "train.id").write_text("\n".join(p[0] for p in train) + "\n", encoding="utf-8")
    (directory / "train.en").write_text("\n".join(p[1] for p in train) + "\n", encoding="utf-8")
    (directory / "dev.id").write_text("\n".join(p[0] for p in dev) + "\n", encoding="utf-8")
    (directory / "dev.en").write_text("\n".join(p[1] for p in dev) + "\n", encoding="utf-8")
    # Test set: three training sources, in different case and punctuation, plus one unseen sentence.
    test_src = [train[0][0].upper(), train[5][0].rstrip(".") + " !", "  " + train[7][0], "Kalimat yang tidak ada."]
    (directory / "test.id").write_text("\n".join(test_src) + "\n", encoding="utf-8")
    return directory / "train", directory / "dev", directory / "test"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Path, Path, Path]:
    return _write_corpus(tmp_path_factory.mktemp("parallel"))


def _options(corpus, output: Path, **overrides):
    from idtrans.training.loop import TrainOptions

    train, dev, test = corpus
    base = dict(
        train=[str(train)],
        output=str(output),
        dev=str(dev),
        dev_lines=0,
        exclude=[str(test)],
        preset="tiny",
        seed=3,
        max_steps=8,
        eval_every=4,
        threads=1,
        average=2,
        precision="fp32",
    )
    base.update(overrides)
    return TrainOptions(**base)


def _quiet(_message: str) -> None:
    pass


@pytest.fixture(scope="module")
def trained(corpus, tmp_path_factory):
    from idtrans.training.loop import train

    out = tmp_path_factory.mktemp("run") / "tiny"
    return train(_options(corpus, out), echo=_quiet)


def test_tiny_preset_trains_and_saves_a_loadable_model(trained) -> None:
    from transformers import MarianMTModel, MarianTokenizer

    assert trained.steps == 8
    assert [h["step"] for h in trained.history] == [4, 8]
    assert all(0 <= h["bleu"] <= 100 and 0 <= h["chrf++"] <= 100 for h in trained.history)
    model = MarianMTModel.from_pretrained(trained.best_dir)
    tokenizer = MarianTokenizer.from_pretrained(trained.best_dir)
    assert model.config.d_model == 32 and model.config.encoder_layers == 1
    assert tokenizer.convert_ids_to_tokens(model.config.pad_token_id) == "<pad>"
    assert tokenizer.eos_token_id == 0 and tokenizer.pad_token_id == len(tokenizer) - 1
    ids = tokenizer(["Presiden melihat pasar."], return_tensors="pt")
    out = model.generate(**ids, max_new_tokens=5, num_beams=1)
    assert out.shape[0] == 1
    card = (trained.best_dir / "README.md").read_text(encoding="utf-8")
    assert "## Data" in card and "contamination" in card and "training steps" in card


def test_contamination_guard_drops_eval_sentences(trained) -> None:
    report = json.loads((trained.output / "data-report.json").read_text(encoding="utf-8"))
    # 3 of the 290 training sources appear (modulo case/punctuation/space) in the test set.
    assert report["total"]["steps"]["contamination"] == 3
    assert report["total"]["input_pairs"] == 290 and report["total"]["output_pairs"] == 287
    assert any(path.endswith("test") for path in report["excluded_sets"])
    assert any(path.endswith("dev") for path in report["excluded_sets"])  # --dev is always excluded too


def test_resume_continues_exactly(corpus, tmp_path) -> None:
    import torch

    from idtrans.training.loop import train

    train(_options(corpus, tmp_path / "straight", max_steps=10, average=0), echo=_quiet)
    train(_options(corpus, tmp_path / "split", max_steps=6, average=0), echo=_quiet)
    first = torch.load(tmp_path / "split" / "last" / "state.pt", weights_only=False)
    assert first["step"] == 6
    resumed = train(_options(corpus, tmp_path / "split", max_steps=10, average=0), resume=True, echo=_quiet)
    assert resumed.steps == 10
    a = torch.load(tmp_path / "straight" / "last" / "state.pt", weights_only=False)
    b = torch.load(tmp_path / "split" / "last" / "state.pt", weights_only=False)
    assert b["scheduler"]["last_epoch"] == 10
    assert all(s["step"] == 10 for s in b["optimizer"]["state"].values())
    for key, value in a["model"].items():
        assert torch.equal(value, b["model"][key]), key


def test_resume_and_restart_errors(corpus, tmp_path, trained) -> None:
    from idtrans.training.loop import train

    with pytest.raises(TrainingError, match="nothing to resume"):
        train(_options(corpus, tmp_path / "empty"), resume=True, echo=_quiet)
    with pytest.raises(TrainingError, match="already holds a training run") as info:
        train(_options(corpus, trained.output), echo=_quiet)
    assert "--resume" in info.value.hint


def test_fine_tune_keeps_the_initial_vocabulary(corpus, tmp_path, tiny_model_dir) -> None:
    from idtrans.training.loop import train

    result = train(
        _options(
            corpus, tmp_path / "ft", init=str(tiny_model_dir), max_steps=2, eval_every=2, average=0, max_tokens=200
        ),
        echo=_quiet,
    )
    vocab = json.loads((result.best_dir / "vocab.json").read_text(encoding="utf-8"))
    assert vocab == json.loads((tiny_model_dir / "vocab.json").read_text(encoding="utf-8"))
    assert (result.best_dir / "source.spm").read_bytes() == (tiny_model_dir / "source.spm").read_bytes()


def test_unknown_preset_is_a_training_error() -> None:
    from idtrans.training.presets import get_preset

    with pytest.raises(TrainingError, match="unknown preset") as info:
        get_preset("huge")
    assert "tiny" in info.value.hint and "small" in info.value.hint


def test_small_preset_fits_the_25_mb_budget() -> None:
    from transformers import MarianConfig

    from idtrans.training.presets import PRESETS

    preset = PRESETS["small"]
    config = MarianConfig(
        vocab_size=preset.vocab_size + 1,
        decoder_vocab_size=preset.vocab_size + 1,
        pad_token_id=preset.vocab_size,
        decoder_start_token_id=preset.vocab_size,
        **preset.config_kwargs(),
    )
    d, v, ffn = config.d_model, config.vocab_size, config.encoder_ffn_dim
    enc = config.encoder_layers * (4 * d * d + 4 * d + 2 * d * ffn + d + ffn + 4 * d)
    dec = config.decoder_layers * (8 * d * d + 8 * d + 2 * d * ffn + d + ffn + 6 * d)
    params = v * d + enc + dec + v  # shared embeddings, final-logits bias
    assert params * 2 <= 25 * 1024 * 1024


def test_batches_respect_the_token_budget_and_the_seed() -> None:
    from idtrans.training.data import Example, make_batches

    examples = [Example([1] * (3 + i % 17), [1] * (2 + i % 11)) for i in range(200)]
    batches = make_batches(examples, 60, seed=5)
    assert sorted(i for b in batches for i in b) == list(range(200))
    for batch in batches:
        longest = max(max(len(examples[i].source), len(examples[i].target)) for i in batch)
        assert longest * len(batch) <= 60
    assert make_batches(examples, 60, seed=5) == batches
    assert make_batches(examples, 60, seed=6) != batches


def test_collate_shifts_targets_and_masks_padding() -> None:
    from idtrans.training.data import Example, collate

    examples = [Example([5, 6, 0], [7, 8, 9, 0]), Example([5, 0], [7, 0])]
    input_ids, mask, decoder_in, labels = collate(examples, [0, 1], pad_id=99, decoder_start_id=99)
    assert input_ids.tolist() == [[5, 6, 0], [5, 0, 99]]
    assert mask.tolist() == [[1, 1, 1], [1, 1, 0]]
    assert decoder_in.tolist() == [[99, 7, 8, 9], [99, 7, 99, 99]]
    assert labels.tolist() == [[7, 8, 9, 0], [7, 0, -100, -100]]


def test_average_state_dicts(tmp_path) -> None:
    import torch

    from idtrans.training.loop import average_state_dicts

    torch.save({"w": torch.tensor([1.0, 3.0]), "n": torch.tensor([7])}, tmp_path / "a.pt")
    torch.save({"w": torch.tensor([3.0, 5.0]), "n": torch.tensor([7])}, tmp_path / "b.pt")
    avg = average_state_dicts([tmp_path / "a.pt", tmp_path / "b.pt"])
    assert avg["w"].tolist() == [2.0, 4.0] and avg["n"].tolist() == [7]


def test_cli_help_and_missing_data() -> None:
    from typer.testing import CliRunner

    from idtrans.cli import app

    runner = CliRunner()
    result = runner.invoke(app, ["train", "--help"])
    assert result.exit_code == 0 and "--resume" in result.output and "--max-minutes" in result.output
    result = runner.invoke(app, ["train", "-o", "somewhere"])
    assert result.exit_code == 1


def test_export_float16_loads_as_float32(trained, tmp_path) -> None:
    import torch
    from safetensors import safe_open
    from transformers import MarianMTModel, MarianTokenizer

    from idtrans.training.export import export_model

    dest = tmp_path / "exported"
    info = export_model(
        trained.best_dir,
        dest,
        scores={"dev": {"bleu": 1.0, "chrf++": 2.0, "lines": 9, "beams": 4}},
        card_note="## Note\n\nhello",
        compare={"other-model": {"dev": {"bleu": 0.5, "chrf++": 1.5}}},
    )
    with safe_open(str(dest / "model.safetensors"), framework="pt") as fh:
        # safetensors handles have no __iter__: keys() is needed
        assert {fh.get_tensor(k).dtype for k in fh.keys()} == {torch.float16}  # noqa: SIM118
    model = MarianMTModel.from_pretrained(dest)
    assert next(model.parameters()).dtype == torch.float32
    MarianTokenizer.from_pretrained(dest)
    stored = json.loads((dest / "scores.json").read_text())
    assert stored["dev"]["bleu"] == 1.0 and stored["compared_with"]["other-model"]["dev"]["bleu"] == 0.5
    # issue 13: readable like any file idtrans writes (save_pretrained alone leaves the weights 0600)
    umask = os.umask(0o022)
    os.umask(umask)
    for path in [*dest.iterdir(), *trained.best_dir.iterdir()]:
        assert path.stat().st_mode & 0o777 == 0o666 & ~umask, path
    card = (dest / "README.md").read_text()
    assert "hello" in card and info["size_mb"] < 1
    assert "| `dev` | 9 | 4 | 1.0 | 2.0 | 0.5 | 1.5 |" in card
    with pytest.raises(TrainingError, match="over the"):
        export_model(trained.best_dir, tmp_path / "too-big", max_mb=0.001)
    assert not (tmp_path / "too-big").exists()
    with pytest.raises(TrainingError, match="not a complete MarianMT directory"):
        export_model(tmp_path, tmp_path / "x")


def test_export_cli_shows_compared_scores_and_rejects_bad_score_files(trained, tmp_path) -> None:
    from typer.testing import CliRunner

    from idtrans.cli import app

    ours, theirs = tmp_path / "ours.json", tmp_path / "theirs.json"
    ours.write_text(json.dumps({"dev": {"bleu": 2.0, "chrf++": 3.0}}))
    theirs.write_text(json.dumps({"dev": {"bleu": 1.0, "chrf++": 2.5}}))
    dest = tmp_path / "out"
    runner = CliRunner()
    result = runner.invoke(
        app, ["export-model", str(trained.best_dir), str(dest), "--scores", str(ours), "--compare", f"old={theirs}"]
    )
    assert result.exit_code == 0, result.output
    assert "BLEU old" in (dest / "README.md").read_text()
    for bad in (["--compare", "no-equals-sign"], ["--scores", str(tmp_path / "missing.json")]):
        result = runner.invoke(app, ["export-model", str(trained.best_dir), str(tmp_path / "never"), *bad])
        assert result.exit_code == 1 and "error:" in result.output and "Traceback" not in result.output
        assert not (tmp_path / "never").exists()
    (tmp_path / "note.md").write_bytes(b"\xff\xfe bad")
    result = runner.invoke(
        app, ["export-model", str(trained.best_dir), str(tmp_path / "never"), "--card-note", str(tmp_path / "note.md")]
    )
    assert result.exit_code == 1 and "hint: --card-note takes a UTF-8 Markdown file" in result.output
    assert not (tmp_path / "never").exists()
    (tmp_path / "list.json").write_text("[1, 2]")
    result = runner.invoke(
        app, ["export-model", str(trained.best_dir), str(tmp_path / "never"), "--scores", str(tmp_path / "list.json")]
    )
    assert result.exit_code == 1 and "JSON object" in result.output


def test_reverse_pairs_swap_the_languages_and_keep_a_tag_on_the_source() -> None:
    from idtrans.training.data import reverse_pairs

    english, indonesian = reverse_pairs(["<rel> Pada mulanya.", "Hujan turun."], ["In the beginning.", "Rain fell."])
    assert english == ["<rel> In the beginning.", "Rain fell."]
    assert indonesian == ["Pada mulanya.", "Hujan turun."]
    with pytest.raises(ValueError):
        reverse_pairs(["a"], [])


def test_a_reverse_run_trains_english_to_indonesian_and_back_translates(corpus, tmp_path) -> None:
    from typer.testing import CliRunner

    from idtrans.cli import app
    from idtrans.training.loop import _dev_set, _Log, _read_and_clean

    options = _options(corpus, tmp_path / "rev", reverse=True)
    source, target, _ = _read_and_clean(options, _Log(tmp_path / "log.jsonl", _quiet))
    subjects = {word for word, _ in _SUBJECTS}
    assert source[0].startswith("The ") and target[0].split()[0] in subjects
    dev_source, dev_reference = _dev_set(options)
    assert dev_source and dev_source[0].startswith("The ") and dev_reference and dev_reference[0].split()[0] in subjects

    train, dev, test = corpus
    runner = CliRunner()
    trained = runner.invoke(
        app,
        ["train", "-o", str(tmp_path / "rev"), "--train", str(train), "--dev", str(dev), "--dev-lines", "0",
         "--preset", "tiny", "--max-steps", "4", "--eval-every", "4", "--average", "0", "--threads", "1",
         "--precision", "fp32", "--reverse"],
    )  # fmt: skip
    assert trained.exit_code == 0, trained.output
    assert json.loads((tmp_path / "rev" / "run.json").read_text(encoding="utf-8"))["reverse"] is True
    assert "English -> Indonesian" in (tmp_path / "rev" / "best" / "README.md").read_text(encoding="utf-8")
    config = json.loads((tmp_path / "rev" / "best" / "tokenizer_config.json").read_text(encoding="utf-8"))
    assert (config["source_lang"], config["target_lang"]) == ("en", "id")  # a new vocabulary says so

    english = tmp_path / "news.en"
    english.write_text("The president saw the port.\n\nThe farmer helped the city.\nThe president saw the port.\n")
    done = runner.invoke(
        app, ["back-translate", str(tmp_path / "rev" / "best"), str(english), "-o", str(tmp_path / "bt" / "news")]
    )
    assert done.exit_code == 0, done.output
    assert "2 back-translated pairs" in done.stdout
    lines_en = (tmp_path / "bt" / "news.en").read_text(encoding="utf-8").splitlines()
    lines_id = (tmp_path / "bt" / "news.id").read_text(encoding="utf-8").splitlines()
    assert lines_en == ["The president saw the port.", "The farmer helped the city."]  # empty and repeated lines out
    assert len(lines_id) == 2

    empty = tmp_path / "empty.en"
    empty.write_text("\n \n", encoding="utf-8")
    failed = runner.invoke(
        app, ["back-translate", str(tmp_path / "rev" / "best"), str(empty), "-o", str(tmp_path / "x")]
    )
    assert failed.exit_code != 0 and "no English sentences" in failed.output


def test_evaluate_directory_scores_and_counts_lines_with_words_that_are_not_english(trained, corpus) -> None:
    from idtrans.training.evaluate import evaluate_directory, unknown_word_lines

    assert (
        unknown_word_lines(
            ["pasukan bentrok", "pasukan tiba", "dia datang"], ["troops troked", "troops pasukan", "he came"]
        )
        == 2
    )
    _, dev, _ = corpus
    result = evaluate_directory(str(trained.best_dir), {"dev": str(dev)}, beams=1, lines=3, threads=1)["dev"]
    assert set(result) == {"bleu", "chrf++", "unknown_word_lines", "lines", "beams", "seconds"}
    assert result["lines"] == 3 and 0 <= result["unknown_word_lines"] <= 3
