"""``idtrans tm …`` (the translation memory, TMX) and ``idtrans xliff apply`` (post-edited XLIFF back to English).

Thin wrappers around :mod:`idtrans.interop.tm`, :mod:`idtrans.interop.tmx` and :mod:`idtrans.interop.xliff`.
"""

from __future__ import annotations

import json
import sys
import time
from enum import Enum
from pathlib import Path

import typer

from idtrans.errors import InputError
from idtrans.interop.html_out import html_document
from idtrans.interop.tm import MemoryEntry, TranslationMemory
from idtrans.interop.tmx import TmxReport, export_tmx, read_tmx
from idtrans.interop.xliff import read_xliff
from idtrans.io import atomic_write_text
from idtrans.pipeline.options import MemoryFile

tm_app = typer.Typer(
    name="tm",
    help="The translation memory: approved translations reused on re-translation (TMX import/export).",
    no_args_is_help=True,
)
xliff_app = typer.Typer(
    name="xliff",
    help="XLIFF 2.1 post-editing round trip (write with `idtrans translate -f xliff`).",
    no_args_is_help=True,
)


class ArticleFormat(str, Enum):
    text = "text"
    html = "html"


def _memory(tm: Path | None) -> TranslationMemory:
    return TranslationMemory(tm)


def _when(seconds: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(seconds)) if seconds else "-"


@tm_app.command("stats")
def stats_command(tm: MemoryFile = None) -> None:
    """How many approved translations the memory holds, per language pair and origin."""
    with _memory(tm) as memory:
        stats = memory.stats()
    typer.echo(f"translation memory: {stats['path']}")
    typer.echo(f"entries: {stats['entries']}")
    for pair, count in stats["pairs"].items():
        typer.echo(f"  {count:>8}  {pair}")
    if stats["entries"]:
        typer.echo(f"changed: {_when(stats.get('oldest'))} to {_when(stats.get('newest'))}")
        typer.echo("origins:")
        for origin, count in stats["origins"].items():
            typer.echo(f"  {count:>8}  {origin}")


@tm_app.command("list")
def list_command(
    search: str | None = typer.Option(
        None, "--search", "-s", help="Only entries whose source or target contains this (any case)."
    ),
    limit: int = typer.Option(50, "--limit", "-n", min=0, help="Show at most this many (0: all)."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per entry."),
    tm: MemoryFile = None,
) -> None:
    """Show approved translations, newest first."""
    needle = (search or "").casefold()
    with _memory(tm) as memory:
        entries = sorted(memory.entries(), key=lambda e: -e.changed) if memory.path.exists() else []
    shown = 0
    for entry in entries:
        if needle and needle not in entry.source.casefold() and needle not in entry.target.casefold():
            continue
        if limit and shown >= limit:
            break
        shown += 1
        if as_json:
            typer.echo(
                json.dumps(
                    {
                        "source": entry.source,
                        "target": entry.target,
                        "origin": entry.origin,
                        "changed": _when(entry.changed),
                    },
                    ensure_ascii=False,
                )
            )
        else:
            typer.echo(f"{entry.source}\n  => {entry.target}   [{entry.origin or '-'}, {_when(entry.changed)}]")
    typer.echo(f"{shown} of {len(entries)} entries", err=True)


@tm_app.command("import")
def import_command(
    file: Path = typer.Argument(..., help="A TMX 1.4 file."),
    source_lang: str = typer.Option("id", "--source-lang", help="Source language of the entries to take."),
    target_lang: str = typer.Option("en", "--target-lang", help="Target language of the entries to take."),
    tm: MemoryFile = None,
) -> None:
    """Add a TMX file's translation units (for this language pair) to the memory; newer approvals replace older."""
    report = TmxReport()
    with _memory(tm) as memory:
        outcome = memory.add(read_tmx(file, source_lang=source_lang, target_lang=target_lang, report=report))
        path = memory.path
    skipped = (
        f", {report.skipped} unit(s) without both {source_lang} and {target_lang} skipped" if report.skipped else ""
    )
    typer.echo(f"imported {file} into {path}: {outcome.line()}{skipped}")


@tm_app.command("export")
def export_command(
    file: Path = typer.Argument(..., help="Output .tmx file, or - for stdout."),
    tm: MemoryFile = None,
) -> None:
    """Write the whole memory as TMX 1.4b."""
    with _memory(tm) as memory:
        entries = list(memory.entries())
    data = export_tmx(entries)
    if str(file) == "-":
        sys.stdout.buffer.write(data)
        return
    atomic_write_text(file, data.decode("utf-8"))
    typer.echo(f"wrote {file} ({len(entries)} translation units)", err=True)


@tm_app.command("add")
def add_command(
    source: str = typer.Option(..., "--source", "-s", help="The Indonesian sentence."),
    target: str = typer.Option(..., "--target", "-t", help="Its approved English translation."),
    note: str = typer.Option("", "--note", "-n", help="A note for translators."),
    tm: MemoryFile = None,
) -> None:
    """Approve one translation by hand."""
    if not source.strip() or not target.strip():
        raise InputError("source and target must not be empty", hint="pass --source TEXT --target TEXT")
    with _memory(tm) as memory:
        outcome = memory.add([MemoryEntry(source, target, origin="idtrans tm add", note=note)])
        typer.echo(f"{memory.path}: {outcome.line()}")


@tm_app.command("remove")
def remove_command(
    source: str = typer.Argument(..., help="The Indonesian sentence whose approved translation to forget."),
    tm: MemoryFile = None,
) -> None:
    """Forget one approved translation."""
    with _memory(tm) as memory:
        if not memory.remove(source):
            raise InputError(
                "no approved translation for this sentence",
                where=str(memory.path),
                hint="see `idtrans tm list --search WORD`",
            )
        typer.echo(f"removed from {memory.path}")


@xliff_app.command("apply")
def apply_command(
    file: Path = typer.Argument(
        ..., help="A post-edited XLIFF 2.x file written by `idtrans translate --format xliff`."
    ),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write the English article here (default: stdout)."
    ),
    fmt: ArticleFormat = typer.Option(ArticleFormat.text, "--format", "-f", help="text or html."),
    store: bool = typer.Option(
        True, "--store/--no-store", help="Store the approved segments in the translation memory."
    ),
    tm: MemoryFile = None,
) -> None:
    """Write the final English article from a post-edited XLIFF file and keep the human translations.

    Approved segments (state reviewed/final, or a target that differs from idtrans's draft) go to the
    translation memory, so re-translating the article gives them instead of machine output.
    """
    document = read_xliff(file)
    text = html_document(document.blocks(), lang=document.target_lang) if fmt == ArticleFormat.html else document.text()
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        atomic_write_text(output, text)
        typer.echo(f"wrote {output}", err=True)
    segments = sum(len(u.segments) for u in document.units)
    approved = document.approved(f"xliff:{file.name}")
    if store and approved:
        with _memory(tm) as memory:
            outcome = memory.add(approved)
            typer.echo(
                f"translation memory {memory.path}: {outcome.line()} ({len(approved)} of {segments} segments approved)",
                err=True,
            )
    else:
        note = "" if store else " (not stored: --no-store)"
        typer.echo(f"{len(approved)} of {segments} segments approved{note}", err=True)


def register(app: typer.Typer) -> None:
    """Add ``idtrans tm …`` and ``idtrans xliff …`` to the root app."""
    app.add_typer(tm_app, name="tm")
    app.add_typer(xliff_app, name="xliff")
