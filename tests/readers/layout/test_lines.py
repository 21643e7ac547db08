"""The pure steps of the PDF reader: CJK spacing, cell lines, fake bold, lines, page furniture."""

from __future__ import annotations

import pytest

from extractor.readers.layout.furniture import FurnitureSettings, furniture_flags, is_page_number
from extractor.readers.layout.lines import clean_spaces, dedupe_glyphs, join_cell_lines, make_lines
from extractor.readers.layout.primitives import Glyph, Ruling
from extractor.readers.layout.tables import TableSettings, close_open_ends, layout_cells, rulings_to_edges
from extractor.readers.pdf.page import is_garbage_char
from extractor.readers.pdf.reader import PdfSettings


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("2023 年", "2023年"),
        ("自 2023 年 1 月 1 日 起", "自2023年1月1日起"),
        ("总 计", "总计"),
        ("号 ， 邮 编 ： 223100", "号，邮编：223100"),
        ("0 0 0", "0 0 0"),
        ("hello  world", "hello world"),
        ("  第 3 页  ", "第3页"),
        ("－１－", "－１－"),
    ],
)
def test_clean_spaces(raw: str, clean: str) -> None:
    assert clean_spaces(raw) == clean


@pytest.mark.parametrize(
    ("lines", "text"),
    [
        (["三", "、", "本", "年", "度"], "三、本年度"),  # written vertically
        (["结果", "维持"], "结果维持"),  # wrapped by the cell width
        (["1.本机关不掌握相关政府信", "息"], "1.本机关不掌握相关政府信息"),
        (["10", "5"], "10\n5"),
        (["总计", "21"], "总计\n21"),
        (["", "x"], "x"),
    ],
)
def test_join_cell_lines(lines: list[str], text: str) -> None:
    assert join_cell_lines(lines) == text


def test_dedupe_glyphs_drops_overprints_only() -> None:
    a = Glyph("三", 10, 10, 20, 20)
    assert dedupe_glyphs(
        [a, Glyph("三", 10.4, 10.3, 20.4, 20.3), Glyph("三", 20, 10, 30, 20), Glyph("、", 10.2, 10, 20.2, 20)]
    ) == [a, Glyph("三", 20, 10, 30, 20), Glyph("、", 10.2, 10, 20.2, 20)]


def test_make_lines_orders_and_joins() -> None:
    glyphs = [
        Glyph("年", 15, 100, 25, 110),
        Glyph("2", 0, 101, 5, 110),
        Glyph("3", 5, 101, 10, 110),
        Glyph("下", 0, 120, 10, 130),
    ]
    lines = make_lines(glyphs)
    assert [ln.text for ln in lines] == ["23年", "下"]
    assert lines[0].bbox == (0, 100, 25, 110)


def test_column_gap_keeps_its_space() -> None:
    """In a table drawn without rules, a label and its first number are columns apart."""
    label = [Glyph(c, 10 * i, 0, 10 * i + 10, 10) for i, c in enumerate("总计")]
    values = [Glyph("2", 100, 0, 105, 10), Glyph("1", 105, 0, 110, 10), Glyph("0", 150, 0, 155, 10)]
    assert make_lines(label + values)[0].text == "总计 21 0"


@pytest.mark.parametrize("text", ["- 1 -", "-4-", "第 3 页", "第3页 共9页", "3/5", "Page 2 of 9", "12", "— 7 —"])
def test_page_numbers(text: str) -> None:
    assert is_page_number(text)


@pytest.mark.parametrize("text", ["2023年", "一、总体情况", "- 1 - 2 -", "0517-87222589"])
def test_not_page_numbers(text: str) -> None:
    assert not is_page_number(text)


def test_running_header_needs_margin_and_repetition() -> None:
    def row(text: str, top: float) -> list[Glyph]:
        return [Glyph(c, 100 + 10 * i, top, 110 + 10 * i, top + 10) for i, c in enumerate(text)]

    def page(header: str, body: str) -> tuple[float, list]:
        return 842.0, make_lines(row(header, 40) + row(body, 400))

    pages = [page("某某政务公开", "正文"), page("某某政务公开", "正文"), page("标题", "正文")]
    flags = furniture_flags(pages, FurnitureSettings())
    assert flags == [[True, False], [True, False], [False, False]]


def test_garbage_chars() -> None:
    assert is_garbage_char("\ue001") and is_garbage_char("\ufffd")
    assert not is_garbage_char("年") and not is_garbage_char("1")


def test_layout_fills_holes_and_spans() -> None:
    # a 2x3 grid: the top row's last two slots are one cell, the bottom-right slot has no cell
    lay = layout_cells([(0, 0, 10, 10), (10, 0, 30, 10), (0, 10, 10, 20), (10, 10, 20, 20)])
    assert (lay.n_rows, lay.n_cols) == (2, 3)
    assert [(c.row, c.col, c.rowspan, c.colspan) for c in lay.cells] == [
        (0, 0, 1, 1),
        (0, 1, 1, 2),
        (1, 0, 1, 1),
        (1, 1, 1, 1),
        (1, 2, 1, 1),
    ]


def test_settings_are_validated() -> None:
    with pytest.raises(ValueError, match="snap_tolerance"):
        TableSettings(snap_tolerance=-1)
    with pytest.raises(ValueError, match="max_pages"):
        PdfSettings(max_pages=0)
    with pytest.raises(ValueError, match="margin_band"):
        FurnitureSettings(margin_band=0.7)


def test_close_open_ends_only_where_rules_hang_in_the_air() -> None:
    rules = [Ruling(x, 0, x, 30) for x in (0, 10, 20)] + [Ruling(0, 0, 20, 0), Ruling(0, 10, 20, 10)]
    rules += [Ruling(10, 20, 20, 20)]  # a partial row rule: the left cell spans rows 1-2
    rules += [Ruling(30, 5, 30, 25)]  # a lone vertical (a margin bar) is left alone
    edges = rulings_to_edges(rules)
    added = close_open_ends(edges, 3.0)[len(edges) :]
    assert [(e["x0"], e["top"], e["x1"], e["bottom"]) for e in added] == [(0, 30, 20, 30)]
