"""Issue 13, messages: help texts keep their brackets, --quiet, model/glossary origins, the Hub probe's DNS bound."""

from __future__ import annotations

import re
import socket
import time

import pytest
import typer
from typer.testing import CliRunner

from idtrans.cli import app


def _commands(command, path=()):
    yield path, command
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from _commands(sub, (*path, name))


def _flat(text: str) -> str:
    return re.sub(r"[\s│]+", " ", text)


def test_every_bracket_in_a_help_text_survives_rich_rendering():
    root = typer.main.get_command(app)
    checked = 0
    for path, command in _commands(root):
        texts = [getattr(p, "help", None) or "" for p in command.params]
        bracketed = [re.sub(r"\\\[", "[", t) for t in texts if "[" in t]
        if not bracketed or not path:
            continue
        shown = _flat(CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "400"}).output)
        for text in bracketed:
            for fragment in re.findall(r"\[[^\]]*\]", text):
                assert _flat(fragment) in shown, (path, fragment)
                checked += 1
    assert checked >= 4  # glossary add --id, export/import --format, translate --engine


@pytest.fixture
def article(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_OFFLINE", True)
    path = tmp_path / "a.txt"
    path.write_text("Presiden Rusia Vladimir Putin berkunjung ke Pyongyang.\n", encoding="utf-8")
    return path


def test_quiet_silences_the_bundled_model_note(article, monkeypatch):
    from idtrans.pipeline.models import resolve

    monkeypatch.delenv("IDTRANS_MODEL", raising=False)
    if not resolve.bundled_model_available():
        pytest.skip("no bundled model in this checkout")
    common = ["translate", str(article), "--no-glossary", "--no-cache", "--no-tm", "--backend", "torch", "--beams", "1"]
    loud = CliRunner().invoke(app, common)
    assert loud.exit_code == 0 and "bundled offline model" in loud.stderr
    quiet = CliRunner().invoke(app, [*common, "--quiet"])
    assert quiet.exit_code == 0, quiet.output
    assert quiet.stderr == ""


def test_a_missing_hub_model_gets_a_hint_naming_it(article):
    result = CliRunner().invoke(app, ["translate", str(article), "-m", "someone/no-such-model", "--no-glossary"])
    assert result.exit_code == 1
    assert "hint: connect to the internet once so someone/no-such-model is downloaded" in result.stderr


def test_errors_name_the_environment_variable_a_value_came_from(article, tmp_path, monkeypatch):
    monkeypatch.setenv("IDTRANS_MODEL", str(tmp_path / "gone-model"))
    result = CliRunner().invoke(app, ["translate", str(article), "--no-glossary"])
    assert result.exit_code == 1 and "gone-model (from $IDTRANS_MODEL): no such model directory" in result.stderr
    monkeypatch.setenv("IDTRANS_GLOSSARY", str(tmp_path / "gone.yaml"))
    result = CliRunner().invoke(app, ["translate", str(article)])
    assert result.exit_code == 1 and "gone.yaml (from $IDTRANS_GLOSSARY): " in result.stderr


def test_the_hub_probe_bounds_a_hanging_dns_lookup(monkeypatch):
    from idtrans.pipeline.models import resolve

    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_OFFLINE", False)

    def dead_resolver(*_args, **_kwargs):
        time.sleep(5)
        raise socket.gaierror("temporary failure in name resolution")

    monkeypatch.setattr(socket, "getaddrinfo", dead_resolver)
    started = time.monotonic()
    assert resolve.hub_reachable(timeout=0.3) is False
    assert time.monotonic() - started < 1.5


@pytest.mark.parametrize("content", ["", "sets: []\n", "name: x\n"])
def test_an_empty_mix_file_gets_a_hint(tmp_path, content):
    mix = tmp_path / "mix.yaml"
    mix.write_text(content, encoding="utf-8")
    result = CliRunner().invoke(app, ["train-data", str(mix), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert f"{mix}: the mix file" in result.stderr
    assert "hint: list the parallel sets under 'sets:'" in result.stderr and "news-v2.yaml" in result.stderr
