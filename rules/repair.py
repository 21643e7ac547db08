"""The form's arithmetic as a safety net for OCR: misreads that break R1–R4 are repaired when the
fix is unique, and flagged otherwise.

Only cells read by OCR (``method == "ocr"``) are ever changed, and never silently. For every
single-cell change that could close an imbalance — the cell's value moved by the amount one failed
equation is off, which covers a misread digit (8 for 3) and a dropped digit (2 for 24) — the whole
of R1–R4 is re-evaluated. When exactly one such change makes every equation that can be evaluated
hold, the cell gets that value: ``raw`` keeps what was read, ``note`` says what was changed and why,
and the confidence drops to :data:`CONFIDENCE_REPAIRED`. When none or several do, the values stay
as read. Either way the checks keep ``passed=False`` for the equations the values *as read* break,
so every misread is flagged; a repair is added to those checks' detail. A lone blank among the
numbers of a section 三 row read by OCR (a missed digit leaves the equations not evaluable rather
than failed) gets a warning.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace

from rules.checks import Check
from rules.constants import COUNT_UNIT
from rules.form import equations, none_fail
from rules.tables import Cell
from rules.values import State

logger = logging.getLogger(__name__)

OCR_METHOD = "ocr"
CONFIDENCE_REPAIRED = 0.5
ARITHMETIC_TABLES = ("requests",)  # tables whose rows R1–R3 tie together
MAX_FAILED = 8  # more broken equations than this is not a misread cell but a bad table or a bad report


@dataclass(frozen=True, slots=True)
class Repair:
    """One single-cell change that makes every evaluable equation hold."""

    key: str
    old: float
    new: float
    rules: tuple[str, ...]  # the rules that failed as read and hold after the change


@dataclass
class RepairResult:
    cells: list[Cell]
    checks: list[Check]
    warnings: list[str]
    repair: Repair | None = None


def _fmt(v: float) -> str:
    return f"{v:g}"


def _plausible(value: float, unit: str) -> bool:
    return value >= 0 and (unit != COUNT_UNIT or float(value).is_integer())


def candidate_repairs(cells: Sequence[Cell], checks: Sequence[Check], version: str) -> list[Repair]:
    """Every single change to an OCR'd number after which no evaluable equation fails."""
    failed = [c for c in checks if c.passed is False]
    amounts = {d for d in (c.imbalance for c in failed) if d}
    values = {c.key: c.value for c in cells}
    eqs = equations(version, values.keys())
    out: list[Repair] = []
    for cell in cells:
        if cell.token.method != OCR_METHOD or cell.value is None:
            continue
        for new in sorted({cell.value + d for d in amounts} | {cell.value - d for d in amounts}):
            if not _plausible(new, cell.unit):
                continue
            trial = {**values, cell.key: new}
            if not none_fail(eqs, trial.get):
                continue
            fixed = sorted({c.rule for c in failed})
            out.append(Repair(cell.key, cell.value, new, tuple(fixed)))
    return out


def blank_among_numbers(cells: Sequence[Cell]) -> list[str]:
    """Warnings for OCR'd blank cells in an arithmetic row whose other cells are all numbers.

    A digit the recogniser missed leaves a blank, which makes the row's equations not evaluable
    instead of failing them; a lone blank in a row of numbers is worth a look.
    """
    rows: dict[tuple[str, str], list[Cell]] = {}
    for c in cells:
        if c.table in ARITHMETIC_TABLES:
            rows.setdefault((c.table, c.row), []).append(c)
    out = []
    for (table, row), row_cells in rows.items():
        blanks = [c for c in row_cells if c.state == State.BLANK and c.token.method == OCR_METHOD]
        if len(blanks) == 1 and all(c.state == State.NUMBER for c in row_cells if c is not blanks[0]):
            out.append(
                f"{blanks[0].key}: blank in a row of numbers read by OCR (a missed digit?); "
                f"the {table}.{row} equations cannot be checked"
            )
    return out


def repair_ocr_cells(cells: list[Cell], checks: list[Check], version: str) -> RepairResult:
    """Repair the one OCR'd cell whose misreading explains every failed equation, if there is one."""
    failed = [c for c in checks if c.passed is False]
    result = RepairResult(list(cells), list(checks), blank_among_numbers(cells))
    if not failed or not any(c.token.method == OCR_METHOD for c in cells):
        return result
    rules = ", ".join(sorted({c.rule for c in failed}))
    if len(failed) > MAX_FAILED:
        result.warnings.append(
            f"OCR'd table breaks {len(failed)} equations ({rules}); too many for a misread cell, values left as read"
        )
        return result
    repairs = candidate_repairs(cells, checks, version)
    if len(repairs) != 1:
        what = "no single cell change" if not repairs else f"{len(repairs)} different single-cell changes"
        result.warnings.append(
            f"OCR'd cells break {rules} and {what} would make them hold "
            f"({', '.join(f'{r.key}={_fmt(r.new)}' for r in repairs[:6])}); values left as read"
        )
        return result
    fix = repairs[0]
    why = ", ".join(fix.rules)
    for i, cell in enumerate(result.cells):
        if cell.key == fix.key:
            note = f"repaired from {cell.raw} (OCR) to {_fmt(fix.new)}: the only value that satisfies {why}"
            result.cells[i] = replace(
                cell,
                value=fix.new,
                confidence=min(cell.confidence, CONFIDENCE_REPAIRED),
                note="; ".join(n for n in (cell.note, note) if n),
            )
    suffix = f" (as read by OCR; holds after repairing {fix.key} from {_fmt(fix.old)} to {_fmt(fix.new)})"
    result.checks = [replace(c, detail=c.detail + suffix) if c.passed is False else c for c in result.checks]
    result.warnings.append(
        f"{fix.key}: OCR read {_fmt(fix.old)}, repaired to {_fmt(fix.new)}, the only "
        f"single-cell change that satisfies {why}"
    )
    result.repair = fix
    logger.info("repaired %s from %s to %s (%s)", fix.key, fix.old, fix.new, why)
    return result
