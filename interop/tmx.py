"""TMX 1.4b import and export of the translation memory (lxml).

Export writes one ``<tu>`` per memory entry::

    <tu tuid="1" creationdate="20241105T100000Z" changedate="…" creationid="editor">
      <prop type="x-idtrans-origin">xliff:kursk.xlf</prop>
      <prop type="x-KEY">value</prop>          (the entry's other properties)
      <note>…</note>
      <tuv xml:lang="id"><seg>…</seg></tuv>
      <tuv xml:lang="en"><seg>…</seg></tuv>
    </tu>

so export → import gives back every field (text, languages, origin, creator, note, properties and the
times to the second). Import reads any TMX 1.4 file: ``<tuv>`` languages are matched by primary
subtag (``en-GB`` is ``en``), inline codes (``bpt``/``ept``/``ph``/``it``/``ut``) are dropped and
the text of ``hi``/``sub`` kept, ``<tu>`` without both languages are skipped and counted. The file is
parsed without network access or entity expansion.
"""

from __future__ import annotations

import calendar
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from idtrans.errors import InputError
from idtrans.interop.tm import MemoryEntry
from idtrans.xmlfile import iterparse_xml

TMX_VERSION = "1.4"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_ORIGIN_PROP = "x-idtrans-origin"
_CODES = ("bpt", "ept", "ph", "it", "ut")


def _tmx_time(seconds: float) -> str:
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(seconds))


def _parse_time(value: str | None) -> float:
    if not value:
        return 0.0
    try:
        return float(calendar.timegm(time.strptime(value.strip(), "%Y%m%dT%H%M%SZ")))
    except ValueError:
        return 0.0


def _primary(lang: str | None) -> str:
    return (lang or "").strip().split("-")[0].split("_")[0].lower()


def tmx_tree(entries: Iterable[MemoryEntry], *, source_lang: str = "id", tool_version: str = "0.1.0") -> etree._Element:
    """The TMX document of ``entries`` as an lxml element."""
    root = etree.Element("tmx", version=TMX_VERSION)
    etree.SubElement(
        root,
        "header",
        {
            "creationtool": "idtrans",
            "creationtoolversion": tool_version,
            "segtype": "sentence",
            "o-tmf": "idtrans-sqlite",
            "adminlang": "en",
            "srclang": source_lang,
            "datatype": "plaintext",
            "creationdate": _tmx_time(time.time()),
        },
    )
    body = etree.SubElement(root, "body")
    for number, entry in enumerate(entries, start=1):
        attributes = {"tuid": str(number), "srclang": entry.source_lang}
        if entry.created:
            attributes["creationdate"] = _tmx_time(entry.created)
        if entry.changed:
            attributes["changedate"] = _tmx_time(entry.changed)
        if entry.creator:
            attributes["creationid"] = entry.creator
        tu = etree.SubElement(body, "tu", attributes)
        if entry.origin:
            etree.SubElement(tu, "prop", type=_ORIGIN_PROP).text = entry.origin
        for key, value in sorted(entry.props.items()):
            etree.SubElement(tu, "prop", type=key if key.startswith("x-") else f"x-{key}").text = value
        if entry.note:
            etree.SubElement(tu, "note").text = entry.note
        for lang, text in ((entry.source_lang, entry.source), (entry.target_lang, entry.target)):
            tuv = etree.SubElement(tu, "tuv", {_XML_LANG: lang})
            etree.SubElement(tuv, "seg").text = text
    return root


def export_tmx(entries: Iterable[MemoryEntry], *, source_lang: str = "id") -> bytes:
    """The TMX 1.4b file (UTF-8, with the TMX 1.4 doctype) of ``entries``."""
    root = tmx_tree(entries, source_lang=source_lang)
    return etree.tostring(
        root, xml_declaration=True, encoding="UTF-8", pretty_print=True, doctype='<!DOCTYPE tmx SYSTEM "tmx14.dtd">'
    )


def _seg_text(seg: etree._Element) -> str:
    """The text of a ``<seg>``: inline codes dropped, ``hi``/``sub`` text kept."""
    parts = [seg.text or ""]
    for child in seg:
        tag = etree.QName(child).localname if isinstance(child.tag, str) else ""
        if tag and tag not in _CODES:
            parts.append(_seg_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


@dataclass
class TmxReport:
    units: int = 0
    skipped: int = 0


def _entry_from_tu(tu: etree._Element, source_lang: str, target_lang: str, default_src: str) -> MemoryEntry | None:
    texts: dict[str, str] = {}
    for tuv in tu.iter("tuv"):
        seg = tuv.find("seg")
        lang = _primary(tuv.get(_XML_LANG) or tuv.get("lang"))
        if seg is not None and lang and lang not in texts:
            texts[lang] = _seg_text(seg)
    src = _primary(tu.get("srclang")) or default_src
    if src == "*all*":
        src = source_lang
    if source_lang not in texts or target_lang not in texts or src not in (source_lang, "*all*", ""):
        return None
    origin, props = "", {}
    for prop in tu.findall("prop"):
        kind, value = prop.get("type", ""), prop.text or ""
        if kind == _ORIGIN_PROP:
            origin = value
        elif kind:
            props[kind] = value
    notes = [note.text or "" for note in tu.findall("note")]
    return MemoryEntry(
        texts[source_lang],
        texts[target_lang],
        source_lang,
        target_lang,
        origin,
        tu.get("creationid") or "",
        "\n".join(notes),
        props,
        _parse_time(tu.get("creationdate")),
        _parse_time(tu.get("changedate") or tu.get("creationdate")),
    )


def read_tmx(
    path: str | Path, *, source_lang: str = "id", target_lang: str = "en", report: TmxReport | None = None
) -> Iterator[MemoryEntry]:
    """Stream the ``source_lang``→``target_lang`` entries of a TMX file (see the module docstring)."""
    path = Path(path)
    report = report if report is not None else TmxReport()
    if not path.is_file():
        raise InputError("no such file", where=str(path), hint="check the path of the .tmx file")
    default_src = ""
    first = True
    events = iterparse_xml(
        path,
        ("start", "end"),
        InputError,
        unreadable="cannot read the file",
        unreadable_hint="check that the .tmx file is readable",
        malformed_hint="the file must be TMX 1.4 (XML); check it with `xmllint --noout FILE`",
    )
    for event, element in events:
        tag = element.tag if isinstance(element.tag, str) else ""
        if event == "start":
            if first and tag != "tmx":
                raise InputError(
                    f"not a TMX file: the root element is <{tag}>, not <tmx>",
                    where=str(path),
                    hint="pass a TMX 1.4 translation memory (.tmx)",
                )
            first = False
            continue
        if tag == "header":
            default_src = _primary(element.get("srclang"))
        elif tag == "tu":
            report.units += 1
            entry = _entry_from_tu(element, source_lang, target_lang, default_src)
            element.clear()
            if entry is None:
                report.skipped += 1
                continue
            yield entry
