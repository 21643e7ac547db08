"""Row labels matched to the form's rows (rules/labels.py), printed variants and typos included."""

from __future__ import annotations

import pytest

from rules.labels import match_group, match_row


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
