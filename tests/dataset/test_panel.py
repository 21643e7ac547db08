"""A panel you can trust (issue 12): agency columns, one preferred report per agency and year,
cross-year checks across name variants, derived totals, wide tables that keep the observation."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from extractor.cli import main
from tests.fixtures.series import YearSpec, report_html, series_values
from tests.helpers import REAL

LJ = {2020: "臨江市自然資源和規劃局", 2021: "临江市自然资源与规划局", 2022: "临江市自然资源和规划局"}
YEARS = [YearSpec(2020, "2019"), YearSpec(2021, "2021"), YearSpec(2022, "2021")]
BLANK_TOTALS = ("granted", "partially_granted", "handled_total")
YUNLING = "云岭市卫生健康委员会"


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("panel")
    inputs = root / "in"
    inputs.mkdir()
    values = series_values(YEARS, seed=11)
    for ys in YEARS:
        page = report_html(ys.version, LJ[ys.year], ys.year, values[ys.year])
        (inputs / f"lj_{ys.year}.html").write_text(page, encoding="utf-8")
    # a revised edition of 2022, published later
    revised = report_html("2021", LJ[2022], 2022, values[2022]).replace("2023年1月20日", "2023年3月2日")
    (inputs / "lj_2022_revised.html").write_text(revised, encoding="utf-8")
    # a report whose row totals of section 三 are printed blank
    yl = series_values(
        [YearSpec(2021, "2021")], seed=5, breaks={(2021, f"requests.{r}.total"): None for r in BLANK_TOTALS}
    )
    (inputs / "yl_2021.html").write_text(report_html("2021", YUNLING, 2021, yl[2021]), encoding="utf-8")
    shutil.copy(REAL / "001_huaian_hongze_2023.pdf", inputs / "001.pdf")  # the hybrid （六） row
    shutil.copy(REAL / "004_shanghai_govoffice_2019.html", inputs / "004.html")  # outcome totals left blank
    res = CliRunner().invoke(main, ["extract", str(inputs), "-o", str(root / "out"), "-w", "0", "-q"])
    assert res.exit_code == 0, res.output
    return root / "out"


def _read(out: Path, name: str) -> pd.DataFrame:
    return pd.read_parquet(out / f"{name}.parquet")


def test_one_agency_across_name_variants(out: Path):
    reports = _read(out, "reports").set_index("source")
    lj = reports.loc[["lj_2020.html", "lj_2021.html", "lj_2022.html", "lj_2022_revised.html"]]
    assert lj["agency_key"].nunique() == 1 and lj["agency_key"].iloc[0] == "220681:自然资源和规划局"
    assert set(lj["province"]) == {"吉林省"} and set(lj["prefecture"]) == {"白山市"} and set(lj["county"]) == {"临江市"}
    assert set(lj["level"]) == {"department of county"} and set(lj["division_code"]) == {"220681"}
    assert lj.loc["lj_2020.html", "agency"] == LJ[2020]  # the name as printed stays
    assert lj.loc["lj_2020.html", "agency_name"] == "吉林省白山市临江市自然资源和规划局"


def test_crossyear_checks_evaluate_across_name_variants(out: Path):
    checks = _read(out, "checks")
    x = checks[checks["rule"].isin(["X0", "X1", "X2"])].set_index("scope")
    assert x.loc["requests.carried_over_in.total 2020→2021", "passed"] is True
    assert x.loc["requests.carried_over_in.total 2021→2022", "passed"] is True
    assert x.loc["active.regulations.in_force 2021→2022", "passed"] is True
    names = x.loc["agency 2020→2021"]
    assert names["passed"] is False
    assert f"{LJ[2021]} ≠ agency (2020, lj_2020.html) = {LJ[2020]}" in names["detail"]
    assert "matched as one agency by agency_key 220681:自然资源和规划局" in names["detail"]
    # 2022 is represented by the preferred (revised) edition
    assert (
        x.loc["agency 2021→2022", "report_id"]
        == _read(out, "reports").set_index("source").loc["lj_2022_revised.html", "report_id"]
    )


def test_one_preferred_report_per_agency_and_year(out: Path):
    reports = _read(out, "reports")
    live = reports[reports["preferred"]]
    assert not live.duplicated(["agency_key", "report_year"]).any()
    by = reports.set_index("source")
    assert by.loc["lj_2022_revised.html", "preferred"]
    assert by.loc["lj_2022_revised.html", "preferred_reason"] == (
        "preferred over 1 other(s): later publication over earlier (publish_date)"
    )
    assert not by.loc["lj_2022.html", "preferred"]
    assert by.loc["lj_2022.html", "preferred_reason"].endswith(
        "(lj_2022_revised.html) is preferred: later publication over earlier (publish_date)"
    )
    warnings = _read(out, "warnings")
    same = warnings[warnings["kind"] == "same_agency_year"]
    assert len(same) == 2 and same["message"].str.endswith("preferred: lj_2022_revised.html").all()
    xw = _read(out, "crosswalk")
    assert set(xw.columns) >= {"agency_key", "preferred", "method", "note"}
    summed = xw[xw["preferred"] & (xw["hkey"] == "requests.new_received.total")]
    assert summed.groupby(["agency_key", "report_year"]).size().max() == 1


def test_blank_row_totals_are_derived_not_printed(out: Path):
    xw = _read(out, "crosswalk")
    rid = _read(out, "reports").set_index("source").loc["yl_2021.html", "report_id"]
    mine = xw[xw["report_id"] == rid].set_index("hkey")
    cols = ["natural_person", "commercial_enterprise", "research_institution", "social_welfare_org"]
    cols += ["legal_service_org", "other_org"]
    for row in BLANK_TOTALS:
        total = mine.loc[f"requests.{row}.total"]
        parts = sum(mine.loc[f"requests.{row}.{c}", "value"] for c in cols)
        assert total["state"] == "blank" and total["value"] == parts
        assert total["derived"] and total["method"] == "derived" and "printed blank" in total["note"]
    printed = mine.loc["requests.new_received.total"]
    assert printed["method"] == "printed" and not printed["derived"] and printed["state"] == "number"
    cells = _read(out, "cells")
    blank = cells[(cells["report_id"] == rid) & (cells["key"] == "requests.granted.total")]
    assert blank["state"].tolist() == ["blank"] and blank["value"].isna().all()  # cells keep the observation
    warnings = _read(out, "warnings")
    note = warnings[(warnings["report_id"] == rid) & (warnings["kind"] == "derived_total")]
    assert len(note) == 1 and "3 row totals" in note["message"].iloc[0]


def test_wide_tables_keep_the_observation(out: Path):
    wide = _read(out, "wide_2021").set_index("source")
    state = _read(out, "wide_2021_state").set_index("source")
    for col in ("report_id", "format_version", "status", "preferred", "duplicate_of", "agency_key", "level"):
        assert col in wide.columns and col in state.columns
    assert str(wide["requests.granted.natural_person"].dtype) == "Int64"
    assert str(wide["active.fees.amount"].dtype) == "Float64"  # 万元
    assert pd.isna(wide.loc["yl_2021.html", "requests.granted.total"])
    assert state.loc["yl_2021.html", "requests.granted.total"] == "blank"
    assert state.loc["yl_2021.html", "requests.granted.natural_person"] == "number"
    # the hybrid 2021 report's single （六）其他处理 row has its columns, after the form's keys
    hybrid = [c for c in wide.columns if c.startswith("requests.other.")]
    assert hybrid[0] == "requests.other.natural_person" and len(hybrid) == 7
    assert state.loc["001.pdf", "requests.other.natural_person"] in ("number", "blank", "dash")
    assert state.loc["lj_2021.html", "requests.other.natural_person"] == "absent"


OUTCOMES_2019 = [
    "granted",
    "partially_granted",
    "withheld_state_secret",
    "withheld_law_prohibited",
    "withheld_security_stability",
    "withheld_third_party",
    "withheld_internal_affairs",
    "withheld_process_info",
    "withheld_enforcement_file",
    "withheld_query_matter",
    "unavailable_not_held",
    "unavailable_needs_creation",
    "unavailable_unclear",
    "not_processed_complaint",
    "not_processed_repeated",
    "not_processed_publication",
    "not_processed_excessive",
    "not_processed_confirmation",
    "other",
]


def test_a_report_that_leaves_its_outcome_totals_blank_sums_to_its_handled_total(out: Path):
    """上海市人民政府办公厅 2019 prints no outcome row total and leaves its zeros blank; its own printed
    totals (new_received, handled_total) count a blank as 0, so the outcome totals are derived that way."""
    xw = _read(out, "crosswalk")
    rid = _read(out, "reports").set_index("source").loc["004.html", "report_id"]
    mine = xw[xw["report_id"] == rid].set_index("hkey")
    handled = mine.loc["requests.handled_total.total"]
    assert handled["method"] == "printed" and handled["value"] == 805
    outcomes = mine.loc[[f"requests.{r}.total" for r in OUTCOMES_2019]]
    assert outcomes["value"].sum() == 805  # nothing lost (without derived totals: 0 of 805)
    derived = outcomes[outcomes["method"] == "derived"]
    assert len(derived) == 11 and (derived["state"] == "blank").all()
    assert "counted as 0 as this report's printed totals count them" in derived["note"].iloc[0]
    assert outcomes.loc["requests.other.total", "value"] != outcomes.loc["requests.other.total", "value"]  # all blank


def test_blanks_are_not_counted_as_zero_without_the_reports_own_evidence():
    from extractor.dataset.panel import derive_totals

    cols = ["natural_person", "commercial_enterprise", "research_institution", "social_welfare_org"]
    cols += ["legal_service_org", "other_org"]
    rows = []
    for row, values, total in (("granted", [3, None, None, None, None, None], None), ("new_received", [5] * 6, 31)):
        for c, v in zip([*cols, "total"], [*values, total], strict=True):
            rows.append(
                {
                    "report_id": "r",
                    "hkey": f"requests.{row}.{c}",
                    "value": v,
                    "derived": False,
                    "state": "blank" if v is None else "number",
                }
            )
    xw = derive_totals(pd.DataFrame(rows)).set_index("hkey")
    # no printed row mixes numbers and blanks, so nothing shows what a blank stands for
    assert (
        pd.isna(xw.loc["requests.granted.total", "value"]) and xw.loc["requests.granted.total", "method"] == "printed"
    )
