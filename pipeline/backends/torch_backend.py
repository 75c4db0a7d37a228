"""MarianMT through transformers on torch: the reference backend."""

from __future__ import annotations

import threading
import warnings
from collections.abc import Sequence
from functools import cached_property
from typing import Any

from idtrans.errors import ModelError, first_line
from idtrans.pipeline.backends.blocking import Blocker
from idtrans.pipeline.layers.longsplit import split_by_window
from idtrans.pipeline.layers.translator import Generation
from idtrans.pipeline.models.converted import weights_digest
from idtrans.pipeline.models.resolve import ModelChoice, read_model_json


class TorchMarianBackend:
    """A MarianMT checkpoint loaded with ``MarianMTModel`` / ``MarianTokenizer`` on the CPU.

    torch and transformers are imported, and the weights loaded, on first use: a run answered
    entirely from the sentence cache never pays for them. The limits come from the JSON files.
    """

    def __init__(self, choice: ModelChoice, *, threads: int | None = None) -> None:
        self.choice = choice
        self.threads = threads
        self._lock = threading.Lock()
        self._state: tuple[Any, Any, Any] | None = None
        config = read_model_json(choice.path / "config.json")
        tokenizer_config = read_model_json(choice.path / "tokenizer_config.json")
        positions = int(config.get("max_position_embeddings") or 512)
        self.max_input_tokens = min(positions, int(tokenizer_config.get("model_max_length") or 10**6))
        self.max_output_tokens = positions
        self._blocker: Blocker | None = None  # built on the first words to avoid

    @property
    def _loaded(self) -> tuple[Any, Any, Any]:
        """(torch, tokenizer, model), loaded once, on first use (thread-safe)."""
        if self._state is None:
            with self._lock:
                if self._state is None:
                    self._state = self._load()
        return self._state

    def _load(self) -> tuple[Any, Any, Any]:
        import torch
        from transformers import MarianMTModel, MarianTokenizer
        from transformers.utils import logging as hf_logging

        if self.threads:
            torch.set_num_threads(self.threads)
        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                tokenizer = MarianTokenizer.from_pretrained(self.choice.path)
                model = MarianMTModel.from_pretrained(self.choice.path).eval()
        except Exception as error:
            raise ModelError(
                f"cannot load the model: {first_line(error)}",
                where=self.choice.name,
                hint="re-download or re-export the model directory",
            ) from error
        return torch, tokenizer, model

    @property
    def _torch(self) -> Any:
        return self._loaded[0]

    @property
    def tokenizer(self) -> Any:
        return self._loaded[1]

    @property
    def model(self) -> Any:
        return self._loaded[2]

    @cached_property
    def identity(self) -> str:
        return f"torch:{self.choice.name}@{weights_digest(self.choice.path)}"

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        encoded = self.tokenizer(list(texts), add_special_tokens=True, truncation=False)
        return [len(ids) for ids in encoded["input_ids"]]

    def split_tokens(self, text: str, window: int) -> list[str]:
        return split_by_window(text, self.count_tokens, window)

    def generate(self, texts: Sequence[str], options: Generation) -> list[str]:
        return self._generate(texts, options, 1)

    def generate_nbest(self, texts: Sequence[str], options: Generation, size: int) -> list[list[tuple[str, float]]]:
        """Each text's best ``size`` translations, best first (the beam widened to ``size``), each with
        :meth:`score`'s mean log-probability per token."""
        if not texts:
            return []
        decoded = self._generate(texts, options, size)
        scores = self.score([text for text in texts for _ in range(size)], decoded)
        return [
            list(zip(decoded[i * size : (i + 1) * size], scores[i * size : (i + 1) * size])) for i in range(len(texts))
        ]

    def _generate(self, texts: Sequence[str], options: Generation, size: int) -> list[str]:
        """The best ``size`` translations of each text, in order (the beam widened to ``size``)."""
        torch = self._torch
        batch = self.tokenizer(list(texts), return_tensors="pt", padding=True, truncation=False)
        with torch.inference_mode():
            output = self.model.generate(
                **batch,
                num_beams=max(options.beams, size),
                max_new_tokens=options.max_new_tokens,
                num_return_sequences=size,
                no_repeat_ngram_size=options.no_repeat_ngram_size,
                repetition_penalty=options.repetition_penalty,
                do_sample=False,
                early_stopping=True,
                **self._banned(options.avoid),
            )
        return self.tokenizer.batch_decode(output, skip_special_tokens=True)

    def _banned(self, avoid: Sequence[str]) -> dict[str, Any]:
        """``bad_words_ids``: the generation config's own, and the target tokens of each word to ``avoid``;
        with the scores renormalised after blocking, as CTranslate2 does (a blocked token's probability goes
        to the others)."""
        if not avoid:
            return {}
        if self._blocker is None:
            # a model with separate vocabularies writes with its target vocabulary
            target = getattr(self.tokenizer, "target_encoder", None) if self.tokenizer.separate_vocabs else None
            self._blocker = Blocker(
                self.tokenizer.spm_target, dict(target if target is not None else self.tokenizer.get_vocab())
            )
        banned = [list(ids) for ids in self.model.generation_config.bad_words_ids or []]
        for pieces in self._blocker.sequences(avoid):
            ids = [self._blocker.vocabulary[piece] for piece in pieces]
            if ids not in banned:
                banned.append(ids)
        return {"bad_words_ids": banned, "renormalize_logits": True} if banned else {}

    def score(self, sources: Sequence[str], targets: Sequence[str]) -> list[float]:
        """The model's mean log-probability per target token (``</s>`` included) of each target given its source.

        (No scores while decoding: transformers' ``output_scores`` keeps every step's logits, which
        raised the peak memory of the speed benchmark's torch run from 631 to 1,118 MB.)
        """
        if not sources:
            return []
        torch = self._torch
        batch = self.tokenizer(
            list(sources),
            text_target=list(targets),
            return_tensors="pt",
            padding=True,
            truncation=True,
            max_length=self.max_input_tokens,
        )
        labels = batch.pop("labels")
        mask = labels != self.tokenizer.pad_token_id
        with torch.inference_mode():
            logits = self.model(**batch, labels=labels.masked_fill(~mask, -100)).logits
        log_probs = torch.log_softmax(logits.float(), dim=-1).gather(-1, labels.unsqueeze(-1)).squeeze(-1)
        totals = (log_probs * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1)
        return [float(value) for value in totals]
