"""The glossary data model: a :class:`Glossary` of :class:`Entry` objects, and the file schema.

A glossary file is YAML (schema version 1)::

    version: 1                      # schema version (required)
    name: defence-news              # a short name
    source_language: id
    target_language: en
    spelling: british               # house spelling: british | american
    notes: |                        # house-style notes for editors (free text)
      ...
    entries:
      - id: north-korea             # stable id (optional: derived from the target when absent)
        source: [Korea Utara]       # one Indonesian form or a list (aliases, spelling variants)
        target: North Korea         # the English rendering
        category: place             # person | place | organisation | military | title | unit | other
        case: as-written            # as-written | ignore | keep-source
        also: [North Korean]        # other English forms that count as the rendering (optional):
                                    # demonyms/adjectives, forms English grammar needs
        forbidden: [N. Korea]       # English forms that must not appear (optional)
        note: free text             # optional

Derived English forms: a translation renders an entry when it has the ``target`` or one of the
``also`` forms, as whole words; an English possessive (``Ukraine's``, ``North Korean's``) always
counts, and so does the plural of an ``also`` form (``Ukrainians``) or, for an ``ignore`` entry,
of the target (``ambassadors``). So "North Korean troops" renders ``Korea Utara`` and is left
as the model wrote it, never "repaired" into "troops North Korea". List demonyms and adjectives
(Ukraina → Ukraine, also Ukrainian; Korea Utara → North Korea, also North Korean; Rusia →
Russia, also Russian) in ``also``; lint warns about an ``also`` form that is the rendering
itself, a repeat, or a plural of another ``also`` form.

Case policies (how a source form is matched, and what the rendering is):

``as-written``
    the source form matches only with the exact case written (``AS`` is the United States,
    ``as`` is not); the rendering is ``target``. The default.
``ignore``
    the source form matches in any case (``menteri pertahanan``, ``Menteri Pertahanan``); the
    rendering is ``target``, with its first letter capitalised when the match starts a sentence.
``keep-source``
    for acronyms and names that stay the same in English (``NATO``, ``KBS``): the source form
    matches case-sensitively and the rendering is the matched text itself (``target`` may be
    omitted; when given it must equal a source form). The term is still protected from the model.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from idtrans.glossary.matcher import Match, Matcher

SCHEMA_VERSION = 1
CATEGORIES = ("person", "place", "organisation", "military", "title", "unit", "other")
CASE_POLICIES = ("as-written", "ignore", "keep-source")
SPELLINGS = ("british", "american")
TOP_KEYS = ("version", "name", "source_language", "target_language", "spelling", "notes", "entries")
ENTRY_KEYS = ("id", "source", "target", "also", "category", "case", "forbidden", "note")


@dataclass(frozen=True)
class Entry:
    """One glossary term: Indonesian source forms and their one English rendering."""

    id: str
    sources: tuple[str, ...]
    target: str
    category: str = "other"
    case: str = "as-written"
    forbidden: tuple[str, ...] = ()
    note: str = ""
    #: Other English forms that count as the rendering when verifying (e.g. a place's adjective).
    also: tuple[str, ...] = ()
    #: 1-based line of the entry in its file (0 when built in code).
    line: int = 0

    def rendering(self, surface: str) -> str:
        """The English rendering for one matched source ``surface`` (keep-source: the term itself)."""
        return surface if self.case == "keep-source" else self.target

    def content(self) -> dict:
        """The entry's content (no line numbers), for fingerprints and exports."""
        return {
            "id": self.id,
            "source": list(self.sources),
            "target": self.target,
            "category": self.category,
            "case": self.case,
            "also": list(self.also),
            "forbidden": list(self.forbidden),
            "note": self.note,
        }


@dataclass(frozen=True)
class Problem:
    """A lint finding: ``severity`` is ``error`` or ``warning``; ``where`` is ``file:line``."""

    severity: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.severity}: {self.message}"


@dataclass
class Glossary:
    """A loaded glossary. ``match`` finds its entries in Indonesian text."""

    entries: list[Entry]
    name: str = "glossary"
    version: int = SCHEMA_VERSION
    source_language: str = "id"
    target_language: str = "en"
    spelling: str = "british"
    notes: str = ""
    path: Path | None = None
    #: Warnings found while loading (errors raise instead).
    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._matcher: Matcher | None = None
        self._by_id = {entry.id: entry for entry in self.entries}

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self):
        return iter(self.entries)

    def get(self, entry_id: str) -> Entry | None:
        """The entry with this id, or ``None``."""
        return self._by_id.get(entry_id)

    @property
    def fingerprint(self) -> str:
        """A stable hash of the glossary's content (not its comments or layout), for caches."""
        content = {
            "version": self.version,
            "source_language": self.source_language,
            "target_language": self.target_language,
            "entries": [entry.content() for entry in self.entries],
        }
        blob = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]

    @property
    def matcher(self) -> Matcher:
        if self._matcher is None:
            from idtrans.glossary.matcher import Matcher

            self._matcher = Matcher(self.entries)
        return self._matcher

    def match(self, source: str) -> list[Match]:
        """Non-overlapping matches of the entries in ``source``, in text order (longest wins)."""
        return self.matcher.match(source)
