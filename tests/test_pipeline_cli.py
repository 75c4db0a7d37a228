"""``idtrans translate`` end to end through typer's runner, on the tiny MarianMT model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from idtrans.cli import app
from idtrans.corpus.article import parse_article
from idtrans.corpus.reader import read_text


@pytest.fixture
def run(tiny_model_dir, monkeypatch, tmp_path):
    monkeypatch.setenv("IDTRANS_CACHE", str(tmp_path / "cache.sqlite"))

    def invoke(*args: str):
        result = CliRunner().invoke(
            app, ["translate", *args, "--model", str(tiny_model_dir), "--beams", "1", "--no-glossary", "--no-cache"]
        )
        return result

    return invoke


def _expected(example_article: Path):
    return parse_article(read_text(example_article), source=str(example_article))


def test_text_output_keeps_title_and_paragraphs(run, example_article):
    result = run(str(example_article), "--quiet")
    assert result.exit_code == 0, result.output
    article = _expected(example_article)
    blocks = [b for b in result.stdout.strip().split("\n\n") if b.strip()]
    assert article.title is not None
    assert len(blocks) == 1 + len(article.paragraphs) == 2


def test_jsonl_has_one_record_per_source_sentence(run, example_article):
    result = run(str(example_article), "--format", "jsonl", "--quiet")
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    article = _expected(example_article)
    assert len(records) == article.sentence_count
    assert [r["source"] for r in records] == [text for _, _, _, text in article.units()]
    assert records[0]["kind"] == "title" and records[0]["paragraph"] == 0
    assert {r["paragraph"] for r in records if r["kind"] == "body"} == {1}
    assert all(isinstance(r["seconds"], float) and "translation" in r for r in records)


def test_boilerplate_is_reported_and_can_be_kept(run, example_article):
    result = run(str(example_article), "--format", "jsonl")
    assert "removed boilerplate" in result.stderr and "Tinggalkan komentar" in result.stderr
    assert "Tinggalkan komentar" not in result.stdout
    kept = run(str(example_article), "--format", "jsonl", "--keep-boilerplate", "--quiet")
    assert "Tinggalkan komentar" in kept.stdout


def test_bilingual_pairs_each_source_paragraph_with_its_translation(run, example_article):
    result = run(str(example_article), "--format", "bilingual", "--quiet")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# Ukraina mengatakan")
    assert result.stdout.count("\n> ") == 2  # the title's translation and the one body paragraph's
    assert "Pasukan Korea Utara telah bentrok" in result.stdout


def test_stdin_is_read(tiny_model_dir):
    result = CliRunner().invoke(
        app,
        [
            "translate",
            "-",
            "--model",
            str(tiny_model_dir),
            "--no-glossary",
            "--no-cache",
            "--quiet",
            "--format",
            "jsonl",
        ],
        input="Judul\n\nPasukan bentrok. Ukraina diserang.\n",
    )
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["source"] for line in result.stdout.splitlines()] == [
        "Judul",
        "Pasukan bentrok.",
        "Ukraina diserang.",
    ]


def test_output_file_is_written_atomically(run, tmp_path):
    target = tmp_path / "out" / "article.en.txt"
    source = tmp_path / "a.txt"
    source.write_text("Judul berita\n\nPasukan Korea Utara bentrok. Ukraina diserang.\n", encoding="utf-8")
    result = run(str(source), "-o", str(target), "--quiet")
    assert result.exit_code == 0, result.output
    assert len(target.read_text(encoding="utf-8").strip().split("\n\n")) == 2
    assert not list(target.parent.glob(".*.tmp"))


def test_output_may_not_overwrite_the_input(run, tmp_path):
    source = tmp_path / "a.txt"
    source.write_text("Halo.\n", encoding="utf-8")
    result = run(str(source), "-o", str(source))
    assert result.exit_code == 1 and "output file is the input file" in result.output
    assert source.read_text(encoding="utf-8") == "Halo.\n"


def _articles(folder: Path, count: int) -> list[Path]:
    folder.mkdir()
    paths = []
    for i in range(count):
        path = folder / f"berita{i}.txt"
        path.write_text(f"Judul {i}\n\nPasukan Korea Utara bentrok di Kursk {i}. Ukraina diserang.\n", encoding="utf-8")
        paths.append(path)
    return paths


def test_directory_translation_resumes_and_force_redoes(run, tmp_path):
    _articles(tmp_path / "in", 3)
    out = tmp_path / "out"
    first = run(str(tmp_path / "in"), "-o", str(out))
    assert first.exit_code == 0, first.output
    outputs = sorted(p.name for p in out.iterdir())
    assert outputs == ["berita0.en.txt", "berita1.en.txt", "berita2.en.txt"]
    (out / "berita1.en.txt").unlink()
    stamp = (out / "berita0.en.txt").stat().st_mtime_ns
    second = run(str(tmp_path / "in"), "-o", str(out))
    assert "translated 1 file(s)" in second.stderr and "skipped 2" in second.stderr
    assert (out / "berita1.en.txt").exists() and (out / "berita0.en.txt").stat().st_mtime_ns == stamp
    forced = run(str(tmp_path / "in"), "-o", str(out), "--force")
    assert "translated 3 file(s)" in forced.stderr


def test_interrupted_directory_run_leaves_only_complete_files(tiny_model_dir, tmp_path, monkeypatch):
    from idtrans.pipeline import translate as translate_module

    _articles(tmp_path / "in", 3)
    out = tmp_path / "out"
    real = translate_module.translate_article
    calls = {"n": 0}

    def failing(article, translator):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return real(article, translator)

    monkeypatch.setattr(translate_module, "translate_article", failing)
    result = CliRunner().invoke(
        app,
        [
            "translate",
            str(tmp_path / "in"),
            "-o",
            str(out),
            "--model",
            str(tiny_model_dir),
            "--no-glossary",
            "--no-cache",
            "--beams",
            "1",
        ],
    )
    assert result.exit_code == 130
    assert sorted(p.name for p in out.iterdir()) == ["berita0.en.txt"]  # no partial or temp files
    monkeypatch.setattr(translate_module, "translate_article", real)
    rerun = CliRunner().invoke(
        app,
        [
            "translate",
            str(tmp_path / "in"),
            "-o",
            str(out),
            "--model",
            str(tiny_model_dir),
            "--no-glossary",
            "--no-cache",
            "--beams",
            "1",
        ],
    )
    assert rerun.exit_code == 0 and "translated 2 file(s)" in rerun.stderr and "skipped 1" in rerun.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.txt"], "missing.txt"),
        (["{dir}"], "needs an output directory"),
        (["{dir}/a.txt", "--glossary", "g.yaml", "--no-glossary"], "contradict"),
    ],
)
def test_bad_invocations_are_one_line_errors(run, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.txt").write_text("Halo.\n", encoding="utf-8")
    result = run(*[a.format(dir=tmp_path) for a in args])
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output


def test_binary_input_is_a_clear_error(run, tmp_path):
    binary = tmp_path / "photo.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    result = run(str(binary))
    assert result.exit_code == 1 and "photo.txt" in result.output and "Traceback" not in result.output


def test_help_lists_every_option():
    result = CliRunner().invoke(app, ["translate", "--help"])
    for option in (
        "--model",
        "--format",
        "--glossary",
        "--beams",
        "--max-new-tokens",
        "--keep-boilerplate",
        "--force",
        "--quiet",
    ):
        assert option in result.output


def test_glossary_summary_is_the_same_when_answered_from_the_cache(
    tiny_model_dir, example_article, tmp_path, monkeypatch
):
    monkeypatch.setenv("IDTRANS_CACHE", str(tmp_path / "cache.sqlite3"))
    args = [
        "translate",
        str(example_article),
        "--model",
        str(tiny_model_dir),
        "--beams",
        "1",
        "-o",
        str(tmp_path / "out.txt"),
    ]
    first = CliRunner().invoke(app, args)
    second = CliRunner().invoke(app, args)
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output

    def summary(result):
        (line,) = [line for line in result.stderr.splitlines() if line.startswith("glossary ")]
        return line

    assert "0 terms matched" not in summary(first)
    assert summary(first) == summary(second)
    assert "0 miss(es)" in second.stderr


def test_facts_are_recorded_and_flagged_sentences_marked(tiny_model_dir, example_article, tmp_path, monkeypatch):
    """End to end on the tiny model: every term, number and name has a record; review flags reach bilingual output."""
    monkeypatch.setenv("IDTRANS_CACHE", str(tmp_path / "cache.sqlite3"))
    base = ["translate", str(example_article), "--model", str(tiny_model_dir), "--beams", "1", "--backend", "torch"]
    result = CliRunner().invoke(app, [*base, "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    items = [item for record in records for item in record.get("items", [])]
    assert {item["kind"] for item in items} == {"term", "number"}  # its names are all glossary entries
    assert {item["status"] for item in items} <= {"kept", "repaired", "missed"}
    assert any(item["source"] == "11.000" and item["target"] == "11,000" for item in items)
    assert any(item["source"] == "4 November" for item in items)
    for record in records:
        for item in record.get("items", []):  # repaired means present in the translation now
            if item["status"] != "missed" and item["kind"] == "number":
                assert (
                    item["target"] in record["translation"] or item["target"].replace(",", "") in record["translation"]
                )
    assert all(isinstance(reason, str) for r in records for reason in r.get("review", []))
    assert "numbers" in result.stderr


def test_bilingual_marks_sentences_flagged_for_review(example_article):
    from idtrans.corpus.html import load_article
    from idtrans.pipeline.layers.translator import Translation
    from idtrans.pipeline.output.assemble import translate_article
    from idtrans.pipeline.output.render import render_bilingual
    from idtrans.pipeline.translate import facts_summary, term_counts

    class Flagging:
        identity = "fake:flagging"

        def translate(self, sentences):
            return [
                Translation(
                    s,
                    s.upper(),
                    0.0,
                    {"review": ["number '4 November' not in the translation"]} if "4 November" in s else {},
                )
                for s in sentences
            ]

    result = translate_article(load_article(example_article), Flagging())
    text = render_bilingual(result)
    assert "⚑1 PEJABAT AS MEMBERITAHU" in text
    assert "> ⚑1 **review** (sentence 3): number '4 November' not in the translation" in text
    assert text.count("**review**") == 1
    assert facts_summary(term_counts(r.translation for r in result.sentences)) == "; 1 sentence(s) flagged for review"


@pytest.mark.parametrize(
    ("option", "environment", "expected"), [([], None, 3), ([], "1", 1), (["--word-rounds", "2"], "1", 2)]
)
def test_word_rounds_come_from_the_option_else_the_environment_else_three(
    tiny_model_dir, tmp_path, monkeypatch, option, environment, expected
):
    import idtrans.pipeline.layers.sentences as sentences

    if environment is None:
        monkeypatch.delenv("IDTRANS_WORD_ROUNDS")
    else:
        monkeypatch.setenv("IDTRANS_WORD_ROUNDS", environment)
    seen = []
    monkeypatch.setattr(
        sentences.SentenceTranslator, "_avoid_unknown_words", lambda self, pieces: seen.append(self.settings)
    )
    source = tmp_path / "a.txt"
    source.write_text("Halo dunia.\n", encoding="utf-8")
    for command in (["translate", str(source)], ["eval", "run", "--src", str(source), "--ref", str(source)]):
        result = CliRunner().invoke(
            app,
            [*command, "--model", str(tiny_model_dir), "--beams", "1", "--no-glossary", *option]
            + (["--no-cache"] if command[0] == "translate" else ["--out", str(tmp_path / "run"), "--force"]),
        )
        assert result.exit_code == 0, result.output
        assert seen[-1].unknown_word_rounds == expected
        assert f"word_rounds={expected}" in seen[-1].describe()


def test_a_bad_word_rounds_environment_variable_is_one_clear_error(tiny_model_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("IDTRANS_WORD_ROUNDS", "three")
    source = tmp_path / "a.txt"
    source.write_text("Halo dunia.\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["translate", str(source), "--model", str(tiny_model_dir), "--no-cache"])
    assert result.exit_code == 1
    assert "$IDTRANS_WORD_ROUNDS must be a whole number from 0 to 10, not 'three'" in result.output
    assert "hint:" in result.output
