"""Label keys and CJK spacing (rules/normalize.py)."""

from __future__ import annotations

from rules.normalize import close_cjk_gaps, label_key


def test_label_key_removes_width_space_numbering_and_instructions():
    assert label_key("（二） 部分公开（区分处理的，只计这一情形，不计其他情形）") == "部分公开"
    assert label_key("三、本年度办理结果") == "本年度办理结果"
    assert close_cjk_gaps("2023 年 全 区 0 0 0") == "2023年全区0 0 0"
