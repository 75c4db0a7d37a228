"""File I/O shared by every idtrans package: one atomic writer, one UTF-8 reader.

Writing rules (:func:`atomic_write_text`, :func:`atomic_write_bytes`):

1. A file is written through a temporary file in the same directory, flushed and fsynced, then
   renamed over the target: a reader sees the old file or the new one, never half of one.
2. Permissions: an existing file keeps its mode; a new file gets the usual ``0666 & ~umask``
   (``mkstemp`` alone would leave every file 0600, unreadable to colleagues and web servers). The umask
   is read without changing it (:func:`current_umask`), so threads writing at once cannot disturb each other.
3. A symbolic link is followed: the file it points to is replaced and the link stays a link,
   so a glossary shared through a link receives the edit.
4. On any failure the temporary file is removed and the old file is left untouched.

Reading (:func:`read_utf8`): a text file (``.gz`` decompressed) decoded as UTF-8, or one
:class:`~idtrans.errors.InputError` naming the file, and the line where the line is known: missing,
a directory, unreadable, bytes that are not UTF-8 (with the byte and its column), a NUL byte.
Callers split the text into lines their own way (sacrebleu's for evaluation, ``\r``-tolerant for corpora).
"""

from __future__ import annotations

import codecs
import gzip
import os
import tempfile
import zlib
from pathlib import Path

from idtrans.errors import InputError

#: Where Linux (4.7 and later) shows the process umask without changing it.
_PROC_STATUS = Path("/proc/self/status")


def _umask_by_setting() -> int:
    """The umask read the only portable way, by setting it: call once, at import, before any thread starts.

    Meanwhile the umask is the restrictive 0o077, so a file another thread might create gets fewer
    permissions, never more.
    """
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


def _umask_from_proc() -> int | None:
    try:
        with open(_PROC_STATUS, encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        return None
    return None


def _umask_at_import() -> int:
    mask = _umask_from_proc()
    return _umask_by_setting() if mask is None else mask


#: The umask at import: the fallback where the process cannot show it (no ``/proc``).
_IMPORT_UMASK = _umask_at_import()


def current_umask() -> int:
    """The process umask, read without changing it (``/proc/self/status``), else as it was at import.

    Never sets the umask while threads may run: a file another thread created meanwhile would get its mode.
    """
    mask = _umask_from_proc()
    return _IMPORT_UMASK if mask is None else mask


def new_file_mode() -> int:
    """The mode a new file gets under the process umask (``0o666 & ~umask``)."""
    return 0o666 & ~current_umask()


def share_files(directory: str | Path) -> None:
    """Give every file in ``directory`` the mode a new file gets under the umask (``0o666 & ~umask``).

    For directories another library wrote (``save_pretrained`` leaves model weights 0600): colleagues
    and servers can read an exported or trained model like any other file idtrans writes.
    """
    mode = new_file_mode()
    for path in Path(directory).iterdir():
        if path.is_file() and not path.is_symlink():
            path.chmod(mode)


def atomic_write_text(path: str | Path, text: str, *, newline: str = "\n") -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically (see the module rules); returns the path written."""
    return atomic_write_bytes(path, text.replace("\n", newline).encode("utf-8"))


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (see the module rules); returns the path written."""
    target = Path(path)
    if target.is_symlink():
        target = Path(os.path.realpath(target))
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = target.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = new_file_mode()
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=str(target.parent))
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def read_utf8(path: str | Path, *, role: str = "text", allow_bom: bool = False) -> str:
    """The text of the UTF-8 (optionally ``.gz``) file ``path``; InputError naming ``file:line`` otherwise.

    ``role`` names the file in messages (``source``, ``reference``, ...); ``allow_bom`` drops a leading
    UTF-8 byte-order mark (otherwise it stays, as sacrebleu keeps it).
    """
    name = str(path)
    file = Path(path)
    if not file.exists():
        raise InputError(f"{role} file not found", where=name, hint="check the path")
    if file.is_dir():
        raise InputError(
            f"{role} is a directory, not a text file", where=name, hint="pass a file with one sentence per line"
        )
    try:
        data = file.read_bytes()
        if name.endswith(".gz"):
            data = gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as error:
        raise InputError(f"cannot read {role} file: {error}", where=name) from None
    if allow_bom and data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        bad = data[error.start : error.start + 1].hex()
        raise InputError(
            f"{role} file is not UTF-8 text: byte 0x{bad} at column {column} cannot be decoded",
            where=f"{name}:{line}",
            hint="re-encode the file as UTF-8, e.g. `iconv -f latin1 -t utf-8 FILE > FILE.utf8`",
        ) from None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise InputError(
            f"{role} file contains a NUL byte: it is not a text file",
            where=f"{name}:{line}",
            hint="pass a plain UTF-8 text file, one sentence per line",
        )
    return text
