"""Title (agency, year) and publication date (rules/metadata.py)."""

from __future__ import annotations

from datetime import date

from rules.metadata import find_title, parse_date, publish_date


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
