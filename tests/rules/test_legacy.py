"""Legacy reports (2008–2018): keys, sections, statistics tables, prose cells and T1."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from extractor import read_report
from rules.data import schema
from rules.legacy_data import validate_legacy
from rules.legacy_sections import find_legacy_sections
from tests.helpers import REAL, ROOT, gold_of

LEGACY_REAL = sorted(p.name for p in REAL.glob("L*.txt"))


def _values(rep) -> dict[str, float | None]:
    """key -> value of a report (None where no number is printed)."""
    return {k: None if pd.isna(v) else float(v) for k, v in rep.values["value"].items()}


def _norm(s) -> str:
    return "".join(unicodedata.normalize("NFKC", str(s)).split())


def _keys_of_legacy_md() -> set[str]:
    """Every key LEGACY.md's key table names (``legacy.requests.in_person`` · ``.online`` …)."""
    keys: set[str] = set()
    for line in (ROOT / "docs" / "LEGACY.md").read_text(encoding="utf-8").splitlines():
        if not line.startswith("| `legacy."):
            continue
        first_cell = line.split("|")[1]
        names = re.findall(r"`([^`]+)`", first_cell)
        prefix = names[0].rsplit(".", 1)[0]
        keys.add(names[0])
        keys.update(prefix + n for n in names[1:] if n.startswith("."))
    return keys


def test_schema_legacy_keys_are_those_of_legacy_md():
    assert {c.key for c in schema()["legacy"]} == _keys_of_legacy_md()


def test_legacy_rule_data_is_consistent():
    assert validate_legacy() == []


@pytest.mark.parametrize("name", LEGACY_REAL)
def test_real_legacy_report(name):
    rep = read_report(REAL / name)
    gold = gold_of(REAL / name)
    got = _values(rep)
    wrong = {k: (v, got.get(k)) for k, v in gold["cells"].items() if got.get(k) != v}
    assert wrong == {}
    for field in ("format_version", "report_year", "agency", "publish_date"):
        assert _norm(rep.meta[field]) == _norm(gold[field]), field
    sections = rep.sections
    for number, snippet in gold["snippets"].items():
        assert _norm(snippet) in _norm("".join(sections[sections["number"] == int(number)]["text"]))
    # only the year's figures: no value anywhere is a cumulative one
    assert set(rep.cells["key"]) <= {c.key for c in schema()["legacy"]}


def test_run_together_year_and_cumulative_cut_by_prose_and_sums():
    rep = read_report(REAL / "L03_pingtan_2012_county.txt")
    cells = rep.cells.set_index("key")
    pub = cells.loc["legacy.active.published"]
    assert pub["value"] == 2026 and pub["raw"] == "2026"
    assert "cut from printed '20263542'" in pub["note"] and pub["confidence"] < 0.9
    assert cells.loc["legacy.requests.in_person", "value"] == 18
    assert cells.loc["legacy.requests.email", "value"] == 3  # '33' has one reading
    assert cells.loc["legacy.requests.email", "confidence"] > 0.9


def test_prose_only_report_gives_prose_cells():
    rep = read_report(REAL / "L06_pingtan_2013_dishui.txt")
    cells = rep.cells.set_index("key")
    assert set(cells["method"]) == {"prose"}
    pub = cells.loc["legacy.active.published"]
    assert pub["value"] == 45 and "新增主动公开政府信息45条" in pub["note"]
    assert pub["locator"].startswith("section 2 chars ")
    assert cells.loc["legacy.requests.received", "raw"] == "未收到"
    # an expenditure (政府信息公开费用1万元) is not a fee; a section heading naming 诉讼 states no figure
    assert "legacy.fees.amount" not in cells.index
    assert "legacy.litigation.total" not in cells.index
    assert "legacy.requests.refused" not in cells.index  # 无不予公开政府信息情况 is no count of refusals
    facts = rep.facts
    assert len(facts) == 4 and (facts["confidence"] < 0.9).all()
    row = facts[facts["key"] == "legacy.active.published"].iloc[0]
    text = rep.sections[rep.sections["number"] == row["section"]]["text"].iloc[0]
    start, end = map(int, row["span"].split("-"))
    assert text[start:end] == "45"


def test_table_beats_prose_and_t1_reports_the_disagreement():
    rep = read_report(REAL / "L07_pingtan_2013_zone.txt")
    assert _values(rep)["legacy.active.published"] == 72804
    assert _values(rep)["legacy.review.total"] == 0
    checks = rep.checks.set_index("scope")
    assert checks.loc["legacy.active.published", "passed"] == False  # noqa: E712 - a pandas object column
    assert "4970" in checks.loc["legacy.active.published", "detail"]
    assert checks.loc["legacy.review.total", "passed"] == False  # noqa: E712
    assert checks.loc["legacy.requests.received", "passed"] == True  # noqa: E712


def _legacy_text(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


NATIONAL = """某某市某某局2016年政府信息公开工作年度报告
一、概述
2016年，我局认真贯彻《条例》。
二、主动公开政府信息情况
2016年全局主动公开政府信息120条。
三、依申请公开政府信息情况
本年度共收到政府信息公开申请5件。
四、因政府信息公开申请行政复议、提起行政诉讼的情况
全年未发生行政诉讼。
五、存在的主要问题及改进措施
宣传力度还不够。
附件：政府信息公开情况统计表
| 统计指标 | 单位 | 统计数 |
| 一、主动公开情况 | | |
| （一）主动公开政府信息数（不同渠道和方式公开相同信息计1条） | 条 | 120 |
| 其中：主动公开规范性文件数 | 条 | 7 |
| 制发规范性文件总数 | 件 | 9 |
| 三、依申请公开情况 | | |
| （一）收到申请数 | 件 | 5 |
| 1.当面申请数 | 件 | 2 |
| 2.传真申请数 | 件 | 0 |
| 3.网络申请数 | 件 | 3 |
| 4.信函申请数 | 件 | — |
| （二）申请办结数 | 件 | 5 |
| （三）申请答复数 | 件 | 4 |
| 2.同意公开答复数 | 件 | 3 |
| 四、行政复议数量 | 件 | 1 |
| （一）维持具体行政行为数 | 件 | 1 |
| 五、行政诉讼数量 | 件 | 0 |
| （一）维持具体行政行为或者驳回原告诉讼请求数 | 件 | 0 |
| 七、依申请公开信息收取的费用 | 万元 | 0 |
"""


def test_national_template_table(tmp_path):
    rep = read_report(_legacy_text(tmp_path, "n.txt", NATIONAL))
    v = _values(rep)
    assert rep.meta["format_version"] == "legacy"
    assert v["legacy.active.published"] == 120  # the bracketed 计1条 is part of the label
    assert v["legacy.active.normative_documents"] == 7
    assert v["legacy.requests.received"] == 5 and v["legacy.requests.online"] == 3
    assert v["legacy.requests.letter"] is None  # printed as a dash: not 0
    assert v["legacy.requests.replied"] == 5  # 申请办结数 ranks before 申请答复数
    assert v["legacy.review.upheld"] == 1 and v["legacy.litigation.upheld"] == 0
    assert v["legacy.fees.amount"] == 0
    methods = set(rep.cells["method"])
    assert "prose" not in methods
    checks = rep.checks.set_index("scope")
    assert checks.loc["legacy.active.published", "passed"] == True  # noqa: E712
    assert checks.loc["legacy.litigation.total", "passed"] == True  # noqa: E712
    assert sorted(rep.sections["number"]) == [1, 2, 3, 4, 5]


PROVINCIAL_GLUED = """某某县人民政府2014年政府信息公开工作年度报告
一、概述
2014年，我县推进政府信息公开。
二、主动公开政府信息情况
我县各单位共梳理信息。
三、政府信息依申请公开工作情况
依法办理。
四、存在的主要问题及改进情况
仍有不足。
附件1：政府信息公开情况统计表 指标名称计量单位2014年度历年累计主动公开信息数条3051200受理依申请公开信息总数条1230其中：1.当面申请数条4102.网上申请数条820对申请的答复数条1230
"""


def test_run_together_row_without_any_deciding_equation_is_left_out(tmp_path):
    """'3051200' can be 30|51200, 305|1200, 3051|200 …: nothing decides it, so no cell (never a guess).
    '1230' = 12|30 is decided by the channel sum: 4 + 8 = 12 and 10 + 20 = 30."""
    rep = read_report(_legacy_text(tmp_path, "p.txt", PROVINCIAL_GLUED))
    v = _values(rep)
    assert "legacy.active.published" not in v
    assert any(
        "legacy.active.published: printed '3051200' can be read several ways" in m for m in rep.warnings["message"]
    )
    assert v["legacy.requests.received"] == 12
    assert v["legacy.requests.in_person"] == 4 and v["legacy.requests.online"] == 8
    assert "legacy.requests.replied" not in v  # 1|230, 12|30, 123|0: no sum ties it


def test_code_column_template(tmp_path):
    body = (
        "某某市2015年政府信息公开工作年度报告\n一、概述\n概况。\n二、主动公开政府信息情况\n见表。\n"
        "附表：政府信息公开统计报表\n"
        "| 指标名称 | 计量单位 | 代码 | 本期实际 | 本年累计 |\n"
        "| 主动公开政府信息数 | 条 | 1 | 88 | 88 |\n"
        "| 申请总数 | 件 | 2 | 6 | 6 |\n"
        "| 行政复议数 | 件 | 3 | 0 | 0 |\n"
    )
    v = _values(read_report(_legacy_text(tmp_path, "c.txt", body)))
    assert v["legacy.active.published"] == 88 and v["legacy.requests.received"] == 6
    assert v["legacy.review.total"] == 0


def test_reordered_and_merged_headings_are_filed_by_meaning():
    text = (
        "一、概述 总体。 二、主动公开情况 主动公开。 三、依申请公开和不予公开情况 申请。 "
        "四、政府信息公开的收费及减免情况 不收费。 五、因政府信息公开申请行政复议、提起行政诉讼的情况 无。 "
        "六、其他需要报告的事项 无。 七、主要问题和改进措施 问题。 八、政府信息公开情况统计表 指标名称 单位 本年度"
    )
    secs, table = find_legacy_sections(text)
    by = {s.number: s for s in secs}
    assert sorted(by) == [1, 2, 3, 4, 5, 6]
    assert "不收费" in by[6].text and "无" in by[6].text  # fees filed with 其他事项, merged
    assert by[5].heading.startswith("七、") and "指标名称" not in by[5].text
    assert table is not None and text[table[0] :].startswith("八、")


def test_page_excerpt_without_headings_reads_prose_and_table(tmp_path):
    body = (
        "某某区2012年政府信息公开工作年度报告（节选）\n"
        "全年共受理政府信息公开申请6件，均已按时答复。\n"
        "政府信息公开情况统计表\n"
        "| 指标名称 | 计量单位 | 统计数 | |\n"
        "| | | 本年度 | 历年累计 |\n"
        "| 主动公开政府信息条数 | 条 | 310 | 1900 |\n"
        "| 受理申请数 | 件 | 6 | 40 |\n"
    )
    rep = read_report(_legacy_text(tmp_path, "x.txt", body))
    v = _values(rep)
    assert v["legacy.active.published"] == 310  # 统计数 over 本年度 | 历年累计: the year column is 本年度
    assert v["legacy.requests.received"] == 6
    checks = rep.checks.set_index("scope")
    assert checks.loc["legacy.requests.received", "passed"] == True  # noqa: E712 - the sentence agrees
    facts = rep.facts
    assert facts["section"].isna().all() and list(facts["key"]) == ["legacy.requests.received"]


def test_short_header_words_with_their_unit_column(tmp_path):
    body = (
        "某某乡2010年政府信息公开工作年度报告\n一、概述\n本乡推进公开。\n二、主动公开政府信息情况\n见下表。\n"
        "| 项目 | 单位 | 数量 |\n| 主动公开信息数 | 条 | 56 |\n| 当面申请 | 件 | 2 |\n| 行政复议案件数 | 件 | 0 |\n"
    )
    v = _values(read_report(_legacy_text(tmp_path, "s.txt", body)))
    assert v == {"legacy.active.published": 56, "legacy.requests.in_person": 2, "legacy.review.total": 0}


def test_a_printed_row_that_cannot_be_read_is_not_replaced_by_prose(tmp_path):
    """The table prints 主动公开 as '7280476424' (72804 | 76424 — no equation decides it) while the
    text says 4970: the table's value is the cell, so nothing is given rather than the sentence's."""
    body = PROVINCIAL_GLUED.replace("主动公开信息数条3051200", "主动公开信息数条7280476424").replace(
        "我县各单位共梳理信息。", "2014年全县主动公开政府信息4970条。"
    )
    rep = read_report(_legacy_text(tmp_path, "g.txt", body))
    assert "legacy.active.published" not in _values(rep)
    assert list(rep.facts["value"][rep.facts["key"] == "legacy.active.published"]) == [4970]


def test_bracketed_label_numbers_in_flattened_text(tmp_path):
    body = NATIONAL.split("附件：")[0] + (
        "附件：政府信息公开情况统计表 统计指标 单位 统计数 一、主动公开情况 "
        "（一）主动公开政府信息数（不同渠道和方式公开相同信息计1条） 条 120 "
        "（二）通过不同渠道和方式公开政府信息的情况（见附表 1.政府公报公开政府信息数 条 3 "
        "三、依申请公开情况 （一）收到申请数 件 5\n"
    )
    v = _values(read_report(_legacy_text(tmp_path, "b.txt", body)))
    # an unclosed bracket does not swallow the values after it; 行政诉讼 0 is the prose's (未发生行政诉讼)
    assert v == {"legacy.active.published": 120, "legacy.requests.received": 5, "legacy.litigation.total": 0}


def test_an_unnamed_first_heading_is_the_overview():
    text = "一、政府信息公开工作开展情况 我局加强领导。 二、主动公开政府信息情况 公开。 三、存在的主要问题 不足。"
    secs, _ = find_legacy_sections(text)
    assert [(s.number, s.text) for s in secs] == [(1, "我局加强领导。"), (2, "公开。"), (5, "不足。")]


def test_last_years_column_is_never_taken(tmp_path):
    body = (
        "某某镇2017年政府信息公开工作年度报告\n一、概述\n2017年全镇主动公开政府信息88条，比上年增加8条。\n"
        "二、主动公开政府信息情况\n见表。\n"
        "| 指标名称 | 计量单位 | 本年度 | 上年度 |\n| 主动公开政府信息数 | 条 | 88 | 80 |\n| 收到申请数 | 件 | 1 | 3 |\n"
    )
    rep = read_report(_legacy_text(tmp_path, "p.txt", body))
    assert _values(rep) == {"legacy.active.published": 88, "legacy.requests.received": 1}
    # the clause comparing with last year states no figure of this year
    assert list(rep.facts["value"]) == [88]


def test_headings_numbered_in_brackets_when_none_is_numbered_plainly():
    text = (
        "（一）概述 我局推进公开。 （二）主动公开政府信息情况 2016年全局主动公开政府信息50条。"
        " （三）依申请公开情况 未收到申请。 （四）存在的问题及改进措施 不足。"
    )
    secs, _ = find_legacy_sections(text)
    assert [s.number for s in secs] == [1, 2, 3, 5]
    # with plain 一、 headings, （一） are sub-headings inside them
    plain = "一、概述 （一）主动公开情况 说明。 二、主动公开政府信息情况 公开。"
    assert [s.number for s in find_legacy_sections(plain)[0]] == [1, 2]
