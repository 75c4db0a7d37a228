"""SentenceTranslator: any list of sentences in, one translation each out, nothing lost.

The pipeline reads as a sentence: split what is too long → batch by length under a token
budget → generate (on the model's form of the text: :mod:`.modeltext`) → restore order → retry
degenerate output with safer settings → decode again, blocking them, output with words that are not
English → retranslate output that stopped early thought by thought → re-join split parts → write a
stuttered word once → check that every input has its output.
"""

from __future__ import annotations

import hashlib
import math
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from idtrans.errors import TranslationError
from idtrans.glossary.invented import counterparts, unknown_words, word_lists_version
from idtrans.pipeline.backends.blocking import BLOCKING_VERSION
from idtrans.pipeline.layers.batching import plan_batches
from idtrans.pipeline.layers.longsplit import join_translations, split_at_stops, split_long
from idtrans.pipeline.layers.modeltext import MODEL_TEXT_VERSION, CaseRule, ModelText, model_input
from idtrans.pipeline.layers.repetition import collapse_stutters, is_degenerate, is_truncated
from idtrans.pipeline.layers.translator import Backend, DecodeSettings, Generation, Translation

#: The version of this module's rules (retranslating output that stopped early, collapsing stutters),
#: part of the translator's identity and so of the cache key.
_RULES_VERSION = "resplit-v1,stutter-v1,unknown-words-v1"
#: A word (letters, digits), as :meth:`SentenceTranslator.lowered_words` compares them.
_WORD = re.compile(r"\w+")
#: The safer setting a degenerate output is retried with.
RETRY_NO_REPEAT_NGRAM = 3
RETRY_REPETITION_PENALTY = 1.3
#: At most this many sentences per scoring batch: CTranslate2's score_batch slows down with batch
#: size even on length-sorted input (192 dev pairs, bundled model int8, 1 thread: 64 per batch
#: 6.9-7.9 s, 32: 4.8-5.7 s, 16: 3.3-4.1 s, 8: 2.2-2.8 s, 4: 2.4-3.9 s, timing backend.score on
#: length-sorted slices, two rounds; the whole glossary path: benchmarks/facts_speed.py).
SCORE_BATCH_SENTENCES = 8


@dataclass
class _Piece:
    sentence: int  # index of the input sentence
    text: str
    tokens: int
    output: str = ""
    seconds: float = 0.0
    retried: bool = False
    degenerate: bool = False
    score: float | None = None
    share: float = 1.0  # of its sentence, for progress
    resplit: bool = False  # a part of a piece whose whole translation stopped early
    avoided: tuple[str, ...] = ()  # words that are not English its first output had and the kept one has not


def _kept_facts(source: str, output: str) -> Counter[str]:
    """The numbers (digit runs) of ``output`` and its capitalised words that ``source`` has too (names)."""
    source_words = {word.casefold() for word in _WORD.findall(source)}
    return Counter(
        word
        for word in _WORD.findall(output)
        if word.isdigit() or (word[:1].isupper() and word.casefold() in source_words)
    )


class SentenceTranslator:
    """Translate sentences of any length on a :class:`Backend`, in order, accounting for each."""

    def __init__(
        self,
        backend: Backend,
        settings: DecodeSettings = DecodeSettings(),
        progress: Callable[[float], None] | None = None,
        *,
        case_rule: bool = True,
        exempt: frozenset[str] = frozenset(),
    ) -> None:
        self.backend = backend
        self.settings = settings
        self.progress = progress
        max_output = getattr(backend, "max_output_tokens", backend.max_input_tokens)
        # An input must leave room for its output: ratio * n + slack <= the position limit.
        room = int((max_output - settings.length_slack) / settings.length_ratio)
        self.max_piece_tokens = max(8, min(backend.max_input_tokens, room))
        #: lowers the capitalised words the model reads only in pieces (None: words as written)
        self.case_rule = CaseRule(backend.count_tokens) if case_rule else None
        self._written: SentenceTranslator | None = None
        self.exempt = exempt

    @property
    def exempt(self) -> frozenset[str]:
        """Lower-case words never blocked as not English (the enforced glossary's renderings: ``pesantren``)."""
        return self._exempt

    @exempt.setter
    def exempt(self, words: frozenset[str]) -> None:  # a reloaded glossary brings new ones
        self._exempt = frozenset(words)
        if self._written is not None:
            self._written.exempt = self._exempt

    @property
    def identity(self) -> str:
        # The batch budget decides which sentences share a batch (padding), which can change a quantized
        # backend's output, so it is part of the identity (and the cache key).
        batching = f"batch={self.settings.batch_tokens}/{self.settings.max_batch_sentences}"
        rules = f"{MODEL_TEXT_VERSION},{_RULES_VERSION}" + ("" if self.case_rule else ",as-written")
        if self.settings.unknown_word_rounds > 0:  # which words are blocked: the word lists, the rules, the exempt
            rules += f",{BLOCKING_VERSION},{word_lists_version()}"
            if self.exempt:
                rules += ",exempt=" + hashlib.sha256("\n".join(sorted(self.exempt)).encode()).hexdigest()[:12]
        return f"{self.backend.identity}|{self.settings.describe()},{batching},{rules}"

    def translate(self, sentences: Sequence[str]) -> list[Translation]:
        pieces = self._pieces(sentences)
        work = [p for p in pieces if p.text.strip()]
        parts = Counter(piece.sentence for piece in work)
        for piece in work:  # progress counts sentences: each piece is its share of one
            piece.share = 1 / parts[piece.sentence]
        if self.progress and len(work) < len(pieces):
            self.progress(len({p.sentence for p in pieces}) - len(parts))
        self._run(work)
        retry = [p for p in work if is_degenerate(p.text, p.output)]
        if retry:
            self._run(retry, retry=True)
        self._avoid_unknown_words(work)
        short = [p for p in work if is_truncated(p.text, p.output)]
        if short:
            pieces = self._resplit(pieces, short)
        return self._assemble(sentences, pieces)

    def lowered_words(self, sentence: str) -> list[str]:
        """The capitalised words of ``sentence`` the model is given in lower case (:class:`CaseRule`)."""
        if self.case_rule is None:
            return []
        written, given = model_input(sentence), ModelText.of(sentence, self.case_rule).text
        return [word for word, seen in zip(_WORD.findall(written), _WORD.findall(given)) if word != seen]

    def as_written(self) -> SentenceTranslator:
        """This translator giving the model every word as written (no :class:`CaseRule`).

        Lowering a word helps on the whole but changes the whole decode, and now and then the
        English loses a name the as-written text keeps: :class:`~idtrans.pipeline.layers.enforce.GlossaryTranslator`
        offers the as-written English as one more candidate for a sentence that fails its checks.
        """
        if self.case_rule is None:
            return self
        if self._written is None:
            self._written = SentenceTranslator(
                self.backend, self.settings, self.progress, case_rule=False, exempt=self.exempt
            )
        return self._written

    def score(self, sources: Sequence[str], targets: Sequence[str]) -> list[float] | None:
        """The model's mean log-probability per token of each target given its source (``None``: no scorer).

        Batched under the same token budget as translation (one pass each, no beams), in batches of
        at most :data:`SCORE_BATCH_SENTENCES`.
        """
        scorer = getattr(self.backend, "score", None)
        if scorer is None or not sources:
            return None if scorer is None else []
        counts = self.backend.count_tokens(list(sources))
        scores: list[float] = [0.0] * len(sources)
        batches = plan_batches(
            counts,
            budget=self.settings.batch_tokens,
            beams=1,
            max_sentences=min(self.settings.max_batch_sentences, SCORE_BATCH_SENTENCES),
        )
        for batch in batches:
            # both sides as the model reads and writes them (decoding scores are for `“ They`, not `“They`)
            batch_sources = [ModelText.of(sources[i], self.case_rule).text for i in batch]
            batch_targets = [model_input(targets[i]) for i in batch]
            for index, value in zip(batch, scorer(batch_sources, batch_targets)):
                scores[index] = float(value)
        return scores

    # -- steps -------------------------------------------------------------------------------

    def _pieces(self, sentences: Sequence[str]) -> list[_Piece]:
        counts = self.backend.count_tokens(list(sentences)) if sentences else []
        pieces: list[_Piece] = []
        for index, (sentence, tokens) in enumerate(zip(sentences, counts)):
            if tokens <= self.max_piece_tokens:
                pieces.append(_Piece(index, sentence, tokens))
                continue
            parts = split_long(sentence, self.backend.count_tokens, self.max_piece_tokens, self.backend.split_tokens)
            for part, part_tokens in zip(parts, self.backend.count_tokens(parts)):
                pieces.append(_Piece(index, part, part_tokens))
        return pieces

    def _resplit(self, pieces: list[_Piece], short: list[_Piece]) -> list[_Piece]:
        """Retranslate each piece whose output stopped early as its thoughts (:func:`split_at_stops`).

        The parts replace the piece when their joined translation has more words than its own and
        does not repeat itself (a degenerate part is retried with safer settings first, as in
        :meth:`translate`).
        """
        parts_of: dict[int, list[_Piece]] = {}
        for piece in short:
            texts = split_at_stops(piece.text)
            if len(texts) > 1:
                counts = self.backend.count_tokens(texts)
                parts_of[id(piece)] = [
                    _Piece(piece.sentence, text, tokens, share=0.0, resplit=True) for text, tokens in zip(texts, counts)
                ]
        if not parts_of:
            return pieces
        work = [part for parts in parts_of.values() for part in parts if part.text.strip()]
        self._run(work)
        retry = [p for p in work if is_degenerate(p.text, p.output)]
        if retry:
            self._run(retry, retry=True)
        self._avoid_unknown_words(work)
        result: list[_Piece] = []
        for piece in pieces:
            parts = parts_of.get(id(piece))
            if parts is None:
                result.append(piece)
                continue
            joined = join_translations([p.output for p in parts])
            if len(joined.split()) > len(piece.output.split()) and not is_degenerate(piece.text, joined):
                parts[0].seconds += piece.seconds
                parts[0].retried = parts[0].retried or piece.retried
                result.extend(parts)
            else:
                piece.seconds += sum(p.seconds for p in parts)
                result.append(piece)
        return result

    def _max_new_tokens(self, longest_input: int) -> int:
        if self.settings.max_new_tokens:
            return self.settings.max_new_tokens
        limit = getattr(self.backend, "max_output_tokens", self.backend.max_input_tokens)
        derived = math.ceil(self.settings.length_ratio * longest_input) + self.settings.length_slack
        return max(1, min(limit, derived))

    def _run(self, pieces: list[_Piece], *, retry: bool = False) -> None:
        for members, scored, elapsed in self._batches(pieces, retry=retry):
            total = sum(p.tokens for p in members)
            for piece, (output, score) in zip(members, scored):
                share = elapsed * piece.tokens / total
                if retry:
                    piece.retried = True
                    piece.degenerate = is_degenerate(piece.text, output)
                    piece.seconds += share
                    if not piece.degenerate or len(output) < len(piece.output):
                        piece.output, piece.score = output, score
                else:
                    piece.output, piece.seconds, piece.score = output, share, score
            if self.progress and not retry:
                self.progress(sum(piece.share for piece in members))

    def _avoid_unknown_words(self, pieces: list[_Piece]) -> None:
        """Decode again each piece whose output holds words that are not English, blocking those words.

        A small model spells words that do not exist (``seragams`` for *seragam*, uniforms) or copies an
        Indonesian word it cannot translate (``panen``). Each such lower-case word (:func:`unknown_words`;
        not one of :attr:`exempt`) is blocked (:attr:`Generation.avoid`) and the piece decoded again,
        alone (what it is blocked from depends on its own output only), for at most
        ``settings.unknown_word_rounds`` rounds, each blocking what the last one wrote too; the output
        with the fewest such words wins, unless it repeats itself, stops early where the first did not,
        or loses a number or copied name (:meth:`_acceptable`). Names are capitalised and never blocked.
        A kept output is scored again without the blocks (decoding scores renormalise around them).
        """
        if self.settings.unknown_word_rounds < 1:
            return
        first = {id(p): self._unknown_words(p.text, p.output) for p in pieces}
        unknown = dict(first)
        blocked = {id(p): set(unknown[id(p)]) for p in pieces}
        pending = [p for p in pieces if unknown[id(p)]]
        changed: dict[int, _Piece] = {}
        for round_number in range(1, self.settings.unknown_word_rounds + 1):
            if not pending:
                break
            phase = getattr(self.progress, "phase", None)
            if phase is not None:
                phase(f"decoding again: words that are not English, round {round_number}", len(pending))
            again: list[_Piece] = []
            decoded = self._decode_each(pending, [tuple(sorted(blocked[id(p)])) for p in pending])
            for piece, (output, score) in zip(pending, decoded):
                words = self._unknown_words(piece.text, output)
                if len(words) < len(unknown[id(piece)]) and self._acceptable(piece, output):
                    piece.output, piece.score, unknown[id(piece)] = output, score, words
                    piece.degenerate = False
                    piece.avoided = tuple(sorted(set(first[id(piece)]) - set(words)))
                    changed[id(piece)] = piece
                if set(words) - blocked[id(piece)]:
                    blocked[id(piece)].update(words)
                    again.append(piece)
                if phase is not None and self.progress is not None:
                    self.progress(1)
            pending = again
        self._rescore(list(changed.values()))

    def _unknown_words(self, source: str, output: str) -> list[str]:
        return [word for word, _ in unknown_words(output, counterparts(source)) if word not in self.exempt]

    def _decode_each(self, pieces: list[_Piece], avoid: list[tuple[str, ...]]) -> list[tuple[str, float | None]]:
        """Each piece decoded in a batch of its own with its words blocked: outputs and scores (seconds added).

        The backend's ``generate_each`` decodes them on all its replicas at once; without it, one by one.
        """
        started = time.perf_counter()
        given = [ModelText.of(p.text, self.case_rule) for p in pieces]
        options = [self._options(p.tokens, p.retried, words) for p, words in zip(pieces, avoid)]
        each = getattr(self.backend, "generate_each", None)
        if each is not None:
            scored: list[tuple[str, float | None]] = [(t, float(s)) for t, s in each([g.text for g in given], options)]
        else:
            scored = [self._call_backend([g.text], option)[0] for g, option in zip(given, options)]
        total = sum(p.tokens for p in pieces) or 1
        elapsed = time.perf_counter() - started
        for piece in pieces:
            piece.seconds += elapsed * piece.tokens / total
        return [(g.output(text), score) for g, (text, score) in zip(given, scored)]

    def _rescore(self, pieces: list[_Piece]) -> None:
        """Score each piece's output again as the model scores it unblocked (when the backend scores)."""
        scores = self.score([p.text for p in pieces], [p.output for p in pieces]) if pieces else None
        for piece, score in zip(pieces, scores or []):
            piece.score = score

    @staticmethod
    def _acceptable(piece: _Piece, output: str) -> bool:
        """Whether a retried output may replace ``piece``'s: it keeps every number and copied name of the
        first, does not repeat itself, and is not cut short unless the first was."""
        if is_degenerate(piece.text, output) or _kept_facts(piece.text, piece.output) - _kept_facts(piece.text, output):
            return False
        return is_truncated(piece.text, piece.output) or not is_truncated(piece.text, output)

    def _batches(
        self, pieces: list[_Piece], *, retry: bool = False
    ) -> Iterator[tuple[list[_Piece], list[tuple[str, float | None]], float]]:
        """Each batch of ``pieces`` under the token budget, decoded: its members, their outputs and scores, seconds."""
        settings = self.settings
        batches = plan_batches(
            [p.tokens for p in pieces],
            budget=settings.batch_tokens,
            beams=settings.beams,
            max_sentences=settings.max_batch_sentences,
        )
        for batch in batches:
            members = [pieces[i] for i in batch]
            started = time.perf_counter()
            given = [ModelText.of(p.text, self.case_rule) for p in members]
            scored = self._generate([g.text for g in given], max(p.tokens for p in members), retry)
            scored = [(g.output(text), score) for g, (text, score) in zip(given, scored)]
            if len(scored) != len(members):
                raise TranslationError(
                    f"the backend returned {len(scored)} outputs for {len(members)} inputs",
                    where=self.backend.identity,
                    hint="report this as a bug in the backend",
                )
            yield members, scored, time.perf_counter() - started

    def _generate(self, texts: list[str], longest: int, retry: bool) -> list[tuple[str, float | None]]:
        """One backend batch; with the model's scores when the backend gives them (``generate_scored``)."""
        return self._call_backend(texts, self._options(longest, retry))

    def _options(self, longest: int, retry: bool, avoid: tuple[str, ...] = ()) -> Generation:
        return Generation(
            beams=self.settings.beams,
            max_new_tokens=self._max_new_tokens(longest),
            no_repeat_ngram_size=RETRY_NO_REPEAT_NGRAM if retry else 0,
            repetition_penalty=RETRY_REPETITION_PENALTY if retry else 1.0,
            avoid=avoid,
        )

    def _call_backend(self, texts: list[str], options: Generation) -> list[tuple[str, float | None]]:
        scored = getattr(self.backend, "generate_scored", None)
        if scored is not None:
            return [(text, float(score)) for text, score in scored(texts, options)]
        return [(text, None) for text in self.backend.generate(texts, options)]

    def _assemble(self, sentences: Sequence[str], pieces: list[_Piece]) -> list[Translation]:
        grouped: list[list[_Piece]] = [[] for _ in sentences]
        for piece in pieces:
            grouped[piece.sentence].append(piece)
        results = []
        for index, (sentence, parts) in enumerate(zip(sentences, grouped)):
            if "".join(p.text for p in parts) != sentence:
                raise TranslationError(
                    f"sentence {index + 1} is not fully accounted for",
                    where=sentence[:60],
                    hint="report this as a bug: a part of the input went missing",
                )
            info: dict = {}
            if len(parts) > 1:
                info["parts"] = len(parts)
            if any(p.retried for p in parts):
                info["retried"] = True
            if any(p.degenerate for p in parts):
                info["degenerate"] = True
            if any(p.resplit for p in parts):
                info["resplit"] = True
            if avoided := sorted({word for p in parts for word in p.avoided}):
                info["avoided"] = avoided
            scores = [p.score for p in parts if p.text.strip() and p.score is not None]
            if scores and len(scores) == len([p for p in parts if p.text.strip()]):
                info["score"] = round(sum(scores) / len(scores), 4)
            text = collapse_stutters(sentence, join_translations([p.output for p in parts])) if sentence.strip() else ""
            results.append(Translation(sentence, text, sum(p.seconds for p in parts), info))
        if len(results) != len(sentences):
            raise TranslationError(f"{len(sentences)} sentences in, {len(results)} out", hint="report this as a bug")
        return results
