"""Tables the PDF reader finds: ruled grids with merged cells, tables cut by a page break, every
printed number read exactly once (the goldens of the generated reports list them all), and
rectangles that are not tables."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from extractor.model import Document, Paragraph, Status
from tests.helpers import (
    GENERATED,
    cell_with_text,
    cells_with_text,
    gold_of,
    printed_numbers,
    read_fixture,
    row_values,
    tables_on,
)

GENERATED_PDFS = sorted(GENERATED.glob("*.pdf"))


def test_generated_pdfs_present() -> None:
    names = {p.stem for p in GENERATED_PDFS}
    assert {
        "form2019_grid",
        "form2021_grid",
        "form2019_tables_vertical_split_repeat",
        "form2021_tables_blank_dash_split",
        "form2021_natural_break",
    } <= names


@pytest.mark.parametrize("path", GENERATED_PDFS, ids=lambda p: p.stem)
def test_every_printed_number_read_once(path: Path) -> None:
    """A dropped split row, or a merged number copied into the slots it covers, changes the count."""
    gold = gold_of(path)
    printed = {**gold["cells"], **gold.get("ignored_cells", {})}  # ignored: printed, not scored
    expected = Counter(v for v in printed.values() if v is not None)
    assert printed_numbers(read_fixture(path)) == expected


@pytest.mark.parametrize("path", [p for p in GENERATED_PDFS if "vertical" in p.stem], ids=lambda p: p.stem)
def test_vertical_labels_joined(path: Path) -> None:
    hits = cells_with_text(read_fixture(path), "三、本年度办理结果")
    assert len(hits) == 1
    table, idx = hits[0]
    cell = table.cells[idx]
    assert cell.rowspan >= 8 and cell.colspan == 1
    assert sum(row.count(idx) for row in table.slots) == cell.rowspan


@pytest.mark.parametrize(
    "path", [p for p in GENERATED_PDFS if "split" in p.stem or "break" in p.stem], ids=lambda p: p.stem
)
def test_section3_continues_on_next_page(path: Path) -> None:
    doc = read_fixture(path)
    ((first, _),) = cells_with_text(doc, "一、本年新收政府信息公开申请数量")
    ((last, _),) = cells_with_text(doc, "四、结转下年度继续办理")
    assert last.prov.page == first.prov.page + 1
    assert doc.blocks.index(last) > doc.blocks.index(first)
    repeated = len(cells_with_text(doc, "申请人情况"))
    assert repeated == (1 if path.stem.endswith("_split") else 2)


def test_section3_table_spans_pages_3_and_4(hongze: Document) -> None:
    p3 = tables_on(hongze, 3)[-1]
    p4 = tables_on(hongze, 4)[0]
    assert (p3.n_rows, p3.n_cols) == (17, 10)
    assert row_values(p3, "一、本年新收政府信息公开申请数量") == ["21", "0", "0", "0", "0", "0", "21"]
    # the last row on page 3 has no bottom rule (the table continues): it is kept, not dropped
    assert row_values(p3, "2.没有现成信息需要另行制作") == ["3", "0", "0", "0", "0", "0", "3"]
    assert row_values(p4, "3.补正后申请内容仍不明确") == ["0"] * 7
    assert row_values(p4, "（七）总计") == ["21", "0", "0", "0", "0", "0", "21"]
    assert row_values(p4, "四、结转下年度继续办理") == ["0"] * 7
    cell = cell_with_text(p3, "1.属于国家秘密")
    assert cell.prov.page == 3
    assert cell.prov.bbox == pytest.approx((180.2, 578.4, 309.9, 598.3), abs=0.6)
    assert cell_with_text(p4, "（七）总计").prov.page == 4


def test_merged_cells_text_once(hongze: Document) -> None:
    p3 = tables_on(hongze, 3)[-1]
    label = cell_with_text(p3, "三、本年度办理结果")  # written vertically, one character per line
    assert (label.row, label.col, label.rowspan, label.colspan) == (5, 0, 12, 1)
    idx = p3.cells.index(label)
    assert all(p3.slots[r][0] == idx for r in range(5, 17))
    header = cell_with_text(p3, "申请人情况")
    assert (header.rowspan, header.colspan) == (1, 7)
    assert [t for row in p3.rows_text() for t in row].count("申请人情况") == 1
    assert cell_with_text(p3, "（三）不予公开").rowspan == 8
    # lines wrapped by the cell width are joined, as a DOCX or HTML rendering has them
    assert cell_with_text(p3, "社会公益组织").colspan == 1
    assert cell_with_text(p3, "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）").rowspan == 3


def test_section4_header_grid(hongze: Document) -> None:
    t = tables_on(hongze, 4)[1]
    assert (t.n_rows, t.n_cols) == (4, 15)
    assert (cell_with_text(t, "行政复议").colspan, cell_with_text(t, "行政诉讼").colspan) == (5, 10)
    assert [c.text for c in t.row_cells(3)] == [
        "10",
        "1",
        "0",
        "0",
        "0",
        "0",
        "0",
        "0",
        "0",
        "0",
        "5",
        "0",
        "0",
        "0",
        "0",
    ]
    assert [c.text for c in t.row_cells(1)][:5] == ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]


def test_background_rectangles_are_not_tables(hongze: Document) -> None:
    """WPS paints white rectangles behind every text line; pages 1 and 5 have no table."""
    assert tables_on(hongze, 1) == [] and tables_on(hongze, 5) == []
    assert [len(tables_on(hongze, p)) for p in (2, 3, 4)] == [1, 2, 2]
    assert isinstance(hongze.blocks[-1], Paragraph)
    assert hongze.blocks[-1].text == "法》，全年收取政府信息公开信息处理费0元。"


def test_tables_and_spans(sample_doc: Document) -> None:
    assert sample_doc.status is Status.OK
    page1 = tables_on(sample_doc, 1)
    assert [t.rows_text() for t in page1] == [
        [["Head A", "Merged B"], ["r1", "1", "2"], ["r2", "3", "4"]],
        [["bar1", "bar2"]],
        [["", ""], ["", ""], ["split row", "7"]],
    ]
    merged = page1[0].cells[1]
    assert (merged.text, merged.row, merged.col, merged.colspan) == ("Merged B", 0, 1, 2)
    assert page1[0].slots[0] == (0, 1, 1)
    assert merged.prov.bbox == pytest.approx((200, 300, 400, 320), abs=0.5)
    assert page1[2].cells[-1].prov.bbox == pytest.approx((250, 640, 400, 660), abs=0.5)
