"""Issue 13, directory runs: name clashes, output inside the input, bad files, output checked before work."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from idtrans.cli import app

ARTICLE = "Presiden Rusia Vladimir Putin berkunjung ke Pyongyang pada bulan Juni.\n"
OTHER = "Sekitar 11.000 tentara berada di wilayah perbatasan Kursk.\n"


@pytest.fixture
def run(tiny_model_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))

    def invoke(*args: str, model: str | None = None):
        options = ["--model", model or str(tiny_model_dir), "--beams", "1", "--no-glossary", "--no-tm"]
        return CliRunner().invoke(app, ["translate", *args, *options, "--no-cache", "--backend", "torch"])

    return invoke


def test_a_txt_and_a_md_are_both_translated_under_distinct_names(run, tmp_path):
    source = tmp_path / "in"
    source.mkdir()
    (source / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (source / "a.md").write_text(OTHER, encoding="utf-8")
    (source / "b.txt").write_text(OTHER, encoding="utf-8")
    result = run(str(source), "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.md.en.txt", "a.txt.en.txt", "b.en.txt"]
    assert "would both write a.en.txt: writing a.md.en.txt, a.txt.en.txt instead" in result.stderr
    assert "translated 3 file(s)" in result.stderr
    again = run(str(source), "-o", str(tmp_path / "out"))
    assert again.exit_code == 0 and "translated 0 file(s)" in again.stderr and "skipped 3" in again.stderr


@pytest.mark.parametrize("inside", [False, True], ids=["equal", "inside"])
def test_output_in_the_input_directory_reruns_without_taking_outputs_as_inputs(run, tmp_path, inside):
    source = tmp_path / "in"
    source.mkdir()
    (source / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (source / "b.md").write_text(OTHER, encoding="utf-8")
    out = source / "english" if inside else source
    first = run(str(source), "-o", str(out))
    assert first.exit_code == 0, first.output
    assert "translated 2 file(s)" in first.stderr
    for force in ([], ["--force"]):
        again = run(str(source), "-o", str(out), *force)
        assert again.exit_code == 0, again.output
        assert ("translated 2 file(s)" if force else "skipped 2 already done") in again.stderr
    assert sorted(p.name for p in out.glob("*.en.txt")) == ["a.en.txt", "b.en.txt"]


def test_one_bad_file_is_reported_and_the_rest_are_translated(run, tmp_path):
    source = tmp_path / "in"
    source.mkdir()
    (source / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (source / "b.txt").write_bytes(b"\x00\x01binary\xff")
    (source / "c.txt").write_text("", encoding="utf-8")
    (source / "d.txt").write_text(OTHER, encoding="utf-8")
    result = run(str(source), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "b.txt: skipped, " in result.stderr and "c.txt: skipped, " in result.stderr
    assert "translated 2 file(s)" in result.stderr and "2 failed" in result.stderr
    assert "2 of 4 file(s) could not be translated" in result.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.en.txt", "d.en.txt"]
    again = run(str(source), "-o", str(tmp_path / "out"))
    assert again.exit_code == 1 and "skipped 2 already done" in again.stderr and "2 failed" in again.stderr


def test_output_directory_for_a_file_input_is_refused_before_the_model_loads(run, tmp_path):
    article = tmp_path / "a.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "outdir").mkdir()
    result = run(str(article), "-o", str(tmp_path / "outdir"), model=str(tmp_path / "no-such-model"))
    assert result.exit_code == 1
    assert "the output must be a file, and this is a directory" in result.stderr
    assert "no-such-model" not in result.stderr  # checked before the model was looked at


def test_output_under_a_file_is_refused_before_the_model_loads(run, tmp_path):
    article = tmp_path / "a.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    blocker = tmp_path / "plain-file"
    blocker.write_text("x", encoding="utf-8")
    for output, source in ((blocker / "deeper" / "x.en.txt", article), (blocker / "out", tmp_path)):
        result = run(str(source), "-o", str(output), model=str(tmp_path / "no-such-model"))
        assert result.exit_code == 1, result.output
        assert "the output" in result.stderr and "no-such-model" not in result.stderr
        assert "Traceback" not in result.output
