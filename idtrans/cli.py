"""Root command line: composes the sub-commands each package owns.

Every package has a ``cli.py`` with ``register(app)``; this module only calls them, so
adding a package's commands never touches another package. Heavy libraries (torch,
transformers) are imported inside commands, never here.
"""

from __future__ import annotations

import sys
from typing import Any

import typer
from typer.core import TyperGroup

from idtrans import __version__
from idtrans.corpus import cli as corpus_cli
from idtrans.errors import IdtransError
from idtrans.eval import cli as eval_cli
from idtrans.glossary import cli as glossary_cli
from idtrans.interop import cli as interop_cli
from idtrans.pipeline import cli as pipeline_cli
from idtrans.serve import cli as serve_cli
from idtrans.training import cli as training_cli

try:  # typer >= 0.22 carries its own copy of click
    from typer._click import exceptions as click_exceptions
except ImportError:  # older typer runs on click itself
    from click import exceptions as click_exceptions  # type: ignore[no-redef]

ClickException = click_exceptions.ClickException
UsageError = click_exceptions.UsageError
NoArgsIsHelpError = getattr(click_exceptions, "NoArgsIsHelpError", UsageError)


class _ReportingGroup(TyperGroup):
    """Turns an IdtransError raised anywhere below the root into one line, a hint and exit 1."""

    def invoke(self, ctx: Any) -> Any:  # typer vendors click: its Context type is private
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
        raise typer.Exit


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Indonesian to English news translation with MarianMT, an enforced glossary and BLEU evaluation."""


def _compose() -> None:
    for module in (pipeline_cli, corpus_cli, glossary_cli, eval_cli, training_cli, interop_cli, serve_cli):
        module.register(app)


_compose()


def report_error(error: IdtransError) -> None:
    """Print an error as one readable line plus a hint, on stderr."""
    typer.secho(f"error: {error}", fg=typer.colors.RED, err=True)
    if error.hint:
        typer.echo(f"hint: {error.hint}", err=True)


_OS_HINTS = {
    "PermissionError": "check the permissions of that path (or write elsewhere with -o)",
    "IsADirectoryError": "name a file there, not a directory",
    "NotADirectoryError": "a part of that path is a file, not a directory",
    "FileNotFoundError": "check the path",
}


class _ClosedStream:
    """Stands in for a closed standard output (``>&-``): the first write is a clear error."""

    def write(self, _text: str) -> int:
        raise IdtransError("standard output is closed", where="<stdout>", hint="redirect it to a file, or pass -o FILE")

    def flush(self) -> None:
        return None


def _unexpected(error: BaseException) -> IdtransError:
    """One-line report for an error no command turned into an IdtransError."""
    if isinstance(error, MemoryError):
        return IdtransError("out of memory", hint="translate a smaller input, or free memory and retry")
    if isinstance(error, OSError):
        name = type(error).__name__
        return IdtransError(
            error.strerror or str(error),
            where=error.filename and str(error.filename),
            hint=_OS_HINTS.get(name, "check the disk and the path, then retry"),
        )
    return IdtransError(
        f"unexpected {type(error).__name__}: {error}",
        hint="this is a bug in idtrans: rerun with --debug for the trace and report it",
    )


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: every failure ends as one ``error:`` line plus a ``hint:``.

    Exit status: 0 success, 1 an error, 2 a usage error (unknown option, missing argument), 130
    interrupted. ``--debug`` (anywhere on the command line) or ``IDTRANS_DEBUG=1`` shows the
    Python trace of an unexpected error as well.
    """
    import os

    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args or os.environ.get("IDTRANS_DEBUG") == "1"
    args = [a for a in args if a != "--debug"]
    if sys.stdout is None:
        sys.stdout = _ClosedStream()
    try:
        code = app(args=args, standalone_mode=False, prog_name="idtrans")
    except IdtransError as error:
        report_error(error)
        code = error.exit_code
    except typer.Exit as done:
        code = done.exit_code
    except NoArgsIsHelpError:
        code = 2  # the help was shown
    except UsageError as error:
        command = error.ctx.command_path if error.ctx else "idtrans"
        report_error(IdtransError(error.format_message(), hint=f"see `{command} --help`"))
        code = 2
    except ClickException as error:
        report_error(IdtransError(error.format_message()))
        code = error.exit_code
    except (KeyboardInterrupt, typer.Abort):
        typer.echo("interrupted", err=True)
        code = 130
    except BrokenPipeError:
        code = 141  # the reader went away (`idtrans … | head`): nothing left to say
    except Exception as error:
        if debug:
            import traceback

            traceback.print_exc()
        report_error(_unexpected(error))
        code = 1
    sys.exit(code if isinstance(code, int) else 0)
