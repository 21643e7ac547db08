"""The cross-version crosswalk: data integrity, the harmonised table on 平潭's reports under both
forms, the derived （六）其他处理 sum, and the committed data dictionary."""

from __future__ import annotations

import copy

import pandas as pd
import pytest

from extractor.batch.plan import InputFile
from extractor.batch.run import extract_tables
from extractor.dataset.crosswalk import (
    COLUMNS,
    DERIVED_STATE_INCOMPLETE,
    _load_raw,
    crosswalk,
    harmonise,
    render_dictionary,
    validate_crosswalk,
)
from extractor.dataset.tables import frame
from rules.data import VERSIONS, schema
from tests.helpers import REAL, ROOT, cells_table


def test_crosswalk_data_is_consistent():
    assert validate_crosswalk() == []
    cw = crosswalk()
    for v in VERSIONS:
        assert {k for (ver, k) in cw.mappings if ver == v} == {c.key for c in schema()[v]}


def test_validator_reports_gaps_and_double_cover():
    raw = copy.deepcopy(_load_raw())
    raw["apart"] = [a for a in raw["apart"] if a["rows"] != ["procurement"]]
    raw["apart"].append({"version": "2021", "table": "active", "rows": ["licensing"], "cols": ["decisions"]})
    problems = validate_crosswalk(raw)
    assert "crosswalk.toml: active.procurement.items (2019) is neither same nor apart" in problems
    assert "crosswalk.toml: active.licensing.decisions (2021) is covered twice" in problems


def test_meaning_changed_keys_stay_apart():
    cw = crosswalk()
    assert cw.mappings[("2019", "active.regulations.total_published")].hkey == (
        "active.regulations.total_published@2019"
    )
    assert cw.mappings[("2021", "active.regulations.in_force")].hkey == "active.regulations.in_force@2021"
    assert cw.mappings[("2021", "active.fees.amount")].hkey == "active.fees.amount@2021"
    assert cw.mappings[("2019", "active.fees.prior_items")].hkey == "active.fees.prior_items@2019"
    assert cw.mappings[("2019", "active.procurement.amount")].comparable is False
    for body in ("licensing", "penalty", "coercion"):
        for v in VERSIONS:
            m = cw.mappings[(v, f"active.{body}.decisions")]
            assert m.hkey == f"active.{body}.decisions" and m.comparable
    shared = {m.hkey for m in cw.mappings.values() if m.comparable and m.version == "2021"}
    assert not any(h.startswith("active.regulations") or h.startswith("active.fees") for h in shared)


@pytest.fixture(scope="module")
def pingtan() -> pd.DataFrame:
    """平潭综合实验区's 2019 report (2019 form) and its 2022 report (2021 form), harmonised."""
    files = [
        InputFile(REAL / "005_pingtan_2019.txt", "005_pingtan_2019.txt"),
        InputFile(REAL / "008_pingtan_2022.txt", "008_pingtan_2022.txt"),
    ]
    tables = extract_tables(files)
    assert list(tables["reports"]["format_version"]) == ["2019", "2021"]
    assert set(tables["reports"]["agency"]) == {"平潭综合实验区"}
    return harmonise(tables["reports"], tables["cells"])


def _value(h: pd.DataFrame, year: int, hkey: str) -> float | None:
    row = h[(h["report_year"] == year) & (h["hkey"] == hkey)]
    assert len(row) == 1, (year, hkey, len(row))
    v = row["value"].iloc[0]
    return None if pd.isna(v) else float(v)


def test_pingtan_both_forms_share_harmonised_keys(pingtan: pd.DataFrame):
    h = pingtan
    assert list(h.columns) == list(COLUMNS)
    assert not h.duplicated(["report_id", "hkey"]).any()
    expected = {
        # hkey: (2019 report, 2022 report)
        "requests.new_received.total": (23, 74),
        "requests.new_received.natural_person": (23, 71),
        "requests.carried_over_in.total": (0, 1),
        "requests.granted.total": (7, 21),
        "requests.partially_granted.total": (1, 9),
        "requests.unavailable_not_held.total": (7, 37),
        "requests.unavailable_unclear.total": (5, 0),
        "requests.not_processed_repeated.total": (3, 0),
        "requests.withheld_process_info.total": (0, 2),
        "requests.handled_total.total": (23, 75),
        "requests.other.total": (0, 4),
        "requests.other.natural_person": (0, 2),
        "review.admin_review.total": (0, 2),
        "review.litigation_direct.total": (0, 1),
    }
    for hkey, (v2019, v2022) in expected.items():
        assert (_value(h, 2019, hkey), _value(h, 2022, hkey)) == (v2019, v2022), hkey
    assert _value(h, 2022, "active.licensing.decisions") == 10690
    assert _value(h, 2022, "active.penalty.decisions") == 2113
    # every hkey the two reports share is a comparable one, and section 三 and 四 line up in full
    shared = set(h.loc[h["report_year"] == 2019, "hkey"]) & set(h.loc[h["report_year"] == 2022, "hkey"])
    assert h.loc[h["hkey"].isin(shared), "comparable"].all()
    assert {k for k in shared if k.startswith("review.")} == {
        f"review.{g}.{o}"
        for g in ("admin_review", "litigation_direct", "litigation_after_review")
        for o in ("upheld", "corrected", "other", "pending", "total")
    }
    assert (
        len({k for k in shared if k.startswith("requests.")}) == 23 * 7
    )  # every section 三 row and column, （六）其他处理 included


def test_pingtan_changed_meaning_stays_apart(pingtan: pd.DataFrame):
    h = pingtan
    assert _value(h, 2019, "active.regulations.total_published@2019") == 0
    assert _value(h, 2022, "active.normative_documents.in_force@2021") == 698
    assert _value(h, 2022, "active.normative_documents.issued@2021") == 88
    assert _value(h, 2022, "active.fees.amount@2021") == pytest.approx(9116.36)
    assert not h["hkey"].isin(["active.normative_documents.in_force", "active.fees.amount"]).any()
    apart = h[~h["comparable"]]
    assert all(h.endswith(f"@{v}") for h, v in zip(apart["hkey"], apart["format_version"], strict=True))


def test_pingtan_2022_other_is_the_sum_of_its_sub_rows(pingtan: pd.DataFrame):
    h = pingtan
    assert _value(h, 2022, "requests.other_no_correction.total@2021") == 2
    assert _value(h, 2022, "requests.other_unpaid_fee.total@2021") == 0
    assert _value(h, 2022, "requests.other_misc.total@2021") == 2
    row = h[(h["report_year"] == 2022) & (h["hkey"] == "requests.other.total")].iloc[0]
    assert bool(row["derived"]) and row["state"] == "number"
    assert row["key"] == "requests.other_no_correction.total+requests.other_unpaid_fee.total+requests.other_misc.total"
    printed = h[(h["report_year"] == 2019) & (h["hkey"] == "requests.other.total")].iloc[0]
    assert not bool(printed["derived"]) and printed["key"] == "requests.other.total"


def _tables(version: str, cells: dict[str, tuple[float | None, str]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    reports = frame(
        "reports",
        [
            {
                "report_id": "r1",
                "source": "a.html",
                "status": "ok",
                "agency": "某局",
                "report_year": 2022,
                "format_version": version,
            }
        ],
    )
    return reports, cells_table([("r1", key, value, state) for key, (value, state) in cells.items()])


def test_derived_other_is_a_number_only_when_all_three_are():
    parts = ("other_no_correction", "other_unpaid_fee", "other_misc")
    cases = {
        "natural_person": ((1, "number"), (0, "number"), (2, "number")),
        "commercial_enterprise": ((1, "number"), (None, "blank"), (2, "number")),
        "research_institution": ((None, "dash"), (None, "blank"), (None, "dash")),
        "social_welfare_org": ((None, "blank"), (None, "blank"), (None, "blank")),
    }
    cells = {f"requests.{p}.{col}": vs[i] for col, vs in cases.items() for i, p in enumerate(parts)}
    h = harmonise(*_tables("2021", cells)).set_index("hkey")
    assert h.loc["requests.other.natural_person", "value"] == 3
    assert h.loc["requests.other.commercial_enterprise", "state"] == DERIVED_STATE_INCOMPLETE
    assert pd.isna(h.loc["requests.other.commercial_enterprise", "value"])
    assert h.loc["requests.other.research_institution", "state"] == "dash"
    assert h.loc["requests.other.social_welfare_org", "state"] == "blank"
    assert "requests.other.total" not in h.index  # no sub-row printed in that column: nothing derived


def test_a_2021_report_printing_the_single_other_row_keeps_it_harmonised():
    h = harmonise(*_tables("2021", {"requests.other.total": (5, "number")}))
    assert h[["hkey", "value", "comparable", "derived"]].values.tolist() == [["requests.other.total", 5, True, False]]


def test_data_dictionary_is_up_to_date():
    committed = (ROOT / "docs" / "DATA_DICTIONARY.md").read_text(encoding="utf-8")
    assert committed == render_dictionary(), (
        "run: python -m extractor.dataset.crosswalk --dictionary docs/DATA_DICTIONARY.md"
    )
    for v in VERSIONS:
        for c in schema()[v]:
            assert f"`{c.key}`" in committed and c.label in committed
