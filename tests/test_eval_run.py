"""idtrans eval run: test-set resolution, and a whole run on the tiny model (run folder, report, gate)."""

from __future__ import annotations

import json

import pytest
from conftest import _TINY_TEXT_EN, _TINY_TEXT_ID
from typer.testing import CliRunner

from idtrans.cli import app
from idtrans.errors import EvalError, InputError
from idtrans.eval.lines import TextFile
from idtrans.eval.report import highlight, histogram_svg, render_report
from idtrans.eval.run import RunInputs, evaluate, load_inputs, prepare_run_dir, resolve_test_set
from idtrans.eval.score import TermSuccess
from idtrans.glossary import Entry, Glossary


def _pair(folder, name, n=3):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.id").write_text("".join(f"kalimat {i}\n" for i in range(n)), encoding="utf-8")
    (folder / f"{name}.en").write_text("".join(f"sentence {i}\n" for i in range(n)), encoding="utf-8")


@pytest.fixture
def data_dir(tmp_path):
    _pair(tmp_path, "dev", 4)
    _pair(tmp_path / "test", "flores200-devtest", 6)
    return tmp_path


@pytest.mark.parametrize(
    "name,expected",
    [
        ("dev", "dev.id"),
        ("flores200-devtest", "test/flores200-devtest.id"),
        ("test/flores200-devtest", "test/flores200-devtest.id"),
    ],
)
def test_named_test_sets_resolve(data_dir, name, expected):
    test_set = resolve_test_set(name, data_dir)
    assert test_set.source == data_dir / expected
    assert test_set.reference == (data_dir / expected).with_suffix(".en")


def test_data_dir_from_environment_and_errors(data_dir, monkeypatch):
    monkeypatch.setenv("IDTRANS_DATA", str(data_dir))
    assert resolve_test_set("dev").source == data_dir / "dev.id"
    with pytest.raises(EvalError) as caught:
        resolve_test_set("wmt99")
    assert "available: dev, test/flores200-devtest" in caught.value.hint
    monkeypatch.delenv("IDTRANS_DATA")
    with pytest.raises(EvalError, match="needs a data directory"):
        resolve_test_set("dev")
    with pytest.raises(EvalError, match="data directory not found"):
        resolve_test_set("dev", data_dir / "missing")
    with pytest.raises(EvalError, match="invalid test set name"):
        resolve_test_set("../etc", data_dir)


def test_limit_is_the_first_lines_and_misaligned_sets_fail(data_dir):
    inputs = load_inputs(resolve_test_set("flores200-devtest", data_dir), limit=2)
    assert inputs.source.lines == ["kalimat 0", "kalimat 1"] and inputs.limit == 2 and inputs.total_lines == 6
    assert load_inputs(resolve_test_set("dev", data_dir), limit=50).limit is None  # larger than the set: all of it
    (data_dir / "dev.en").write_text("only one\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_inputs(resolve_test_set("dev", data_dir))
    assert caught.value.where == f"{data_dir / 'dev.id'}:2"


def test_run_folder_is_never_overwritten_silently(tmp_path):
    folder = prepare_run_dir(tmp_path / "run")
    (folder / "scores.json").write_text("{}", encoding="utf-8")
    with pytest.raises(InputError, match="already holds a run"):
        prepare_run_dir(folder)
    assert prepare_run_dir(folder, force=True) == folder


def test_report_highlights_terms_and_escapes_text():
    glossary = Glossary([Entry("north-korea", ("Korea Utara",), "North Korea", forbidden=("N. Korea",))], name="g")
    inputs = RunInputs(
        "t",
        TextFile("s", ["Korea Utara <b>menyerang</b>.", "Korea Utara lagi.", "Tanpa."]),
        TextFile("r", ["North Korea <b>attacked</b>.", "North Korea again.", "Without."]),
        3,
    )
    result = evaluate(
        inputs, ["N. Korea <b>attacked</b>.", "North Korea again.", ""], term_metric=TermSuccess(glossary)
    )
    assert result.records[0].terms_missed == ["North Korea"] and result.records[0].forbidden == ["N. Korea"]
    html = render_report(result, worst=2)
    assert "<b>" not in html and "&lt;b&gt;" in html
    assert '<mark class="miss" title="north-korea: North Korea (missed)">Korea Utara</mark>' in html
    assert '<mark class="forbidden"' in html and '<mark class="ref"' in html
    assert "Glossary term failures" in html and "1 of 2 term occurrences missed" in html
    assert "Worst 2 sentences" in html and '<span class="empty">(empty)</span>' in html
    assert "<svg" in html and "1 empty hypothesis line(s)" in html


def test_histogram_and_highlight_units():
    svg = histogram_svg([0.0, 4.9, 5.0, 99.0, 100.0])
    assert svg.count("<rect") == 20 and "0–5: 2 sentence(s)" in svg and "95–100: 2 sentence(s)" in svg
    assert (
        highlight("a b c", [(2, 3, "ok", "t"), (2, 5, "miss", "longer")])
        == 'a <mark class="miss" title="longer">b c</mark>'
    )


def _files(tmp_path):
    src = tmp_path / "tiny.id"
    ref = tmp_path / "tiny.en"
    src.write_text("\n".join(_TINY_TEXT_ID) + "\n", encoding="utf-8")
    ref.write_text("\n".join(_TINY_TEXT_EN) + "\n", encoding="utf-8")
    return src, ref


def test_eval_run_end_to_end_on_the_tiny_model(tiny_model_dir, tmp_path):
    src, ref = _files(tmp_path)
    out = tmp_path / "run"
    base = tmp_path / "baseline.json"
    runner = CliRunner()
    common = [
        "eval",
        "run",
        "--src",
        str(src),
        "--ref",
        str(ref),
        "--model",
        str(tiny_model_dir),
        "--backend",
        "torch",
        "--threads",
        "1",
        "--beams",
        "2",
        "--quiet",
    ]
    first = runner.invoke(app, [*common, "--out", str(out), "--baseline", str(base), "--update-baseline"])
    assert first.exit_code == 0, first.output
    hyps = (out / "hypotheses.txt").read_text(encoding="utf-8").split("\n")[:-1]
    assert len(hyps) == len(_TINY_TEXT_ID)
    records = [json.loads(line) for line in (out / "sentences.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["source"] for r in records] == _TINY_TEXT_ID and [r["hypothesis"] for r in records] == hyps
    assert set(records[0]) >= {"line", "source", "reference", "hypothesis", "chrf", "terms"}
    assert "North Korea" in records[0]["terms"]["found"] + records[0]["terms"]["missed"]
    scores = json.loads((out / "scores.json").read_text(encoding="utf-8"))
    assert scores["model"]["identity"].startswith("torch:") and scores["settings"]["beams"] == 2
    assert scores["glossary"]["name"] and scores["scores"]["chrf"]["signature"].startswith("nrefs:1|")
    assert scores["scores"]["terms"]["matched"] >= 4
    assert "Worst 5 sentences" in (out / "report.html").read_text(encoding="utf-8")
    assert json.loads(base.read_text(encoding="utf-8"))["hypotheses"] == hyps

    again = runner.invoke(app, [*common, "--out", str(out), "--baseline", str(base)])
    assert again.exit_code == 1 and "already holds a run" in again.stderr  # earlier run kept
    rerun = runner.invoke(app, [*common, "--out", str(tmp_path / "run2"), "--baseline", str(base), "--json"])
    assert rerun.exit_code == 0, rerun.output
    assert json.loads(rerun.stdout)["gate"]["passed"] is True

    no_glossary = runner.invoke(
        app, [*common, "--out", str(tmp_path / "run3"), "--no-glossary", "--baseline", str(base)]
    )
    assert no_glossary.exit_code == 1 and "no glossary to check terms" in no_glossary.stderr


def test_eval_run_argument_errors(tmp_path, data_dir):
    runner = CliRunner()
    src, ref = _files(tmp_path)
    cases = [
        (["eval", "run"], "no test set"),
        (["eval", "run", "dev", "--src", str(src), "--ref", str(ref)], "not both"),
        (["eval", "run", "dev", "--data-dir", str(data_dir), "--update-baseline"], "needs --baseline"),
        (["eval", "run", "dev", "--data-dir", str(data_dir), "--glossary", str(src), "--no-glossary"], "contradict"),
        (["eval", "run", "nope", "--data-dir", str(data_dir)], "no test set 'nope'"),
    ]
    for args, message in cases:
        result = runner.invoke(app, args)
        assert result.exit_code == 1 and message in result.stderr, (args, result.output)
