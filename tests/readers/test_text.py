"""The plain-text reader (extractor/readers/text.py): lines, Markdown tables, GB18030 and BOMs."""

from __future__ import annotations

from pathlib import Path

from extractor.readers.text import read_text


def test_text_reader_lines_and_markdown_tables():
    text = "标题\n| 信息内容 | 本年制发件数 |\n|---|---|\n| 规章 | 0 |\n正文\n"
    doc = read_text(text.encode("utf-8"), Path("a.txt"))
    assert [type(b).__name__ for b in doc.blocks] == ["Paragraph", "Table", "Paragraph"]
    assert doc.tables[0].rows_text() == [["信息内容", "本年制发件数"], ["规章", "0"]]
    assert doc.paragraphs[0].prov.locator == "line 1"


def test_text_reader_gbk_and_bom():
    assert read_text("一、总体情况".encode("gb18030"), Path("g.txt")).paragraphs[0].text == "一、总体情况"
    assert read_text("\ufeff一、总体情况".encode("utf-8"), Path("b.txt")).paragraphs[0].text == "一、总体情况"
