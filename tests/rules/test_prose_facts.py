"""Figures stated in sentences (rules/prose_facts.py) and rule T1 (rules/t1.py)."""

from __future__ import annotations

import pytest

from extractor import read_report
from extractor.model import Provenance
from rules.prose_facts import find_facts, find_hints
from rules.stream import Kind, Token
from rules.t1 import t1_checks
from rules.tables import Cell
from tests.helpers import REAL


def _facts(text: str, version: str = "legacy", section: int = 3) -> dict[str, float]:
    return {f.key: f.value for f in find_facts([(section, text)], version)}


def test_subject_verb_number_unit():
    got = _facts("本年度共收到政府信息公开申请12件，其中当面申请5件，网上申请7件；全部按时答复。")
    assert got == {"legacy.requests.received": 12, "legacy.requests.in_person": 5, "legacy.requests.online": 7}


def test_verb_before_number_subject_after():
    assert _facts("全年共受理12件政府信息公开申请。") == {"legacy.requests.received": 12}


def test_negations_state_zero():
    got = _facts("2015年未收到政府信息公开申请，未发生因政府信息公开申请提起行政复议、行政诉讼的情况。")
    assert got == {"legacy.requests.received": 0, "legacy.review.total": 0, "legacy.litigation.total": 0}


def test_fees_in_yuan_are_converted_and_zero_phrases():
    assert _facts("依申请公开收取检索费用500元。", section=6) == {"legacy.fees.amount": pytest.approx(0.05)}
    assert _facts("依申请提供政府信息暂不收费。", section=6) == {"legacy.fees.amount": 0}


def test_figures_that_belong_to_something_else_are_not_facts():
    text = (
        "共收到咨询投诉件15564件，已办结15042件。"  # not disclosure requests
        "各乡镇主动公开政府信息122条。"  # a share, not the total
        "2016年累计主动公开政府信息85376条。"  # cumulative
        "政府信息公开费用支出1万元。"  # an expenditure, not a fee charged
        "我局无不予公开政府信息情况。"  # withheld information, not refused requests
        "今年共受理审批事项117件。"
    )
    assert _facts(text, section=2) == {}


def test_published_total_needs_a_scope_word():
    assert _facts("2016年全区主动公开政府信息3460条。", section=2) == {"legacy.active.published": 3460}
    assert _facts("其中主动公开政府信息425条。", section=2) == {}
    # a hint for cutting a run-together row may come from such a clause, never a value
    assert find_hints([(2, "其中主动公开政府信息425条。")], "legacy") == {"legacy.active.published": {425.0}}


def test_modern_keys():
    got = _facts("2022年，全区收到政府信息公开申请75件。行政复议案件2件。", version="2021", section=1)
    assert got == {"facts.requests.received": 75, "facts.review.total": 2}


def _cell(key: str, value: float | None) -> Cell:
    t, r, c = key.split(".")
    tok = Token(Kind.VALUE, "", Provenance(), "html-table")
    return Cell(key, t, r, c, value, "number" if value is not None else "blank", "", "件", tok, 0.98)


def test_t1_accepts_received_with_or_without_carried_over_requests():
    facts = find_facts([(1, "全年收到政府信息公开申请75件。")], "2021")
    cells = [_cell("requests.new_received.total", 74), _cell("requests.carried_over_in.total", 1)]
    (check,) = t1_checks(facts, cells, "2021")
    assert check.rule == "T1" and check.scope == "facts.requests.received" and check.passed is True
    (check,) = t1_checks(
        facts, [_cell("requests.new_received.total", 70), _cell("requests.carried_over_in.total", 1)], "2021"
    )
    assert check.passed is False and "75" in check.detail
    (check,) = t1_checks(
        facts, [_cell("requests.new_received.total", None), _cell("requests.carried_over_in.total", 1)], "2021"
    )
    assert check.passed is None


@pytest.mark.parametrize(
    "name", ["001_huaian_hongze_2023.pdf", "004_shanghai_govoffice_2019.html", "008_pingtan_2022.txt"]
)
def test_t1_no_false_alarm_on_real_modern_reports(name):
    rep = read_report(REAL / name)
    t1 = rep.checks[rep.checks["rule"] == "T1"]
    assert len(t1) >= 1
    assert t1["passed"].eq(True).all(), t1["detail"].tolist()
    assert set(rep.facts["key"]) <= {
        "facts.active.published",
        "facts.requests.received",
        "facts.requests.completed",
        "facts.review.total",
        "facts.litigation.total",
        "facts.fees.amount",
    }


def test_reply_outcomes_without_the_word_reply():
    got = _facts("共受理申请20件，其中同意公开15件，同意部分公开3件，不同意公开2件。")
    assert got == {
        "legacy.requests.received": 20,
        "legacy.requests.granted": 15,
        "legacy.requests.partially_granted": 3,
        "legacy.requests.refused": 2,
    }
    # withheld information (not requests) is no refusal
    assert _facts("不予公开政府信息12条。", section=2) == {}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("本机关全年无政府信息公开申请。", {"legacy.requests.received": 0}),
        ("本年度我委没有收到政府信息公开申请。", {"legacy.requests.received": 0}),
        ("共收到群众来信来访12件。", {}),
        ("因政府信息公开申请引起的行政复议2件。", {"legacy.review.total": 2}),
    ],
)
def test_more_phrasings(text, expected):
    assert _facts(text) == expected


def test_a_subject_inside_a_longer_word_is_not_the_subject():
    # substring matching read a litigation count of 3 and a review count of 2 here
    assert _facts("组织学习行政诉讼法培训3次。开展行政复议法宣传2次。", section=6) == {}
    # 申请书 is a word of its own: its entry reads it, 申请 alone would not
    assert _facts("本年度共收到申请书12份。") == {"legacy.requests.received": 12}
