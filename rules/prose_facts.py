"""Figures stated in sentences: 全年主动公开政府信息2645条, 本年度共收到申请70件, 未收到…行政复议 (0).

A clause states a figure when a number with a unit word follows its subject (or a verb, with the
subject after the number); a clause without figures that puts a negation before a subject states 0.
The words are data (``rules/data/prose.toml``); a figure that cannot be tied to one fact is not
read. Facts are evidence: in a legacy report without a statistics table they become cells (method
``prose``); otherwise rule T1 checks that they agree with the table cell they restate.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from rules.legacy_data import LEGACY, FactSpec, prose_words

logger = logging.getLogger(__name__)

CONFIDENCE_NUMBER = 0.7
CONFIDENCE_ZERO = 0.6
NEGATION_GAP = 24  # characters from a negation to the subject word it denies
AFTER_GAP = 20  # characters after the number in which a verb's subject may follow
YUAN_PER_WAN = 10000.0
# a sentence ends at 。；!? or a line end, and before a sub-heading such as （一）
_SUB = "[（(][一二三四五六七八九十]{1,2}[）)]"
_PLAIN = "[^。；;！？!?\n（(]*"
_SENTENCE = re.compile(f"(?:{_SUB})?{_PLAIN}(?:[（(](?!{_SUB[5:]}){_PLAIN})*")
_CLAUSE = re.compile(r"[^，,：:]+")
_TABLE_TEXT = re.compile(r"[|\t]")


@dataclass(frozen=True, slots=True)
class Fact:
    key: str
    value: float
    unit: str
    raw: str  # the number as printed ("21", "0" for a negation)
    section: int
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


def unwrap(text: str) -> tuple[str, list[int]]:
    """``text`` with the line breaks of wrapped lines removed (a long line not ending a sentence
    continues on the next), and for each character its offset in ``text``."""
    out: list[str] = []
    where: list[int] = []
    line_len = 0
    for i, ch in enumerate(text):
        if ch == "\n":
            prev = out[-1] if out else ""
            if line_len >= WRAP_MIN and prev not in _SENTENCE_END:
                line_len = 0
                continue
            line_len = 0
        else:
            line_len += 1
        out.append(ch)
        where.append(i)
    return "".join(out), where


def _number_re() -> re.Pattern[str]:
    units = "|".join(re.escape(u) for u in prose_words().units)
    return re.compile(rf"(?<![\d.])(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>{units})(?![\d%])")


def _key_of(spec: FactSpec, version: str | None) -> str:
    return spec.legacy if version == LEGACY else spec.modern


def _subject_end(text: str, alt: Sequence[str]) -> int | None:
    """Where the last word of ``alt`` ends in ``text`` (all words present), else None."""
    ends = []
    for w in alt:
        i = text.rfind(w)
        if i < 0:
            return None
        ends.append(i + len(w))
    return max(ends)


def _subject_start(text: str, alt: Sequence[str]) -> int | None:
    starts = []
    for w in alt:
        i = text.find(w)
        if i < 0:
            return None
        starts.append(i)
    return max(starts)


def _applies(spec: FactSpec, clause: str, before: str) -> bool:
    if any(w in clause for w in spec.exclude):
        return False
    if any(w in before for w in spec.parts):
        return False
    return not spec.scope or any(w in before for w in spec.scope)


def _value(num: str, unit: str) -> tuple[float, str]:
    value = float(num)
    if unit in prose_words().amount_units:
        return (value / YUAN_PER_WAN if unit == "元" else value), "万元"
    return value, unit


def _best_before(specs: Sequence[FactSpec], clause: str, before: str, unit: str, gap: int) -> FactSpec | None:
    best: tuple[int, int, FactSpec] | None = None
    for order, spec in enumerate(specs):
        if unit not in spec.units or not _applies(spec, clause, before):
            continue
        for alt in spec.subjects:
            end = _subject_end(before, alt)
            if end is None or len(before) - end > gap or re.search(r"\d", before[end:]):
                continue
            dist = len(before) - end
            if best is None or (dist, order) < best[:2]:
                best = (dist, order, spec)
    return best[2] if best else None


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


def find_facts(sections: Sequence[tuple[int, str]], version: str | None) -> list[Fact]:
    """Facts stated in the sections' text (number, text) for a report of ``version``."""
    words = prose_words()
    specs = [s for s in words.facts if _key_of(s, version)]
    if not specs:
        return []
    number_re = _number_re()
    out: list[Fact] = []
    for number, original in sections:
        text, where = unwrap(original)
        for sm in _SENTENCE.finditer(text):
            sentence = sm.group()
            if _TABLE_TEXT.search(sentence) or any(w in sentence for w in words.ignore_in):
                continue
            for cm in _CLAUSE.finditer(sentence):
                clause = cm.group()
                base = sm.start() + cm.start()
                hits = list(number_re.finditer(clause))
                for m in hits:
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
                            where[base + m.start("num")],
                            where[base + m.end("num") - 1] + 1,
                            CONFIDENCE_NUMBER,
                            spec.name,
                        )
                    )
                if hits:
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
                            where[base + s],
                            where[base + e - 1] + 1,
                            CONFIDENCE_ZERO,
                            spec.name,
                        )
                    )
    return out


def find_hints(sections: Sequence[tuple[int, str]], version: str | None) -> dict[str, set[float]]:
    """Every number the prose prints shortly after a fact's subject words, whatever the clause says
    about scope or parts: only to choose among the readings of a table row whose digits ran
    together, never a value by itself."""
    words = prose_words()
    number_re = _number_re()
    out: dict[str, set[float]] = {}
    for _, original in sections:
        text, _ = unwrap(original)
        for m in number_re.finditer(text):
            before = text[max(0, m.start() - words.max_gap - 12) : m.start()]
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
