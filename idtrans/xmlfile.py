"""Reading XML files (TBX glossaries, TMX memories, XLIFF documents) safely, with one error for bad XML.

Rules:

1. No entity expansion, no network access, no DTD loading: a hostile file cannot read local files
   (XXE) or blow up memory (billion laughs). ``huge_tree`` lets large memories through.
2. Malformed XML is the caller's :class:`~idtrans.errors.IdtransError` subclass naming ``file:line``
   of the syntax error, with the caller's hint.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lxml import etree

from idtrans.errors import IdtransError

#: lxml parser options of every XML read (rule 1).
SAFE_OPTIONS: dict[str, bool] = {"resolve_entities": False, "no_network": True, "load_dtd": False, "huge_tree": True}


def malformed_xml(
    error: etree.XMLSyntaxError, path: str | Path, error_class: type[IdtransError], hint: str
) -> IdtransError:
    """The error to raise for ``error`` in ``path``: ``not well-formed XML`` at ``file:line`` (rule 2)."""
    line = error.position[0] if error.position else 0
    return error_class(f"not well-formed XML: {error.msg}", where=f"{path}:{line}", hint=hint)


def parse_xml(
    path: str | Path,
    error_class: type[IdtransError],
    *,
    unreadable: str,
    unreadable_hint: str | None = None,
    malformed_hint: str,
) -> etree._Element:
    """The root element of the XML file ``path``; ``error_class(unreadable)`` if it cannot be read."""
    try:
        return etree.parse(str(path), etree.XMLParser(**SAFE_OPTIONS)).getroot()
    except OSError:
        raise error_class(unreadable, where=str(path), hint=unreadable_hint) from None
    except etree.XMLSyntaxError as error:
        raise malformed_xml(error, path, error_class, malformed_hint) from None


def iterparse_xml(
    path: str | Path,
    events: tuple[str, ...],
    error_class: type[IdtransError],
    *,
    unreadable: str,
    unreadable_hint: str | None = None,
    malformed_hint: str,
) -> Iterator[tuple[str, Any]]:
    """``lxml.etree.iterparse`` of ``path`` with the safe options; errors as in :func:`parse_xml`."""
    try:
        yield from etree.iterparse(str(path), events=events, **SAFE_OPTIONS)
    except OSError:
        raise error_class(unreadable, where=str(path), hint=unreadable_hint) from None
    except etree.XMLSyntaxError as error:
        raise malformed_xml(error, path, error_class, malformed_hint) from None
