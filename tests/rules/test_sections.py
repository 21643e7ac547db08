"""Unit tests of the rule modules: data integrity, labels, values, recovery, sections, metadata, checks."""

from datetime import date

import pytest

from extractor.model import Document, FileFormat, Paragraph, Provenance
from rules import recover
from rules.checks import run_checks
from rules.data import row_specs, schema, validate
from rules.labels import match_group, match_row
from rules.metadata import find_title, parse_date, publish_date
from rules.normalize import close_cjk_gaps, label_key
from rules.sections import find_sections, layout
from rules.stream import Kind, assemble_rows, tokenize_text
from rules.values import State, parse_value
from rules.version import detect_version


def test_rule_data_is_consistent():
    assert validate() == []


def test_every_schema_row_has_labels():
    rows = {(s.table, s.row) for t in ("active", "requests") for s in row_specs(t)}
    for version in ("2019", "2021"):
        for cell in schema()[version]:
            if cell.table in ("active", "requests"):
                assert (cell.table, cell.row) in rows


@pytest.mark.parametrize(
    ("label", "group", "row"),
    [
        ("（一）予以公开", None, "granted"),
        ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", None, "partially_granted"),
        ("（三）不予公开 1.属于国家秘密", None, "withheld_state_secret"),
        ("2.其他法律行政止公开", None, "withheld_law_prohibited"),  # real typo, matched fuzzily
        ("3.其他", "other", "other_misc"),
        ("（六）其他处理", None, "other"),
        ("（七）总计", None, "handled_total"),
        ("四、结转下年度继续办理", None, "carried_over_out"),
        ("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "other", "other_no_correction"),
    ],
)
def test_request_labels(label, group, row):
    m = match_row("requests", label, group)
    assert m is not None and m[0].row == row


def test_labels_that_are_not_rows():
    assert match_row("requests", "3.其他", None) is None  # 其他 alone needs the （六） group
    assert match_row("requests", "自然人") is None
    assert match_row("requests", "申请人情况") is None
    assert match_group("（五）不予处理") == "not_processed"


@pytest.mark.parametrize(
    ("label", "row"),
    [
        ("规范性文件", "normative_documents"),
        ("行政规范性文件", "normative_documents"),
        ("规章", "regulations"),
        ("第二十条第(九)项信息内容采购项目数量采购总金额政府集中采购", "procurement"),
    ],
)
def test_active_labels(label, row):
    assert match_row("active", label)[0].row == row


def test_label_key_removes_width_space_numbering_and_instructions():
    assert label_key("（二） 部分公开（区分处理的，只计这一情形，不计其他情形）") == "部分公开"
    assert label_key("三、本年度办理结果") == "本年度办理结果"
    assert close_cjk_gaps("2023 年 全 区 0 0 0") == "2023年全区0 0 0"


@pytest.mark.parametrize(
    ("raw", "amount", "value", "state"),
    [
        ("0", False, 0.0, State.NUMBER),
        ("", False, None, State.BLANK),
        (" \xa0", False, None, State.BLANK),
        ("—", False, None, State.DASH),
        ("/", False, None, State.DASH),
        ("无", False, None, State.DASH),
        ("12件", False, 12.0, State.NUMBER),
        ("-3", False, -3.0, State.NUMBER),
        ("减少2", False, -2.0, State.NUMBER),
        ("1,234", False, 1234.0, State.NUMBER),
        ("1378万", True, 1378.0, State.NUMBER),
        ("251000元", True, 25.1, State.NUMBER),
        ("75394432.52元", True, 7539.443252, State.NUMBER),
        ("7730.28", True, 7730.28, State.NUMBER),
        ("不涉及", False, None, State.TEXT),
    ],
)
def test_parse_value(raw, amount, value, state):
    cv = parse_value(raw, amount=amount)
    assert cv.state is state
    assert cv.value == (pytest.approx(value) if value is not None else None)


def test_yuan_header_converts_plain_amounts():
    assert parse_value("50000", amount=True, default_unit_factor=1.0).value == 5.0


def test_cutting_digit_runs():
    assert recover.token_readings("000", 3) == [["0", "0", "0"]]
    assert ["23", "0"] in recover.token_readings("230", 2)
    assert ["2", "30"] in recover.token_readings("230", 2)
    assert all(not p.startswith("0") or p == "0" for r in recover.token_readings("100153", 3) for p in r)
    readings = recover.row_readings(["230", "000023"], 7)
    assert sorted([p.text for p in r] for r in readings) == [
        ["2", "30", "0", "0", "0", "0", "23"],
        ["23", "0", "0", "0", "0", "0", "23"],
        ["230", "0", "0", "0", "0", "2", "3"],
    ]
    assert recover.token_readings("135.5元", 2) == [["1", "35.5元"], ["13", "5.5元"]]


def test_solver_keeps_only_consistent_assignments():
    cands = {"a": [[1.0, 2.0], [3.0, 0.0]], "b": [[3.0, 2.0]]}
    rows = frozenset({"a", "b"})

    def pred(x):
        return x["a"][0] + x["a"][1] == x["b"][0]

    sols = recover.solve(cands, [(rows, pred)])
    assert sols == [{"a": [1.0, 2.0], "b": [3.0, 2.0]}, {"a": [3.0, 0.0], "b": [3.0, 2.0]}]
    assert recover.agreed([s["a"] for s in sols])[1] is recover.UNDETERMINED


def test_tokens_of_flattened_text():
    toks = tokenize_text("1.属于国家秘密00000002.其他法律行政法规禁止公开 0000000", Provenance(locator="line 1"))
    assert [(t.kind.value, t.text) for t in toks] == [
        ("label", "1.属于国家秘密"),
        ("value", "0000000"),
        ("label", "2.其他法律行政法规禁止公开"),
        ("value", "0000000"),
    ]
    assert toks[1].separated is False and toks[3].separated is True
    rows = assemble_rows(tokenize_text("规章 | 0 | 0 | 0 |", Provenance()))
    assert rows[0].label == "规章" and [v.text for v in rows[0].values] == ["0", "0", "0"]
    assert [t.kind for t in tokenize_text("|", Provenance())] == [Kind.VALUE]
    assert tokenize_text("|||", Provenance()) == []


def _doc(lines):
    return Document(tuple(Paragraph(x) for x in lines), FileFormat.TEXT)


def test_section_headings_in_order_and_variants():
    lay = layout(
        _doc(
            [
                "某局2021年政府信息公开工作年度报告",
                "一 、总 体 情 况",
                "正文",
                "二、主动公开政府信息情况",
                "三、收到和处理政府信息公开申请情况",
                "四、结转下年度继续办理 0 0 0",
                "四、政府信息公开行政法复议、行政诉讼情况",
                "五、政府信息公开工作存在的主要问题及改进情况",
                "问题",
                "六、其他需要报告的事项 无其他需要报告的事项",
            ]
        )
    )
    secs = find_sections(lay)
    assert [s.number for s in secs] == [1, 2, 3, 4, 5, 6]
    assert secs[3].heading == "四、政府信息公开行政法复议、行政诉讼情况"
    assert secs[5].heading == "六、其他需要报告的事项"
    assert lay.text[secs[5].body_start :].strip() == "无其他需要报告的事项"


def test_title_agency_year():
    t = find_title(["洪泽区人民政府", "2023 年政府信息公开工作年度报告"])
    assert (t.agency, t.year) == ("洪泽区人民政府", 2023)
    t = find_title(["政府信息公开", "大连长兴岛经济技术开发区长兴岛街道2022年政府信息公开工作年度报告"])
    assert t.agency == "大连长兴岛经济技术开发区长兴岛街道"
    t = find_title(["标题: 平潭综合实验区2022年度政府信息公开工作年度报告"])
    assert (t.agency, t.year) == ("平潭综合实验区", 2022)
    t = find_title(["2019年上海市人民政府办公厅政府信息公开工作年度报告"])
    assert t.agency == "上海市人民政府办公厅"


def test_dates():
    assert parse_date("二〇二〇年一月二十三日") == date(2020, 1, 23)
    assert parse_date("2021-1-5") == date(2021, 1, 5)
    assert publish_date(["六、其他需要报告的事项", "无", "某某局", "2022年1月20日"]) == date(2022, 1, 20)
    assert publish_date(["无。本报告于2022年1月20日经局务会议审议通过，现予以发布，欢迎监督指正。"]) is None


def test_version_detection():
    assert detect_version(["本年制发件数", "本年废止件数"], 2022, True) == "2021"
    assert detect_version(["本年新制作数量", "对外公开总数量"], 2020, True) == "2019"
    assert detect_version([], 2017, True) == "legacy"
    assert detect_version([], 2022, True) == "2021"
    assert detect_version([], None, False) is None


def test_checks_flag_real_inconsistencies_and_skip_blanks():
    values = {
        f"review.admin_review.{o}": v
        for o, v in zip(("upheld", "corrected", "other", "pending", "total"), (10, 1, 0, 0, 0), strict=False)
    }
    values.update({f"review.litigation_direct.{o}": None for o in ("upheld", "corrected", "other", "pending")})
    values["review.litigation_direct.total"] = 0
    checks = {(c.rule, c.scope): c for c in run_checks(values, "2021")}
    assert checks[("R4", "admin_review")].passed is False
    assert "11" in checks[("R4", "admin_review")].detail
    assert checks[("R4", "litigation_direct")].passed is None
    assert ("R4", "litigation_after_review") not in checks


def test_unread_rows_fill_gaps_only_when_counts_match():
    from rules.stream import Row, Token
    from rules.tables import _fill_gaps_by_order

    def row(label, n=3):
        return Row(label, (), tuple(Token(Kind.VALUE, "1") for _ in range(n)))

    form_rows = ["a", "b", "c", "d", "e"]
    seq = [("a", row("A")), (None, row(None)), (None, row("x")), ("d", row("D")), (None, row(None)), (None, row(None))]
    placed = _fill_gaps_by_order(seq, form_rows, 3)
    assert placed == {"b": seq[1][1], "c": seq[2][1]}  # after d: two unread rows for one missing row -> none
    short = [("a", row("A")), (None, row(None, n=2)), ("c", row("C"))]
    assert _fill_gaps_by_order(short, form_rows, 3) == {}  # an incomplete row is never placed


def test_title_variants():
    t = find_title(["某某区人民政府关于2021年政府信息公开工作年度报告"])
    assert (t.agency, t.year) == ("某某区人民政府", 2021)
    t = find_title(["某某市交通运输局政府信息公开工作2022年度报告"])
    assert (t.agency, t.year) == ("某某市交通运输局", 2022)
    t = find_title(["某某县二〇二〇年政府信息公开工作年度报告"])
    assert (t.agency, t.year) == ("某某县", 2020)


def test_wider_grid_placeholders_are_not_values():
    from rules.stream import Row, Token
    from rules.tables import map_active

    vals = tuple(Token(Kind.VALUE, x) for x in ("3", "0", "—"))
    res = map_active([Row("行政事业性收费", (), vals)], "2019", 10000.0)
    assert {c.key: c.value for c in res.cells} == {"active.fees.prior_items": 3.0, "active.fees.change": 0.0}


def test_which_printed_tokens_may_hide_cells():
    assert recover.may_hide_cells("230", separated=False)  # glued to its label
    assert recover.may_hide_cells("00", separated=True)  # no number is printed with a leading zero
    assert recover.may_hide_cells("023", separated=True)
    assert not recover.may_hide_cells("32", separated=True)  # a short row lost a blank, not a digit
    readings = recover.row_readings(["32", "0", "0", "0", "—", "32"], 7, [False] * 6)
    assert readings == []


def test_a_line_of_values_is_a_row_of_its_own():
    from dataclasses import replace

    from rules.stream import assemble_rows, tokenize_text

    lines = ["8.属于行政查询事项 0 0 0 0 0 0 0", "10 0 0 0 0 0 10", "1.本机关不掌握相关政府信息"]
    tokens = [replace(t, block=i) for i, line in enumerate(lines) for t in tokenize_text(line, Provenance())]
    rows = assemble_rows(tokens)
    assert [(r.label, len(r.values), r.aligned) for r in rows] == [("8.属于行政查询事项", 7, True), (None, 7, True)]
    one_per_line = ["规章 |", "0 |", "0 |", "0 |"]
    tokens = [replace(t, block=i) for i, line in enumerate(one_per_line) for t in tokenize_text(line, Provenance())]
    rows = assemble_rows(tokens)
    assert [(r.label, len(r.values), r.aligned) for r in rows] == [("规章", 3, False)]


def test_section_five_from_a_numbered_sub_heading_when_its_heading_is_missing():
    lay = layout(
        _doc(
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


def test_page_footer_is_not_part_of_the_last_section():
    lay = layout(
        _doc(
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
