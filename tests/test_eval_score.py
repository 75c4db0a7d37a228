"""idtrans eval score: same numbers as the sacrebleu CLI, term success, and clear errors on bad input."""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from idtrans.cli import app
from idtrans.errors import InputError
from idtrans.eval.lines import read_lines, split_lines
from idtrans.eval.score import TermSuccess, score_corpus, sentence_chrf
from idtrans.glossary import Entry, Glossary

WORDS = [
    "the",
    "troops",
    "army",
    "said",
    "minister",
    "defence",
    "North",
    "Korea",
    "Ukraine",
    "Russia",
    "border",
    "region",
    "attack",
    "officials",
    "told",
    "news",
    "agency",
    "first",
    "time",
    "small",
    "group",
    "fighting",
    "soldiers",
    "about",
    "were",
    "in",
    "of",
    "a",
]


def _sentences(rng: random.Random, n: int) -> list[str]:
    return [
        " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 18))).capitalize() + rng.choice([".", "!", "?", ""])
        for _ in range(n)
    ]


def _noisy(rng: random.Random, sentences: list[str], rate: float) -> list[str]:
    out = []
    for sentence in sentences:
        words = [w for w in sentence.split() if rng.random() > rate]
        if rng.random() < rate:
            words.insert(rng.randint(0, len(words)), rng.choice(WORDS))
        out.append(" ".join(words))
    return out


def _write(path, lines, *, newline="\n", final=True):
    text = newline.join(lines) + (newline if final else "")
    path.write_bytes(text.encode("utf-8"))
    return path


def _case_files(tmp_path, case: str):
    """Reference and hypothesis files for one table case (generated, with the awkward bits that matter)."""
    rng = random.Random(case)
    refs = _sentences(rng, 60)
    hyps = _noisy(rng, refs, 0.3)
    options = {}
    if case == "plain":
        pass
    elif case == "empty-hypothesis-lines":
        hyps = [("" if i % 7 == 0 else h) for i, h in enumerate(hyps)]
    elif case == "crlf-and-trailing-space":
        hyps = [h + "  \t" for h in hyps]
        options = {"newline": "\r\n"}
    elif case == "no-final-newline":
        options = {"final": False}
    elif case == "unicode-and-tabs":
        refs = [r.replace("Korea", "Koréa") + " “quoted”" for r in refs]
        hyps = [h.replace("the", "thé\tthe") + " \u2028 ..." for h in hyps]
    elif case == "identical":
        hyps = list(refs)
    ref = _write(tmp_path / f"{case}.ref", refs, **options)
    hyp = _write(tmp_path / f"{case}.hyp", hyps, **options)
    return ref, hyp


CASES = [
    "plain",
    "empty-hypothesis-lines",
    "crlf-and-trailing-space",
    "no-final-newline",
    "unicode-and-tabs",
    "identical",
]


def _sacrebleu_cli(ref, hyp, width: int) -> list[dict]:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "sacrebleu",
            str(ref),
            "-i",
            str(hyp),
            "-m",
            "bleu",
            "chrf",
            "ter",
            "--chrf-word-order",
            "2",
            "-w",
            str(width),
            "-f",
            "json",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


@pytest.mark.parametrize("case", CASES)
def test_scores_equal_the_sacrebleu_cli(tmp_path, case):
    ref, hyp = _case_files(tmp_path, case)
    expected = {item["name"]: item for item in _sacrebleu_cli(ref, hyp, 4)}
    scores = score_corpus(read_lines(hyp).lines, read_lines(ref).lines)
    assert [s.name for s in scores.values()] == ["BLEU", "chrF2++", "TER"]
    for score in scores.values():
        cli = expected[score.name]
        assert score.printed(4) == f"{cli['score']:.4f}", (case, score.name)
        assert score.signature == cli["signature"]
        if "verbose_score" in cli:
            assert score.verbose == cli["verbose_score"]


def test_score_command_prints_what_sacrebleu_prints(tmp_path):
    ref, hyp = _case_files(tmp_path, "empty-hypothesis-lines")
    expected = {item["name"]: item for item in _sacrebleu_cli(ref, hyp, 1)}
    result = CliRunner().invoke(app, ["eval", "score", str(hyp), str(ref), "--json"])
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)["scores"]
    for key, name in (("bleu", "BLEU"), ("chrf", "chrF2++"), ("ter", "TER")):
        assert got[key]["name"] == name
        assert got[key]["score"] == expected[name]["score"]
        assert got[key]["signature"] == expected[name]["signature"]
    table = CliRunner().invoke(app, ["eval", "score", str(hyp), str(ref)])
    assert table.exit_code == 0, table.output
    for name in ("BLEU", "chrF2++", "TER"):
        printed = "%.1f" % expected[name]["score"]
        assert re.search(re.escape(name) + r"\s+│\s+" + re.escape(printed) + r"\b", table.stdout), table.stdout
    assert "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp" in table.stdout


def test_sentence_chrf_equals_sacrebleu_sentence_level(tmp_path):
    ref, hyp = _case_files(tmp_path, "plain")
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "sacrebleu",
            str(ref),
            "-i",
            str(hyp),
            "-m",
            "chrf",
            "--chrf-word-order",
            "2",
            "-sl",
            "-w",
            "4",
            "-f",
            "text",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    cli = [float(line.split(" = ")[1].split()[0]) for line in out.stdout.splitlines()]
    ours = sentence_chrf(read_lines(hyp).lines, read_lines(ref).lines)
    assert [f"{v:.4f}" for v in ours] == [f"{v:.4f}" for v in cli]


def test_split_lines_matches_open_newline_then_rstrip():
    text = "a b \r\nc\u2028d\n\n  e\t\nlast"
    assert split_lines(text) == ["a b", "c\u2028d", "", "  e", "last"]
    assert split_lines("") == []
    assert split_lines("\n") == [""]


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "name,content,message,where",
    [
        ("empty.txt", b"", "file is empty", "empty.txt"),
        ("latin1.txt", "fine\nstill fine\ncaf\xe9 au lait\n".encode("latin-1"), "not UTF-8", "latin1.txt:3"),
        ("nul.txt", b"ok\nbinary\x00data\n", "NUL byte", "nul.txt:2"),
    ],
)
def test_bad_files_name_file_and_line(tmp_path, name, content, message, where):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError) as caught:
        read_lines(path, role="hypothesis")
    assert message in caught.value.message
    assert caught.value.where.endswith(where)
    assert caught.value.hint


def _cli_error(args):
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    return result.stderr


def test_score_refuses_different_line_counts(tmp_path):
    ref = _write(tmp_path / "ref.txt", ["one", "two", "three"])
    hyp = _write(tmp_path / "hyp.txt", ["one", "two"])
    err = _cli_error(["eval", "score", str(hyp), str(ref)])
    assert err.startswith("error: ")
    assert f"{ref}:3" in err and "hyp.txt has 2 lines but" in err and "has 3" in err
    assert "hint:" in err


def test_score_refuses_empty_and_non_utf8_and_missing(tmp_path):
    ref = _write(tmp_path / "ref.txt", ["one", "two"])
    (tmp_path / "empty.txt").write_bytes(b"")
    assert "empty.txt: hypothesis file is empty" in _cli_error(["eval", "score", str(tmp_path / "empty.txt"), str(ref)])
    (tmp_path / "bad.txt").write_bytes(b"one\n\xff\xfetwo\n")
    assert "bad.txt:2: hypothesis file is not UTF-8" in _cli_error(
        ["eval", "score", str(tmp_path / "bad.txt"), str(ref)]
    )
    assert "missing.txt: hypothesis file not found" in _cli_error(
        ["eval", "score", str(tmp_path / "missing.txt"), str(ref)]
    )
    assert "needs the source" in _cli_error(["eval", "score", str(ref), str(ref), "--glossary", str(ref)])


# --------------------------------------------------------------------------- term success


GLOSSARY_YAML = """\
version: 1
name: eval-test
entries:
  - id: north-korea
    source: [Korea Utara]
    target: North Korea
    category: place
    forbidden: [N. Korea]
  - id: defence-minister
    source: [Menteri Pertahanan]
    target: Defence Minister
    category: title
    case: ignore
"""


def _glossary() -> Glossary:
    return Glossary(
        [
            Entry("north-korea", ("Korea Utara",), "North Korea", category="place", forbidden=("N. Korea",)),
            Entry("defence-minister", ("Menteri Pertahanan",), "Defence Minister", category="title", case="ignore"),
        ],
        name="eval-test",
    )


@pytest.mark.parametrize(
    "source,hypothesis,found,matched,forbidden",
    [
        ("Pasukan Korea Utara tiba.", "North Korean troops arrived; North Korea said.", 1, 1, 0),
        ("Pasukan Korea Utara tiba.", "N. Korea troops arrived.", 0, 1, 1),
        ("Menteri Pertahanan Korea Utara", "The defence minister of North Korea", 2, 2, 0),
        ("Menteri Pertahanan Korea Utara", "The minister of the north", 0, 2, 0),
        ("Tidak ada istilah di sini.", "No terms here.", 0, 0, 0),
    ],
)
def test_term_success_counts_entries_matched_in_source(source, hypothesis, found, matched, forbidden):
    metric = TermSuccess(_glossary())
    score = metric.corpus_score([hypothesis], [source])
    assert (score.found, score.matched, score.forbidden) == (found, matched, forbidden)
    assert score.score == (None if matched == 0 else 100.0 * found / matched)
    assert metric.get_signature().startswith("glossary:eval-test|fp:")


def test_score_command_with_glossary_reports_term_success(tmp_path):
    gfile = tmp_path / "g.yaml"
    gfile.write_text(GLOSSARY_YAML, encoding="utf-8")
    src = _write(tmp_path / "src.id", ["Pasukan Korea Utara tiba.", "Menteri Pertahanan berkata.", "Tanpa istilah."])
    ref = _write(tmp_path / "ref.en", ["North Korean troops arrived.", "The Defence Minister said.", "No terms."])
    hyp = _write(tmp_path / "hyp.en", ["North Korea troops arrived.", "The minister said.", "No terms."])
    report = tmp_path / "r" / "report.html"
    result = CliRunner().invoke(
        app,
        ["eval", "score", str(hyp), str(ref), "--src", str(src), "-g", str(gfile), "--json", "--report", str(report)],
    )
    assert result.exit_code == 0, result.output
    terms = json.loads(result.stdout)["scores"]["terms"]
    assert (terms["found"], terms["matched"], terms["score"]) == (1, 2, 50.0)
    assert terms["missed_by_entry"] == {"defence-minister": 1}
    html = report.read_text(encoding="utf-8")
    assert '<mark class="miss"' in html and "Menteri Pertahanan</mark>" in html
