"""File writing shared by every idtrans package: one atomic-write helper.

Rules:

1. A file is written through a temporary file in the same directory, flushed and fsynced, then
   renamed over the target: a reader sees the old file or the new one, never half of one.
2. Permissions: an existing file keeps its mode; a new file gets the usual ``0666 & ~umask``
   (``mkstemp`` alone would leave every file 0600, unreadable to colleagues and web servers).
3. A symbolic link is followed: the file it points to is replaced and the link stays a link,
   so a glossary shared through a link receives the edit.
4. On any failure the temporary file is removed and the old file is left untouched.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_text(path: str | Path, text: str, *, newline: str = "\n") -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically (see the module rules); returns the path written."""
    return atomic_write_bytes(
        path, text.replace("\n", newline).encode("utf-8") if newline != "\n" else text.encode("utf-8")
    )


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (see the module rules); returns the path written."""
    target = Path(path)
    if target.is_symlink():
        target = Path(os.path.realpath(target))
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = target.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
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
