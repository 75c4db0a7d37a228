"""The public Python API: README's example runs as written; load_translator / score / GlossarySpec behave."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

import idtrans
from idtrans.errors import EvalError, InputError
from idtrans.settings import DEFAULT_GLOSSARY, glossary_option, resolve_glossary

ROOT = Path(__file__).resolve().parents[1]


def _readme_python_block() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Using idtrans from Python", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    assert len(blocks) == 1, "the section has exactly one Python example"
    return blocks[0]


def test_readme_example_runs(tiny_model_dir, monkeypatch, capsys):
    monkeypatch.setenv("IDTRANS_MODEL", str(tiny_model_dir))
    monkeypatch.delenv("IDTRANS_GLOSSARY", raising=False)
    monkeypatch.chdir(ROOT)
    exec(compile(_readme_python_block(), "README.md", "exec"), {})
    out = capsys.readouterr().out
    assert out.count("\n") > 5
    assert re.search(r"^glossary: \d+ terms matched, \d+ missed$", out, flags=re.M)
    assert re.search(r"^BLEU \d+\.\d, chrF\+\+ \d+\.\d, term success 100%$", out, flags=re.M)


def test_translate_article_records_match_the_jsonl_output(tiny_model_dir, tmp_path):
    """translate_article gives the records `idtrans translate --format jsonl` prints, and the same English."""
    from idtrans.cli import app

    example_article = tmp_path / "short.id.txt"
    example_article.write_text("Judul berita\n\nPasukan tiba di Kursk. Menteri berbicara.\n\nIklan\n", encoding="utf-8")
    translator = idtrans.load_translator(tiny_model_dir, glossary=None, backend="torch", beams=1)
    article = translator.translate_article(example_article.read_text(encoding="utf-8"), source=str(example_article))
    args = ["translate", str(example_article), "--model", str(tiny_model_dir), "--beams", "1", "--no-glossary"]
    cli = CliRunner().invoke(app, [*args, "--no-cache", "--format", "jsonl", "--backend", "torch"])
    assert cli.exit_code == 0, cli.output
    printed = [json.loads(line) for line in cli.stdout.splitlines() if line.startswith("{")]
    drop_time = [{k: v for k, v in r.items() if k != "seconds"} for r in printed]
    assert drop_time == [{k: v for k, v in r.items() if k != "seconds"} for r in article.records]
    text = CliRunner().invoke(app, [*args, "--no-cache", "--backend", "torch"])
    assert text.stdout.rstrip("\n") == article.english.rstrip("\n")
    assert len(article) == 3 and [r["kind"] for r in article.records] == ["title", "body", "body"]
    english = translator.translate([r["source"] for r in article.records])
    assert len(english) == 3 and all(isinstance(line, str) for line in english)


def test_score_matches_eval_score_and_needs_sources_for_terms():
    hyps = ["the cat sat on the mat", "a dog barked"]
    refs = ["the cat sat on the mat", "the dog barked loudly"]
    import sacrebleu

    scores = idtrans.score(hyps, refs)
    assert scores.terms is None and 0 < scores.bleu < 100
    assert scores.bleu == pytest.approx(sacrebleu.corpus_bleu(hyps, [refs]).score)
    assert scores.chrf == pytest.approx(sacrebleu.corpus_chrf(hyps, [refs], word_order=2).score)
    assert set(scores.to_dict()) == {"bleu", "chrf", "ter"}
    with pytest.raises(EvalError, match="source sentences"):
        idtrans.score(hyps, refs, glossary=DEFAULT_GLOSSARY)
    with pytest.raises(EvalError, match="ter was not computed"):
        _ = idtrans.score(hyps, refs, metrics=["bleu"]).ter


def test_glossary_spec_has_one_meaning_per_value(tmp_path, monkeypatch):
    mine = tmp_path / "mine.yaml"
    monkeypatch.delenv("IDTRANS_GLOSSARY", raising=False)
    assert resolve_glossary(None) is None
    assert resolve_glossary(mine) == mine and resolve_glossary(str(mine)) == mine
    assert resolve_glossary(DEFAULT_GLOSSARY) == idtrans.glossary.default_glossary_path()
    monkeypatch.setenv("IDTRANS_GLOSSARY", str(mine))
    assert resolve_glossary(DEFAULT_GLOSSARY) == mine
    assert glossary_option(None, False) is DEFAULT_GLOSSARY
    assert glossary_option(None, True) is None
    assert glossary_option(mine, False) == mine
    with pytest.raises(InputError, match="contradict"):
        glossary_option(mine, True)
