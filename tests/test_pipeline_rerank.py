"""Reranking with a reverse model: the spec file, the choice rule, both backends' n-best lists, the stack."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from idtrans.errors import ModelError
from idtrans.pipeline.backends.ct2_backend import CT2MarianBackend
from idtrans.pipeline.backends.load import load_backend
from idtrans.pipeline.layers.factory import build_stack
from idtrans.pipeline.layers.rerank import RERANK_FILE, RerankingBackend, RerankSpec, read_rerank_spec
from idtrans.pipeline.layers.sentences import SentenceTranslator
from idtrans.pipeline.layers.translator import DecodeSettings, Generation
from idtrans.pipeline.models.convert import convert_model

NO_ROUNDS = DecodeSettings(unknown_word_rounds=0)  # the tiny model writes no English word: no rounds
SOURCES = ["Pasukan Korea Utara diserang di Kursk.", "Halo dunia.", "Sekitar 11.000 tentara berada di Kursk."]


@pytest.fixture(autouse=True)
def _private_cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))


@pytest.fixture(scope="module")
def reverse_ct2(tiny_model_dir, tmp_path_factory):
    """The tiny model converted, standing in for a reverse model (any model can score any pair)."""
    return convert_model(tiny_model_dir, tmp_path_factory.mktemp("reverse") / "ct2", "float32").path


@pytest.fixture
def reranked_model(tiny_model_dir, reverse_ct2, tmp_path):
    """A copy of the tiny model that declares the converted copy beside it as its reverse model."""
    model = Path(shutil.copytree(tiny_model_dir, tmp_path / "model"))
    shutil.copytree(reverse_ct2, model / "reverse")
    (model / RERANK_FILE).write_text(json.dumps({"reverse": "reverse", "weight": 0.5, "hypotheses": 3}))
    return model


# -- the spec -----------------------------------------------------------------------------------


def test_a_model_without_the_file_declares_nothing(tiny_model_dir):
    assert read_rerank_spec(tiny_model_dir) is None


def test_the_reverse_model_is_found_beside_the_file(reranked_model):
    spec = read_rerank_spec(reranked_model)
    assert spec == RerankSpec(reranked_model / "reverse", 0.5, 3)


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("{not json", "cannot read rerank.json"),
        ('{"weight": 0.5, "hypotheses": 3}', "cannot read rerank.json"),
        ('{"reverse": "reverse", "weight": "heavy", "hypotheses": 3}', "cannot read rerank.json"),
        ('{"reverse": "reverse", "weight": -1, "hypotheses": 3}', "out of range"),
        ('{"reverse": "reverse", "weight": 0.5, "hypotheses": 0}', "out of range"),
        ('{"reverse": "elsewhere", "weight": 0.5, "hypotheses": 3}', "not there"),
    ],
)
def test_a_bad_file_is_a_model_error_naming_it_and_the_way_out(reranked_model, content, says):
    (reranked_model / RERANK_FILE).write_text(content)
    with pytest.raises(ModelError) as caught:
        read_rerank_spec(reranked_model)
    assert says in str(caught.value)
    assert caught.value.where == str(reranked_model / RERANK_FILE)
    assert caught.value.hint


# -- the choice -----------------------------------------------------------------------------------


class FakeForward:
    identity = "fake-forward"
    max_input_tokens = 64

    def __init__(self, lists):
        self.lists = lists
        self.calls = []

    def count_tokens(self, texts):
        return [len(t.split()) + 1 for t in texts]

    def split_tokens(self, text, window):
        return [text]

    def generate(self, texts, options):
        return [self.lists[t][0][0] for t in texts]

    def generate_nbest(self, texts, options, size):
        self.calls.append((tuple(texts), options, size))
        return [self.lists[t][:size] for t in texts]

    def score(self, sources, targets):
        return [-1.0 for _ in sources]


class FakeReverse:
    identity = "fake-reverse"

    def __init__(self, scores):
        self.scores = scores
        self.calls = []

    def score(self, sources, targets):
        self.calls.append((list(sources), list(targets)))
        return [self.scores[(english, source)] for english, source in zip(sources, targets)]


LISTS = {"a": [("A one", -0.5), ("A two", -0.6), ("A three", -0.9)], "b": [("B one", -0.2), ("B two", -0.3)]}
REVERSE = {
    ("A one", "a"): -2.0,
    ("A two", "a"): -1.0,
    ("A three", "a"): -0.6,
    ("B one", "b"): -1.0,
    ("B two", "b"): -1.5,
}


@pytest.mark.parametrize(
    ("weight", "expected"),
    [
        (0.0, [("A one", -0.5), ("B one", -0.2)]),  # the forward model's first
        (0.5, [("A two", -0.6), ("B one", -0.2)]),  # -1.5, -1.1, -1.2
        (2.0, [("A three", -0.9), ("B one", -0.2)]),  # -4.5, -2.6, -2.1
    ],
)
def test_each_output_maximises_forward_plus_weighted_reverse(weight, expected):
    forward, reverse = FakeForward(LISTS), FakeReverse(REVERSE)
    backend = RerankingBackend(forward, reverse, RerankSpec(Path("r"), weight, 3))
    options = Generation(beams=4, max_new_tokens=20)
    assert backend.generate_scored(["a", "b"], options) == expected
    assert backend.generate(["a", "b"], options) == [text for text, _ in expected]
    assert forward.calls == [(("a", "b"), options, 3)] * 2
    # the reverse model reads each English and scores the source given it (never called at weight 0)
    asked = {pair for sources, targets in reverse.calls for pair in zip(sources, targets)}
    assert asked == (set() if weight == 0 else set(REVERSE))


def test_equal_totals_keep_the_forward_models_order():
    forward = FakeForward({"a": [("first", -1.0), ("second", -1.0)]})
    reverse = FakeReverse({("first", "a"): -1.0, ("second", "a"): -1.0})
    assert RerankingBackend(forward, reverse, RerankSpec(Path("r"), 1.0, 2)).generate(["a"], Generation(4, 9)) == [
        "first"
    ]


def test_generate_each_decodes_each_text_with_its_own_options():
    forward, reverse = FakeForward(LISTS), FakeReverse(REVERSE)
    backend = RerankingBackend(forward, reverse, RerankSpec(Path("r"), 0.5, 2))
    options = [Generation(4, 20, avoid=("one",)), Generation(4, 20, avoid=("two",))]
    assert backend.generate_each(["a", "b"], options) == [("A two", -0.6), ("B one", -0.2)]
    assert forward.calls == [(("a",), options[0], 2), (("b",), options[1], 2)]


def test_identity_and_scores_are_the_forward_models_plus_the_reranker():
    backend = RerankingBackend(FakeForward(LISTS), FakeReverse(REVERSE), RerankSpec(Path("r"), 0.3, 8))
    assert backend.identity == "fake-forward+rerank=8x0.3:fake-reverse"
    assert backend.score(["a"], ["A one"]) == [-1.0]
    assert backend.max_input_tokens == 64 and backend.count_tokens(["x y"]) == [3]


# -- real backends --------------------------------------------------------------------------------


@pytest.mark.parametrize("backend_name", ["torch", "ct2"])
def test_both_backends_return_size_hypotheses_best_first(tiny_model_dir, reverse_ct2, backend_name):
    backend = (
        load_backend(str(tiny_model_dir), threads=1)
        if backend_name == "torch"
        else CT2MarianBackend(reverse_ct2, threads=1)
    )
    options = Generation(beams=3, max_new_tokens=10)
    lists = backend.generate_nbest(SOURCES, options, 3)
    assert [len(found) for found in lists] == [3, 3, 3]
    assert [found[0][0] for found in lists] == backend.generate(SOURCES, options)
    for found in lists:
        assert all(isinstance(score, float) and score <= 0 for _, score in found)
        assert len({text for text, _ in found}) > 1  # distinct hypotheses, not one repeated


def test_the_stack_reranks_a_model_that_declares_a_reverse_model(reranked_model):
    stack = build_stack(str(reranked_model), settings=NO_ROUNDS, glossary=None, backend="torch", threads=1)
    assert isinstance(stack.backend, RerankingBackend)
    assert "+rerank=3x0.5:" in stack.translator.identity
    decoded: list[list[str]] = []
    nbest = stack.backend.forward.generate_nbest

    def spy(texts, options, size):
        lists = nbest(texts, options, size)
        decoded.extend([text for text, _ in found] for found in lists)
        return lists

    stack.backend.forward.generate_nbest = spy
    translations = stack.translator.translate(SOURCES)
    # each English is one of the model's best three (its first letter a capital again: the case rule)
    assert len(decoded) == len(SOURCES)
    for translation, found in zip(translations, decoded):
        assert translation.text in {text[:1].upper() + text[1:] for text in found} | set(found)
    plain = build_stack(
        str(reranked_model),
        settings=DecodeSettings(unknown_word_rounds=0, rerank=False),
        glossary=None,
        backend="torch",
        threads=1,
    )
    assert not isinstance(plain.backend, RerankingBackend)
    assert "+rerank=" not in plain.translator.identity


def test_a_weight_of_zero_translates_as_the_widened_beam_does(reranked_model):
    (reranked_model / RERANK_FILE).write_text(json.dumps({"reverse": "reverse", "weight": 0, "hypotheses": 4}))
    reranked = build_stack(
        str(reranked_model), settings=NO_ROUNDS, glossary=None, backend="torch", threads=1
    ).translator
    plain = SentenceTranslator(
        load_backend(str(reranked_model), threads=1), DecodeSettings(beams=4, unknown_word_rounds=0, rerank=False)
    )
    assert [t.text for t in reranked.translate(SOURCES)] == [t.text for t in plain.translate(SOURCES)]


def test_the_cli_takes_no_rerank(reranked_model, tmp_path):
    from typer.testing import CliRunner

    from idtrans.cli import app

    source = tmp_path / "in.id.txt"
    source.write_text("Pasukan Korea Utara diserang di Kursk.\n", encoding="utf-8")
    outputs = {}
    for flag in ([], ["--no-rerank"]):
        out = tmp_path / f"out{len(flag)}.jsonl"
        args = ["translate", str(source), "-o", str(out), "--format", "jsonl", "-m", str(reranked_model)]
        result = CliRunner().invoke(app, [*args, "--backend", "torch", "--no-glossary", "--no-cache", *flag])
        assert result.exit_code == 0, result.output
        outputs[bool(flag)] = out.read_text(encoding="utf-8")
    assert outputs[False] and outputs[True]


# -- attaching a reverse model, and measuring weights ------------------------------------------------


def test_attach_reranker_converts_the_reverse_model_and_writes_the_spec(tiny_model_dir, tmp_path):
    from idtrans.training.reranker import REVERSE_DIR, attach_reranker

    model = Path(shutil.copytree(tiny_model_dir, tmp_path / "model"))
    info = attach_reranker(model, tiny_model_dir, weight=0.3, hypotheses=8)
    assert info["reverse"] == REVERSE_DIR and info["size_mb"] > 0
    assert read_rerank_spec(model) == RerankSpec(model / REVERSE_DIR, 0.3, 8)
    stack = build_stack(str(model), settings=NO_ROUNDS, glossary=None, backend="torch", threads=1)
    assert isinstance(stack.backend, RerankingBackend)
    # again, with other settings: the old reverse model is replaced, nothing else left behind
    attach_reranker(model, tiny_model_dir, weight=0.5, hypotheses=4)
    assert read_rerank_spec(model) == RerankSpec(model / REVERSE_DIR, 0.5, 4)
    assert sorted(p.name for p in model.iterdir() if p.is_dir()) == [REVERSE_DIR]


def test_attach_reranker_refuses_a_directory_over_the_limit_and_leaves_it_as_it_was(tiny_model_dir, tmp_path):
    from idtrans.errors import TrainingError
    from idtrans.training.reranker import attach_reranker

    model = Path(shutil.copytree(tiny_model_dir, tmp_path / "model"))
    before = sorted(p.name for p in model.iterdir())
    with pytest.raises(TrainingError, match="over the 0.01 MB limit"):
        attach_reranker(model, tiny_model_dir, weight=0.3, hypotheses=8, max_mb=0.01)
    with pytest.raises(TrainingError, match="out of range"):
        attach_reranker(model, tiny_model_dir, weight=0, hypotheses=8)
    assert sorted(p.name for p in model.iterdir()) == before


def test_tune_scores_each_weight_and_weight_zero_is_the_first_translation(tiny_model_dir, tmp_path):
    import sacrebleu

    from idtrans.training.rerank_tune import main, tune

    prefix = tmp_path / "set"
    prefix.with_suffix(".id").write_text("\n".join(SOURCES) + "\n", encoding="utf-8")
    references = ["North Korean troops were attacked in Kursk.", "Hello world.", "About 11,000 soldiers are in Kursk."]
    prefix.with_suffix(".en").write_text("\n".join(references) + "\n", encoding="utf-8")
    results = tune(
        tiny_model_dir, tiny_model_dir, {"set": prefix}, hypotheses=3, weights=[0, 0.5], threads=1, max_new_tokens=30
    )
    assert set(results["set"]) == {"0", "0.5"}
    first = SentenceTranslator(
        CT2MarianBackend(Path(load_converted(tiny_model_dir)), threads=1),
        DecodeSettings(beams=3, max_new_tokens=30, unknown_word_rounds=0, rerank=False),
    ).translate(SOURCES)
    expected = sacrebleu.corpus_bleu([t.text for t in first], [references]).score
    assert results["set"]["0"]["bleu"] == round(expected, 2)
    out = tmp_path / "tune.json"
    assert (
        main([str(tiny_model_dir), str(tiny_model_dir), f"set={prefix}", "--weights", "0,1", "--json", str(out)]) == 0
    )
    assert set(json.loads(out.read_text())["set"]) == {"0", "1"}


def load_converted(model_dir):
    from idtrans.pipeline.models.converted import converted_copy

    return converted_copy(model_dir)


def test_the_model_card_gets_one_reranker_section_kept_up_to_date(tiny_model_dir, tmp_path):
    from idtrans.training.reranker import attach_reranker

    model = Path(shutil.copytree(tiny_model_dir, tmp_path / "model"))
    (model / "README.md").write_text("# Card\n\n## Data\n\nsome data\n", encoding="utf-8")
    attach_reranker(model, tiny_model_dir, weight=0.3, hypotheses=8, card_note="dev 1.0 -> 2.0")
    (model / "README.md").write_text((model / "README.md").read_text() + "\n## Later\n\nmore\n", encoding="utf-8")
    attach_reranker(model, tiny_model_dir, weight=0.2, hypotheses=6)
    card = (model / "README.md").read_text(encoding="utf-8")
    assert card.count("## Reranker") == 1
    assert "best 6" in card and "0.2 x" in card and "best 8" not in card and "dev 1.0" not in card
    assert card.startswith("# Card\n\n## Data\n\nsome data\n") and card.rstrip().endswith("## Later\n\nmore")


def test_an_unknown_word_penalty_prefers_the_hypothesis_without_garbled_words():
    lists = {"Pasukan bentrok.": [("Troops troked.", -0.3), ("Troops clashed.", -0.5)]}
    reverse = FakeReverse({("Troops troked.", "Pasukan bentrok."): -1.0, ("Troops clashed.", "Pasukan bentrok."): -1.0})
    plain = RerankingBackend(FakeForward(lists), reverse, RerankSpec(Path("r"), 0.2, 2))
    assert plain.generate(["Pasukan bentrok."], Generation(4, 9)) == ["Troops troked."]
    penalised = RerankingBackend(FakeForward(lists), reverse, RerankSpec(Path("r"), 0.2, 2, unknown_word_penalty=1.0))
    assert penalised.generate(["Pasukan bentrok."], Generation(4, 9)) == ["Troops clashed."]
    assert penalised.identity.endswith("+rerank=2x0.2-1u:fake-reverse")


def test_the_penalty_is_read_from_the_file_and_written_by_attach(reranked_model, tiny_model_dir, tmp_path):
    from idtrans.training.reranker import attach_reranker

    (reranked_model / RERANK_FILE).write_text(
        json.dumps({"reverse": "reverse", "weight": 0.5, "hypotheses": 3, "unknown_word_penalty": 1})
    )
    assert read_rerank_spec(reranked_model).unknown_word_penalty == 1.0
    (reranked_model / RERANK_FILE).write_text(
        json.dumps({"reverse": "reverse", "weight": 0.5, "hypotheses": 3, "unknown_word_penalty": -1})
    )
    with pytest.raises(ModelError, match="out of range"):
        read_rerank_spec(reranked_model)
    model = Path(shutil.copytree(tiny_model_dir, tmp_path / "other"))
    attach_reranker(model, tiny_model_dir, weight=0.2, hypotheses=8, unknown_word_penalty=0.5)
    assert read_rerank_spec(model).unknown_word_penalty == 0.5


@pytest.mark.parametrize("rerank", [True, False])
def test_the_server_reranks_unless_told_not_to(reranked_model, rerank):
    """`idtrans serve --no-rerank` reaches the server's stack (and its worker processes, through the config)."""
    from idtrans.serve.config import ServeConfig
    from idtrans.serve.engine import load_engine

    config = ServeConfig(
        model=str(reranked_model), backend="torch", threads=1, cache=False, no_glossary=True, rerank=rerank
    )
    assert ServeConfig(**json.loads(config.to_env())).rerank is rerank
    engine = load_engine(config)
    assert isinstance(engine.stack.backend, RerankingBackend) is rerank
    engine.close()


def test_tune_reports_a_bad_set_in_one_line(tiny_model_dir, tmp_path, capsys):
    from idtrans.training.rerank_tune import main

    prefix = tmp_path / "set"
    assert main([str(tiny_model_dir), str(tiny_model_dir), f"set={prefix}"]) == 1
    assert "set.id: source file not found" in capsys.readouterr().err
    prefix.with_suffix(".id").write_bytes(b"\xff\xfe bukan utf-8\n")
    prefix.with_suffix(".en").write_text("one\n", encoding="utf-8")
    assert main([str(tiny_model_dir), str(tiny_model_dir), f"set={prefix}"]) == 1
    err = capsys.readouterr().err
    assert "set.id:1: source file is not UTF-8 text" in err and "Traceback" not in err
    prefix.with_suffix(".id").write_text("satu\ndua\n", encoding="utf-8")
    assert main([str(tiny_model_dir), str(tiny_model_dir), f"set={prefix}"]) == 1
    assert "set.en has 1 lines but" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main([str(tiny_model_dir), str(tiny_model_dir), f"set={prefix}", "--weights", "a,b"])


def test_ct2_nbest_each_is_each_text_decoded_alone(reverse_ct2):
    backend = CT2MarianBackend(reverse_ct2, threads=2)
    options = [Generation(beams=2, max_new_tokens=10), Generation(beams=3, max_new_tokens=8, avoid=("kursk",))]
    alone = [backend.generate_nbest([text], option, 3)[0] for text, option in zip(SOURCES[:2], options)]
    assert backend.generate_nbest_each(SOURCES[:2], options, 3) == alone
