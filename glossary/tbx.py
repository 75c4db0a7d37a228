"""TBX glossaries (TBX v3 / ISO 30042:2019, TBX-Basic dialect, DCA style) for CAT tools and termbases.

Export maps each glossary entry to one ``<conceptEntry>`` (its ``id`` kept)::

    <conceptEntry id="north-korea">
      <descrip type="subjectField">place</descrip>               category
      <note>North Korea's official name is …</note>               note
      <note>idtrans-case: ignore</note>                           case policy (only when not as-written)
      <langSec xml:lang="id">                                     source forms, first preferred, others admitted
        <termSec><term>Korea Utara</term>
          <termNote type="administrativeStatus">preferredTerm-admn-sts</termNote></termSec>
      </langSec>
      <langSec xml:lang="en">
        <termSec><term>North Korea</term>… preferredTerm-admn-sts</termSec>     target
        <termSec><term>North Korean</term>… admittedTerm-admn-sts</termSec>     also
        <termSec><term>N. Korea</term>… deprecatedTerm-admn-sts</termSec>       forbidden
      </langSec>
    </conceptEntry>

TBX-Basic has no data category for a case policy, so it travels as a concept-level ``<note>`` with the
prefix ``idtrans-case:``; the glossary's name is the header's ``<title>``, its spelling and notes are
``<p type="idtrans-spelling">`` / ``<p type="idtrans-notes">`` in ``<sourceDesc>``. Import reads the
same layout back (and TBX-Basic files from other tools: ``subjectField`` values outside idtrans's
categories become ``other`` with the value kept in the note; ``supersededTerm`` counts as forbidden;
``langSec`` languages match by primary subtag). Export → import gives back every entry field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from idtrans.errors import GlossaryError
from idtrans.glossary.edit import document_entries, editing, make_entry, merge_entries
from idtrans.glossary.loader import slugify
from idtrans.glossary.schema import CASE_POLICIES, CATEGORIES, Glossary
from idtrans.xmlfile import parse_xml

TBX_NS = "urn:iso:std:iso:30042:ed-2"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_CASE_NOTE = "idtrans-case:"
_CATEGORY_NOTE = "subject field:"
_STATUS = "administrativeStatus"
PREFERRED, ADMITTED, DEPRECATED, SUPERSEDED = (
    "preferredTerm-admn-sts",
    "admittedTerm-admn-sts",
    "deprecatedTerm-admn-sts",
    "supersededTerm-admn-sts",
)


def _t(tag: str) -> str:
    return f"{{{TBX_NS}}}{tag}"


def _term(lang_sec: etree._Element, text: str, status: str) -> None:
    term_sec = etree.SubElement(lang_sec, _t("termSec"))
    etree.SubElement(term_sec, _t("term")).text = text
    etree.SubElement(term_sec, _t("termNote"), type=_STATUS).text = status


def tbx_tree(glossary: Glossary) -> etree._Element:
    """The TBX-Basic document of ``glossary`` (see the module docstring)."""
    root = etree.Element(
        _t("tbx"), {"style": "dca", "type": "TBX-Basic", _XML_LANG: glossary.target_language}, nsmap={None: TBX_NS}
    )
    header = etree.SubElement(etree.SubElement(root, _t("tbxHeader")), _t("fileDesc"))
    etree.SubElement(etree.SubElement(header, _t("titleStmt")), _t("title")).text = glossary.name
    source_desc = etree.SubElement(header, _t("sourceDesc"))
    etree.SubElement(source_desc, _t("p")).text = (
        f"Exported by idtrans from the {glossary.name} glossary "
        f"({glossary.source_language} -> {glossary.target_language}, schema version {glossary.version})."
    )
    etree.SubElement(source_desc, _t("p"), type="idtrans-spelling").text = glossary.spelling
    if glossary.notes:
        etree.SubElement(source_desc, _t("p"), type="idtrans-notes").text = glossary.notes
    body = etree.SubElement(etree.SubElement(root, _t("text")), _t("body"))
    for entry in glossary.entries:
        concept = etree.SubElement(body, _t("conceptEntry"), id=entry.id)
        etree.SubElement(concept, _t("descrip"), type="subjectField").text = entry.category
        if entry.note:
            etree.SubElement(concept, _t("note")).text = entry.note
        if entry.case != "as-written":
            etree.SubElement(concept, _t("note")).text = f"{_CASE_NOTE} {entry.case}"
        source = etree.SubElement(concept, _t("langSec"), {_XML_LANG: glossary.source_language})
        for number, form in enumerate(entry.sources):
            _term(source, form, PREFERRED if number == 0 else ADMITTED)
        target = etree.SubElement(concept, _t("langSec"), {_XML_LANG: glossary.target_language})
        _term(target, entry.target, PREFERRED)
        for form in entry.also:
            _term(target, form, ADMITTED)
        for form in entry.forbidden:
            _term(target, form, DEPRECATED)
    return root


def export_tbx(glossary: Glossary) -> bytes:
    """The TBX file (UTF-8, XML declaration) of ``glossary``."""
    return etree.tostring(tbx_tree(glossary), xml_declaration=True, encoding="UTF-8", pretty_print=True)


@dataclass
class TbxGlossary:
    """What a TBX file holds, in glossary terms: header fields and entry field dicts (``edit.make_entry`` keys)."""

    name: str = ""
    spelling: str = ""
    notes: str = ""
    source_language: str = "id"
    target_language: str = "en"
    entries: list[dict[str, Any]] = field(default_factory=list)


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in element if _local(child) == name]


def _text(element: etree._Element) -> str:
    return "".join(element.itertext()).strip()


def _primary(lang: str | None) -> str:
    return (lang or "").strip().split("-")[0].split("_")[0].lower()


def _terms(lang_sec: etree._Element) -> list[tuple[str, str]]:
    """(term, administrative status) pairs of a langSec, in order (status '' when not given)."""
    out = []
    for term_sec in _children(lang_sec, "termSec"):
        terms = _children(term_sec, "term")
        if not terms or not _text(terms[0]):
            continue
        status = next((_text(n) for n in term_sec.iter(_t("termNote"), "termNote") if n.get("type") == _STATUS), "")
        out.append((_text(terms[0]), status))
    return out


def _concept(
    concept: etree._Element, number: int, source_language: str, target_language: str, where: str
) -> dict[str, Any]:
    fields: dict[str, Any] = {"id": concept.get("id") or None, "category": "other", "case": "as-written"}
    notes = []
    for child in concept:
        name = _local(child)
        if name == "descrip" and child.get("type") == "subjectField":
            value = _text(child)
            if value in CATEGORIES:
                fields["category"] = value
            elif value:
                notes.append(f"{_CATEGORY_NOTE} {value}")
        elif name == "note":
            text = _text(child)
            if text.startswith(_CASE_NOTE) and text[len(_CASE_NOTE) :].strip() in CASE_POLICIES:
                fields["case"] = text[len(_CASE_NOTE) :].strip()
            elif text:
                notes.append(text)
    secs = {_primary(sec.get(_XML_LANG)): _terms(sec) for sec in _children(concept, "langSec")}
    sources = [term for term, status in secs.get(source_language, []) if status not in (DEPRECATED, SUPERSEDED)]
    targets = secs.get(target_language, [])
    preferred = [term for term, status in targets if status == PREFERRED] or [
        term for term, status in targets if status not in (DEPRECATED, SUPERSEDED, ADMITTED)
    ]
    if not sources or not preferred:
        raise GlossaryError(
            f"concept entry {fields['id'] or number} has no {source_language!r} term or no "
            f"preferred {target_language!r} term",
            where=where,
            hint=f"each conceptEntry needs a langSec xml:lang={source_language!r} and one with "
            f"xml:lang={target_language!r}",
        )
    target = preferred[0]
    fields.update(
        source=sources,
        target=target,
        note="\n".join(notes),
        also=[term for term, status in targets if term != target and status not in (DEPRECATED, SUPERSEDED)],
        forbidden=[term for term, status in targets if status in (DEPRECATED, SUPERSEDED)],
    )
    return fields


def read_tbx(path: str | Path, *, source_language: str = "id", target_language: str = "en") -> TbxGlossary:
    """Parse a TBX (v3 / TBX-Basic, or v2 ``martif`` with ``termEntry``/``langSet``/``tig``) file."""
    path = Path(path)
    root = parse_xml(
        path,
        GlossaryError,
        unreadable="file not found or unreadable",
        malformed_hint="check the file with `xmllint --noout FILE`",
    )
    if _local(root) not in ("tbx", "martif"):
        raise GlossaryError(
            f"not a TBX file: the root element is <{_local(root)}>",
            where=str(path),
            hint="export the termbase as TBX (TBX-Basic or TBX v3 core)",
        )
    _normalise_v2(root)
    result = TbxGlossary(source_language=source_language, target_language=target_language)
    for element in root.iter():
        name = _local(element)
        if name == "title" and not result.name:
            result.name = _text(element)
        elif name == "p" and element.get("type") == "idtrans-spelling":
            result.spelling = _text(element)
        elif name == "p" and element.get("type") == "idtrans-notes":
            result.notes = "".join(element.itertext())
    concepts = [e for e in root.iter() if _local(e) == "conceptEntry"]
    for number, concept in enumerate(concepts, start=1):
        line = f"{path}:{concept.sourceline}" if concept.sourceline else str(path)
        result.entries.append(_concept(concept, number, source_language, target_language, line))
    if not result.entries:
        raise GlossaryError("no concept entries in this TBX file", where=str(path))
    return result


def _normalise_v2(root: etree._Element) -> None:
    """Rename TBX v2 (``martif``) elements to their v3 names in place, so one reader serves both."""
    renames = {"termEntry": "conceptEntry", "langSet": "langSec", "tig": "termSec", "ntig": "termSec"}
    for element in list(root.iter()):
        name = _local(element)
        if name in renames:
            namespace = etree.QName(element).namespace
            element.tag = f"{{{namespace}}}{renames[name]}" if namespace else renames[name]
        if name == "termGrp":  # ntig/termGrp/term: lift the term to the termSec
            parent = element.getparent()
            if parent is not None:
                index = parent.index(element)
                for child in list(element):
                    parent.insert(index, child)
                    index += 1
                parent.remove(element)


def _slug_ok(entry_id: str | None) -> bool:
    return bool(entry_id) and re.search(r"\s", entry_id or "") is None  # the glossary's only rule for ids


def import_tbx(path: str | Path, glossary_path: str | Path, *, replace: bool = False) -> dict[str, list[str]]:
    """Import a TBX file into the glossary at ``glossary_path``.

    A glossary that does not exist yet is created with every entry and header field of the TBX (a
    lossless round trip of ``export_tbx``); into an existing glossary the entries are merged like a
    CSV import (:func:`idtrans.glossary.edit.merge_entries`: new entries added, aliases added to the
    entry with the same rendering, conflicts reported or, with ``replace``, re-targeted).
    """
    glossary_path = Path(glossary_path)
    parsed = read_tbx(path)
    entries = [dict(fields, id=fields["id"] if _slug_ok(fields["id"]) else None) for fields in parsed.entries]
    if glossary_path.exists():
        return merge_entries(glossary_path, entries, replace=replace)

    added = []
    with editing(glossary_path, create=True) as doc:
        if parsed.name:
            doc["name"] = parsed.name
        if parsed.spelling:
            doc["spelling"] = parsed.spelling
        if parsed.notes:
            from ruamel.yaml.scalarstring import LiteralScalarString

            doc.insert(len(doc) - 1, "notes", LiteralScalarString(parsed.notes))
        items = document_entries(doc)
        ids: set[str] = set()
        for fields in entries:
            base = fields.get("id") or slugify(fields["target"])
            candidate, n = base, 2
            while candidate in ids:
                candidate, n = f"{base}-{n}", n + 1
            ids.add(candidate)
            items.append(make_entry(dict(fields, id=candidate)))
            added.append(candidate)
    return {"added": added, "extended": [], "replaced": [], "unchanged": [], "conflicts": []}
