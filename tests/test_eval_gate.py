"""Paired comparison and the regression gate on synthetic hypotheses (no model needed)."""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from idtrans.cli import app
from idtrans.errors import EvalError, InputError, RegressionError
from idtrans.eval.gate import load_baseline, make_baseline, run_gate, write_baseline
from idtrans.eval.score import TermSuccess, score_corpus
from idtrans.eval.significance import compare_systems
from idtrans.glossary import Entry, Glossary

WORDS = [
    "troops",
    "army",
    "said",
    "minister",
    "defence",
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
    "the",
    "on",
    "at",
    "by",
]


def _corpus(n: int = 300, seed: int = 7):
    """Sources with a glossary term in every third line, references, and a decent 'baseline' system."""
    rng = random.Random(seed)
    sources, refs, hyps = [], [], []
    for i in range(n):
        words = [rng.choice(WORDS) for _ in range(rng.randint(6, 16))]
        term = i % 3 == 0
        sources.append(("Korea Utara " if term else "") + " ".join(words) + " .")
        ref = ("North Korea " if term else "") + " ".join(words) + " ."
        refs.append(ref)
        kept = [w for w in words if rng.random() > 0.25]
        hyps.append(("North Korea " if term else "") + " ".join(kept) + " .")
    return sources, refs, hyps


def _terms() -> TermSuccess:
    return TermSuccess(Glossary([Entry("north-korea", ("Korea Utara",), "North Korea", category="place")], name="t"))


def _baseline(sources, refs, hyps, terms=None):
    scores = score_corpus(hyps, refs)
    return make_baseline(
        hyps,
        refs,
        sources,
        scores=scores,
        terms=terms.corpus_score(hyps, sources) if terms else None,
        meta={"test_set": {"name": "synthetic"}},
    )


def _every_tenth_emptied(hyps):
    return ["" if (i + 1) % 10 == 0 else h for i, h in enumerate(hyps)]


def test_unchanged_system_passes_and_worse_system_fails():
    sources, refs, hyps = _corpus()
    base = _baseline(sources, refs, hyps, _terms())
    same = run_gate(base, hyps, refs, sources=sources, terms=_terms())
    assert same.passed, same.summary()
    assert "identical output" in same.summary()
    worse = run_gate(base, _every_tenth_emptied(hyps), refs, sources=sources, terms=_terms())
    assert not worse.passed
    failed = {check.metric for check in worse.failed}
    assert {"BLEU", "chrF2++", "TermSuccess"} <= failed
    with pytest.raises(RegressionError) as caught:
        worse.raise_if_failed()
    message = str(caught.value)
    assert "\n" not in message and message.startswith("regression: ")
    assert re.search(r"chrF2\+\+ fell \d+\.\d\d \(\d+\.\d\d -> \d+\.\d\d, p=0\.\d+ < 0\.05, tolerance 0\.5\)", message)
    assert "term success fell" in message and "--update-baseline" in caught.value.hint


def test_small_noise_is_not_a_regression():
    sources, refs, hyps = _corpus()
    base = _baseline(sources, refs, hyps)
    rng = random.Random(1)
    nudged = list(hyps)
    for i in rng.sample(range(len(hyps)), 3):  # three sentences lose their last word
        nudged[i] = " ".join(nudged[i].split()[:-2] + ["."])
    result = run_gate(base, nudged, refs, sources=sources)
    assert result.passed, result.summary()
    assert all(check.candidate <= check.baseline for check in result.checks)


def test_drop_beyond_tolerance_but_not_significant_passes():
    sources, refs, hyps = _corpus(n=40)
    base = _baseline(sources, refs, hyps)
    worse = list(hyps)
    worse[5] = ""  # one sentence of 40: a drop of more than 0.5 chrF++, but p is large
    result = run_gate(base, worse, refs, sources=sources, tolerance={"bleu": 0.1, "chrf": 0.1})
    chrf = next(check for check in result.checks if check.metric == "chrF2++")
    assert chrf.delta < -0.1 and chrf.p_value >= 0.05 and not chrf.failed
    assert "not significant" in chrf.reason


def test_term_success_falling_by_one_fails_even_when_scores_hold():
    sources, refs, hyps = _corpus()
    base = _baseline(sources, refs, hyps, _terms())
    lost = list(hyps)
    lost[0] = lost[0].replace("North Korea", "the north")
    result = run_gate(base, lost, refs, sources=sources, terms=_terms())
    assert [check.metric for check in result.failed] == ["TermSuccess"]
    assert "newly missed: north-korea" in result.summary()


def test_gate_refuses_another_test_set():
    sources, refs, hyps = _corpus()
    base = _baseline(sources, refs, hyps)
    with pytest.raises(EvalError, match="baseline has 300 hypotheses but this test set has 299"):
        run_gate(base, hyps[:-1], refs[:-1], sources=sources[:-1])
    other = list(refs)
    other[3] = "something else ."
    with pytest.raises(EvalError, match="references differ"):
        run_gate(base, hyps, other, sources=sources)
    with pytest.raises(EvalError, match="no glossary to check terms"):
        run_gate(_baseline(sources, refs, hyps, _terms()), hyps, refs, sources=sources, terms=None)


def test_baseline_round_trip_and_bad_files(tmp_path):
    sources, refs, hyps = _corpus(n=30)
    path = write_baseline(tmp_path / "b" / "base.json", _baseline(sources, refs, hyps, _terms()))
    loaded = load_baseline(path)
    assert loaded.hypotheses == hyps and loaded.scores["terms"]["matched"] == 10
    assert oct(path.stat().st_mode & 0o777) != "0o600"
    with pytest.raises(InputError, match="baseline file not found"):
        load_baseline(tmp_path / "nope.json")
    (tmp_path / "bad.json").write_text('{"format": "idtrans-eval-baseline/1",\n "hypotheses": [', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_baseline(tmp_path / "bad.json")
    assert caught.value.where.endswith("bad.json:2")
    (tmp_path / "other.json").write_text('{"scores": {}}', encoding="utf-8")
    with pytest.raises(InputError, match="not an idtrans baseline"):
        load_baseline(tmp_path / "other.json")


def _write(path, lines):
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def test_gate_command_update_then_pass_then_fail(tmp_path):
    sources, refs, hyps = _corpus()
    src, ref, hyp = _write(tmp_path / "s.id", sources), _write(tmp_path / "r.en", refs), _write(tmp_path / "h.en", hyps)
    worse = _write(tmp_path / "worse.en", _every_tenth_emptied(hyps))
    gfile = tmp_path / "g.yaml"
    gfile.write_text(
        "version: 1\nname: t\nentries:\n  - id: north-korea\n    source: Korea Utara\n    target: North Korea\n",
        encoding="utf-8",
    )
    base = tmp_path / "baseline.json"
    runner = CliRunner()
    common = ["--baseline", str(base), "--ref", str(ref), "--src", str(src), "--glossary", str(gfile)]
    created = runner.invoke(app, ["eval", "gate", str(hyp), *common, "--update-baseline"])
    assert created.exit_code == 0, created.output
    assert "baseline written" in created.stderr and json.loads(base.read_text())["scores"]["terms"]["found"] == 100
    passed = runner.invoke(app, ["eval", "gate", str(hyp), *common])
    assert passed.exit_code == 0, passed.output
    assert "no regression" in passed.stdout
    failed = runner.invoke(app, ["eval", "gate", str(worse), *common])
    assert failed.exit_code == 1
    error_lines = [line for line in failed.stderr.splitlines() if line.startswith("error:")]
    assert len(error_lines) == 1 and "regression: BLEU fell" in error_lines[0]
    assert "Traceback" not in failed.output


def test_compare_matches_sacrebleu_paired_bootstrap(tmp_path):
    sources, refs, hyps = _corpus(n=120)
    worse = _every_tenth_emptied(hyps)
    ref, a, b = _write(tmp_path / "ref.en", refs), _write(tmp_path / "a.en", hyps), _write(tmp_path / "b.en", worse)
    comparison = compare_systems([("a", hyps), ("b", worse)], refs)
    chrf = comparison.result("b", "chrf")
    assert chrf.delta < 0 and chrf.significant() and chrf.ci > 0
    cli = subprocess.run(
        [
            sys.executable,
            "-m",
            "sacrebleu",
            str(ref),
            "-i",
            str(a),
            str(b),
            "-m",
            "bleu",
            "chrf",
            "--chrf-word-order",
            "2",
            "--paired-bs",
            "-f",
            "text",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    p_values = re.findall(r"p = (\d\.\d{4})", cli)
    assert p_values == [f"{comparison.result('b', key).p_value:.4f}" for key in ("bleu", "chrf")]
    means = re.findall(r"\((\d+\.\d) ± (\d+\.\d)\)", cli)
    ours = [f"{r.mean:.1f}" for key in ("bleu", "chrf") for r in comparison.results[key]]
    assert sorted(m for m, _ in means) == sorted(ours)
    result = CliRunner().invoke(app, ["eval", "compare", str(a), str(b), "--ref", str(ref), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["systems"] == [str(a), str(b)] and data["results"]["chrf"][1]["p_value"] == chrf.p_value
    table = CliRunner().invoke(
        app, ["eval", "compare", str(a), str(b), "--ref", str(ref), "--test", "ar", "--samples", "500"]
    )
    assert table.exit_code == 0, table.output
    assert "approximate randomisation, 500 samples" in table.stdout


def test_compare_refuses_misaligned_and_single_system(tmp_path):
    ref = _write(tmp_path / "ref.en", ["a b c", "d e f"])
    short = _write(tmp_path / "short.en", ["a b c"])
    runner = CliRunner()
    one = runner.invoke(app, ["eval", "compare", str(ref), "--ref", str(ref)])
    assert one.exit_code == 1 and "at least two" in one.stderr
    bad = runner.invoke(app, ["eval", "compare", str(ref), str(short), "--ref", str(ref)])
    assert bad.exit_code == 1 and f"{ref}:2" in bad.stderr


def test_ci_gate_skips_visibly_without_shared_data(tmp_path):
    import os
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / ".ci" / "gate"
    env = {**os.environ, "IDTRANS_SHARED": str(tmp_path / "no-shared")}
    done = subprocess.run(["bash", str(script)], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "BLEU gate: SKIPPED: test set flores200-devtest not found" in done.stdout
    (tmp_path / "no-shared" / "corpora" / "test").mkdir(parents=True)
    for suffix in ("id", "en"):
        (tmp_path / "no-shared" / "corpora" / "test" / f"flores200-devtest.{suffix}").write_text(
            "x\n", encoding="utf-8"
        )
    env["GATE_MODEL"] = str(tmp_path / "no-such-model")
    done = subprocess.run(["bash", str(script)], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0 and "SKIPPED: model" in done.stdout
