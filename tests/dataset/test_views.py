"""Form-shaped views for the spot-check notebook: layout, highlighted checks, the HTML source marked."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from extractor.batch.plan import InputFile
from extractor.batch.run import extract_tables
from extractor.dataset.views import (
    NOT_PRINTED,
    check_keys,
    failing_keys,
    form_tables,
    html_source_tables,
    pdf_boxes,
    resolve_source,
)
from tests.fixtures.series import YearSpec, build_series
from tests.helpers import REAL, ROOT


@pytest.fixture(scope="module")
def shanghai() -> tuple[pd.DataFrame, pd.DataFrame]:
    t = extract_tables([InputFile(REAL / "004_shanghai_govoffice_2019.html", "004.html")])
    return t["cells"], t["checks"]


def test_form_tables_lay_out_the_2019_form(shanghai):
    cells, _ = shanghai
    blocks = form_tables(cells, "2019")
    titles = [b.title for b in blocks]
    assert titles[:5] == [
        "第二十条第（一）项",
        "第二十条第（五）项",
        "第二十条第（六）项",
        "第二十条第（八）项",
        "第二十条第（九）项",
    ]
    s5 = blocks[1]
    assert list(s5.text.columns) == ["上一年项目数量", "本年增/减", "处理决定数量"]
    assert list(s5.text.index) == ["行政许可", "其他对外管理服务事项"]
    s3 = blocks[-2]
    assert s3.text.shape == (23, 7) and s3.text.columns[0] == "自然人" and s3.text.columns[-1] == "总计"
    assert s3.text.index[4] == "（三）不予公开 1.属于国家秘密"
    assert s3.keys.loc["（七）总计", "总计"] == "requests.handled_total.total"
    assert s3.text.loc["一、本年新收政府信息公开申请数量", "总计"] == "859"  # as printed (and in the gold)
    s4 = blocks[-1]
    assert s4.text.shape == (3, 5) and list(s4.text.columns) == ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    # blank cells read as '' and cells the report does not print as NOT_PRINTED
    blanks = set(cells.loc[cells["state"] == "blank", "key"])
    shown = {k: b.text.iat[i, j] for b in blocks for (i, j), k in pd.DataFrame(b.keys.values).stack().items() if k}
    assert len(blanks) == 135 and {shown[k] for k in blanks} == {""}
    assert not any((b.text == NOT_PRINTED).any().any() for b in blocks)


def test_a_2021_report_has_the_three_other_rows():
    cells = pd.DataFrame(columns=["key", "state", "value", "raw"])
    s3 = form_tables(cells, "2021")[-2]
    assert [i for i in s3.text.index if i.startswith("（六）")] == [
        "（六）其他处理 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        "（六）其他处理 2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        "（六）其他处理 3.其他",
    ]
    assert (s3.text == NOT_PRINTED).all().all()


def test_check_keys_cover_each_rule():
    assert check_keys("R1", "total", "2019") == {
        "requests.new_received.total",
        "requests.carried_over_in.total",
        "requests.handled_total.total",
        "requests.carried_over_out.total",
    }
    assert "requests.other_misc.natural_person" in check_keys("R2", "natural_person", "2021")
    assert len(check_keys("R3", "granted", "2019")) == 7
    assert check_keys("R4", "admin_review", "2021") == {
        f"review.admin_review.{o}" for o in ("upheld", "corrected", "other", "pending", "total")
    }
    assert check_keys("X1", "requests.carried_over_in.total 2021→2022", "2021") == {"requests.carried_over_in.total"}
    assert check_keys("X2", "active.regulations.in_force 2021→2022", "2021") == {
        "active.regulations.in_force",
        "active.regulations.issued",
        "active.regulations.repealed",
    }
    assert check_keys("X3", "active.penalty.prior_items 2019→2020", "2019") == {
        "active.penalty.prior_items",
        "active.penalty.change",
    }
    checks = pd.DataFrame(
        {"rule": ["R4", "R3"], "scope": ["admin_review", "granted"], "passed": [False, None]}, dtype="object"
    )
    assert set(failing_keys(checks, "2019")) == {
        f"review.admin_review.{o}" for o in ("upheld", "corrected", "other", "pending", "total")
    }  # the failed R4's five cells; the unevaluable R3 marks none


def test_html_source_tables_mark_every_cell_read(tmp_path: Path):
    path = build_series(tmp_path, "某局", [YearSpec(2022, "2021")], 1)[2022]
    t = extract_tables([InputFile(path, path.name)])
    cells = t["cells"]
    assert len(cells) == 200
    marks = {loc: "#c8ecc8" for loc in cells["locator"]}
    marks[cells["locator"].iloc[0]] = "#f4a6a6"
    html = html_source_tables(path.read_bytes(), marks)
    assert html.count("<table") == 3
    assert html.count("background-color:#c8ecc8") == 199 and html.count("background-color:#f4a6a6") == 1
    assert cells["locator"].iloc[0].endswith(" row 3 cell 2")  # "<table path> row R cell C"
    plain = html_source_tables(path.read_bytes(), {"/html/body/table[3]/tr[4]/td[1]": "#f4a6a6"})
    assert plain.count("background-color:#f4a6a6") == 1  # a plain DOM path works too


def test_pdf_boxes_and_source_paths():
    cells = pd.DataFrame(
        {"key": ["a", "b", "c"], "page": pd.array([1, 2, None], dtype="Int64"), "bbox": ["1,2,3,4", "5,6,7,8", None]}
    )
    assert pdf_boxes(cells) == {1: [("a", (1.0, 2.0, 3.0, 4.0))], 2: [("b", (5.0, 6.0, 7.0, 8.0))]}
    assert (
        resolve_source("samples/gen_yunling_2021.pdf", [ROOT / "nope", ROOT]) == ROOT / "samples/gen_yunling_2021.pdf"
    )
    assert resolve_source("samples/missing.pdf", [ROOT]) is None
