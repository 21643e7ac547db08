"""Cross-year evidence within a batch settles cells a report alone leaves ambiguous (issue 13).

Series of made-up text reports of one agency (:mod:`tests.fixtures.series` values, printed by
:mod:`tests.fixtures.webtext`) in which one year's digits run together: alone, that report leaves
the cells out; in a batch with its neighbouring years, X2 (现行有效件数) settles section 二 and X1
(上年结转 = 结转下年度) settles section 三's carried-over cells — with the exact values, a lower
confidence and a note. Where the evidence leaves several readings, or contradicts every reading,
nothing is settled.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from extractor.api import read_report, read_reports
from extractor.dataset.tables import complete_tables
from rules.ambiguity import AMBIGUOUS_KIND, Ambiguity, PrintedToken, Reading
from rules.crossyear_resolve import CONFIDENCE_CROSSYEAR, RESOLVED_METHOD, resolve_across_years
from tests.fixtures.generator.values import gold_value
from tests.fixtures.series import YearSpec, series_values
from tests.fixtures.webtext import Damage, carry_over, write_series
from tests.helpers import extract_cli

AGENCY = "某市某区司法局"
RUN_ACTIVE = Damage(runs=("regulations", "normative_documents"))
RUN_CARRIED = Damage(runs=("carried_over_in", "carried_over_out"))
ACTIVE_KEYS = [
    f"active.{r}.{c}" for r in ("regulations", "normative_documents") for c in ("issued", "repealed", "in_force")
]


def cells_of(tables: dict[str, pd.DataFrame], path: Path) -> pd.DataFrame:
    rid = tables["reports"].loc[tables["reports"]["source"] == path.as_posix(), "report_id"].iloc[0]
    return tables["cells"][tables["cells"]["report_id"] == rid]


def got(cells: pd.DataFrame, keys: list[str]) -> dict[str, float]:
    mine = cells[cells["key"].isin(keys)]
    return dict(zip(mine["key"], mine["value"], strict=True))


@pytest.mark.parametrize("seed", [1, 4])
def test_x2_settles_section2_digit_runs(tmp_path: Path, seed: int):
    years = [YearSpec(y, "2021") for y in (2021, 2022, 2023)]
    values = series_values(years, seed)
    paths = write_series(tmp_path, "2021", AGENCY, values, {2022: RUN_ACTIVE})
    want = {k: gold_value(values[2022][k]) for k in ACTIVE_KEYS}

    alone = read_report(paths[2022])
    assert got(alone.cells, ACTIVE_KEYS) == {}  # every reading of the runs fits the report itself
    assert (alone.warnings["kind"] == AMBIGUOUS_KIND).sum() == 2

    mine = cells_of(read_reports(paths.values()), paths[2022])
    assert got(mine, ACTIVE_KEYS) == want
    settled = mine[mine["key"].isin(ACTIVE_KEYS)]
    assert set(settled["method"]) == {RESOLVED_METHOD}
    assert set(settled["confidence"]) == {CONFIDENCE_CROSSYEAR}
    assert all("X2 2021→2022" in n and "printed" in n for n in settled["note"])
    assert settled["locator"].notna().all()


@pytest.mark.parametrize("seed", [2, 5])
def test_x2_with_only_the_next_year_settles_in_force_alone(tmp_path: Path, seed: int):
    """Next year's X2 ties only this year's 现行有效件数: issued and repealed stay out."""
    values = series_values([YearSpec(2022, "2021"), YearSpec(2023, "2021")], seed)
    paths = write_series(tmp_path, "2021", AGENCY, values, {2022: RUN_ACTIVE})
    mine = cells_of(read_reports(paths.values()), paths[2022])
    in_force = [k for k in ACTIVE_KEYS if k.endswith("in_force")]
    assert got(mine, ACTIVE_KEYS) == {k: gold_value(values[2022][k]) for k in in_force}


@pytest.mark.parametrize(("seed", "counts"), [(1, (1, 10, 0, 0, 0, 0)), (2, (12, 1, 0, 0, 0, 0))])
def test_x1_settles_carried_over_cells(tmp_path: Path, seed: int, counts: tuple[int, ...]):
    years = [YearSpec(y, "2021") for y in (2021, 2022, 2023)]
    values = series_values(years, seed)
    carry_over(values, 2022, counts)
    paths = write_series(tmp_path, "2021", AGENCY, values, {2022: RUN_CARRIED})
    keys = [k for k in values[2022] if k.startswith(("requests.carried_over_in.", "requests.carried_over_out."))]
    want = {k: gold_value(values[2022][k]) for k in keys}

    alone = got(read_report(paths[2022]).cells, keys)
    assert alone.items() < want.items()  # some carried-over cells left out, none wrong
    tables = read_reports(paths.values())
    assert got(cells_of(tables, paths[2022]), keys) == want
    x1 = tables["checks"][tables["checks"]["rule"] == "X1"]
    assert x1["passed"].tolist() == [True] * len(x1) and len(x1) == 14


def test_contradicting_neighbour_settles_nothing(tmp_path: Path):
    """Last year's 现行有效件数 misprinted: no reading agrees with X2, so nothing is settled."""
    years = [YearSpec(y, "2021") for y in (2021, 2022)]
    values = series_values(years, 3, breaks={(2021, "active.normative_documents.in_force"): 100000})
    paths = write_series(tmp_path, "2021", AGENCY, values, {2022: Damage(runs=("normative_documents",))})
    mine = cells_of(read_reports(paths.values()), paths[2022])
    assert got(mine, ACTIVE_KEYS[3:]) == {}


def test_settling_is_idempotent_and_runs_in_the_batch(tmp_path: Path):
    values = series_values([YearSpec(y, "2021") for y in (2021, 2022, 2023)], 1)
    write_series(tmp_path / "in", "2021", AGENCY, values, {2022: RUN_ACTIVE})
    out = tmp_path / "out"
    res = extract_cli(str(tmp_path / "in"), "-o", str(out), "-q")
    assert res.exit_code == 0, res.output
    tables = {n: pd.read_parquet(out / f"{n}.parquet") for n in ("reports", "cells", "checks", "warnings")}
    settled = tables["cells"][tables["cells"]["method"] == RESOLVED_METHOD]
    assert sorted(settled["key"]) == sorted(ACTIVE_KEYS)
    again = complete_tables(tables)
    assert len(again["cells"]) == len(tables["cells"])
    assert (again["cells"]["method"] == RESOLVED_METHOD).sum() == len(ACTIVE_KEYS)
    wide = pd.read_parquet(out / "wide_2021.parquet")
    assert wide["active.regulations.in_force"].notna().all()
    qa = (out / "qa_report.md").read_text(encoding="utf-8")
    assert f"## Cells settled by neighbouring years ({len(ACTIVE_KEYS)})" in qa
    assert "2 rows of the reports had cells left out" in qa


def _tables(prose: tuple[float, ...]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Report ``a`` (2022) printed its 规章 row as ``5412`` (制发 | 废止 | 现行有效); report ``b``
    (2023) prints 3 | 1 | 4. X2 for 2023 (4 = 现行有效 2022 + 3 − 1) keeps the two readings with
    现行有效 2: 5|41|2 and 54|1|2."""
    reports = pd.DataFrame(
        {
            "report_id": ["a", "b"],
            "source": ["a.txt", "b.txt"],
            "agency": [AGENCY, AGENCY],
            "report_year": [2022, 2023],
            "format_version": ["2021", "2021"],
            "duplicate_of": [None, None],
        }
    )
    keys = ["active.regulations.issued", "active.regulations.repealed", "active.regulations.in_force"]
    cells = pd.DataFrame({"report_id": ["b"] * 3, "key": keys, "value": [3.0, 1.0, 4.0], "state": ["number"] * 3})
    record = Ambiguity(
        tuple(keys),
        (PrintedToken("5412", None, None, "line 9", "text"),),
        (
            Reading((5.0, 4.0, 12.0), ((0, "5", False), (0, "4", False), (0, "12", True))),
            Reading((5.0, 41.0, 2.0), ((0, "5", False), (0, "41", False), (0, "2", True))),
            Reading((54.0, 1.0, 2.0), ((0, "54", False), (0, "1", False), (0, "2", True))),
        ),
        prose,
    )
    warnings = pd.DataFrame({"report_id": ["a"], "kind": [AMBIGUOUS_KIND], "message": [record.to_json()]})
    return reports, cells, warnings


def _settled(prose: tuple[float, ...]) -> dict[str, float]:
    settled = resolve_across_years(*_tables(prose))
    assert set(settled["report_id"]) <= {"a"}
    return dict(zip(settled["key"], settled["value"], strict=True))


def test_only_the_cells_every_surviving_reading_agrees_on():
    assert _settled(()) == {"active.regulations.in_force": 2.0}


@pytest.mark.parametrize(("prose", "issued", "repealed"), [((41.0,), 5.0, 41.0), ((54.0, 7.0), 54.0, 1.0)])
def test_prose_chooses_among_what_x2_leaves(prose: tuple[float, ...], issued: float, repealed: float):
    """``本年废止规章41件`` in the report's text picks 5|41|2 of the two readings X2 leaves."""
    assert _settled(prose) == {
        "active.regulations.issued": issued,
        "active.regulations.repealed": repealed,
        "active.regulations.in_force": 2.0,
    }


def test_prose_alone_settles_nothing():
    """Without an equation that rules a reading out, the prose is not enough at batch level."""
    reports, cells, warnings = _tables((41.0,))
    assert resolve_across_years(reports, cells.iloc[0:0], warnings).empty


@pytest.mark.parametrize(
    ("seed", "row", "printed"),
    [(21, "penalty", (2648, -185, 38)), (22, "licensing", (126, -12, 5))],
    ids=["penalty", "licensing"],
)
def test_x3_settles_a_signed_run(tmp_path: Path, seed: int, row: str, printed: tuple[int, int, int]):
    """``行政处罚2648-18538``: alone, 2648 is read and the cut after the minus is left open; next
    year's 上一年项目数量 (= 2648 + 本年增/减) leaves one reading — 2648 | −185 | 38."""
    years = [YearSpec(y, "2019") for y in (2019, 2020, 2021)]
    values = series_values(years, seed)
    prior, change, decisions = printed
    values[2020].update({f"active.{row}.prior_items": prior, f"active.{row}.change": change})
    values[2020][f"active.{row}.decisions"] = decisions
    values[2021][f"active.{row}.prior_items"] = prior + change
    values[2019][f"active.{row}.prior_items"] = prior - int(values[2019][f"active.{row}.change"] or 0)
    paths = write_series(tmp_path, "2019", AGENCY, values, {2020: Damage(runs=(row,))})
    keys = [f"active.{row}.{c}" for c in ("prior_items", "change", "decisions")]

    assert got(read_report(paths[2020]).cells, keys) == {keys[0]: prior}
    tables = read_reports(paths.values())
    assert got(cells_of(tables, paths[2020]), keys) == dict(zip(keys, printed, strict=True))
    x3 = tables["checks"][tables["checks"]["rule"] == "X3"]
    assert len(x3) == 10 and x3["passed"].map(bool).all()


@pytest.mark.parametrize("seed", [11, 12])
def test_remarks_inside_a_run(tmp_path: Path, seed: int):
    """``行政规范性文件45（其中修订 3 件）1434（含自然失效29件）``: alone, no cut is sure (no wrong
    value); with the years around it, X2 leaves one — and the remarks stay in the notes."""
    years = [YearSpec(y, "2021") for y in (2021, 2022, 2023)]
    values = series_values(years, seed)
    remarks = {
        "active.normative_documents.issued": "（其中修订 3 件）",
        "active.normative_documents.in_force": "（含自然失效29件）",
    }
    damage = Damage(runs=("normative_documents",), remarks=remarks)
    paths = write_series(tmp_path, "2021", AGENCY, values, {2022: damage})
    keys = ACTIVE_KEYS[3:]
    assert got(read_report(paths[2022]).cells, keys) == {}
    mine = cells_of(read_reports(paths.values()), paths[2022])
    assert got(mine, keys) == {k: gold_value(values[2022][k]) for k in keys}
    notes = dict(zip(mine["key"], mine["note"], strict=True))
    for key in keys:
        assert (remarks.get(key, "§") in notes[key]) is (key in remarks)


def test_the_batch_functions_are_exported():
    import extractor
    from extractor import api

    assert extractor.read_reports is api.read_reports and extractor.combine is api.combine
