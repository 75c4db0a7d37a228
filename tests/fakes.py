"""Small stand-ins for a model backend, for tests of the code around the model."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

from idtrans.pipeline.layers.longsplit import split_by_window

#: A small desk glossary for tests: the header and its North Korea entry (more entries are appended).
DESK_GLOSSARY = """\
version: 1
name: desk
entries:
  - id: north-korea
    source: [Korea Utara]
    target: North Korea
    category: place
"""


class WordBackend:
    """A Backend whose tokens are words: ``generate`` upper-cases its input (or calls ``respond``)."""

    identity = "fake:words"

    def __init__(self, max_input_tokens: int = 50, respond: Callable[[str, dict], str] | None = None) -> None:
        self.max_input_tokens = max_input_tokens
        self.max_output_tokens = max_input_tokens * 4
        self.respond = respond or (lambda text, options: text.upper())
        self.calls: list[tuple[list[str], dict]] = []

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return [len(text.split()) + 1 for text in texts]

    def split_tokens(self, text: str, window: int) -> list[str]:
        return split_by_window(text, self.count_tokens, window)

    def generate(self, texts, options):
        options = dataclasses.asdict(options)
        self.calls.append((list(texts), options))
        return [self.respond(text, options) for text in texts]


class CasedBackend(WordBackend):
    """Its vocabulary knows lower-case words and ``Jakarta`` whole; another capitalised word is two pieces."""

    def count_tokens(self, texts):
        return [sum(1 if w.islower() or w == "Jakarta" else 2 for w in text.split()) + 1 for text in texts]
