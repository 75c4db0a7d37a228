"""idtrans: Indonesian to English news translation with an enforced glossary.

The installed namespace is ``idtrans``; its sub-packages live in the repository's
top-level folders (``corpus/``, ``glossary/``, ``pipeline/``, ``eval/``, ``training/``), linked
into this directory so that every tool resolves ``idtrans.*`` to a real file (README: Layout).

The public Python API (README: Using idtrans from Python) is :func:`load_translator` and
:func:`score`; nothing heavy (torch, transformers) is imported until a model is loaded, so
``idtrans --help`` stays instant.
"""

__version__ = "0.1.0"

from idtrans.api import ArticleTranslation, Scores, Translator, load_translator, score
from idtrans.settings import DEFAULT_GLOSSARY, GlossarySpec

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
