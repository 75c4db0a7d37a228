"""Reading and validating glossary files, with every problem located as ``file:line``.

Files are parsed with ruamel.yaml's round-trip loader: it is a *safe* loader (its constructor
derives from ``SafeConstructor`` and builds only plain YAML types, never Python objects from
tags) that also keeps line numbers, comments and layout, which the editing commands rely on.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import Any

from idtrans.errors import GlossaryError
from idtrans.glossary.schema import (
    CASE_POLICIES,
    CATEGORIES,
    ENTRY_KEYS,
    SCHEMA_VERSION,
    SPELLINGS,
    TOP_KEYS,
    Entry,
    Glossary,
    Problem,
)
from idtrans.io import atomic_write_text

DEFAULT_GLOSSARY = "defence-news.yaml"


def default_glossary_path() -> Path:
    """The bundled starter glossary (defence and international news, British spelling)."""
    return Path(str(resources.files("idtrans.glossary") / "data" / DEFAULT_GLOSSARY))


def yaml_round_trip():
    """The one YAML configuration used for reading and writing glossaries (round-trip, safe)."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.width = 4096  # never re-wrap long notes
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.preserve_quotes = True
    return yaml


# Where YAML can start an anchor or alias: after a line start, space, '[', '{', ',' or '-'.
_ALIAS_OR_ANCHOR = re.compile(r"(?:^|[\s\[{,-])[&*][^\s,\[\]{}]", re.MULTILINE)


def _refuse_aliases(text: str, path: Path) -> None:
    """Refuse YAML anchors and aliases before any document is built.

    A glossary never needs them, and nested aliases expand exponentially (a "billion laughs"
    file of a few hundred bytes keeps a parser busy for hours). Scanning the event stream is linear.
    """
    if not _ALIAS_OR_ANCHOR.search(text):
        return  # no '&name' or '*name' where YAML could read one: nothing to scan
    from ruamel.yaml import YAML
    from ruamel.yaml.events import AliasEvent, NodeEvent

    for event in YAML(typ="safe", pure=True).parse(text):
        if isinstance(event, AliasEvent) or (isinstance(event, NodeEvent) and event.anchor):
            mark = event.start_mark
            kind = f"alias *{event.anchor}" if isinstance(event, AliasEvent) else f"anchor &{event.anchor}"
            raise GlossaryError(
                f"YAML {kind} is not allowed in a glossary",
                where=f"{path}:{mark.line + 1}",
                hint="write each value out in full (anchors and aliases are refused for safety)",
            )


def read_document(path: Path) -> Any:
    """Parse the YAML of ``path``; syntax errors become a GlossaryError at ``file:line``."""
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise GlossaryError(
            "glossary file not found",
            where=str(path),
            hint="check the path, or create one with `idtrans glossary add --glossary FILE ...`",
        ) from None
    except UnicodeDecodeError as error:
        raise GlossaryError(
            f"not UTF-8 text ({error.reason} at byte {error.start})", where=str(path), hint="save the glossary as UTF-8"
        ) from None
    except OSError as error:
        raise GlossaryError(f"cannot read: {error.strerror}", where=str(path)) from None
    try:
        _refuse_aliases(text, path)
        return yaml_round_trip().load(text)
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        problem = " ".join(str(part) for part in (error.context, error.problem) if part)
        raise GlossaryError(
            f"invalid YAML: {problem}",
            where=where,
            hint="fix the YAML syntax (indentation, quotes, a ':' inside an unquoted value)",
        ) from None
    except YAMLError as error:
        raise GlossaryError(f"invalid YAML: {error}", where=str(path)) from None


def _line(node: Any, key: Any = None, default: int = 0) -> int:
    """1-based line of ``node`` (or of ``key`` in mapping ``node``), ``default`` when unknown."""
    lc = getattr(node, "lc", None)
    if lc is None:
        return default
    try:
        if key is None:
            return lc.line + 1
        if isinstance(key, int):
            return lc.item(key)[0] + 1
        return lc.key(key)[0] + 1
    except (KeyError, IndexError, TypeError, AttributeError):
        return default


def slugify(text: str) -> str:
    """A lowercase id from a rendering: ``North Korea`` → ``north-korea``."""
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "entry"


def normalise_form(text: str) -> str:
    """A source form for comparisons: whitespace runs collapsed."""
    return " ".join(text.split())


class _Reader:
    """Validates one parsed document into entries plus problems."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def problem(self, severity: str, line: int, message: str) -> None:
        where = f"{self.path}:{line}" if line else str(self.path)
        self.problems.append(Problem(severity, where, message))

    def text(self, value: Any, line: int, what: str, *, required: bool = True) -> str | None:
        """A text field: not empty, not padded (padding is stripped, with a warning)."""
        if value is None:
            if required:
                self.problem("error", line, f"{what} is empty")
            return None
        if isinstance(value, bool) or not isinstance(value, str):
            self.problem("error", line, f"{what} must be text, got {type(value).__name__} {value!r} (quote it)")
            return None
        if not value.strip():
            self.problem("error", line, f"{what} is empty or only whitespace")
            return None
        if value != value.strip():
            self.problem("warning", line, f"{what} {value!r} has leading/trailing whitespace")
        return str(value).strip()

    def text_list(self, value: Any, node: Any, key: str, line: int, what: str) -> list[str]:
        from ruamel.yaml.comments import CommentedSeq

        if value is None:
            return []
        if isinstance(value, (list, CommentedSeq)):
            out = []
            for i, item in enumerate(value):
                text = self.text(item, _line(value, i, line), f"{what} #{i + 1}")
                if text is not None:
                    out.append(text)
            if not value:
                self.problem("error", line, f"{what} is an empty list")
            return out
        text = self.text(value, line, what)
        return [text] if text is not None else []

    def check_also(self, also: list[str], target: str | None, line: int) -> None:
        """``also`` lists *other* forms: the rendering itself, a repeat, or a plural the check accepts anyway warn."""
        seen: set[str] = set()
        for form in also:
            if target is not None and form == target:
                self.problem("warning", line, f"also form {form!r} is the rendering itself")
            elif form in seen:
                self.problem("warning", line, f"also form {form!r} is listed twice")
            elif any(form == f"{other}s" or form == f"{other}es" for other in also if other != form):
                self.problem(
                    "warning",
                    line,
                    f"also form {form!r} is the plural of another also form: plurals of "
                    "also forms are accepted without listing them",
                )
            seen.add(form)

    def reject_tags(self, node: Any, line: int) -> None:
        """Explicit YAML tags (``!!python/...``, custom ``!tags``) are errors: a glossary holds plain data."""
        tag = getattr(getattr(node, "tag", None), "value", None)
        core = {"str", "int", "float", "bool", "null", "seq", "map"}
        if tag and not (tag.startswith("tag:yaml.org,2002:") and tag.rsplit(":", 1)[-1] in core):
            self.problem(
                "error",
                _line(node, default=line),
                f"YAML tag {tag!r} is not allowed (plain text, lists and mappings only)",
            )
        if isinstance(node, dict):
            for key, value in node.items():
                self.reject_tags(value, _line(node, key, line))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                self.reject_tags(value, _line(node, index, line))

    def read(self, doc: Any) -> Glossary:
        from ruamel.yaml.comments import CommentedMap

        self.reject_tags(doc, 1)
        if doc is None:
            self.problem("error", 1, "the file is empty (expected a mapping with `version` and `entries`)")
            return Glossary([], path=self.path)
        if not isinstance(doc, (dict, CommentedMap)):
            self.problem("error", _line(doc, default=1), f"the top level must be a mapping, got {type(doc).__name__}")
            return Glossary([], path=self.path)
        for key in doc:
            if key not in TOP_KEYS:
                self.problem("error", _line(doc, key), f"unknown key {key!r}; allowed keys: {', '.join(TOP_KEYS)}")
        version = doc.get("version")
        if version is None:
            self.problem("error", 1, f"missing `version` (this program reads version {SCHEMA_VERSION})")
        elif version != SCHEMA_VERSION:
            self.problem(
                "error",
                _line(doc, "version"),
                f"unsupported version {version!r}; this program reads version {SCHEMA_VERSION}",
            )
        name = self.text(doc.get("name"), _line(doc, "name"), "name", required=False) or self.path.stem
        spelling = doc.get("spelling", "british")
        if spelling not in SPELLINGS:
            self.problem(
                "error", _line(doc, "spelling"), f"spelling {spelling!r} is not one of: {', '.join(SPELLINGS)}"
            )
        languages = {}
        for key, default in (("source_language", "id"), ("target_language", "en")):
            languages[key] = self.text(doc.get(key), _line(doc, key), key, required=False) or default
        notes = doc.get("notes") or ""
        if not isinstance(notes, str):
            self.problem("error", _line(doc, "notes"), "notes must be text")
            notes = ""
        raw_entries = doc.get("entries")
        entries: list[Entry] = []
        if raw_entries is None:
            self.problem("error", _line(doc, "entries", 1), "missing `entries` (a list; may be empty: `entries: []`)")
        elif not isinstance(raw_entries, list):
            self.problem("error", _line(doc, "entries"), "`entries` must be a list")
        else:
            for index, raw in enumerate(raw_entries):
                entry = self.entry(raw, _line(raw_entries, index, _line(doc, "entries")))
                if entry is not None:
                    entries.append(entry)
        self.cross_check(entries)
        return Glossary(
            entries,
            name=name,
            version=version if isinstance(version, int) else SCHEMA_VERSION,
            source_language=languages["source_language"],
            target_language=languages["target_language"],
            spelling=spelling if spelling in SPELLINGS else "british",
            notes=str(notes).strip(),
            path=self.path,
        )

    def entry(self, raw: Any, line: int) -> Entry | None:
        if not isinstance(raw, dict):
            self.problem(
                "error", line, f"an entry must be a mapping with `source` and `target`, got {type(raw).__name__}"
            )
            return None
        errors_before = sum(p.severity == "error" for p in self.problems)
        for key in raw:
            if key not in ENTRY_KEYS:
                self.problem(
                    "error", _line(raw, key, line), f"unknown key {key!r}; allowed keys: {', '.join(ENTRY_KEYS)}"
                )
        at = lambda key: _line(raw, key, line)  # noqa: E731
        case = raw.get("case", "as-written")
        if case not in CASE_POLICIES:
            self.problem("error", at("case"), f"case {case!r} is not one of: {', '.join(CASE_POLICIES)}")
            case = "as-written"
        category = raw.get("category", "other")
        if category not in CATEGORIES:
            self.problem("error", at("category"), f"category {category!r} is not one of: {', '.join(CATEGORIES)}")
            category = "other"
        if "source" not in raw:
            self.problem("error", line, "entry has no `source`")
        sources = self.text_list(raw.get("source"), raw, "source", at("source"), "source")
        for form in sources:
            if not re.search(r"\w", form):
                self.problem("error", at("source"), f"source {form!r} has no letters or digits")
        seen: dict[str, str] = {}
        for form in sources:
            key = normalise_form(form)
            if key in seen:
                self.problem("warning", at("source"), f"duplicate source form {form!r} within the entry")
            seen[key] = form
        sources = list(dict.fromkeys(sources))
        target = self.text(raw.get("target"), at("target"), "target", required=case != "keep-source")
        if case == "keep-source":
            if target is None and sources:
                target = sources[0]
            elif target is not None and target not in sources:
                self.problem(
                    "error",
                    at("target"),
                    f"case keep-source renders the source itself, but target {target!r} is not one of the source forms",
                )
        forbidden = self.text_list(raw.get("forbidden"), raw, "forbidden", at("forbidden"), "forbidden")
        for form in forbidden:
            if target is not None and form.casefold() == target.casefold():
                self.problem("error", at("forbidden"), f"forbidden form {form!r} equals the rendering {target!r}")
        also = self.text_list(raw.get("also"), raw, "also", at("also"), "also")
        self.check_also(also, target, at("also"))
        for form in also + ([target] if target else []):
            if form.casefold() in {f.casefold() for f in forbidden} and form != target:
                self.problem("error", at("forbidden"), f"forbidden form {form!r} is also an accepted form (`also`)")
        note = raw.get("note")
        if note is not None and not isinstance(note, str):
            self.problem("error", at("note"), "note must be text")
            note = None
        entry_id = self.text(raw.get("id"), at("id"), "id", required=False)
        if entry_id is not None and re.search(r"\s", entry_id):
            self.problem("error", at("id"), f"id {entry_id!r} contains whitespace")
        if sum(p.severity == "error" for p in self.problems) > errors_before or not sources or target is None:
            return None
        return Entry(
            id=entry_id or slugify(target),
            sources=tuple(sources),
            target=target,
            category=category,
            case=case,
            forbidden=tuple(forbidden),
            note=(note or "").strip(),
            also=tuple(also),
            line=line,
        )

    def cross_check(self, entries: list[Entry]) -> None:
        by_id: dict[str, Entry] = {}
        for entry in entries:
            if entry.id in by_id:
                other = by_id[entry.id]
                self.problem(
                    "error",
                    entry.line,
                    f"duplicate id {entry.id!r} (also line {other.line}); give each entry its own `id`",
                )
            else:
                by_id[entry.id] = entry
        exact: dict[str, Entry] = {}
        folded: dict[str, tuple[Entry, str]] = {}
        for entry in entries:
            for form in entry.sources:
                key = normalise_form(form)
                clash = exact.get(key)
                if clash is not None and clash is not entry:
                    if clash.rendering(key) == entry.rendering(key):
                        self.problem(
                            "error",
                            entry.line,
                            f"duplicate source form {form!r}: also entry {clash.id!r} (line {clash.line}); "
                            "merge the entries",
                        )
                    else:
                        self.problem(
                            "error",
                            entry.line,
                            f"source {form!r} has two renderings: {entry.rendering(key)!r} here and "
                            f"{clash.rendering(key)!r} in entry {clash.id!r} (line {clash.line})",
                        )
                    continue
                exact.setdefault(key, entry)
                fold = key.casefold()
                seen = folded.get(fold)
                if seen is not None and seen[0] is not entry and "ignore" in (entry.case, seen[0].case):
                    self.problem(
                        "warning",
                        entry.line,
                        f"source {form!r} and {seen[1]!r} of entry {seen[0].id!r} (line {seen[0].line}) differ "
                        "only in case and one ignores case: they shadow each other "
                        "(the longer, then the earlier entry wins)",
                    )
                folded.setdefault(fold, (entry, form))


def analyse(path: str | Path) -> tuple[Glossary, list[Problem]]:
    """Load ``path`` and return the glossary with every problem found (errors and warnings)."""
    path = Path(path)
    reader = _Reader(path)
    glossary = reader.read(read_document(path))
    return glossary, reader.problems


def _cache_file(data: bytes) -> Path | None:
    """Where the parsed form of a glossary with these bytes is kept (``None``: caching is off)."""
    import hashlib
    import os

    if os.environ.get("IDTRANS_GLOSSARY_CACHE", "").strip() in ("0", "off"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    from idtrans import __version__  # (the package imports this module through idtrans.api)

    digest = hashlib.sha256(data + f"|{__version__}|{SCHEMA_VERSION}".encode()).hexdigest()[:32]
    return Path(base) / "idtrans" / "glossaries" / f"{digest}.json"


def _entry_fields(raw: dict[str, Any], tuples: set[str]) -> dict[str, Any]:
    """An entry's fields as read back from JSON: lists become the tuples the dataclass holds."""
    return {key: tuple(value) if key in tuples else value for key, value in raw.items()}


def _from_cache(cached: Path, path: Path) -> Glossary | None:
    import dataclasses
    import json

    try:
        data = json.loads(cached.read_text(encoding="utf-8"))
        tuples = {f.name for f in dataclasses.fields(Entry) if str(f.type).startswith("tuple")}
        entries = [Entry(**_entry_fields(raw, tuples)) for raw in data.pop("entries")]
        problems = [Problem(**raw) for raw in data.pop("problems")]
        return Glossary(entries=entries, path=path, problems=problems, **data)
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None  # missing, damaged or from another layout: parse the YAML again


def _to_cache(cached: Path, glossary: Glossary) -> None:
    import dataclasses
    import json

    fields = {f.name: getattr(glossary, f.name) for f in dataclasses.fields(glossary) if f.name not in ("path",)}
    fields["entries"] = [dataclasses.asdict(entry) for entry in glossary.entries]
    fields["problems"] = [dataclasses.asdict(problem) for problem in glossary.problems]
    try:
        atomic_write_text(cached, json.dumps(fields, ensure_ascii=False))
    except OSError:
        pass  # a read-only or full cache directory only costs speed


def load_glossary(path: str | Path) -> Glossary:
    """Load and validate a glossary file; any error raises GlossaryError at its ``file:line``.

    A valid glossary's parsed form is cached by the hash of its bytes (``~/.cache/idtrans/
    glossaries``, or ``$XDG_CACHE_HOME``; ``IDTRANS_GLOSSARY_CACHE=off`` disables it), so an
    unchanged 10,000-entry glossary loads in milliseconds instead of re-parsing its YAML.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError:
        data = None  # analyse() reports the problem with its hint
    cached = _cache_file(data) if data is not None else None
    if cached is not None and cached.exists():
        glossary = _from_cache(cached, path)
        if glossary is not None:
            return glossary
    glossary = _load_uncached(path)
    if cached is not None:
        _to_cache(cached, glossary)
    return glossary


def _load_uncached(path: Path) -> Glossary:
    glossary, problems = analyse(path)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
        first = errors[0]
        raise GlossaryError(
            first.message + more,
            where=first.where,
            hint=f"run `idtrans glossary lint --glossary {path}` to list every problem",
        )
    glossary.problems = [p for p in problems if p.severity != "error"]
    return glossary
