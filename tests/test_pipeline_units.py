"""Batching, long-sentence splitting, repetition detection and order restoration."""

from __future__ import annotations

import random

import pytest
from fakes import CasedBackend, WordBackend
from hypothesis import given, settings
from hypothesis import strategies as st

from idtrans.errors import TranslationError
from idtrans.pipeline.layers.batching import plan_batches
from idtrans.pipeline.layers.longsplit import split_at_stops, split_long
from idtrans.pipeline.layers.modeltext import CaseRule, ModelText, is_headline, model_input, model_output, title_case
from idtrans.pipeline.layers.repetition import collapse_stutters, is_degenerate, is_truncated, repeated_run
from idtrans.pipeline.layers.sentences import SentenceTranslator
from idtrans.pipeline.layers.translator import DecodeSettings


@given(
    st.lists(st.integers(min_value=1, max_value=300), max_size=80),
    st.integers(min_value=50, max_value=5000),
    st.integers(min_value=1, max_value=6),
)
def test_batches_cover_every_index_once_within_budget(lengths, budget, beams):
    batches = plan_batches(lengths, budget=budget, beams=beams, max_sentences=16)
    flat = [i for batch in batches for i in batch]
    assert sorted(flat) == list(range(len(lengths)))
    for batch in batches:
        assert len(batch) <= 16
        if len(batch) > 1:
            assert len(batch) * max(lengths[i] for i in batch) * beams <= budget


def test_batches_are_sorted_longest_first():
    batches = plan_batches([3, 9, 1, 7], budget=1000, max_sentences=2)
    assert batches == [[1, 3], [0, 2]]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I'm sorry I'm sorry I'm sorry", ("i'm sorry", 3)),
        ("such as well as well as well as well.", ("as well", 4)),
        ("the the the the end", ("the", 4)),
        ("the the the end", None),
        ("North Korean troops clashed with Ukrainian forces.", None),
        ("Wait!!!! Now!!!!", None),
    ],
)
def test_repeated_run(text, expected):
    assert repeated_run(text) == expected


def test_degenerate_by_length():
    assert is_degenerate("Halo dunia.", "Hello " * 40)
    assert not is_degenerate("Halo dunia.", "Hello world.")


def _count(backend):
    return backend.count_tokens


def test_split_long_prefers_clause_boundaries():
    backend = WordBackend()
    text = "satu dua tiga; empat lima enam, tujuh delapan sembilan"
    parts = split_long(text, backend.count_tokens, 5, backend.split_tokens)
    assert "".join(parts) == text
    assert parts[0] == "satu dua tiga;"
    assert all(backend.count_tokens([p])[0] <= 5 for p in parts)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from(["kata", "pasukan,", "Korea;", "—", "Utara", "11.000", "“serang”", "di:", "x"]),
        min_size=1,
        max_size=400,
    ),
    st.integers(min_value=3, max_value=40),
)
def test_split_long_never_loses_text(words, limit):
    backend = WordBackend()
    text = " ".join(words)
    parts = split_long(text, backend.count_tokens, limit, backend.split_tokens)
    assert "".join(parts) == text
    assert all(backend.count_tokens([p])[0] <= limit for p in parts)


def test_order_is_restored_after_length_sorting():
    rng = random.Random(7)
    sentences = [" ".join(f"w{i}x{j}" for j in range(rng.randint(1, 30))) for i in range(40)]
    translator = SentenceTranslator(WordBackend(), DecodeSettings(beams=2, batch_tokens=120))
    results = translator.translate(sentences)
    assert [r.source for r in results] == sentences
    assert [r.text for r in results] == [s.upper() for s in sentences]
    assert len(translator.backend.calls) > 1  # really batched


def test_long_sentence_is_split_translated_and_rejoined():
    words = [f"kata{i}" for i in range(3000)]
    paragraph = ", ".join(" ".join(words[i : i + 7]) for i in range(0, 3000, 7))
    translator = SentenceTranslator(WordBackend(max_input_tokens=60), DecodeSettings(beams=1))
    (result,) = translator.translate([paragraph])
    assert result.info["parts"] > 1
    assert result.text.replace(",", "").split() == [w.upper() for w in words]


def test_degenerate_output_is_retried_with_safer_settings():
    def respond(text, options):
        if options["no_repeat_ngram_size"]:
            return "North Korea attacked."
        return "I'm sorry I'm sorry I'm sorry I'm sorry" if "serang" in text else text.upper()

    backend = WordBackend(respond=respond)
    results = SentenceTranslator(backend, DecodeSettings()).translate(["Korea Utara serang.", "Halo."])
    assert results[0].text == "North Korea attacked." and results[0].info == {"retried": True}
    assert results[1].text == "HALO." and results[1].info == {}
    retry_calls = [c for c in backend.calls if c[1]["no_repeat_ngram_size"]]
    assert retry_calls == [(["Korea Utara serang."], retry_calls[0][1])]


def test_empty_sentences_stay_empty_without_a_model_call():
    backend = WordBackend()
    results = SentenceTranslator(backend, DecodeSettings()).translate(["", "  ", "Halo."])
    assert [r.text for r in results] == ["", "", "HALO."]
    assert backend.calls[0][0] == ["Halo."]


def test_backend_returning_too_few_outputs_is_an_error():
    class Broken(WordBackend):
        def generate(self, texts, options):
            return super().generate(texts, options)[:-1]

    with pytest.raises(TranslationError, match="outputs for"):
        SentenceTranslator(Broken(), DecodeSettings()).translate(["a b", "c d"])


def test_max_new_tokens_is_derived_from_input_length():
    backend = WordBackend(max_input_tokens=100)
    SentenceTranslator(backend, DecodeSettings(length_ratio=1.5, length_slack=10)).translate(["a b c d"])
    assert backend.calls[0][1]["max_new_tokens"] == 18  # ceil(1.5 * 5) + 10
    SentenceTranslator(backend, DecodeSettings(max_new_tokens=7)).translate(["a b c d"])
    assert backend.calls[1][1]["max_new_tokens"] == 7


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.sampled_from(["a", "b", " ", ",", ";", "\n", "kata", "x" * 30]), max_size=120).map("".join),
    st.integers(min_value=3, max_value=12),
)
def test_split_by_window_is_lossless_and_bounded(text, window):
    from idtrans.pipeline.layers.longsplit import split_by_window

    def count(texts):  # one token per 3 characters of each word, plus </s>
        return [sum(-(-len(w) // 3) for w in t.split()) + 1 for t in texts]

    pieces = split_by_window(text, count, window)
    assert "".join(pieces) == text
    assert all(count([p])[0] <= window for p in pieces)


def test_a_long_sentence_advances_progress_piece_by_piece():
    """One long unpunctuated sentence is translated in pieces; each piece reports its share of the sentence."""
    from idtrans.pipeline.layers.sentences import SentenceTranslator
    from idtrans.pipeline.layers.translator import DecodeSettings

    reported: list[float] = []
    settings = DecodeSettings(beams=1, length_slack=2, batch_tokens=12, max_batch_sentences=1)
    translator = SentenceTranslator(WordBackend(max_input_tokens=10), settings, progress=reported.append)
    long = " ".join(f"kata{i}" for i in range(40))
    (result,) = translator.translate([long])
    assert result.info["parts"] >= 4
    assert len(reported) == result.info["parts"]  # one report per piece, not one at the very end
    assert all(0 < share < 1 for share in reported) and sum(reported) == pytest.approx(1.0)


def test_the_progress_bar_shows_one_sentence_and_a_new_phase():
    from idtrans.progress import ProgressBar

    bar = ProgressBar()
    bar.enabled = True  # as on a terminal
    bar.start(1, "sentences")
    try:
        assert bar._bar is not None  # a single (long) sentence gets a bar too
        bar(0.25)
        bar(5)  # never past the total
        assert bar._bar.tasks[0].completed == 1
        bar.phase("checking facts: proxy round", 3)
        task = bar._bar.tasks[0]
        assert (task.description, task.total, task.completed) == ("checking facts: proxy round", 3, 0)
    finally:
        bar.stop()


def test_model_is_given_opening_quotes_spaced_off_their_word_and_output_rejoined():
    seen = []

    def respond(text, options):
        seen.append(text)
        return '“ They wore uniforms," he said, and ‘ so on.'

    results = SentenceTranslator(WordBackend(respond=respond), DecodeSettings()).translate(
        ["“Mereka memakai seragam,” kata dia, dan ‘seterusnya.", '(“Ya”) dan "tidak"']
    )
    assert seen == ["“ Mereka memakai seragam,” kata dia, dan ‘ seterusnya.", '(“ Ya”) dan " tidak"']
    assert results[0].text == '“They wore uniforms," he said, and ‘so on.'
    assert results[0].source == "“Mereka memakai seragam,” kata dia, dan ‘seterusnya."


def test_model_text_rules_touch_only_opening_quotes():
    assert model_input("kata 'ini' dan Jum'at (AS) “x”") == "kata 'ini' dan Jum'at (AS) “ x”"
    assert model_output('said " They" and “ x') == 'said "They" and “x'
    assert model_output("they 've 3 ' x") == "they 've 3 ' x"


def test_case_rule_lowers_only_words_the_vocabulary_knows_whole_in_lower_case():
    case = CaseRule(CasedBackend().count_tokens)
    assert case.lowers("Hujan")
    assert not case.lowers("Jakarta")  # known whole as written
    assert not case.lowers("HUJAN") and not case.lowers("hujan") and not case.lowers("H")
    assert not CaseRule(WordBackend().count_tokens).lowers("Hujan")  # known whole either way
    assert ModelText.of("Hujan turun.").text == "Hujan turun."  # no case rule: as written


def test_a_lowered_first_word_is_given_to_the_model_and_the_english_gets_its_capital_back():
    seen = []

    def respond(text, options):
        seen.append(text)
        return {"hujan turun.": "rain fell.", "“ baik bagi mereka.”": "“ both for them.”"}.get(text, "11 fell.")

    backend = CasedBackend(respond=respond)
    sentences = ["Hujan turun.", "“Baik bagi mereka.”", "Jakarta banjir.", "Sebelas jatuh."]
    results = SentenceTranslator(backend, DecodeSettings()).translate(sentences)
    assert sorted(seen) == sorted(["hujan turun.", "“ baik bagi mereka.”", "Jakarta banjir.", "sebelas jatuh."])
    assert [r.text for r in results] == ["Rain fell.", "“Both for them.”", "11 fell.", "11 fell."]
    assert [r.source for r in results] == sentences


def test_a_sentence_inside_a_text_has_its_first_word_lowered_too_and_its_capital_restored():
    case = CaseRule(CasedBackend().count_tokens)
    given = ModelText.of("Jakarta gagal total… Baik bagi mereka. “Hujan” turun di Jl. Soepomo.", case)
    assert given.text == "Jakarta gagal total… baik bagi mereka. “ hujan” turun di Jl. Soepomo."
    english = given.output("jakarta failed… both for them. “ rain” fell at 9 a.m. on the U.S. base.")
    assert english == "Jakarta failed… Both for them. “Rain” fell at 9 a.m. on the U.S. base."


def test_a_title_case_headline_is_given_in_lower_case_where_the_vocabulary_says_and_its_english_in_title_case():
    assert is_headline("Kasus DBD di Jakarta Menurun") and is_headline("Warga Akan Dievakuasi ke SMP 129")
    assert not is_headline("Pemimpin Al Qaida di Afghanistan tewas")  # a headline in sentence case
    assert not is_headline("Presiden AS George W. Bush Menerima Pengumuman Itu.")  # a sentence: full stop
    assert not is_headline("Hujan turun lagi") and not is_headline("Kasus Menurun")
    assert title_case('"the cases in jakarta fall" of 11 people') == '"The Cases in Jakarta Fall" of 11 People'
    assert title_case("11 of the troops' state-run o'neil") == "11 of the Troops' State-run O'neil"
    seen = []

    def respond(text, options):
        seen.append(text)
        return "the cases in Jakarta are down"

    (result,) = SentenceTranslator(CasedBackend(respond=respond), DecodeSettings()).translate(
        ["Kasus DBD di Jakarta Menurun"]
    )
    assert seen == ["kasus DBD di Jakarta menurun"]  # DBD (not one capital) and Jakarta (known whole) stay
    assert result.text == "The Cases in Jakarta Are Down"


def test_a_stuttered_word_is_written_once_unless_the_source_repeats_it_or_english_does():
    assert collapse_stutters("x", "close the ticket ticket Ticket tickets in the general general election") == (
        "close the ticket tickets in the general election"
    )
    assert collapse_stutters("panda Shin Shin", "the panda Shin Shin and New New") == "the panda Shin Shin and New"
    assert collapse_stutters("x", "they had had enough, 10 10 of them") == "they had had enough, 10 10 of them"
    backend = WordBackend(respond=lambda text, options: "the the troops troops arrived")
    (result,) = SentenceTranslator(backend, DecodeSettings()).translate(["pasukan tiba"])
    assert result.text == "the troops arrived"


def test_split_at_stops_cuts_after_ellipses_and_inner_sentence_ends_only():
    text = "meminta “bersama dunia… [melakukan] segala perang… gagal. Baik bagi mereka; ya.”"
    assert split_at_stops(text) == [
        "meminta “bersama dunia…",
        " [melakukan] segala perang…",
        " gagal.",
        " Baik bagi mereka;",
        " ya.”",
    ]
    assert split_at_stops('sidang...Saya siap." kata dia') == ["sidang...", 'Saya siap." kata dia']
    assert split_at_stops('naik 3.5 persen..." kata dia.') == ['naik 3.5 persen..." kata dia.']
    assert split_at_stops("") == []


def test_truncated_by_word_ratio_only_for_sentences_long_enough():
    assert is_truncated("satu dua tiga empat lima enam tujuh delapan sembilan sepuluh", "one two three four")
    assert not is_truncated(
        "satu dua tiga empat lima enam tujuh delapan sembilan sepuluh", "one two three four five six"
    )
    assert not is_truncated("satu dua tiga", "one")


def test_output_that_stops_at_an_ellipsis_is_retranslated_thought_by_thought():
    sentence = "Zelensky meminta Ukraina bersama dunia… melakukan segala sesuatu agar perang ini gagal total."

    def respond(text, options):
        if "…" in text and "gagal" in text:
            return "Zelensky asked Ukraine with the world."  # stops at the ellipsis
        return text.upper()

    backend = WordBackend(respond=respond)
    (result,) = SentenceTranslator(backend, DecodeSettings()).translate([sentence])
    assert (
        result.text == "ZELENSKY MEMINTA UKRAINA BERSAMA DUNIA… MELAKUKAN SEGALA SESUATU AGAR PERANG INI GAGAL TOTAL."
    )
    assert result.info == {"parts": 2, "resplit": True}
    assert [sorted(call[0]) for call in backend.calls[1:]] == [
        [" melakukan segala sesuatu agar perang ini gagal total.", "Zelensky meminta Ukraina bersama dunia…"]
    ]


def test_a_resplit_that_says_less_keeps_the_whole_translation():
    sentence = "Satu dua tiga empat lima enam… tujuh delapan sembilan sepuluh sebelas."
    backend = WordBackend(respond=lambda text, options: "Short." if text.startswith("Satu") else "")
    (result,) = SentenceTranslator(backend, DecodeSettings()).translate([sentence])
    assert result.text == "Short." and result.info == {}


def test_a_spaced_closing_quote_and_text_without_glued_quotes_are_left_as_the_model_wrote_them():
    assert model_output('He said, " We are ready. " He added.') == 'He said, "We are ready. " He added.'
    backend = WordBackend(respond=lambda text, options: 'kata " Kami siap " lalu')
    (result,) = SentenceTranslator(backend, DecodeSettings()).translate(['kata " Kami siap " lalu'])
    assert result.text == 'kata " Kami siap " lalu'


def test_scores_are_taken_on_the_text_as_the_model_reads_and_writes_it():
    class Scoring(WordBackend):
        def score(self, sources, targets):
            self.scored = list(zip(sources, targets))
            return [-1.0 for _ in sources]

    backend = Scoring()
    assert SentenceTranslator(backend, DecodeSettings()).score(["“Mereka datang."], ["“They came."]) == [-1.0]
    assert backend.scored == [("“ Mereka datang.", "“ They came.")]


def test_a_resplit_that_repeats_itself_is_rejected_and_its_time_still_counted():
    sentence = "Satu dua tiga empat lima enam… tujuh delapan sembilan sepuluh sebelas."

    def respond(text, options):
        if text.startswith("Satu") and "tujuh" in text:
            return "Short."
        return "sorry " * 60 if "tujuh" in text else text.upper()

    (result,) = SentenceTranslator(WordBackend(respond=respond), DecodeSettings()).translate([sentence])
    assert result.text == "Short." and "resplit" not in result.info


def test_a_retried_piece_keeps_its_flag_when_its_parts_replace_it():
    sentence = "Satu dua tiga empat lima enam… tujuh delapan sembilan sepuluh sebelas."

    def respond(text, options):
        if text == sentence:
            return "Short." if options["no_repeat_ngram_size"] else "sorry " * 60
        return text.upper()

    (result,) = SentenceTranslator(WordBackend(respond=respond), DecodeSettings()).translate([sentence])
    assert result.info == {"parts": 2, "retried": True, "resplit": True}


def test_split_at_stops_keeps_abbreviations_and_initials_whole():
    text = "Ia bertemu Dr. Budi di Jl. Sudirman ketika J. K. Rowling datang… lalu pergi."
    assert split_at_stops(text) == ["Ia bertemu Dr. Budi di Jl. Sudirman ketika J. K. Rowling datang…", " lalu pergi."]


# -- words that are not English, decoded again -----------------------------------------------------

#: The tests run with $IDTRANS_WORD_ROUNDS=0 (conftest); these ask for the default rounds themselves.
RETRYING = DecodeSettings(unknown_word_rounds=3)


def test_output_with_a_word_that_is_not_english_is_decoded_again_with_the_word_blocked():
    sentence = "Mereka mengenakan seragam Rusia."

    def respond(text, options):
        if "seragams" not in options["avoid"]:
            return "They wore Russian seragams."
        return "They wore Russian seragam." if "seragam" not in options["avoid"] else "They wore Russian uniforms."

    backend = WordBackend(respond=respond)
    (result,) = SentenceTranslator(backend, RETRYING).translate([sentence])
    assert result.text == "They wore Russian uniforms."
    assert result.info == {"avoided": ["seragams"]}  # the words of the first output the English no longer has
    # round 1 blocks the made-up word, round 2 also the copied one
    assert [call[1]["avoid"] for call in backend.calls] == [(), ("seragams",), ("seragam", "seragams")]


def test_the_retry_keeps_the_output_with_fewest_unknown_words_and_stops_after_three_rounds():
    spellings = iter(["zorbs glimt", "blarf", "quonk", "vlimp", "never asked for"])
    backend = WordBackend(respond=lambda text, options: f"They saw {next(spellings)}.")
    (result,) = SentenceTranslator(backend, RETRYING).translate(["Mereka melihat sesuatu."])
    assert result.text == "They saw blarf."  # one unknown word; no later round did better
    assert result.info == {"avoided": ["glimt", "zorbs"]}
    assert [call[1]["avoid"] for call in backend.calls] == [
        (),
        ("glimt", "zorbs"),
        ("blarf", "glimt", "zorbs"),
        ("blarf", "glimt", "quonk", "zorbs"),
    ]  # the first decode and three rounds


def test_names_and_english_words_are_never_blocked_and_a_clean_output_is_not_decoded_again():
    backend = WordBackend(respond=lambda text, options: "Rustem Umerov met Zelensky in Kyiv.")
    (result,) = SentenceTranslator(backend, RETRYING).translate(["Rustem Umerov bertemu Zelensky di Kyiv."])
    assert result.info == {} and len(backend.calls) == 1


def test_a_retry_that_repeats_itself_or_stops_early_is_not_kept():
    sentence = "Para pejabat mengatakan pasukan itu telah dikerahkan ke wilayah perbatasan minggu lalu."
    first = "Officials said the troops had been pilled to the border region last week."

    def respond(text, options):
        if not options["avoid"]:
            return first
        return "Officials said." if "pilled" in options["avoid"] else first

    (result,) = SentenceTranslator(WordBackend(respond=respond), RETRYING).translate([sentence])
    assert result.text == first and "avoided" not in result.info
    repeats = WordBackend(respond=lambda text, options: first if not options["avoid"] else "sent sent sent sent sent")
    (result,) = SentenceTranslator(repeats, RETRYING).translate([sentence])
    assert result.text == first


def test_each_sentence_is_decoded_again_alone_with_only_its_own_words_blocked():
    """What a sentence becomes must not depend on the sentences it was translated with (the cache keys one)."""
    outputs = {"Satu.": "One blorp.", "Dua.": "Two snerk.", "Tiga.": "Three."}
    backend = WordBackend(respond=lambda text, options: "Fine." if options["avoid"] else outputs[text])
    results = SentenceTranslator(backend, RETRYING).translate(["Satu.", "Dua.", "Tiga."])
    assert [r.text for r in results] == ["Fine.", "Fine.", "Three."]
    retries = sorted((call[0], call[1]["avoid"]) for call in backend.calls[1:])
    assert retries == [(["Dua."], ("snerk",)), (["Satu."], ("blorp",))]


def test_a_retry_clears_the_degenerate_flag_of_the_output_it_replaces_and_reports_its_phase():
    events = []

    class Recorder:
        def __call__(self, done):
            events.append(("done", done))

        def phase(self, description, total):
            events.append((description, total))

    def respond(text, options):
        if options["avoid"]:
            return "One two three."
        return "blorp blorp blorp blorp blorp"  # degenerate, and retried with safer settings still degenerate

    (result,) = SentenceTranslator(WordBackend(respond=respond), RETRYING, Recorder()).translate(["Satu dua tiga."])
    assert result.text == "One two three."
    assert result.info == {"retried": True, "avoided": ["blorp"]}
    assert ("decoding again: words that are not English, round 1", 1) in events


def test_words_of_the_glossary_renderings_are_never_blocked():
    backend = WordBackend(respond=lambda text, options: "He studied at a pesantren.")
    translator = SentenceTranslator(backend, RETRYING, exempt=frozenset({"pesantren"}))
    (result,) = translator.translate(["Dia belajar di pesantren."])
    assert result.info == {} and len(backend.calls) == 1
    assert translator.identity != SentenceTranslator(backend, RETRYING).identity
    plain = SentenceTranslator(backend, DecodeSettings(unknown_word_rounds=0))
    assert "blocking" not in plain.identity and "word_rounds=0" in plain.identity


def test_a_retry_that_loses_a_number_or_a_copied_name_is_not_kept():
    sentence = "Sekitar 11.000 tentara Korea Utara berada di wilayah Kursk pekan lalu."
    first = "About 11,000 Korean soldiers were in the Kursk regon last week."
    for retried in (
        "About Korean soldiers were in the Kursk region last week.",
        "About 11,000 Korean soldiers were in the region last week.",
    ):
        backend = WordBackend(respond=lambda text, options, retried=retried: retried if options["avoid"] else first)
        (result,) = SentenceTranslator(backend, RETRYING).translate([sentence])
        assert result.text == first, retried
    kept = WordBackend(
        respond=lambda text, options: (
            "About 11,000 Korean soldiers were in the Kursk region." if options["avoid"] else first
        )
    )
    (result,) = SentenceTranslator(kept, RETRYING).translate([sentence])
    assert result.info["avoided"] == ["regon"]


class _FakeSpm:
    """Stands in for a sentencepiece model: fixed segmentations; ``nbest`` False behaves like a BPE model."""

    def __init__(self, table, nbest=True):
        self.table, self.nbest = table, nbest

    def nbest_encode_as_pieces(self, word, n):
        if not self.nbest:
            raise RuntimeError("NBestEncode is available only for unigram models")
        return self.table[word][:n]

    def encode(self, word, out_type=str):
        return self.table.get(word, [["\u2581" + word]])[0]


def test_blocked_spellings_never_block_a_frequent_english_word(monkeypatch):
    from idtrans.pipeline.backends import blocking

    monkeypatch.setattr(blocking, "common_words", lambda: frozenset({"swimming", "accompanying"}))
    table = {
        "swimming": [["\u2581swimm", "ing"]],
        "accompanying": [["\u2581accomp", "an", "y", "ing"]],
        "swimm": [["\u2581swimm"]],  # begins swimming's tokens: not blocked after a space; glued: one token
        "anying": [["\u2581an", "y", "ing"], ["\u2581any", "ing"]],  # glued "an y ing" is inside accompanying
        "seray": [["\u2581ser", "ay"]],
    }
    pieces = {piece for segmentations in table.values() for tokens in segmentations for piece in tokens}
    vocabulary = {piece: i for i, piece in enumerate(sorted(pieces | {"ser", "any", "an"}))}
    blocker = blocking.Blocker(_FakeSpm(table), vocabulary)
    assert blocker.spellings("swimm") == []
    assert blocker.spellings("anying") == [["\u2581an", "y", "ing"], ["\u2581any", "ing"], ["any", "ing"]]
    assert blocker.spellings("seray") == [["\u2581ser", "ay"], ["ser", "ay"]]
    # a model that is not a unigram model has one segmentation
    assert blocking.Blocker(_FakeSpm(table, nbest=False), vocabulary).spellings("anying") == [["\u2581an", "y", "ing"]]


def test_a_glued_spelling_inside_a_frequent_word_is_blocked_after_an_opening_quote_only(monkeypatch):
    from idtrans.pipeline.backends import blocking

    monkeypatch.setattr(blocking, "common_words", lambda: frozenset({"unforgettable", "table"}))
    table = {
        "unforgettable": [["\u2581un", "for", "ge", "t", "t", "able"]],
        "table": [["\u2581t", "able"]],
        "ttable": [["\u2581t", "t", "able"]],  # glued "t t able" is inside unforgettable
        "t": [["\u2581t"]],  # begins table, spaced and glued: “table” must stay possible
    }
    pieces = {piece for segmentations in table.values() for tokens in segmentations for piece in tokens}
    vocabulary = {piece: i for i, piece in enumerate(sorted(pieces | {"\u2581“", "("}))}
    blocker = blocking.Blocker(_FakeSpm(table), vocabulary)
    assert blocker.spellings("ttable") == [
        ["\u2581t", "t", "able"],
        ["\u2581“", "t", "t", "able"],  # “ttable”, as the model writes it in quotes
        ["(", "t", "t", "able"],
    ]
    assert blocker.spellings("t") == []
