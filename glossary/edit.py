"""Round-trip edits of a glossary file: add, edit, remove, merge imported entries.

Every edit runs under a file lock, re-reads the file inside the lock (so two concurrent edits
both land), changes only the entries it touches through ruamel.yaml's round-trip document
(comments, order, quoting and layout of everything else survive: the diff of an ``add`` is the
added lines), validates the result like a load would, and replaces the file atomically
through :func:`idtrans.io.atomic_write_text` (temporary file in the same directory, fsync,
``os.replace``; a symbolic link is followed, so a glossary shared through a link gets the edit,
and the file keeps its permissions). A failed validation leaves the file untouched.

The lock is ``.<name>.lock`` beside the real file (links resolved): everyone who edits the
glossary, through any path or link, on any machine sharing the directory, takes the same lock,
and a user who may write the glossary may write its lock (it is created with the glossary's own
permissions, so a group-writable glossary has a group-writable lock). Nothing piles up in /tmp.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from idtrans.errors import GlossaryError
from idtrans.glossary.loader import _Reader, normalise_form, read_document, slugify, yaml_round_trip
from idtrans.glossary.schema import CASE_POLICIES, CATEGORIES, ENTRY_KEYS, SCHEMA_VERSION
from idtrans.io import atomic_write_text, new_file_mode

LOCK_TIMEOUT = 30.0


def lock_path(path: Path) -> Path:
    """The lock file of a glossary: ``.<name>.lock`` beside the real file (symbolic links resolved)."""
    real = Path(os.path.realpath(path))
    return real.with_name(f".{real.name}.lock")


def _lock_mode(path: Path) -> int:
    """Permissions for the lock file: those of the glossary (read-write bits), else the umask default."""
    try:
        return (os.stat(path).st_mode & 0o666) | 0o600
    except OSError:
        return new_file_mode()


def new_document(name: str) -> Any:
    """A fresh glossary document (for ``add``/``import`` into a file that does not exist yet)."""
    text = (
        f"# idtrans glossary (schema version {SCHEMA_VERSION}; see `idtrans glossary --help`).\n"
        f"version: {SCHEMA_VERSION}\nname: {name}\nsource_language: id\ntarget_language: en\n"
        "spelling: british\nentries: []\n"
    )
    return yaml_round_trip().load(text)


@contextmanager
def editing(path: str | Path, *, create: bool = False) -> Iterator[Any]:
    """Lock ``path``, yield its round-trip document for changes, then validate and write it atomically."""
    from filelock import FileLock, Timeout

    path = Path(path)
    lock = FileLock(str(lock_path(path)), timeout=LOCK_TIMEOUT, mode=_lock_mode(path))
    try:
        # Poll often: an editor that loops over many edits re-takes the lock within a millisecond of
        # releasing it, and a waiter that polls only every 50 ms (filelock's default) can starve.
        with lock.acquire(poll_interval=0.002):
            if not path.exists():
                if not create:
                    raise GlossaryError(
                        "glossary file not found",
                        where=str(path),
                        hint="check the path (only `add` and `import` create a new glossary)",
                    )
                doc = new_document(slugify(path.stem))
            else:
                doc = read_document(path)
                if not isinstance(doc, dict):
                    raise GlossaryError(
                        "the file is not a glossary mapping",
                        where=str(path),
                        hint=f"run `idtrans glossary lint --glossary {path}`",
                    )
            yield doc
            out = io.StringIO()
            yaml_round_trip().dump(doc, out)
            text = out.getvalue()
            reader = _Reader(path)
            reader.read(yaml_round_trip().load(text))
            errors = [p for p in reader.problems if p.severity == "error"]
            if errors:
                first = errors[0]
                raise GlossaryError(
                    f"the edit would make the glossary invalid: {first.message}",
                    where=first.where,
                    hint="nothing was written; fix the values and retry",
                )
            atomic_write_text(path, text)
    except PermissionError as error:
        raise GlossaryError(
            f"cannot write the glossary or its lock: {error.strerror}",
            where=str(error.filename or path),
            hint="ask for write permission on the glossary's directory, or edit a copy",
        ) from None
    except Timeout:
        raise GlossaryError(
            f"another edit holds the lock for more than {LOCK_TIMEOUT:.0f} s",
            where=str(path),
            hint=f"retry; if no edit is running, delete {lock_path(path)}",
        ) from None


# -- building entries ---------------------------------------------------------------------------


def _seq(items: list[Any]) -> Any:
    from ruamel.yaml.comments import CommentedSeq

    seq: Any = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq


def _value(key: str, value: Any) -> Any:
    if key in ("source", "forbidden", "also"):
        return _seq(list(value))
    return value


def _check_fields(fields: dict[str, Any]) -> None:
    unknown = [k for k in fields if k not in ENTRY_KEYS]
    if unknown:
        raise GlossaryError(f"unknown field(s) {', '.join(unknown)}; allowed: {', '.join(ENTRY_KEYS)}")
    if "category" in fields and fields["category"] not in CATEGORIES:
        raise GlossaryError(f"category {fields['category']!r} is not one of: {', '.join(CATEGORIES)}")
    if "case" in fields and fields["case"] not in CASE_POLICIES:
        raise GlossaryError(f"case {fields['case']!r} is not one of: {', '.join(CASE_POLICIES)}")


def make_entry(fields: dict[str, Any]) -> Any:
    """A round-trip entry mapping with the keys in schema order and lists in flow style."""
    from ruamel.yaml.comments import CommentedMap

    _check_fields(fields)
    entry = CommentedMap()
    for key in ENTRY_KEYS:
        value = fields.get(key)
        if value is None or value == [] or value == "":
            continue
        entry[key] = _value(key, value)
    return entry


def document_entries(doc: Any) -> Any:
    """The ``entries`` list of a round-trip YAML glossary document (created if missing, block style)."""
    from ruamel.yaml.comments import CommentedSeq

    entries: Any = doc.get("entries")
    if entries is None:
        entries = CommentedSeq()
        doc["entries"] = entries
    if not isinstance(entries, CommentedSeq):
        raise GlossaryError("`entries` is not a list", hint="run `idtrans glossary lint`")
    if not entries and entries.fa.flow_style():
        entries.fa.set_block_style()
    return entries


def entry_id(raw: Any) -> str | None:
    """The id an entry mapping has or would get (derived from its target, like the loader does)."""
    if not isinstance(raw, dict):
        return None
    if isinstance(raw.get("id"), str) and raw["id"].strip():
        return raw["id"].strip()
    target = raw.get("target")
    if not isinstance(target, str):
        source = raw.get("source")
        target = source[0] if isinstance(source, list) and source else source
    return slugify(target) if isinstance(target, str) else None


def _id_of(raw: Any) -> str:
    """The id of an entry found by id or form (such an entry always has one)."""
    return entry_id(raw) or "?"


def _find(entries: Any, wanted: str) -> int:
    for index, raw in enumerate(entries):
        if entry_id(raw) == wanted:
            return index
    raise GlossaryError(f"no entry with id {wanted!r}", hint="list ids with `idtrans glossary list`")


def _trailing_comment(raw: Any) -> tuple[Any, Any]:
    """The comment after an entry's last key (ruamel keeps the comment before the next entry there)."""
    if not raw:
        return None, None
    last = list(raw.keys())[-1]
    items = raw.ca.items.get(last)
    if items and len(items) > 2 and items[2] is not None:
        return last, items[2]
    return last, None


def _move_trailing(source_raw: Any, target_raw: Any) -> None:
    """Move the comment after ``source_raw``'s last key to after ``target_raw``'s last key."""
    key, token = _trailing_comment(source_raw)
    if token is None or target_raw is None or not target_raw:
        return
    source_raw.ca.items[key][2] = None
    last, existing = _trailing_comment(target_raw)
    if existing is not None:
        existing.value = existing.value.rstrip("\n") + "\n" + token.value.lstrip("\n")
        return
    slot = target_raw.ca.items.setdefault(last, [None, None, None, None])
    while len(slot) < 4:
        slot.append(None)
    slot[2] = token


def _move_trailing_to_start(source_raw: Any, entries: Any) -> None:
    """Removing the first entry: the comment after it goes before the new first entry."""
    from ruamel.yaml.error import CommentMark
    from ruamel.yaml.tokens import CommentToken

    key, token = _trailing_comment(source_raw)
    if token is None:
        return
    source_raw.ca.items[key][2] = None
    if entries.ca.comment is None:
        entries.ca.comment = [None, []]
    while len(entries.ca.comment) < 2:
        entries.ca.comment.append([])
    if entries.ca.comment[1] is None:
        entries.ca.comment[1] = []
    column = token.start_mark.column if token.start_mark is not None else 2
    for line in token.value.splitlines():
        if line.strip():
            entries.ca.comment[1].append(CommentToken(line.strip() + "\n", CommentMark(column), None))


def add_entry(path: str | Path, fields: dict[str, Any]) -> str:
    """Append an entry (``fields``: source list, target, category, ...); returns its id."""
    fields = dict(fields)
    if not fields.get("id"):
        fields["id"] = slugify(fields.get("target") or (fields.get("source") or [""])[0])
    with editing(path, create=True) as doc:
        entries = document_entries(doc)
        if any(entry_id(raw) == fields["id"] for raw in entries):
            raise GlossaryError(
                f"an entry with id {fields['id']!r} exists",
                where=str(path),
                hint="pass another --id, or change that entry with `idtrans glossary edit`",
            )
        entries.append(make_entry(fields))
    return fields["id"]


def edit_entry(
    path: str | Path,
    wanted: str,
    changes: dict[str, Any],
    *,
    add_sources: Sequence[str] = (),
    remove_sources: Sequence[str] = (),
    unset: Sequence[str] = (),
) -> None:
    """Change fields of one entry in place (other entries and comments untouched)."""
    _check_fields(changes)
    with editing(path) as doc:
        entries = document_entries(doc)
        raw = entries[_find(entries, wanted)]
        before = json.dumps(raw, sort_keys=True, default=str)
        already = [f for f in add_sources if f in (raw.get("source") or [])]
        for key in unset:
            if key in ("id", "source"):
                raise GlossaryError(f"cannot unset {key!r}; an entry needs it")
            if key in raw:
                last = list(raw.keys())[-1]
                if key == last and len(raw) > 1:
                    keys = list(raw.keys())
                    _move_trailing_key(raw, key, keys[-2])
                del raw[key]
        for key, value in changes.items():
            _set_key(raw, key, _value(key, value))
        if add_sources or remove_sources:
            current = raw.get("source")
            forms = list(current) if isinstance(current, list) else ([current] if current else [])
            missing = [f for f in remove_sources if f not in forms]
            if missing:
                raise GlossaryError(f"entry {wanted!r} has no source form {missing[0]!r}", hint=f"its forms: {forms}")
            forms = [f for f in forms if f not in remove_sources] + [f for f in add_sources if f not in forms]
            _set_key(raw, "source", _seq(forms))
        if json.dumps(raw, sort_keys=True, default=str) == before:
            said = (
                f"{already[0]!r} is already a source form of {wanted!r}"
                if already
                else "the values given are the entry's values"
            )
            raise GlossaryError(
                f"nothing changed: {said}", where=str(path), hint=f"see the entry with `idtrans glossary show {wanted}`"
            )


def _move_trailing_key(raw: Any, from_key: str, to_key: str) -> None:
    items = raw.ca.items.get(from_key)
    if items and len(items) > 2 and items[2] is not None:
        slot = raw.ca.items.setdefault(to_key, [None, None, None, None])
        slot[2] = items[2]
        items[2] = None


def _set_key(raw: Any, key: str, value: Any) -> None:
    """Set ``key`` keeping its place; a new key goes in schema order, keeping the entry's trailing comment last."""
    if key in raw:
        raw[key] = value
        return
    keys = list(raw.keys())
    position = len(keys)
    for index, existing in enumerate(keys):
        if existing in ENTRY_KEYS and ENTRY_KEYS.index(existing) > ENTRY_KEYS.index(key):
            position = index
            break
    raw.insert(position, key, value)
    if position == len(keys) and keys:
        _move_trailing_key(raw, keys[-1], key)


def remove_entry(path: str | Path, wanted: str) -> dict[str, Any]:
    """Delete one entry; returns its fields. The comment that followed it stays in place."""
    with editing(path) as doc:
        entries = document_entries(doc)
        index = _find(entries, wanted)
        raw = entries[index]
        if index > 0:
            _move_trailing(raw, entries[index - 1])
        elif len(entries) > 1:
            _move_trailing_to_start(raw, entries)
        removed = {k: (list(v) if isinstance(v, list) else v) for k, v in raw.items()}
        del entries[index]
    return removed


def merge_entries(path: str | Path, incoming: list[dict[str, Any]], *, replace: bool = False) -> dict[str, list[str]]:
    """Add imported entries: new ones appended, same-rendering ones gain source forms,
    conflicting ones (a source form already rendered differently) skipped or, with ``replace``, re-targeted.

    Returns ids by outcome: ``added``, ``extended``, ``replaced``, ``unchanged``, ``conflicts``.
    """
    outcome: dict[str, list[str]] = {"added": [], "extended": [], "replaced": [], "unchanged": [], "conflicts": []}
    with editing(path, create=True) as doc:
        entries = document_entries(doc)
        ids = {entry_id(raw) for raw in entries}
        for fields in incoming:
            forms = [normalise_form(f) for f in fields["source"]]
            target = fields["target"]
            owner = None
            for raw in entries:
                source = raw.get("source") if isinstance(raw, dict) else None
                existing = source if isinstance(source, list) else [source]
                if any(isinstance(f, str) and normalise_form(f) in forms for f in existing):
                    owner = raw
                    break
            if owner is None:
                same = next(
                    (
                        raw
                        for raw in entries
                        if isinstance(raw, dict)
                        and raw.get("target") == target
                        and raw.get("case", "as-written") != "keep-source"
                    ),
                    None,
                )
                if same is not None:
                    source = same.get("source")
                    current = list(source) if isinstance(source, list) else [source]
                    _set_key(same, "source", _seq(current + [f for f in forms if f not in current]))
                    outcome["extended"].append(_id_of(same))
                    continue
                new = dict(fields)
                base = new.get("id") or slugify(target)
                candidate, n = base, 2
                while candidate in ids:
                    candidate, n = f"{base}-{n}", n + 1
                new["id"] = candidate
                ids.add(candidate)
                entries.append(make_entry(new))
                outcome["added"].append(candidate)
                continue
            if owner.get("target") == target or (owner.get("case") == "keep-source" and target in forms):
                existing = list(owner["source"]) if isinstance(owner.get("source"), list) else [owner.get("source")]
                extra = [f for f in forms if f not in existing]
                if extra:
                    _set_key(owner, "source", _seq(existing + extra))
                    outcome["extended"].append(_id_of(owner))
                else:
                    outcome["unchanged"].append(_id_of(owner))
            elif replace:
                _set_key(owner, "target", target)
                outcome["replaced"].append(_id_of(owner))
            else:
                outcome["conflicts"].append(
                    f"{entry_id(owner)}: {forms[0]!r} is {owner.get('target')!r} here, {target!r} in the import"
                )
    return outcome
