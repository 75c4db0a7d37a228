"""Required items: protection never loses or duplicates source text; repairs fix only what they can locate."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from idtrans.glossary import Entry, Glossary
from idtrans.glossary.facts import (
    echoed_renderings,
    protect_items,
    repair_text,
    required_items,
    restore_items,
    unprotect_items,
)

GLOSSARY = Glossary(
    [
        Entry("north-korea", ("Korea Utara",), "North Korea", "place", also=("North Korean",)),
        Entry("ukraine", ("Ukraina",), "Ukraine", "place", also=("Ukrainian",)),
        Entry("troops", ("pasukan",), "troops", "military", "ignore"),
    ],
    name="t",
    spelling="british",
)

PIECES = [
    "pasukan",
    "Korea Utara",
    "Ukraina",
    "11.000",
    "3,5 persen",
    "Rp 229,68 triliun",
    "US$ 4,6 miliar",
    "pukul 10.30 WIB",
    "Senin (12/2)",
    "4 November 2024",
    "ke-3",
    "lima",
    "Lima",
    "2-1",
    "-5",
    "Zelensky",
    "Volodymyr Zelensky",
    "Kursk",
    "dan",
    "di",
    "yang",
    ",",
    ".",
    "“",
    "”",
    "Presiden",
    "Menteri",
    "Minggu",
    "Ukrainanya",
    "Kursk-nya",
    "(",
    ")",
    "1.250",
    "warga",
]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(PIECES), min_size=1, max_size=14),
    st.sampled_from(["proxy", "inline"]),
    st.lists(st.sampled_from([" ", "  ", "\n"]), min_size=14, max_size=14),
)
def test_protection_never_loses_or_duplicates_source_text(pieces, strategy, spaces):
    source = "".join(piece + space for piece, space in zip(pieces, spaces)).strip()
    items = required_items(source, GLOSSARY)
    # items never overlap and each is exactly its slice of the source
    for a, b in zip(items, items[1:]):
        assert a.end <= b.start
    assert all(source[i.start : i.end] == i.surface for i in items)
    protected = protect_items(source, items, strategy)
    assert unprotect_items(protected) == source
    # the text between the items is carried over once each, in order
    gaps = [source[a.end : b.start] for a, b in zip(items, items[1:])]
    text = protected.text
    slots = protected.slots
    assert [text[a.end : b.start] for a, b in zip(slots, slots[1:])] == gaps
    assert text[: slots[0].start] == source[: items[0].start] if items else text == source


def test_restore_turns_proxies_into_renderings():
    source = "pasukan Korea Utara menyerang Ukraina"
    items = required_items(source, GLOSSARY)
    protected = protect_items(source, items[1:], "proxy")
    assert protected.text == "pasukan London menyerang Paris"
    assert restore_items("troops London attacked Paris-nya", protected) == "troops North Korea attacked Ukraine"


@pytest.mark.parametrize(
    ("source", "english", "repaired"),
    [
        ("pukul 10.30 WIB", "at 1030 WIB", "at 10:30 WIB"),
        ("1.250 warga", "1.250 residents", "1,250 residents"),
        ("Senin (12/2)", "Monday (122)", "Monday (12 February)"),
        ("pada 4 November 2024", "in November 2024", "on 4 November 2024"),
        ("pada 4 November", "In November 4 they came", "On 4 November they came"),
        ("pada 4 November 2024", "on November 4, 2024", "on 4 November 2024"),
        ("pada 4 November 2024", "join in November 4th, 2024.", "join on 4 November 2024."),
        ("Volodymyr Zelensky datang", "Volodyyr Zelensky came", "Volodymyr Zelensky came"),
        ("pada bulan Juni", "in june", "in June"),
        ("Rp 5 ribu", "a fare of Rp 5,000", "a fare of Rp 5 thousand"),
        ("Rp 2 juta", "Rp 2,000,000 each", "Rp 2 million each"),
        ("ujar Udin, Senin (26/11).", "Udin said on Monday.", "Udin said on Monday (26 November)."),
        ("kata pasukan Korea Utara", "said North Korean troops", "said North Korean troops"),  # passes: untouched
        ("11.000 dan 11.000", "11000 and 11.000 and 11.00", "11000 and 11.000 and 11.00"),  # ambiguous: untouched
        ("Kursk", "Kirovohrad", "Kirovohrad"),  # not a misspelling: untouched
    ],
)
def test_repairs(source, english, repaired):
    assert repair_text(english, required_items(source, GLOSSARY), source) == repaired


MINISTER = Glossary(
    [
        Entry("minister", ("Menteri Pertahanan Ukraina",), "Ukrainian Defence Minister", "title", "ignore"),
        Entry("umerov", ("Rustem Umerov",), "Rustem Umerov", "person", "keep-source"),
        Entry("forces", ("pasukan Ukraina",), "Ukrainian forces", "unit", "ignore"),
    ],
    name="m",
)


@pytest.mark.parametrize(
    ("source", "english", "repaired"),
    [
        # dropped: written beside the name that followed it in the source (another item's Ukrainian is no hint)
        (
            "Menteri Pertahanan Ukraina Rustem Umerov kata pasukan Ukraina",
            "Rustem Umerov said Ukrainian forces",
            "Ukrainian Defence Minister Rustem Umerov said Ukrainian forces",
        ),
        # rendered badly, not dropped (Ukraine, a form of its word): not written a second time beside the name
        (
            "Menteri Pertahanan Ukraina Rustem Umerov kata",
            "Ukraine Secretary of Ukraine Rustem Umerov said",
            "Ukraine Secretary of Ukraine Rustem Umerov said",
        ),
        ("Menteri Pertahanan Ukraina Rustem Umerov kata", "The defense chief Rustem Umerov said", None),
    ],
)
def test_a_dropped_term_is_inserted_but_a_badly_rendered_one_is_not(source, english, repaired):
    items = required_items(source, MINISTER, numbers=False, names=False)
    assert repair_text(english, items, source) == (repaired or english)


def test_a_terms_indonesian_form_left_in_the_english_fails_it():
    source = "Ukraina mengatakan pasukan Ukraina bertahan."
    items = [i for i in required_items(source, GLOSSARY, numbers=False, names=False) if i.label == "ukraine"]
    assert [i.ok("Ukraina said Ukrainian troops held.") for i in items] == [False, False]
    assert [i.ok("Ukraine said Ukrainian troops held.") for i in items] == [True, True]
    # as written or capitalised, never lower-cased; the same letters inside an English word do not count
    troops = [i for i in required_items("pasukan Ukraina", GLOSSARY, numbers=False, names=False) if i.label == "troops"]
    assert not troops[0].ok("Pasukan of Ukraine, the troops.")
    assert items[0].ok("Ukraine's Ukrainaville festival, ukraina.")


def test_left_untranslated_spares_english_forms_keep_source_terms_and_other_case():
    from idtrans.glossary.check import check_translation, left_untranslated, rendering_spans

    seoul = Entry("seoul", ("Seoul",), "Seoul", "place")
    assert left_untranslated(seoul, ["Seoul"], "Seoul said.") == []
    us = Entry("us", ("AS",), "US", "place")
    assert left_untranslated(us, ["AS"], "as the AS said") == ["AS"]
    assert left_untranslated(us, ["AS"], "as the US said") == []
    dpr = Entry("dpr", ("DPR",), "House of Representatives", "organisation")
    glossed = "the House of Representatives (DPR) voted"
    assert left_untranslated(dpr, ["DPR"], glossed, rendering_spans(dpr, dpr.target, glossed)) == []
    assert left_untranslated(dpr, ["DPR"], "the House of Representatives and the DPR voted") == ["DPR"]
    major = Entry("major", ("Mayor",), "Major", "rank")
    assert left_untranslated(major, ["Mayor"], "Major Andi met the mayor.") == []
    assert left_untranslated(major, ["Mayor"], "Mayor Andi met the mayor.") == ["Mayor"]
    peking = Entry("beijing", ("Beijing", "Peking"), "Beijing", "place", forbidden=("Peking",))
    (both,) = check_translation(Glossary([peking], name="p"), "Universitas Peking", "Peking University")
    assert both.forbidden_found == ["Peking"]
    kept = Entry("kopassus", ("Kopassus",), "Kopassus", "unit", "keep-source")
    assert left_untranslated(kept, ["Kopassus"], "Kopassus troops") == []
    (check,) = check_translation(Glossary([GLOSSARY.entries[1]], name="u"), "Ukraina siap.", "Ukraina ready.")
    assert check.forbidden_found == ["Ukraina"] and not check.found and check.status == "missing"


ECHO_GLOSSARY = Glossary(
    [
        *GLOSSARY.entries,
        Entry("us", ("AS",), "US", "place"),
        Entry("president", ("Presiden",), "President", "title"),
        Entry("kursk-region", ("wilayah Kursk",), "Kursk region", "place"),
        Entry("east-jakarta", ("Jakarta Timur",), "East Jakarta", "place"),
        Entry("middle-east", ("Timur Tengah",), "Middle East", "place"),
    ],
    name="echo",
)


@pytest.mark.parametrize(
    ("source", "english", "echoed"),
    [
        # a rendering written twice for one in the source, and a name word of a rendering
        ("Presiden AS George W. Bush tiba.", "US President US George W. Bush arrived.", ["US"]),
        ("di wilayah Kursk Rusia", "in the Kursk Russia's Kursk region", ["Kursk"]),
        ("Demba Ba asal Senegal", "Senegal's Demba Ba of the Senegal", ["Senegal"]),
        # as often as the source has it: no echo
        ("Presiden AS dan pasukan AS", "the US President and US troops", []),
        ("di wilayah Kursk, Kursk", "in the Kursk region, Kursk", []),
        # a name inside another item's rendering is that item's; a capital at a sentence start is no name
        ("warga Jakarta Timur, Jakarta", "residents of East Jakarta, Jakarta", []),
        ("Pasukan Ukraina dan pasukan Rusia", "Ukrainian troops and Russian troops", []),
        # a frequent English word of a rendering may come again
        ("di Timur Tengah", "in the East of the Middle East", []),
    ],
)
def test_echoed_renderings(source, english, echoed):
    assert echoed_renderings(required_items(source, ECHO_GLOSSARY), english, source) == echoed
