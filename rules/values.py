"""Read one printed cell: a number, a blank, a dash, or text. Blank, dash and 0 stay distinct."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from rules.constants import AMOUNT_UNIT, YUAN_PER_AMOUNT_UNIT
from rules.data import value_words
from rules.normalize import nfkc, squash


class State(StrEnum):
    NUMBER = "number"
    BLANK = "blank"
    DASH = "dash"
    TEXT = "text"


@dataclass(frozen=True, slots=True)
class CellValue:
    value: float | None
    state: State
    note: str | None = None  # e.g. "251000元 converted to 万元"


_NUMBER = re.compile(r"^(?P<sign>[+\-])?(?P<num>\d+(?:,\d{3})*(?:\.\d+)?|\.\d+)(?P<unit>[^\d]*)$")


def _strip_words(text: str, words: tuple[str, ...]) -> tuple[str, str | None]:
    for w in sorted(words, key=len, reverse=True):
        if text.startswith(w):
            return text[len(w) :], w
    return text, None


def parse_value(raw: str, amount: bool = False, default_unit_factor: float = YUAN_PER_AMOUNT_UNIT) -> CellValue:
    """Parse a cell's text.

    ``amount`` cells are in 万元: a printed 元 (or a table-level ``default_unit_factor`` of 1, from a
    header that says 单位：元) is converted; a number printed without a unit is taken as 万元.
    """
    words = value_words()
    text = squash(nfkc(raw)).replace("−", "-").replace("–", "-")
    if not text:
        return CellValue(None, State.BLANK)
    if text in words.dashes or squash(raw) in words.dashes or re.fullmatch(r"[-—―/\\]+", text):
        return CellValue(None, State.DASH)
    sign = 1.0
    body, inc = _strip_words(text, words.increase_words)
    if inc is None:
        body, dec = _strip_words(text, words.decrease_words)
        if dec is not None:
            sign = -1.0
    m = _NUMBER.match(body)
    if not m:
        return CellValue(None, State.TEXT)
    unit = m.group("unit")
    for w in words.count_words:
        unit = unit.removesuffix(w)
    unit = unit.strip("()（）")
    number = float(m.group("num").replace(",", ""))
    if m.group("sign") == "-":
        sign = -sign
    if unit and unit not in words.units:
        return CellValue(None, State.TEXT)
    note = None
    if amount:
        factor = words.units[unit] if unit else default_unit_factor
        if factor != YUAN_PER_AMOUNT_UNIT:
            note = f"{raw.strip()} converted to {AMOUNT_UNIT}"
        number = number * factor / YUAN_PER_AMOUNT_UNIT
    elif unit:
        return CellValue(None, State.TEXT)
    value = sign * number
    return CellValue(round(value, 6) if amount else value, State.NUMBER, note)
