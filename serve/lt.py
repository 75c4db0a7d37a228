"""LibreTranslate's ``POST /translate``: request parsing and the response shape.

Honoured fields (JSON body, form body, or query string, as LibreTranslate accepts them):

1. ``q``: a string, or a list of strings (the answer's ``translatedText`` is then a list of the
   same length and order). Required and non-empty: ``Invalid request: missing q parameter``.
2. ``source``: ``id`` or ``auto`` (``auto`` is taken as ``id``: idtrans translates Indonesian
   only and does no language detection; the answer's ``detectedLanguage`` says ``id``, confidence
   100, for clients that read it). Anything else: ``<code> is not supported``.
3. ``target``: ``en`` only. ``format``: ``text`` (default) or ``html`` (tags kept, text nodes
   translated). ``api_key``: checked when the server has keys.
4. ``alternatives``: accepted (must be a number); idtrans returns one translation, so
   ``alternatives`` in the answer is an empty list (a list of empty lists for a list ``q``).
5. Unknown fields are ignored, as LibreTranslate does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

from idtrans.serve.access import AccessDenied
from idtrans.serve.texts import HtmlPlan, TextPlan, plan_q

SOURCES = ("id", "auto")
TARGETS = ("en",)
FORMATS = ("text", "html")


def _bad(message: str) -> AccessDenied:
    return AccessDenied(400, message)


async def read_body(request: Request) -> dict[str, Any]:
    """The request's fields: JSON object, urlencoded or multipart form, plus the query string."""
    fields: dict[str, Any] = dict(request.query_params)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.form()
        for key in form:
            values = form.getlist(key)
            texts = [await v.read() if hasattr(v, "read") else v for v in values]
            decoded = [t.decode("utf-8", "replace") if isinstance(t, bytes) else t for t in texts]
            fields[key] = decoded[0] if len(decoded) == 1 else decoded
        return fields
    raw = await request.body()
    if not raw.strip():
        return fields
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise _bad("Invalid JSON format") from None
    if not isinstance(data, dict):
        raise _bad("Invalid JSON format")
    fields.update(data)
    return fields


@dataclass
class TranslateRequest:
    items: list[str]
    is_list: bool
    source: str
    fmt: str
    api_key: str | None
    alternatives: int
    plans: list[TextPlan | HtmlPlan]

    @property
    def sentences(self) -> list[str]:
        return [s for plan in self.plans for s in plan.sentences]

    @property
    def chars(self) -> int:
        return sum(len(item) for item in self.items)


def _required(fields: dict[str, Any], name: str) -> str:
    value = fields.get(name)
    if value is None or value == "":
        raise _bad(f"Invalid request: missing {name} parameter")
    if not isinstance(value, str):
        raise _bad(f"Invalid request: {name} must be a string")
    return value.strip()


def _items(fields: dict[str, Any]) -> tuple[list[str], bool]:
    q = fields.get("q")
    if q is None or q == "" or q == []:
        raise _bad("Invalid request: missing q parameter")
    if isinstance(q, str):
        return [q], False
    if isinstance(q, list) and all(isinstance(item, str) for item in q):
        return list(q), True
    raise _bad("Invalid request: q must be a string or a list of strings")


async def parse_translate_request(request: Request) -> TranslateRequest:
    fields = await read_body(request)
    items, is_list = _items(fields)
    source = _required(fields, "source").lower()
    target = _required(fields, "target").lower()
    fmt = str(fields.get("format") or "text").lower()
    if source not in SOURCES:
        raise _bad(f"{source} is not supported")
    if target not in TARGETS:
        raise _bad(f"{target} is not supported")
    if fmt not in FORMATS:
        raise _bad(f"{fmt} format is not supported")
    try:
        alternatives = int(fields.get("alternatives") or 0)
    except (TypeError, ValueError):
        raise _bad("Invalid request: alternatives parameter is not a number") from None
    key = fields.get("api_key")
    plans = [plan_q(item, fmt) for item in items]
    return TranslateRequest(items, is_list, source, fmt, str(key) if key else None, alternatives, plans)


def translate_response(parsed: TranslateRequest, translations: list[str]) -> dict[str, Any]:
    """``{"translatedText": …}`` (plus ``detectedLanguage`` for ``auto``, ``alternatives`` when asked)."""
    texts: list[str] = []
    position = 0
    for plan in parsed.plans:
        count = len(plan.sentences)
        texts.append(plan.join(translations[position : position + count]))
        position += count
    body: dict[str, Any] = {"translatedText": texts if parsed.is_list else texts[0]}
    if parsed.source == "auto":
        detected = {"confidence": 100.0, "language": "id"}
        body["detectedLanguage"] = [detected] * len(texts) if parsed.is_list else detected
    if parsed.alternatives > 0:
        body["alternatives"] = [[] for _ in texts] if parsed.is_list else []
    return body
