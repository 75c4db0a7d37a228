"""Command-line sub-commands owned by idtrans.corpus: ``idtrans segment``."""

from __future__ import annotations

import json

import typer

from idtrans.corpus.article import Article
from idtrans.corpus.html import load_article


def segment_file(path: str, *, keep_boilerplate: bool = False) -> Article:
    """Read and parse one article file (text, Markdown or a saved web page; ``-`` is standard input)."""
    return load_article(path, keep_boilerplate=keep_boilerplate)


def format_article(article: Article) -> str:
    """A human-readable outline: title, numbered sentences per paragraph, removed boilerplate."""
    out = [f"source: {article.source}"]
    if article.title is not None:
        out.append(f"title (line {article.title_line_no}): {article.title}")
    else:
        out.append("title: (none)")
    for number, paragraph in enumerate(article.paragraphs, start=1):
        out.append("")
        kind = "heading" if getattr(paragraph, "heading", False) else "paragraph"
        out.append(f"{kind} {number} (line {paragraph.line_no}, {len(paragraph.sentences)} sentences)")
        out.extend(f"  {i}. {sentence}" for i, sentence in enumerate(paragraph.sentences, start=1))
    out.append("")
    if article.removed:
        out.append(f"removed boilerplate ({len(article.removed)} lines):")
        out.extend(f"  line {r.line_no} [{r.rule}]: {r.text}" for r in article.removed)
    else:
        out.append("removed boilerplate: none")
    dropped = getattr(article, "dropped", [])
    if dropped:
        out.append(
            f"left out by the HTML extractor ({len(dropped)} page blocks: navigation, ads, related links, comments …):"
        )
        out.extend(f"  line {r.line_no}: {r.text[:100]}" for r in dropped)
    out.append(
        f"{len(article.paragraphs)} paragraphs, {article.sentence_count} sentences to translate (title included)"
    )
    return "\n".join(out)


def register(app: typer.Typer) -> None:
    """Add this package's commands to the root app."""

    @app.command("segment")
    def segment(
        file: str = typer.Argument(
            ..., help="An article (.txt or .md, UTF-8, or a saved web page .html); '-' reads standard input."
        ),
        keep_boilerplate: bool = typer.Option(
            False,
            "--keep-boilerplate",
            help="Keep every line: do not remove related-article links, share prompts, ads …",
        ),
        as_json: bool = typer.Option(False, "--json", help="Print the structure as JSON instead of an outline."),
    ) -> None:
        """Show how an article is read: title, paragraphs, numbered sentences and removed boilerplate.

        A debugging aid: exactly these sentences are what `idtrans translate` sends to the model.
        """
        article = segment_file(file, keep_boilerplate=keep_boilerplate)
        if as_json:
            typer.echo(json.dumps(article.to_dict(), ensure_ascii=False, indent=2))
        else:
            typer.echo(format_article(article))
