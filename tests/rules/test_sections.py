"""Section headings found in order, with their printed variants (rules/sections.py)."""

from rules.sections import find_sections, layout
from tests.helpers import text_doc


def test_section_headings_in_order_and_variants():
    lay = layout(
        text_doc(
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
