"""Reading article files: UTF-8 text in, clean NFC text out, clear errors for anything else.

* :func:`read_text` reads one file (``-`` is standard input), decodes UTF-8 with or without a
  byte-order mark, normalises newlines (``\\r\\n``, ``\\r``, U+2028, U+2029) and Unicode (NFC).
  A file that is not UTF-8 text (NUL bytes, invalid UTF-8, UTF-16) raises
  :class:`~idtrans.errors.InputError` naming the file, the byte offset and line of the first bad
  byte, and how to convert it.
* :func:`collect_inputs` turns a path into the list of article files it stands for.
"""

from __future__ import annotations

import codecs
import os
import re
import sys
import unicodedata
from pathlib import Path
from typing import BinaryIO

from idtrans.errors import InputError

#: File suffixes taken from a directory (lower-case; matched case-insensitively).
ARTICLE_SUFFIXES: tuple[str, ...] = (".txt", ".md", ".html", ".htm")

STDIN = "-"

_CONVERT_HINT = (
    "save it as UTF-8 text, e.g. `iconv -f WINDOWS-1252 -t UTF-8 FILE > FILE.utf8` "
    "(use the file's real encoding), or pass a .txt/.md article"
)


def _where(path: str | Path) -> str:
    return "<stdin>" if str(path) == STDIN else str(path)


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


# Invisible characters that scraped text carries and that would split a word for the glossary
# matcher: zero-width space/non-joiner/joiner, word joiner, BOM used as a joiner, soft hyphen.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
# A zero-width space or word joiner between a lower-case letter and a capital ("Korea\u200bUtara")
# stood for a word break the page showed as a line break or a gap: it becomes a space.
_CAMEL_BREAK = re.compile("(?<=[a-z])[\u200b\u2060]+(?=[A-Z])")


def normalise_text(text: str) -> str:
    """Newlines to ``\\n`` (also U+2028 line and U+2029 paragraph separators), invisible characters
    removed (zero-width space/joiners, word joiner, soft hyphen; a zero-width break between a
    lower-case letter and a capital becomes a space) and Unicode to NFC.

    Idempotent, so callers that already hold normalised text can apply it again safely.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u2029", "\n\n").replace("\u2028", "\n")
    text = _INVISIBLE.sub("", _CAMEL_BREAK.sub(" ", text))
    return unicodedata.normalize("NFC", text)


def decode_text(data: bytes, *, where: str = "<bytes>") -> str:
    """Decode article bytes as UTF-8 (BOM optional), refusing binary or mis-encoded data."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and not data.startswith(codecs.BOM_UTF8):
        raise InputError(
            "is UTF-16 text, not UTF-8",
            where=where,
            hint="convert it: `iconv -f UTF-16 -t UTF-8 FILE > FILE.utf8`",
        )
    nul = data.find(b"\x00")
    if nul >= 0:
        raise InputError(
            f"is not a text file: NUL byte at byte offset {nul} (line {_line_of(data, nul)})",
            where=where,
            hint="pass a plain-text (.txt) or Markdown (.md) article; binary files (PDF, Word, images) "
            "must be converted to text first",
        )
    body = data[len(codecs.BOM_UTF8) :] if data.startswith(codecs.BOM_UTF8) else data
    skipped = len(data) - len(body)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        offset = error.start + skipped
        bad = data[offset : offset + 1].hex()
        raise InputError(
            f"is not valid UTF-8: byte 0x{bad} at byte offset {offset} (line {_line_of(data, offset)})",
            where=where,
            hint=_CONVERT_HINT,
        ) from None
    return normalise_text(text)


#: Largest article read, in bytes (a long-form article is ~50 KB; a book ~1 MB). Override with
#: ``$IDTRANS_MAX_INPUT_BYTES``. Endless inputs (``/dev/zero``, a pipe that never ends) stop here.
DEFAULT_MAX_INPUT_BYTES = 5_000_000
MAX_INPUT_ENV = "IDTRANS_MAX_INPUT_BYTES"


def max_input_bytes() -> int:
    """The input size limit: ``$IDTRANS_MAX_INPUT_BYTES`` when set to a positive integer, else the default."""
    raw = os.environ.get(MAX_INPUT_ENV, "").strip()
    if not raw:
        return DEFAULT_MAX_INPUT_BYTES
    if not raw.isdigit() or int(raw) <= 0:
        raise InputError(
            f"${MAX_INPUT_ENV} must be a positive number of bytes, not {raw!r}",
            where=MAX_INPUT_ENV,
            hint=f"e.g. export {MAX_INPUT_ENV}=20000000, or unset it for {DEFAULT_MAX_INPUT_BYTES:,}",
        )
    return int(raw)


def _read_limited(stream: BinaryIO, where: str) -> bytes:
    limit = max_input_bytes()
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise InputError(
            f"is larger than the input limit of {limit:,} bytes",
            where=where,
            hint=f"split it into articles, or raise the limit with ${MAX_INPUT_ENV}=BYTES",
        )
    return data


def read_bytes(path: str | Path) -> bytes:
    """The raw bytes of one article file; ``"-"`` reads standard input.

    Raises :class:`InputError` (naming the file) if it is missing, a directory, unreadable or
    larger than :func:`max_input_bytes`.
    """
    where = _where(path)
    if str(path) == STDIN:
        if sys.stdin is None:
            raise InputError("standard input is closed", where=where, hint="pipe an article in, or pass a file path")
        try:
            return _read_limited(sys.stdin.buffer, where)
        except (OSError, ValueError, AttributeError) as error:
            raise InputError(
                f"cannot read standard input: {error}", where=where, hint="pipe an article in, or pass a file path"
            ) from None
    file = Path(path)
    if file.is_dir():
        raise InputError(
            "is a directory, not a file",
            where=where,
            hint="pass one .txt/.md file, or use a command that accepts a directory of articles",
        )
    try:
        with file.open("rb") as stream:
            return _read_limited(stream, where)
    except FileNotFoundError:
        raise InputError("no such file", where=where, hint="check the path (use '-' to read standard input)") from None
    except PermissionError:
        raise InputError("permission denied", where=where, hint="make the file readable (chmod +r)") from None
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror or error}", where=where) from None


def read_text(path: str | Path) -> str:
    """Read one article as normalised text; ``"-"`` reads standard input.

    Raises :class:`InputError` (naming the file) if it is missing, a directory, unreadable,
    or not UTF-8 text.
    """
    return decode_text(read_bytes(path), where=_where(path))


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


def collect_inputs(path: str | Path) -> list[Path]:
    """The article files ``path`` stands for.

    A file gives ``[file]`` (whatever its suffix: the user named it); ``"-"`` gives
    ``[Path("-")]`` (standard input); a directory gives its ``.txt``, ``.md`` and ``.html``/``.htm`` files, searched
    recursively, skipping hidden files and folders (names starting with ``.``), sorted by their
    path relative to the directory. A missing path, anything that is neither file nor directory,
    and a directory without articles raise :class:`InputError`.
    """
    if str(path) == STDIN:
        return [Path(STDIN)]
    root = Path(path)
    where = str(path)
    if root.is_file():
        return [root]
    if not root.exists():
        raise InputError("no such file or directory", where=where, hint="check the path")
    if not root.is_dir():
        raise InputError(
            "is neither a regular file nor a directory", where=where, hint="pass a .txt/.md file or a directory of them"
        )
    try:
        found = [
            candidate
            for candidate in root.rglob("*")
            if candidate.suffix.lower() in ARTICLE_SUFFIXES
            and not _hidden(candidate.relative_to(root))
            and candidate.is_file()
        ]
    except OSError as error:
        raise InputError(f"cannot list directory: {error.strerror or error}", where=where) from None
    if not found:
        raise InputError(
            f"no article files ({', '.join(ARTICLE_SUFFIXES)}) in this directory",
            where=where,
            hint="put UTF-8 .txt or .md articles in it (hidden files and folders are skipped)",
        )
    return sorted(found, key=lambda p: p.relative_to(root).as_posix())
