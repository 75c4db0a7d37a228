"""GlossaryTranslator: protect → translate → restore → verify → repair, with fake inner translators."""

from __future__ import annotations

import re
from typing import Callable, Sequence

import pytest

from idtrans.glossary import Entry, Glossary
from idtrans.pipeline.enforce import GlossaryTranslator
from idtrans.pipeline.translator import Translation, Translator

GLOSSARY = Glossary([
    Entry("north-korea", ("Korea Utara",), "North Korea", "place", also=("North Korean",)),
    Entry("ukraine", ("Ukraina",), "Ukraine", "place"),
    Entry("defence-ministry", ("Kementerian Pertahanan",), "Defence Ministry", "organisation", "ignore",
          forbidden=("Ministry of Defense",)),
    Entry("kbs", ("KBS",), "KBS", "organisation", "keep-source"),
], name="test")

WORDS = {"pasukan": "troops", "menyerang": "attacked", "dan": "and", "kata": "said", "penyiar": "broadcaster"}


class FakeTranslator:
    """Word-by-word 'translation' with a hook to break what the model does to stand-ins."""

    identity = "fake:inner"

    def __init__(self, damage: Callable[[str], str] = lambda text: text) -> None:
        self.damage = damage
        self.calls: list[list[str]] = []

    def translate(self, sentences: Sequence[str]) -> list[Translation]:
        self.calls.append(list(sentences))
        out = []
        for sentence in sentences:
            text = " ".join(WORDS.get(word, word) for word in sentence.split(" "))
            out.append(Translation(sentence, self.damage(text), 0.5, {"parts": 1}))
        return out


def test_it_is_a_translator_and_identity_has_the_fingerprint():
    enforcer = GlossaryTranslator(FakeTranslator(), GLOSSARY)
    assert isinstance(enforcer, Translator)
    assert GLOSSARY.fingerprint in enforcer.identity and enforcer.identity.startswith("fake:inner|")


def test_copying_model_applies_every_term_in_one_call():
    inner = FakeTranslator()
    enforcer = GlossaryTranslator(inner, GLOSSARY)
    sentences = ["pasukan Korea Utara menyerang Ukraina", "tanpa istilah", "penyiar KBS kata"]
    result = enforcer.translate(sentences)
    assert [t.source for t in result] == sentences
    assert result[0].text == "troops North Korea attacked Ukraine"
    assert result[1].text == "tanpa istilah" and "glossary" not in result[1].info
    assert result[0].info["parts"] == 1
    assert [(r["entry"], r["source_form"], r["target"], r["status"]) for r in result[0].info["glossary"]] == [
        ("north-korea", "Korea Utara", "North Korea", "applied"), ("ukraine", "Ukraina", "Ukraine", "applied")]
    assert len(inner.calls) == 1 and inner.calls[0][0] == "pasukan London menyerang Paris"
    assert enforcer.summary() == {"sentences": 3, "matched": 3, "applied": 3, "repaired": 0, "missed": 0, "forbidden": 0}


def test_failed_proxy_is_repaired_by_the_inline_strategy_for_that_sentence_only():
    # the model turns the first proxy into something else (proxy fails), but copies English (inline works)
    inner = FakeTranslator(lambda text: text.replace("London", "England"))
    enforcer = GlossaryTranslator(inner, GLOSSARY)
    result = enforcer.translate(["pasukan Korea Utara menyerang", "dan Ukraina"])
    assert inner.calls[0] == ["pasukan London menyerang", "dan London"]
    assert result[0].text == "troops North Korea attacked"
    assert result[0].info["glossary"][0] == {"entry": "north-korea", "source_form": "Korea Utara", "target": "North Korea",
                                             "status": "repaired", "strategy": "inline"}
    assert inner.calls[1] == ["pasukan North Korea menyerang", "dan Ukraine"]  # second strategy, failed sentences only
    assert enforcer.summary()["repaired"] == 2


def test_forbidden_form_is_substituted():
    inner = FakeTranslator(lambda text: re.sub(r"Defence Ministry|London|Kementerian Pertahanan", "Ministry of Defense", text))
    enforcer = GlossaryTranslator(inner, GLOSSARY)
    (result,) = enforcer.translate(["kata Kementerian Pertahanan"])
    assert result.text == "said Defence Ministry"
    assert result.info["glossary"][0]["status"] == "repaired"


def test_untranslated_source_term_is_substituted():
    # the model undoes every protection and leaves the Indonesian name as it is
    inner = FakeTranslator(lambda text: re.sub(r"North Korea|London|Paris", "Korea Utara", text))
    enforcer = GlossaryTranslator(inner, GLOSSARY)
    (result,) = enforcer.translate(["pasukan Korea Utara menyerang"])
    assert result.text == "troops North Korea attacked"
    assert result.info["glossary"][0]["status"] == "repaired"


def test_dropped_term_is_repaired_by_translating_around_it():
    # the model silently drops the term (and every stand-in) whatever we do
    inner = FakeTranslator(lambda text: re.sub(r"\s*\b(North Korea|London|Korea Utara)\b", "", text))
    enforcer = GlossaryTranslator(inner, GLOSSARY)
    (result,) = enforcer.translate(["pasukan Korea Utara menyerang Ukraina."])
    assert result.text == "Troops North Korea attacked Ukraine."
    assert [r["status"] for r in result.info["glossary"]] == ["repaired", "applied"]
    assert result.info["glossary"][0]["strategy"].startswith("split")


def test_without_repair_a_dropped_term_is_missed_and_counted():
    inner = FakeTranslator(lambda text: re.sub(r"\s*\b(North Korea|London|Paris)\b", "", text))
    enforcer = GlossaryTranslator(inner, GLOSSARY, substitute=False)
    (result,) = enforcer.translate(["pasukan Korea Utara menyerang"])
    assert result.info["glossary"][0]["status"] == "missed"
    assert enforcer.summary()["missed"] == 1
    assert "missed" in enforcer.summary_line()


def test_unknown_strategy_is_rejected():
    with pytest.raises(ValueError):
        GlossaryTranslator(FakeTranslator(), GLOSSARY, strategies=("constrained-beam",))


def test_with_the_real_sentence_translator(tiny_model_dir):
    """The enforcer on the real SentenceTranslator and a tiny random MarianMT: every term ends up present."""
    import torch

    torch.set_num_threads(1)
    from idtrans.glossary import check_translation, default_glossary_path, load_glossary
    from idtrans.pipeline.factory import build_translator
    from idtrans.pipeline.translator import DecodeSettings

    glossary = load_glossary(default_glossary_path())
    inner = build_translator(str(tiny_model_dir), settings=DecodeSettings(beams=1, max_new_tokens=12), glossary=False,
                             backend="torch", threads=1)
    enforcer = GlossaryTranslator(inner, glossary)
    sentences = ["Menteri Pertahanan Ukraina Rustem Umerov mengatakan pasukan Korea Utara diserang.",
                 "Presiden Rusia Vladimir Putin berkunjung ke Pyongyang pada bulan Juni."]
    results = enforcer.translate(sentences)
    for sentence, result in zip(sentences, results):
        assert all(check.found for check in check_translation(glossary, sentence, result.text)), result.text
    counts = enforcer.summary()
    assert counts["matched"] == counts["applied"] + counts["repaired"] + counts["missed"] >= 8


def test_factory_wraps_the_sentence_translator(tiny_model_dir, tmp_path, monkeypatch):
    """build_stack(glossary=...) puts a GlossaryTranslator on top; False leaves it out; the env var picks the file."""
    import torch

    torch.set_num_threads(1)
    from idtrans.glossary import load_glossary
    from idtrans.pipeline.factory import build_stack
    from idtrans.pipeline.translator import DecodeSettings

    path = tmp_path / "g.yaml"
    path.write_text("version: 1\nentries:\n  - source: [Korea Utara]\n    target: North Korea\n", encoding="utf-8")
    settings = DecodeSettings(beams=1, max_new_tokens=8)
    stack = build_stack(str(tiny_model_dir), settings=settings, glossary=path, backend="torch", threads=1)
    assert isinstance(stack.enforcer, GlossaryTranslator) and stack.translator is stack.enforcer
    assert load_glossary(path).fingerprint in stack.translator.identity
    (result,) = stack.translator.translate(["Pasukan Korea Utara bentrok."])
    assert "North Korea" in result.text and result.info["glossary"][0]["entry"] == "north-korea"
    assert build_stack(str(tiny_model_dir), settings=settings, glossary=False, backend="torch", threads=1).enforcer is None
    monkeypatch.setenv("IDTRANS_GLOSSARY", str(path))
    assert build_stack(str(tiny_model_dir), settings=settings, backend="torch", threads=1).glossary_path == path
