"""GlossaryTranslator: translate → verify → repair only what failed, with fake inner translators."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import pytest
from fakes import CasedBackend

from idtrans.glossary import Entry, Glossary
from idtrans.pipeline.layers.enforce import GlossaryTranslator
from idtrans.pipeline.layers.sentences import SentenceTranslator
from idtrans.pipeline.layers.translator import DecodeSettings, Translation, Translator

GLOSSARY = Glossary(
    [
        Entry("north-korea", ("Korea Utara",), "North Korea", "place", also=("North Korean",)),
        Entry("ukraine", ("Ukraina",), "Ukraine", "place", also=("Ukrainian",)),
        Entry(
            "defence-ministry",
            ("Kementerian Pertahanan",),
            "Defence Ministry",
            "organisation",
            "ignore",
            forbidden=("Ministry of Defense",),
        ),
        Entry("kbs", ("KBS",), "KBS", "organisation", "keep-source"),
        Entry("news-agency", ("kantor berita",), "news agency", "organisation", "ignore"),
        Entry("reuters", ("Reuters",), "Reuters", "organisation", "keep-source"),
    ],
    name="test",
)

PHRASES = {
    "pasukan Korea Utara": "North Korean troops",
    "Korea Utara": "North Korea",
    "Ukraina": "Ukraine",
    "pasukan": "troops",
    "menyerang": "attacked",
    "dan": "and",
    "kata": "said",
    "penyiar": "broadcaster",
    "warga": "residents",
    "memberitahu": "told",
    "bertemu": "met",
}


class FakeTranslator:
    """Phrase-by-phrase 'translation' with a hook to break what the model does; ``scores`` makes it a scorer."""

    identity = "fake:inner"

    def __init__(
        self, damage: Callable[[str], str] = lambda text: text, scores: Callable[[str, str], float] | None = None
    ) -> None:
        self.damage = damage
        self.calls: list[list[str]] = []
        self.scores = scores
        if scores is not None:
            self.score = lambda sources, targets: [scores(s, t) for s, t in zip(sources, targets)]

    def translate(self, sentences: Sequence[str]) -> list[Translation]:
        self.calls.append(list(sentences))
        out = []
        for sentence in sentences:
            text = sentence
            for phrase in sorted(PHRASES, key=len, reverse=True):
                text = re.sub(rf"(?<!\w){re.escape(phrase)}(?!\w)", PHRASES[phrase], text)
            info: dict = {"parts": 1}
            if self.scores is not None:  # the model's own score of its output, as decoding gives it
                info["score"] = self.scores(sentence, self.damage(text))
            out.append(Translation(sentence, self.damage(text), 0.5, info))
        return out


def statuses(result: Translation) -> list[tuple[str, str, str]]:
    return [(r["kind"], r["target"], r["status"]) for r in result.info["items"]]


def test_it_is_a_translator_and_identity_has_the_fingerprint_and_the_rules():
    enforcer = GlossaryTranslator(FakeTranslator(), GLOSSARY)
    assert isinstance(enforcer, Translator)
    assert GLOSSARY.fingerprint in enforcer.identity and enforcer.identity.startswith("fake:inner|")
    assert "numbers+names" in enforcer.identity
    assert enforcer.identity != GlossaryTranslator(FakeTranslator(), GLOSSARY, names=False).identity


def test_a_sentence_the_model_gets_right_is_left_exactly_as_the_model_wrote_it():
    inner = FakeTranslator()
    enforcer = GlossaryTranslator(inner, GLOSSARY)
    sentences = ["pasukan Korea Utara menyerang Ukraina", "tanpa istilah", "penyiar KBS kata"]
    result = enforcer.translate(sentences)
    assert [t.source for t in result] == sentences
    assert result[0].text == "North Korean troops attacked Ukraine"  # `also` form: never "troops North Korea"
    assert result[1].text == "tanpa istilah" and "glossary" not in result[1].info
    assert result[0].info["parts"] == 1
    assert [(r["entry"], r["status"]) for r in result[0].info["glossary"]] == [
        ("north-korea", "applied"),
        ("ukraine", "applied"),
    ]
    assert statuses(result[0]) == [("term", "North Korea", "kept"), ("term", "Ukraine", "kept")]
    assert inner.calls == [sentences]  # one call: nothing failed
    assert enforcer.summary()["applied"] == 3 and enforcer.summary()["repaired"] == 0


def test_a_failed_term_is_protected_by_a_proxy_in_that_sentence_only():
    inner = FakeTranslator(lambda text: text.replace("Ukraine", "Ukrania"))
    enforcer = GlossaryTranslator(inner, GLOSSARY)
    result = enforcer.translate(["pasukan Korea Utara menyerang", "dan Ukraina"])
    assert result[0].text == "North Korean troops attacked"
    assert result[1].text == "and Ukraine"
    assert inner.calls[1] == ["dan London"]  # the failing sentence, its failing item only
    assert result[1].info["glossary"][0]["status"] == "repaired"
    assert result[1].info["glossary"][0]["strategy"] == "proxy"


def test_forbidden_form_is_substituted_without_another_model_call():
    inner = FakeTranslator(lambda text: re.sub(r"Kementerian Pertahanan", "Ministry of Defense", text))
    enforcer = GlossaryTranslator(inner, GLOSSARY)
    (result,) = enforcer.translate(["kata Kementerian Pertahanan"])
    assert result.text == "said Defence Ministry"
    assert result.info["glossary"][0]["status"] == "repaired" and len(inner.calls) == 1


def test_an_indonesian_form_left_in_the_english_is_substituted_without_another_model_call():
    # "Ukraina said troops Ukraine": one mention copied, the other rendered
    inner = FakeTranslator(lambda text: text.replace("Ukraine said", "Ukraina said"))
    enforcer = GlossaryTranslator(inner, GLOSSARY)
    (result,) = enforcer.translate(["Ukraina kata pasukan Ukraina"])
    assert result.text == "Ukraine said troops Ukraine"
    assert inner.calls == [["Ukraina kata pasukan Ukraina"]]
    assert [r["status"] for r in result.info["glossary"]] == ["repaired", "repaired"]


def test_each_candidate_gets_the_substitutions_so_a_fluent_one_can_pass():
    # the model writes a forbidden form of one term and garbles the other; the proxy round fixes the
    # second only: substituting in the proxy round's English passes, with no split round
    inner = FakeTranslator(
        lambda text: text.replace("Kementerian Pertahanan", "Ministry of Defense").replace("and Ukraine", "and Ukrania")
    )
    enforcer = GlossaryTranslator(inner, GLOSSARY)
    (result,) = enforcer.translate(["kata Kementerian Pertahanan dan Ukraina"])
    assert result.text == "said Defence Ministry and Ukraine"
    assert {r["strategy"] for r in result.info["glossary"]} == {"proxy+substitution"}
    # the sentence, the proxy round, the terms alone; no pieces translated around a term
    assert inner.calls[1:] == [["kata Kementerian Pertahanan dan London"], ["Kementerian Pertahanan", "Ukraina"]]


MINISTERS = Glossary(
    [
        Entry(
            "ukrainian-defence-minister",
            ("Menteri Pertahanan Ukraina",),
            "Ukrainian Defence Minister",
            "title",
            "ignore",
        ),
        Entry("north-korea", ("Korea Utara",), "North Korea", "place", also=("North Korean",)),
    ],
    name="ministers",
)


@pytest.mark.parametrize(
    ("written", "expected", "strategy"),
    [
        ("Ukraine Minister", "Ukrainian Defence Minister said", "repair"),  # written short, where it is
        ("Ukraine's defense minister", "Ukrainian Defence Minister said", "repair"),
        ("The Ukraine Minister", "The Ukrainian Defence Minister said", "repair"),
        ("Korea Defence Minister", "Ukrainian Defence Minister said", "proxy"),  # after a name: another minister
        ("minister", "Ukrainian Defence Minister said", "proxy"),  # one word of three is not the term
    ],
)
def test_a_rendering_written_short_or_in_another_form_is_replaced_where_it_is(written, expected, strategy):
    inner = FakeTranslator(lambda text: text.replace("Menteri Pertahanan Ukraine", written))
    (result,) = GlossaryTranslator(inner, MINISTERS).translate(["Menteri Pertahanan Ukraina kata"])
    assert result.text == expected
    assert result.info["glossary"][0]["strategy"] == strategy


def test_a_short_rendering_is_not_replaced_when_it_is_written_twice():
    inner = FakeTranslator(lambda text: text.replace("Menteri Pertahanan Ukraine", "Ukraine Minister"))
    enforcer = GlossaryTranslator(inner, MINISTERS)
    (result,) = enforcer.translate(["Menteri Pertahanan Ukraina kata Menteri Pertahanan Ukraina"])
    assert result.info["glossary"][0]["strategy"] != "repair"  # two runs: which one is the term is a guess


def test_a_dropped_term_beside_another_item_is_written_beside_it():
    inner = FakeTranslator(lambda text: text.replace("kantor berita ", ""))
    enforcer = GlossaryTranslator(inner, GLOSSARY)
    (result,) = enforcer.translate(["pasukan memberitahu kantor berita Reuters"])
    assert result.text == "troops told news agency Reuters"
    assert result.info["items"][0] == {
        "kind": "term",
        "source": "kantor berita",
        "target": "news agency",
        "status": "repaired",
        "strategy": "repair",
    }


@pytest.mark.parametrize(
    ("ending", "expected"),
    [
        (".", "Troops attacked, North Korea and Ukraine"),  # the model's full stop for the comma: the comma back
        (" -", "Troops attacked - North Korea and Ukraine"),  # a dash of its own: no comma after it
    ],
)
def test_pieces_translated_around_a_term_keep_the_sources_comma_before_it(ending, expected):
    inner = FakeTranslator(
        lambda text: re.sub(r",\s*$", ending, re.sub(r"\s*\b(North Korea|London|Korea Utara)\b", "", text))
    )
    enforcer = GlossaryTranslator(inner, GLOSSARY)
    (result,) = enforcer.translate(["pasukan menyerang, Korea Utara dan Ukraina"])
    assert result.text == expected
    assert result.info["glossary"][0]["strategy"].startswith("split")


def test_dropped_term_is_repaired_by_translating_around_it():
    # the model silently drops the term (and every stand-in) whatever we do
    inner = FakeTranslator(lambda text: re.sub(r"\s*\b(North Korea|London|Korea Utara)\b", "", text))
    enforcer = GlossaryTranslator(inner, GLOSSARY)
    (result,) = enforcer.translate(["menyerang Korea Utara dan Ukraina."])
    assert result.text == "Attacked North Korea and Ukraine."
    assert [r["status"] for r in result.info["glossary"]] == ["repaired", "applied"]
    assert result.info["glossary"][0]["strategy"].startswith("split")


def test_without_repair_a_dropped_term_is_missed_counted_and_flagged():
    inner = FakeTranslator(lambda text: re.sub(r"\s*\b(North Korean|North Korea|Korea Utara|London|Paris)\b", "", text))
    enforcer = GlossaryTranslator(inner, GLOSSARY, substitute=False)
    (result,) = enforcer.translate(["pasukan Korea Utara menyerang"])
    assert result.info["glossary"][0]["status"] == "missed"
    assert result.info["review"] == ["term 'North Korea' not in the translation"]
    assert enforcer.summary()["missed"] == 1 and enforcer.summary()["review"] == 1
    assert "missed" in enforcer.summary_line()


@pytest.mark.parametrize(
    ("source", "damage", "expected"),
    [
        ("1.250 warga", lambda t: t, "1,250 residents"),
        ("pasukan pukul 10.30 WIB", lambda t: t.replace("10.30", "1030"), "troops pukul 10:30 WIB"),
        (
            "pasukan Senin (12/2)",
            lambda t: t.replace("(12/2)", "(122)").replace("Senin", "Monday"),
            "troops Monday (12 February)",
        ),
        (
            "menyerang pada 4 November 2024",
            lambda t: t.replace("4 November", "November"),
            "attacked pada 4 November 2024",
        ),
    ],
)
def test_numbers_are_checked_and_repaired(source, damage, expected):
    inner = FakeTranslator(damage)
    (result,) = GlossaryTranslator(inner, GLOSSARY).translate([source])
    assert result.text == expected
    assert all(r["status"] in ("kept", "repaired") for r in result.info["items"])
    assert any(r["kind"] == "number" and r["status"] == "repaired" for r in result.info["items"])


def test_a_misspelt_name_is_repaired_and_a_copied_one_kept():
    inner = FakeTranslator(lambda text: text.replace("Volodymyr", "Volodyyr"))
    (result,) = GlossaryTranslator(inner, GLOSSARY).translate(["Volodymyr Zelensky bertemu Joko Widodo"])
    assert result.text == "Volodymyr Zelensky met Joko Widodo"
    assert statuses(result) == [("name", "Volodymyr Zelensky", "repaired"), ("name", "Joko Widodo", "kept")]


def test_the_best_scored_passing_candidate_wins_and_a_name_change_must_score_well():
    # the model writes a name its own way; forcing the Indonesian form scores far worse: keep the model's
    inner = FakeTranslator(
        lambda text: text.replace("Jenewo", "Genewa"),
        scores=lambda source, target: -3.0 if "Jenewo" in target else -0.5,
    )
    (result,) = GlossaryTranslator(inner, GLOSSARY).translate(["pasukan Jenewo menyerang"])
    assert result.text == "troops Genewa attacked"
    assert statuses(result) == [("name", "Jenewo", "missed")]
    assert result.info["score"] == -0.5


def test_a_sentence_scored_far_below_its_peers_is_flagged_for_review():
    inner = FakeTranslator(scores=lambda source, target: -4.0 if "dan" in source else -0.6)
    sentences = ["pasukan menyerang", "kata pasukan", "pasukan kata", "menyerang pasukan", "dan pasukan", "pasukan"]
    results = GlossaryTranslator(inner, GLOSSARY).translate(sentences)
    flagged = [r.source for r in results if "review" in r.info]
    assert flagged == ["dan pasukan"]
    assert "far below its peers" in results[4].info["review"][0]


def test_unknown_strategy_is_rejected():
    with pytest.raises(ValueError):
        GlossaryTranslator(FakeTranslator(), GLOSSARY, strategies=("constrained-beam",))


def test_with_the_real_sentence_translator(tiny_model_dir):
    """The enforcer on the real SentenceTranslator and a tiny random MarianMT: every term ends up present."""
    import torch

    torch.set_num_threads(1)
    from idtrans.glossary import check_translation, default_glossary_path, load_glossary
    from idtrans.pipeline.layers.factory import build_translator
    from idtrans.pipeline.layers.translator import DecodeSettings

    glossary = load_glossary(default_glossary_path())
    inner = build_translator(
        str(tiny_model_dir),
        settings=DecodeSettings(beams=1, max_new_tokens=12),
        glossary=None,
        backend="torch",
        threads=1,
    )
    enforcer = GlossaryTranslator(inner, glossary)
    sentences = [
        "Menteri Pertahanan Ukraina Rustem Umerov mengatakan pasukan Korea Utara diserang.",
        "Presiden Rusia Vladimir Putin berkunjung ke Pyongyang pada bulan Juni.",
    ]
    results = enforcer.translate(sentences)
    for sentence, result in zip(sentences, results):
        assert all(check.found for check in check_translation(glossary, sentence, result.text)), result.text
    counts = enforcer.summary()
    assert counts["matched"] == counts["applied"] + counts["repaired"] + counts["missed"] >= 8


def test_factory_wraps_the_sentence_translator(tiny_model_dir, tmp_path, monkeypatch):
    """build_stack(glossary=...) puts a GlossaryTranslator on top; None leaves it out; the env var picks the file."""
    import torch

    torch.set_num_threads(1)
    from idtrans.glossary import load_glossary
    from idtrans.pipeline.layers.factory import build_stack
    from idtrans.pipeline.layers.translator import DecodeSettings

    path = tmp_path / "g.yaml"
    path.write_text("version: 1\nentries:\n  - source: [Korea Utara]\n    target: North Korea\n", encoding="utf-8")
    settings = DecodeSettings(beams=1, max_new_tokens=8)
    stack = build_stack(str(tiny_model_dir), settings=settings, glossary=path, backend="torch", threads=1)
    assert isinstance(stack.enforcer, GlossaryTranslator) and stack.translator is stack.enforcer
    assert load_glossary(path).fingerprint in stack.translator.identity
    (result,) = stack.translator.translate(["Pasukan Korea Utara bentrok."])
    assert "North Korea" in result.text and result.info["glossary"][0]["entry"] == "north-korea"
    assert (
        build_stack(str(tiny_model_dir), settings=settings, glossary=None, backend="torch", threads=1).enforcer is None
    )
    monkeypatch.setenv("IDTRANS_GLOSSARY", str(path))
    assert build_stack(str(tiny_model_dir), settings=settings, backend="torch", threads=1).glossary_path == path


def _hallucinate(text: str) -> str:
    """A model that invents a name beside "Ukraine" (but not beside a proxy it copies)."""
    return text.replace("Ukraine", "Sri Mulyania Ukraine")


def test_an_invented_name_fails_the_sentence_and_protection_removes_it():
    inner = FakeTranslator(_hallucinate)
    enforcer = GlossaryTranslator(inner, GLOSSARY)
    (result,) = enforcer.translate(["pasukan Ukraina menyerang"])
    assert result.text == "troops Ukraine attacked"
    assert inner.calls[1] == ["pasukan London menyerang"]  # every term protected: only the invented name failed
    assert "review" not in result.info and "invented" not in result.info
    assert "+invented" in enforcer.identity


def test_an_invented_name_no_candidate_removes_is_flagged_for_review():
    inner = FakeTranslator(lambda text: text.replace("attacked", "attacked Zorbleck"))
    enforcer = GlossaryTranslator(inner, GLOSSARY)
    results = enforcer.translate(["pasukan menyerang", "menyerang"])
    for result in results:
        assert result.text.endswith("attacked Zorbleck")
        assert result.info["invented"] == ["Zorbleck"]
        assert result.info["review"] == ["name 'Zorbleck' in the translation has no counterpart in the source"]
    assert "items" not in results[1].info  # a sentence without items is checked for invented names too
    assert enforcer.summary()["review"] == 2
    off = GlossaryTranslator(FakeTranslator(lambda text: text + " Zorbleck"), GLOSSARY, invented=False)
    assert "review" not in off.translate(["menyerang"])[0].info


def test_an_echoed_name_fails_the_sentence_and_protection_removes_it():
    inner = FakeTranslator(lambda text: text.replace("Ukraine attacked", "Ukraine attacked Ukraine"))
    (result,) = GlossaryTranslator(inner, GLOSSARY).translate(["pasukan Ukraina menyerang"])
    assert inner.calls[1] == ["pasukan London menyerang"]
    assert result.text == "troops Ukraine attacked" and "review" not in result.info


def test_an_echoed_name_no_candidate_removes_is_flagged_for_review():
    inner = FakeTranslator(lambda text: re.sub(r"(\w+) attacked", r"\1 attacked \1", text))
    (result,) = GlossaryTranslator(inner, GLOSSARY).translate(["pasukan Ukraina menyerang"])
    assert result.text == "troops Ukraine attacked Ukraine"
    assert result.info["echoed"] == ["Ukraine"]
    assert result.info["review"] == ["name 'Ukraine' written more often than the source has it"]


def test_words_that_are_not_english_are_flagged_for_review():
    inner = FakeTranslator(lambda text: text.replace("attacked", "troked").replace("residents", "warga"))
    flagged, clean = GlossaryTranslator(inner, GLOSSARY).translate(["pasukan menyerang warga", "pasukan bertemu"])
    assert flagged.text == "troops troked warga"
    assert flagged.info["unknown"] == ["troked", "warga"]
    assert flagged.info["review"] == [
        "'troked' is not English: a garbled word",
        "'warga' is not English: left untranslated",
    ]
    assert "review" not in clean.info and "unknown" not in clean.info


def test_an_invented_name_a_far_worse_scored_candidate_removes_is_kept():
    inner = FakeTranslator(_hallucinate, scores=lambda source, target: -0.5 if "Mulyania" in target else -3.0)
    (result,) = GlossaryTranslator(inner, GLOSSARY).translate(["pasukan Ukraina menyerang"])
    assert result.text == "troops Sri Mulyania Ukraine attacked"
    assert result.info["invented"] == ["Mulyania"] and "review" in result.info


def test_a_place_form_with_its_last_word_only_is_completed():
    inner = FakeTranslator(lambda text: text.replace("North Korean troops", "small Korean troops"))
    (result,) = GlossaryTranslator(inner, GLOSSARY).translate(["pasukan Korea Utara menyerang"])
    assert result.text == "small North Korean troops attacked"
    assert len(inner.calls) == 1  # repaired without another model call
    assert statuses(result)[0] == ("term", "North Korea", "repaired")
    # after a capitalised word ("South Korean") the last word is another place's: left alone
    inner = FakeTranslator(lambda text: text.replace("North Korean troops", "South Korean troops"))
    (result,) = GlossaryTranslator(inner, GLOSSARY, substitute=False).translate(["pasukan Korea Utara menyerang"])
    assert "South North" not in result.text


def _drop_north_korea_and_a_trailing_ukraine(text: str) -> str:
    text = re.sub(r"\s*\b(North Korea|London|Korea Utara)\b", "", text)
    return re.sub(r"\s*Ukraine", "", text) if text.lstrip().startswith("and ") else text


def test_no_text_is_sent_to_the_model_twice_in_one_call():
    # split fails (its piece "dan Ukraina." loses Ukraine), so split-more cuts there too: "menyerang " was sent before
    inner = FakeTranslator(_drop_north_korea_and_a_trailing_ukraine)
    enforcer = GlossaryTranslator(inner, GLOSSARY)
    (result,) = enforcer.translate(["menyerang Korea Utara dan Ukraina."])
    assert result.text == "Attacked North Korea and Ukraine."
    assert result.info["glossary"][0]["strategy"] == "split-more"
    later = [text for call in inner.calls[1:] for text in call]
    assert later.count("menyerang ") == 1 and len(later) == len(set(later))


class _Phases:
    """A Progress that records what it is told."""

    def __init__(self) -> None:
        self.events: list[tuple[str, float]] = []

    def __call__(self, done: float) -> None:
        self.events.append(("done", done))

    def phase(self, description: str, total: int) -> None:
        self.events.append((description, total))


def test_each_round_of_candidates_is_a_progress_phase():
    progress = _Phases()
    inner = FakeTranslator(_drop_north_korea_and_a_trailing_ukraine)
    enforcer = GlossaryTranslator(inner, GLOSSARY, progress=progress)
    enforcer.translate(["menyerang Korea Utara dan Ukraina."])
    phases = [event for event in progress.events if event[0] != "done"]
    assert [name for name, _ in phases] == [
        "checking facts: proxy round",
        "checking facts: terms alone",
        "checking facts: split",
        "checking facts: split-more",
    ]
    assert all(total >= 1 for _, total in phases)


def test_a_call_keeps_no_state_on_the_translator():
    """Two calls (e.g. two server threads) share nothing but the counts: each call has its own memo."""
    enforcer = GlossaryTranslator(FakeTranslator(lambda text: text.replace("Ukraine", "Ukrania")), GLOSSARY)
    (result,) = enforcer.translate(["dan Ukraina zzq"])
    assert result.info["glossary"][0]["status"] == "repaired"
    assert not [name for name, value in vars(enforcer).items() if "zzq" in repr(value)]


def _drop_ukraine_and_kbs_after_and(text: str) -> str:
    """A model that drops Ukraine (and its proxies) unless alone, and KBS in a piece that starts with "and"."""
    if text.strip() not in ("Ukraine", "London", "Paris"):
        text = re.sub(r"\s*\b(Ukraine|London|Paris)\b", "", text)
    return re.sub(r"\s*\bKBS\b", "", text) if text.lstrip().startswith("and") else text


def test_a_second_split_cuts_only_where_items_were_lost_so_the_rest_keeps_english_order():
    """Not "troops North Korea": an item the model placed itself is never cut out of its phrase."""
    inner = FakeTranslator(_drop_ukraine_and_kbs_after_and)
    (result,) = GlossaryTranslator(inner, GLOSSARY).translate(["pasukan Korea Utara menyerang Ukraina dan KBS."])
    assert result.text == "North Korean troops attacked Ukraine and KBS."
    assert [(r["entry"], r["status"]) for r in result.info["glossary"]] == [
        ("north-korea", "applied"),
        ("ukraine", "repaired"),
        ("kbs", "applied"),  # the model wrote it; the pieces lost it
    ]
    assert result.info["glossary"][1]["strategy"] == "split-more"


def _drop_the_last_thought(text: str) -> str:
    """A model that drops what follows a sentence's first inner full stop, with the items in it."""
    head, stop, _ = text.partition(". ")
    return head + "." if stop else text


def test_a_sentence_whose_last_thought_the_model_dropped_is_translated_thought_by_thought():
    inner = FakeTranslator(_drop_the_last_thought)
    (result,) = GlossaryTranslator(inner, GLOSSARY).translate(["pasukan menyerang. warga dan Korea Utara."])
    assert result.text == "troops attacked. residents and North Korea."
    assert result.info["glossary"][0]["strategy"] == "thoughts"
    assert ["pasukan menyerang.", " warga dan Korea Utara."] in inner.calls


def test_a_sentence_that_loses_a_name_when_its_first_word_is_lowered_gets_the_as_written_english():
    """The case rule gives ``Pantai`` as ``pantai``; this model then drops the name however it is protected,
    and keeps it in the source as written."""
    english = {
        "pantai Kuta dikunjungi Prabowo.": "the beach was visited by the president.",
        "Pantai Kuta dikunjungi Prabowo.": "Kuta Beach was visited by Prabowo.",
    }
    backend = CasedBackend(respond=lambda text, options: english.get(text, "the beach was visited."))
    inner = SentenceTranslator(backend, DecodeSettings())
    assert inner.lowered_words("“Pantai Kuta” dikunjungi. Baik.") == ["Pantai", "Baik"]
    assert not inner.lowered_words("Jakarta banjir.") and not inner.as_written().lowered_words("Pantai Kuta.")
    assert inner.as_written().as_written() is inner.as_written()
    assert inner.as_written().identity != inner.identity  # a different translation, a different cache key
    (plain,) = inner.translate(["Pantai Kuta dikunjungi Prabowo."])
    assert plain.text == "The beach was visited by the president."
    (result,) = GlossaryTranslator(inner, GLOSSARY).translate(["Pantai Kuta dikunjungi Prabowo."])
    assert result.text == "Kuta Beach was visited by Prabowo."
    assert [(item["source"], item["status"], item["strategy"]) for item in result.info["items"]] == [
        ("Prabowo", "repaired", "as-written")
    ]


def test_an_as_written_english_that_copies_the_lowered_word_is_no_candidate():
    english = {"upaya Prabowo gagal.": "the effort failed.", "Upaya Prabowo gagal.": "Upaya Prabowo failed."}
    inner = SentenceTranslator(CasedBackend(respond=lambda text, options: english.get(text, "the effort failed.")))
    (result,) = GlossaryTranslator(inner, GLOSSARY).translate(["Upaya Prabowo gagal."])
    assert "Upaya" not in result.text
    assert "as-written" not in {item.get("strategy") for item in result.info["items"]}
