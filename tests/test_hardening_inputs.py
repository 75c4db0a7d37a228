"""Hardening (issue 13): careless and hostile input to glossary editing and article reading."""

from __future__ import annotations

import os
import stat
import time

import pytest
from fakes import DESK_GLOSSARY
from typer.testing import CliRunner

from idtrans.cli import app
from idtrans.corpus.article import parse_article
from idtrans.corpus.reader import normalise_text
from idtrans.errors import GlossaryError
from idtrans.glossary import load_glossary
from idtrans.glossary.edit import add_entry, edit_entry, lock_path

GLOSSARY = (
    DESK_GLOSSARY
    + """\
  - id: zelensky
    source: [Volodymyr Zelensky]
    target: Volodymyr Zelensky
    category: person
"""
)

BOMB = "".join(
    [f"a0: &a0 [{', '.join(['lol'] * 9)}]\n"]
    + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 9)]
    + ["version: 1\nentries: []\n"]
)


@pytest.fixture
def desk(tmp_path):
    path = tmp_path / "desk.yaml"
    path.write_text(GLOSSARY, encoding="utf-8")
    return path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_yaml_alias_bomb_is_refused_at_once(tmp_path):
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(BOMB, encoding="utf-8")
    started = time.monotonic()
    with pytest.raises(GlossaryError) as error:
        load_glossary(bomb)
    assert time.monotonic() - started < 5  # was minutes to hours before aliases were refused
    assert "anchor &a0" in str(error.value) and f"{bomb}:1" in str(error.value)
    result = CliRunner().invoke(app, ["glossary", "lint", str(bomb)])
    assert result.exit_code == 1 and "not allowed" in result.output


def test_an_alias_alone_is_refused_with_its_line(tmp_path):
    path = tmp_path / "alias.yaml"
    path.write_text(
        GLOSSARY.replace("target: North Korea", "target: &nk North Korea")
        + "  - id: dprk\n    source: [DPRK]\n    target: *nk\n",
        encoding="utf-8",
    )
    with pytest.raises(GlossaryError, match=r"alias\.yaml:6: YAML anchor &nk"):
        load_glossary(path)


def test_editing_through_a_symlink_edits_the_shared_file(tmp_path, desk):
    link = tmp_path / "mine.yaml"
    link.symlink_to(desk)
    add_entry(link, {"source": ["Rusia"], "target": "Russia", "category": "place"})
    assert link.is_symlink()
    assert "Rusia" in desk.read_text(encoding="utf-8")
    assert lock_path(link) == lock_path(desk) == desk.with_name(".desk.yaml.lock")


def test_written_files_keep_or_get_ordinary_permissions(tmp_path, desk):
    os.chmod(desk, 0o664)
    add_entry(desk, {"source": ["Rusia"], "target": "Russia"})
    assert stat.S_IMODE(desk.stat().st_mode) == 0o664
    assert stat.S_IMODE(lock_path(desk).stat().st_mode) & 0o060 == 0o060  # group may take the lock too
    new = tmp_path / "new.yaml"
    add_entry(new, {"source": ["Rusia"], "target": "Russia"})
    assert stat.S_IMODE(new.stat().st_mode) == 0o666 & ~_umask()


def test_lock_lives_beside_the_glossary_not_in_tmp(desk):
    add_entry(desk, {"source": ["Rusia"], "target": "Russia"})
    assert lock_path(desk).parent == desk.parent


def test_an_edit_that_changes_nothing_says_so(desk):
    with pytest.raises(GlossaryError, match="'Korea Utara' is already a source form"):
        edit_entry(desk, "north-korea", {}, add_sources=["Korea Utara"])
    result = CliRunner().invoke(app, ["glossary", "edit", "north-korea", "--target", "North Korea", "-g", str(desk)])
    assert result.exit_code == 1 and "nothing changed" in result.output
    assert desk.read_text(encoding="utf-8") == GLOSSARY


def test_lint_takes_the_file_as_an_argument(desk):
    result = CliRunner().invoke(app, ["glossary", "lint", str(desk)])
    assert result.exit_code == 0, result.output
    clash = CliRunner().invoke(app, ["glossary", "lint", str(desk), "-g", str(desk) + ".other"])
    assert clash.exit_code == 1 and "two different glossaries" in clash.output


def test_check_leaves_boilerplate_out(tmp_path, desk):
    source = tmp_path / "a.id.txt"
    source.write_text(
        "Judul berita\n\nPasukan Korea Utara tiba.\n\nBACA JUGA: Korea Utara menguji rudal\n", encoding="utf-8"
    )
    english = tmp_path / "a.en.txt"
    english.write_text("News title\n\nTroops of North Korea arrived.\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["glossary", "check", str(source), str(english), "-g", str(desk)])
    assert "(1/1)" in result.output, result.output  # the related link's "Korea Utara" is not counted
    kept = CliRunner().invoke(
        app, ["glossary", "check", str(source), str(english), "-g", str(desk), "--keep-boilerplate"]
    )
    assert "(1/2)" in kept.output, kept.output


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("Korea\u200bUtara", "Korea Utara"),
        ("Volodymyr\u200b Zelensky", "Volodymyr Zelensky"),
        ("Zelen\u00adsky", "Zelensky"),
        ("pa\u200dsukan", "pasukan"),
        ("Korea\u2060Utara", "Korea Utara"),
        ("\ufeffjudul", "judul"),
        ("ke\u200bdua", "kedua"),  # lower-case on both sides: a word, not two
    ],
)
def test_invisible_characters_are_normalised(raw, clean):
    assert normalise_text(raw) == clean


def test_invisible_characters_no_longer_defeat_glossary_matching(desk):
    from idtrans.glossary.matcher import Matcher

    glossary = load_glossary(desk)
    article = parse_article("Pasukan Korea\u200bUtara dan Volodymyr\u200b Zelensky.", layout="text")
    found = {m.entry.id for m in Matcher(glossary.entries).match(article.paragraphs[0].text)}
    assert found == {"north-korea", "zelensky"}


def test_text_layout_makes_each_line_a_paragraph():
    text = "Judul\nKalimat pertama paragraf satu.\nParagraf dua di baris kedua.\nSatu kalimat per baris"
    article = parse_article(text, layout="text")
    assert article.title == "Judul"
    assert [p.text for p in article.paragraphs] == [
        "Kalimat pertama paragraf satu.",
        "Paragraf dua di baris kedua.",
        "Satu kalimat per baris",
    ]


def test_text_layout_keeps_hard_wrapped_paragraphs_whole():
    text = (
        "Judul\n\nPasukan Korea Utara telah bentrok dengan pasukan Ukraina untuk\n"
        "pertama kalinya, kata seorang pejabat tinggi Ukraina dalam sebuah\n"
        "wawancara dengan penyiar Korea Selatan KBS pada hari Kamis.\n\n"
        "Paragraf kedua yang pendek.\n"
    )
    article = parse_article(text, layout="text")
    assert len(article.paragraphs) == 2
    assert article.paragraphs[0].text.startswith("Pasukan Korea Utara") and article.paragraphs[0].text.endswith(
        "Kamis."
    )


def test_markdown_list_items_do_not_merge():
    text = "# Judul\n\nDaftar:\n- butir satu\n- butir dua\n1. nomor satu\n> kutipan\n"
    article = parse_article(text, layout="markdown")
    assert [p.text for p in article.paragraphs] == [
        "Daftar:",
        "- butir satu",
        "- butir dua",
        "1. nomor satu",
        "> kutipan",
    ]


def test_unknown_layout_is_an_error():
    from idtrans.errors import InputError

    with pytest.raises(InputError, match="unknown layout"):
        parse_article("teks", layout="html")


# -- one top-level handler: every failure is one line plus a hint ----------------------------------


def _main(args, capsys):
    from idtrans.cli import main

    with pytest.raises(SystemExit) as done:
        main(args)
    captured = capsys.readouterr()
    return done.value.code, captured.out, captured.err


def test_usage_errors_are_one_line_with_a_hint(capsys):
    code, out, err = _main(["translate", "--no-such-option"], capsys)
    assert code == 2
    assert err.splitlines() == ["error: No such option: --no-such-option", "hint: see `idtrans translate --help`"]
    assert "╭" not in err + out  # no Rich box


def test_an_unexpected_failure_is_one_line_and_the_trace_only_with_debug(capsys, monkeypatch, tmp_path):
    import idtrans.corpus.cli as corpus_cli

    def broken(*args, **kwargs):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(corpus_cli, "segment_file", broken)
    article = tmp_path / "a.txt"
    article.write_text("Judul\n\nIsi berita.\n", encoding="utf-8")
    code, _, err = _main(["segment", str(article)], capsys)
    assert code == 1
    assert err.splitlines()[0] == "error: unexpected RuntimeError: simulated bug"
    assert "Traceback" not in err and "--debug" in err
    code, _, err = _main(["segment", str(article), "--debug"], capsys)
    assert code == 1 and "Traceback" in err and "simulated bug" in err


def test_os_errors_name_the_path(capsys, monkeypatch, tmp_path):
    import idtrans.corpus.cli as corpus_cli

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(tmp_path / "out.txt"))

    monkeypatch.setattr(corpus_cli, "segment_file", denied)
    article = tmp_path / "a.txt"
    article.write_text("Judul\n\nIsi berita.\n", encoding="utf-8")
    code, _, err = _main(["segment", str(article)], capsys)
    assert code == 1
    assert err.splitlines()[0] == f"error: {tmp_path / 'out.txt'}: Permission denied"
    assert err.splitlines()[1].startswith("hint: check the permissions")


def test_closed_stdout_is_an_error_not_a_traceback(capsys, monkeypatch, tmp_path):
    article = tmp_path / "a.txt"
    article.write_text("Judul\n\nIsi berita.\n", encoding="utf-8")
    monkeypatch.setattr("sys.stdout", None)
    from idtrans.cli import main

    with pytest.raises(SystemExit) as done:
        main(["segment", str(article)])
    assert done.value.code == 1
    assert "standard output is closed" in capsys.readouterr().err


def test_closed_stdin_is_an_error(capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", None)
    code, _, err = _main(["segment", "-"], capsys)
    assert code == 1 and "standard input is closed" in err


def test_endless_or_huge_input_stops_at_the_documented_limit(capsys, monkeypatch, tmp_path):
    big = tmp_path / "big.txt"
    big.write_text("Kalimat berita. " * 200, encoding="utf-8")
    monkeypatch.setenv("IDTRANS_MAX_INPUT_BYTES", "1000")
    code, _, err = _main(["segment", str(big)], capsys)
    assert code == 1 and "larger than the input limit of 1,000 bytes" in err and "IDTRANS_MAX_INPUT_BYTES" in err
    monkeypatch.setenv("IDTRANS_MAX_INPUT_BYTES", "lots")
    code, _, err = _main(["segment", str(big)], capsys)
    assert code == 1 and "must be a positive number of bytes" in err
    monkeypatch.delenv("IDTRANS_MAX_INPUT_BYTES")
    code, _, _ = _main(["segment", str(big)], capsys)
    assert code == 0


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_dev_zero_does_not_eat_the_memory(capsys, monkeypatch):
    monkeypatch.setenv("IDTRANS_MAX_INPUT_BYTES", "100000")
    code, _, err = _main(["segment", "/dev/zero"], capsys)
    assert code == 1 and "input limit" in err


# -- glossary parse cache ----------------------------------------------------------------------------


def test_parsed_glossary_is_cached_by_content_and_survives_damage(tmp_path, monkeypatch, desk):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    first = load_glossary(desk)
    cached = list((tmp_path / "cache" / "idtrans" / "glossaries").glob("*.json"))
    assert len(cached) == 1
    again = load_glossary(desk)
    assert again.entries == first.entries and again.fingerprint == first.fingerprint and again.path == desk
    add_entry(desk, {"source": ["Rusia"], "target": "Russia"})  # new bytes: a new cache entry, never stale data
    assert load_glossary(desk).get("russia") is not None
    for file in (tmp_path / "cache" / "idtrans" / "glossaries").glob("*.json"):
        file.write_text("{not json", encoding="utf-8")
    assert load_glossary(desk).get("russia") is not None  # a damaged cache is parsed again
    monkeypatch.setenv("IDTRANS_GLOSSARY_CACHE", "off")
    desk.write_text(GLOSSARY, encoding="utf-8")
    load_glossary(desk)
    assert len(list((tmp_path / "cache" / "idtrans" / "glossaries").glob("*.json"))) == 2


def test_an_invalid_glossary_is_never_cached(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    bad = tmp_path / "bad.yaml"
    bad.write_text(GLOSSARY.replace("category: place", "category: planet"), encoding="utf-8")
    for _ in range(2):
        with pytest.raises(GlossaryError, match="planet"):
            load_glossary(bad)
    assert not (tmp_path / "cache" / "idtrans" / "glossaries").exists()
