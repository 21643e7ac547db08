"""Figures stated in sentences: 全年主动公开政府信息2645条, 本年度共收到申请70件, 未收到…行政复议 (0).

A clause states a figure when a number with a unit word follows its subject (or a verb, with the
subject after the number); a clause without figures that puts a negation before a subject states 0.
The words are data (``rules/data/prose.toml``); a figure that cannot be tied to one fact is not
read. Facts are evidence: in a legacy report without a statistics table they become cells (method
``prose``); otherwise rule T1 checks that they agree with the table cell they restate.
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


def _subject_span(text: str, alt: Sequence[str]) -> tuple[int, int] | None:
    """Where the words of ``alt`` stand in ``text``: from the last word's first occurrence to the
    end of the last word's last occurrence (all words present), else None."""
    firsts = [text.find(w) for w in alt]
    if min(firsts, default=0) < 0:
        return None
    return max(firsts), max(text.rfind(w) + len(w) for w in alt)


def _subject_end(text: str, alt: Sequence[str]) -> int | None:
    """Where the last word of ``alt`` ends in ``text`` (all words present), else None."""
    span = _subject_span(text, alt)
    return None if span is None else span[1]


def _subject_start(text: str, alt: Sequence[str]) -> int | None:
    span = _subject_span(text, alt)
    return None if span is None else span[0]


def _applies(spec: FactSpec, clause: str, before: str) -> bool:
    if any(w in clause for w in spec.exclude):
        return False
    if any(w in before for w in spec.parts):
        return False
    return not spec.scope or any(w in before for w in spec.scope)


def _value(num: str, unit: str) -> tuple[float, str]:
    value = float(num)
    if unit in prose_words().amount_units:
        return (value / YUAN_PER_AMOUNT_UNIT if unit == "元" else value), AMOUNT_UNIT
    return value, unit


def _best_before(specs: Sequence[FactSpec], clause: str, before: str, unit: str, gap: int) -> FactSpec | None:
    """The fact whose subject ends closest before the number; on a tie the longer subject word
    (不同意公开 over 同意公开), then the data order."""
    best: tuple[tuple[int, int, int], FactSpec] | None = None
    for order, spec in enumerate(specs):
        if unit not in spec.units or not _applies(spec, clause, before):
            continue
        for alt in spec.subjects:
            end = _subject_end(before, alt)
            if end is None or len(before) - end > gap or re.search(r"\d", before[end:]):
                continue
            rank = (len(before) - end, -max(len(w) for w in alt), order)
            if best is None or rank < best[0]:
                best = (rank, spec)
    return best[1] if best else None


def _best_after(specs: Sequence[FactSpec], clause: str, before: str, after: str, unit: str) -> FactSpec | None:
    """收到12件政府信息公开申请: a verb before the number, the subject after it."""
    words = prose_words()
    tail = before[-words.max_gap :]
    if not any(v in tail for v in words.verbs) or re.search(r"\d", after[:AFTER_GAP]):
        return None
    window = after[:AFTER_GAP]
    for spec in specs:
        if unit not in spec.units or spec.scope or not _applies(spec, clause, before):
            continue
        # the alternative's words around the number, at least one of them after it
        if any(
            _subject_start(f"{tail}#{window}", alt) is not None and any(w in window for w in alt)
            for alt in spec.subjects
        ):
            return spec
    return None


def _zero(specs: Sequence[FactSpec], clause: str) -> Iterator[tuple[FactSpec, int, int]]:
    """Facts a clause without figures states as none: (spec, start, end of the negation)."""
    words = prose_words()
    for spec in specs:
        if any(w in clause for w in spec.exclude):
            continue
        hit = next(((clause.find(z), len(z)) for z in spec.zero if z in clause), None)
        if hit:
            yield spec, hit[0], hit[0] + hit[1]
            continue
        if not spec.negatable:
            continue
        for neg in words.negations:
            i = clause.find(neg)
            if i < 0:
                continue
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
    """A number with a unit word, or a negation or zero phrase: what a stated figure needs."""
    return re.compile(f"{_number_re().pattern}|{_zero_re().pattern}")


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
                clause = cm.group()
                if ignore_clause_re.search(clause):
                    continue
                base = start + cm.start()
                hits = list(number_re.finditer(clause))
                for m in hits if subject_re.search(clause) else ():
                    before, after, unit = clause[: m.start()], clause[m.end() :], m.group("unit")
                    spec = _best_before(specs, clause, before, unit, words.max_gap) or _best_after(
                        specs, clause, before, after, unit
                    )
                    if spec is None:
                        continue
                    value, unit_out = _value(m.group("num"), unit)
                    out.append(
                        Fact(
                            _key_of(spec, version),
                            value,
                            unit_out,
                            m.group("num"),
                            number,
                            sentence.strip(),
                            flat.original(base + m.start("num")),
                            flat.original(base + m.end("num") - 1) + 1,
                            CONFIDENCE_NUMBER,
                            spec.name,
                        )
                    )
                if hits or not zero_re.search(clause):
                    continue
                for spec, s, e in _zero(specs, clause):
                    unit = "万元" if set(spec.units) <= set(words.amount_units) else spec.units[0]
                    out.append(
                        Fact(
                            _key_of(spec, version),
                            0.0,
                            unit,
                            clause[s:e],
                            number,
                            sentence.strip(),
                            flat.original(base + s),
                            flat.original(base + e - 1) + 1,
                            CONFIDENCE_ZERO,
                            spec.name,
                        )
                    )
    return out


def find_hints(sections: Sequence[tuple[int | None, str]], version: str | None) -> dict[str, set[float]]:
    """Every number the prose prints shortly after a fact's subject words, whatever the clause says
    about scope or parts: only to choose among the readings of a table row whose digits ran
    together, never a value by itself."""
    words = prose_words()
    number_re = _number_re()
    subject_re = _subject_re()
    out: dict[str, set[float]] = {}
    for _, original in sections:
        text = unwrap(original).text
        for m in number_re.finditer(text):
            before = text[max(0, m.start() - words.max_gap - 12) : m.start()]
            if not subject_re.search(before):
                continue
            for spec in words.facts:
                key = _key_of(spec, version)
                if not key or m.group("unit") not in spec.units:
                    continue
                for alt in spec.subjects:
                    end = _subject_end(before, alt)
                    if end is not None and len(before) - end <= words.max_gap and not re.search(r"\d", before[end:]):
                        out.setdefault(key, set()).add(_value(m.group("num"), m.group("unit"))[0])
                        break
    return out
