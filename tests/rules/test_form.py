"""The form written once (rules/form.py): checks, recovery and OCR repair evaluate the same
equations, a check carries its two sums, and the rule data is refused on load when inconsistent."""

from __future__ import annotations

import random
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from extractor.readers.registry import read_document
from rules import data
from rules.checks import run_checks
from rules.constants import FormVersion
from rules.data import RuleDataError, form, schema
from rules.repair import repair_ocr_cells
from rules.report import analyse
from rules.tables import _r4_ok, _request_constraints, _row_total_ok
from rules.version import detect_version
from tests.helpers import FIXTURES

HTML = FIXTURES / "generated" / "form2019_grid.html"


def _random_values(version: str, seed: int) -> dict[str, float | None]:
    rnd = random.Random(seed)
    return {c.key: rnd.choice([None, 0.0, 1.0, 2.0, 3.0]) for c in schema()[version] if rnd.random() < 0.95}


def test_a_check_carries_its_two_sums() -> None:
    values = {f"review.admin_review.{o}": v for o, v in zip(form().review.outcomes, [1, 2, 3, 4, 11], strict=True)}
    (check,) = run_checks(values, FormVersion.V2019)
    assert (check.rule, check.passed, check.left, check.right, check.imbalance) == ("R4", False, 11, 10, 1)
    assert check.detail == "total=11 = 11 ≠ upheld=1 + corrected=2 + other=3 + pending=4 = 10"
    blank = run_checks({**values, "review.admin_review.upheld": None}, FormVersion.V2019)[0]
    assert (blank.passed, blank.left, blank.right, blank.imbalance) == (None, None, None, None)


def test_ocr_repair_does_not_read_the_message() -> None:
    """Regression: repair took each imbalance from the check's sentence with a regex, so rewording
    the sentence silently turned the repair off."""
    cells = [replace(c, token=replace(c.token, method="ocr")) for c in analyse(read_document(HTML)).cells]
    key = "requests.carried_over_in.research_institution"  # printed 3, read as 8
    cells = [replace(c, raw="8", value=8.0) if c.key == key else c for c in cells]
    checks = run_checks({c.key: c.value for c in cells}, FormVersion.V2019)
    reworded = [replace(c, detail="reworded") for c in checks]
    fixed = repair_ocr_cells(cells, reworded, FormVersion.V2019)
    assert fixed.repair is not None and (fixed.repair.key, fixed.repair.new) == (key, 3)


@pytest.mark.parametrize("version", list(data.VERSIONS))
def test_recovery_tests_the_equations_the_checks_report(version: str) -> None:
    """The row-total test, the R4 test and the R1/R2 constraints of the recovery agree with run_checks."""
    f = form()
    for seed in range(40):
        values = _random_values(version, seed)
        checks = {(c.rule, c.scope): c.passed for c in run_checks(values, version)}
        rows = {k.split(".")[1] for k in values if k.startswith("requests.")}
        for row in rows:
            vals = [values.get(f"requests.{row}.{c}") for c in f.request_columns]
            assert _row_total_ok(row, vals) == checks[("R3", row)]
        review = [values.get(f"review.{c}") for c in f.review.columns]
        r4 = [checks.get(("R4", g)) for g in f.review.groups]
        assert _r4_ok(review) == all(p is not False for p in r4)
        assignment = {r: [values.get(f"requests.{r}.{c}") for c in f.request_columns] for r in rows}
        constraints = _request_constraints(version, rows)
        r1_r2 = [p for (rule, _), p in checks.items() if rule in ("R1", "R2")]
        assert len(constraints) == len(r1_r2) == 2 * len(f.request_columns)
        for (rows_read, pred), passed in zip(constraints, r1_r2, strict=True):
            assert pred(assignment) is passed if rows_read <= rows else passed is None


def test_form_structure_is_read_from_the_data() -> None:
    f = form()
    assert f.request_columns == tuple(c.col for c in schema()["2019"] if c.row == "new_received")
    assert f.requests.flow == ("new_received", "carried_over_in", "handled_total", "carried_over_out")
    assert f.review.columns[0] == "admin_review.upheld" and len(f.review.columns) == 15


@pytest.fixture()
def broken_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    copy = tmp_path / "data"
    shutil.copytree(data.DATA_DIR, copy)
    monkeypatch.setattr(data, "DATA_DIR", copy)
    loaders = (data.schema, data.schema_keys, data.form, data.sections, data.value_words, data.metadata_words)
    for loader in loaders:
        loader.cache_clear()
    yield copy
    monkeypatch.undo()
    for loader in loaders:
        loader.cache_clear()


def test_inconsistent_form_data_is_refused_on_load(broken_data: Path) -> None:
    toml = broken_data / "form.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('"other_org"]', "]"), encoding="utf-8")
    with pytest.raises(RuleDataError, match="applicants \\+ total are not the columns"):
        form()
    assert any("applicants + total" in p for p in data.validate())


def test_value_words_without_the_amount_unit_are_refused(broken_data: Path) -> None:
    toml = broken_data / "values.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('"万元" = 10000', '"万元" = 1000'), encoding="utf-8")
    with pytest.raises(RuleDataError, match="万元"):
        data.value_words()


def test_form_version_is_an_enum_that_reads_as_its_name() -> None:
    version = detect_version(["本年制发件数"], 2022, True)
    assert version is FormVersion.V2021 and version == "2021"
    assert detect_version([], 2015, True) is FormVersion.LEGACY


def test_states_name_an_operand_without_a_number() -> None:
    values = {"review.admin_review.total": 5.0, "review.admin_review.upheld": None, "review.admin_review.other": 2.0}
    states = {"review.admin_review.upheld": "dash", "review.admin_review.total": "number"}
    (check,) = run_checks(values, FormVersion.V2019, states)
    assert check.passed is None
    assert check.detail.startswith("total=5 vs upheld=dash + corrected=missing + other=2 + pending=missing")
    (plain,) = run_checks(values, FormVersion.V2019)
    assert plain.detail.startswith("total=5 vs upheld=blank + corrected=blank + other=2 + pending=blank")
