"""The cumulative chain across an agency's legacy years cuts run-together year|cumulative digits."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from extractor.cli import main

TEMPLATE = """某某县人民政府{year}年政府信息公开工作年度报告
一、概述
{year}年，我县推进政府信息公开。
二、主动公开政府信息情况
我县各单位共梳理信息。
三、政府信息依申请公开工作情况
依法办理。
四、存在的主要问题及改进情况
仍有不足。
附件1：政府信息公开情况统计表 指标名称 计量单位 {year}年度 历年累计 {row}
"""


def _batch(tmp_path: Path, years: dict[int, str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    inp = tmp_path / "in"
    inp.mkdir()
    for year, row in years.items():
        (inp / f"county_{year}.txt").write_text(TEMPLATE.format(year=year, row=row), encoding="utf-8")
    out = tmp_path / "out"
    res = CliRunner().invoke(
        main, ["extract", str(inp), "-o", str(out), "-q", "--workers", "0"], catch_exceptions=False
    )
    assert res.exit_code == 0, res.output
    reports = pd.read_parquet(out / "reports.parquet")
    cells = pd.read_parquet(out / "cells.parquet").merge(reports[["report_id", "report_year"]], on="report_id")
    wide = pd.read_parquet(out / "wide_legacy.parquet").set_index("report_year")
    published = cells[cells["key"] == "legacy.active.published"].set_index("report_year")["value"]
    assert wide["legacy.active.published"].dropna().to_dict() == published.to_dict()  # chain cells included
    return cells, pd.read_parquet(out / "checks.parquet")


def test_chain_cuts_a_row_its_report_cannot(tmp_path):
    # 2014 prints '120620': 1|20620 or 120|620; 2013's 历年累计 500 + 120 = 620 leaves one
    cells, checks = _batch(
        tmp_path, {2013: "主动公开信息数 条 100 500", 2014: "主动公开信息数条120620", 2015: "主动公开信息数 条 30 650"}
    )
    pub = cells[cells["key"] == "legacy.active.published"].set_index("report_year")
    assert pub.loc[2014, "value"] == 120
    assert pub.loc[2014, "method"].endswith("+chain") and "cumulative chain" in pub.loc[2014, "note"]
    assert pub.loc[2013, "value"] == 100 and pub.loc[2015, "value"] == 30
    x4 = checks[checks["rule"] == "X4"]
    assert list(x4["passed"]) == []  # no two consecutive years were read by their own report


def test_without_the_neighbouring_year_the_row_is_left_out(tmp_path):
    cells, _ = _batch(tmp_path, {2014: "主动公开信息数条120620", 2016: "主动公开信息数 条 30 650"})
    assert "legacy.active.published" not in set(cells[cells["report_year"] == 2014]["key"])


def test_x4_checks_consecutive_years_read_by_their_own_reports(tmp_path):
    _, checks = _batch(tmp_path, {2013: "主动公开信息数 条 100 500", 2014: "主动公开信息数 条 120 630"})
    (x4,) = checks[checks["rule"] == "X4"].itertuples()
    assert x4.passed == False  # noqa: E712 - 500 + 120 ≠ 630
    assert x4.scope == "legacy.active.published"
