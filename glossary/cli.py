"""``idtrans glossary …``: list, show, add, edit, remove, lint, import, export, check.

Thin wrappers: the work is done by plain functions in idtrans.glossary (loader, edit, lint,
interchange, check). Every command takes ``--glossary/-g FILE``; the default is
``$IDTRANS_GLOSSARY``, else the bundled starter glossary.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from idtrans.errors import GlossaryError, InputError
from idtrans.glossary.check import TermStats, check_article_files
from idtrans.glossary.edit import add_entry, edit_entry, merge_entries, remove_entry
from idtrans.glossary.interchange import export_text, guess_format, import_entries
from idtrans.glossary.lint import lint
from idtrans.glossary.loader import load_glossary
from idtrans.glossary.schema import CATEGORIES, Entry, Glossary
from idtrans.glossary.tbx import export_tbx, import_tbx
from idtrans.io import atomic_write_text
from idtrans.settings import GLOSSARY_ENV, glossary_file

glossary_app = typer.Typer(
    name="glossary",
    help="Maintain the glossary that every translation obeys (YAML; edits keep comments and layout).",
    no_args_is_help=True,
)

_GLOSSARY_HELP = f"Glossary YAML file \\[default: ${GLOSSARY_ENV}, else the bundled starter glossary]."
#: ``--glossary/-g`` of every glossary command.
GlossaryFile = Annotated[Path | None, typer.Option("--glossary", "-g", help=_GLOSSARY_HELP)]
#: ``--glossary/-g`` of the commands that add entries.
NewOrGlossaryFile = Annotated[
    Path | None, typer.Option("--glossary", "-g", help=_GLOSSARY_HELP + " Created if missing.")
]
#: The ``ENTRY_ID`` argument of ``edit`` and ``remove``.
EntryId = Annotated[str, typer.Argument(help="The entry's id.")]


def resolve_path(glossary: Path | None) -> Path:
    """``--glossary`` > ``$IDTRANS_GLOSSARY`` > the bundled starter glossary."""
    return glossary_file(glossary)


def _load(glossary: Path | None) -> Glossary:
    return load_glossary(resolve_path(glossary))


def _entry_line(entry: Entry) -> str:
    forms = " | ".join(entry.sources)
    return f"{entry.id:<28} {entry.category:<12} {forms}  ->  {entry.target}"


@glossary_app.command("list")
def list_command(
    glossary: GlossaryFile = None,
    category: str | None = typer.Option(
        None,
        "--category",
        "-c",
        help="Only entries of this category (person, place, organisation, military, title, unit, other).",
    ),
    search: str | None = typer.Option(
        None,
        "--search",
        "-s",
        help="Only entries whose id, source forms, rendering or note contain this text (any case).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON lines (one entry each) instead of a table."),
) -> None:
    """List entries: id, category, Indonesian forms -> English rendering."""
    if category is not None and category not in CATEGORIES:
        raise InputError(f"unknown category {category!r}", hint=f"use one of: {', '.join(CATEGORIES)}")
    loaded = _load(glossary)
    needle = (search or "").casefold()
    shown = 0
    for entry in loaded.entries:
        if category and entry.category != category:
            continue
        haystack = " ".join([entry.id, entry.target, entry.note, *entry.sources, *entry.also]).casefold()
        if needle and needle not in haystack:
            continue
        shown += 1
        typer.echo(json.dumps(entry.content(), ensure_ascii=False) if as_json else _entry_line(entry))
    if not as_json:
        typer.echo(f"{shown} of {len(loaded)} entries ({loaded.path})", err=True)


@glossary_app.command("show")
def show_command(
    entry_id: str = typer.Argument(..., help="The entry's id (see `idtrans glossary list`)."),
    glossary: GlossaryFile = None,
) -> None:
    """Show every field of one entry and where it is in the file."""
    loaded = _load(glossary)
    entry = loaded.get(entry_id)
    if entry is None:
        raise GlossaryError(
            f"no entry with id {entry_id!r}",
            where=str(loaded.path),
            hint=f"search with `idtrans glossary list --search {entry_id}`",
        )
    typer.echo(f"id:        {entry.id}   ({loaded.path}:{entry.line})")
    typer.echo(f"source:    {' | '.join(entry.sources)}")
    typer.echo(f"target:    {entry.target}")
    if entry.also:
        typer.echo(f"also:      {' | '.join(entry.also)}")
    typer.echo(f"category:  {entry.category}")
    typer.echo(f"case:      {entry.case}")
    if entry.forbidden:
        typer.echo(f"forbidden: {' | '.join(entry.forbidden)}")
    if entry.note:
        typer.echo(f"note:      {entry.note}")


@glossary_app.command("add")
def add_command(
    source: list[str] = typer.Option(
        ..., "--source", "-s", help="Indonesian form (repeat for aliases and spelling variants)."
    ),
    target: str | None = typer.Option(
        None, "--target", "-t", help="The English rendering (optional only with --case keep-source)."
    ),
    category: str = typer.Option(
        "other", "--category", "-c", help="person, place, organisation, military, title, unit or other."
    ),
    case: str = typer.Option(
        "as-written",
        "--case",
        help="as-written (case must agree), ignore (any case) or keep-source (the term stays as written).",
    ),
    forbidden: list[str] = typer.Option(
        [], "--forbidden", "-f", help="An English form that must not appear (repeatable)."
    ),
    also: list[str] = typer.Option(
        [], "--also", help="Another English form that counts as the rendering, e.g. an adjective (repeatable)."
    ),
    note: str | None = typer.Option(None, "--note", "-n", help="A free note for editors."),
    entry_id: str | None = typer.Option(None, "--id", help="The entry's id \\[default: derived from the rendering]."),
    glossary: NewOrGlossaryFile = None,
) -> None:
    """Append an entry (the rest of the file, comments included, is left byte for byte)."""
    path = resolve_path(glossary)
    fields = {
        "id": entry_id,
        "source": list(source),
        "target": target,
        "also": list(also),
        "category": category,
        "case": case,
        "forbidden": list(forbidden),
        "note": note,
    }
    new_id = add_entry(path, fields)
    typer.echo(f"added {new_id} to {path}")


@glossary_app.command("edit")
def edit_command(
    entry_id: EntryId,
    target: str | None = typer.Option(None, "--target", "-t", help="New English rendering."),
    category: str | None = typer.Option(None, "--category", "-c", help="New category."),
    case: str | None = typer.Option(None, "--case", help="New case policy: as-written, ignore or keep-source."),
    note: str | None = typer.Option(None, "--note", "-n", help="New note."),
    add_source: list[str] = typer.Option([], "--add-source", help="Add an Indonesian form (repeatable)."),
    remove_source: list[str] = typer.Option([], "--remove-source", help="Remove an Indonesian form (repeatable)."),
    forbidden: list[str] = typer.Option(
        [], "--forbidden", "-f", help="Replace the forbidden forms with these (repeatable)."
    ),
    also: list[str] = typer.Option([], "--also", help="Replace the accepted other forms with these (repeatable)."),
    unset: list[str] = typer.Option(
        [], "--unset", help="Remove a field: note, forbidden, also, category, case (repeatable)."
    ),
    glossary: GlossaryFile = None,
) -> None:
    """Change fields of one entry in place; other entries and comments are untouched."""
    path = resolve_path(glossary)
    changes: dict[str, str | list[str]] = {
        k: v for k, v in {"target": target, "category": category, "case": case, "note": note}.items() if v is not None
    }
    if forbidden:
        changes["forbidden"] = list(forbidden)
    if also:
        changes["also"] = list(also)
    if not (changes or add_source or remove_source or unset):
        raise InputError("nothing to change", hint="pass at least one option, see `idtrans glossary edit --help`")
    edit_entry(
        path, entry_id, changes, add_sources=list(add_source), remove_sources=list(remove_source), unset=list(unset)
    )
    typer.echo(f"edited {entry_id} in {path}")


@glossary_app.command("remove")
def remove_command(
    entry_id: EntryId,
    glossary: GlossaryFile = None,
) -> None:
    """Delete one entry (the comments around it stay)."""
    path = resolve_path(glossary)
    removed = remove_entry(path, entry_id)
    typer.echo(
        f"removed {entry_id} ({' | '.join(removed.get('source') or [])} -> {removed.get('target', '')}) from {path}"
    )


@glossary_app.command("lint")
def lint_command(
    file: Path | None = typer.Argument(None, help="Glossary file to check (same as --glossary)."),
    glossary: GlossaryFile = None,
) -> None:
    """Report every problem at file:line; exit 1 on errors, 0 when there are only warnings."""
    if file is not None and glossary is not None and file != glossary:
        raise GlossaryError(
            "two different glossaries given",
            where=f"{file} and --glossary {glossary}",
            hint="name the file once, as FILE or with --glossary",
        )
    path = resolve_path(file or glossary)
    problems = lint(path)
    for problem in problems:
        typer.echo(str(problem))
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    typer.echo(f"{path}: {errors} error(s), {warnings} warning(s)", err=True)
    if errors:
        raise typer.Exit(1)


@glossary_app.command("import")
def import_command(
    file: Path = typer.Argument(
        ..., help="A DeepL, Google or Amazon Translate glossary (.csv or .tsv), or a TBX termbase (.tbx)."
    ),
    fmt: str | None = typer.Option(None, "--format", help="csv or tsv \\[default: from the file name]."),
    layout: str | None = typer.Option(
        None,
        "--layout",
        help="google (source,target), amazon (header row of language codes) or deepl "
        "(source,target,source_lang,target_lang) \\[default: detected].",
    ),
    category: str = typer.Option("other", "--category", "-c", help="Category of the new entries."),
    case: str = typer.Option("as-written", "--case", help="Case policy of the new entries."),
    replace: bool = typer.Option(
        False,
        "--replace",
        help="When a source form already has another rendering, take the imported one (default: keep ours and "
        "report the conflict).",
    ),
    glossary: NewOrGlossaryFile = None,
) -> None:
    """Merge terms from a CSV/TSV glossary or a TBX file: new entries appended, aliases added, conflicts reported.

    A TBX file imported into a glossary that does not exist yet keeps every field (sources, target, also,
    forbidden, category, case, note) and the header (name, spelling, notes).
    """
    path = resolve_path(glossary)
    if file.suffix.lower() == ".tbx" or fmt == "tbx":
        used, outcome = "tbx", import_tbx(file, path, replace=replace)
    else:
        used, entries = import_entries(file, fmt=fmt, layout=layout, category=category, case=case)
        outcome = merge_entries(path, entries, replace=replace)
    for conflict in outcome["conflicts"]:
        typer.echo(f"conflict (kept ours): {conflict}", err=True)
    typer.echo(
        f"imported {file} ({used} layout) into {path}: {len(outcome['added'])} added, "
        f"{len(outcome['extended'])} extended, {len(outcome['replaced'])} replaced, "
        f"{len(outcome['unchanged'])} unchanged, {len(outcome['conflicts'])} conflicts"
    )


@glossary_app.command("export")
def export_command(
    file: Path = typer.Argument(..., help="Output file (.csv, .tsv or .tbx), or - for stdout."),
    fmt: str | None = typer.Option(
        None, "--format", help="csv, tsv or tbx \\[default: from the file name; csv for stdout]."
    ),
    layout: str = typer.Option(
        "google",
        "--layout",
        help="google (source,target), amazon (language-code header row) or deepl (with language columns in CSV).",
    ),
    glossary: GlossaryFile = None,
) -> None:
    """Write the glossary as a DeepL / Google / Amazon Translate glossary (one row per source form) or TBX-Basic."""
    loaded = _load(glossary)
    to_stdout = str(file) == "-"
    if fmt == "tbx" or (fmt is None and file.suffix.lower() == ".tbx"):
        data = export_tbx(loaded)
        if to_stdout:
            typer.echo(data.decode("utf-8"), nl=False)
        else:
            atomic_write_text(file, data.decode("utf-8"))
            typer.echo(f"wrote {file} ({len(loaded)} concept entries, TBX-Basic)", err=True)
        return
    text = export_text(loaded, layout, fmt or ("csv" if to_stdout else guess_format(file, None)))
    if to_stdout:
        typer.echo(text, nl=False)
    else:
        atomic_write_text(file, text)
        typer.echo(f"wrote {file} ({text.count(chr(10))} rows, {layout} layout)", err=True)


@glossary_app.command("check")
def check_command(
    source: Path = typer.Argument(..., help="The Indonesian source article (text file)."),
    translation: Path = typer.Argument(..., help="Its English translation (text file)."),
    glossary: GlossaryFile = None,
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object per entry."),
    keep_boilerplate: bool = typer.Option(
        False,
        "--keep-boilerplate",
        help=(
            "Check every line; by default boilerplate lines (related links, comment prompts …) are left out"
            " as `idtrans translate` leaves them out."
        ),
    ),
) -> None:
    """Which entries of a source article its translation renders, misses, or breaks with a forbidden form.

    Exit status 1 if any entry is missed or broken.
    """
    checks = check_article_files(_load(glossary), source, translation, keep_boilerplate=keep_boilerplate)
    for check in checks:
        status = check.status
        if as_json:
            typer.echo(
                json.dumps(
                    {
                        "entry": check.entry_id,
                        "target": check.target,
                        "status": status,
                        "source_forms": list(check.sources),
                        "in_source": check.expected,
                        "in_translation": check.count,
                        "forbidden": check.forbidden_found,
                    },
                    ensure_ascii=False,
                )
            )
        else:
            extra = f"  forbidden: {', '.join(check.forbidden_found)}" if check.forbidden_found else ""
            typer.echo(
                f"{status:<9} {check.entry_id:<28} {' | '.join(check.sources)} -> {check.target} "
                f"({check.count}/{check.expected}){extra}"
            )
    stats = TermStats()
    stats.add(checks)
    typer.echo(
        f"{stats.matched} entries matched, {stats.found} rendered, {stats.missing} missing, "
        f"{stats.forbidden} with forbidden forms",
        err=True,
    )
    if stats.missing or stats.forbidden:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add ``idtrans glossary …`` to the root app."""
    app.add_typer(glossary_app, name="glossary")
