"""The form's consistency rules (R1–R4 of spec/OUTPUT.md) evaluated on the extracted cells."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rules.data import form, printed_request_rows

APPLICANT_COLS = (
    "natural_person",
    "commercial_enterprise",
    "research_institution",
    "social_welfare_org",
    "legal_service_org",
    "other_org",
)
FLOW = ("new_received", "carried_over_in", "handled_total", "carried_over_out")
TOLERANCE = 1e-6


@dataclass(frozen=True, slots=True)
class Check:
    rule: str
    scope: str
    passed: bool | None
    detail: str


Operand = tuple[str, float | None] | tuple[str, float | None, str]  # name, value[, state word]
MISSING = "missing"
BLANK = "blank"


def _fmt(v: float | None, word: str = BLANK) -> str:
    """A number, or what stands in its place: blank, dash, text or missing (not printed)."""
    return word if v is None else f"{v:g}"


def _word(values: Mapping[str, float | None], states: Mapping[str, str] | None, key: str) -> str:
    if key not in values:
        return MISSING
    return states.get(key, BLANK) if states else BLANK


def _check(
    rule: str,
    scope: str,
    lhs: Sequence[Operand],
    rhs: Sequence[Operand],
) -> Check:
    left = " + ".join(f"{o[0]}={_fmt(*o[1:])}" for o in lhs)
    right = " + ".join(f"{o[0]}={_fmt(*o[1:])}" for o in rhs)
    vals = [o[1] for o in (*lhs, *rhs)]
    if any(v is None for v in vals):
        return Check(rule, scope, None, f"{left} vs {right}: not evaluable (blank, dash or missing operand)")
    ls = sum(o[1] for o in lhs)  # type: ignore[misc]
    rs = sum(o[1] for o in rhs)  # type: ignore[misc]
    passed = abs(ls - rs) <= TOLERANCE
    return Check(rule, scope, passed, f"{left} = {ls:g} {'=' if passed else '≠'} {right} = {rs:g}")


def _leaves(version: str, present: set[str]) -> list[str]:
    return [r for r in printed_request_rows(version, present) if r not in FLOW]


def run_checks(
    values: Mapping[str, float | None], version: str | None, states: Mapping[str, str] | None = None
) -> list[Check]:
    """Evaluate R1–R4 on ``values`` (canonical key -> number, None for blank/dash).

    A table the report does not print yields no checks; a blank, dash or missing operand yields
    ``passed=None`` (not evaluable). ``states`` (key -> blank/dash/text) names a None operand in
    ``detail`` as what was printed; a key not in ``values`` is ``missing``.
    """

    def op(name: str, key: str) -> Operand:
        return name, values.get(key), _word(values, states, key)

    if version not in ("2019", "2021"):
        return []
    out: list[Check] = []
    present_rows = {k.split(".")[1] for k in values if k.startswith("requests.")}
    if present_rows:

        def v(row: str, col: str) -> Operand:
            return op(row, f"requests.{row}.{col}")

        leaves = _leaves(version, present_rows)
        for col in (*APPLICANT_COLS, "total"):
            out.append(
                _check(
                    "R1",
                    col,
                    [v("new_received", col), v("carried_over_in", col)],
                    [v("handled_total", col), v("carried_over_out", col)],
                )
            )
            out.append(_check("R2", col, [v("handled_total", col)], [v(r, col) for r in leaves]))
        for row in printed_request_rows(version, present_rows):
            if row not in present_rows:
                continue
            out.append(
                _check(
                    "R3",
                    row,
                    [op("total", f"requests.{row}.total")],
                    [op(c, f"requests.{row}.{c}") for c in APPLICANT_COLS],
                )
            )
    review = form()["review"]
    for group in review["groups"]:
        if not any(k.startswith(f"review.{group}.") for k in values):
            continue
        out.append(
            _check(
                "R4",
                group,
                [op("total", f"review.{group}.total")],
                [op(o, f"review.{group}.{o}") for o in review["outcomes"] if o != "total"],
            )
        )
    return out
