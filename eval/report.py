"""The HTML report of a run: one self-contained file (inline CSS and SVG, no script, no network).

Sections: what was run (test set, model, settings, glossary), the corpus scores with their
signatures, the gate verdict when there was one, a histogram of sentence-level chrF++, the
glossary terms the system missed (per entry, then the sentences), and the worst sentences with
source, reference and hypothesis side by side. Glossary terms are highlighted: in the source,
green when the hypothesis renders them and red when it misses them; in the hypothesis, the
rendering in green and forbidden forms struck through in red; in the reference, the rendering
underlined for comparison.
"""

from __future__ import annotations

import html
import re
import statistics
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from idtrans.glossary.check import check_matches, rendering_spans

if TYPE_CHECKING:  # pragma: no cover
    from idtrans.eval.run import RunResult, SentenceRecord
    from idtrans.glossary import Glossary

Span = tuple[int, int, str, str]  # start, end, CSS class, tooltip

CSS = """
:root { --ok:#1a7f37; --ok-bg:#dafbe1; --miss:#b42318; --miss-bg:#ffe4e0; --ref:#6e40c9; --muted:#57606a;
  --line:#d0d7de; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; color:#1f2328;
  margin:0; background:#f6f8fa; }
main { max-width: 1280px; margin: 0 auto; padding: 24px 28px 60px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 34px 0 10px; border-bottom:1px solid var(--line); padding-bottom:4px; }
.sub { color: var(--muted); margin: 0 0 18px; }
.meta { display:grid; grid-template-columns: max-content 1fr; gap: 2px 14px; font-size: 13.5px;
  background:#fff; border:1px solid var(--line); border-radius:8px; padding:12px 16px; }
.meta dt { color: var(--muted); }
.meta dd { margin:0; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size:12.5px;
  overflow-wrap:anywhere; }
.cards { display:flex; gap:14px; flex-wrap:wrap; margin-top:16px; }
.card { background:#fff; border:1px solid var(--line); border-radius:8px; padding:12px 16px; min-width: 190px; flex:1; }
.card .name { color: var(--muted); font-size:13px; } .card .value { font-size: 30px; font-weight: 650; }
.card .detail { font-size:12.5px; color: var(--muted); }
.sig { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 11.5px;
  color: var(--muted); overflow-wrap:anywhere; margin-top:6px; }
.verdict { border-radius:8px; padding:10px 14px; margin-top:16px; font-weight:600; }
.verdict.pass { background: var(--ok-bg); color: var(--ok); }
.verdict.fail { background: var(--miss-bg); color: var(--miss); }
.verdict ul { font-weight: normal; margin: 6px 0 0; }
table { border-collapse: collapse; width:100%; background:#fff; border:1px solid var(--line); }
th, td { text-align:left; vertical-align:top; padding:7px 10px; border-bottom:1px solid var(--line); }
th { background:#f0f3f6; font-size:13px; }
td.num { text-align:right; font-variant-numeric: tabular-nums; white-space:nowrap; }
table.sent td.text { width: 30%; } table.sent td.hyp { background:#fffdf5; }
.empty { color: var(--miss); font-style: italic; }
mark { padding: 0 2px; border-radius: 3px; }
mark.ok { background: var(--ok-bg); color: var(--ok); }
mark.miss { background: var(--miss-bg); color: var(--miss); font-weight:600; }
mark.forbidden { background: var(--miss-bg); color: var(--miss); text-decoration: line-through; }
mark.ref { background: none; color: var(--ref); text-decoration: underline dotted; }
.legend { font-size: 13px; color: var(--muted); margin: 4px 0 10px; } .legend mark { margin: 0 3px; }
figure { margin: 0; background:#fff; border:1px solid var(--line); border-radius:8px; padding:10px; }
figcaption { font-size: 13px; color: var(--muted); margin-top: 4px; }
.terms { font-size: 12.5px; color: var(--muted); margin-top: 4px; }
"""


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def highlight(text: str, spans: Iterable[Span]) -> str:
    """Escape ``text`` and wrap each ``(start, end, css_class, title)`` span in ``<mark>`` (overlaps dropped)."""
    if not text:
        return '<span class="empty">(empty)</span>'
    out, pos = [], 0
    for start, end, cls, title in sorted(spans, key=lambda s: (s[0], -(s[1] - s[0]))):
        if start < pos or end <= start:
            continue
        out.append(esc(text[pos:start]))
        out.append(f'<mark class="{cls}" title="{esc(title)}">{esc(text[start:end])}</mark>')
        pos = end
    out.append(esc(text[pos:]))
    return "".join(out)


def _forbidden_spans(form: str, text: str) -> list[tuple[int, int]]:
    body = r"\s+".join(re.escape(word) for word in form.split())
    pattern = re.compile(r"(?<!\w)" + body + r"(?!\w)", re.IGNORECASE)
    return [m.span() for m in pattern.finditer(text)]


def term_spans(glossary: Glossary, record: SentenceRecord) -> tuple[list[Span], list[Span], list[Span]]:
    """Highlight spans for the source, the reference and the hypothesis of one record."""
    src_spans: list[Span] = []
    ref_spans: list[Span] = []
    hyp_spans: list[Span] = []
    matches = glossary.match(record.source)
    if not matches:
        return src_spans, ref_spans, hyp_spans
    checks = {(c.entry_id, c.target): c for c in check_matches(matches, record.hypothesis)}
    for match in matches:
        rendering = match.entry.rendering(match.term)
        check = checks.get((match.entry.id, rendering))
        found = bool(check and check.found)
        src_spans.append(
            (
                match.start,
                match.end,
                "ok" if found else "miss",
                f"{match.entry.id}: {rendering} ({'found' if found else 'missed'})",
            )
        )
    for (entry_id, rendering), check in checks.items():
        entry = glossary.get(entry_id)
        if entry is None:
            continue
        for start, end in rendering_spans(entry, rendering, record.hypothesis):
            hyp_spans.append((start, end, "ok", f"{entry_id}: glossary rendering"))
        for start, end in rendering_spans(entry, rendering, record.reference):
            ref_spans.append((start, end, "ref", f"{entry_id}: glossary rendering"))
        for form in check.forbidden_found:
            for start, end in _forbidden_spans(form, record.hypothesis):
                hyp_spans.append((start, end, "forbidden", f"{entry_id}: forbidden form (use {rendering})"))
    return src_spans, ref_spans, hyp_spans


def histogram_svg(
    values: Sequence[float], *, bins: int = 20, width: int = 760, height: int = 240, label: str = "sentence chrF++"
) -> str:
    """An inline SVG histogram of scores in [0, 100], with mean and median markers."""
    counts = [0] * bins
    for value in values:
        counts[min(bins - 1, max(0, int(value / (100 / bins))))] += 1
    left, right, top, bottom = 46, 14, 14, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max(counts) or 1
    step = 10 ** max(0, len(str(peak)) - 1)
    ticks = list(range(0, peak + step, step)) if peak / step <= 6 else list(range(0, peak + 2 * step, 2 * step))
    top_value = max(ticks[-1], peak)
    bar_w = plot_w / bins
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="histogram of {esc(label)}" style="max-width:{width}px;font:11px system-ui,sans-serif">'
    ]
    for tick in ticks:
        y = top + plot_h - plot_h * tick / top_value
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e5e7eb"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#57606a">{tick}</text>'
        )
    for i, count in enumerate(counts):
        h = plot_h * count / top_value
        x = left + i * bar_w
        lo, hi = i * 100 / bins, (i + 1) * 100 / bins
        parts.append(
            f'<rect x="{x + 1:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w - 2:.1f}" height="{h:.1f}" '
            f'fill="#4c8bf5"><title>{lo:g}–{hi:g}: {count} sentence(s)</title></rect>'
        )
    for i in range(0, bins + 1, max(1, bins // 10)):
        x = left + i * bar_w
        parts.append(
            f'<text x="{x:.1f}" y="{top + plot_h + 15}" text-anchor="middle" fill="#57606a">{i * 100 / bins:g}</text>'
        )
    parts.append(
        f'<text x="{left + plot_w / 2}" y="{height - 6}" text-anchor="middle" fill="#1f2328">{esc(label)}</text>'
    )
    parts.append(
        f'<text x="12" y="{top + plot_h / 2}" text-anchor="middle" fill="#1f2328" '
        f'transform="rotate(-90 12 {top + plot_h / 2})">sentences</text>'
    )
    if values:
        mean, median = statistics.fmean(values), statistics.median(values)
        for name, value, colour, right_side in (
            ("mean", mean, "#b42318", mean >= median),
            ("median", median, "#1a7f37", median > mean),
        ):
            x = left + plot_w * min(100.0, max(0.0, value)) / 100
            anchor, dx = ("start", 4) if right_side else ("end", -4)
            parts.append(
                f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{top + plot_h}" stroke="{colour}" '
                f'stroke-width="2" stroke-dasharray="5 3"/>'
                f'<text x="{x + dx:.1f}" y="{top + 10}" text-anchor="{anchor}" fill="{colour}">{name} '
                f"{value:.1f}</text>"
            )
    parts.append(
        f'<line x1="{left}" x2="{left + plot_w}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="#57606a"/></svg>'
    )
    return "".join(parts)


def _meta_rows(result: RunResult) -> list[tuple[str, str]]:
    meta = result.meta
    test = meta.get("test_set", {})
    rows = [
        (
            "test set",
            f"{test.get('name')} — {test.get('lines')} of {test.get('total_lines')} lines"
            + (f" (first {test['limit']})" if test.get("limit") else ""),
        ),
        ("source", test.get("source", "")),
        ("reference", test.get("reference", "")),
    ]
    model = meta.get("model") or {}
    if model:
        rows.append(("model", f"{model.get('identity') or model.get('requested')}"))
    if meta.get("hypotheses_file"):
        rows.append(("hypotheses", meta["hypotheses_file"]))
    settings = meta.get("settings")
    if settings:
        rows.append(("decoding", settings.get("describe", "")))
    glossary = meta.get("glossary")
    rows.append(
        (
            "glossary enforced",
            f"{glossary.get('name')} ({glossary.get('entries')} entries, {glossary.get('fingerprint')})"
            if glossary
            else "none",
        )
    )
    if result.term_metric is not None:
        rows.append(
            ("terms checked with", f"{result.term_metric.glossary.name} ({len(result.term_metric.glossary)} entries)")
        )
    timing = meta.get("timing")
    if timing:
        rows.append(
            (
                "time",
                f"{timing.get('translate_seconds')} s translating ({timing.get('sentences_per_second')} sentences/s), "
                f"{timing.get('load_seconds')} s loading",
            )
        )
    if meta.get("created"):
        rows.append(("created", meta["created"]))
    return rows


def _cards(result: RunResult) -> str:
    cards = []
    for score in result.scores.values():
        detail = score.verbose or ("lower is better" if not score.higher_is_better else "")
        cards.append(
            f'<div class="card"><div class="name">{esc(score.name)}</div><div '
            f'class="value">{esc(score.printed())}</div>'
            f'<div class="detail">{esc(detail)}</div><div class="sig">{esc(score.signature)}</div></div>'
        )
    if result.terms is not None:
        t = result.terms
        cards.append(
            f'<div class="card"><div class="name">Term success</div><div class="value">{esc(t.printed())}'
            f'{"%" if t.score is not None else ""}</div><div class="detail">{esc(t.verbose())}</div>'
            f'<div class="sig">{esc(t.signature)}</div></div>'
        )
    for f in (result.facts or {}).values():
        label = "Number fidelity" if f.key == "numbers" else "Name fidelity"
        cards.append(
            f'<div class="card"><div class="name">{label}</div><div class="value">{esc(f.printed())}'
            f'{"%" if f.score is not None else ""}</div><div class="detail">{esc(f.verbose())}</div>'
            f'<div class="sig">{esc(f.signature)}</div></div>'
        )
    return '<div class="cards">' + "".join(cards) + "</div>"


def _fact_section(result: RunResult, limit: int) -> str:
    """Sentences whose hypothesis lost a number or a name that the reference kept."""
    if result.facts is None:
        return ""
    failing = [r for r in result.records if r.facts is not None and (r.facts.missed_numbers or r.facts.missed_names)]
    numbers, names = result.facts["numbers"], result.facts["names"]
    head = (
        f'<h2>Number and name failures</h2><p class="sub">{numbers.counted - numbers.kept} of {numbers.counted} '
        f"numbers and {names.counted - names.kept} of {names.counted} names kept by the reference are missing "
        f"or changed in {len(failing)} sentence(s).</p>"
    )
    if not failing:
        return head
    rows = []
    for record in failing[:limit]:
        assert record.facts is not None
        missed = [f"number {v}" for v in record.facts.missed_numbers] + [f"name {n}" for n in record.facts.missed_names]
        rows.append(
            f'<tr><td class="num">{record.line}</td><td class="text">{esc(record.source)}</td>'
            f'<td class="text">{esc(record.reference)}</td><td class="text hyp">{esc(record.hypothesis)}'
            f'<div class="terms">{esc("missed: " + ", ".join(missed))}</div></td></tr>'
        )
    more = f" (first {limit} of {len(failing)})" if len(failing) > limit else ""
    return (
        head + f'<p class="sub">Sentences{more}:</p><table><thead><tr><th>#</th><th>source</th><th>reference</th>'
        "<th>hypothesis</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
    )


def _gate(result: RunResult) -> str:
    gate = result.meta.get("gate")
    if not gate:
        return ""
    cls = "pass" if gate.get("passed") else "fail"
    items = "".join(
        f"<li>{'✗' if c.get('failed') else '✓'} {esc(c.get('reason'))}</li>" for c in gate.get("checks", [])
    )
    notes = "".join(f"<li>{esc(n)}</li>" for n in gate.get("notes", []))
    return (
        f'<div class="verdict {cls}">Gate against {esc(gate.get("baseline"))}: '
        f"{'passed' if gate.get('passed') else 'FAILED'}<ul>{items}{notes}</ul></div>"
    )


def _sentence_rows(result: RunResult, records: Sequence[SentenceRecord]) -> str:
    glossary = result.term_metric.glossary if result.term_metric is not None else None
    rows = []
    for record in records:
        spans = term_spans(glossary, record) if glossary is not None else ([], [], [])
        terms = ""
        if record.terms_missed or record.terms_found or record.forbidden:
            bits = []
            if record.terms_missed:
                bits.append("missed: " + ", ".join(record.terms_missed))
            if record.terms_found:
                bits.append("found: " + ", ".join(record.terms_found))
            if record.forbidden:
                bits.append("forbidden: " + ", ".join(record.forbidden))
            terms = f'<div class="terms">{esc("; ".join(bits))}</div>'
        rows.append(
            f'<tr id="line-{record.line}"><td class="num">{record.line}</td><td class="num">{record.chrf:.1f}</td>'
            f'<td class="text">{highlight(record.source, spans[0])}</td>'
            f'<td class="text">{highlight(record.reference, spans[1])}</td>'
            f'<td class="text hyp">{highlight(record.hypothesis, spans[2])}{terms}</td></tr>'
        )
    return (
        '<table class="sent"><thead><tr><th>line</th><th>chrF++</th><th>source (id)</th><th>reference (en)</th>'
        "<th>hypothesis (en)</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
    )


def _term_section(result: RunResult, limit: int) -> str:
    terms = result.terms
    if terms is None:
        return (
            '<h2>Glossary terms</h2><p class="sub">Not checked: this run had no glossary '
            "(pass <code>--glossary</code> or <code>--terms</code>).</p>"
        )
    if terms.matched == 0 or result.term_metric is None:
        return '<h2>Glossary terms</h2><p class="sub">No glossary term occurs in the sources.</p>'
    failing = [r for r in result.records if r.terms_missed or r.forbidden]
    head = (
        f'<h2>Glossary term failures</h2><p class="sub">{terms.matched - terms.found} of {terms.matched} term '
        f"occurrences missed in {len(failing)} sentence(s); {terms.forbidden} with a forbidden form.</p>"
    )
    if not failing:
        return head + "<p>Every glossary term matched in the sources is rendered in the hypotheses.</p>"
    glossary = result.term_metric.glossary
    matched_by_entry: dict[str, int] = {}
    for record in result.records:
        for check in result.term_metric.sentence_score(record.hypothesis, record.source):
            matched_by_entry[check.entry_id] = matched_by_entry.get(check.entry_id, 0) + 1
    rows = []
    for entry_id, missed in sorted(terms.missed_by_entry.items(), key=lambda kv: (-kv[1], kv[0])):
        entry = glossary.get(entry_id)
        sources = ", ".join(entry.sources) if entry else ""
        target = entry.target if entry else entry_id
        rows.append(
            f"<tr><td>{esc(entry_id)}</td><td>{esc(sources)}</td><td>{esc(target)}</td>"
            f'<td class="num">{missed} / {matched_by_entry.get(entry_id, missed)}</td></tr>'
        )
    table = (
        "<table><thead><tr><th>entry</th><th>source forms</th><th>rendering</th><th>missed / matched</th></tr></thead>"
        "<tbody>" + "".join(rows) + "</tbody></table>"
    )
    shown = failing[:limit]
    more = f" (first {limit} of {len(failing)})" if len(failing) > limit else ""
    return head + table + f"<h2>Sentences with term failures{more}</h2>" + _legend() + _sentence_rows(result, shown)


def _legend() -> str:
    return (
        '<p class="legend">Glossary terms: <mark class="ok">rendered</mark> <mark class="miss">missed</mark>'
        ' <mark class="forbidden">forbidden form</mark> <mark class="ref">rendering in the reference</mark></p>'
    )


def render_report(result: RunResult, *, worst: int = 25, title: str | None = None) -> str:
    """The whole report as one HTML string."""
    test = result.meta.get("test_set", {})
    chrfs = [r.chrf for r in result.records]
    empty = sum(1 for r in result.records if not r.hypothesis.strip())
    worst_records = sorted(result.records, key=lambda r: (r.chrf, r.line))[:worst]
    heading = title or f"idtrans evaluation: {test.get('name', 'test set')}"
    meta = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in _meta_rows(result))
    distribution = (
        f"<h2>Sentence-score distribution</h2><figure>{histogram_svg(chrfs)}<figcaption>sentence-level chrF++ of "
        f"{len(chrfs)} sentences (bins of 5 points); {empty} empty hypothesis line(s)"
        f"{'' if not chrfs else f'; lowest {min(chrfs):.1f}, highest {max(chrfs):.1f}'}.</figcaption></figure>"
    )
    worst_section = (
        f"<h2>Worst {len(worst_records)} sentences by chrF++</h2>" + _legend() + _sentence_rows(result, worst_records)
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(heading)}</title><style>{CSS}</style></head><body><main>"
        f'<h1>{esc(heading)}</h1><p class="sub">{len(result.records)} sentences · corpus scores by sacrebleu, '
        "term success = share of glossary terms in the source whose rendering appears in the hypothesis</p>"
        f'<dl class="meta">{meta}</dl>{_cards(result)}{_gate(result)}{distribution}'
        f"{_term_section(result, worst)}{_fact_section(result, worst)}{worst_section}</main></body></html>\n"
    )
