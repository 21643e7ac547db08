"""Recover cells whose printed boundaries were lost (``行政处罚26480430``, ``230 000023``).

A row that shows fewer value tokens than the form has columns is cut into candidate readings:
every way of cutting its digit runs into the right number of numbers without leading zeros.
The form's arithmetic (R1–R4) then picks among the candidates of all rows together; a cell is
recovered only when every reading that satisfies the equations gives it the same value. The rest
are left out, with a warning that says why.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from rules.data import value_words

MAX_DIGITS = 24  # a longer digit run is not a table row
MAX_CANDIDATES = 5000  # per row
MAX_SOLUTIONS = 64
MAX_NODES = 200_000

# A minus sign inside a digit run is a cut point (the tokenizer starts a number there); the sign
# then belongs to the first cell cut from the run after it.
_SPLITTABLE = re.compile(
    rf"^(?P<sign>[+\-－−])?(?P<int>\d+)(?P<frac>\.\d+)?(?P<unit>\s*(?:{value_words().unit_pattern()}))?$"
)


@dataclass(frozen=True, slots=True)
class Piece:
    """One cell's share of a printed token."""

    token: int  # index of the token in the row
    text: str  # the printed characters of this cell
    whole: bool  # the token was not cut


def _cuts(digits: str, k: int) -> Iterator[list[str]]:
    """All ways to cut ``digits`` into ``k`` numbers without leading zeros."""
    if k == 1:
        if len(digits) == 1 or digits[0] != "0":
            yield [digits]
        return
    if digits[0] == "0":
        for rest in _cuts(digits[1:], k - 1) if len(digits) > 1 else ():
            yield ["0", *rest]
        return
    for i in range(1, len(digits) - k + 2):
        for rest in _cuts(digits[i:], k - 1):
            yield [digits[:i], *rest]


def token_readings(text: str, k: int) -> list[list[str]]:
    """Ways to read one printed token as ``k`` cells."""
    compact = re.sub(r"\s+", "", text)
    if k == 1:
        return [[text]]
    m = _SPLITTABLE.match(compact)
    if not m or len(m.group("int")) > MAX_DIGITS:
        return []
    tail = (m.group("frac") or "") + (m.group("unit") or "").strip()
    sign = m.group("sign") or ""
    signed = ([sign + cut[0], *cut[1:]] for cut in _cuts(m.group("int"), k))
    return [[*cut[:-1], cut[-1] + tail] for cut in signed]


def may_hide_cells(text: str, separated: bool) -> bool:
    """Whether a printed token may hold several cells: its digits touch other text (no separator
    was printed), or it starts with 0 and so cannot be one number as printed (``00``, ``023``).
    A separated number like ``32`` is taken as printed: a row that is short of values then more
    likely lost a blank cell than had two numbers run together."""
    compact = re.sub(r"\s+", "", text)
    return not separated or bool(re.match(r"0\d", compact))


def row_readings(texts: Sequence[str], n: int, splittable: Sequence[bool] | None = None) -> list[list[Piece]]:
    """Every reading of a row's printed tokens as exactly ``n`` cells (only ``splittable`` tokens,
    all by default, may be cut)."""
    out: list[list[Piece]] = []
    can_cut = list(splittable) if splittable is not None else [True] * len(texts)

    def rec(i: int, left: int, acc: list[Piece]) -> None:
        if len(out) >= MAX_CANDIDATES:
            return
        if i == len(texts):
            if left == 0:
                out.append(list(acc))
            return
        remaining_tokens = len(texts) - i - 1
        digits = (len(re.sub(r"\D", "", texts[i])) or 1) if can_cut[i] else 1
        for k in range(1, min(left - remaining_tokens, digits) + 1):
            for reading in token_readings(texts[i], k):
                rec(i + 1, left - k, [*acc, *(Piece(i, t, k == 1) for t in reading)])

    rec(0, n, [])
    return out


def signs_fit(reading: Sequence[Piece], cols: Sequence[str], signed: Sequence[str]) -> bool:
    """Whether a reading puts negative numbers only in columns that may hold them."""
    return all(
        not re.match(r"[\-－−]", p.text) or col.rsplit(".", 1)[-1] in signed
        for p, col in zip(reading, cols, strict=True)
    )


Assignment = dict[str, Sequence[float | None]]
# A constraint names the rows it reads and a predicate on their values (None: not evaluable).
Constraint = tuple[frozenset[str], Callable[[Assignment], bool | None]]


def solve(
    candidates: dict[str, list[list[float | None]]], constraints: Sequence[Constraint]
) -> list[Assignment] | None:
    """Every assignment of one candidate per row that satisfies each evaluable constraint.

    ``None`` when the search was cut off (too many readings): then nothing is determined.
    """
    order = sorted(candidates, key=lambda r: len(candidates[r]))
    solutions: list[Assignment] = []
    nodes = 0
    assigned: Assignment = {}

    def ok(row: str) -> bool:
        for rows, pred in constraints:
            if row in rows and rows <= assigned.keys() and pred(assigned) is False:
                return False
        return True

    def rec(i: int) -> bool:
        nonlocal nodes
        if i == len(order):
            solutions.append(dict(assigned))
            return len(solutions) < MAX_SOLUTIONS
        row = order[i]
        for cand in candidates[row]:
            nodes += 1
            if nodes > MAX_NODES:
                return False
            assigned[row] = cand
            if ok(row) and not rec(i + 1):
                del assigned[row]
                return False
            del assigned[row]
        return True

    return solutions if rec(0) else None


def agreed(solutions: Sequence[Sequence[float | None]]) -> list[float | object | None]:
    """Per position, the value every solution gives, or ``UNDETERMINED``."""
    if not solutions:
        return []
    out: list[float | object | None] = []
    for i in range(len(solutions[0])):
        vals = {s[i] for s in solutions}
        out.append(vals.pop() if len(vals) == 1 else UNDETERMINED)
    return out


UNDETERMINED = object()
