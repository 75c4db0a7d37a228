"""XLIFF 2.1 for post-editing: ``idtrans translate --format xliff`` and ``idtrans xliff apply``.

Layout of a written file (namespace ``urn:oasis:names:tc:xliff:document:2.0``, ``version="2.1"``)::

    <file id="f1" original="page.html">
      <unit id="u0" type="idtrans:title">        (idtrans:title | idtrans:heading | idtrans:paragraph)
        <mtc:matches>…</mtc:matches>             fuzzy translation-memory suggestions (Translation Candidates module)
        <mda:metadata>…</mda:metadata>           the draft each segment started with (Metadata module)
        <notes>
          <note category="glossary" appliesTo="source">Korea Utara → North Korea (north-korea: applied)</note>
          <note category="review" priority="1">s2: glossary term … was not rendered; check it</note>
        </notes>
        <segment id="s1" state="translated">     one segment per source sentence
          <source>Pasukan <mrk id="m1" type="term" value="North Korea">Korea Utara</mrk> …</source>
          <target>North Korean troops …</target>
        </segment>
      </unit>

Segment ``state``: ``translated`` for machine output; ``initial`` with ``subState="idtrans:needs-review"`` when
a check flagged the sentence (a glossary term missed or carrying a forbidden form, a term placed by
translating around it, output that repeated itself); ``reviewed`` with ``subState="idtrans:tm"`` for an
approved translation from the translation memory. Glossary terms are ``<mrk type="term">`` in the source
(``translate="no"`` when the term stays as written, e.g. KBS) and listed in the unit's notes.

:func:`apply_xliff` reads a post-edited file: every segment must have a target; the article is rebuilt
from the targets in unit order, and the segments a human approved — state ``reviewed``/``final``, or a
target that differs from the draft — are returned as translation-memory entries.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from idtrans.errors import InputError
from idtrans.interop.html_out import Block
from idtrans.interop.tm import MemoryEntry
from idtrans.pipeline.output.assemble import SentenceResult, TranslatedArticle
from idtrans.xmlfile import parse_xml

XLIFF_NS = "urn:oasis:names:tc:xliff:document:2.0"
MTC_NS = "urn:oasis:names:tc:xliff:matches:2.0"
MDA_NS = "urn:oasis:names:tc:xliff:metadata:2.0"
XLIFF_VERSION = "2.1"
_NSMAP = {None: XLIFF_NS, "mtc": MTC_NS, "mda": MDA_NS}
_DRAFT_GROUP = "idtrans:draft"
_KINDS = {"idtrans:title": "title", "idtrans:heading": "heading", "idtrans:paragraph": "paragraph"}
_APPROVED_STATES = ("reviewed", "final")


def _x(tag: str) -> str:
    return f"{{{XLIFF_NS}}}{tag}"


def review_reasons(info: dict[str, Any]) -> list[str]:
    """Why a machine-translated sentence needs a human look (empty: nothing flagged)."""
    reasons = []
    for term in info.get("glossary", ()):
        label = f"{term.get('source_form', '')} → {term.get('target', '')}"
        if term.get("status") == "missed":
            reasons.append(f"glossary term {label} was not rendered")
        elif "split" in str(term.get("strategy", "")):
            reasons.append(f"glossary term {label} was placed by translating around it; check the word order")
        if term.get("forbidden"):
            reasons.append(f"forbidden form {', '.join(term['forbidden'])} for {label}")
    if info.get("retried") or info.get("degenerate"):
        reasons.append("the model repeated itself; the sentence was re-decoded")
    return reasons


def _term_spans(source: str, terms: Sequence[dict[str, Any]]) -> list[tuple[int, int, dict[str, Any]]]:
    """Non-overlapping (start, end, record) spans of the glossary terms' surfaces in ``source``."""
    spans: list[tuple[int, int, dict[str, Any]]] = []
    for term in terms:
        surface = str(term.get("source_form") or "")
        if not surface:
            continue
        for match in re.finditer(rf"(?<!\w){re.escape(surface)}(?!\w)", source):
            if all(match.end() <= s or match.start() >= e for s, e, _ in spans):
                spans.append((match.start(), match.end(), term))
    return sorted(spans, key=lambda span: span[0])


def _source_element(parent: etree._Element, source: str, terms: Sequence[dict[str, Any]], counter: list[int]) -> None:
    element = etree.SubElement(parent, _x("source"))
    position = 0
    last: etree._Element | None = None
    for start, end, term in _term_spans(source, terms):
        text = source[position:start]
        if last is None:
            element.text = text
        else:
            last.tail = text
        counter[0] += 1
        attributes = {"id": f"m{counter[0]}", "type": "term", "value": str(term.get("target", ""))}
        if term.get("target") == source[start:end]:
            attributes["translate"] = "no"
        last = etree.SubElement(element, _x("mrk"), attributes)
        last.text = source[start:end]
        position = end
    if last is None:
        element.text = source[position:]
    else:
        last.tail = source[position:]


def _unit_notes(sentences: Sequence[SentenceResult]) -> list[tuple[dict[str, str], str]]:
    notes: list[tuple[dict[str, str], str]] = []
    seen: set[tuple[str, str]] = set()
    for number, item in enumerate(sentences, start=1):
        info = item.translation.info
        for term in info.get("glossary", ()):
            key = (str(term.get("source_form")), str(term.get("entry")))
            if key not in seen:
                seen.add(key)
                label = f"{term.get('source_form')} → {term.get('target')}"
                notes.append(
                    (
                        {"category": "glossary", "appliesTo": "source"},
                        f"{label} ({term.get('entry')}: {term.get('status')})",
                    )
                )
        for reason in review_reasons(info):
            notes.append(({"category": "review", "priority": "1"}, f"s{number}: {reason}"))
        tm = info.get("tm")
        if tm:
            notes.append(
                (
                    {"category": "tm"},
                    f"s{number}: approved translation from the translation memory "
                    f"({tm.get('origin') or 'no origin'}, {tm.get('changed', '')})",
                )
            )
    return notes


def _unit(file: etree._Element, unit_id: str, kind: str, sentences: Sequence[SentenceResult]) -> None:
    unit = etree.SubElement(file, _x("unit"), id=unit_id, type=f"idtrans:{kind}")
    offers = [
        (n, s) for n, item in enumerate(sentences, start=1) for s in item.translation.info.get("tm_suggestions", ())
    ]
    if offers:
        matches = etree.SubElement(unit, f"{{{MTC_NS}}}matches")
        for number, offer in offers:
            match = etree.SubElement(
                matches,
                f"{{{MTC_NS}}}match",
                ref=f"#s{number}",
                type="tm",
                similarity=f"{float(offer['similarity']):.1f}",
                origin=offer.get("origin") or "tm",
            )
            etree.SubElement(match, _x("source")).text = offer["source"]
            etree.SubElement(match, _x("target")).text = offer["target"]
    metadata = etree.SubElement(unit, f"{{{MDA_NS}}}metadata")
    group = etree.SubElement(metadata, f"{{{MDA_NS}}}metaGroup", category=_DRAFT_GROUP, appliesTo="target")
    for number, item in enumerate(sentences, start=1):
        etree.SubElement(group, f"{{{MDA_NS}}}meta", type=f"s{number}").text = item.translation.text
    notes = _unit_notes(sentences)
    if notes:
        holder = etree.SubElement(unit, _x("notes"))
        for attributes, text in notes:
            etree.SubElement(holder, _x("note"), attributes).text = text
    counter = [0]
    for number, item in enumerate(sentences, start=1):
        info = item.translation.info
        attributes = {"id": f"s{number}", "state": "translated"}
        if info.get("tm"):
            attributes.update(state="reviewed", subState="idtrans:tm")
        elif review_reasons(info):
            attributes.update(state="initial", subState="idtrans:needs-review")
        segment = etree.SubElement(unit, _x("segment"), attributes)
        _source_element(segment, item.translation.source, info.get("glossary", ()), counter)
        etree.SubElement(segment, _x("target")).text = item.translation.text


def xliff_tree(result: TranslatedArticle, *, source_lang: str = "id", target_lang: str = "en") -> etree._Element:
    """The XLIFF document of one translated article (see the module docstring)."""
    root = etree.Element(_x("xliff"), nsmap=_NSMAP, version=XLIFF_VERSION, srcLang=source_lang, trgLang=target_lang)
    # canResegment="no": one segment per sentence keeps the memory sentence-aligned
    file = etree.SubElement(root, _x("file"), id="f1", original=result.article.source, canResegment="no")
    notes = etree.SubElement(file, _x("notes"))
    etree.SubElement(notes, _x("note"), category="idtrans").text = (
        "Machine translation by idtrans. Segment state: translated = machine draft; initial + subState "
        "idtrans:needs-review = a check flagged it (see the unit's review notes); reviewed + idtrans:tm = "
        "approved translation from the translation memory. Mark segments reviewed/final (or edit them) and run "
        "`idtrans xliff apply FILE` to write the English article and store the approved translations."
    )
    grouped: dict[int, list[SentenceResult]] = {}
    for item in result.sentences:
        grouped.setdefault(item.paragraph, []).append(item)
    paragraphs = result.article.paragraphs
    for number, sentences in grouped.items():
        if number == 0:
            kind = "title"
        else:
            kind = "heading" if number <= len(paragraphs) and paragraphs[number - 1].heading else "paragraph"
        _unit(file, f"u{number}", kind, sentences)
    return root


def render_xliff(result: TranslatedArticle) -> str:
    """``idtrans translate --format xliff``: the article as an XLIFF 2.1 document (a string, UTF-8 declared)."""
    body = etree.tostring(xliff_tree(result), encoding="unicode", pretty_print=True)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body


# -- reading a post-edited file ---------------------------------------------------------------------


@dataclass
class XliffSegment:
    unit: str
    id: str
    source: str
    target: str | None
    state: str
    draft: str | None
    sub_state: str = ""

    @property
    def approved(self) -> bool:
        """A human approved it: state reviewed/final (not merely re-sent from the memory), or an edited draft."""
        if not self.target or not self.source.strip():
            return False
        edited = self.draft is not None and self.target != self.draft
        from_memory = self.sub_state == "idtrans:tm" and not edited
        return edited or (self.state in _APPROVED_STATES and not from_memory)


@dataclass
class XliffUnit:
    id: str
    kind: str
    segments: list[XliffSegment] = field(default_factory=list)


@dataclass
class AppliedXliff:
    """What ``xliff apply`` found: the article's blocks, the approved segments, and the language pair."""

    original: str
    units: list[XliffUnit]
    source_lang: str
    target_lang: str

    def blocks(self) -> list[Block]:
        return [
            (unit.kind, " ".join((s.target or "").strip() for s in unit.segments if (s.target or "").strip()))
            for unit in self.units
        ]

    def text(self) -> str:
        """The English article as plain text (blocks separated by blank lines), like ``--format text``."""
        return "\n\n".join(text for _, text in self.blocks()) + "\n"

    def approved(self, origin: str) -> list[MemoryEntry]:
        """Segments a human approved (state reviewed/final, or target changed from the draft) as memory entries."""
        now = time.time()
        return [
            MemoryEntry(s.source, s.target or "", self.source_lang, self.target_lang, origin, created=now, changed=now)
            for unit in self.units
            for s in unit.segments
            if s.approved
        ]


def _inline_text(element: etree._Element) -> str:
    """Text of a source/target: ``mrk``/``pc`` content kept, ``cp`` decoded, other codes dropped."""
    parts = [element.text or ""]
    for child in element:
        name = etree.QName(child).localname if isinstance(child.tag, str) else ""
        if name in ("mrk", "pc"):
            parts.append(_inline_text(child))
        elif name == "cp":
            try:
                parts.append(chr(int(child.get("hex", ""), 16)))
            except ValueError:
                pass
        parts.append(child.tail or "")
    return "".join(parts)


def _parse(path: Path) -> etree._Element:
    root = parse_xml(
        path,
        InputError,
        unreadable="no such file or unreadable",
        unreadable_hint="check the path of the .xlf file",
        malformed_hint="the CAT tool's export must be XLIFF 2.x; check it with `xmllint --noout FILE`",
    )
    if root.tag != _x("xliff"):
        raise InputError(
            f"not an XLIFF 2 document (root <{etree.QName(root).localname}> in "
            f"{etree.QName(root).namespace or 'no namespace'})",
            where=str(path),
            hint="export XLIFF 2.0/2.1 from the CAT tool (XLIFF 1.2 is not read)",
        )
    if not str(root.get("version", "")).startswith("2."):
        raise InputError(f"XLIFF version {root.get('version')!r} is not 2.x", where=str(path))
    return root


def read_xliff(path: str | Path) -> AppliedXliff:
    """Read a (post-edited) XLIFF 2.x file written by :func:`render_xliff`."""
    path = Path(path)
    root = _parse(path)
    units: list[XliffUnit] = []
    original = ""
    for file in root.iter(_x("file")):
        original = original or file.get("original", "")
        for unit in file.iter(_x("unit")):
            drafts = {
                meta.get("type"): meta.text or ""
                for group in unit.iter(f"{{{MDA_NS}}}metaGroup")
                if group.get("category") == _DRAFT_GROUP
                for meta in group.iter(f"{{{MDA_NS}}}meta")
            }
            item = XliffUnit(unit.get("id", ""), _KINDS.get(unit.get("type", ""), "paragraph"))
            for number, segment in enumerate(unit.iter(_x("segment")), start=1):
                source = segment.find(_x("source"))
                target = segment.find(_x("target"))
                segment_id = segment.get("id") or f"s{number}"
                item.segments.append(
                    XliffSegment(
                        item.id,
                        segment_id,
                        _inline_text(source) if source is not None else "",
                        _inline_text(target) if target is not None else None,
                        segment.get("state", "initial"),
                        drafts.get(segment_id),
                        segment.get("subState", ""),
                    )
                )
            units.append(item)
    if not units:
        raise InputError("no <unit> in this XLIFF file", where=str(path))
    missing = [
        f"{s.unit}/{s.id}" for u in units for s in u.segments if s.source.strip() and not (s.target or "").strip()
    ]
    if missing:
        raise InputError(
            f"{len(missing)} segment(s) have no translation: {', '.join(missing[:8])}"
            + (" …" if len(missing) > 8 else ""),
            where=str(path),
            hint="translate every segment in the CAT tool before applying the file",
        )
    source_lang = root.get("srcLang", "id").split("-")[0]
    return AppliedXliff(original, units, source_lang, (root.get("trgLang") or "en").split("-")[0])
