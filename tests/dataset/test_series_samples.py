"""The generated legacy samples are read fully in every format, and one series runs through both eras."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from extractor.cli import main
from tests.fixtures.legacy import Layout, LegacyVariant, build_legacy_docx
from tests.helpers import ROOT

pytestmark = pytest.mark.slow

SAMPLES = ROOT / "samples"
AGENCIES = {"linjiang": ("临江市自然资源和规划局", 1), "yunling": ("云岭市卫生健康委员会", 4)}


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("series")
    inp = root / "in"
    inp.mkdir()
    for p in SAMPLES.glob("gen_*"):
        if p.stem.split("_")[1] in AGENCIES:
            (inp / p.name).symlink_to(p)
    out = root / "out"
    res = CliRunner().invoke(main, ["extract", str(inp), "-o", str(out), "-q"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return out


def _legacy_samples() -> list[Path]:
    return sorted(p for p in SAMPLES.glob("gen_*_201[0-8]_*") if p.stem.split("_")[1] in AGENCIES)


def test_legacy_samples_cover_every_layout_and_format():
    kinds = {(p.stem.split("_")[3], p.suffix) for p in _legacy_samples()}
    assert {k for k, _ in kinds} == {layout.value for layout in Layout}
    assert {s for _, s in kinds} == {".html", ".pdf", ".docx"}


def test_legacy_samples_read_fully(dataset: Path, tmp_path: Path):
    reports = pd.read_parquet(dataset / "reports.parquet")
    cells = pd.read_parquet(dataset / "cells.parquet")
    for p in _legacy_samples():
        slug, year, layout = p.stem.split("_")[1:4]
        agency, seed = AGENCIES[slug]
        expected = build_legacy_docx(LegacyVariant(agency, int(year), Layout(layout), seed), tmp_path / "x.docx")
        rep = reports[reports["source"].str.endswith(p.name)].iloc[0]
        assert (rep["status"], rep["format_version"], rep["report_year"], rep["agency"]) == (
            "ok",
            "legacy",
            int(year),
            agency,
        ), p.name
        got = cells[cells["report_id"] == rep["report_id"]].set_index("key")["value"].to_dict()
        assert got == expected, p.name
        methods = set(cells.loc[cells["report_id"] == rep["report_id"], "method"])
        assert (methods == {"prose"}) == (layout == "prose"), p.name


def test_series_runs_through_both_eras(dataset: Path):
    xw = pd.read_parquet(dataset / "crosswalk.parquet")
    series = xw[xw["hkey"].str.startswith("series.") & (xw["state"] == "number")]
    for agency, first, last in (("临江市自然资源和规划局", 2016, 2022), ("云岭市卫生健康委员会", 2016, 2023)):
        mine = series[series["agency"] == agency]
        for hkey in ("series.requests.received", "series.requests.granted", "series.review.total"):
            years = sorted(mine.loc[mine["hkey"] == hkey, "report_year"])
            assert years == list(range(first, last + 1)), (agency, hkey)
        eras = set(mine.loc[mine["hkey"] == "series.requests.received", "format_version"])
        assert eras == {"legacy", "2019", "2021"}
        # the prose-only year's points are marked as read from sentences
        prose_years = set(mine.loc[mine["prose"].astype(bool), "report_year"])
        assert prose_years >= {2018 if agency.startswith("临江") else 2016}
    refused = series[series["hkey"] == "series.requests.refused"]
    assert set(refused["comparability"]) == {"derived"}
    assert refused.loc[refused["format_version"] != "legacy", "key"].str.count(r"\+").eq(7).all()
