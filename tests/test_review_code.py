"""Findings of the code review of issues 11 and 13 (one concept in one place, no silent loss), each pinned."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
from pathlib import Path
from types import SimpleNamespace

import pytest
from fakes import DESK_GLOSSARY
from typer.testing import CliRunner

from idtrans import io
from idtrans.cli import app
from idtrans.errors import InputError, ModelError, first_line
from idtrans.eval.runner import rewrite_baseline
from idtrans.pipeline.backends.ct2_backend import load_ct2_backend
from idtrans.pipeline.backends.load import load_backend
from idtrans.pipeline.layers.factory import build_stack
from idtrans.pipeline.models import autoconvert, convert, converted, resolve
from idtrans.pipeline.models.resolve import DEFAULT_MODEL


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (RuntimeError("  first\nsecond\n"), "first"),
        (ValueError(""), "ValueError"),
        (MemoryError(), "MemoryError"),
        (InputError("cannot read it\nmore detail", where="a.txt", hint="fix it"), "cannot read it"),
        (ModelError("bad model", where="x/y"), "bad model"),
    ],
)
def test_first_line_of_an_error(error, expected):
    assert first_line(error) == expected


# -- 1. a cached default model that cannot be used: the bundled model stands in, and the notice says why


@pytest.fixture
def hub_cache(monkeypatch, tmp_path, tiny_model_dir):
    """An offline machine whose Hugging Face cache holds a default-model snapshot; the tiny model is bundled."""
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf-cache"))
    monkeypatch.delenv("IDTRANS_MODEL", raising=False)
    monkeypatch.setattr(resolve, "hub_reachable", lambda timeout=0: False)
    monkeypatch.setattr(resolve, "BUNDLED_MODEL_DIR", tiny_model_dir)
    repo = tmp_path / "hf-cache" / f"models--{DEFAULT_MODEL.replace('/', '--')}"
    revision = "0123456789abcdef0123456789abcdef01234567"
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(revision)
    snapshot = repo / "snapshots" / revision
    shutil.copytree(tiny_model_dir, snapshot)
    return snapshot


def test_a_usable_cached_default_model_is_chosen(hub_cache):
    choice = resolve.choose_model(None)
    assert (choice.origin, choice.path, choice.fallback_reason) == ("default", hub_cache, None)


def test_an_unusable_cached_default_model_falls_back_and_says_why(hub_cache, tiny_model_dir):
    (hub_cache / "source.spm").unlink()
    choice = resolve.choose_model(None)
    assert choice.is_bundled and choice.path == tiny_model_dir
    assert choice.fallback_reason == "tokenizer files missing: source.spm"
    notes: list[str] = []
    load_backend(choice, notice=notes.append)
    assert len(notes) == 1 and "\n" not in notes[0]
    assert (
        "bundled offline model" in notes[0] and f"{DEFAULT_MODEL} cannot be used: tokenizer files missing" in notes[0]
    )


def test_an_unreadable_cache_entry_is_named_in_the_fallback(hub_cache):
    shutil.rmtree(hub_cache)  # refs/main names a snapshot that is gone
    choice = resolve.choose_model(None)
    assert choice.is_bundled and "cache" in (choice.fallback_reason or "")


def test_the_fallback_reason_is_a_notice_that_quiet_silences(hub_cache, tmp_path):
    (hub_cache / "config.json").write_text('{"model_type": "t5"}', encoding="utf-8")
    article = tmp_path / "a.txt"
    article.write_text("Presiden Rusia berkunjung ke Pyongyang.\n", encoding="utf-8")
    command = ["translate", str(article), "--no-glossary", "--no-cache", "--no-tm", "--backend", "torch"]
    loud = CliRunner().invoke(app, command)
    assert loud.exit_code == 0, loud.output
    assert [line for line in loud.stderr.splitlines() if line.startswith("note:")] == [
        line for line in loud.stderr.splitlines() if "'t5' model" in line
    ]
    quiet = CliRunner().invoke(app, [*command, "-q"])
    assert quiet.exit_code == 0 and quiet.stderr == ""


def test_an_offline_machine_without_the_default_model_gets_the_plain_notice(hub_cache):
    shutil.rmtree(hub_cache.parent.parent)
    choice = resolve.choose_model(None)
    assert choice.is_bundled and choice.fallback_reason is None
    assert "go online once" in resolve.bundled_notice(choice.fallback_reason)


def test_an_unusable_cached_model_asked_for_by_name_is_an_error_that_says_why(hub_cache):
    shutil.rmtree(hub_cache)
    with pytest.raises(ModelError, match="Hugging Face cache cannot be read: .*and the Hub cannot be reached"):
        resolve.choose_model(DEFAULT_MODEL)


# -- 2. the weights digest is computed once per run, not once per helper that needs it


@pytest.fixture
def convertible(tiny_model_dir, tmp_path, monkeypatch):
    """A fresh copy of the tiny model, automatic conversion on, an empty idtrans cache; counts weight hashing."""
    pytest.importorskip("ctranslate2")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("IDTRANS_AUTO_CONVERT", "1")
    hashed: list[int] = []

    def counting_sha256(*args: object) -> object:
        hashed.append(1)
        return hashlib.sha256(*args)

    monkeypatch.setattr(converted, "hashlib", SimpleNamespace(sha256=counting_sha256))
    return shutil.copytree(tiny_model_dir, tmp_path / "model"), hashed


def test_translate_backend_auto_hashes_the_weights_once(convertible):
    model, hashed = convertible
    first = build_stack(str(model), glossary=None, backend="auto", threads=1, notice=lambda _line: None)
    assert first.backend.identity.startswith("ct2-int8:")
    assert len(hashed) == 1  # was 4: converted_copy twice, default_converted_dir, convert_model (+1 loading ct2)
    (model / "config.json").touch()  # a changed file (new mtime) is hashed again, once
    hashed.clear()
    build_stack(str(model), glossary=None, backend="auto", threads=1, notice=lambda _line: None)
    assert len(hashed) == 1


def test_model_convert_hashes_the_weights_once(convertible):
    model, hashed = convertible
    result = CliRunner().invoke(app, ["model", "convert", str(model)])
    assert result.exit_code == 0, result.output
    assert len(hashed) == 1  # was 2: convert_model, then converted_copy to say whether auto finds it


# -- 3. --backend ct2 converts through the same locked path as --backend auto


def test_the_ct2_backend_converts_under_the_auto_conversion_lock(convertible, monkeypatch):
    from filelock import FileLock

    model, _ = convertible
    monkeypatch.setattr(autoconvert, "LOCK_SECONDS", 0.2)
    destination = converted.default_converted_dir(model, "int8")
    destination.parent.mkdir(parents=True)
    held = FileLock(str(destination) + ".lock")  # another process is converting this model
    with held, pytest.raises(ModelError, match="another process has been converting it") as caught:
        load_ct2_backend(model, threads=1, notice=lambda _line: None)
    assert str(destination) + ".lock" in (caught.value.hint or "")
    assert not destination.exists()
    notes: list[str] = []
    backend = load_ct2_backend(model, threads=1, notice=notes.append)
    assert backend.path == destination and len(notes) == 1 and notes[0].startswith("note: converting ")


# -- 4. generation_config.json is read by one helper that names a malformed file instead of ignoring it


@pytest.mark.parametrize(
    ("content", "message", "line"),
    [
        ('{"forced_eos_token_id": 0,\n  "bad_words_ids": [[1]]\n  "num_beams": 4}', "is not valid JSON", ":3"),
        ("[1, 2]", "holds a JSON list, not an object", ""),
        ('{"bad_words_ids": [58100]}', "bad_words_ids must be a list of token-id lists", ""),
        ('{"forced_eos_token_id": "</s>"}', "forced_eos_token_id must be a token id", ""),
    ],
)
def test_a_malformed_generation_config_is_a_clear_error(tiny_model_dir, tmp_path, content, message, line):
    model = shutil.copytree(tiny_model_dir, tmp_path / "model")
    (model / "generation_config.json").write_text(content, encoding="utf-8")
    with pytest.raises(ModelError, match=message) as caught:
        convert._generation_config(model)
    assert caught.value.where == f"{model / 'generation_config.json'}{line}" and caught.value.hint


def test_the_generation_config_fields_the_conversion_records(tiny_model_dir, tmp_path):
    model = shutil.copytree(tiny_model_dir, tmp_path / "model")
    vocab = json.loads((model / "vocab.json").read_text(encoding="utf-8"))
    pad = vocab["<pad>"]
    (model / "generation_config.json").write_text(
        json.dumps({"forced_eos_token_id": None, "bad_words_ids": [[pad]]}), encoding="utf-8"
    )
    generation = convert._generation_config(model)
    assert convert._forced_eos(generation, {"forced_eos_token_id": 0}) is False
    assert convert._banned_tokens(model, generation) == [["<pad>"]]
    (model / "generation_config.json").unlink()
    assert convert._generation_config(model) == {}
    assert convert._forced_eos({}, {"forced_eos_token_id": 0}) is True


def test_a_model_config_that_is_not_an_object_is_a_model_error(tiny_model_dir, tmp_path):
    model = shutil.copytree(tiny_model_dir, tmp_path / "model")
    (model / "config.json").write_text('["marian"]', encoding="utf-8")
    with pytest.raises(ModelError, match="config.json holds a JSON list"):
        resolve.choose_model(str(model))


def test_a_model_config_without_its_shape_is_refused_not_filled_with_defaults(tiny_model_dir, tmp_path):
    # transformers would build 12 encoder layers (its default) and leave the ones the weights lack random
    model = shutil.copytree(tiny_model_dir, tmp_path / "model")
    config = json.loads((model / "config.json").read_text(encoding="utf-8"))
    del config["encoder_layers"], config["d_model"]
    (model / "config.json").write_text(json.dumps(config), encoding="utf-8")
    with pytest.raises(ModelError, match="does not give the model's shape: d_model, encoder_layers missing") as error:
        resolve.choose_model(str(model))
    assert error.value.where == str(model / "config.json") and "save_pretrained" in (error.value.hint or "")


# -- 5. glossary check reads a saved web page as translation reads it: its text, not its markup


PAGE = """<!doctype html>
<html><head><title>Pasukan tiba</title><script>var tag = "Korea Utara";</script></head>
<body><nav><a href="/">Korea Utara</a></nav>
<article><h1>Pasukan tiba</h1>
<p>Pasukan <b>Korea</b> Utara tiba di Kursk pada hari Senin setelah perjalanan panjang.</p>
<p>Mereka disambut oleh pejabat setempat di kota itu pada pagi hari.</p></article>
</body></html>
"""


def test_glossary_check_reads_an_html_page_as_translation_does(tmp_path):
    glossary = tmp_path / "desk.yaml"
    glossary.write_text(DESK_GLOSSARY, encoding="utf-8")
    page = tmp_path / "a.html"
    page.write_text(PAGE, encoding="utf-8")
    english = tmp_path / "a.en.txt"
    english.write_text(
        "Troops arrive\n\nTroops of North Korea arrived in Kursk on Monday after a long journey.\n\n"
        "They were welcomed by local officials in the city in the morning.\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["glossary", "check", str(page), str(english), "-g", str(glossary), "--json"])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    # one "Korea Utara" in the article text (split by <b>): neither the markup nor the script or nav counts
    assert [(r["entry"], r["status"], r["in_source"]) for r in records] == [("north-korea", "applied", 1)]


# -- 6. the umask is read without setting it (a thread writing meanwhile would get mode 0666/0777)


@pytest.fixture
def umask_022():
    set_umask = os.umask  # the tests replace os.umask
    old = set_umask(0o022)
    yield
    set_umask(old)


def _umask_must_not_change(*_args: object) -> int:
    raise AssertionError("os.umask called while writing a file")


@pytest.mark.skipif(not Path("/proc/self/status").is_file(), reason="needs /proc")
def test_writing_a_new_file_never_sets_the_umask(umask_022, monkeypatch, tmp_path):
    monkeypatch.setattr(io.os, "umask", _umask_must_not_change)
    written = io.atomic_write_text(tmp_path / "new.txt", "satu\n")
    assert stat.S_IMODE(written.stat().st_mode) == 0o644
    assert io.current_umask() == 0o022


def test_without_proc_the_umask_read_at_import_is_used(umask_022, monkeypatch, tmp_path):
    monkeypatch.setattr(io, "_PROC_STATUS", tmp_path / "no-proc")
    monkeypatch.setattr(io, "_IMPORT_UMASK", 0o027)
    monkeypatch.setattr(io.os, "umask", _umask_must_not_change)
    assert io.current_umask() == 0o027
    written = io.atomic_write_text(tmp_path / "new.txt", "satu\n")
    assert stat.S_IMODE(written.stat().st_mode) == 0o640


def test_the_umask_read_by_setting_restores_it(umask_022):
    assert io._umask_by_setting() == 0o022 and io.current_umask() == 0o022
    os.umask(0o027)
    assert io.current_umask() == 0o027 or not Path("/proc/self/status").is_file()


def test_newlines_are_written_as_asked(tmp_path):
    assert io.atomic_write_text(tmp_path / "a.txt", "a\nb\n").read_bytes() == b"a\nb\n"
    assert io.atomic_write_text(tmp_path / "b.txt", "a\nb\n", newline="\r\n").read_bytes() == b"a\r\nb\r\n"


# -- 7. --update-baseline never overwrites a file it cannot read as a baseline


@pytest.fixture
def scored_files(tmp_path):
    hyp = tmp_path / "hyp.en"
    ref = tmp_path / "ref.en"
    hyp.write_text("The troops arrived.\nThey left on Monday.\n", encoding="utf-8")
    ref.write_text("The troops arrived.\nThey left on Monday morning.\n", encoding="utf-8")
    return hyp, ref


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"my notes, not a baseline\n", "not valid JSON"),
        (b'{"format": "something-else"}\n', "not an idtrans baseline"),
        (b"\xff\xfe binary", "not UTF-8"),
    ],
)
def test_update_baseline_refuses_to_overwrite_an_unreadable_file(scored_files, tmp_path, content, problem):
    hyp, ref = scored_files
    baseline = tmp_path / "results" / "baseline.json"
    baseline.parent.mkdir()
    baseline.write_bytes(content)
    with pytest.raises(InputError, match=f"refusing to overwrite .*{problem}") as caught:
        rewrite_baseline(hyp, baseline, ref)
    assert baseline.read_bytes() == content  # the user's file is untouched
    assert str(baseline) in (caught.value.where or "") and "move it aside" in (caught.value.hint or "")
    result = CliRunner().invoke(
        app, ["eval", "gate", str(hyp), "--baseline", str(baseline), "--ref", str(ref), "--update-baseline"]
    )
    assert result.exit_code == 1 and baseline.read_bytes() == content
    assert next(line for line in result.stderr.splitlines() if line.startswith("error:")).count("refusing") == 1
    baseline.rename(tmp_path / "moved-aside.json")
    assert "baseline written" in rewrite_baseline(hyp, baseline, ref)
    assert "bleu" in rewrite_baseline(hyp, baseline, ref)  # a readable baseline is replaced, with the change shown


def test_update_baseline_creates_the_folder_of_a_new_baseline(scored_files, tmp_path):
    hyp, ref = scored_files
    baseline = tmp_path / "new" / "dir" / "baseline.json"
    rewrite_baseline(hyp, baseline, ref)
    assert json.loads(baseline.read_text(encoding="utf-8"))["format"]
