"""The form's equations R1–R4 (spec/OUTPUT.md), written once and built from rules/data/form.toml.

An :class:`Equation` names the canonical keys on its two sides. The consistency checks
(:mod:`rules.checks`), the recovery of run-together cells (:mod:`rules.tables`) and the OCR repair
(:mod:`rules.repair`) all evaluate these same equations, each with its own way of looking a key's
value up.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from rules.constants import TOLERANCE, VERSIONS
from rules.data import form, printed_request_rows

Lookup = Callable[[str], float | None]


class Rule(StrEnum):
    """The form's equations within one report (spec/OUTPUT.md)."""

    FLOW = "R1"  # per column of 三: new + carried over from last year = handled + carried forward
    HANDLED = "R2"  # per column of 三: the handled total = the sum of the outcome rows
    ROW_TOTAL = "R3"  # per row of 三: the total column = the sum of the applicant columns
    REVIEW = "R4"  # per group of 四: 总计 = the sum of the other outcomes
    LEGACY_SUM = "L1"  # a legacy table's total = the sum of its parts (rules/data/legacy.toml)


@dataclass(frozen=True, slots=True)
class Sides:
    """An equation's two sums: ``None`` when an operand is blank, a dash or missing."""

    left: float | None
    right: float | None

    @property
    def holds(self) -> bool | None:
        if self.left is None or self.right is None:
            return None
        return abs(self.left - self.right) <= TOLERANCE


def total(values: Iterable[float | None]) -> float | None:
    vals = list(values)
    return None if any(v is None for v in vals) else sum(v for v in vals if v is not None)


@dataclass(frozen=True, slots=True)
class Equation:
    """``sum(lhs) = sum(rhs)`` over canonical keys (``table.row.col``)."""

    rule: str
    scope: str
    lhs: tuple[str, ...]
    rhs: tuple[str, ...]

    @property
    def keys(self) -> tuple[str, ...]:
        return (*self.lhs, *self.rhs)

    def sides(self, value: Lookup) -> Sides:
        return Sides(total(value(k) for k in self.lhs), total(value(k) for k in self.rhs))


def _key(table: str, row: str, col: str) -> str:
    return f"{table}.{row}.{col}"


def request_equations(version: str, present: Collection[str]) -> list[Equation]:
    """R1 and R2 per column, R3 per printed row of section 三 (``present``: the rows the report
    prints; R2 sums the outcome rows of the form as this report prints it)."""
    f = form()
    req = f.requests
    rows = printed_request_rows(version, present)
    leaves = [r for r in rows if r not in req.flow]
    out: list[Equation] = []
    for col in f.request_columns:
        out.append(
            Equation(
                Rule.FLOW,
                col,
                tuple(_key("requests", r, col) for r in req.flow_in),
                tuple(_key("requests", r, col) for r in req.flow_out),
            )
        )
        out.append(
            Equation(
                Rule.HANDLED,
                col,
                (_key("requests", req.handled, col),),
                tuple(_key("requests", r, col) for r in leaves),
            )
        )
    for row in rows:
        if row in present:
            out.append(row_total_equation(row))
    return out


def row_total_equation(row: str) -> Equation:
    """R3 for one row of section 三: the total column is the sum of the applicant columns."""
    f = form()
    return Equation(
        Rule.ROW_TOTAL,
        row,
        (_key("requests", row, f.total),),
        tuple(_key("requests", row, c) for c in f.requests.applicants),
    )


def review_equations(groups: Iterable[str] | None = None) -> list[Equation]:
    """R4 per group of section 四 (every group, or those named)."""
    f = form()
    rev = f.review
    wanted = rev.groups if groups is None else tuple(groups)
    return [
        Equation(
            Rule.REVIEW,
            g,
            (_key("review", g, f.total),),
            tuple(_key("review", g, o) for o in rev.outcomes if o != f.total),
        )
        for g in rev.groups
        if g in wanted
    ]


def equations(version: str | None, keys: Collection[str]) -> list[Equation]:
    """The equations of the tables a report prints (``keys``: the canonical keys it has)."""
    if version not in VERSIONS:
        return []
    present_rows = {k.split(".")[1] for k in keys if k.startswith("requests.")}
    out = request_equations(version, present_rows) if present_rows else []
    groups = {k.split(".")[1] for k in keys if k.startswith("review.")}
    return out + review_equations(groups)


def none_fail(eqs: Sequence[Equation], value: Lookup) -> bool:
    """Whether no evaluable equation fails."""
    return all(e.sides(value).holds is not False for e in eqs)
