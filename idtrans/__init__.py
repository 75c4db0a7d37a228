"""idtrans: Indonesian to English news translation with an enforced glossary.

The installed namespace is ``idtrans``; its sub-packages live in the repository's
top-level folders (``corpus/``, ``glossary/``, ``pipeline/``, ``eval/``, ``training/``), linked
into this directory so that every tool resolves ``idtrans.*`` to a real file (README: Layout).

The public Python API (README: Using idtrans from Python) is :func:`load_translator` and
:func:`score`; nothing heavy (torch, transformers) is imported until a model is loaded, so
``idtrans --help`` stays instant.
"""

__version__ = "0.1.0"

from typing import TYPE_CHECKING, Any

from idtrans.settings import DEFAULT_GLOSSARY, GlossarySpec

if TYPE_CHECKING:
    from idtrans.api import ArticleTranslation, Scores, Translator, load_translator, score

_API = {"ArticleTranslation", "Scores", "Translator", "load_translator", "score"}


def __getattr__(name: str) -> Any:
    """The API names load on first use (PEP 562), so importing a sub-package (the CLI) stays light."""
    if name in _API:
        from idtrans import api

        return getattr(api, name)
    raise AttributeError(f"module 'idtrans' has no attribute {name!r}")


__all__ = [
    "DEFAULT_GLOSSARY",
    "ArticleTranslation",
    "GlossarySpec",
    "Scores",
    "Translator",
    "__version__",
    "load_translator",
    "score",
]
