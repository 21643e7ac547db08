"""The PDF reader on the real dev-corpus report (Huai'an Hongze 2023, WPS export, 5 pages)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from extractor.model import Document, FileFormat, Paragraph, Status, Table
from extractor.readers.pdf.reader import read_pdf
from extractor.readers.registry import read_document
from tests.helpers import FIXTURES

REAL = FIXTURES / "real" / "001_huaian_hongze_2023.pdf"


@pytest.fixture(scope="module")
def doc() -> Document:
    return read_pdf(REAL.read_bytes(), REAL)


def _tables_on(doc: Document, page: int) -> list[Table]:
    return [t for t in doc.tables if t.prov.page == page]


def _cell(table: Table, text: str):
    hits = [c for c in table.cells if c.text == text]
    assert len(hits) == 1, f"{text!r} appears {len(hits)} times"
    return hits[0]


def _row_values(table: Table, label: str) -> list[str]:
    cell = _cell(table, label)
    return [c.text for c in table.row_cells(cell.row) if c.col >= cell.col + cell.colspan]


def test_document_basics(doc: Document) -> None:
    assert doc.file_format is FileFormat.PDF
    assert doc.status is Status.OK and doc.warnings == ()
    assert doc.n_pages == 5
    assert doc.title == "洪泽区人民政府2023年政府信息公开工作年度报告"
    assert [p.text for p in doc.paragraphs[:2]] == ["洪泽区人民政府", "2023年政府信息公开工作年度报告"]


def test_registry_sniffs_pdf() -> None:
    d = read_document(REAL)
    assert d.file_format is FileFormat.PDF and len(d.tables) == 5


def test_every_block_has_page_and_bbox(doc: Document) -> None:
    for block in doc.blocks:
        assert block.prov.page in range(1, 6)
        x0, top, x1, bottom = block.prov.bbox
        assert 0 <= x0 < x1 <= 595 and 0 <= top < bottom <= 842
        if isinstance(block, Table):
            for cell in block.cells:
                assert cell.prov.page == block.prov.page
                cx0, ctop, cx1, cbottom = cell.prov.bbox
                assert x0 - 1 <= cx0 < cx1 <= x1 + 1 and top - 1 <= ctop < cbottom <= bottom + 1


def test_blocks_in_reading_order(doc: Document) -> None:
    keys = [(b.prov.page, b.prov.bbox[1]) for b in doc.blocks]
    assert keys == sorted(keys)
    texts = [b.text for b in doc.paragraphs]
    s3, s4 = "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况"
    assert texts.index(s3) < texts.index(s4)
    heading = next(b for b in doc.paragraphs if b.text == s3)
    after = doc.blocks[doc.blocks.index(heading) + 1]
    assert isinstance(after, Table) and after.prov.page == 3


def test_cjk_spaces_removed_numbers_kept(doc: Document) -> None:
    texts = [p.text for p in doc.paragraphs]
    assert "2023年，洪泽区人民政府坚持以习近平新时代中国特色社会" in texts
    assert not any("2023 年" in t for t in texts)
    assert "号，邮编：223100，电话：0517-87222589，电子邮箱：" in texts
    assert "法》，全年收取政府信息公开信息处理费0元。" in texts


def test_page_numbers_dropped(doc: Document) -> None:
    texts = [p.text for p in doc.paragraphs]
    for n in range(1, 6):
        assert f"-{n}-" not in texts and f"- {n} -" not in texts
    assert not any(t.strip("- ").isdigit() for t in texts)


def test_section3_table_spans_pages_3_and_4(doc: Document) -> None:
    p3 = _tables_on(doc, 3)[-1]
    p4 = _tables_on(doc, 4)[0]
    assert (p3.n_rows, p3.n_cols) == (17, 10)
    assert _row_values(p3, "一、本年新收政府信息公开申请数量") == ["21", "0", "0", "0", "0", "0", "21"]
    # the last row on page 3 has no bottom rule (the table continues): it is kept, not dropped
    assert _row_values(p3, "2.没有现成信息需要另行制作") == ["3", "0", "0", "0", "0", "0", "3"]
    assert _row_values(p4, "3.补正后申请内容仍不明确") == ["0"] * 7
    assert _row_values(p4, "（七）总计") == ["21", "0", "0", "0", "0", "0", "21"]
    assert _row_values(p4, "四、结转下年度继续办理") == ["0"] * 7
    cell = _cell(p3, "1.属于国家秘密")
    assert cell.prov.page == 3
    assert cell.prov.bbox == pytest.approx((180.2, 578.4, 309.9, 598.3), abs=0.6)
    assert _cell(p4, "（七）总计").prov.page == 4


def test_merged_cells_text_once(doc: Document) -> None:
    p3 = _tables_on(doc, 3)[-1]
    label = _cell(p3, "三、本年度办理结果")  # written vertically, one character per line
    assert (label.row, label.col, label.rowspan, label.colspan) == (5, 0, 12, 1)
    idx = p3.cells.index(label)
    assert all(p3.slots[r][0] == idx for r in range(5, 17))
    header = _cell(p3, "申请人情况")
    assert (header.rowspan, header.colspan) == (1, 7)
    assert [t for row in p3.rows_text() for t in row].count("申请人情况") == 1
    assert _cell(p3, "（三）不予公开").rowspan == 8
    # lines wrapped by the cell width are joined, as a DOCX or HTML rendering has them
    assert _cell(p3, "社会公益组织").colspan == 1
    assert _cell(p3, "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）").rowspan == 3


def test_section4_header_grid(doc: Document) -> None:
    t = _tables_on(doc, 4)[1]
    assert (t.n_rows, t.n_cols) == (4, 15)
    assert (_cell(t, "行政复议").colspan, _cell(t, "行政诉讼").colspan) == (5, 10)
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


def test_background_rectangles_are_not_tables(doc: Document) -> None:
    """WPS paints white rectangles behind every text line; pages 1 and 5 have no table."""
    assert _tables_on(doc, 1) == [] and _tables_on(doc, 5) == []
    assert [len(_tables_on(doc, p)) for p in (2, 3, 4)] == [1, 2, 2]
    assert isinstance(doc.blocks[-1], Paragraph)
    assert doc.blocks[-1].text == "法》，全年收取政府信息公开信息处理费0元。"


@pytest.mark.skipif(shutil.which("pdftocairo") is None, reason="needs poppler's pdftocairo")
def test_same_report_from_another_producer_reads_the_same(doc: Document, tmp_path: Path) -> None:
    """Cairo re-draws the report: text in bold-by-stroke fonts becomes stroked glyph outlines
    (hundreds of short curved paths), which must not be taken for table rules."""
    out = tmp_path / "cairo.pdf"
    subprocess.run(["pdftocairo", "-pdf", str(REAL), str(out)], check=True, timeout=120)
    again = read_pdf(out.read_bytes(), out)

    def shape(d: Document) -> list:
        return [b.rows_text() if isinstance(b, Table) else b.text for b in d.blocks]

    assert shape(again) == shape(doc)
    for a, b in zip(again.blocks, doc.blocks, strict=True):
        assert a.prov.bbox == pytest.approx(b.prov.bbox, abs=2.5)  # re-embedded fonts: other ascents
