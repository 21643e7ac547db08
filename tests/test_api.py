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
