"""The public Python API: load a translator once, translate sentences or articles, score output.

    import idtrans

    translator = idtrans.load_translator()            # $IDTRANS_MODEL / opus-mt / bundled; default glossary
    translator.translate(["Pasukan Korea Utara tiba di Kursk."])        # -> list of English strings
    article = translator.translate_article(text)      # records with the fields of --format jsonl
    idtrans.score(hypotheses, references).bleu

Nothing here imports torch until a model is loaded.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from idtrans.corpus.article import parse_article
from idtrans.errors import EvalError
from idtrans.eval.score import METRICS, MetricScore, TermScore, load_term_metric, score_corpus
from idtrans.pipeline.layers.factory import TranslatorStack, build_stack
from idtrans.pipeline.layers.translator import DecodeSettings, Translation
from idtrans.pipeline.output.assemble import TranslatedArticle, translate_article
from idtrans.pipeline.output.render import jsonl_records, render_text
from idtrans.pipeline.translate import term_counts
from idtrans.settings import DEFAULT_GLOSSARY, GlossarySpec, resolve_glossary
from idtrans.settings import word_rounds as resolve_word_rounds


@dataclass
class ArticleTranslation:
    """One translated article: its sentence records (the fields of ``--format jsonl``) and the English text."""

    records: list[dict[str, Any]]
    english: str
    terms: Counter[str]
    result: TranslatedArticle

    def __len__(self) -> int:
        return len(self.records)


class Translator:
    """A loaded model with its layers (glossary enforcement, optional cache); built by :func:`load_translator`."""

    def __init__(self, stack: TranslatorStack) -> None:
        self.stack = stack

    @property
    def glossary_path(self) -> Path | None:
        """The glossary being enforced, or ``None``."""
        return self.stack.glossary_path

    def translate_sentences(self, sentences: Sequence[str]) -> list[Translation]:
        """One :class:`Translation` per sentence (text, seconds, and per-sentence ``info``), in order."""
        return self.stack.translator.translate(list(sentences))

    def translate(self, sentences: Sequence[str]) -> list[str]:
        """The English of each sentence, in order (one string per input, whatever its length)."""
        return [translation.text for translation in self.translate_sentences(sentences)]

    def translate_article(
        self, text: str, *, source: str = "<text>", keep_boilerplate: bool = False
    ) -> ArticleTranslation:
        """Read ``text`` as an article (title, paragraphs, sentences, boilerplate removed) and translate it."""
        article = parse_article(text, source=source, keep_boilerplate=keep_boilerplate)
        result = translate_article(article, self.stack.translator)
        return ArticleTranslation(
            records=jsonl_records(result),
            english=render_text(result),
            terms=term_counts(item.translation for item in result.sentences),
            result=result,
        )


def load_translator(
    model: str | Path | None = None,
    *,
    glossary: GlossarySpec = DEFAULT_GLOSSARY,
    backend: str = "auto",
    beams: int = 4,
    word_rounds: int | None = None,
    rerank: bool = True,
    threads: int | None = None,
    cache: bool | str | Path = False,
    notice: Callable[[str], None] | None = None,
) -> Translator:
    """Load a model once and wrap it for translation.

    ``model``: a Hugging Face id or MarianMT directory; ``None`` applies the README's precedence
    (``$IDTRANS_MODEL``, opus-mt when reachable, else the bundled model). ``glossary``:
    :data:`~idtrans.settings.DEFAULT_GLOSSARY` (``$IDTRANS_GLOSSARY``, else the bundled one), ``None``
    for none, or a YAML path. ``backend``: ``auto``, ``torch`` or ``ct2``. ``word_rounds``: how many times
    a sentence whose English has words that are not English is decoded again with them blocked (``0``:
    never; ``None``: ``$IDTRANS_WORD_ROUNDS``, else 3; the CLI's ``--word-rounds``). ``rerank``: choose each
    translation among the model's best few with its reverse model, when it declares one (``--no-rerank``).
    ``cache``: ``True`` for the persistent sentence cache, or a cache file path. ``notice`` receives one-line
    notices (default: stderr).
    """
    stack = build_stack(
        None if model is None else str(model),
        settings=DecodeSettings(beams=beams, unknown_word_rounds=resolve_word_rounds(word_rounds), rerank=rerank),
        glossary=glossary,
        backend=backend,
        threads=threads,
        cache=cache,
        notice=notice,
    )
    return Translator(stack)


@dataclass
class Scores:
    """Corpus scores of one system: sacrebleu's BLEU, chrF++ and TER, and glossary term success."""

    metrics: dict[str, MetricScore]
    terms: TermScore | None = None
    signatures: dict[str, str] = field(default_factory=dict)

    def _value(self, key: str) -> float:
        if key not in self.metrics:
            raise EvalError(f"{key} was not computed", hint=f"pass metrics including {key!r}")
        return self.metrics[key].score

    @property
    def bleu(self) -> float:
        return self._value("bleu")

    @property
    def chrf(self) -> float:
        """chrF++ (character n-grams plus word bigrams)."""
        return self._value("chrf")

    @property
    def ter(self) -> float:
        return self._value("ter")

    def to_dict(self) -> dict[str, Any]:
        payload = {key: score.to_dict() for key, score in self.metrics.items()}
        if self.terms is not None:
            payload["terms"] = self.terms.to_dict()
        return payload


def score(
    hypotheses: Sequence[str],
    references: Sequence[str],
    *,
    sources: Sequence[str] | None = None,
    glossary: GlossarySpec = None,
    metrics: Sequence[str] = METRICS,
) -> Scores:
    """Score ``hypotheses`` against one reference each (line-aligned), as ``idtrans eval score`` does.

    With a ``glossary`` (and the ``sources``), term success is scored too: the share of glossary
    terms in the sources whose rendering appears in the hypothesis.
    """
    scores = Scores(score_corpus(hypotheses, references, metrics))
    glossary_path = resolve_glossary(glossary)
    if glossary_path is not None:
        if sources is None:
            raise EvalError("term success needs the source sentences", hint="pass sources=[...]")
        scores.terms = load_term_metric(glossary_path).corpus_score(hypotheses, sources)
    scores.signatures = {key: value.signature for key, value in scores.metrics.items()}
    return scores
