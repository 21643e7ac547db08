"""Glyphs to lines (extractor/readers/layout/lines.py): CJK spacing, overprints, cell lines joined."""

from __future__ import annotations

import pytest

from extractor.readers.layout.lines import clean_spaces, dedupe_glyphs, join_cell_lines, make_lines
from extractor.readers.layout.primitives import Glyph


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
