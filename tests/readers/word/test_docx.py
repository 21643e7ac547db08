"""The DOCX reader on generated reports and on hand-written WordprocessingML.

Generated reports are compared cell by cell with the layout the generator printed: every merged
cell once, at its grid position with its spans, holding the text the generator wrote.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import docx as python_docx
import pytest

from extractor.errors import ExtractionError
from extractor.model import Document, FileFormat, Paragraph, Status, Table
from extractor.readers.word.docx import DocxError, DocxSettings, docx_to_document
from tests.fixtures.generator.form import outcome_groups
from tests.fixtures.generator.generate import FIXTURES, OUT_DIR, Fixture, fixture_named
from tests.fixtures.generator.render import (
    DELETED_TEXT,
    INSERTED_TEXT,
    NESTED_INNER,
    SECTION_HEADINGS,
    TEXTBOX_TEXT,
    LaidOutTable,
    form_tables,
)
from tests.fixtures.generator.values import ValuesSpec, format_value
from tests.helpers import (
    DAMAGED_WORD,
    DAMAGED_WORD_ERRORS,
    damaged_word_params,
    read_fixture,
    wml_docx,
    wml_p,
    wml_tbl,
    wml_tc,
)

DOCX_FIXTURES = [fx for fx in FIXTURES if "docx" in fx.renderings]


def _read(name: str, ext: str = "docx") -> Document:
    return read_fixture(OUT_DIR / f"{name}.{ext}")


def expected_cells(t: LaidOutTable, values: ValuesSpec) -> list[tuple[str, int, int, int, int]]:
    """(text, row, col, rowspan, colspan) of every printed cell, as the reader should give them."""
    out = []
    for p in t.placed:
        if p.spec.key:
            text = format_value(values[p.spec.key])
        else:
            text = "\n".join(p.spec.text) if p.spec.vertical else p.spec.text
        out.append((text, p.row, p.col, p.rowspan, p.colspan))
    return sorted(out, key=lambda c: (c[1], c[2]))


def got_cells(t: Table) -> list[tuple[str, int, int, int, int]]:
    return sorted(((c.text, c.row, c.col, c.rowspan, c.colspan) for c in t.cells), key=lambda c: (c[1], c[2]))


def form_table_pairs(fx: Fixture, doc: Document) -> list[tuple[LaidOutTable, Table]]:
    layout = [t for section in (2, 3, 4) for t in form_tables(fx.variant)[section]]
    assert len(doc.tables) >= len(layout)
    return list(zip(layout, doc.tables, strict=False))


# --- generated reports -------------------------------------------------------------------------------


@pytest.mark.parametrize("fx", DOCX_FIXTURES, ids=lambda fx: fx.name)
def test_every_form_table_matches_the_printed_layout(fx: Fixture) -> None:
    doc = _read(fx.name)
    values, _ = fx.values()
    assert doc.file_format is FileFormat.DOCX and doc.status is Status.OK
    for layout, table in form_table_pairs(fx, doc):
        assert (table.n_rows, table.n_cols) == (layout.n_rows, layout.n_cols)
        assert got_cells(table) == expected_cells(layout, values)
        # every slot is covered, by the cell whose span contains it
        for r in range(table.n_rows):
            for c in range(table.n_cols):
                cell = table.cell_at(r, c)
                assert cell is not None
                assert cell.row <= r < cell.row + cell.rowspan and cell.col <= c < cell.col + cell.colspan


def test_merged_cells_hold_their_text_once_where_python_docx_repeats_it() -> None:
    doc = _read("form2021_grid")
    s3 = doc.tables[1]
    texts = [c.text for c in s3.cells]
    for label in (
        "三、本年度办理结果",
        "申请人情况",
        "法人或其他组织",
        "（三）不予公开",
        "（六）其他处理",
        "自然人",
    ):
        assert texts.count(label) == 1, label
    outcome = texts.index("三、本年度办理结果")
    n_outcome_rows = sum(len(subs) for _, subs in outcome_groups("2021"))
    assert n_outcome_rows == 22  # （一）（二） 1+1, （三） 8, （四） 3, （五） 5, （六） 3, （七） 1
    column0 = [s3.slots[r][0] for r in range(s3.n_rows)]
    assert column0[5 : 5 + n_outcome_rows] == [outcome] * n_outcome_rows
    assert column0[5 + n_outcome_rows] != outcome  # 四、结转下年度继续办理 is its own cell
    assert [s3.slots[0][c] for c in range(3, 10)] == [texts.index("申请人情况")] * 7
    assert s3.rows_text()[3] == ["一、本年新收政府信息公开申请数量", *s3.rows_text()[3][1:]]
    assert len(s3.rows_text()[3]) == 8  # the label once, then seven numbers
    # what the reader avoids: python-docx's row.cells repeats the merged label in each slot
    pd_row = python_docx.Document(str(OUT_DIR / "form2021_grid.docx")).tables[1].rows[3]
    assert [c.text for c in pd_row.cells][:3] == ["一、本年新收政府信息公开申请数量"] * 3


def test_paragraphs_and_tables_come_in_document_order() -> None:
    doc = _read("form2019_tables_vertical_split_repeat")
    kinds = []
    for block in doc.blocks:
        if isinstance(block, Table):
            kinds.append("T")
        elif block.text in SECTION_HEADINGS:
            kinds.append(str(SECTION_HEADINGS.index(block.text) + 1))
    # five small section 二 tables, section 三 cut in two, one section 四 table
    assert "".join(kinds) == "12TTTTT3TT4T56"
    assert isinstance(doc.blocks[0], Paragraph)
    assert doc.blocks[0].text == "青山县人民政府办公室2020年政府信息公开工作年度报告"
    assert [b.text for b in doc.paragraphs[-2:]] == ["青山县人民政府办公室", "2021年1月28日"]


def test_split_section3_repeats_its_header_as_printed() -> None:
    doc = _read("form2019_tables_vertical_split_repeat")
    first, second = doc.tables[5], doc.tables[6]
    assert first.rows_text()[:3] == second.rows_text()[:3]
    assert second.rows_text()[3][0] == ""  # the continuation of the vertical merge keeps no text
    assert second.cell_at(3, 0).rowspan == second.n_rows - 4  # all but the header and 四、结转…


def test_vertical_labels_keep_one_character_per_line() -> None:
    doc = _read("form2021_tables_blank_dash_split")
    s3 = doc.tables[4]
    assert s3.cell_at(5, 0).text == "三\n、\n本\n年\n度\n办\n理\n结\n果"


def test_blank_and_dash_cells_are_read_as_printed() -> None:
    fx = fixture_named("form2021_tables_blank_dash_split")
    values, _ = fx.values()
    assert None in values.values() and "—" in values.values()
    doc = _read(fx.name)
    texts = [c.text for t in doc.tables for c in t.cells]
    assert texts.count("—") == sum(1 for v in values.values() if v == "—")


def test_text_box_is_read_once_after_its_anchor_paragraph() -> None:
    doc = _read("form2021_word_extras")
    texts = [b.text for b in doc.paragraphs]
    assert texts.count(TEXTBOX_TEXT) == 1  # DrawingML choice read, VML fallback not
    i = texts.index(TEXTBOX_TEXT)
    assert texts[i - 1].startswith("本报告根据《中华人民共和国政府信息公开条例》")
    assert texts[i + 1] == "一、总体情况"
    assert "text box 1" in doc.paragraphs[i].prov.locator


def test_tracked_insertions_are_kept_and_deletions_dropped() -> None:
    doc = _read("form2021_word_extras")
    all_text = "\n".join(b.text for b in doc.paragraphs)
    assert f"本机关严格执行信息处理费收费标准，{INSERTED_TEXT}本年度未收取信息处理费。" in all_text
    assert DELETED_TEXT not in all_text


def test_page_headers_and_footers_are_left_out() -> None:
    fx = fixture_named("form2021_word_extras")
    doc = _read(fx.name)
    header = f"{fx.variant.agency}政务公开"
    with zipfile.ZipFile(OUT_DIR / f"{fx.name}.docx") as zf:  # they are in the file …
        assert any(header in zf.read(n).decode() for n in zf.namelist() if n.startswith("word/header"))
    texts = [b.text for b in doc.paragraphs] + [c.text for t in doc.tables for c in t.cells]
    assert header not in texts  # … but not in the document's text
    assert not any(re.fullmatch(r"-\s*\d+\s*-", t) for t in texts)


def test_nested_table_follows_its_outer_table() -> None:
    doc = _read("form2021_word_extras")
    outer, inner = doc.tables[-2], doc.tables[-1]
    assert outer.rows_text() == [["联系方式", ""]]
    assert inner.rows_text() == [list(row) for row in NESTED_INNER]
    assert inner.prov.locator == f"table {len(doc.tables)} in {outer.prov.locator} row 1 col 2"
    assert doc.blocks.index(inner) == doc.blocks.index(outer) + 1


def test_provenance_locators_name_table_row_col_and_paragraph() -> None:
    doc = _read("form2019_grid")
    s3 = doc.tables[1]
    cell = s3.cell_at(3, 3)
    assert cell.prov.locator == "table 2 row 4 col 4"
    assert s3.prov.locator == "table 2"
    assert doc.blocks[0].prov.locator == "paragraph 1"
    locators = [b.prov.locator for b in doc.paragraphs]
    assert all(re.fullmatch(r"paragraph \d+", loc) for loc in locators)
    numbers = [int(loc.split()[1]) for loc in locators]
    assert numbers == sorted(numbers)


# --- hand-written WordprocessingML ------------------------------------------------------------------


def test_vertical_merge_spans_rows_and_keeps_text_once() -> None:
    body = wml_tbl(
        [
            wml_tc("A", vmerge="restart") + wml_tc("1"),
            wml_tc("", vmerge="continue") + wml_tc("2"),
            wml_tc("B") + wml_tc("3"),
        ]
    )
    table = docx_to_document(wml_docx(body)).tables[0]
    assert table.rows_text() == [["A", "1"], ["2"], ["B", "3"]]
    assert table.cell_at(1, 0) is table.cell_at(0, 0) and table.cell_at(0, 0).rowspan == 2


def test_stray_vertical_continue_is_a_cell_of_its_own() -> None:
    body = wml_tbl([wml_tc("x", vmerge="continue") + wml_tc("1"), wml_tc("2") + wml_tc("3")])
    table = docx_to_document(wml_docx(body)).tables[0]
    assert table.rows_text() == [["x", "1"], ["2", "3"]]


def test_grid_before_and_after_keep_columns_aligned() -> None:
    row1 = wml_tc("a") + wml_tc("b") + wml_tc("c")
    row2 = '<w:trPr><w:gridBefore w:val="1"/><w:gridAfter w:val="1"/></w:trPr>' + wml_tc("B")
    table = docx_to_document(wml_docx(wml_tbl([row1, row2]))).tables[0]
    assert (table.n_rows, table.n_cols) == (2, 3)
    assert table.cell_at(1, 1).text == "B" and table.cell_at(1, 0).text == "" and table.cell_at(1, 2).text == ""


def test_grid_column_where_no_cell_starts_is_folded() -> None:
    rows = [wml_tc("a", span=2) + wml_tc("b"), wml_tc("c", span=2) + wml_tc("d")]
    table = docx_to_document(wml_docx(wml_tbl(rows, grid=[1000, 1000, 1000]))).tables[0]
    assert (table.n_cols, table.rows_text()) == (2, [["a", "b"], ["c", "d"]])


def test_content_controls_and_legacy_hmerge_are_read_through() -> None:
    hm = '<w:tc><w:tcPr><w:hMerge w:val="restart"/></w:tcPr>' + wml_p("wide") + "</w:tc>"
    hm += "<w:tc><w:tcPr><w:hMerge/></w:tcPr><w:p/></w:tc>"
    body = (
        "<w:sdt><w:sdtContent>"
        + wml_p("in a content control")
        + "</w:sdtContent></w:sdt>"
        + wml_tbl(
            [
                hm + wml_tc("x"),
                "<w:sdt><w:sdtContent>" + wml_tc("1") + wml_tc("2") + wml_tc("3") + "</w:sdtContent></w:sdt>",
            ]
        )
    )
    doc = docx_to_document(wml_docx(body))
    assert doc.paragraphs[0].text == "in a content control"
    assert doc.tables[0].rows_text() == [["wide", "x"], ["1", "2", "3"]]
    assert doc.tables[0].cells[0].colspan == 2


def test_inline_breaks_tabs_fields_and_alternate_content() -> None:
    body = (
        "<w:p><w:r><w:t>一、</w:t><w:tab/><w:t>总体情况</w:t></w:r></w:p>"
        '<w:p><w:r><w:t>before</w:t><w:br w:type="page"/><w:t>after</w:t></w:r></w:p>'
        "<w:p><w:r><w:t>line one</w:t><w:br/><w:t>line two</w:t></w:r></w:p>"
        '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>7</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
        '<w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:t>chosen</w:t></mc:Choice>'
        "<mc:Fallback><w:t>fallback</w:t></mc:Fallback></mc:AlternateContent></w:r></w:p>"
    )
    texts = [b.text for b in docx_to_document(wml_docx(body)).paragraphs]
    assert texts == ["一、 总体情况", "beforeafter", "line one", "line two", "7", "chosen"]


def test_strict_ooxml_namespace_is_read() -> None:
    doc = docx_to_document(
        wml_docx(
            wml_p("严格") + wml_tbl([wml_tc("1") + wml_tc("2")]), ns="http://purl.oclc.org/ooxml/wordprocessingml/main"
        )
    )
    assert doc.paragraphs[0].text == "严格" and doc.tables[0].rows_text() == [["1", "2"]]


def test_core_title_becomes_document_title() -> None:
    core = (
        "<cp:coreProperties "
        'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>年度报告</dc:title></cp:coreProperties>'
    )
    doc = docx_to_document(wml_docx(wml_p("x"), extra={"docProps/core.xml": core.encode()}))
    assert doc.title == "年度报告"


def test_tables_nested_too_deep_are_left_out_with_a_warning() -> None:
    inner = wml_tbl([wml_tc("deepest")])
    for _ in range(25):
        inner = wml_tbl([f"<w:tc>{inner}<w:p/></w:tc>"])
    doc = docx_to_document(wml_docx(wml_p("top") + inner))
    assert doc.status is Status.PARTIAL
    assert any("nested more than" in w for w in doc.warnings)
    assert "deepest" not in [c.text for t in doc.tables for c in t.cells]


def test_alt_chunk_makes_the_document_partial() -> None:
    doc = docx_to_document(wml_docx(wml_p("x") + '<w:altChunk xmlns:r="urn:r" r:id="rId9"/>'))
    assert doc.status is Status.PARTIAL and "altChunk" in doc.warnings[0]


# --- damaged and hostile files ------------------------------------------------------------------------


def test_deeply_nested_xml_fails_cleanly() -> None:
    body = "<w:customXml>" * 3000 + wml_p("x") + "</w:customXml>" * 3000
    with pytest.raises(DocxError, match="too deeply nested"):
        docx_to_document(wml_docx(body))


@pytest.mark.parametrize("name", damaged_word_params())
def test_damaged_files_fail_with_a_clear_error(name: str) -> None:
    path = DAMAGED_WORD / name
    with pytest.raises(ExtractionError) as info:
        read_fixture(path)
    message = str(info.value)
    assert DAMAGED_WORD_ERRORS[name] in message
    assert len(message) > 30 and "Traceback" not in message


def test_every_damaged_file_has_an_expected_error() -> None:
    on_disk = {p.name for p in DAMAGED_WORD.iterdir() if p.suffix in (".docx", ".doc")}
    assert on_disk == set(DAMAGED_WORD_ERRORS)


def test_ole2_bytes_given_to_the_docx_reader_say_what_they_are() -> None:
    with pytest.raises(DocxError, match="password-protected"):
        docx_to_document((DAMAGED_WORD / "password_protected.docx").read_bytes())
    with pytest.raises(DocxError, match="Word 97"):
        docx_to_document((OUT_DIR / "form2021_grid.doc").read_bytes())


def test_docx_settings_are_validated() -> None:
    with pytest.raises(ValueError):
        DocxSettings(max_part_bytes=0)


def test_reading_generated_docx_is_fast(benchmark_budget_s: float = 0.5) -> None:
    data = (OUT_DIR / "form2021_natural_break.docx").read_bytes()
    import time

    start = time.perf_counter()
    for _ in range(5):
        docx_to_document(data)
    assert (time.perf_counter() - start) / 5 < benchmark_budget_s


def test_reader_is_registered_and_used_for_docx_content(tmp_path: Path) -> None:
    path = tmp_path / "report.bin"
    path.write_bytes((OUT_DIR / "form2019_grid.docx").read_bytes())
    from extractor.readers.registry import read_document

    doc = read_document(path)
    assert doc.file_format is FileFormat.DOCX and len(doc.tables) == 3


# --- automatic list numbering --------------------------------------------------------------------


def _box(inner: str) -> str:
    return (
        '<w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><w:txbxContent>'
        f"{inner}</w:txbxContent></w:drawing></mc:Choice><mc:Fallback><w:pict><w:txbxContent>{inner}"
        "</w:txbxContent></w:pict></mc:Fallback></mc:AlternateContent></w:r>"
    )


def test_text_box_in_a_cell_joins_the_cell_text_once() -> None:
    cell = f"<w:tc><w:p><w:r><w:t>标签</w:t></w:r>{_box(wml_p('框内'))}</w:p></w:tc>"
    table = docx_to_document(wml_docx(wml_tbl([cell + wml_tc("9")]))).tables[0]
    assert table.rows_text() == [["标签\n框内", "9"]]


def test_table_inside_a_text_box_becomes_a_table_block_after_its_anchor() -> None:
    body = f"<w:p><w:r><w:t>锚点</w:t></w:r>{_box(wml_tbl([wml_tc('1') + wml_tc('2')]))}</w:p>" + wml_p("后文")
    doc = docx_to_document(wml_docx(body))
    kinds = [type(b).__name__ for b in doc.blocks]
    assert kinds == ["Paragraph", "Table", "Paragraph"]
    assert doc.tables[0].rows_text() == [["1", "2"]] and "text box 1" in doc.tables[0].prov.locator
