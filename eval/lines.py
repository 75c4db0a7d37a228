"""Reading line-aligned text files (sources, references, hypotheses) exactly as sacrebleu's CLI does.

sacrebleu's command line opens a file as UTF-8 with ``newline="\\n"`` and ``rstrip()``s every
line: only ``\\n`` ends a line (a stray ``\\r`` or U+2028 inside a line stays in it), and
trailing whitespace, ``\\r`` included, is dropped. :func:`read_lines` does the same, so
``idtrans eval score`` sees the very strings ``sacrebleu REF -i HYP`` sees and the numbers agree
to the last digit. Unlike the CLI it refuses bad input with one clear error naming the file
and line (:func:`idtrans.io.read_utf8`): a missing or empty file, bytes that are not UTF-8, files of
different lengths.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from idtrans.errors import InputError
from idtrans.io import read_utf8

ALIGN_HINT = (
    "the files must be line-aligned: one sentence per line, in the same order "
    "(an empty translation is an empty line, not a missing one)"
)


@dataclass(frozen=True)
class TextFile:
    """The lines of one file (as sacrebleu's CLI reads them) and where they came from."""

    path: str
    lines: list[str]

    def __len__(self) -> int:
        return len(self.lines)

    @property
    def sha256(self) -> str:
        return lines_digest(self.lines)


def lines_digest(lines: Sequence[str]) -> str:
    """A hash of a list of lines (to tell whether two runs used the same test set)."""
    digest = hashlib.sha256()
    for line in lines:
        digest.update(line.encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


def split_lines(text: str) -> list[str]:
    """Split like iterating ``open(..., newline="\\n")`` then ``rstrip()`` each line (sacrebleu's CLI)."""
    if not text:
        return []
    parts = text.split("\n")
    if text.endswith("\n"):
        parts.pop()
    return [part.rstrip() for part in parts]


def read_lines(path: str | Path, *, role: str = "file", allow_empty: bool = False) -> TextFile:
    """Read a UTF-8 (optionally ``.gz``) text file into lines; raise InputError naming file and line."""
    text = read_utf8(path, role=role)
    lines = split_lines(text)
    if not lines and not allow_empty:
        raise InputError(f"{role} file is empty", where=str(path), hint="it needs one sentence per line")
    return TextFile(str(path), lines)


def check_aligned(reference: TextFile, *others: TextFile) -> None:
    """Raise InputError unless every file in ``others`` has as many lines as ``reference``."""
    for other in others:
        if len(other) == len(reference):
            continue
        short, long = (other, reference) if len(other) < len(reference) else (reference, other)
        raise InputError(
            f"{other.path} has {len(other)} lines but {reference.path} has {len(reference)}: "
            f"line {len(short) + 1} of {long.path} has no counterpart in {short.path}",
            where=f"{long.path}:{len(short) + 1}",
            hint=ALIGN_HINT,
        )
