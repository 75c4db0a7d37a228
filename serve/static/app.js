// idtrans web page: plain JS, no build step, nothing fetched but this server's own API.
"use strict";

const CATEGORIES = ["person", "place", "organisation", "military", "title", "unit", "other"];
const $ = (selector) => document.querySelector(selector);
let lastResult = null;

function headers(json) {
  const h = {};
  if (json) h["Content-Type"] = "application/json";
  const key = $("#api-key").value.trim();
  if (key) h["X-API-Key"] = key;
  return h;
}

async function call(method, path, body) {
  const response = await fetch(path, {
    method, headers: headers(body !== undefined), body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  try { data = await response.json(); } catch (e) { data = { error: response.statusText }; }
  if (!response.ok) {
    const error = new Error((data && data.error) || response.statusText);
    error.hint = data && data.hint;
    throw error;
  }
  return data;
}

function setStatus(element, text, isError) {
  element.textContent = text;
  element.classList.toggle("error", Boolean(isError));
}

// -- highlighting ------------------------------------------------------------------------------

function escapeRegExp(text) { return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }

function highlighted(text, terms) {
  // A fragment of text with every term wrapped in <mark class="term"> (longest first, any case).
  const fragment = document.createDocumentFragment();
  const unique = [...new Set(terms.filter((t) => t && t.trim()))].sort((a, b) => b.length - a.length);
  if (!unique.length) { fragment.append(text); return fragment; }
  const pattern = new RegExp("(" + unique.map(escapeRegExp).join("|") + ")", "gi");
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    if (match.index > last) fragment.append(text.slice(last, match.index));
    const mark = document.createElement("mark");
    mark.className = "term";
    mark.textContent = match[0];
    fragment.append(mark);
    last = match.index + match[0].length;
  }
  if (last < text.length) fragment.append(text.slice(last));
  return fragment;
}

function termsOf(record, side) {
  // Glossary terms (and any other protected items a layer reports) for one side of a sentence.
  const terms = [];
  for (const [key, value] of Object.entries(record)) {
    if (!Array.isArray(value)) continue;
    for (const item of value) {
      if (!item || typeof item !== "object") continue;
      if (key !== "glossary" && !("target" in item)) continue;
      const text = side === "source" ? (item.source_form || item.source || item.surface) : item.target;
      if (typeof text === "string") terms.push(text);
    }
  }
  return terms;
}

function sentenceSpan(record, side) {
  const span = document.createElement("span");
  span.className = "sentence";
  span.dataset.sentence = `${record.paragraph}.${record.sentence}`;
  const text = side === "source" ? record.source : record.translation;
  span.append(highlighted(text, termsOf(record, side)));
  if (record.review && record.review.length) {
    span.classList.add("review");
    span.title = "Needs review: " + record.review.join("; ");
  }
  return span;
}

// -- translating -------------------------------------------------------------------------------

function render(result) {
  const body = $("#result tbody");
  body.replaceChildren();
  const byParagraph = new Map();
  for (const record of result.sentences) {
    if (!byParagraph.has(record.paragraph)) byParagraph.set(record.paragraph, []);
    byParagraph.get(record.paragraph).push(record);
  }
  for (const [number, records] of byParagraph) {
    const row = document.createElement("tr");
    if (number === 0) row.className = "title";
    for (const side of ["source", "english"]) {
      const cell = document.createElement("td");
      cell.className = side;
      records.forEach((record, i) => {
        if (i) cell.append(" ");
        cell.append(sentenceSpan(record, side === "source" ? "source" : "english"));
      });
      row.append(cell);
    }
    body.append(row);
  }
  const g = result.glossary || {};
  $("#summary").textContent = `${result.sentences.length} sentences · glossary: ${g.matched || 0} terms matched, ` +
    `${g.applied || 0} applied, ${g.repaired || 0} repaired, ${g.missed || 0} missed · ` +
    `${result.review} sentence(s) flagged for review · ${result.removed.length} boilerplate line(s) removed`;
  const removed = $("#removed");
  removed.replaceChildren(...result.removed.map((r) => {
    const li = document.createElement("li");
    li.textContent = `line ${r.line} (${r.rule}): ${r.text}`;
    return li;
  }));
  $("#removed-box").hidden = result.removed.length === 0;
  for (const id of ["#summary", "#downloads", "#result"]) $(id).hidden = false;
}

async function translate() {
  const text = $("#source").value;
  const status = $("#status");
  if (!text.trim()) { setStatus(status, "Paste or upload an article first.", true); return; }
  const button = $("#translate");
  button.disabled = true;
  setStatus(status, "Translating…");
  const started = performance.now();
  try {
    lastResult = await call("POST", "v1/articles", { text, keep_boilerplate: $("#keep-boilerplate").checked });
    render(lastResult);
    setStatus(status, `Done in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
  } catch (error) {
    setStatus(status, error.message + (error.hint ? ` (${error.hint})` : ""), true);
  } finally {
    button.disabled = false;
  }
}

function download(kind) {
  if (!lastResult) return;
  const names = { text: ["english.txt", "text/plain"], markdown: ["english.md", "text/markdown"],
    jsonl: ["sentences.jsonl", "application/x-ndjson"] };
  const [name, type] = names[kind];
  const url = URL.createObjectURL(new Blob([lastResult[kind]], { type: type + ";charset=utf-8" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

async function copyEnglish() {
  if (!lastResult) return;
  try {
    await navigator.clipboard.writeText(lastResult.text);
    setStatus($("#status"), "English copied.");
  } catch (error) {
    setStatus($("#status"), "The browser refused the clipboard; use Download .txt.", true);
  }
}

// -- glossary ----------------------------------------------------------------------------------

function splitList(text) { return text.split(";").map((s) => s.trim()).filter(Boolean); }

async function searchGlossary(event) {
  if (event) event.preventDefault();
  const params = new URLSearchParams({ search: $("#g-search").value, limit: "200" });
  if ($("#g-category").value) params.set("category", $("#g-category").value);
  try {
    const data = await call("GET", "v1/glossary?" + params);
    const rows = data.entries.map((entry) => {
      const row = document.createElement("tr");
      for (const value of [entry.id, entry.category, entry.source.join(" | "), entry.target, entry.note]) {
        const cell = document.createElement("td");
        cell.textContent = value || "";
        row.append(cell);
      }
      return row;
    });
    $("#g-table tbody").replaceChildren(...rows);
    setStatus($("#g-count"), `${data.matched} of ${data.total} entries` + (data.matched > rows.length ? ` (first ${rows.length} shown)` : ""));
  } catch (error) {
    setStatus($("#g-count"), error.message, true);
  }
}

async function addEntry(event) {
  event.preventDefault();
  const entry = {
    source: splitList($("#a-source").value), target: $("#a-target").value.trim() || null,
    category: $("#a-category").value, case: $("#a-case").value,
    forbidden: splitList($("#a-forbidden").value), note: $("#a-note").value.trim() || null,
  };
  try {
    const data = await call("POST", "v1/glossary", entry);
    setStatus($("#a-status"), `Added ${data.added}; the next translation uses it.`);
    $("#glossary-add").reset();
    $("#g-search").value = data.added;
    searchGlossary();
  } catch (error) {
    setStatus($("#a-status"), error.message + (error.hint ? ` (${error.hint})` : ""), true);
  }
}

// -- wiring ------------------------------------------------------------------------------------

function showTab(name) {
  for (const tab of document.querySelectorAll(".tab")) tab.classList.toggle("active", tab.dataset.tab === name);
  $("#panel-translate").hidden = name !== "translate";
  $("#panel-glossary").hidden = name !== "glossary";
  if (name === "glossary" && !$("#g-table tbody").children.length) searchGlossary();
}

function init() {
  for (const select of [$("#g-category"), $("#a-category")]) {
    for (const category of CATEGORIES) select.append(new Option(category, category));
  }
  $("#a-category").value = "other";
  $("#api-key").value = localStorage.getItem("idtrans-api-key") || "";
  $("#api-key").addEventListener("change", () => localStorage.setItem("idtrans-api-key", $("#api-key").value.trim()));
  $("#translate").addEventListener("click", translate);
  $("#copy-text").addEventListener("click", copyEnglish);
  for (const button of document.querySelectorAll("[data-download]")) {
    button.addEventListener("click", () => download(button.dataset.download));
  }
  $("#upload").addEventListener("change", async (event) => {
    const file = event.target.files[0];
    if (file) $("#source").value = await file.text();
  });
  for (const tab of document.querySelectorAll(".tab")) tab.addEventListener("click", () => showTab(tab.dataset.tab));
  // pointing at a sentence lights up its counterpart in the other column
  for (const [type, on] of [["mouseover", true], ["mouseout", false]]) {
    $("#result").addEventListener(type, (event) => {
      const span = event.target.closest(".sentence");
      if (!span) return;
      for (const twin of document.querySelectorAll(`.sentence[data-sentence="${span.dataset.sentence}"]`)) {
        twin.classList.toggle("linked", on);
      }
    });
  }
  $("#glossary-search").addEventListener("submit", searchGlossary);
  $("#glossary-add").addEventListener("submit", addEntry);
}

init();
