"""Regression tests of bugs in rules/: one test per bug, its docstring says what went wrong (the
test failed before the fix). A new rule bug gets its regression test here."""

from __future__ import annotations

from dataclasses import replace

from extractor.model import Provenance
from rules import recover
from rules.metadata import find_title
from rules.sections import find_sections, layout
from rules.stream import Kind, Row, Token, assemble_rows, tokenize_text
from rules.tables import map_active
from tests.helpers import text_doc


def test_title_variants() -> None:
    """Titles with 关于, the year after the subject, or a Chinese-numeral year gave no agency or year."""
    t = find_title(["某某区人民政府关于2021年政府信息公开工作年度报告"])
    assert (t.agency, t.year) == ("某某区人民政府", 2021)
    t = find_title(["某某市交通运输局政府信息公开工作2022年度报告"])
    assert (t.agency, t.year) == ("某某市交通运输局", 2022)
    t = find_title(["某某县二〇二〇年政府信息公开工作年度报告"])
    assert (t.agency, t.year) == ("某某县", 2020)


def test_wider_grid_placeholders_are_not_values() -> None:
    """A dash in a column beyond the form's (a wider grid) was read as a value of the next cell."""
    vals = tuple(Token(Kind.VALUE, x) for x in ("3", "0", "—"))
    res = map_active([Row("行政事业性收费", (), vals)], "2019", 10000.0)
    assert {c.key: c.value for c in res.cells} == {"active.fees.prior_items": 3.0, "active.fees.change": 0.0}


def test_which_printed_tokens_may_hide_cells() -> None:
    """A separated number such as 32 was cut into digits (3, 2) to fill a row that had only lost a blank."""
    assert recover.may_hide_cells("230", separated=False)  # glued to its label
    assert recover.may_hide_cells("00", separated=True)  # no number is printed with a leading zero
    assert recover.may_hide_cells("023", separated=True)
    assert not recover.may_hide_cells("32", separated=True)  # a short row lost a blank, not a digit
    readings = recover.row_readings(["32", "0", "0", "0", "—", "32"], 7, [False] * 6)
    assert readings == []


def test_a_line_of_values_is_a_row_of_its_own() -> None:
    """A line of numbers under its label (PDF-to-text layout) was glued onto the previous row."""
    lines = ["8.属于行政查询事项 0 0 0 0 0 0 0", "10 0 0 0 0 0 10", "1.本机关不掌握相关政府信息"]
    tokens = [replace(t, block=i) for i, line in enumerate(lines) for t in tokenize_text(line, Provenance())]
    rows = assemble_rows(tokens)
    assert [(r.label, len(r.values), r.aligned) for r in rows] == [("8.属于行政查询事项", 7, True), (None, 7, True)]
    one_per_line = ["规章 |", "0 |", "0 |", "0 |"]
    tokens = [replace(t, block=i) for i, line in enumerate(one_per_line) for t in tokenize_text(line, Provenance())]
    rows = assemble_rows(tokens)
    assert [(r.label, len(r.values), r.aligned) for r in rows] == [("规章", 3, False)]


def test_section_five_from_a_numbered_sub_heading_when_its_heading_is_missing() -> None:
    """With 五's heading missing, its （一）主要问题 text was counted as part of section 四."""
    lay = layout(
        text_doc(
            [
                "一、总体情况",
                "正文",
                "三、政府信息公开行政复议、行政诉讼情况",
                "1 0 0 0 1",
                "（一）主要问题",
                "发布展示不足",
                "五、其他需要报告的事项",
                "无",
            ]
        )
    )
    secs = {s.number: s for s in find_sections(lay)}
    assert sorted(secs) == [1, 4, 5, 6]
    assert "发布展示不足" in lay.text[secs[5].body_start : secs[5].end]
    assert "发布展示不足" not in lay.text[secs[4].body_start : secs[4].end]


def test_page_footer_is_not_part_of_the_last_section() -> None:
    """Web-page footers (版权所有, 网站标识码) were read as the end of section 六."""
    lay = layout(
        text_doc(
            [
                "一、总体情况",
                "正文",
                "六、其他需要报告的事项",
                "无。",
                "某某局",
                "2022年1月20日",
                "版权所有：某某市人民政府 主办单位：某某市人民政府办公室",
                "网站标识码：1234",
            ]
        )
    )
    secs = {s.number: s for s in find_sections(lay)}
    body = lay.text[secs[6].body_start : secs[6].end]
    assert "2022年1月20日" in body and "版权所有" not in body
