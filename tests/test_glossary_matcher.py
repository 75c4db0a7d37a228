"""Matching glossary entries in Indonesian text: table tests and hypothesis properties."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from idtrans.glossary import Entry, Glossary
from idtrans.glossary.protect import PROXIES, STRATEGIES, protect, restore, unprotect


def _glossary(*entries: Entry) -> Glossary:
    return Glossary(list(entries))


E = Entry
NORTH_KOREA = E("north-korea", ("Korea Utara",), "North Korea", "place")
KOREA = E("korea", ("Korea",), "Korea", "place")
RUSSIA = E("russia", ("Rusia",), "Russia", "place", also=("Russian",))
US = E("us", ("AS",), "US", "place")
DEF_MIN = E("defence-minister", ("Menteri Pertahanan",), "Defence Minister", "title", "ignore")
DEF_MIN_UA = E("ua-defence-minister", ("Menteri Pertahanan Ukraina",), "Ukrainian Defence Minister", "title", "ignore")
NATO = E("nato", ("NATO",), "NATO", "organisation", "keep-source")
COUNTRY = E("country", ("negara",), "country", "other", "ignore")
TROOPS = E("troops", ("pasukan",), "troops", "unit", "ignore")

GLOSSARY = _glossary(NORTH_KOREA, KOREA, RUSSIA, US, DEF_MIN, DEF_MIN_UA, NATO, COUNTRY, TROOPS)


@pytest.mark.parametrize(
    "text, expected",
    [
        # multi-word, longest match first
        ("Pasukan Korea Utara tiba.", [("Pasukan", "troops"), ("Korea Utara", "north-korea")]),
        ("Korea dan Korea Utara", [("Korea", "korea"), ("Korea Utara", "north-korea")]),
        ("Menteri Pertahanan Ukraina Rustem", [("Menteri Pertahanan Ukraina", "ua-defence-minister")]),
        ("menteri pertahanan itu", [("menteri pertahanan", "defence-minister")]),
        # whitespace runs inside a multi-word form
        ("Korea  Utara\nmenyerang", [("Korea  Utara", "north-korea")]),
        # clitics and particles, attached or hyphenated
        ("Rusianya menolak", [("Rusianya", "russia")]),
        ("Rusia-nya menolak", [("Rusia-nya", "russia")]),
        ("NATO-lah yang", [("NATO-lah", "nato")]),
        ("Rusiakah itu", [("Rusiakah", "russia")]),
        ("Rusiapun diam", [("Rusiapun", "russia")]),
        ("Korea Utaranya", [("Korea Utaranya", "north-korea")]),
        # hyphenated compounds and reduplication
        ("kelompok pro-Rusia", [("Rusia", "russia")]),
        ("hubungan Korea Utara-Rusia", [("Korea Utara", "north-korea"), ("Rusia", "russia")]),
        ("negara-negara Barat", [("negara-negara", "country")]),
        # case policies
        ("AS dan as roda", [("AS", "us")]),
        ("as roda", []),
        ("Nato berkata", []),
        ("MENTERI PERTAHANAN", [("MENTERI PERTAHANAN", "defence-minister")]),
        # never inside a longer word
        ("KASUS Rusiawi Koreana Utaranya", []),
        ("pasukannya", [("pasukannya", "troops")]),
        ("kepasukan", []),
    ],
)
def test_match_table(text, expected):
    found = [(m.surface, m.entry.id) for m in GLOSSARY.match(text)]
    assert found == expected


def test_match_positions_term_and_clitic():
    text = "Kata Rusianya."
    (match,) = GLOSSARY.match(text)
    assert text[match.start : match.end] == match.surface == "Rusianya"
    assert match.term == "Rusia" and match.clitic == "nya"
    assert match.rendering == "Russia"


def test_ignore_case_rendering_capitalised_at_sentence_start():
    (first,) = GLOSSARY.match("pasukan tiba.")
    assert first.sentence_start and first.rendering == "Troops"
    (middle,) = GLOSSARY.match("Ada pasukan tiba.")
    assert not middle.sentence_start and middle.rendering == "troops"


def test_keep_source_renders_the_matched_form():
    glossary = _glossary(E("kbs", ("KBS", "K.B.S."), "KBS", "organisation", "keep-source"))
    assert [m.rendering for m in glossary.match("penyiar KBS dan K.B.S.")] == ["KBS", "K.B.S."]


def test_starter_glossary_matches_the_sample_article(example_article):
    from idtrans.glossary import default_glossary_path, load_glossary

    glossary = load_glossary(default_glossary_path())
    ids = {m.entry.id for m in glossary.match(example_article.read_text(encoding="utf-8"))}
    for wanted in (
        "north-korea",
        "south-korea",
        "ukraine",
        "russia",
        "kbs",
        "ukrainian-defence-minister",
        "rustem-umerov",
        "umerov",
        "us",
        "reuters",
        "kursk-region",
        "volodymyr-zelensky",
        "zelensky",
        "the-west",
        "seoul",
        "nato",
        "moscow",
        "pyongyang",
        "andriy-kovalenko",
        "telegram",
        "vladimir-putin",
        "ambassador",
        "mutual-defence-treaty",
        "front-line",
        "intelligence",
        "battlefield",
        "lawmakers",
    ):
        assert wanted in ids, wanted


# -- properties ---------------------------------------------------------------------------------

WORDS = [
    "Korea",
    "Utara",
    "Rusia",
    "AS",
    "as",
    "NATO",
    "negara",
    "pasukan",
    "Menteri",
    "Pertahanan",
    "Ukraina",
    "nya",
    "lah",
    "-",
    " ",
    "  ",
    ",",
    ".",
    "x",
    "ke",
    "Rusiawi",
    "KASUS",
    "\n",
    "“",
    "pro-",
]
texts = st.lists(st.sampled_from(WORDS), max_size=25).map("".join) | st.text(max_size=60)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_matcher_never_matches_inside_a_longer_word(text):
    for match in GLOSSARY.match(text):
        before = text[match.start - 1] if match.start else " "
        after = text[match.end] if match.end < len(text) else " "
        assert not (before.isalnum() or before == "_"), (text, match)
        assert not (after.isalnum() or after == "_"), (text, match)
        form = re.compile(
            r"\s+".join(map(re.escape, match.form.split())), re.IGNORECASE if match.entry.case == "ignore" else 0
        )
        assert form.match(match.term), (text, match)


@settings(max_examples=300, deadline=None)
@given(texts)
def test_matches_do_not_overlap_and_are_ordered(text):
    spans = [(m.start, m.end) for m in GLOSSARY.match(text)]
    assert spans == sorted(spans)
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in zip(spans, spans[1:]))


@settings(max_examples=300, deadline=None)
@given(texts, st.sampled_from(STRATEGIES))
def test_protect_loses_nothing_outside_matches_and_restore_fills_every_placeholder(text, strategy):
    matches = GLOSSARY.match(text)
    protected = protect(text, matches, strategy)
    # source side: exact inverse, and text outside the matched spans is unchanged
    assert unprotect(protected) == text
    outside = "".join(
        text[a:b] for a, b in zip([0] + [m.end for m in matches], [m.start for m in matches] + [len(text)])
    )
    kept = "".join(
        protected.text[a:b]
        for a, b in zip(
            [0] + [s.end for s in protected.slots], [s.start for s in protected.slots] + [len(protected.text)]
        )
    )
    assert kept == outside
    # a model that copies its input: every placeholder is restored to its rendering
    restored = restore(protected.text, protected)
    assert not restored.lost
    for slot in protected.slots:
        assert slot.rendering in restored.text
        if strategy != "inline":
            assert (
                re.search(rf"(?<!\w){re.escape(slot.stand_in)}(?!\w)", restored.text) is None
                or slot.stand_in in slot.rendering
                or slot.stand_in in text
            )


def test_proxy_never_uses_a_name_the_sentence_has():
    text = "London dan Paris: Korea Utara"
    protected = protect(text, GLOSSARY.match(text), "proxy")
    (slot,) = protected.slots
    assert slot.stand_in not in ("London", "Paris") and slot.stand_in in PROXIES


def test_restore_tolerates_spaced_tokens_and_reports_lost_ones():
    text = "Korea Utara dan Rusia"
    protected = protect(text, GLOSSARY.match(text), "token")
    assert protected.text == "ZXQ1 dan ZXQ2"
    restored = restore("zxq 1 and something", protected)
    assert restored.text == "North Korea and something"
    assert [s.rendering for s in restored.lost] == ["Russia"]


def test_restore_fixes_the_possessive_of_a_rendering_ending_in_s():
    glossary = Glossary([Entry("netherlands", ("Belanda",), "Netherlands", "place")])
    text = "partai Belanda"
    protected = protect(text, glossary.match(text), "proxy")
    assert restore("London's party", protected).text == "Netherlands' party"
    assert restore("London’s party", protected).text == "Netherlands’ party"


def test_restore_keeps_the_plural_a_model_gave_a_proxy():
    glossary = Glossary([Entry("sergeant", ("Sersan",), "Sergeant", "title")])
    text = "dua Sersan itu"
    protected = protect(text, glossary.match(text), "proxy")
    assert protected.text == "dua London itu"
    assert restore("the two Londons", protected).text == "the two Sergeants"
    assert restore("the Londoner", protected).lost  # another word, not the proxy
