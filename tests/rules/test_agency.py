"""Who reported (rules/agency.py): region, division code and level of every agency in samples/ and
the dev corpus, and the key that joins one agency's name variants."""

from __future__ import annotations

import pytest

from rules.agency import Level, agency_key, clean, resolve_agencies

P, PD, C, T = Level.PROVINCE, Level.PROVINCE_DEPARTMENT, Level.COUNTY, Level.TOWNSHIP
CD = Level.COUNTY_DEPARTMENT

# printed name -> (province, prefecture, county, division_code, level); every agency that samples/
# and the dev corpus print (014 and 016 print none). 云岭市 and 青山县 are invented by the sample
# generator: no division has their names, so no region is given; 临江市 happens to be a real one.
EXPECTED = {
    "新疆维吾尔自治区应急管理厅": ("新疆维吾尔自治区", None, None, "650000", PD),
    "洪泽区人民政府": ("江苏省", "淮安市", "洪泽区", "320813", C),
    "上海市人民政府办公厅": ("上海市", None, None, "310000", PD),
    "平潭综合实验区": ("福建省", "福州市", "平潭县", "350128", C),
    "上海市科委": ("上海市", None, None, "310000", PD),
    "大连长兴岛经济技术开发区长兴岛街道": ("辽宁省", "大连市", None, "210200", T),
    "平潭县人民政府": ("福建省", "福州市", "平潭县", "350128", C),
    "平潭综合实验区地方税务局": ("福建省", "福州市", "平潭县", "350128", CD),
    "临江市自然资源和规划局": ("吉林省", "白山市", "临江市", "220681", CD),
    "青山县人民政府办公室": (None, None, None, None, CD),
    "云岭市卫生健康委员会": (None, None, None, None, None),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_region_and_level(name: str):
    a = resolve_agencies([name])[name]
    assert (a.province, a.prefecture, a.county, a.division_code, a.level) == EXPECTED[name]
    if a.division_code is None:
        assert a.agency_note  # says why there is no region


def test_every_agency_of_samples_and_the_dev_corpus_is_listed(tmp_path):
    from extractor.batch.plan import walk_inputs
    from extractor.batch.run import extract_tables
    from tests.helpers import REAL, ROOT

    files = [f for f in walk_inputs([ROOT / "samples", REAL]) if f.path.suffix in (".txt", ".html", ".pdf", ".docx")]
    agencies = set(extract_tables(files)["reports"]["agency"].dropna())
    assert agencies <= set(EXPECTED), agencies - set(EXPECTED)


def test_name_variants_share_one_key():
    assert agency_key("上海市科委") == agency_key("上海市 科学技术委员会") == "310000:科学技术委员会"
    assert agency_key("临江市自然资源与规划局") == agency_key("臨江市自然資源和規劃局") == "220681:自然资源和规划局"
    assert agency_key("洪泽区人民政府") == agency_key("淮安市洪泽区政府") == "320813:政府"
    assert agency_key("平潭综合实验区管委会") == agency_key("平潭综合实验区") != agency_key("平潭县人民政府")
    assert clean("廣州市人民政府辦公廳") == "广州市人民政府办公厅"


def test_an_ambiguous_county_name_gets_no_region():
    a = resolve_agencies(["朝阳区人民政府"])["朝阳区人民政府"]
    assert a.division_code is None and "朝阳区 names 2 divisions" in str(a.agency_note)
    b = resolve_agencies(["北京市朝阳区人民政府"])["北京市朝阳区人民政府"]
    assert (b.province, b.prefecture, b.county, b.division_code, b.level) == ("北京市", None, "朝阳区", "110105", C)


def test_townships_and_national_departments():
    a = resolve_agencies(["雄县昝岗镇人民政府", "国家税务总局"])
    assert (a["雄县昝岗镇人民政府"].county, a["雄县昝岗镇人民政府"].level) == ("雄县", T)
    assert a["国家税务总局"].level is Level.NATIONAL and a["国家税务总局"].division_code is None
    assert resolve_agencies(["某市农业农村和乡村振兴局"])["某市农业农村和乡村振兴局"].level is not T
