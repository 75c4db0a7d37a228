"""Fact preservation: a Translator decorator that verifies first and intervenes only where the model fails.

For each sentence (rules, in order):

1. List what its English must get right (:func:`idtrans.glossary.facts.required_items`):
   glossary terms, numbers/dates/times, copied names.
2. Translate every sentence normally, once. A sentence whose output has every item right is
   left exactly as the model wrote it.
3. A failing sentence gets candidates, each stronger than the last, tried only while no
   candidate passes: the model's output with safe repairs (a number's format, a lost day, a
   misspelt name); the source with its *failing* items protected (``proxy``: proxy names for
   terms and names, English numbers; then ``inline``: English renderings written into the
   source), restored and repaired; a substitution of the term's wrong rendering, in each candidate
   so far (one may complete another's fixes, and a fluent sentence passes); the sentence
   translated thought by thought (cut after its ellipses and inner sentence ends: a small model
   drops a last thought with its items); translating around a still-missing term, number or name
   (the last resort, it keeps Indonesian word order).
4. The winner has the most terms and numbers right, then the most names, then the fewest
   invented names (:mod:`idtrans.glossary.invented`; an invented name fails a sentence too),
   then the best model score: the model's mean log-probability per token of the candidate
   given the *original* source (CTranslate2 ``score_batch`` / a transformers forward pass). A
   candidate may change a name only if it scores no more than ``NAME_MARGIN`` below the model's
   own output: a name rule can be wrong where a glossary entry or a number is not.
5. Every item is recorded (``info["items"]``: kind, source, target, status ``kept`` by the
   model / ``repaired`` / ``missed``); terms also in ``info["glossary"]`` (``applied`` /
   ``repaired`` / ``missed``). A sentence with a missed item, or whose model score is far below
   its peers' (more than ``max(REVIEW_MARGIN, 3 x MAD)`` under the median of the sentences
   translated together, five or more), gets ``info["review"]`` with the reasons.

No constrained beam search: transformers moved it out of its core (v4.57) to Hub remote code,
which this project never runs.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from idtrans.errors import TranslationError
from idtrans.glossary.check import forbidden_in, rendering_spans, untranslated_spans, wrong_forms
from idtrans.glossary.facts import (
    PROTECT_STRATEGIES,
    Item,
    ItemChecks,
    check_sentence,
    item_counterparts,
    protect_items,
    repair_name,
    repair_text,
    required_items,
    restore_items,
    same_word,
)
from idtrans.glossary.invented import Counterparts, unknown_words
from idtrans.glossary.matcher import Match
from idtrans.glossary.names import NameFact
from idtrans.glossary.schema import Glossary
from idtrans.pipeline.layers.longsplit import join_translations, split_at_stops
from idtrans.pipeline.layers.translator import Translation, Translator
from idtrans.progress import Progress

#: Protection strategies tried, in order, on the sentences that fail. One proxy round: on 300 dev
#: sentences (bundled model) a second proxy round and an inline round after it kept 2 more names
#: and 1 more number of 404 items for 60% more time.
DEFAULT_STRATEGIES = ("proxy",)
#: How far (mean log-probability per token) below the model's own output a name change may score.
#: On 300 dev sentences (bundled model) 0.35 left 18 of 218 names unplaced, 1.0 left 3; on all of
#: dev, 1.0 gave name fidelity 97.3% with BLEU 12.7 (no glossary: 11.9).
NAME_MARGIN = 1.0
#: A sentence scoring this much (or 3 MADs, whichever is more) under its peers' median is flagged.
REVIEW_MARGIN = 1.0
#: The version of the rules above, part of the cache identity (v2: invented names fail a sentence;
#: v3: candidates scored in batches of at most 8, which can move an int8 score in its last digits;
#: the second split round cuts only where the first one's pieces lost an item; v4: a term's Indonesian
#: form copied into the English fails it, :func:`~idtrans.glossary.check.left_untranslated`; v5: a
#: thought-by-thought candidate before the split rounds; v7: a repaired day date takes ``on``, not
#: ``in``, and no comma before the year; v8: words that are not English flagged for review; v9: a name
#: written more often than the source has it fails a sentence, like an invented one, and a proxy
#: written as a plural is restored; v10: substitution in every candidate, and a rendering written short
#: or in another form, ``Ukraine Minister``, replaced where it is; v11: a term rendered badly rather than
#: dropped, ``Ukraine Secretary``, is not inserted again beside its neighbour, and pieces translated
#: around a term keep the source's comma before it).
RULES_VERSION = "facts-v11"

#: English words never used as an anchor for substitution (too common to be the term).
_COMMON = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "from",
        "and",
        "or",
        "but",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "this",
        "that",
        "these",
        "those",
        "it",
        "its",
        "he",
        "she",
        "they",
        "them",
        "his",
        "her",
        "their",
        "we",
        "our",
        "you",
        "your",
        "i",
        "me",
        "my",
        "not",
        "no",
        "as",
        "into",
        "over",
        "under",
        "about",
        "after",
        "before",
    ]
)


#: Words a translated piece may start with in lower case when it follows a term inside a sentence.
_LOWER_AFTER_TERM = _COMMON | frozenset(
    [
        "there",
        "said",
        "says",
        "will",
        "would",
        "has",
        "have",
        "had",
        "can",
        "could",
        "who",
        "which",
        "what",
        "when",
        "where",
    ]
)


@dataclass
class _Candidate:
    strategy: str
    text: str
    checks: ItemChecks
    score: float = 0.0

    def tier(self) -> tuple[int, int, int]:
        """Most terms and numbers, then most copied names, then fewest invented or echoed names."""
        return (self.checks.hard, self.checks.names, -self.checks.name_faults)

    def key(self, plain: _Candidate) -> tuple[int, int, int, float]:
        """:meth:`tier` and score; a gain in names (copied, fewer invented or echoed) counts only within NAME_MARGIN."""
        hard, names, invented = self.tier()
        if (names, invented) > plain.tier()[1:] and self.score < plain.score - NAME_MARGIN:
            names, invented = plain.tier()[1:]
        return (hard, names, invented, self.score)


@dataclass
class _Sentence:
    """The work on one sentence: its items and the candidates tried so far."""

    source: str
    items: list[Item]
    candidates: list[_Candidate] = field(default_factory=list)
    seconds: float = 0.0
    #: the source's counterparts, to find invented names (None: not checked)
    known: Counterparts | None = None

    @property
    def plain(self) -> _Candidate:
        return self.candidates[0]

    def passed(self) -> bool:
        return any(c.checks.passed for c in self.candidates)

    def add(self, strategy: str, text: str) -> None:
        if all(c.text != text for c in self.candidates):
            self.candidates.append(
                _Candidate(strategy, text, check_sentence(self.items, text, self.known, self.source))
            )

    def best(self) -> _Candidate:
        return max(self.candidates, key=lambda c: c.key(self.plain))

    def failing(
        self, kinds: Sequence[str] = ("term", "number", "name"), candidate: _Candidate | None = None
    ) -> list[Item]:
        """The items ``candidate`` (default: the best so far) still misses."""
        checked = candidate if candidate is not None else self.best()
        return [item for item, ok in zip(self.items, checked.checks.ok) if not ok and item.kind in kinds]


def rendered_words(glossary: Glossary) -> frozenset[str]:
    """The lower-case words of the glossary's renderings (``target`` and ``also``): never blocked as not English."""
    words = (word for entry in glossary.entries for text in (entry.target, *entry.also) for word in text.split())
    return frozenset(word.strip(".,;:()\"'") for word in words if word.islower())


class GlossaryTranslator:
    """Wraps a :class:`Translator`: glossary terms, numbers and names verified, and repaired only where wrong.

    ``strategies``: protection strategies for failing sentences (``proxy``, ``inline``);
    ``substitute``: allow the term repairs (safe substitution, translating around a term);
    ``numbers``/``names``: check (and repair) numbers and copied names as well as terms;
    ``invented``: a sentence whose English has a name with no counterpart in its source, or writes a
    name more often than the source has it (:func:`~idtrans.glossary.facts.echoed_renderings`), fails too;
    words that are not English (:func:`~idtrans.glossary.invented.unknown_words`) are always flagged;
    ``progress``: told when a round of candidates begins (:meth:`~idtrans.progress.Progress.phase`).
    """

    def __init__(
        self,
        inner: Translator,
        glossary: Glossary,
        *,
        strategies: Sequence[str] = DEFAULT_STRATEGIES,
        substitute: bool = True,
        numbers: bool = True,
        names: bool = True,
        invented: bool = True,
        progress: Progress | None = None,
    ) -> None:
        unknown = [s for s in strategies if s not in PROTECT_STRATEGIES]
        if unknown or not strategies:
            raise ValueError(f"unknown protection strategies {unknown}; choose from {', '.join(PROTECT_STRATEGIES)}")
        self.inner = inner
        self.progress = progress
        self.glossary = glossary  # and the inner translator's words never blocked as not English
        self.strategies = tuple(strategies)
        #: what the last resort translates around (names too: a candidate that places a name must
        #: still score within NAME_MARGIN of the model's own output)
        self.split_kinds: tuple[str, ...] = ("term", "number", "name")
        self.substitute = substitute
        self.numbers = numbers
        self.names = names
        self.invented = invented
        self.counts = {
            "sentences": 0,
            "matched": 0,
            "applied": 0,
            "repaired": 0,
            "missed": 0,
            "forbidden": 0,
            "review": 0,
        }
        self.item_counts: dict[str, dict[str, int]] = {
            k: {"kept": 0, "repaired": 0, "missed": 0} for k in ("term", "number", "name")
        }

    @property
    def glossary(self) -> Glossary:
        """The enforced glossary; setting it (a reload) also sets the inner translator's ``exempt`` words."""
        return self._glossary

    @glossary.setter
    def glossary(self, glossary: Glossary) -> None:
        self._glossary = glossary
        if hasattr(self.inner, "exempt"):  # a SentenceTranslator: never block a word the glossary renders
            self.inner.exempt = rendered_words(glossary)

    @property
    def identity(self) -> str:
        flags = (("numbers", self.numbers), ("names", self.names), ("invented", self.invented))
        checks = "+".join(k for k, on in flags if on) or "terms"
        return (
            f"{self.inner.identity}|glossary={self.glossary.fingerprint}|{RULES_VERSION}:{checks}"
            f"|protect={'+'.join(self.strategies)}{'+subst' if self.substitute else ''}"
        )

    def summary(self) -> dict[str, int]:
        """Totals since this translator was built: terms matched / applied / repaired / missed (+ forbidden, review)."""
        return dict(self.counts)

    def summary_line(self) -> str:
        c = self.counts
        line = (
            f"glossary {self.glossary.name}: {c['matched']} terms matched, {c['applied']} applied, "
            f"{c['repaired']} repaired, {c['missed']} missed"
        )
        for kind in ("number", "name"):
            k = self.item_counts[kind]
            if sum(k.values()):
                line += f"; {kind}s {k['kept']} kept, {k['repaired']} repaired, {k['missed']} missed"
        return line + (f"; {c['review']} sentence(s) flagged for review" if c["review"] else "")

    # -- translation -------------------------------------------------------------------------

    def translate(self, sentences: Sequence[str]) -> list[Translation]:
        sentences = list(sentences)
        plain = _checked(self.inner.translate(sentences), len(sentences))
        memo = _Memo(self.inner, dict(zip(sentences, plain)), self.progress)
        results = [Translation(s, out.text, out.seconds, dict(out.info)) for s, out in zip(sentences, plain)]
        work: dict[int, _Sentence] = {}
        for i, sentence in enumerate(sentences):
            items = required_items(sentence, self.glossary, numbers=self.numbers, names=self.names)
            known = item_counterparts(sentence, items) if self.invented and sentence.strip() else None
            w = _Sentence(sentence, items, seconds=plain[i].seconds, known=known)
            w.add("model", plain[i].text)
            if sentence.strip():  # every sentence is checked for words that are not English
                work[i] = w
        failing = {i: w for i, w in work.items() if not w.passed()}
        self._repair(failing, memo)
        scores = self._score(results, failing)
        for i, sentence_work in work.items():
            best = sentence_work.best() if i in failing else sentence_work.plain
            results[i].text = best.text
            results[i].seconds = sentence_work.seconds
            self._record(results[i], sentence_work, best)
            if scores is not None and i in failing:
                scores[i] = best.score if best.score != _UNSCORED else None
        self._review(results, scores)
        self.counts["sentences"] += len(sentences)
        return results

    def _repair(self, failing: dict[int, _Sentence], memo: _Memo) -> None:
        """Add candidates to the failing sentences, stronger ones only while none passes."""
        for w in failing.values():
            w.add("repair", self._term_fixes(repair_text(w.plain.text, w.items, w.source), w, {}))
        protect: dict[int, set[int]] = {i: set() for i in failing}
        for strategy in self.strategies:  # each protects what failed so far, and before
            todo = {i: w for i, w in failing.items() if not w.passed()}
            if not todo:
                return
            protected = {}
            for i, w in todo.items():  # the items failing now and those that failed before
                failing_now = w.failing()
                protect[i].update(k for k, item in enumerate(w.items) if item in failing_now)
                if not protect[i]:  # only an invented name fails: protect every term and name
                    protect[i].update(k for k, item in enumerate(w.items) if item.kind != "number")
                protected[i] = protect_items(w.source, [w.items[k] for k in sorted(protect[i])], strategy)
            todo = {i: w for i, w in todo.items() if protected[i].text != w.source}
            protected = {i: protected[i] for i in todo}
            outputs = memo.translate([p.text for p in protected.values()], f"{strategy} round")
            for (i, w), out in zip(todo.items(), outputs):
                w.seconds += out.seconds
                w.add(strategy, repair_text(restore_items(out.text, protected[i]), w.items, w.source))
        self._as_written({i: w for i, w in failing.items() if not w.passed()})
        if self.substitute:
            self._substitute({i: w for i, w in failing.items() if w.failing(("term",))}, memo)
            self._thoughts({i: w for i, w in failing.items() if w.failing(self.split_kinds)}, memo)
            cuts: dict[int, set[int]] = {}  # per sentence: the items cut at so far
            for strategy in ("split", "split-more"):
                todo = {i: w for i, w in failing.items() if w.failing(self.split_kinds)}
                self._split_around(todo, memo, cuts, strategy)

    # -- scores and records ------------------------------------------------------------------

    def _scorer(self) -> Callable[[Sequence[str], Sequence[str]], Any] | None:
        scorer = getattr(self.inner, "score", None)
        if scorer is None or scorer([], []) is None:  # on a backend that cannot score it answers None
            return None
        return scorer

    def _score(self, results: list[Translation], failing: dict[int, _Sentence]) -> list[float | None] | None:
        """The model's score of every output (from decoding), and of the failing sentences' candidates that need one.

        Candidates are scored given the original source (forced decoding), the model's own output
        of a failing sentence too, so that its candidates compare on one scale (see :func:`_to_score`).
        """
        scorer = self._scorer()
        if scorer is None:
            for w in failing.values():  # no scores: earlier (lighter) candidates win ties
                for rank, candidate in enumerate(w.candidates):
                    candidate.score = -rank / 1000
        else:
            needed = {id(w): _to_score(w) for w in failing.values()}
            owners = [c for w in failing.values() for c in needed[id(w)]]
            sources = [w.source for w in failing.values() for _ in needed[id(w)]]
            values = _all_scores(scorer(sources, [c.text for c in owners]), len(owners)) if owners else []
            for i, w in failing.items():
                for candidate in w.candidates:
                    candidate.score = _UNSCORED
                decoded = results[i].info.get("score")
                w.plain.score = float(decoded) if decoded is not None else _UNSCORED
            for candidate, value in zip(owners, values):
                candidate.score = float(value)
        decoded_all = [r.info.get("score") for r in results]
        if scorer is None:
            return None
        unscored = [i for i, (value, r) in enumerate(zip(decoded_all, results)) if value is None and r.source.strip()]
        if unscored:  # a backend that gives no scores while decoding (transformers): one scoring pass
            forced = _all_scores(
                scorer([results[i].source for i in unscored], [results[i].text for i in unscored]), len(unscored)
            )
            for i, value in zip(unscored, forced):
                decoded_all[i] = round(float(value), 4)
                results[i].info["score"] = decoded_all[i]
                if i in failing and failing[i].plain.score == _UNSCORED:
                    failing[i].plain.score = float(value)
        return [None if value is None else float(value) for value in decoded_all]

    def _record(self, result: Translation, w: _Sentence, best: _Candidate) -> None:
        records, glossary_records, reasons = [], [], []
        for item, before, after in zip(w.items, w.plain.checks.ok, best.checks.ok):
            status = "kept" if before and after else ("repaired" if after else "missed")
            record: dict[str, Any] = {
                "kind": item.kind,
                "source": item.surface,
                "target": item.rendering,
                "status": status,
            }
            if status == "repaired":
                record["strategy"] = best.strategy
            records.append(record)
            self.item_counts[item.kind][status] += 1
            if status == "missed":
                reasons.append(f"{item.kind} {item.rendering!r} not in the translation")
            if item.match is not None:
                glossary_records.append(self._term_record(item.match, status, best))
        for name in best.checks.invented:
            reasons.append(f"name {name!r} in the translation has no counterpart in the source")
        if best.checks.invented:
            result.info["invented"] = list(best.checks.invented)
        for name in best.checks.echoed:
            reasons.append(f"name {name!r} written more often than the source has it")
        if best.checks.echoed:
            result.info["echoed"] = list(best.checks.echoed)
        unknown = unknown_words(best.text, w.known or item_counterparts(w.source, w.items)) if w.source.strip() else []
        for word, copied in unknown:
            reasons.append(f"{word!r} is not English: " + ("left untranslated" if copied else "a garbled word"))
        if unknown:
            result.info["unknown"] = [word for word, _ in unknown]
        if records:
            result.info["items"] = records
        if glossary_records:
            result.info["glossary"] = glossary_records
        if best is not w.plain:
            result.info.pop("score", None)
            if best.score != _UNSCORED:
                result.info["score"] = round(best.score, 4)
        if reasons:
            result.info["review"] = reasons

    def _term_record(self, match: Match, status: str, best: _Candidate) -> dict[str, Any]:
        status = "applied" if status == "kept" else status
        self.counts["matched"] += 1
        self.counts[status] += 1
        record: dict[str, Any] = {
            "entry": match.entry.id,
            "source_form": match.surface,
            "target": match.rendering,
            "status": status,
        }
        if status != "applied":
            record["strategy"] = best.strategy
        spans = rendering_spans(match.entry, match.rendering, best.text)
        forbidden = wrong_forms(match.entry, (match.surface,), best.text, spans)
        if forbidden:
            record["forbidden"] = forbidden
            self.counts["forbidden"] += 1
        return record

    def _review(self, results: list[Translation], scores: list[float | None] | None) -> None:
        """Flag sentences whose model score is far below their peers'; count every flagged sentence."""
        if scores is not None:
            present = [v for r, v in zip(results, scores) if r.source.strip() and v is not None]
            if len(present) >= 5:
                median = statistics.median(present)
                mad = statistics.median(abs(v - median) for v in present)
                floor = median - max(REVIEW_MARGIN, 3 * mad)
                for result, value in zip(results, scores):
                    if result.source.strip() and value is not None and value < floor:
                        result.info.setdefault("review", []).append(
                            f"model score {value:.2f} far below its peers' median {median:.2f}"
                        )
        self.counts["review"] += sum("review" in r.info for r in results)

    # -- term repairs (the last resorts) -----------------------------------------------------

    def _as_written(self, todo: dict[int, _Sentence]) -> None:
        """The model's English for the source as written, where the inner translator lowers a word of it.

        Giving ``Pantai`` as ``pantai`` (:mod:`.modeltext`) helps on the whole but changes the whole
        decode, and now and then a name the as-written source kept is lost. An English that copies
        a lowered word (``Upaya to overcome floods``), the fault the lowering is for, is no candidate.
        It comes after the protection rounds: tried before them, it changed which items they protect,
        and names were lost (dev names 99.62% → 99.53%).

        Measured (``idtrans eval run``, glossary, CTranslate2 int8, beam 4), without → with it: bundled
        model dev BLEU 15.22 → 15.25, chrF++ 39.61 → 39.62, FLORES-200 devtest 18.18 → 18.22,
        44.81 → 44.85, names unchanged (99.62% both); stand-in model FLORES names 78.20% → 78.38%
        (80.1% before the case rule: most of what it lost is in sentences it garbles either way).
        """
        lowered_words, as_written = getattr(self.inner, "lowered_words", None), getattr(self.inner, "as_written", None)
        if lowered_words is None or as_written is None or not todo:
            return
        lowered = {i: lowered_words(w.source) for i, w in todo.items()}
        changed = {i: w for i, w in todo.items() if lowered[i]}
        if not changed:
            return
        if self.progress is not None:
            self.progress.phase("checking facts: as written", len(changed))
        outputs = _checked(as_written().translate([w.source for w in changed.values()]), len(changed))
        for (i, w), out in zip(changed.items(), outputs):
            w.seconds += out.seconds
            if not any(re.search(rf"\b{re.escape(word)}\b", out.text) for word in lowered[i]):
                w.add("as-written", repair_text(out.text, w.items, w.source))

    def _substitute(self, todo: dict[int, _Sentence], memo: _Memo) -> None:
        """Replace a term's wrong rendering by the right one where it can be located without guessing.

        In every candidate so far, not only the best: each strategy gets other items right (the
        model's own output ``legislators``, fixed as a forbidden form; the proxy round ``mutual defence
        treaty``), and the substitution that completes a fluent one saves the sentence from the split
        rounds, which keep Indonesian word order (``parallels lawmakers Russia will provide a vote for
        ratification mutual defence treaty North Korea``).

        Measured with :func:`_near_rendering` (``idtrans eval run``, glossary, CTranslate2 int8, beam 4,
        bundled model), before → after: sentences won by a split round dev 72 → 68, FLORES-200
        devtest 35 → 34; BLEU 16.32 → 16.33 and 20.20 → 20.20, chrF++ and term, number and name
        fidelity unchanged; 5 dev and 2 FLORES sentences changed. On the sample article two of its
        worst sentences read as English again (the ratification sentence above; ``In an interview
        broadcaster South Korea KBS Ukrainian Defence Minister`` → ``In an interview with broadcaster
        South Korean KBS, Ukrainian Defence Minister``).
        """
        needed = sorted(
            {
                item.match.term
                for w in todo.values()
                for candidate in w.candidates
                for item in w.failing(("term",), candidate)
                if item.match
            }
        )
        translated = memo.translate(needed, "terms alone")
        alone = {term: out.text.strip().strip(".!?,;:\"'“”").strip() for term, out in zip(needed, translated)}
        for w in todo.values():
            for candidate in list(w.candidates):
                if w.failing(("term",), candidate):
                    w.add(candidate.strategy + "+substitution", self._term_fixes(candidate.text, w, alone))

    @staticmethod
    def _term_fixes(text: str, w: _Sentence, alone: dict[str, str]) -> str:
        matches = [item.match for item in w.items if item.match is not None]
        for item in w.items:
            if item.match is not None and not item.ok(text):
                if item.rendering == item.match.term:  # a name the glossary copies: fix a misspelling first
                    text = repair_name(text, NameFact(item.start, item.end, item.rendering))
                    if item.ok(text):
                        continue
                text = _fix_one(text, item.match, alone.get(item.match.term, ""), matches)
        return text

    def _thoughts(self, todo: dict[int, _Sentence], memo: _Memo) -> None:
        """Translate each sentence thought by thought: cut after its ellipses and inner sentence ends.

        A small model drops a long sentence's last thought, and the items in it, without stopping
        early enough for :mod:`.sentences` to notice (the sample's Zelensky quote lost "Baik bagi
        mereka, maupun untuk Korea Utara" after "… gagal."). A sentence of one thought gets no candidate.
        """
        spans: dict[int, tuple[int, int]] = {}
        requests: list[str] = []
        for i, w in todo.items():
            parts = split_at_stops(w.source)
            if len(parts) > 1:
                spans[i] = (len(requests), len(requests) + len(parts))
                requests.extend(parts)
        outputs = [out.text for out in memo.translate(requests, "thoughts")]
        for i, (start, end) in spans.items():
            w = todo[i]
            w.add("thoughts", repair_text(join_translations(outputs[start:end]), w.items, w.source))

    def _split_around(self, todo: dict[int, _Sentence], memo: _Memo, cuts: dict[int, set[int]], strategy: str) -> None:
        """Translate the text between the still-missing items and put their renderings between.

        ``split`` cuts the sentence at each item its best candidate misses; ``split-more`` cuts again
        where the pieces lost an item too (the ``split`` candidate's misses), keeping every earlier
        cut, so the items the model placed itself keep their English word order. Every piece with
        words is translated on its own, and the pieces are joined in source order with the renderings
        in place of the items. A sentence with no new cut is not translated again.
        """
        plans: dict[int, list[tuple[str, Any, str]]] = {}
        requests: list[str] = []
        for i, w in todo.items():
            before = cuts.get(i, set())
            failing_now = w.failing(self.split_kinds)
            missing = before | {k for k, item in enumerate(w.items) if item in failing_now}
            for candidate in w.candidates:
                if candidate.strategy == "split":
                    missing |= {k for k, ok in enumerate(candidate.checks.ok) if not ok}
            missing = {k for k in missing if w.items[k].kind in self.split_kinds}
            if not missing or missing == before:
                continue
            cuts[i] = missing
            cut = [item for k, item in enumerate(w.items) if k in missing]
            plan: list[tuple[str, Any, str]] = []
            cursor = 0
            for item in [*cut, None]:
                piece = w.source[cursor : item.start if item else len(w.source)]
                if re.search(r"\w", piece):
                    plan.append(("text", len(requests), piece))
                    requests.append(piece)
                elif piece:
                    plan.append(("raw", piece, piece))
                if item is not None:
                    plan.append(("term", item.rendering, item.surface))
                    cursor = item.end
            plans[i] = plan
        outputs = [out.text for out in memo.translate(requests, strategy)]
        for i, plan in plans.items():
            w = todo[i]
            w.add(strategy, repair_text(_join_plan(plan, outputs), w.items, w.source))


def _checked(outputs: list[Translation], expected: int) -> list[Translation]:
    """A translator's outputs, or TranslationError when it returned a different number."""
    if len(outputs) != expected:
        raise TranslationError(f"inner translator returned {len(outputs)} translations for {expected} sentences")
    return outputs


class _Memo:
    """The candidates' translations during one :meth:`GlossaryTranslator.translate` call.

    A text translated before in the call (the split rounds share most pieces; a protected source
    may equal another source) is not sent again, and its time is counted where it was translated.
    """

    def __init__(self, translator: Translator, done: dict[str, Translation], progress: Progress | None) -> None:
        self.translator = translator
        self.done = done
        self.progress = progress

    def translate(self, texts: list[str], what: str) -> list[Translation]:
        """The translations of ``texts``; ``what`` names the round for the progress display."""
        todo = list(dict.fromkeys(t for t in texts if t not in self.done))
        if self.progress is not None and todo:
            self.progress.phase(f"checking facts: {what}", len(todo))
        fresh = dict(zip(todo, _checked(self.translator.translate(todo), len(todo)) if todo else []))
        self.done.update(fresh)
        outputs = []
        for text in texts:
            first = fresh.pop(text) if text in fresh else None
            outputs.append(first or Translation(text, self.done[text].text, 0.0, dict(self.done[text].info)))
        return outputs


def _all_scores(values: Any, expected: int) -> list[float]:
    """The scorer's values, one per scored text, or TranslationError (a missing score is never dropped)."""
    scores = [float(value) for value in (values or [])]
    if len(scores) != expected:
        raise TranslationError(
            f"the model scored {len(scores)} of {expected} texts",
            hint="the backend's score() must return one value per (source, target) pair",
        )
    return scores


#: The score of a candidate that never needed one (it cannot win on score).
_UNSCORED = -1e9


def _to_score(w: _Sentence) -> list[_Candidate]:
    """The candidates whose scores can decide the winner: none when one candidate wins on items alone.

    Ties on (terms+numbers, names, fewest invented names) are broken by score; a candidate that gains
    names over the model's own output must score within ``NAME_MARGIN`` of it, so then every candidate
    with its count of terms and numbers is scored, with the model's output.
    """
    top = max(c.tier() for c in w.candidates)
    leaders = [c for c in w.candidates if c.tier() == top]
    if top[1:] > w.plain.tier()[1:]:
        contenders = [c for c in w.candidates if c.tier()[0] == top[0]]
        return list({id(c): c for c in [w.plain, *contenders]}.values())
    return leaders if len(leaders) > 1 else []


def _join_plan(plan: list[tuple[str, Any, str]], outputs: list[str]) -> str:
    parts: list[str] = []
    for kind, value, source_piece in plan:
        if kind == "text":
            text = outputs[value].strip()
            first = text.split(" ", 1)[0]
            if parts and first.lower() in _LOWER_AFTER_TERM and first[:1].isupper():
                text = text[0].lower() + text[1:]
            if not re.search(r"[.!?…][\"'”’)]*\s*$", source_piece):
                text = re.sub(r"[.!?]+$", "", text).rstrip()
            pause = re.search(r"([,;:])\s*$", source_piece)  # the source's pause before the next item
            if pause and re.search(r"[\w\"'”’)\]]$", text):  # not after a dash or a colon of its own
                text += pause.group(1)
            parts.append(text)
        else:
            parts.append(value.strip() if kind == "raw" else value)
    text = re.sub(r"\s+([,.;:!?])", r"\1", " ".join(p for p in parts if p))
    return text[0].upper() + text[1:] if text[:1].islower() else text


def _fix_one(text: str, match: Match, alone: str, all_matches: list[Match]) -> str:
    entry, rendering = match.entry, match.rendering
    present = rendering_spans(entry, rendering, text)
    # 1. forbidden forms become the rendering (they are wrong renderings of this very term), and so
    #    does the Indonesian form left in the English (as written or capitalised, as it was found)
    for form in forbidden_in(entry, text, present):
        text = re.sub(rf"(?<!\w){re.escape(form)}(?!\w)", lambda _m: rendering, text, flags=re.IGNORECASE)
    copies = untranslated_spans(entry, (match.surface,), text, rendering_spans(entry, rendering, text))
    for _, (start, end) in reversed(copies):
        text = text[:start] + rendering + text[end:]
    if rendering_spans(entry, rendering, text):
        return text
    # 2. the Indonesian term left untranslated, or 3. the model's own rendering of the term,
    #    when it occurs exactly once (an unambiguous anchor) and is not a common word
    protected = [m.rendering for m in all_matches]
    # 4. a word the term and its rendering share, when the rendering adds words (``wilayah Kursk`` →
    #    ``Kursk region``: ``Kursk``), together with the rendering's other words beside it
    words = rendering.split()
    shared = [w for w in words if w in match.term.split()] if set(words) - set(match.term.split()) else []
    for anchor in (match.term, *entry.sources, alone, *shared):
        anchor = anchor.strip()
        if len(anchor) < 3 or anchor.casefold() in _COMMON or not re.search(r"\w", anchor):
            continue
        if anchor not in shared and any(anchor.casefold() in r.casefold() for r in protected):
            continue
        hits = list(re.finditer(rf"(?<!\w){re.escape(anchor)}(?!\w)", text, re.IGNORECASE))
        if anchor in shared:  # not the word inside another term's rendering ("Korea" of "South Korea")
            hits = [h for h in hits if not _inside_other(text, h.span(), match, all_matches)]
        if len(hits) == 1:
            start, end = hits[0].span()
            if anchor in shared:
                start, end = _widen(text, start, end, {w.casefold() for w in words})
            return text[:start] + rendering + text[end:]
    near = _near_rendering(text, match, all_matches)
    if near is not None:
        return text[: near[0]] + rendering + text[near[1] :]
    return _complete_place(text, match, all_matches)


#: Text ending in a capitalised word or abbreviation and spaces: a run after it is part of that name
#: (unless the word is a common one: ``The``).
_AFTER_NAME = re.compile(r"(?<![\w.'’])[A-Z][\w.'’]*\s+$")


def _near_rendering(text: str, match: Match, all_matches: list[Match]) -> tuple[int, int] | None:
    """4b. The one run of words that is the rendering written short or in another form, where it is.

    A run of consecutive words, each a form of a word of a rendering of two or more words
    (:func:`~idtrans.glossary.facts.same_word`), covering at least half of those words and two of
    them: ``Ukraine Minister`` for ``Ukrainian Defence Minister``. Only when exactly one such run lies
    outside the other terms' renderings (``Defence Minister`` of a right ``Ukrainian Defence Minister``
    is not the Russian one's) and after no capitalised word or abbreviation (``North Korean Defence
    Minister`` is another minister).
    """
    words = [w for w in match.rendering.split() if w.casefold() not in _COMMON]
    if len(words) < 2:
        return None
    tokens = re.finditer(r"[^\W_][\w-]*(?:['’]s\b)?", text)  # a possessive in its word: Ukraine's
    matched = [(t, {n for n, w in enumerate(words) if same_word(t.group(), w)}) for t in tokens]
    groups: list[list[tuple[re.Match[str], set[int]]]] = []
    for token, forms in matched:  # runs of matching words separated by spaces only
        if not forms:
            groups.append([])
        elif groups and groups[-1] and not text[groups[-1][-1][0].end() : token.start()].strip():
            groups[-1].append((token, forms))
        else:
            groups.append([(token, forms)])
    runs: list[tuple[int, int]] = []
    for group in groups:
        if not group or len(set().union(*(forms for _, forms in group))) < max(2, (len(words) + 1) // 2):
            continue
        span = (group[0][0].start(), group[-1][0].end())
        # after a capitalised word or abbreviation the run ends another name (``North Korean Defence Minister``)
        before = _AFTER_NAME.search(text, 0, span[0])
        if before is not None and before.group().strip().casefold() not in _COMMON:
            continue
        if not _inside_other(text, span, match, all_matches):
            runs.append(span)
    return runs[0] if len(runs) == 1 else None


def _complete_place(text: str, match: Match, all_matches: list[Match]) -> str:
    """5. A place's two-word form written with its last word only: the missing words put before it.

    ``small Korean forces`` for ``pasukan Korea Utara`` becomes ``small North Korean forces``, when
    that last word occurs once, outside other terms' renderings, after a lower-case word.
    """
    if match.entry.category != "place":
        return text
    for form in (match.rendering, *match.entry.also):
        words = form.split()
        if len(words) < 2:
            continue
        hits = [
            h
            for h in re.finditer(rf"(?<!\w){re.escape(words[-1])}(?!\w)", text)
            if not _inside_other(text, h.span(), match, all_matches)
        ]
        if len(hits) != 1:
            continue
        previous = text[: hits[0].start()].split()
        if previous and (previous[-1][:1].isupper() or previous[-1] == words[-2]):
            continue
        return text[: hits[0].start()] + " ".join(words[:-1]) + " " + text[hits[0].start() :]
    return text


def _inside_other(text: str, span: tuple[int, int], match: Match, all_matches: list[Match]) -> bool:
    """Whether ``span`` of ``text`` lies inside the rendering of another matched term."""
    return any(
        a <= span[0] and span[1] <= b
        for other in all_matches
        if other.entry is not match.entry
        for a, b in rendering_spans(other.entry, other.rendering, text)
    )


def _widen(text: str, start: int, end: int, words: set[str]) -> tuple[int, int]:
    """Grow ``start:end`` over the neighbouring words that belong to the rendering (``Kursk border`` → all)."""
    while (after := re.match(r"\s+(\w+)", text[end:])) and after.group(1).casefold() in words:
        end += after.end()
    while (before := re.search(r"(\w+)\s+$", text[:start])) and before.group(1).casefold() in words:
        start = before.start()
    return start, end
