"""The run summary (extractor/batch/summary.py): documents sharing an agency and year flagged."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tests.helpers import extract_cli, make_inputs


def test_same_agency_and_year_is_flagged(tmp_path: Path):
    inputs = tmp_path / "in"
    make_inputs(inputs, 8)  # doc0000/doc0004, doc0001/doc0005, doc0002/doc0006: two editions each
    out = tmp_path / "out"
    res = extract_cli(str(inputs), "-o", str(out))
    warnings = pd.read_parquet(out / "warnings.parquet")
    flagged = warnings[warnings["kind"] == "same_agency_year"]
    assert flagged["report_id"].nunique() == 6  # doc0003/doc0007 name no agency
    assert "2 different documents report on 新疆维吾尔自治区应急管理厅 2019" in " ".join(flagged["message"])
    assert "documents sharing an agency and year with another: 6" in res.output
