"""The notebook API (extractor/api.py): bytes in, DataFrames out (issue 12)."""

from __future__ import annotations

import pandas as pd
import pytest

from extractor import read_report
from tests.helpers import REAL

XJ = REAL / "000_xinjiang_yjglt_2019.txt"


def test_read_report_takes_bytes():
    rep = read_report(XJ.read_bytes(), name="xj.txt")
    assert rep.status == "ok" and rep.meta["source"] == "xj.txt" and len(rep.cells) == 37
    assert read_report(XJ).meta["report_id"] == rep.meta["report_id"]


def test_read_report_rejects_other_types_with_a_sentence():
    with pytest.raises(TypeError, match=r"a path .* or the report's bytes, not int"):
        read_report(42)  # type: ignore[arg-type]


def test_values_is_a_dataframe_like_its_siblings():
    rep = read_report(XJ)
    values = rep.values
    assert isinstance(values, pd.DataFrame) and list(values.columns) == ["value", "state", "unit"]
    assert values.index.name == "key" and len(values) == len(rep.cells)
    assert (
        values.loc["active.procurement.amount", "value"] == 1378
        and values.loc["active.procurement.amount", "unit"] == "万元"
    )


def test_read_reports_keeps_report_id_unique(tmp_path):
    """Regression: the same path twice, or the same content under two names, gave two rows with
    one report_id through read_reports/combine, so cells.merge(reports) doubled the cells."""
    copy = tmp_path / "copy.txt"
    copy.write_bytes(XJ.read_bytes())
    from extractor import api

    tables = api.read_reports([XJ, str(XJ), copy])
    reports = tables["reports"]
    assert len(reports) == 2 and reports["report_id"].is_unique
    first, dup = reports.iloc[0], reports.iloc[1]
    assert pd.isna(first["duplicate_of"]) and dup["duplicate_of"] == first["report_id"]
    assert dup["source"] == copy.as_posix() and dup["content_id"] == first["report_id"]
    cells = tables["cells"]
    assert len(cells) == 37 and len(cells.merge(reports, on="report_id")) == 37
