"""``read_report`` (extractor/api.py), the whole chain from file to DataFrames, on the real reports
against their hand-checked gold (copied into tests/fixtures/real with the reports)."""

from __future__ import annotations

import functools
import unicodedata

import pandas as pd
import pytest

from extractor import read_report
from tests.helpers import REAL, gold_of

EXACT = [
    "000_xinjiang_yjglt_2019.txt",
    "004_shanghai_govoffice_2019.html",
    "008_pingtan_2022.txt",
    "014_xiongxian_township_2019.txt",
    "016_dongsheng_jiguanshiwu_2021.txt",
    "018_dalian_changxingdao_jiedao_2022.txt",
]


def _norm(s) -> str:
    return "".join(unicodedata.normalize("NFKC", str(s)).split())


@functools.cache  # each report read once per test process
def compare(name: str):
    path = REAL / name
    gold = gold_of(path)
    rep = read_report(path)
    got = {k: None if pd.isna(v) else float(v) for k, v in rep.values["value"].items()}
    right, wrong, missed, spurious = [], [], [], []
    for key, gv in gold["cells"].items():
        ov = got.get(key)
        if gv is None:
            if ov is not None:
                spurious.append((key, ov))
        elif ov is None:
            missed.append(key)
        elif abs(ov - gv) <= 1e-6 * max(1, abs(gv)):
            right.append(key)
        else:
            wrong.append((key, gv, ov))
    return rep, gold, right, wrong, missed, spurious


@pytest.mark.parametrize("name", EXACT)
def test_real_report_exact(name):
    rep, gold, right, wrong, missed, spurious = compare(name)
    assert (wrong, missed, spurious) == ([], [], [])
    meta = rep.meta
    for field in ("format_version", "report_year", "agency", "publish_date"):
        if gold.get(field) is not None:
            assert _norm(meta[field]) == _norm(gold[field]), field
    sections = rep.sections
    for number, snippet in gold.get("snippets", {}).items():
        text = _norm("".join(sections[sections["number"] == int(number)]["text"]))
        assert _norm(snippet) in text, f"section {number}"
    # a value the gold leaves out is not invented: every numeric cell we give is in the gold
    extra = set(rep.values["value"].dropna().index) - set(gold["cells"])
    if gold["cells"]:
        assert not extra


def test_blank_dash_zero_stay_distinct():
    rep, *_ = compare("004_shanghai_govoffice_2019.html")
    cells = rep.cells.set_index("key")
    assert cells.loc["requests.granted.total", "state"] == "blank"
    assert cells.loc["requests.new_received.natural_person", "value"] == 821
    assert cells.loc["active.licensing.prior_items", "state"] == "number"
    assert cells.loc["active.procurement.amount", "value"] == pytest.approx(25.1)
    assert "converted to 万元" in cells.loc["active.procurement.amount", "note"]
    assert cells.loc["requests.granted.natural_person", "locator"].startswith("/html/body/table")
    assert cells.loc["requests.granted.natural_person", "method"] == "html-table"


def test_run_together_archive_dump_2019():
    """005: boundaries lost; cells recovered only where the arithmetic determines them."""
    rep, gold, right, wrong, missed, spurious = compare("005_pingtan_2019.txt")
    assert wrong == [] and spurious == []
    numeric = [k for k, v in gold["cells"].items() if v is not None]
    assert len(right) / len(numeric) >= 0.85
    # the ambiguous section-二 rows are left out, each with a warning
    w = " ".join(rep.warnings["message"])
    assert "active.licensing: printed '3960181' can be read several ways" in w
    cells = rep.cells.set_index("key")
    assert cells.loc["requests.new_received.natural_person", "value"] == 23
    assert "cut from printed '230'" in cells.loc["requests.new_received.natural_person", "note"]
    assert cells.loc["requests.new_received.natural_person", "confidence"] < 0.9


def test_run_together_archive_dump_2021_uses_prose():
    rep, gold, right, wrong, missed, spurious = compare("008_pingtan_2022.txt")
    cells = rep.cells.set_index("key")
    assert cells.loc["active.normative_documents.in_force", "value"] == 698
    assert "confirms" in cells.loc["active.normative_documents.in_force", "note"]


def test_garbled_third_party_text_rows_placed_by_form_order():
    """012: labels pulled away from their values; unread rows are placed by the form's row order
    where their number matches the rows missing between two read labels exactly."""
    rep, gold, right, wrong, missed, spurious = compare("012_shanghai_kewei_2024.txt")
    assert (wrong, missed, spurious) == ([], [], [])
    cells = rep.cells.set_index("key")
    placed = cells.loc["requests.other_no_correction.total"]
    assert placed["value"] == 10 and placed["confidence"] == 0.6
    assert "row order" in placed["note"]
    assert cells.loc["requests.granted.total", "confidence"] > 0.9  # read by its own label


def test_partial_page_without_numbers_gives_no_cells():
    rep, *_ = compare("014_xiongxian_township_2019.txt")
    assert rep.cells.empty
    assert rep.meta["format_version"] == "2019"
    assert any("only 1 value(s) printed for 3 columns" in m for m in rep.warnings["message"])
