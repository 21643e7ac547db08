"""The arithmetic safety net for OCR'd cells (rules/repair.py), on a real report's cells with one
or two readings spoiled the way OCR spoils them."""

from __future__ import annotations

from dataclasses import replace
from functools import cache

import pytest

from extractor.readers.registry import read_document
from rules.checks import Check, run_checks
from rules.repair import CONFIDENCE_REPAIRED, RepairResult, repair_ocr_cells
from rules.report import analyse
from rules.tables import Cell
from tests.helpers import FIXTURES

HTML = FIXTURES / "generated" / "form2019_grid.html"


@cache
def _cells() -> tuple[Cell, ...]:
    report = analyse(read_document(HTML))
    assert all(c.passed is not False for c in report.checks)
    return tuple(report.cells)


def _as_ocr(misread: dict[str, str], method: str = "ocr") -> list[Cell]:
    out = []
    for c in _cells():
        c = replace(c, token=replace(c.token, method=method))
        if c.key in misread:
            c = replace(c, raw=misread[c.key], value=float(misread[c.key]))
        out.append(c)
    return out


def _value(cells: list[Cell], key: str) -> Cell:
    return next(c for c in cells if c.key == key)


def _run(cells: list[Cell]) -> tuple[list[Check], RepairResult]:
    checks = run_checks({c.key: c.value for c in cells}, "2019")
    return checks, repair_ocr_cells(cells, checks, "2019")


def test_misread_digit_is_repaired_and_logged() -> None:
    key = "requests.carried_over_in.research_institution"  # printed 3
    assert _value(list(_cells()), key).value == 3
    checks, fixed = _run(_as_ocr({key: "8"}))
    assert {(c.rule, c.scope) for c in checks if c.passed is False} == {
        ("R1", "research_institution"),
        ("R3", "carried_over_in"),
    }
    cell = _value(fixed.cells, key)
    assert (cell.value, cell.raw) == (3, "8")
    assert cell.note == "repaired from 8 (OCR) to 3: the only value that satisfies R1, R3"
    assert cell.confidence == CONFIDENCE_REPAIRED
    assert any(key in w and "repaired to 3" in w for w in fixed.warnings)
    # still flagged: the checks describe the values as read, and say what the repair did
    flagged = [c for c in fixed.checks if c.passed is False]
    assert len(flagged) == 2 and all("holds after repairing" in c.detail for c in flagged)


def test_dropped_digit_is_repaired() -> None:
    key = "requests.withheld_law_prohibited.natural_person"  # printed 24
    assert _value(list(_cells()), key).value == 24
    _, fixed = _run(_as_ocr({key: "2"}))
    cell = _value(fixed.cells, key)
    assert (cell.value, cell.raw) == (24, "2")
    assert "R2" in (cell.note or "") and "R3" in (cell.note or "")


def test_section_four_misread_is_flagged_not_guessed() -> None:
    key = "review.admin_review.other"  # printed 5; R4 alone cannot tell which of five cells is wrong
    checks, fixed = _run(_as_ocr({key: "6"}))
    assert [(c.rule, c.scope) for c in checks if c.passed is False] == [("R4", "admin_review")]
    assert _value(fixed.cells, key).value == 6
    assert fixed.repair is None
    assert any("different single-cell changes" in w and "left as read" in w for w in fixed.warnings)


def test_two_misreads_are_left_as_read() -> None:
    cells = _as_ocr(
        {"requests.carried_over_in.research_institution": "8", "requests.new_received.natural_person": "31"}
    )
    _, fixed = _run(cells)
    assert fixed.repair is None
    assert {c.key: c.value for c in fixed.cells} == {c.key: c.value for c in cells}


@pytest.mark.parametrize("method", ["html-table", "pdf-table"])
def test_cells_not_read_by_ocr_are_never_changed(method: str) -> None:
    cells = _as_ocr({"requests.carried_over_in.research_institution": "8"}, method=method)
    _, fixed = _run(cells)
    assert fixed.repair is None and fixed.cells == cells and fixed.warnings == []


def test_lone_ocr_blank_in_a_row_of_numbers_is_warned() -> None:
    key = "requests.new_received.other_org"
    cells = [replace(c, value=None, state="blank", raw="") if c.key == key else c for c in _as_ocr({})]
    _, fixed = _run(cells)
    assert fixed.repair is None
    assert [w for w in fixed.warnings if "missed digit" in w] == [
        f"{key}: blank in a row of numbers read by OCR (a missed digit?); the requests.new_received "
        "equations cannot be checked"
    ]
    _, clean = _run(_as_ocr({}))
    assert clean.warnings == []
