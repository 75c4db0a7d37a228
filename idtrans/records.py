"""JSON views of result objects: one helper instead of a hand-written ``{"a": self.a, …}`` per class."""

from __future__ import annotations

from typing import Any


def pick(obj: object, *names: str) -> dict[str, Any]:
    """``{name: obj.name}`` for ``names`` in the order given (properties included): a ``to_dict`` in one line."""
    return {name: getattr(obj, name) for name in names}
