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


def _fmt(v: float | None) -> str:
    return "blank" if v is None else f"{v:g}"


def _check(
    rule: str,
    scope: str,
    lhs: Sequence[tuple[str, float | None]],
    rhs: Sequence[tuple[str, float | None]],
) -> Check:
    left = " + ".join(f"{k}={_fmt(v)}" for k, v in lhs)
    right = " + ".join(f"{k}={_fmt(v)}" for k, v in rhs)
    vals = [v for _, v in (*lhs, *rhs)]
    if any(v is None for v in vals):
        return Check(rule, scope, None, f"{left} vs {right}: not evaluable (blank, dash or missing operand)")
    ls = sum(v for _, v in lhs)  # type: ignore[misc]
    rs = sum(v for _, v in rhs)  # type: ignore[misc]
    passed = abs(ls - rs) <= TOLERANCE
    return Check(rule, scope, passed, f"{left} = {ls:g} {'=' if passed else '≠'} {right} = {rs:g}")


def _leaves(version: str, present: set[str]) -> list[str]:
    return [r for r in printed_request_rows(version, present) if r not in FLOW]


def run_checks(values: Mapping[str, float | None], version: str | None) -> list[Check]:
    """Evaluate R1–R4 on ``values`` (canonical key -> number, None for blank/dash).

    A table the report does not print yields no checks; a blank or missing operand yields
    ``passed=None`` (not evaluable).
    """
    if version not in ("2019", "2021"):
        return []
    out: list[Check] = []
    present_rows = {k.split(".")[1] for k in values if k.startswith("requests.")}
    if present_rows:

        def v(row: str, col: str) -> tuple[str, float | None]:
            return f"{row}", values.get(f"requests.{row}.{col}")

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
                    [("total", values.get(f"requests.{row}.total"))],
                    [(c, values.get(f"requests.{row}.{c}")) for c in APPLICANT_COLS],
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
                [("total", values.get(f"review.{group}.total"))],
                [(o, values.get(f"review.{group}.{o}")) for o in review["outcomes"] if o != "total"],
            )
        )
    return out
