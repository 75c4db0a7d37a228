"""Issue 13: glossary checks on a long unpunctuated text do not rescan it for every absent term."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from idtrans.glossary import check, load_glossary
from idtrans.glossary.loader import default_glossary_path

GLOSSARY = load_glossary(default_glossary_path())
ENTRIES = [e for e in GLOSSARY.entries if e.target.split()][:60]
LONG = " ".join(["the troops of the north moved along the border near the river and waited"] * 300)


def _plain(entry, rendering: str, text: str) -> list[tuple[int, int]]:
    """rendering_spans as it was: every pattern run over the whole text."""
    ignore = entry.case == "ignore"
    spans = {m.span() for m in check._phrase_pattern(rendering, ignore, ignore).finditer(text)}
    for form in entry.also if rendering == entry.target else ():
        spans.update(m.span() for m in check._phrase_pattern(form, ignore, True).finditer(text))
    kept: list[tuple[int, int]] = []
    for span in sorted(spans, key=lambda s: (s[0], -s[1])):
        if not (kept and span[0] < kept[-1][1]):
            kept.append(span)
    return kept


def test_an_absent_term_does_not_scan_the_text(monkeypatch):
    scanned: list[str] = []
    original = check._phrase_pattern

    def counting(phrase: str, ignore_case: bool, plural: bool) -> re.Pattern:
        scanned.append(phrase)
        return original(phrase, ignore_case, plural)

    monkeypatch.setattr(check, "_phrase_pattern", counting)
    absent = [e for e in ENTRIES if e.target.split()[0].casefold() not in LONG.casefold()]
    assert len(absent) > 20
    for entry in absent:
        assert check.rendering_spans(entry, entry.target, LONG) == []
        assert check.forbidden_in(entry, LONG) == []
    # only phrases whose first word is in the text (e.g. the forbidden form "the Ukraine") are scanned
    assert len(scanned) < len(absent) / 4
    assert all(phrase.split()[0].casefold() in LONG.casefold() for phrase in scanned)


_WORDS = st.sampled_from(
    [w for e in ENTRIES for w in e.target.split()] + ["ı", "ſ", "\u212a", "the", "-", "s", "es", "Korea's", "İ"]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_WORDS, max_size=30).map(" ".join), st.sampled_from(ENTRIES), st.booleans())
def test_the_shortcut_finds_exactly_what_the_full_scan_finds(text, entry, upper):
    text = text.upper() if upper else text
    assert check.rendering_spans(entry, entry.target, text) == _plain(entry, entry.target, text)


@pytest.mark.parametrize("text", ["ıran", "IRAN", "ſtate", "\u212aursk"])
def test_case_equivalences_of_the_regex_are_kept(text):
    assert [m.span() for m in check._find(text.upper()[:1] + "x", True, False, text)] == []  # sanity: no false hit
    for phrase in ("iran", "state", "kursk"):
        expected = [m.span() for m in check._phrase_pattern(phrase, True, False).finditer(text)]
        assert [m.span() for m in check._find(phrase, True, False, text)] == expected
