"""Page furniture (extractor/readers/layout/furniture.py): page numbers and running heads, found by margin and repetition."""

from __future__ import annotations

import pytest

from extractor.readers.layout.furniture import FurnitureSettings, furniture_flags, is_page_number
from extractor.readers.layout.lines import make_lines
from extractor.readers.layout.primitives import Glyph


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


def test_settings_are_validated() -> None:
    with pytest.raises(ValueError, match="margin_band"):
        FurnitureSettings(margin_band=0.7)
