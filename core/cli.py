"""Root command line: composes the sub-commands each package owns.

Every package has a ``cli.py`` with ``register(app)``; this module only calls them, so
adding a package's commands never touches another package. Heavy libraries (torch,
transformers) are imported inside commands, never here.
"""

from __future__ import annotations

import sys

import click
import typer
from typer.core import TyperGroup

from idtrans import __version__
from idtrans.errors import IdtransError

class _ReportingGroup(TyperGroup):
    """Turns an IdtransError raised anywhere below the root into one line, a hint and exit 1."""

    def invoke(self, ctx: click.Context):  # noqa: D102 - click hook
        try:
            return super().invoke(ctx)
        except IdtransError as error:
            report_error(error)
            ctx.exit(error.exit_code)
        except KeyboardInterrupt:
            typer.echo("interrupted", err=True)
            ctx.exit(130)


app = typer.Typer(
    name="idtrans",
    cls=_ReportingGroup,
    help="Indonesian to English news translation with MarianMT, an enforced glossary and BLEU evaluation.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"idtrans {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version and exit."),
) -> None:
    """Indonesian to English news translation with MarianMT, an enforced glossary and BLEU evaluation."""


def _compose() -> None:
    from idtrans.corpus import cli as corpus_cli
    from idtrans.eval import cli as eval_cli
    from idtrans.glossary import cli as glossary_cli
    from idtrans.interop import cli as interop_cli
    from idtrans.pipeline import cli as pipeline_cli
    from idtrans.serve import cli as serve_cli
    from idtrans.training import cli as training_cli

    for module in (pipeline_cli, corpus_cli, glossary_cli, eval_cli, training_cli, interop_cli, serve_cli):
        module.register(app)


_compose()


def report_error(error: IdtransError) -> None:
    """Print an error as one readable line plus a hint, on stderr."""
    typer.secho(f"error: {error}", fg=typer.colors.RED, err=True)
    if error.hint:
        typer.echo(f"hint: {error.hint}", err=True)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: run the app, turning IdtransError into a clean exit."""
    try:
        app(args=argv, standalone_mode=True)
    except IdtransError as error:  # raised outside a command's own handling
        report_error(error)
        sys.exit(error.exit_code)
