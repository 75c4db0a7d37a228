"""Number fidelity and name fidelity: counted only where the reference kept the fact; gated like term success."""

from __future__ import annotations

import pytest

from idtrans.eval.fidelity import FactFidelity
from idtrans.eval.gate import make_baseline, run_gate
from idtrans.eval.lines import TextFile
from idtrans.eval.run import RunInputs, evaluate
from idtrans.eval.score import score_corpus


@pytest.mark.parametrize(
    ("source", "reference", "hypothesis", "numbers", "kept_numbers", "names", "kept_names"),
    [
        ("sekitar 11.000 pasukan", "about 11,000 troops", "about 11,000 troops", 1, 1, 0, 0),
        ("sekitar 11.000 pasukan", "about 11,000 troops", "about 11.000 troops", 1, 0, 0, 0),  # Indonesian format
        ("pukul 10.30 WIB", "at 10.30 am", "at 1030 WIB", 1, 0, 0, 0),
        ("pada 4 November 2024", "on 4 November 2024", "in November 2024", 2, 1, 0, 0),
        ("lima unit", "five units", "5 units", 1, 1, 0, 0),
        ("sekitar 11.000 pasukan", "many troops", "about 11,000 troops", 0, 0, 0, 0),  # the reference dropped it
        (
            "kata Volodymyr Zelensky di Kursk",
            "Volodymyr Zelensky said in Kursk",
            "Volodyyr Zelensky said in Kursk",
            0,
            0,
            2,
            1,
        ),
        (
            "kata Volodymyr Zelensky",
            "said Zelensky",
            "said Volodymyr Zelensky",
            0,
            0,
            0,
            0,
        ),  # not kept by the reference
    ],
)
def test_sentence_counts(source, reference, hypothesis, numbers, kept_numbers, names, kept_names):
    misses = FactFidelity().sentence_score(hypothesis, source, reference)
    assert (misses.numbers, misses.numbers - len(misses.missed_numbers)) == (numbers, kept_numbers)
    assert (misses.names, misses.names - len(misses.missed_names)) == (names, kept_names)


SOURCES = ["Sekitar 11.000 pasukan tiba di Kursk.", "Harga naik 3,5 persen kata Joko Widodo.", "Tanpa angka."] * 20
REFS = ["About 11,000 troops arrived in Kursk.", "Prices rose 3.5 percent, Joko Widodo said.", "No numbers."] * 20


def test_run_reports_both_and_the_gate_fails_when_either_falls():
    inputs = RunInputs("t", TextFile("src", SOURCES), TextFile("ref", REFS), len(REFS))
    result = evaluate(inputs, REFS)
    assert result.facts is not None and result.facts["numbers"].score == 100.0 and result.facts["names"].score == 100.0
    assert result.scores_json()["scores"]["numbers"]["counted"] == 40
    assert result.records[0].to_dict()["facts"] == {"numbers": 1, "names": 1, "missed_numbers": [], "missed_names": []}
    base = make_baseline(REFS, REFS, SOURCES, scores=score_corpus(REFS, REFS), terms=None, facts=result.facts)
    assert base.scores["names"]["kept"] == 40
    lost_number = list(REFS)
    lost_number[0] = "About 11.000 troops arrived in Kursk."
    gate = run_gate(base, lost_number, REFS, sources=SOURCES, facts=FactFidelity())
    assert [check.metric for check in gate.failed] == ["NumberFidelity"]
    lost_name = list(REFS)
    lost_name[1] = "Prices rose 3.5 percent, Joko Widod said."
    gate = run_gate(base, lost_name, REFS, sources=SOURCES, facts=FactFidelity())
    assert [check.metric for check in gate.failed] == ["NameFidelity"]
    assert "names fidelity fell (40/40 = 100.0% -> 39/40 = 97.5%)" in gate.summary()
