"""Cross-year checks (X1 carried-over requests, X2 现行有效件数 carried forward) on generated
consecutive-year reports of one agency, run through the batch command."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from extractor.dataset.tables import frame
from rules.crossyear import agency_key, crossyear_checks, reports_by_agency_year
from tests.fixtures.series import YearSpec, build_series, series_values
from tests.helpers import cells_table, extract_cli

AGENCY = "云岭市卫生健康委员会"
YEARS = [YearSpec(2020, "2019"), YearSpec(2021, "2021"), YearSpec(2022, "2021"), YearSpec(2023, "2021")]
SEED = 7
BREAKS = {
    (2022, "requests.carried_over_in.natural_person"): 99,  # 2021 carried out fewer: X1 fails
    (2023, "active.normative_documents.in_force"): 1,  # not last year's + issued − repealed: X2 fails
    (2023, "active.regulations.repealed"): None,  # a blank operand: X2 not evaluable
}


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("crossyear")
    build_series(root / "in", AGENCY, YEARS, SEED, BREAKS, name="yunling")
    # another agency with a gap year (no cross-year pair) and one with a single year
    build_series(root / "in", "临江市自然资源和规划局", [YearSpec(2019, "2019"), YearSpec(2021, "2021")], 3, name="lj")
    out = root / "out"
    for extra in ([], ["--csv"]):  # a rerun into the same folder must not repeat the cross-year rows
        res = extract_cli(str(root / "in"), "-o", str(out), "-q", *extra)
        assert res.exit_code == 0, res.output
    return out


def test_crosswalk_written_beside_the_tables(dataset: Path):
    xw = pd.read_parquet(dataset / "crosswalk.parquet")
    csv = pd.read_csv(dataset / "crosswalk.csv")
    assert len(xw) == len(csv) > 0 and list(csv.columns) == list(xw.columns)
    reports = pd.read_parquet(dataset / "reports.parquet")
    assert set(xw["report_id"]) == set(reports["report_id"])
    received = xw[(xw["hkey"] == "requests.new_received.total") & (xw["agency"] == AGENCY)]
    received = received.set_index("report_year")["value"]
    values = series_values(YEARS, SEED, BREAKS)
    for year in (2020, 2021, 2022, 2023):  # one hkey across the 2019 (2020) and the 2021 forms
        assert received[year] == values[year]["requests.new_received.total"]


@pytest.fixture(scope="module")
def xchecks(dataset: Path) -> pd.DataFrame:
    checks = pd.read_parquet(dataset / "checks.parquet")
    reports = pd.read_parquet(dataset / "reports.parquet")
    year_of = dict(zip(reports["report_id"], reports["report_year"], strict=True))
    x = checks[checks["rule"].isin(["X1", "X2"])].copy()
    x["year"] = x["report_id"].map(year_of)
    return x.set_index("scope")


def test_reports_are_read_as_generated(dataset: Path):
    reports = pd.read_parquet(dataset / "reports.parquet")
    assert (reports["status"] == "ok").all()
    mine = reports[reports["agency"] == AGENCY].sort_values("report_year")
    assert list(mine["report_year"]) == [2020, 2021, 2022, 2023]
    assert list(mine["format_version"]) == ["2019", "2021", "2021", "2021"]


def test_carried_over_requests_match_last_year(xchecks: pd.DataFrame):
    values = series_values(YEARS, SEED, BREAKS)
    x1 = xchecks[xchecks["rule"] == "X1"]
    # 3 consecutive pairs of 云岭 × 7 columns; 临江's 2019 and 2021 are not consecutive
    assert len(x1) == 21 and x1.index.is_unique
    for year in (2021, 2022, 2023):
        for col in ("natural_person", "commercial_enterprise", "total"):
            row = x1.loc[f"requests.carried_over_in.{col} {year - 1}→{year}"]
            now = values[year][f"requests.carried_over_in.{col}"]
            before = values[year - 1][f"requests.carried_over_out.{col}"]
            assert row["year"] == year
            assert f"= {now} " in row["detail"] and row["detail"].endswith(f"= {before}")
            assert row["passed"] is (now == before)
    broken = x1.loc["requests.carried_over_in.natural_person 2021→2022"]
    assert broken["passed"] is False and "= 99 ≠ carried_over_out.natural_person (2021" in broken["detail"]
    assert x1.drop(index="requests.carried_over_in.natural_person 2021→2022")["passed"].map(bool).all()


def test_in_force_carries_forward(xchecks: pd.DataFrame):
    values = series_values(YEARS, SEED, BREAKS)
    x2 = xchecks[xchecks["rule"] == "X2"]
    assert sorted(x2.index) == sorted(
        f"active.{row}.in_force {y - 1}→{y}"
        for row in ("regulations", "normative_documents")
        for y in (2021, 2022, 2023)
    )
    # 2020 is a 2019-form report: no 现行有效件数 to carry forward
    first = x2.loc["active.regulations.in_force 2020→2021"]
    assert first["passed"] is None and "uses the 2019 form" in first["detail"]
    ok = x2.loc["active.normative_documents.in_force 2021→2022"]
    v21, v22 = values[2021], values[2022]
    expected = (
        v21["active.normative_documents.in_force"]
        + v22["active.normative_documents.issued"]
        - v22["active.normative_documents.repealed"]
    )
    assert ok["passed"] is True and expected == v22["active.normative_documents.in_force"]
    assert f"issued = {v22['active.normative_documents.issued']} " in ok["detail"]
    assert f"= {expected} (" in ok["detail"]
    assert x2.loc["active.regulations.in_force 2021→2022", "passed"] is True
    broken = x2.loc["active.normative_documents.in_force 2022→2023"]
    assert (
        broken["passed"] is False and broken["detail"].startswith("in_force (2023, ") and " = 1 ≠ " in broken["detail"]
    )
    blank = x2.loc["active.regulations.in_force 2022→2023"]
    assert blank["passed"] is None and "repealed = no number (blank, dash, text or not printed)" in blank["detail"]


def _reports(rows: list[dict]) -> pd.DataFrame:
    return frame("reports", [{"status": "ok", "format_version": "2021", **r} for r in rows])


def _cells(rows: list[tuple[str, str, float | None]]) -> pd.DataFrame:
    return cells_table([(rid, key, value, "blank" if value is None else "number") for rid, key, value in rows])


def test_agency_names_match_across_spacing_and_width():
    assert agency_key(" 平潭综合实验区 ") == agency_key("平潭 综合实验区") == "平潭综合实验区:政府"
    assert agency_key("ＡＢ局") == "AB局" and agency_key(None) is None and agency_key("  ") is None


def test_one_report_per_agency_year_and_missing_operands():
    reports = _reports(
        [
            {"report_id": "a21", "source": "a21.html", "agency": "某局", "report_year": 2021},
            {"report_id": "a22", "source": "a22.html", "agency": "某 局", "report_year": 2022},
            {"report_id": "a22pdf", "source": "a22.pdf", "agency": "某局", "report_year": 2022},  # fewer numbers
            {"report_id": "dup", "source": "copy.html", "agency": "某局", "report_year": 2022, "duplicate_of": "a22"},
        ]
    )
    cells = _cells(
        [
            ("a21", "requests.carried_over_out.total", 3),
            ("a22", "requests.carried_over_in.total", 3),
            ("a22", "requests.carried_over_in.natural_person", 1),
            ("a22pdf", "requests.carried_over_in.total", 4),
        ]
    )
    chosen = reports_by_agency_year(reports, cells)
    assert list(chosen["report_id"]) == ["a21", "a22"]
    x = crossyear_checks(reports, cells).set_index("scope")
    assert list(x.columns) == ["report_id", "rule", "passed", "detail"]
    assert x.loc["requests.carried_over_in.total 2021→2022", "passed"] is True
    assert x.loc["requests.carried_over_in.total 2021→2022", "report_id"] == "a22"
    assert x.loc["requests.carried_over_in.natural_person 2021→2022", "passed"] is None  # 2021 did not print it
    assert x.loc["active.regulations.in_force 2021→2022", "passed"] is None


def test_qa_report_lists_the_gap(dataset: Path):
    text = (dataset / "qa_report.md").read_text(encoding="utf-8")
    assert "| 临江市自然资源和规划局 | 2019 | 2021 | 2019, 2021 | 2020 |" in text
    assert AGENCY not in text.split("## Agencies with a year missing")[1].split("##")[0]


def test_a_renamed_body_of_one_division_is_named_in_x0_not_lost():
    reports = _reports(
        [
            {"report_id": "k23", "source": "k23.html", "agency": "上海市科学技术委员会", "report_year": 2023},
            {"report_id": "k24", "source": "k24.html", "agency": "上海市科学技术局", "report_year": 2024},
            {"report_id": "p24", "source": "p24.html", "agency": "上海市公安局", "report_year": 2024},
            {"report_id": "e23", "source": "e23.html", "agency": "上海市教育委员会", "report_year": 2023},
        ]
    )
    reports["division_code"] = "310000"
    reports["agency_key"] = reports["agency"].map(agency_key)
    x = crossyear_checks(reports, _cells([])).set_index("report_id")
    assert list(x["rule"]) == ["X0"]  # 公安局 and 教育委员会 are not taken for one body
    row = x.loc["k24"]
    assert row["passed"] is not None and not row["passed"] and row["scope"] == "agency 2023→2024"
    assert "上海市科学技术局 ≠ agency (2023, k23.html) = 上海市科学技术委员会" in row["detail"]
    assert "X1–X3 are not evaluated" in row["detail"]
