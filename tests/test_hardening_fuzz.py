"""Hardening (issue 13): random text and bytes through read → segment → translate → assemble.

Properties: no exception escapes except the project's own InputError (empty, binary or
mis-encoded input, each a one-line message); no source character is lost between the input and
the sentences sent to the model; the English article has one block per source paragraph.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from idtrans.corpus.article import parse_article
from idtrans.corpus.reader import decode_text, normalise_text
from idtrans.errors import InputError

_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_words = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=0, max_size=12)
_special = st.sampled_from(
    [
        "Korea Utara",
        "Volodymyr Zelensky",
        "11.000",
        "3,5",
        "Rp 15.870",
        "(12/2)",
        "pukul 10.30 WIB",
        "\n",
        "\n\n",
        "\t",
        "\r\n",
        " ",
        ".",
        "...",
        "“",
        "”",
        '"',
        "(",
        ")",
        "#",
        "- ",
        "> ",
        *list(_INVISIBLE),
        "\x00",
        "\x1b",
        "\x7f",
        "x" * 600,
    ]
)
_texts = st.lists(st.one_of(_words, _special), min_size=0, max_size=40).map("".join)


@pytest.fixture(scope="module")
def stack(tiny_model_dir):
    import torch

    from idtrans.glossary import default_glossary_path
    from idtrans.pipeline.layers.factory import build_stack
    from idtrans.pipeline.layers.translator import DecodeSettings

    torch.set_num_threads(1)
    return build_stack(
        str(tiny_model_dir),
        settings=DecodeSettings(beams=1, max_new_tokens=6),
        glossary=default_glossary_path(),
        backend="torch",
        threads=1,
        cache=False,
    )


def _visible(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _check(text: str, stack, layout: str) -> None:
    from idtrans.pipeline.output.assemble import translate_article
    from idtrans.pipeline.output.render import render_text

    try:
        article = parse_article(text, keep_boilerplate=True, layout=layout)
    except InputError as error:
        assert error.where and str(error)  # a clean, located message (e.g. "no text")
        return
    sent = "".join(unit[3] for unit in article.units())
    normalised = normalise_text(text)
    headings_removed = re.sub(r"(?m)^ {0,3}#{1,6}[ \t]+|[ \t]+#+[ \t]*$", "", normalised)
    assert _visible(sent) in (_visible(normalised), _visible(headings_removed))  # nothing lost or added
    result = translate_article(article, stack.translator)
    english = render_text(result)
    assert english.endswith("\n")
    paragraphs = len(article.paragraphs) + (1 if article.title else 0)
    assert len(result.paragraphs()) == paragraphs
    assert len(english[:-1].split("\n\n")) == paragraphs  # one block per paragraph


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(text=_texts, layout=st.sampled_from(["text", "markdown"]))
def test_random_text_never_breaks_the_pipeline(stack, text, layout):
    _check(text, stack, layout)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=300))
def test_random_bytes_are_read_or_refused_cleanly(data):
    try:
        text = decode_text(data, where="fuzz.txt")
    except InputError as error:
        assert error.where == "fuzz.txt" and error.hint
        return
    try:
        parse_article(text, layout="text")
    except InputError as error:
        assert "no text" in str(error)


def test_a_giant_token_is_translated_in_parts(stack):
    _check("Judul\n\n" + "Kata" + "x" * 5000 + " selesai.", stack, "text")
