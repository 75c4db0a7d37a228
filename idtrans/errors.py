"""The one exception tree of idtrans.

Library code raises these; only the CLI layer turns them into a one-line message, a hint
and an exit code (see :func:`idtrans.cli.main`).
"""

from __future__ import annotations


class IdtransError(Exception):
    """Base of every error idtrans reports to a user.

    ``where`` names the input at fault (a file, ``file:line``, a model id), ``hint`` says how to fix it.
    """

    exit_code = 1

    def __init__(self, message: str, *, where: str | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.where = where
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


def first_line(error: BaseException) -> str:
    """The first line of an error's text, for one-line reports that quote a lower-level error.

    An IdtransError gives its message (without ``where``: the caller names the input itself), any
    other error ``str(error)``; an error without text gives its type's name (``MemoryError``).
    """
    text = (error.message if isinstance(error, IdtransError) else str(error)).strip()
    return text.splitlines()[0].strip() if text else type(error).__name__


class InputError(IdtransError):
    """A user-supplied file or stream cannot be read or is malformed."""


class ModelError(IdtransError):
    """A translation model cannot be found, downloaded or loaded."""


class TranslationError(IdtransError):
    """The pipeline could not account for every input sentence."""


class GlossaryError(IdtransError):
    """A glossary file is malformed or an edit cannot be applied."""


class EvalError(IdtransError):
    """Scoring or a test-set run cannot proceed."""


class RegressionError(EvalError):
    """The BLEU regression gate failed."""


class TrainingError(IdtransError):
    """Training data, configuration or checkpoints are unusable."""
