"""Issue 13: `--backend auto` converts the model once on first use, falls back to torch, cleans killed runs."""

from __future__ import annotations

import os
import shutil
import time

import pytest
from typer.testing import CliRunner

from idtrans.cli import app
from idtrans.pipeline.layers.factory import build_stack
from idtrans.pipeline.models.convert import convert_model, remove_stale_workdirs

pytest.importorskip("ctranslate2")


@pytest.fixture
def model(tiny_model_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("IDTRANS_AUTO_CONVERT", "1")
    return shutil.copytree(tiny_model_dir, tmp_path / "model")


def test_auto_converts_once_on_first_use(model, tmp_path):
    notes: list[str] = []
    first = build_stack(str(model), glossary=None, backend="auto", threads=1, notice=notes.append)
    assert first.backend.identity.startswith("ct2-int8:")
    assert len(notes) == 1 and notes[0].startswith("note: converting ") and "once" in notes[0]
    assert list((tmp_path / "xdg" / "idtrans" / "ct2").glob("*-int8/model.bin"))
    again: list[str] = []
    second = build_stack(str(model), glossary=None, backend="auto", threads=1, notice=again.append)
    assert second.backend.identity == first.backend.identity and again == []


def test_auto_falls_back_to_torch_when_conversion_fails(model, tmp_path):
    (tmp_path / "xdg").mkdir()
    (tmp_path / "xdg" / "idtrans").write_text("a file where the cache directory should be", encoding="utf-8")
    notes: list[str] = []
    stack = build_stack(str(model), glossary=None, backend="auto", threads=1, notice=notes.append)
    assert stack.backend.identity.startswith("torch:")
    assert len(notes) == 1 and "could not convert" in notes[0] and "translating with torch" in notes[0]


def test_the_switch_turns_it_off(model, monkeypatch):
    monkeypatch.setenv("IDTRANS_AUTO_CONVERT", "0")
    notes: list[str] = []
    stack = build_stack(str(model), glossary=None, backend="auto", threads=1, notice=notes.append)
    assert stack.backend.identity.startswith("torch:") and notes == []


def test_quiet_first_use_converts_silently(model, tmp_path):
    article = tmp_path / "a.txt"
    article.write_text("Presiden Rusia berkunjung ke Pyongyang.\n", encoding="utf-8")
    result = CliRunner().invoke(
        app, ["translate", str(article), "-m", str(model), "--no-glossary", "--no-cache", "--no-tm", "-q"]
    )
    assert result.exit_code == 0, result.output
    assert result.stderr == "" and list((tmp_path / "xdg" / "idtrans" / "ct2").glob("*-int8/model.bin"))


def test_work_directories_of_killed_conversions_are_removed(model, tmp_path):
    parent = tmp_path / "xdg" / "idtrans" / "ct2"
    dead_pid = 2**22 + 12345  # above Linux's pid_max default: no such process
    killed = parent / f".abc-int8.{dead_pid}.k1ll3d.tmp"
    legacy = parent / ".abc-int8.x7rq_2.tmp"  # written before the pid was in the name
    running = parent / f".abc-int8.{os.getpid()}.alive.tmp"
    ancient = parent / f".abc-int8.{os.getpid()}.old.tmp"
    for directory in (killed, legacy, running, ancient):
        (directory / "model").mkdir(parents=True)
    day_ago = time.time() - 2 * 86400
    os.utime(ancient, (day_ago, day_ago))
    convert_model(model, None, "int8")
    assert not killed.exists() and not legacy.exists() and not ancient.exists()
    assert running.exists()  # a conversion still running is left alone
    assert remove_stale_workdirs(parent) == []
