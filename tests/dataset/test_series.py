"""The series keys (crosswalk.toml [[series]]): legacy, 2019 and 2021 on one axis."""

from __future__ import annotations

from extractor.dataset.crosswalk import harmonise, render_dictionary
from extractor.dataset.series import series_keys, validate_series
from extractor.dataset.tables import frame


def test_series_data_is_consistent():
    assert validate_series() == []
    assert {s.hkey for s in series_keys()} >= {
        "series.requests.received",
        "series.requests.refused",
        "series.review.total",
        "series.litigation.total",
        "series.active.published",
    }


def _report(rid: str, version: str, year: int) -> dict:
    return {
        "report_id": rid,
        "source": f"{rid}.txt",
        "status": "ok",
        "agency": "某局",
        "report_year": year,
        "format_version": version,
        "duplicate_of": None,
    }


def _cell(rid: str, key: str, value: float | None, method: str = "text") -> dict:
    return {
        "report_id": rid,
        "key": key,
        "value": value,
        "state": "number" if value is not None else "dash",
        "unit": "件",
        "method": method,
    }


def test_series_rows_across_forms():
    reports = frame("reports", [_report("a", "legacy", 2017), _report("b", "2021", 2022)])
    withheld = [k for k in next(s for s in series_keys() if s.hkey == "series.requests.refused").modern]
    cells = frame(
        "cells",
        [
            _cell("a", "legacy.requests.received", 12),
            _cell("a", "legacy.litigation.total", 0, "prose"),
            _cell("a", "legacy.requests.refused", None),  # printed as a dash: no series value
            _cell("b", "requests.new_received.total", 30),
            _cell("b", "review.litigation_direct.total", 1),
            _cell("b", "review.litigation_after_review.total", 2),
            *[_cell("b", k, 1) for k in withheld[:-1]],  # one 不予公开 row missing: no sum
        ],
    )
    facts = frame(
        "facts",
        [{"report_id": "b", "key": "facts.active.published", "value": 900.0, "unit": "条", "section": 1}],
    )
    xw = harmonise(reports, cells, facts)
    s = xw[xw["hkey"].str.startswith("series.")].set_index(["report_id", "hkey"])
    assert s.loc[("a", "series.requests.received"), "value"] == 12
    assert s.loc[("b", "series.requests.received"), "value"] == 30
    assert s.loc[("b", "series.litigation.total"), "value"] == 3
    assert bool(s.loc[("b", "series.litigation.total"), "derived"])
    assert s.loc[("b", "series.litigation.total"), "comparability"] == "derived"
    assert bool(s.loc[("a", "series.litigation.total"), "prose"])
    assert bool(s.loc[("b", "series.active.published"), "prose"])
    assert ("a", "series.requests.refused") not in s.index
    assert ("b", "series.requests.refused") not in s.index


def test_dictionary_states_comparability_and_facts_keys():
    text = render_dictionary()
    assert "## The series 2008 → today" in text and "| `series.requests.refused` | derived |" in text
    assert "`facts.requests.received`" in text and "requests.carried_over_in.total" in text
