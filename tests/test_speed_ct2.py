"""The CTranslate2 backend and conversion, on the tiny MarianMT fixture converted in a tmp dir."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest

from idtrans.errors import InputError, ModelError
from idtrans.pipeline.backends.ct2_backend import CT2MarianBackend, MarianPieces, load_ct2_backend
from idtrans.pipeline.layers.sentences import SentenceTranslator
from idtrans.pipeline.layers.translator import Backend, DecodeSettings, Generation
from idtrans.pipeline.models.convert import convert_model
from idtrans.pipeline.models.converted import (
    PROVENANCE,
    converted_copy,
    default_converted_dir,
    is_converted_dir,
    model_digest,
)
from idtrans.settings import cache_dir

SENTENCES = [
    "Pasukan Korea Utara telah bentrok dengan pasukan Ukraina untuk pertama kalinya.",
    "Sekitar 11.000 tentara berada di wilayah perbatasan Kursk.",
    "Presiden Rusia Vladimir Putin berkunjung ke Pyongyang pada bulan Juni.",
    "Halo.",
    "Menteri Pertahanan Ukraina Rustem Umerov mengatakan kelompok kecil pasukan diserang, kata pejabat AS.",
]


@pytest.fixture(autouse=True)
def _private_cache_dir(tmp_path, monkeypatch):
    """Conversions and lookups in the idtrans cache dir stay inside the test's tmp dir."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))


@pytest.fixture(scope="module")
def converted(tiny_model_dir, tmp_path_factory):
    """float32 and int8 conversions of the tiny model, made once for this module."""
    root = tmp_path_factory.mktemp("ct2")
    return {q: convert_model(tiny_model_dir, root / q, q).path for q in ("float32", "int8")}


# -- tokenisation: the same as MarianTokenizer, token for token ---------------------------------

TOKENIZER_CASES = [
    "Pasukan Korea Utara telah bentrok.",
    "",
    "  spasi   ganda  ",
    ">>en<< dengan kode bahasa",
    "teks </s> dengan token khusus <unk> dan <pad> di tengah",
    "Ünïcödé ☃ 日本語 — “kutipan” …",
    "tab\tdan\nbaris baru",
    "11.000 tentara, 3,5 persen",
]


@pytest.mark.parametrize("text", TOKENIZER_CASES)
def test_encoding_matches_marian_tokenizer(tiny_model_dir, text):
    from transformers import MarianTokenizer

    reference = MarianTokenizer.from_pretrained(tiny_model_dir)(text)["input_ids"]
    assert MarianPieces(tiny_model_dir).ids(text) == reference


def test_decoding_matches_marian_tokenizer(tiny_model_dir):
    from transformers import MarianTokenizer

    reference = MarianTokenizer.from_pretrained(tiny_model_dir)
    pieces = MarianPieces(tiny_model_dir)
    by_id = {index: token for token, index in pieces.vocab.items()}
    rng = random.Random(7)
    for _ in range(200):
        ids = [rng.randrange(len(by_id)) for _ in range(rng.randrange(1, 25))]
        assert pieces.decode([by_id[i] for i in ids]) == reference.decode(ids, skip_special_tokens=True), ids


# -- conversion ----------------------------------------------------------------------------------


def test_converted_directory_is_self_contained_with_provenance(converted, tiny_model_dir, tmp_path):
    for quantization, path in converted.items():
        assert is_converted_dir(path)
        record = json.loads((path / PROVENANCE).read_text(encoding="utf-8"))
        assert record["quantization"] == quantization
        assert record["source_digest"] == model_digest(tiny_model_dir)
        assert record["source"] == str(Path(tiny_model_dir).resolve())
        assert record["versions"]["ctranslate2"]
        assert record["max_position_embeddings"] == 64
        for name in ("source.spm", "target.spm", "vocab.json", "tokenizer_config.json", "hf_config.json"):
            assert (path / name).is_file(), name
    # Usable with the source model gone.
    moved = shutil.copytree(converted["int8"], tmp_path / "elsewhere")
    backend = CT2MarianBackend(moved, threads=1)
    assert len(backend.generate(["Halo dunia."], Generation(beams=1, max_new_tokens=5))) == 1


def test_int8_is_smaller_than_float32(converted):
    size = {q: (p / "model.bin").stat().st_size for q, p in converted.items()}
    assert size["int8"] < size["float32"]


@pytest.mark.parametrize("quantization", ["int4", "float16x", ""])
def test_unknown_quantization_is_an_input_error(tiny_model_dir, tmp_path, quantization):
    with pytest.raises(InputError, match="unknown quantization"):
        convert_model(tiny_model_dir, tmp_path / "out", quantization)


def test_convert_refuses_to_overwrite(tiny_model_dir, converted, tmp_path):
    foreign = tmp_path / "notes"
    foreign.mkdir()
    (foreign / "mine.txt").write_text("user data", encoding="utf-8")
    with pytest.raises(InputError, match="not a converted model"):
        convert_model(tiny_model_dir, foreign, "int8", force=True)
    assert (foreign / "mine.txt").read_text(encoding="utf-8") == "user data"
    again = shutil.copytree(converted["int8"], tmp_path / "again")
    with pytest.raises(InputError, match="already exists") as refused:
        convert_model(tiny_model_dir, again, "int8")
    assert "--force" in refused.value.hint
    result = convert_model(tiny_model_dir, again, "float32", force=True)
    assert result.replaced and json.loads((again / PROVENANCE).read_text())["quantization"] == "float32"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".again")]  # no temporary left behind


def test_convert_rejects_a_converted_source(converted, tmp_path):
    with pytest.raises(InputError, match="already a converted"):
        convert_model(converted["int8"], tmp_path / "x", "int8")


# -- where converted copies are found ---------------------------------------------------------


@pytest.fixture
def model_copy(tiny_model_dir, tmp_path):
    return Path(shutil.copytree(tiny_model_dir, tmp_path / "model"))


def test_no_copy_means_none(model_copy):
    assert converted_copy(model_copy) is None


def test_copy_beside_the_model_is_found_and_int8_preferred(model_copy, converted):
    shutil.copytree(converted["float32"], model_copy / "ct2-float32")
    assert converted_copy(model_copy) == model_copy / "ct2-float32"
    shutil.copytree(converted["int8"], model_copy / "ct2-int8")
    assert converted_copy(model_copy) == model_copy / "ct2-int8"


def test_default_destination_is_found_by_digest(model_copy):
    result = convert_model(model_copy, None, "int8")
    assert result.path == default_converted_dir(model_copy, "int8")
    assert result.path.is_relative_to(cache_dir())
    assert converted_copy(model_copy) == result.path
    # The same weights under another path find the same copy.
    twin = shutil.copytree(model_copy, model_copy.with_name("twin"))
    assert converted_copy(twin) == result.path


def test_stale_copy_is_ignored(model_copy, converted):
    shutil.copytree(converted["int8"], model_copy / "ct2-int8")
    config = json.loads((model_copy / "config.json").read_text())
    config["dropout"] = 0.3  # the model changed after conversion
    (model_copy / "config.json").write_text(json.dumps(config))
    assert converted_copy(model_copy) is None


def test_load_without_copy_converts_once_or_refuses(model_copy):
    with pytest.raises(ModelError, match="no CTranslate2 copy") as refused:
        load_ct2_backend(model_copy, threads=1, convert=False)
    assert "idtrans model convert" in refused.value.hint
    notes: list[str] = []
    backend = load_ct2_backend(model_copy, threads=1, notice=notes.append)
    assert len(notes) == 1 and "converting" in notes[0]
    assert backend.quantization == "int8"
    assert load_ct2_backend(model_copy, threads=1, notice=notes.append).path == backend.path
    assert len(notes) == 1  # found, not converted again


# -- the backend ---------------------------------------------------------------------------------


def test_backend_satisfies_protocol_and_loads_lazily(converted):
    backend = CT2MarianBackend(converted["int8"], threads=1)
    assert isinstance(backend, Backend)
    assert backend.threads == 1 and not backend.loaded
    assert backend.max_input_tokens == 64
    assert backend.count_tokens(["Halo dunia."]) == [len(backend.tokenizer.pieces("Halo dunia."))]
    backend.generate(["Halo dunia."], Generation(beams=1, max_new_tokens=4))
    assert backend.loaded


def test_identity_names_quantization_and_weights(converted, tiny_model_dir):
    identities = {q: CT2MarianBackend(p, threads=1).identity for q, p in converted.items()}
    assert identities["int8"] != identities["float32"]
    assert all(model_digest(tiny_model_dir) in value for value in identities.values())


@pytest.mark.parametrize("beams, at_least", [(1, 5), (2, 4), (4, 4)])
def test_float32_output_equals_the_torch_backend(tiny_model_dir, converted, beams, at_least):
    """Same tokens in, same decoding, same text out. Greedy must match exactly; with beams, the
    random tiny model's near-flat distributions leave near-ties that float rounding (torch vs
    CTranslate2 GEMMs) may break either way, so one sentence in five may differ. (On the real
    standin model float32 CTranslate2 matches torch on 59 of 60 dev sentences, beam 4.)"""
    from idtrans.pipeline.backends.load import load_backend

    settings = DecodeSettings(beams=beams)
    torch_out = [
        t.text for t in SentenceTranslator(load_backend(str(tiny_model_dir), threads=1), settings).translate(SENTENCES)
    ]
    ct2_out = [
        t.text
        for t in SentenceTranslator(CT2MarianBackend(converted["float32"], threads=1), settings).translate(SENTENCES)
    ]
    assert sum(a == b for a, b in zip(ct2_out, torch_out)) >= at_least, list(zip(ct2_out, torch_out))


class _RecordingTranslator:
    """Stands in for ctranslate2.Translator: records the options translate_batch receives."""

    def __init__(self):
        self.calls = []

    def translate_batch(self, batch, **options):
        self.calls.append((batch, options))

        class Result:
            hypotheses = [["\u2581ok"]]
            scores = [-0.25]

        return [Result() for _ in batch]


@pytest.mark.parametrize(
    "options, expected",
    [
        (
            dict(beams=4, max_new_tokens=20),
            dict(beam_size=4, max_decoding_length=19, no_repeat_ngram_size=0, repetition_penalty=1.0),
        ),
        (dict(beams=1, max_new_tokens=1), dict(beam_size=1, max_decoding_length=1)),
        (
            dict(beams=2, max_new_tokens=30, no_repeat_ngram_size=3, repetition_penalty=1.3),
            dict(beam_size=2, max_decoding_length=29, no_repeat_ngram_size=3, repetition_penalty=1.3),
        ),
    ],
)
def test_generate_maps_decoding_options(converted, options, expected):
    backend = CT2MarianBackend(converted["int8"], threads=1)
    recorder = backend._translator = _RecordingTranslator()
    assert backend.generate(["Halo dunia.", "Apa kabar?"], Generation(**options)) == ["ok", "ok"]
    assert backend.generate_scored(["Halo dunia."], Generation(**options)) == [("ok", -0.25)]
    batch, passed = recorder.calls[0]
    assert batch[0][-1] == "</s>" and batch[0] == backend.tokenizer.pieces("Halo dunia.")
    for key, value in expected.items():
        assert passed[key] == value, key
    assert passed["max_batch_size"] == 2 and passed["batch_type"] == "examples"  # one replica: the whole batch
    assert passed["return_scores"] is True


def test_words_to_avoid_become_suppressed_target_sequences(converted):
    backend = CT2MarianBackend(converted["int8"], threads=1)
    recorder = backend._translator = _RecordingTranslator()
    backend.generate(["Halo dunia."], Generation(beams=2, max_new_tokens=5))
    assert recorder.calls[0][1]["suppress_sequences"] == backend.suppress_sequences
    backend.generate(["Halo dunia."], Generation(beams=2, max_new_tokens=5, avoid=("seragams", "panen")))
    suppressed = recorder.calls[1][1]["suppress_sequences"]
    assert suppressed[: len(backend.suppress_sequences or [])] == list(backend.suppress_sequences or [])
    assert backend.tokenizer.target_pieces("seragams") in suppressed
    assert backend.tokenizer.target_pieces("panen") in suppressed


def test_generate_each_decodes_every_text_alone_with_its_own_options(converted):
    backend = CT2MarianBackend(converted["float32"], threads=2)
    texts = ["Halo dunia.", "Pasukan Korea Utara diserang di Kursk pada 4 November.", "Apa kabar?"]
    first = backend.generate(texts, Generation(beams=2, max_new_tokens=12))
    words = [tuple(w for w in text.split() if w.isalpha() and w.islower() and len(w) > 2)[:2] for text in first]
    options = [Generation(beams=2, max_new_tokens=12, avoid=avoid) for avoid in words]
    alone = [backend.generate_scored([text], option)[0] for text, option in zip(texts, options)]
    assert backend.generate_each(texts, options) == alone


@pytest.mark.parametrize("beams", [1, 2])
def test_both_backends_stop_writing_a_word_they_are_told_to_avoid(tiny_model_dir, converted, beams):
    """The blocked word's tokens (after a space) never follow each other in the output again, and the two
    backends agree on what comes instead (torch renormalises the scores as CTranslate2 does)."""
    from idtrans.pipeline.backends.load import load_backend

    sources = ["Halo dunia.", "Pasukan Korea Utara diserang di Kursk pada 4 November."]
    backends = [load_backend(str(tiny_model_dir), threads=1), CT2MarianBackend(converted["float32"], threads=1)]
    first = backends[0].generate(sources, Generation(beams=beams, max_new_tokens=12))
    words = sorted({w for text in first for w in text.split() if w.isalpha() and w.islower() and len(w) > 2})
    assert words, first
    options = Generation(beams=beams, max_new_tokens=12, avoid=tuple(words))
    again = [backend.generate(sources, options) for backend in backends]
    assert again[0] != first
    for text in again[0] + again[1]:
        assert not set(text.split()) & set(words), (text, words)
    assert sum(a == b for a, b in zip(*again)) >= len(sources) - (beams > 1)


@pytest.mark.parametrize(
    ("threads", "sentences", "sub_batch"), [(2, 10, 5), (2, 11, 6), (2, 40, 16), (3, 2, 1), (1, 40, 16)]
)
def test_batches_are_shared_among_single_threaded_replicas(converted, threads, sentences, sub_batch):
    backend = CT2MarianBackend(converted["int8"], threads=threads)
    assert (backend.inter_threads, backend.intra_threads) == (threads, 1)
    recorder = backend._translator = _RecordingTranslator()
    backend.generate(["Halo dunia."] * sentences, Generation(beams=2, max_new_tokens=5))
    assert recorder.calls[0][1]["max_batch_size"] == sub_batch  # every replica busy, no sub-batch above 16
    one_replica = CT2MarianBackend(converted["int8"], threads=4, inter_threads=1)
    assert (one_replica.inter_threads, one_replica.intra_threads) == (1, 4)


def test_int8_translates_every_sentence_in_order(converted):
    results = SentenceTranslator(CT2MarianBackend(converted["int8"], threads=1), DecodeSettings(beams=2)).translate(
        SENTENCES
    )
    assert [r.source for r in results] == SENTENCES
    assert all(r.text for r in results)


def test_broken_model_file_is_a_model_error(converted, tmp_path):
    broken = Path(shutil.copytree(converted["int8"], tmp_path / "broken"))
    (broken / "model.bin").write_bytes(b"not a model")
    backend = CT2MarianBackend(broken, threads=1)
    with pytest.raises(ModelError, match="cannot load"):
        backend.generate(["Halo."], Generation(beams=1, max_new_tokens=3))


def test_separate_vocabularies_are_refused_clearly(model_copy, tmp_path):
    config_file = model_copy / "tokenizer_config.json"
    config = json.loads(config_file.read_text())
    config["separate_vocabs"] = True
    config_file.write_text(json.dumps(config))
    with pytest.raises(ModelError, match="separate source and target vocabularies") as refused:
        convert_model(model_copy, tmp_path / "out", "int8")
    assert "--backend torch" in refused.value.hint
    assert not (tmp_path / "out").exists()


def test_decoding_scores_equal_forced_scores(converted, tiny_model_dir):
    """CTranslate2 reports each output's score while decoding, equal to its forced score; torch scores by force."""
    from idtrans.pipeline.backends.torch_backend import TorchMarianBackend
    from idtrans.pipeline.models.resolve import choose_model

    sources = ["Halo dunia.", "Pasukan Korea Utara diserang di Kursk pada 4 November."]
    ct2 = CT2MarianBackend(converted["float32"], threads=1)
    for beams in (1, 2):
        scored = ct2.generate_scored(sources, Generation(beams=beams, max_new_tokens=12))
        forced = ct2.score(sources, [text for text, _ in scored])
        for (text, decoded), again in zip(scored, forced):
            assert decoded < 0 and abs(decoded - again) < 0.05, (beams, text, decoded, again)
    torch_backend = TorchMarianBackend(choose_model(str(tiny_model_dir)), threads=1)
    outputs = torch_backend.generate(sources, Generation(beams=2, max_new_tokens=12))
    scores = torch_backend.score(sources, outputs)
    assert len(scores) == 2 and all(value < 0 for value in scores)
    assert torch_backend.score(sources[:1], ["Hello, world: a different text."]) != scores[:1]  # depends on the target


def test_a_text_over_the_position_limit_is_scored_on_its_first_tokens(converted, tiny_model_dir):
    """Scoring never asks the model for positions it has not got (a long unpunctuated sentence and its repair)."""
    from idtrans.pipeline.backends.torch_backend import TorchMarianBackend
    from idtrans.pipeline.models.resolve import choose_model

    long_source = " ".join(["pasukan Korea Utara diserang di Kursk"] * 200)
    long_target = " ".join(["North Korean troops were attacked in Kursk"] * 200)
    for backend in (
        CT2MarianBackend(converted["float32"], threads=1),
        TorchMarianBackend(choose_model(str(tiny_model_dir)), threads=1),
    ):
        assert backend.count_tokens([long_source])[0] > backend.max_input_tokens
        (value,) = backend.score([long_source], [long_target])
        assert value < 0
        short = backend.score(["Halo dunia."], ["Hello world."])  # no doubled </s> on a short text
        assert short[0] < 0
    ct2 = CT2MarianBackend(converted["float32"], threads=1)
    assert abs(ct2.score(["Halo dunia."], ["Hello world."])[0] - short[0]) < 0.05  # torch and ct2 agree
