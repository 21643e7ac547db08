"""Figures stated in sentences: 全年主动公开政府信息2645条, 本年度共收到申请70件, 未收到…行政复议 (0).

A clause states a figure when a number with a unit word follows its subject (or a verb, with the
subject after the number); a clause without figures that puts a negation before a subject states 0.
The words are data (``rules/data/prose.toml``), matched as whole jieba words of the clause
(:class:`rules.tokenize.Segmented`); a figure that cannot be tied to one fact is not read. Facts
are evidence: in a legacy report without a statistics table they become cells (method ``prose``);
otherwise rule T1 checks that they agree with the table cell they restate.
"""

from __future__ import annotations

import bisect
import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache

from extractor.readers.cjk import CN_NUMERAL
from rules.constants import AMOUNT_UNIT, YUAN_PER_AMOUNT_UNIT
from rules.legacy_data import LEGACY, FactSpec, prose_words
from rules.tokenize import Segmented

logger = logging.getLogger(__name__)

CONFIDENCE_NUMBER = 0.7
CONFIDENCE_ZERO = 0.6
NEGATION_GAP = 24  # characters from a negation to the subject word it denies
AFTER_GAP = 20  # characters after the number in which a verb's subject may follow
_SUB = f"[（(]{CN_NUMERAL}{{1,2}}[）)]"
# where sentences end: at 。；!? or a line end, and before a sub-heading such as （一）
_CUT = re.compile(f"(?=[。；;！？!?\\n（(])(?:[。；;！？!?\\n]|(?={_SUB}))")
_CLAUSE = re.compile(r"[^，,：:]+")
_TABLE_TEXT = re.compile(r"[|\t]")


@dataclass(frozen=True, slots=True)
class Fact:
    key: str
    value: float
    unit: str
    raw: str  # the number as printed ("21", "0" for a negation)
    section: int | None  # None: a text without section headings (a page excerpt)
    sentence: str
    start: int  # offsets of the number (or the negation) in the section's text
    end: int
    confidence: float
    name: str  # the prose.toml fact

    @property
    def span(self) -> str:
        return f"{self.start}-{self.end}"


WRAP_MIN = 20  # a line at least this long that ends mid-sentence was wrapped (PDF text)
_SENTENCE_END = "。；;！？!?：:"


@dataclass(frozen=True, slots=True)
class Unwrapped:
    """A text with the line breaks of wrapped lines removed (a long line not ending a sentence
    continues on the next), and the way back to offsets in the original."""

    text: str
    _shifts: tuple[int, ...]  # flat offset of each removed break

    def original(self, flat: int) -> int:
        return flat + bisect.bisect_right(self._shifts, flat)


def unwrap(text: str) -> Unwrapped:
    removed: list[int] = []
    prev, i = -1, text.find("\n")
    while i >= 0:
        if i - prev - 1 >= WRAP_MIN and text[i - 1] not in _SENTENCE_END:
            removed.append(i)
        prev, i = i, text.find("\n", i + 1)
    if not removed:
        return Unwrapped(text, ())
    kept = [text[a + 1 : b] for a, b in zip([-1, *removed], [*removed, len(text)], strict=True)]
    return Unwrapped("".join(kept), tuple(r - k for k, r in enumerate(removed)))


@cache
def _number_re() -> re.Pattern[str]:
    units = "|".join(re.escape(u) for u in prose_words().units)
    return re.compile(rf"(?=\d)(?<![\d.])(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>{units})(?![\d%])")


@cache
def _zero_re() -> re.Pattern[str]:
    """Any negation or zero phrase: a clause without one states no 0."""
    words = prose_words()
    return _any_of({*words.negations, *(z for f in words.facts for z in f.zero)})


@cache
def _ignore_re() -> re.Pattern[str]:
    return _any_of(set(prose_words().ignore_in))


@cache
def _ignore_clause_re() -> re.Pattern[str]:
    return _any_of(set(prose_words().ignore_in_clause))


@cache
def _subject_re() -> re.Pattern[str]:
    """Any word of any fact's subjects (a quick test before the per-fact matching)."""
    return _any_of({w for f in prose_words().facts for alt in f.subjects for w in alt})


def _any_of(words: set[str]) -> re.Pattern[str]:
    """Any of ``words`` (longest first), with a first-character test that rejects most positions
    fast (Python's re tries every alternative at every position otherwise)."""
    first = "".join(sorted({re.escape(w[0]) for w in words}))
    return re.compile(f"(?=[{first}])(?:{'|'.join(re.escape(w) for w in sorted(words, key=len, reverse=True))})")


def _key_of(spec: FactSpec, version: str | None) -> str:
    return spec.legacy if version == LEGACY else spec.modern


def _subject_span(text: Segmented, alt: Sequence[str]) -> tuple[int, int] | None:
    """Where the words of ``alt`` stand whole in ``text``: from the last word's first occurrence to
    the end of the last word's last occurrence (all words present), else None."""
    if text.bounds is None:  # plain: str's own find (the hot path of the first pass)
        plain = text.text
        if not all(w in plain for w in alt):
            return None
        return max(plain.find(w) for w in alt), max(plain.rfind(w) + len(w) for w in alt)
    firsts = [text.find(w) for w in alt]
    if min(firsts, default=0) < 0:
        return None
    return max(firsts), max(text.rfind(w) + len(w) for w in alt)


def _subject_end(text: Segmented, alt: Sequence[str]) -> int | None:
    """Where the last word of ``alt`` ends in ``text`` (all words present), else None."""
    span = _subject_span(text, alt)
    return None if span is None else span[1]


def _subject_start(text: Segmented, alt: Sequence[str]) -> int | None:
    span = _subject_span(text, alt)
    return None if span is None else span[0]


def _applies(spec: FactSpec, clause: Segmented, before: Segmented) -> bool:
    """Exclusion and share words rule a fact out wherever they stand, even inside a word (ruling out
    only gains precision); a scope word is a whole word, as the subject is."""
    if any(w in clause.text for w in spec.exclude):
        return False
    if any(w in before.text for w in spec.parts):
        return False
    return not spec.scope or any(w in before for w in spec.scope)


def _value(num: str, unit: str) -> tuple[float, str]:
    value = float(num)
    if unit in prose_words().amount_units:
        return (value / YUAN_PER_AMOUNT_UNIT if unit == "元" else value), AMOUNT_UNIT
    return value, unit


def _best_before(
    specs: Sequence[FactSpec], clause: Segmented, before: Segmented, unit: str, gap: int
) -> FactSpec | None:
    """The fact whose subject ends closest before the number; on a tie the longer subject word
    (不同意公开 over 同意公开), then the data order."""
    best: tuple[tuple[int, int, int], FactSpec] | None = None
    for order, spec in enumerate(specs):
        if unit not in spec.units or not _applies(spec, clause, before):
            continue
        for alt in spec.subjects:
            end = _subject_end(before, alt)
            if end is None or len(before) - end > gap or re.search(r"\d", before.text[end:]):
                continue
            rank = (len(before) - end, -max(len(w) for w in alt), order)
            if best is None or rank < best[0]:
                best = (rank, spec)
    return best[1] if best else None


def _best_after(
    specs: Sequence[FactSpec], clause: Segmented, before: Segmented, after: Segmented, unit: str
) -> FactSpec | None:
    """收到12件政府信息公开申请: a verb before the number, the subject after it."""
    words = prose_words()
    tail = before[-words.max_gap :]
    if not any(v in tail for v in words.verbs) or re.search(r"\d", after.text[:AFTER_GAP]):
        return None
    window = after[:AFTER_GAP]
    for spec in specs:
        if unit not in spec.units or spec.scope or not _applies(spec, clause, before):
            continue
        # the alternative's words around the number, at least one of them after it
        if any(all(w in tail or w in window for w in alt) and any(w in window for w in alt) for alt in spec.subjects):
            return spec
    return None


def _zero(specs: Sequence[FactSpec], clause: Segmented) -> Iterator[tuple[FactSpec, int, int]]:
    """Facts a clause without figures states as none: (spec, start, end of the negation)."""
    negations = [(i, neg) for neg in prose_words().negations if (i := clause.find(neg)) >= 0]
    for spec in specs:
        if any(w in clause.text for w in spec.exclude):
            continue
        hit = next(((clause.find(z), len(z)) for z in spec.zero if z in clause), None)
        if hit:
            yield spec, hit[0], hit[0] + hit[1]
            continue
        if not spec.negatable:
            continue
        for i, neg in negations:
            rest = clause[i:]
            for alt in spec.subjects:
                start = _subject_start(rest, alt)
                end = _subject_end(rest, alt)
                if start is None or end is None or end <= len(neg) or start > NEGATION_GAP:
                    continue
                yield spec, i, i + len(neg)
                break
            else:
                continue
            break


@cache
def _trigger_re() -> re.Pattern[str]:
    """A number with a unit word, or a negation or zero phrase: what a stated figure needs. One
    first-character test for both (a digit or a negation's first character) rejects most positions
    of a long text at once."""
    words = prose_words()
    first = {re.escape(w[0]) for w in {*words.negations, *(z for f in words.facts for z in f.zero)}}
    return re.compile(f"(?=[\\d{''.join(sorted(first))}])(?:{_number_re().pattern}|{_zero_re().pattern})")


def _trigger_sentences(text: str) -> Iterator[tuple[int, str]]:
    """(start, sentence) of each sentence of ``text`` that holds a trigger, once each, in order."""
    triggers = list(_trigger_re().finditer(text))
    if not triggers:
        return
    cuts = [(m.start(), m.end()) for m in _CUT.finditer(text)]
    starts = [c[0] for c in cuts]
    seen: set[int] = set()
    for m in triggers:
        i = bisect.bisect_right(starts, m.start())
        s0 = cuts[i - 1][1] if i else 0
        if s0 in seen:
            continue
        seen.add(s0)
        yield s0, text[s0 : starts[i] if i < len(starts) else len(text)]


@cache
def _subject_sets() -> tuple[tuple[str, ...], dict[str, tuple[frozenset[str], ...]]]:
    """Every subject word, and each fact's subject alternatives as sets of words."""
    facts = prose_words().facts
    every = tuple({w for f in facts for alt in f.subjects for w in alt})
    return every, {f.name: tuple(frozenset(alt) for alt in f.subjects) for f in facts}


def _named(specs: Sequence[FactSpec], text: str) -> list[FactSpec]:
    """The facts all words of one of whose subject alternatives ``text`` holds (as substrings)."""
    every, alts = _subject_sets()
    present = {w for w in every if w in text}
    return [s for s in specs if any(alt <= present for alt in alts[s.name])]


@dataclass(frozen=True, slots=True)
class _Stated:
    """A figure a clause states: its fact, value and unit, and where the number (or negation) is."""

    spec: FactSpec
    value: float
    unit: str
    raw: str
    start: int
    end: int
    confidence: float


def _stated(
    named: Sequence[FactSpec], zeroable: Sequence[FactSpec], clause: Segmented, hits: Sequence[re.Match[str]]
) -> list[_Stated]:
    """The figures of one clause: its numbers with units (``hits``) tied to one of the ``named``
    facts, or else (no number) the ``zeroable`` facts it negates."""
    words = prose_words()
    out: list[_Stated] = []
    for m in hits:
        before, after, unit = clause[: m.start()], clause[m.end() :], m.group("unit")
        spec = _best_before(named, clause, before, unit, words.max_gap) or _best_after(
            named, clause, before, after, unit
        )
        if spec is not None:
            value, unit_out = _value(m.group("num"), unit)
            out.append(_Stated(spec, value, unit_out, m.group("num"), m.start("num"), m.end("num"), CONFIDENCE_NUMBER))
    if hits:
        return out
    for spec, s, e in _zero(zeroable, clause):
        unit = "万元" if set(spec.units) <= set(words.amount_units) else spec.units[0]
        out.append(_Stated(spec, 0.0, unit, clause.text[s:e], s, e, CONFIDENCE_ZERO))
    return out


def find_facts(sections: Sequence[tuple[int | None, str]], version: str | None) -> list[Fact]:
    """Facts stated in the sections' text (number, text) for a report of ``version``."""
    words = prose_words()
    specs = [s for s in words.facts if _key_of(s, version)]
    if not specs:
        return []
    number_re = _number_re()
    zero_re = _zero_re()
    subject_re = _subject_re()
    ignore_re = _ignore_re()
    ignore_clause_re = _ignore_clause_re()
    out: list[Fact] = []
    for number, original in sections:
        flat = unwrap(original)
        text = flat.text
        for start, sentence in _trigger_sentences(text):
            if not subject_re.search(sentence) or _TABLE_TEXT.search(sentence) or ignore_re.search(sentence):
                continue
            if not (number_re.search(sentence) or zero_re.search(sentence)):
                continue
            for cm in _CLAUSE.finditer(sentence):
                raw = cm.group()
                if ignore_clause_re.search(raw):
                    continue
                base = start + cm.start()
                hits = list(number_re.finditer(raw))
                if not hits and not zero_re.search(raw):
                    continue
                # the only candidates: the facts one of whose subjects the clause holds, and for a
                # clause without numbers those a zero phrase names
                named = _named(specs, raw) if subject_re.search(raw) else []
                zeroable = [] if hits else [s for s in specs if s in named or any(z in raw for z in s.zero)]
                if not (named if hits else zeroable):
                    continue
                # substring matching first (cheap): whole words can only find fewer, so a clause
                # in which substrings state nothing is never cut into words
                found = _stated(named, zeroable, Segmented.plain(raw), hits)
                if not found:
                    continue
                # again in words, for the numbers (or the negation) substrings tied to a fact only
                starts = {st.start for st in found}
                hits = [m for m in hits if m.start("num") in starts]
                for st in _stated(named, zeroable, Segmented.cut(raw), hits):
                    out.append(
                        Fact(
                            _key_of(st.spec, version),
                            st.value,
                            st.unit,
                            st.raw,
                            number,
                            sentence.strip(),
                            flat.original(base + st.start),
                            flat.original(base + st.end - 1) + 1,
                            st.confidence,
                            st.spec.name,
                        )
                    )
    return out


def _hinted(before: Segmented, unit: str, version: str | None) -> list[str]:
    """The keys of the facts whose subject ends within ``max_gap`` of the end of ``before``, with no
    digit in between."""
    words = prose_words()
    keys: list[str] = []
    for spec in _named(words.facts, before.text):
        key = _key_of(spec, version)
        if not key or unit not in spec.units:
            continue
        for alt in spec.subjects:
            end = _subject_end(before, alt)
            if end is not None and len(before) - end <= words.max_gap and not re.search(r"\d", before.text[end:]):
                keys.append(key)
                break
    return keys


def find_hints(sections: Sequence[tuple[int | None, str]], version: str | None) -> dict[str, set[float]]:
    """Every number the prose prints shortly after a fact's subject words, whatever the clause says
    about scope or parts, and with the subject words found as substrings: only to choose among the
    readings of a table row whose digits ran together, never a value by itself."""
    words = prose_words()
    number_re = _number_re()
    subject_re = _subject_re()
    out: dict[str, set[float]] = {}
    for _, original in sections:
        text = unwrap(original).text
        for m in number_re.finditer(text):
            window = text[max(0, m.start() - words.max_gap - 12) : m.start()]
            if not subject_re.search(window):
                continue
            unit = m.group("unit")
            # subjects as substrings: a hint is generous by design (it ignores scope, parts and
            # exclusions too), and it only ever narrows readings the table's sums already allow
            for key in _hinted(Segmented.plain(window), unit, version):
                out.setdefault(key, set()).add(_value(m.group("num"), unit)[0])
    return out
