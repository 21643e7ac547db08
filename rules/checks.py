"""The form's consistency rules (R1–R4 of spec/OUTPUT.md) evaluated on the extracted cells."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rules.constants import TOLERANCE
from rules.data import form
from rules.form import Equation, equations

__all__ = ["APPLICANT_COLS", "FLOW", "TOLERANCE", "Check", "evaluate", "run_checks"]

# Names other modules used to import from here; the form's structure is read from form.toml once.
APPLICANT_COLS = form().requests.applicants
FLOW = form().requests.flow


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


MISSING = "missing"  # an operand the report does not print
BLANK = "blank"


def _word(key: str, values: Mapping[str, float | None], states: Mapping[str, str] | None) -> str:
    """What stands in an operand's place when it has no number: its state, or missing."""
    if states is None:
        return BLANK
    return states.get(key, BLANK) if key in values else MISSING


def _operands(
    eq: Equation, side: tuple[str, ...], values: Mapping[str, float | None], states: Mapping[str, str] | None
) -> str:
    # an operand is named by what tells it apart within the equation: its row, or else its column
    by_row = len({k.split(".", 2)[1] for k in eq.keys}) > 1
    out = []
    for k in side:
        v = values.get(k)
        out.append(f"{k.split('.', 2)[1 if by_row else 2]}={_word(k, values, states) if v is None else f'{v:g}'}")
    return " + ".join(out)


def evaluate(eq: Equation, values: Mapping[str, float | None], states: Mapping[str, str] | None = None) -> Check:
    """``eq`` on ``values``; ``states`` (key -> blank/dash/text), when given, names an operand
    without a number in ``detail`` as what was printed, or missing."""
    lhs, rhs = _operands(eq, eq.lhs, values, states), _operands(eq, eq.rhs, values, states)
    sides = eq.sides(values.get)
    passed = sides.holds
    if passed is None:
        return Check(eq.rule, eq.scope, None, f"{lhs} vs {rhs}: not evaluable (blank, dash or missing operand)")
    detail = f"{lhs} = {sides.left:g} {'=' if passed else '≠'} {rhs} = {sides.right:g}"
    return Check(eq.rule, eq.scope, passed, detail, sides.left, sides.right)


def run_checks(
    values: Mapping[str, float | None], version: str | None, states: Mapping[str, str] | None = None
) -> list[Check]:
    """Evaluate R1–R4 on ``values`` (canonical key -> number, None for blank/dash).

    A table the report does not print yields no checks; a blank, dash or missing operand yields
    ``passed=None`` (not evaluable). ``states`` names such operands in ``detail`` (see :func:`evaluate`).
    """
    return [evaluate(eq, values, states) for eq in equations(version, values.keys())]
