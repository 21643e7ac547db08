"""Smaller items of issue 12 in the rules: what a check's detail calls a dash, what a non-report and
a prose-only report are, and a publication date printed under the title."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from extractor.model import Document, FileFormat, Paragraph, Provenance, Status
from rules.checks import run_checks
from rules.report import NOT_A_REPORT, PROSE_ONLY, analyse
from tests.fixtures.generator.render import SECTION_HEADINGS

SECTIONS = SECTION_HEADINGS


def _doc(lines: list[str]) -> Document:
    blocks = [Paragraph(text, Provenance(locator=f"line {i + 1}")) for i, text in enumerate(lines)]
    return Document(blocks=blocks, file_format=FileFormat.TEXT, status=Status.OK)


def test_a_dash_operand_is_called_a_dash_not_blank():
    values = {
        "review.admin_review.total": 5.0,
        "review.admin_review.upheld": None,
        "review.admin_review.corrected": 2.0,
    }
    states = {"review.admin_review.upheld": "dash", "review.admin_review.total": "number"}
    (check,) = run_checks(values, "2019", states)
    assert check.passed is None
    assert (
        "upheld=dash" in check.detail
        and "pending=missing" in check.detail
        and "blank" not in check.detail.split(":")[0]
    )


def test_a_notice_is_not_a_report():
    rep = analyse(_doc(["关于召开会议的通知", "各单位：", "定于下周召开工作会议，请准时参加，会议地点在三楼会议室。"]))
    assert rep.status is Status.FAILED and rep.warnings[0] == NOT_A_REPORT
    assert rep.unmapped_labels == []


def test_a_prose_only_report_is_partial_and_its_sentences_are_not_table_labels():
    lines = ["某县人民政府2020年政府信息公开工作年度报告", SECTIONS[0], "2020年，全年主动公开信息1200条。"]
    lines += [SECTIONS[1], "全年制发规范性文件12件，废止3件。", SECTIONS[2], "全年收到申请15件，均已按时答复。"]
    lines += [
        SECTIONS[3],
        "无。",
        SECTIONS[4],
        "公开质量有待提升。",
        SECTIONS[5],
        "无。",
        "某县人民政府",
        "2021年1月20日",
    ]
    rep = analyse(_doc(lines))
    assert rep.format_version == "2019" and rep.cells == []
    assert rep.status is Status.PARTIAL and rep.warnings[0] == PROSE_ONLY
    assert rep.unmapped_labels == []


def test_publish_date_printed_under_the_title():
    lines = ["上海市某局2019年政府信息公开工作年度报告", "发布日期：2020-01-31", *SECTIONS, "完。"]
    rep = analyse(_doc(lines))
    assert rep.publish_date == date(2020, 1, 31)
    signed = analyse(_doc([*lines, "上海市某局", "2020年1月20日"]))
    assert signed.publish_date == date(2020, 1, 20)  # the signature at the end comes first
    # a date at the end that the signature rules cannot place (inside a long line): which one is the
    # publication date is not known, so none is given
    long_end = "特此报告。" * 12 + " 二○二○年二月二十日 附件：统计表"
    unsure = analyse(_doc([*lines, long_end]))
    assert unsure.publish_date is None
    assert any("2020-01-31 is printed under the title" in w and "2020-02-20" in w for w in unsure.warnings)


def test_real_reports_keep_their_dates(tmp_path: Path):
    from extractor.pipeline import extract_file
    from tests.helpers import REAL

    ext = extract_file(REAL / "000_xinjiang_yjglt_2019.txt")
    assert ext.report["publish_date"] == "2020-01-23" and ext.report["status"] == "ok"
