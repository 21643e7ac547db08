"""The form's consistency rules (R1–R4 of spec/OUTPUT.md) evaluated on the extracted cells."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rules.form import Equation, equations


@dataclass(frozen=True, slots=True)
class Check:
    """One equation evaluated: its two sums as numbers (``None`` when not evaluable) and a sentence."""

    rule: str
    scope: str
    passed: bool | None
    detail: str
    left: float | None = None
    right: float | None = None

    @property
    def imbalance(self) -> float | None:
        """How far a check's two sides are apart (``None`` when not evaluable)."""
        return None if self.left is None or self.right is None else abs(self.left - self.right)


def _fmt(v: float | None) -> str:
    return "blank" if v is None else f"{v:g}"


def _operands(eq: Equation, side: tuple[str, ...], values: Mapping[str, float | None]) -> str:
    # an operand is named by what tells it apart within the equation: its row, or else its column
    by_row = len({k.split(".", 2)[1] for k in eq.keys}) > 1
    return " + ".join(f"{k.split('.', 2)[1 if by_row else 2]}={_fmt(values.get(k))}" for k in side)


def evaluate(eq: Equation, values: Mapping[str, float | None]) -> Check:
    lhs, rhs = _operands(eq, eq.lhs, values), _operands(eq, eq.rhs, values)
    sides = eq.sides(values.get)
    passed = sides.holds
    if passed is None:
        return Check(eq.rule, eq.scope, None, f"{lhs} vs {rhs}: not evaluable (blank, dash or missing operand)")
    detail = f"{lhs} = {sides.left:g} {'=' if passed else '≠'} {rhs} = {sides.right:g}"
    return Check(eq.rule, eq.scope, passed, detail, sides.left, sides.right)


def run_checks(values: Mapping[str, float | None], version: str | None) -> list[Check]:
    """Evaluate R1–R4 on ``values`` (canonical key -> number, None for blank/dash).

    A table the report does not print yields no checks; a blank or missing operand yields
    ``passed=None`` (not evaluable).
    """
    return [evaluate(eq, values) for eq in equations(version, values.keys())]
