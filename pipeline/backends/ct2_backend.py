"""MarianMT on CTranslate2: the fast CPU backend.

Same tokenisation as the torch path: :class:`MarianPieces` reads the model's own
``source.spm`` / ``target.spm`` / ``vocab.json`` / ``tokenizer_config.json`` and reproduces what
transformers' ``MarianTokenizer`` does (special-token splitting, ``>>xx<<`` language codes,
unknown pieces, ``</s>``, and decoding with special tokens skipped) with sentencepiece alone,
so a run that hits the sentence cache never imports transformers or torch. The tests check it
against ``MarianTokenizer`` token for token.

The CTranslate2 model itself is loaded on the first ``generate`` call: building the backend
only reads small files, so a fully cached run costs no model load at all.
"""

from __future__ import annotations

import json
import os
import re
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from idtrans.errors import ModelError, first_line
from idtrans.pipeline.backends.blocking import Blocker
from idtrans.pipeline.layers.longsplit import split_by_window
from idtrans.pipeline.layers.translator import Generation
from idtrans.pipeline.models.autoconvert import convert_on_first_use
from idtrans.pipeline.models.converted import converted_copy, read_provenance

__all__ = [
    "CT2MarianBackend",
    "MarianPieces",
    "default_threads",
    "load_ct2_backend",
]

_SPIECE_UNDERLINE = "\u2581"
#: CTranslate2 runs each batch it is given in sub-batches of at most this many sentences. On CPU
#: this costs no throughput and bounds memory: on the opus-mt-sized model (vocabulary 54,796,
#: beam 4) a 64-sentence batch peaks at ~590 MB RSS, sub-batches of 16 at ~285 MB, equally fast.
DEFAULT_SUB_BATCH = 16


def default_threads() -> int:
    """The CPU cores this process may use (the default for ``--threads``)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _clean_up_tokenization(text: str) -> str:
    """transformers' ``clean_up_tokenization`` (used only when the tokenizer config asks for it)."""
    return (
        text.replace(" .", ".")
        .replace(" ?", "?")
        .replace(" !", "!")
        .replace(" ,", ",")
        .replace(" ' ", "'")
        .replace(" n't", "n't")
        .replace(" 'm", "'m")
        .replace(" 's", "'s")
        .replace(" 've", "'ve")
        .replace(" 're", "'re")
    )


class MarianPieces:
    """MarianTokenizer's encoding and decoding, on sentencepiece and the model's vocab.json."""

    def __init__(self, directory: Path) -> None:
        import sentencepiece

        directory = Path(directory)
        config_file = directory / "tokenizer_config.json"
        config = json.loads(config_file.read_text(encoding="utf-8")) if config_file.is_file() else {}
        self.eos = str(config.get("eos_token") or "</s>")
        self.unk = str(config.get("unk_token") or "<unk>")
        self.pad = str(config.get("pad_token") or "<pad>")
        self.model_max_length = config.get("model_max_length")
        self.separate_vocabs = bool(config.get("separate_vocabs", False))
        self.clean_up = bool(config.get("clean_up_tokenization_spaces", False))
        self.vocab: dict[str, int] = json.loads((directory / "vocab.json").read_text(encoding="utf-8"))
        if self.unk not in self.vocab:
            raise ModelError(
                "vocab.json has no <unk> token", where=str(directory), hint="re-export the model's tokenizer files"
            )
        self.spm_source = sentencepiece.SentencePieceProcessor(model_file=str(directory / "source.spm"))
        self.spm_target = sentencepiece.SentencePieceProcessor(model_file=str(directory / "target.spm"))
        # MarianTokenizer decodes with the source model unless the vocabularies are separate.
        self._decode_spm = self.spm_target if self.separate_vocabs else self.spm_source
        self.specials = {self.eos, self.unk, self.pad}
        extra = [t for t in config.get("added_tokens_decoder", {}).values() if isinstance(t, dict) and t.get("content")]
        self.specials.update(t["content"] for t in extra if t.get("special", True))
        alternatives = "|".join(re.escape(t) for t in sorted(self.specials, key=len, reverse=True))
        self._special_split = re.compile(f"({alternatives})")

    def pieces(self, text: str) -> list[str]:
        """The source-side token strings of ``text``, ending with ``</s>`` (as the model sees them)."""
        tokens: list[str] = []
        for chunk in self._special_split.split(text):
            if not chunk:
                continue
            if chunk in self.specials:
                tokens.append(chunk)
                continue
            if chunk.startswith(">>") and (end := chunk.find("<<")) != -1:
                tokens.append(chunk[: end + 2])
                chunk = chunk[end + 2 :]
            tokens.extend(self.spm_source.encode(chunk, out_type=str))
        vocab, unk = self.vocab, self.unk
        tokens = [t if t in vocab else unk for t in tokens]
        tokens.append(self.eos)
        return tokens

    def ids(self, text: str) -> list[int]:
        return [self.vocab[t] for t in self.pieces(text)]

    def count(self, texts: Sequence[str]) -> list[int]:
        return [len(self.pieces(text)) for text in texts]

    def target_pieces(self, text: str) -> list[str]:
        """The target-side token strings of English ``text`` (no ``</s>``: the scorer adds it)."""
        unk = self.unk
        return [t if t in self.vocab else unk for t in self.spm_target.encode(text, out_type=str)]

    def decode(self, tokens: Sequence[str]) -> str:
        """Target token strings to text, special tokens skipped (``skip_special_tokens=True``)."""
        kept = [t for t in tokens if t not in self.specials]
        text = self._decode_spm.decode_pieces(kept).replace(_SPIECE_UNDERLINE, " ").strip()
        return _clean_up_tokenization(text) if self.clean_up else text


_RECONVERT = "convert the model again (idtrans model convert SRC DST --force)"


class CT2MarianBackend:
    """A converted MarianMT model run by ``ctranslate2.Translator`` on the CPU."""

    def __init__(
        self,
        converted_dir: Path,
        *,
        threads: int | None = None,
        inter_threads: int | None = None,
        name: str | None = None,
        compute_type: str = "default",
        max_batch_examples: int = DEFAULT_SUB_BATCH,
    ) -> None:
        self.path = Path(converted_dir)
        self.provenance = read_provenance(self.path)
        self.name = name or self.provenance.get("source_name") or str(self.path)
        self.quantization = self.provenance["quantization"]
        self.threads = threads or default_threads()
        # Data parallelism by default: one single-threaded model replica per core, each decoding its
        # share of a batch. On 2 idle cores this decoded an opus-mt-sized int8 model 1.7x faster
        # than one replica using both cores (beam search at small batch sizes scales poorly across
        # threads); see benchmarks/README.md.
        self.inter_threads = self.threads if inter_threads is None else max(1, min(inter_threads, self.threads))
        self.intra_threads = max(1, self.threads // self.inter_threads)
        self.compute_type = compute_type
        self.max_batch_examples = max(0, max_batch_examples)
        try:
            self.tokenizer = MarianPieces(self.path)
        except (OSError, ValueError, RuntimeError) as error:
            raise self._damaged(f"cannot read the tokenizer files: {error}") from error
        positions = int(self.provenance.get("max_position_embeddings") or 512)
        limit = self.tokenizer.model_max_length or self.provenance.get("model_max_length") or 10**6
        self.max_input_tokens = min(positions, int(limit))
        self.max_output_tokens = positions
        self.identity = (
            f"ct2-{self.quantization}:{self.name}@{self.provenance['source_digest']}"
            f"/ct2={self.provenance.get('versions', {}).get('ctranslate2', '?')}"
            # int8/int16 kernels may round differently with another thread count: it is in the cache key
            f"/threads={self.inter_threads}x{self.intra_threads}"
        )
        self.suppress_sequences = self.provenance.get("suppress_sequences") or None
        self.forced_eos = bool(self.provenance.get("forced_eos", False))
        self._blocker: Blocker | None = None  # built on the first words to avoid
        self._translator = None
        self._lock = threading.Lock()

    # -- loading -----------------------------------------------------------------------------

    @property
    def translator(self):
        """The ``ctranslate2.Translator``, loaded on first use."""
        if self._translator is None:
            with self._lock:
                if self._translator is None:
                    self._translator = self._load()
        return self._translator

    def _load(self):
        try:
            import ctranslate2
        except ImportError as error:
            raise ModelError("ctranslate2 is not installed", where=self.name, hint="pip install ctranslate2") from error
        try:
            return ctranslate2.Translator(
                str(self.path),
                device="cpu",
                compute_type=self.compute_type,
                intra_threads=self.intra_threads,
                inter_threads=self.inter_threads,
            )
        except (RuntimeError, ValueError, OSError) as error:
            raise self._damaged(f"CTranslate2 cannot load the converted model: {first_line(error)}") from error

    def _damaged(self, message: str) -> ModelError:
        """An error about this converted directory's files, with the way to rebuild it."""
        return ModelError(message, where=str(self.path), hint=_RECONVERT)

    @property
    def loaded(self) -> bool:
        return self._translator is not None

    # -- the Backend protocol ----------------------------------------------------------------

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return self.tokenizer.count(texts)

    def split_tokens(self, text: str, window: int) -> list[str]:
        return split_by_window(text, self.count_tokens, window)

    def generate(self, texts: Sequence[str], options: Generation) -> list[str]:
        return [text for text, _ in self.generate_scored(texts, options)]

    def generate_scored(self, texts: Sequence[str], options: Generation) -> list[tuple[str, float]]:
        """Like :meth:`generate`, with each output's score (mean log-probability per token, CTranslate2's)."""
        return [found[0] for found in self.generate_nbest(texts, options, 1)]

    def generate_each(self, texts: Sequence[str], options: Sequence[Generation]) -> list[tuple[str, float]]:
        """Each text decoded in a batch of its own with its own options (and score), the texts spread over
        the model replicas at once: what one text becomes depends on it and its options alone."""
        return [found[0] for found in self.generate_nbest_each(texts, options, 1)]

    def generate_nbest(self, texts: Sequence[str], options: Generation, size: int) -> list[list[tuple[str, float]]]:
        """Each text's best ``size`` translations, best first, with their scores (the beam widened to ``size``)."""
        if not texts:
            return []
        batch = [self.tokenizer.pieces(text) for text in texts]
        # Sub-batches small enough that every replica gets a share, and no larger than the cap.
        share = -(-len(batch) // self.inter_threads)
        sub_batch = min(share, self.max_batch_examples) if self.max_batch_examples else share
        results = self.translator.translate_batch(
            batch, max_batch_size=sub_batch, batch_type="examples", **self._decoding(options, size)
        )
        return [self._hypotheses(result) for result in results]

    def generate_nbest_each(
        self, texts: Sequence[str], options: Sequence[Generation], size: int
    ) -> list[list[tuple[str, float]]]:
        """:meth:`generate_nbest` of each text alone with its own options, spread over the replicas as
        :meth:`generate_each` does."""
        pending = [
            self.translator.translate_batch(
                [self.tokenizer.pieces(text)], asynchronous=True, **self._decoding(option, size)
            )[0]
            for text, option in zip(texts, options)
        ]
        return [self._hypotheses(async_result.result()) for async_result in pending]

    def _hypotheses(self, result: Any) -> list[tuple[str, float]]:
        """A translation result's hypotheses as texts, best first, with their scores."""
        return [
            (self.tokenizer.decode(tokens), float(score)) for tokens, score in zip(result.hypotheses, result.scores)
        ]

    def _decoding(self, options: Generation, size: int = 1) -> dict[str, Any]:
        """``translate_batch``'s decoding arguments for ``options``, returning the best ``size`` hypotheses."""
        # transformers counts a forced final </s> within max_new_tokens; CTranslate2 does not.
        length = max(1, options.max_new_tokens - 1) if self.forced_eos else max(1, options.max_new_tokens)
        return dict(
            beam_size=max(1, options.beams, size),
            num_hypotheses=size,
            max_decoding_length=length,
            no_repeat_ngram_size=options.no_repeat_ngram_size,
            repetition_penalty=options.repetition_penalty,
            return_scores=True,
            suppress_sequences=self._suppressed(options.avoid),
        )

    def _suppressed(self, avoid: Sequence[str]) -> list[list[str]] | None:
        """The model's own suppressed sequences, and the target tokens of each word to ``avoid``."""
        sequences = list(self.suppress_sequences or [])
        if avoid:
            if self._blocker is None:
                self._blocker = Blocker(self.tokenizer.spm_target, self.tokenizer.vocab)
            sequences += [pieces for pieces in self._blocker.sequences(avoid) if pieces not in sequences]
        return sequences or None

    def score(self, sources: Sequence[str], targets: Sequence[str]) -> list[float]:
        """The model's mean log-probability per target token (``</s>`` included) of each target given its source.

        A source or target over the model's position limit is scored on its first ``max_input_tokens``
        tokens (``</s>`` included), as the torch backend truncates it.
        """
        if not sources:
            return []
        keep = self.max_input_tokens - 1  # and </s>
        results = self.translator.score_batch(
            [[*pieces[:-1][:keep], pieces[-1]] for pieces in map(self.tokenizer.pieces, sources)],
            [self.tokenizer.target_pieces(text)[:keep] for text in targets],
            max_batch_size=max(1, -(-len(sources) // self.inter_threads)),
            batch_type="examples",
        )
        return [_mean(result.log_probs) for result in results]


def load_ct2_backend(
    model_dir: Path | str,
    threads: int | None = None,
    *,
    name: str | None = None,
    convert: bool = True,
    notice: Callable[[str], None] | None = None,
) -> CT2MarianBackend:
    """A CTranslate2 backend for ``model_dir``: a converted directory, or a transformers MarianMT
    directory with a converted copy (see :func:`idtrans.pipeline.models.convert.converted_copy`).

    Without a converted copy the model is converted once to int8 at the default location, by
    :func:`~idtrans.pipeline.models.autoconvert.convert_on_first_use` (under its lock; ``convert=False``
    raises ModelError instead). ``threads`` defaults to every core this
    process may use; each batch is shared out among that many single-threaded model replicas.
    """
    model_dir = Path(model_dir)
    found = converted_copy(model_dir)
    if found is None:
        if not convert:
            raise ModelError(
                "no CTranslate2 copy of this model",
                where=name or str(model_dir),
                hint=f"run: idtrans model convert {model_dir}  (or use --backend torch)",
            )
        say = notice or (lambda line: print(line, file=sys.stderr))
        found = convert_on_first_use(model_dir, name or str(model_dir), say)
    return CT2MarianBackend(found, threads=threads, name=name)


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0
